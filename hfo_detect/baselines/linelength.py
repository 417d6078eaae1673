"""Line-length detector after Gardner et al. 2007 (Clin Neurophysiol 118:1134).

Per band: line length ``sum |x[i+1] - x[i]|`` of the band-passed signal in a sliding window
(10 ms [CHOICE]); events where it exceeds ``mean + k * SD`` of the line length (k = 5 [CHOICE]; Gardner
thresholded at a percentile of the line-length distribution, available as ``percentile``) for
>= 10 ms [CHOICE], candidates closer than 10 ms merged, and kept if the band-passed signal has at least
``min_peaks`` (6, i.e. 3 cycles [CHOICE]) peaks of the rectified signal above 2 SD [CHOICE]. Filter: zero-phase
Butterworth (see :mod:`hfo_detect.baselines._energy`).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from hfo_detect.baselines._common import recording_arrays
from hfo_detect.baselines._energy import EnergyDetector, moving_sum
from hfo_detect.baselines.rms import count_peaks_above


class LineLengthDetector(EnergyDetector):
    """Gardner-style line-length detector (scikit-learn estimator interface).

    Parameters
    ----------
    k : float
        Threshold in SDs of the line length above its mean (5).
    percentile : float or None
        If set, the threshold is this percentile of the line length instead (Gardner: 97.5).
    window_s, min_duration_s, merge_gap_s : float
        10 ms, 10 ms, 10 ms.
    min_peaks : int
        Required peaks of the rectified signal (6); 0 disables the check.
    n_sd_peaks : float
        Peak level in SDs of the band-passed signal (2).
    bands, filter_order
        As :class:`~hfo_detect.baselines.rms.RMSDetector`.
    """

    name = "linelength"

    def __init__(self, k: float = 5.0, percentile: float | None = None, window_s: float = 0.010,
                 min_duration_s: float = 0.010, merge_gap_s: float = 0.010, min_peaks: int = 6,
                 n_sd_peaks: float = 2.0, bands: Sequence[tuple[str, float, float]] | None = None,
                 filter_order: int = 4):
        self.k = k
        self.percentile = percentile
        self.window_s = window_s
        self.min_duration_s = min_duration_s
        self.merge_gap_s = merge_gap_s
        self.min_peaks = min_peaks
        self.n_sd_peaks = n_sd_peaks
        self.bands = bands
        self.filter_order = filter_order

    def feature(self, filt: np.ndarray, sfreq: float) -> np.ndarray:
        w = max(int(round(self.window_s * sfreq)), 1)
        step = np.abs(np.diff(filt, axis=-1, prepend=filt[..., :1]))
        return moving_sum(step, w)

    def fit(self, recording: Any, y: Any = None):
        super().fit(recording)
        if self.percentile is not None:  # replace mean/SD by the percentile threshold
            data, sfreq, names = recording_arrays(recording)
            for band, (filt, feat) in self._prepare(data, sfreq).items():
                for i, ch in enumerate(names):
                    _, _, sig_sd = self.stats_[(ch, band)]
                    self.stats_[(ch, band)] = (float(np.percentile(feat[i], self.percentile)), 0.0, sig_sd)
        return self

    def accept(self, segment: np.ndarray, sd: float) -> bool:
        return self.min_peaks <= 0 or count_peaks_above(segment, self.n_sd_peaks * sd) >= self.min_peaks
