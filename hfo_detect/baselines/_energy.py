"""Common engine of the RMS and line-length baselines: band-pass, sliding feature, k-SD threshold.

Per channel and band: zero-phase Butterworth band-pass (``sosfiltfilt``, order 4 per edge)
[CHOICE: the original papers used FIR filters whose exact designs are not published]; a
sliding-window feature of the band-passed signal; threshold ``mean + k * SD`` of that feature over
the whole recording (computed in ``fit``); runs above threshold lasting >= ``min_duration_s``;
runs closer than ``merge_gap_s`` joined; then a detector-specific acceptance test.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.signal import butter, sosfiltfilt
from sklearn.base import BaseEstimator

from hfo_detect.baselines._common import (
    check_fitted,
    events_frame,
    flag_co_occurrence,
    merge_runs,
    recording_arrays,
    runs,
    to_event_table,
)

DEFAULT_BANDS: tuple[tuple[str, float, float], ...] = (("ripple", 80.0, 250.0), ("fast_ripple", 250.0, 500.0))


def moving_sum(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving sum over ``width`` samples along the last axis (window shrinks at the ends)."""
    width = max(int(width), 1)
    n = x.shape[-1]
    c = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)
    lo = np.clip(np.arange(n) - width // 2, 0, n)
    hi = np.clip(lo + width, 0, n)
    return c[..., hi] - c[..., lo]


def bandpass(data: np.ndarray, sfreq: float, low: float, high: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass; the upper edge is clipped below Nyquist."""
    high = min(high, 0.95 * sfreq / 2)
    sos = butter(order, [low, high], btype="bandpass", fs=sfreq, output="sos")
    return sosfiltfilt(sos, data, axis=-1)


class EnergyDetector(BaseEstimator):
    """Base class; subclasses define :meth:`feature` and :meth:`accept` and ``name``."""

    name = "energy"

    def _bands(self) -> Sequence[tuple[str, float, float]]:
        return self.bands or DEFAULT_BANDS

    def feature(self, filt: np.ndarray, sfreq: float) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def accept(self, segment: np.ndarray, sd: float) -> bool:  # pragma: no cover
        raise NotImplementedError

    def _prepare(self, data, sfreq):
        out = {}
        for name, lo, hi in self._bands():
            if lo >= sfreq / 2:
                continue
            filt = bandpass(data, sfreq, lo, hi, self.filter_order)
            out[name] = (filt, self.feature(filt, sfreq))
        return out

    def fit(self, recording: Any, y: Any = None):
        """Thresholds ``mean + k * SD`` of the feature and SD of the band-passed signal per channel/band."""
        data, sfreq, names = recording_arrays(recording)
        self.stats_ = {}
        for band, (filt, feat) in self._prepare(data, sfreq).items():
            for i, ch in enumerate(names):
                self.stats_[(ch, band)] = (float(feat[i].mean()), float(feat[i].std()), float(filt[i].std()))
        return self

    def threshold(self, mean: float, sd: float) -> float:
        return mean + self.k * sd

    def predict(self, recording: Any):
        """Detect with the fitted statistics (``fit`` first, as every detector needs)."""
        check_fitted(self, "stats_")
        data, sfreq, names = recording_arrays(recording)
        min_len = int(np.ceil(self.min_duration_s * sfreq - 1e-9))
        gap = int(round(self.merge_gap_s * sfreq))
        rows = []
        for band, (filt, feat) in self._prepare(data, sfreq).items():
            for i, ch in enumerate(names):
                if (ch, band) not in self.stats_:
                    continue
                mean, sd, sig_sd = self.stats_[(ch, band)]
                s, e = runs(feat[i] > self.threshold(mean, sd))
                keep = (e - s + 1) >= min_len
                s, e = merge_runs(s[keep], e[keep], gap)
                for a, b in zip(s, e):
                    if self.accept(filt[i, a:b + 1], sig_sd):
                        rows.append(dict(onset=a / sfreq, duration=(b - a + 1) / sfreq, channel=ch,
                                         kind=band, fr_and_r=False, detector=self.name))
        return to_event_table(flag_co_occurrence(events_frame(rows)))
