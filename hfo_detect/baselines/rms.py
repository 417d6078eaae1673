"""RMS detector after Staba et al. 2002 (J Neurophysiol 88:1743).

Per band (ripple 80-250 Hz, fast ripple 250-500 Hz): root-mean-square of the band-passed signal
in a sliding 3-ms window; candidate events where it exceeds ``mean + k * SD`` of the RMS (k = 5)
for >= 6 ms; candidates closer than 10 ms merged; an event is kept if the rectified band-passed
signal has >= 6 peaks (local maxima) above ``n_sd_peaks`` (3) SD of the band-passed signal.
The statistics are taken over the whole fitted recording [CHOICE: Staba used the whole epoch]; the
filter is a zero-phase Butterworth (see :mod:`hfo_detect.baselines._energy`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from hfo_detect.baselines._energy import EnergyDetector, moving_sum


def count_peaks_above(segment: np.ndarray, level: float) -> int:
    """Number of local maxima of ``|segment|`` that exceed ``level``."""
    r = np.abs(segment)
    if r.size < 3:
        return 0
    peak = (r[1:-1] > r[:-2]) & (r[1:-1] >= r[2:]) & (r[1:-1] > level)
    return int(peak.sum())


class RMSDetector(EnergyDetector):
    """Staba-style RMS detector (scikit-learn estimator interface).

    Parameters
    ----------
    k : float
        Threshold in SDs of the RMS above its mean (5); vary it for a threshold sweep.
    window_s : float
        RMS window (3 ms).
    min_duration_s : float
        Minimum time above threshold (6 ms).
    merge_gap_s : float
        Candidates closer than this are merged (10 ms).
    min_peaks : int
        Required peaks of the rectified signal (6).
    n_sd_peaks : float
        Peak level in SDs of the band-passed signal (3).
    bands : sequence of (name, low_hz, high_hz), optional
        Default ripple 80-250 and fast ripple 250-500 Hz.
    filter_order : int
        Butterworth order per edge (4).
    """

    name = "rms"

    def __init__(self, k: float = 5.0, window_s: float = 0.003, min_duration_s: float = 0.006,
                 merge_gap_s: float = 0.010, min_peaks: int = 6, n_sd_peaks: float = 3.0,
                 bands: Sequence[tuple[str, float, float]] | None = None, filter_order: int = 4):
        self.k = k
        self.window_s = window_s
        self.min_duration_s = min_duration_s
        self.merge_gap_s = merge_gap_s
        self.min_peaks = min_peaks
        self.n_sd_peaks = n_sd_peaks
        self.bands = bands
        self.filter_order = filter_order

    def feature(self, filt: np.ndarray, sfreq: float) -> np.ndarray:
        w = max(int(round(self.window_s * sfreq)), 1)
        return np.sqrt(np.maximum(moving_sum(filt**2, w) / w, 0.0))

    def accept(self, segment: np.ndarray, sd: float) -> bool:
        return count_peaks_above(segment, self.n_sd_peaks * sd) >= self.min_peaks
