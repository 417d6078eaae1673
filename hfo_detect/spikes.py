"""The event-stream container passed between the front end, the network and the readout.

A :class:`SpikeTrains` holds the spikes of many channels in three flat arrays sorted by
(channel, time). The front end emits ADM events with ``source`` = stream index
(``2*band + 0`` for UP, ``2*band + 1`` for DOWN: for the default bank 0 = R_UP, 1 = R_DN,
2 = FR_UP, 3 = FR_DN, the paper's input order); the network emits hidden spikes with
``source`` = hidden-neuron index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SpikeTrains:
    """Spikes of many channels.

    Parameters
    ----------
    times : ndarray of float64, shape (n_spikes,)
        Spike times in seconds from the start of the recording.
    channel : ndarray of int32, shape (n_spikes,)
        Channel index of each spike.
    source : ndarray of int32, shape (n_spikes,)
        Stream index (ADM) or neuron index (hidden layer).
    n_channels : int
        Number of channels (some may have no spikes).
    source_names : tuple of str
        Names of the sources (e.g. ``("ripple_up", "ripple_dn", ...)``); may be empty for neurons.
    """

    times: np.ndarray
    channel: np.ndarray
    source: np.ndarray
    n_channels: int
    source_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.times = np.asarray(self.times, dtype=np.float64)
        self.channel = np.asarray(self.channel, dtype=np.int32)
        self.source = np.asarray(self.source, dtype=np.int32)

    def __len__(self) -> int:
        return int(self.times.size)

    @classmethod
    def empty(cls, n_channels: int, source_names: tuple[str, ...] = ()) -> "SpikeTrains":
        return cls(np.empty(0), np.empty(0, np.int32), np.empty(0, np.int32), n_channels, source_names)

    def sort(self) -> "SpikeTrains":
        """Return a copy sorted by channel, then time (stable)."""
        order = np.lexsort((self.times, self.channel))
        return SpikeTrains(self.times[order], self.channel[order], self.source[order],
                           self.n_channels, self.source_names)

    def for_channel(self, ch: int) -> "SpikeTrains":
        """The spikes of one channel (still indexed as channel ``ch``)."""
        m = self.channel == ch
        return SpikeTrains(self.times[m], self.channel[m], self.source[m], self.n_channels,
                           self.source_names)

    def counts(self, n_sources: int | None = None) -> np.ndarray:
        """Spike counts per (channel, source), shape (n_channels, n_sources)."""
        n_src = n_sources if n_sources is not None else max(len(self.source_names),
                                                             int(self.source.max(initial=-1)) + 1)
        out = np.zeros((self.n_channels, n_src), dtype=np.int64)
        np.add.at(out, (self.channel, self.source), 1)
        return out

    @staticmethod
    def concatenate(parts: list["SpikeTrains"]) -> "SpikeTrains":
        """Join consecutive chunks (same channels and sources) and sort."""
        if not parts:
            raise ValueError("nothing to concatenate")
        first = parts[0]
        out = SpikeTrains(np.concatenate([p.times for p in parts]),
                          np.concatenate([p.channel for p in parts]),
                          np.concatenate([p.source for p in parts]),
                          first.n_channels, first.source_names)
        return out.sort()
