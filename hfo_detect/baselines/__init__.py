"""Conventional HFO detectors used as baselines (same estimator interface as the network).

* :class:`~hfo_detect.baselines.morphology.MorphologyDetector` — the Zurich Morphology detector
  (the clinical reference; it produced the marks in the shared data), also
  :func:`~hfo_detect.baselines.morphology.detect_morphology` on arrays.
* :class:`~hfo_detect.baselines.rms.RMSDetector` — Staba et al. 2002.
* :class:`~hfo_detect.baselines.linelength.LineLengthDetector` — Gardner et al. 2007.

Modules are imported lazily by :mod:`hfo_detect.detectors`.
"""
