"""hfo-detect: neuromorphic detection of high-frequency oscillations in iEEG.

Re-creates, in software, the system of Sharifhazileh, Burelo, Sarnthein & Indiveri,
Nat Commun 12:3095 (2021): filter bank -> asynchronous delta modulator -> DPI spiking
network -> HFO events -> evaluation -> chip power estimate.
"""

__version__ = "0.1.0"
