"""The Zurich "Morphology" HFO detector (Burnos et al. 2016; used by Fedele et al. 2017).

Re-implemented from the description in Burnos et al. 2016 (no code copied). Per bipolar channel and
band (ripple 80-250 Hz, fast ripple 250-500 Hz):

1. Zero-phase FIR band-pass: ``scipy.signal.remez`` Parks-McClellan designs (403 / 406 taps at
   2 kHz; band edges 70|80-240|250 and 240|250-490|500 Hz, stop-band weight 50) applied with
   ``filtfilt`` (MATLAB padding, ``3 * (taps - 1)`` samples).
2. Envelope = MATLAB ``smooth`` (centred moving average, span ``fs / low edge`` forced odd,
   shrinking at the ends) of ``|hilbert(filtered)|``.
3. Baseline: per 1-s segment of the *raw* signal (first 30 s; all seconds if < 2 s found), the
   Stockwell-transform entropy over 1-Hz bins from ``low+1`` to 500 Hz; samples with entropy
   > 0.9 of the maximum, 20 ms from the segment borders, in runs >= 10 ms whose filtered
   amplitude stays <= 10 uV.
4. Thresholds = inverse ECDF over baseline samples: envelope at 0.95 (ripple) / 0.70 (FR),
   signed filtered signal at 0.99. No baseline sample -> no detection.
5. Events of interest: runs of envelope > THR lasting >= 20 ms (ripple) / 10 ms (FR), widened to
   where the envelope falls to 0.99 THR; dropped if the envelope peak exceeds 30 / 20 uV
   (artifact); kept only with >= 6 consecutive *whole* half-waves (between zero crossings inside
   the event) whose peak |filtered| exceeds the filtered threshold.
6. Events closer than 20 ms are merged (after the oscillation test); ripples and fast ripples
   that overlap on a channel get ``fr_and_r = True`` (Burnos et al. 2016).

Edge convention (Burnos et al. 2016) [CHOICE, parameter ``edge``]: ``"literal"`` counts half-waves in
``[start, stop]``; ``"extended"`` in ``[start, stop + 1 sample]`` (the marks end ~3 samples after
the literal stop). Reported onsets are ``(start + 1) / fs`` (MATLAB 1-based index), offsets
``(stop + 1) / fs`` (``+ 1`` more sample with ``"extended"``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.signal import filtfilt, hilbert, remez
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
from hfo_detect.baselines.stockwell import stockwell_entropies

EDGES = ("literal", "extended")


@dataclass(frozen=True)
class MorphologyBand:
    """Settings of one band (values from Burnos et al. 2016).

    Parameters
    ----------
    name : str
        ``ripple`` or ``fast_ripple``.
    low_hz, high_hz : float
        Pass band of the FIR design (80-240 / 250-490 Hz).
    transition_hz : float
        Width of each transition band (10 Hz).
    numtaps : int
        Taps at 2 kHz (403 / 406); scaled with the sampling rate.
    cdf_level_env : float
        ECDF level of the envelope threshold (0.95 / 0.70).
    cdf_level_filt : float
        ECDF level of the filtered-signal threshold (0.99).
    min_time_s : float
        Minimum time above the envelope threshold (20 / 10 ms).
    max_amplitude_uv : float
        Artifact rejection on the envelope peak (30 / 20 uV).
    """

    name: str
    low_hz: float
    high_hz: float
    transition_hz: float
    numtaps: int
    cdf_level_env: float
    cdf_level_filt: float
    min_time_s: float
    max_amplitude_uv: float


RIPPLE_BAND = MorphologyBand("ripple", 80.0, 240.0, 10.0, 403, 0.95, 0.99, 0.020, 30.0)
FR_BAND = MorphologyBand("fast_ripple", 250.0, 490.0, 10.0, 406, 0.70, 0.99, 0.010, 20.0)


@dataclass(frozen=True)
class MorphologyConfig:
    """All settings of the Morphology detector (Burnos et al. 2016; names follow the MATLAB variables).

    Parameters
    ----------
    bands : tuple of MorphologyBand
    stopband_weight : float
        remez weight of the stop bands (50).
    st_high_hz : float
        Upper frequency of the Stockwell entropy (500 Hz for both bands, Burnos et al. 2016).
    bl_mu : float
        Entropy fraction of the maximum for baseline samples (0.9).
    bl_border_s : float
        Excluded at each 1-s segment border (20 ms).
    bl_min_dist_s : float
        Minimum baseline run (10 ms).
    max_noise_uv : float
        Baseline runs whose filtered |amplitude| exceeds this are dropped (10 uV).
    bl_duration_s : float
        Seconds searched first (30 s).
    min_baseline_s : float
        If less baseline is found, the remaining seconds are searched too (2 s).
    dur_thr : float
        Events are widened to where the envelope falls to ``dur_thr * THR`` (0.99).
    min_oscillations : int
        Consecutive whole half-waves above the filtered threshold (6).
    merge_gap_s : float
        Events with a gap below this are merged (20 ms).
    edge : {"literal", "extended"}
        Edge convention of the half-wave count and offsets (see module docstring).
    thr_filt_scale : float
        Multiplies the filtered-signal threshold (1.0; 1.2 fits the ECoG marks better [CALC]).
    no_baseline_thr : float
        Threshold used when no baseline exists (1000 uV -> no detection).
    """

    bands: tuple[MorphologyBand, ...] = (RIPPLE_BAND, FR_BAND)
    stopband_weight: float = 50.0
    st_high_hz: float = 500.0
    bl_mu: float = 0.9
    bl_border_s: float = 0.02
    bl_min_dist_s: float = 0.01
    max_noise_uv: float = 10.0
    bl_duration_s: float = 30.0
    min_baseline_s: float = 2.0
    dur_thr: float = 0.99
    min_oscillations: int = 6
    merge_gap_s: float = 0.02
    edge: str = "literal"
    thr_filt_scale: float = 1.0
    no_baseline_thr: float = 1000.0


@lru_cache(maxsize=16)
def design_fir(band: MorphologyBand, sfreq: float, stopband_weight: float = 50.0) -> np.ndarray:
    """Parks-McClellan band-pass of Burnos et al. 2016 (403 / 406 taps at 2 kHz, scaled with ``sfreq``)."""
    numtaps = int(round(band.numtaps * sfreq / 2000.0))
    nyq = sfreq / 2.0
    lo_stop = band.low_hz - band.transition_hz
    hi_stop = min(band.high_hz + band.transition_hz, nyq)
    if hi_stop >= nyq:
        edges = [0, lo_stop, band.low_hz, band.high_hz, nyq]
        return remez(numtaps, edges, [0, 1], weight=[stopband_weight, 1], fs=sfreq)
    edges = [0, lo_stop, band.low_hz, band.high_hz, hi_stop, nyq]
    return remez(numtaps, edges, [0, 1, 0], weight=[stopband_weight, 1, stopband_weight], fs=sfreq)


def matlab_smooth(x: np.ndarray, span: int) -> np.ndarray:
    """MATLAB ``smooth(x, span)`` moving average: odd span, window shrinks symmetrically at ends."""
    span = int(span)
    if span % 2 == 0:
        span -= 1
    half = max(span // 2, 0)
    n = x.size
    idx = np.arange(n)
    h = np.minimum(np.minimum(idx, n - 1 - idx), half)
    csum = np.r_[0.0, np.cumsum(x)]
    return (csum[idx + h + 1] - csum[idx - h]) / (2 * h + 1)


def envelope(filtered: np.ndarray, sfreq: float, low_hz: float) -> np.ndarray:
    """Smoothed Hilbert envelope, span ``fs / low_hz`` samples (25 at 80 Hz, 7 at 250 Hz)."""
    return matlab_smooth(np.abs(hilbert(filtered)), int(round(sfreq / low_hz)))


def _segment_masks(raw, filts, start, seg_len, bands, cfg, sfreq):
    """Baseline masks of one 1-s segment for several bands from one S-transform (Burnos et al. 2016)."""
    hi = int(min(cfg.st_high_hz, sfreq / 2))
    lows = [int(b.low_hz) + 1 for b in bands]  # 1-s segment -> frequency index == Hz
    entropies = stockwell_entropies(raw[start:start + seg_len], min(lows), hi, lows)
    border = int(round(cfg.bl_border_s * sfreq))
    min_len = int(round(cfg.bl_min_dist_s * sfreq))
    masks = []
    for band, (entropy, s_max) in zip(bands, entropies):
        cand = entropy > cfg.bl_mu * s_max
        cand[:border] = False
        cand[seg_len - border:] = False
        mask = np.zeros(seg_len, bool)
        seg_f = np.abs(filts[band.name][start:start + seg_len])
        for s, e in zip(*runs(cand)):
            if e - s + 1 >= min_len and seg_f[s:e + 1].max() <= cfg.max_noise_uv:
                mask[s:e + 1] = True
        masks.append(mask)
    return masks


def baseline_masks(raw: np.ndarray, filts: dict[str, np.ndarray], sfreq: float,
                   bands: tuple[MorphologyBand, ...], cfg: MorphologyConfig) -> dict[str, np.ndarray]:
    """Boolean masks of baseline samples per band (Stockwell entropy, Burnos et al. 2016).

    The first ``bl_duration_s`` whole seconds are searched; a band with less than
    ``min_baseline_s`` of baseline also searches the remaining whole seconds.
    """
    seg_len = int(round(sfreq))
    n_seg = raw.size // seg_len
    masks = {b.name: np.zeros(raw.size, bool) for b in bands}
    first = min(n_seg, int(cfg.bl_duration_s))
    todo = list(bands)
    for seg_range in (range(first), range(first, n_seg)):
        if not todo or not len(seg_range):
            continue
        for k in seg_range:
            sl = slice(k * seg_len, (k + 1) * seg_len)
            for band, m in zip(todo, _segment_masks(raw, filts, k * seg_len, seg_len, todo, cfg, sfreq)):
                masks[band.name][sl] = m
        todo = [b for b in todo if masks[b.name].sum() < cfg.min_baseline_s * sfreq]
    return masks


def ecdf_quantile(values: np.ndarray, level: float) -> float:
    """Inverse empirical CDF: smallest value ``v`` with ECDF(v) >= ``level``."""
    return float(np.quantile(values, level, method="inverted_cdf"))


def band_thresholds(env: np.ndarray, filt: np.ndarray, mask: np.ndarray, band: MorphologyBand,
                    cfg: MorphologyConfig) -> tuple[float, float, int]:
    """(THR envelope, THR filtered, number of baseline samples) of one channel and band."""
    n_bl = int(mask.sum())
    if n_bl == 0:  # no baseline at all -> no detection (Burnos et al. 2016)
        return cfg.no_baseline_thr, cfg.no_baseline_thr, 0
    thr = ecdf_quantile(env[mask], band.cdf_level_env)
    thr_filt = ecdf_quantile(filt[mask], band.cdf_level_filt) * cfg.thr_filt_scale
    return thr, thr_filt, n_bl


def has_oscillations(segment: np.ndarray, thr_filt: float, min_count: int) -> bool:
    """True if ``min_count`` consecutive whole half-waves peak above ``thr_filt``.

    Half-waves lie between successive zero crossings inside the segment; the partial ones before
    the first and after the last crossing are not counted (Burnos et al. 2016).
    """
    positive = segment >= 0
    cross = np.flatnonzero(positive[1:] != positive[:-1])  # crossing between i and i + 1
    if len(cross) < 2:
        return False
    peaks = np.maximum.reduceat(np.abs(segment), cross[:-1] + 1)[: len(cross) - 1]
    strong = np.r_[False, peaks > thr_filt, False]
    zeros = np.flatnonzero(~strong)
    return bool(np.any(np.diff(zeros) > min_count))


def detect_band(filt: np.ndarray, env: np.ndarray, thr: float, thr_filt: float, sfreq: float,
                band: MorphologyBand, cfg: MorphologyConfig) -> tuple[np.ndarray, np.ndarray]:
    """Start/stop sample indices (inclusive) of the events of one channel and band (Burnos et al. 2016)."""
    if cfg.edge not in EDGES:
        raise ValueError(f"edge must be one of {EDGES}")
    a_start, a_stop = runs(env > thr)
    keep = (a_stop - a_start + 1) >= int(round(band.min_time_s * sfreq))
    a_start, a_stop = a_start[keep], a_stop[keep]
    if len(a_start) == 0:
        return a_start, a_stop
    # widen each supra-threshold run to the surrounding run of env > dur_thr * THR
    w_start, w_stop = runs(env > cfg.dur_thr * thr)
    which = np.searchsorted(w_start, a_start, side="right") - 1
    starts, stops = np.unique(np.c_[w_start[which], w_stop[which]], axis=0).T
    extra = 1 if cfg.edge == "extended" else 0
    good = []
    for s, e in zip(starts, stops):
        if env[s:e + 1].max() > band.max_amplitude_uv:  # artifact: envelope peak too large
            continue
        if has_oscillations(filt[s:min(e + 1 + extra, filt.size)], thr_filt, cfg.min_oscillations):
            good.append((s, min(e + extra, filt.size - 1)))
    if not good:
        return np.zeros(0, int), np.zeros(0, int)
    s, e = np.array(good).T
    return merge_runs(s, e, int(round(cfg.merge_gap_s * sfreq)))


def detect_morphology(data_uv: np.ndarray, sfreq: float, ch_names: list[str],
                      config: MorphologyConfig | None = None, **overrides: Any):
    """Run the Morphology detector on an array (thresholds from the same data).

    Parameters
    ----------
    data_uv : ndarray, shape (n_channels, n_times)
        Bipolar signals in microvolts.
    sfreq : float
    ch_names : list of str
    config : MorphologyConfig, optional
    **overrides
        Fields of :class:`MorphologyConfig` (e.g. ``edge="extended"``).

    Returns
    -------
    EventTable
        ``detector = "morphology"``, kinds ``ripple`` / ``fast_ripple``, ``fr_and_r`` set.
    """
    det = MorphologyDetector(config=config, **overrides)
    return det.fit((data_uv, sfreq, ch_names)).predict((data_uv, sfreq, ch_names))


class MorphologyDetector(BaseEstimator):
    """Estimator wrapper of the Morphology detector (scikit-learn style).

    ``fit(recording)`` computes the per-channel, per-band thresholds (``thresholds_``, a dict
    ``(channel, band) -> (THR, THR_filt, n_baseline)``) from the recording; ``predict(recording)``
    detects with them. Parameters: ``config`` (:class:`MorphologyConfig`), and the common
    overrides ``edge`` and ``thr_filt_scale``.
    """

    def __init__(self, config: MorphologyConfig | None = None, edge: str | None = None,
                 thr_filt_scale: float | None = None):
        self.config = config
        self.edge = edge
        self.thr_filt_scale = thr_filt_scale

    def _cfg(self) -> MorphologyConfig:
        cfg = self.config or MorphologyConfig()
        changes = {k: v for k, v in (("edge", self.edge), ("thr_filt_scale", self.thr_filt_scale)) if v is not None}
        return replace(cfg, **changes)

    def _filtered(self, data, sfreq):
        cfg = self._cfg()
        out = {}
        for band in cfg.bands:
            b = design_fir(band, sfreq, cfg.stopband_weight)
            filt = filtfilt(b, [1.0], data, axis=1, padlen=3 * (len(b) - 1))
            env = np.stack([envelope(f, sfreq, band.low_hz) for f in filt])
            out[band.name] = (filt, env)
        return out

    def fit(self, recording: Any, y: Any = None) -> "MorphologyDetector":
        data, sfreq, names = recording_arrays(recording)
        cfg = self._cfg()
        filtered = self._filtered(data, sfreq)
        self.thresholds_ = {}
        for i, ch in enumerate(names):
            masks = baseline_masks(data[i], {b: f[i] for b, (f, _) in filtered.items()}, sfreq, cfg.bands, cfg)
            for band in cfg.bands:
                filt, env = filtered[band.name]
                self.thresholds_[(ch, band.name)] = band_thresholds(env[i], filt[i], masks[band.name], band, cfg)
        self._cache = (id(recording), filtered)
        return self

    def predict(self, recording: Any):
        check_fitted(self, "thresholds_")
        data, sfreq, names = recording_arrays(recording)
        cfg = self._cfg()
        cache = getattr(self, "_cache", None)
        filtered = cache[1] if cache and cache[0] == id(recording) else self._filtered(data, sfreq)
        rows = []
        for band in cfg.bands:
            filt, env = filtered[band.name]
            for i, ch in enumerate(names):
                thr, thr_filt, _ = self.thresholds_.get((ch, band.name), (cfg.no_baseline_thr,) * 2 + (0,))
                starts, stops = detect_band(filt[i], env[i], thr, thr_filt, sfreq, band, cfg)
                for s, e in zip(starts, stops):
                    rows.append(dict(onset=(s + 1) / sfreq, duration=(e - s) / sfreq, channel=ch,
                                     kind=band.name, fr_and_r=False, detector="morphology"))
        return to_event_table(flag_co_occurrence(events_frame(rows)))
