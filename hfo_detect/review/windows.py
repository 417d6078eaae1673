"""Signal windows for the review page, read from disk only where they are shown.

The recording is opened lazily (MNE with ``preload=False`` through
:func:`hfo_detect.io.open_recording`), with the detector's montage; each request reads the samples
of its window (plus a filter margin) and band-passes them with the detector's filter design
(:func:`hfo_detect.frontend.filters.design_filter_bank`), zero-phase so that the traces line up
with the raw signal. A 1-h 64-channel file is never loaded whole.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import signal

from hfo_detect.config import FilterBankConfig
from hfo_detect.frontend.filters import design_filter_bank, usable_bands
from hfo_detect.io import open_recording

#: signal before and after a window that the filters settle on (not sent) [CHOICE]
MARGIN_S = 0.25
#: longest window served, seconds (keeps responses small) [CHOICE]
MAX_WINDOW_S = 30.0


class WindowReader:
    """Windows of one recording: raw and band-passed traces of a few channels.

    Parameters
    ----------
    source : path
        The recording.
    montage : str, list of (str, str) or None
        The detector's montage; None: as-is, or bipolar when that is what ``channels`` name.
    channels : list of str
        Channels the detector ran on (the order the page offers as neighbours); default: all.
    """

    def __init__(self, source, montage=None, channels=None):
        if montage is None:  # not recorded by the run: the montage whose channels the events name
            self.recording = open_recording(source, montage="as-is", on_flat="ignore")
            if channels and not set(channels) <= set(self.recording.ch_names):
                self.recording = open_recording(source, montage="bipolar", on_flat="ignore")
        else:
            self.recording = open_recording(source, montage=montage, on_flat="ignore")
        names = self.recording.ch_names
        wanted = set(channels or names)
        self.channels = [c for c in names if c in wanted] or list(names)  # recording order: neighbours
        self.sfreq = self.recording.sfreq
        self.duration_s = self.recording.duration_s
        cfg = FilterBankConfig(on_low_fs="drop")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.bands = [b.name for b in usable_bands(cfg, self.sfreq)]
            self._sos = design_filter_bank(cfg, self.sfreq)
        self._lock = threading.Lock()  # one reader of the file at a time

    def neighbours(self, channel: str, n: int) -> list[str]:
        """``channel`` and up to ``n`` channels on each side of it, in recording order."""
        if channel not in self.channels:
            raise KeyError(channel)
        i = self.channels.index(channel)
        return self.channels[max(0, i - n): i + n + 1]

    def window(self, channels: list[str], t0: float, t1: float) -> dict:
        """Traces of ``channels`` between ``t0`` and ``t1`` seconds.

        Returns
        -------
        dict
            ``t0`` (time of the first sample sent), ``dt``, ``channels``: list of
            ``{"name", "raw", <band name>: ...}`` in microvolts.
        """
        t0 = max(0.0, float(t0))
        t1 = min(self.duration_s, float(t1), t0 + MAX_WINDOW_S)
        start, stop = int(np.floor(t0 * self.sfreq)), int(np.ceil(t1 * self.sfreq))
        pad = int(MARGIN_S * self.sfreq)
        lo, hi = max(0, start - pad), min(self.recording.n_times, stop + pad)
        rows = [self.recording.ch_names.index(c) for c in channels]
        with self._lock:
            data = self.recording.get_data_uv(lo, hi, check=False)[rows]
        data = np.nan_to_num(data)
        cut = slice(start - lo, start - lo + (stop - start))
        out = []
        for name, x in zip(channels, data):
            trace = {"name": name, "raw": _round(x[cut])}
            for band, sos in zip(self.bands, self._sos):
                padlen = min(len(x) - 1, 3 * (2 * len(sos) + 1))
                y = signal.sosfiltfilt(sos, x, padlen=max(padlen, 0)) if len(x) > 1 else x
                trace[band] = _round(y[cut])
            out.append(trace)
        return {"t0": start / self.sfreq, "dt": 1.0 / self.sfreq, "bands": self.bands, "channels": out}


def _round(x: np.ndarray) -> list[float]:
    """Microvolts to 0.01 uV: plenty for the eye, a third of the JSON."""
    return np.round(np.asarray(x, dtype=np.float64), 2).tolist()
