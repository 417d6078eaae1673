"""ADM threshold calibration: the noise-floor rule of the authors' code (the authors' code, find_thresholds).

Per channel and band::

    for s in arange(0, max(t), window):               # t = sample / fs, from the recording start
        idx = (t >= s) & (t <= s + window)            # BOTH ends inclusive: a sample on a window
        M[k], m[k] = max(x[idx]), min(x[idx])         # boundary belongs to two windows
    delta = ceil(sf * (mean(sort(M)[:q]) + mean(sort(-m)[:q])))

``whole`` (S1, commit 4179dda): 1-s windows over the whole recording, q = 50 quietest.
``first10s`` (later code, PR #72): only samples with t <= 10 s, 0.5-s windows,
q = max(round(n_windows / 6), 1).
``floor`` [CHOICE]: 0.25-s windows over the whole recording, q = max(round(n_windows / 6), 1):
the quietest sixth of short windows is the noise floor at any length (``whole`` on a 5-s file
averages all 5 windows, HFOs included).

With ``track_s`` (:class:`FloorTrack`) the same statistic is also taken over the windows of a
span centred on each window, and the threshold follows it (see ``CalibrationConfig.track_s``).

The rule needs every sample before the first event can be encoded, hence the streaming
:class:`ThresholdCalibrator`: one pass accumulates the max/min of each window, chunk by chunk,
with exactly the result of the one-shot rule (max/min are exact, whatever the chunking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import sliding_window_view

from hfo_detect.config import CalibrationConfig
from hfo_detect.errors import UnitError

#: The tracked threshold stays within this factor of the whole-recording one either way
#: [CHOICE]: a flat stretch (a disconnected or saturated channel) has a floor near zero, and an
#: unbounded gain would turn the ringing next to it into events.
MAX_TRACK_GAIN = 4.0


@dataclass(frozen=True)
class CalibrationRule:
    """The resolved numbers of a :class:`CalibrationConfig` (defaults of each rule filled in)."""

    window_s: float
    n_quiet: int | None  # None: quiet_fraction of the windows, at least 1
    quiet_fraction: float
    duration_s: float | None  # None: the whole recording


def resolve_rule(cal_cfg: CalibrationConfig) -> CalibrationRule:
    """Fill in the defaults of ``whole`` (1 s, 50) and ``first10s`` (0.5 s, 1/6, 10 s)."""
    if cal_cfg.rule == "whole":
        return CalibrationRule(cal_cfg.window_s or 1.0,
                               cal_cfg.n_quiet if cal_cfg.n_quiet is not None else 50,
                               cal_cfg.quiet_fraction, cal_cfg.duration_s)
    if cal_cfg.rule == "first10s":
        return CalibrationRule(cal_cfg.window_s or 0.5, cal_cfg.n_quiet, cal_cfg.quiet_fraction,
                               cal_cfg.duration_s if cal_cfg.duration_s is not None else 10.0)
    if cal_cfg.rule == "floor":
        return CalibrationRule(cal_cfg.window_s or 0.25, cal_cfg.n_quiet, cal_cfg.quiet_fraction,
                               cal_cfg.duration_s)
    raise ValueError(f"unknown calibration rule {cal_cfg.rule!r}; choose 'whole', 'first10s' "
                     "or 'floor'")


def _window_ranges(start: int, n: int, fs: float, w: float, t_stop: float):
    """Sample ranges of the windows ``[k*w, k*w + w]`` met by samples ``start .. start+n-1``.

    Yields ``(k, lo, hi)``: block-relative ``[lo, hi)`` holds exactly the samples of the block
    with ``t >= k*w`` and ``t <= k*w + w`` (t = sample / fs; closed at both ends, so a sample
    on a boundary belongs to two windows), and ``t <= t_stop``. Bounds are found with the very
    comparisons of the authors' rule, on the float times.
    """
    t = np.arange(start, start + n) / fs
    n_in = int(np.searchsorted(t, t_stop, side="right"))  # samples with t <= t_stop
    if n_in == 0:
        return
    t = t[:n_in]
    k_first = max(int(t[0] / w) - 1, 0)
    k_last = int(t[-1] / w) + 1
    for k in range(k_first, k_last + 1):
        s = k * w
        lo = int(np.searchsorted(t, s, side="left"))  # first t >= s
        hi = int(np.searchsorted(t, s + w, side="right"))  # past the last t <= s + w
        if hi > lo:
            yield k, lo, hi


@dataclass(frozen=True)
class FloorTrack:
    """How the noise floor moves through a recording: one gain per calibration window.

    ``gains[b, c, k]`` = (whole-recording floor) / (floor of the span centred on window k) of
    band ``b`` and channel ``c``, within ``[1 / MAX_TRACK_GAIN, MAX_TRACK_GAIN]``. Multiplying
    the filtered signal by the gain (linear between window centres, constant before the first
    and after the last) and keeping the channel's threshold is the same as dividing the
    threshold by it: the ADM then fires at the threshold the local floor sets. The gain is a
    continuous function of time, so the ADM's reference never jumps.
    """

    window_s: float
    gains: np.ndarray  # float32 (n_bands, n_ch, n_windows)

    def _positions(self, start_sample: int, n: int, sfreq: float):
        """Each sample's window centre on the left, the one on its right, and how far along."""
        n_win = self.gains.shape[2]
        u = (start_sample + np.arange(n)) / sfreq / self.window_s - 0.5  # in window centres
        k0 = np.clip(np.floor(u), 0, n_win - 1).astype(np.int64)
        return k0, np.minimum(k0 + 1, n_win - 1), np.clip(u - k0, 0.0, 1.0)

    def apply(self, filtered: np.ndarray, start_sample: int, sfreq: float,
              overwrite: bool = False) -> np.ndarray:
        """``filtered`` (n_bands, n_ch, n) times its gains, in one pass (no gain array of the
        chunk's size). A new array, or with ``overwrite`` ``filtered`` itself when it is
        contiguous float64 (the caller's copy is not needed after: one block of 64 channels x
        5 bands is 21 MB, and the two together were part of the 1-h run's peak memory)."""
        k0, k1, frac = self._positions(start_sample, filtered.shape[2], sfreq)
        x = np.ascontiguousarray(filtered, dtype=np.float64)
        out = x if overwrite else np.empty_like(x)
        _scaled(x, self.gains, k0, k1, frac, out)
        return out


@njit(cache=True)
def _scaled(x, gains, k0, k1, frac, out):
    """``out = x * (g0 + (g1 - g0) * frac)``, ``g0``/``g1`` the gains of the window centres on
    either side of each sample (``out`` may be ``x``: each element is read before written)."""
    for b in range(x.shape[0]):
        for c in range(x.shape[1]):
            g = gains[b, c]
            for i in range(x.shape[2]):
                g0 = g[k0[i]]
                d = g[k1[i]] - g0
                out[b, c, i] = x[b, c, i] * (np.float64(g0) + np.float64(d) * frac[i])


def _quiet_means(x: np.ndarray, span: int, q: int) -> np.ndarray:
    """Mean of the ``q`` smallest values of every run of ``span`` consecutive values of ``x``."""
    runs = sliding_window_view(x, span)
    return np.partition(runs, q - 1, axis=1)[:, :q].mean(axis=1, dtype=np.float64)


class ThresholdCalibrator:
    """Streaming noise-floor calibration of the ADM thresholds.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    n_channels, n_bands : int
    cal_cfg : CalibrationConfig
    scale_factors : sequence of float
        One scale factor per band (``BandConfig.scale_factor``: 0.6 ripple, 0.3 fast ripple).
    ch_names, band_names : sequence of str, optional
        Named in the unit-error message.
    path : str, optional
        File named in the unit-error message.
    n_times : int, optional
        Samples the recording has: the per-window extrema are then allocated once, at their
        final size (without it they grow by doubling, and each growth copies them: on 64
        channels x 1 h the copies were the peak memory of a whole ``detect`` run).

    Notes
    -----
    Feed every filtered chunk with :meth:`update` (in order, from sample 0), then read
    :meth:`thresholds`. For ``first10s``, :attr:`needed_samples` tells how many samples matter
    (later ones are ignored), so a caller can stop reading early.
    """

    def __init__(self, sfreq: float, n_channels: int, n_bands: int, cal_cfg: CalibrationConfig,
                 scale_factors: Sequence[float], *, ch_names: Sequence[str] | None = None,
                 band_names: Sequence[str] | None = None, path: str | None = None,
                 n_times: int | None = None):
        self.sfreq = float(sfreq)
        self.n_channels, self.n_bands = int(n_channels), int(n_bands)
        self.cfg = cal_cfg
        self.rule = resolve_rule(cal_cfg)
        self.scale_factors = np.asarray(scale_factors, dtype=float).reshape(self.n_bands)
        self.ch_names = list(ch_names) if ch_names is not None else [str(c) for c in range(n_channels)]
        self.band_names = list(band_names) if band_names is not None else [str(b) for b in range(n_bands)]
        self.path = path
        # Samples with t > t_stop never count (first10s: t <= 10 s, like the authors' filter).
        self.t_stop = np.inf if self.rule.duration_s is None else float(self.rule.duration_s)
        n_win = 0
        if n_times is not None and n_times > 0:
            t_last = min((n_times - 1) / self.sfreq, self.t_stop)
            n_win = int(t_last / self.rule.window_s) + 3  # as update() asks for
        # the authors' rules keep float64 extrema (their thresholds to the last bit); ``floor``
        # [CHOICE] keeps float32: its 0.25-s windows on 64 ch x 1 h took 2 x 37 MB in float64
        # and set the high-water mark of a whole 1-h run (pass 1), while rounding a window's
        # extremum to float32 (6e-8 relative) moves a floor far less than the 0.1-uV step
        dtype = np.float32 if cal_cfg.rule == "floor" else np.float64
        self._wmax = np.full((self.n_bands, self.n_channels, n_win), -np.inf, dtype)
        self._wmin = np.full((self.n_bands, self.n_channels, n_win), np.inf, dtype)
        self._s1 = np.zeros((self.n_bands, self.n_channels))
        self._s2 = np.zeros((self.n_bands, self.n_channels))
        self._n_used = 0  # samples that counted (t <= t_stop)
        self._next = 0  # next expected sample index

    @property
    def needed_samples(self) -> int | None:
        """Number of leading samples the rule uses (``None``: all of them)."""
        if np.isinf(self.t_stop):
            return None
        return int(np.floor(self.t_stop * self.sfreq)) + 1

    @property
    def done(self) -> bool:
        """True once later samples can no longer change the thresholds."""
        need = self.needed_samples
        return need is not None and self._n_used < self._next

    def _ensure_windows(self, n_windows: int) -> None:
        have = self._wmax.shape[2]
        if n_windows <= have:
            return
        new = max(n_windows, 2 * have)
        grow = ((0, 0), (0, 0), (0, new - have))
        self._wmax = np.pad(self._wmax, grow, constant_values=-np.inf)
        self._wmin = np.pad(self._wmin, grow, constant_values=np.inf)

    def update(self, filtered: np.ndarray, start_sample: int) -> None:
        """Add one filtered chunk ``(n_bands, n_ch, n)`` that starts at ``start_sample``."""
        x = np.ascontiguousarray(filtered, dtype=np.float64)
        if x.ndim != 3 or x.shape[:2] != (self.n_bands, self.n_channels):
            raise ValueError(f"expected ({self.n_bands}, {self.n_channels}, n), got {x.shape}")
        if start_sample != self._next:
            raise ValueError(f"chunks must be contiguous: expected sample {self._next}, "
                             f"got {start_sample}")
        n = x.shape[2]
        if n == 0 or self.done:
            self._next += n
            return
        self._next += n
        w = self.rule.window_s
        last_t = min((start_sample + n - 1) / self.sfreq, self.t_stop)
        self._ensure_windows(int(last_t / w) + 3)
        used = 0
        for k, lo, hi in _window_ranges(start_sample, n, self.sfreq, w, self.t_stop):
            seg = x[:, :, lo:hi]
            np.maximum(self._wmax[:, :, k], seg.max(axis=2), out=self._wmax[:, :, k])
            np.minimum(self._wmin[:, :, k], seg.min(axis=2), out=self._wmin[:, :, k])
            used = max(used, hi)
        if used:
            seg = x[:, :, :used]
            self._s1 += seg.sum(axis=2)
            self._s2 += np.einsum("bci,bci->bc", seg, seg)
        self._n_used += used

    def window_extrema(self) -> tuple[np.ndarray, np.ndarray]:
        """Max and min of each window, ``(n_bands, n_ch, n_windows)`` each.

        The windows are those of ``arange(0, t_max, window)``, ``t_max`` the time of the last
        sample that counts (the authors' ``max(t)``).
        """
        if self._n_used == 0:
            raise ValueError("no sample seen: call update() before thresholds()")
        t_max = (self._n_used - 1) / self.sfreq
        n_win = max(len(np.arange(0.0, t_max, self.rule.window_s)), 1)  # one sample: one window
        self._ensure_windows(n_win)
        return self._wmax[:, :, :n_win], self._wmin[:, :, :n_win]

    def floor(self) -> np.ndarray:
        """``mean of quiet maxima + mean of quiet |minima|`` over the whole recording,
        ``(n_bands, n_ch)``: the noise floor the thresholds scale."""
        wmax, wmin = self.window_extrema()
        q = self._n_quiet(wmax.shape[2])
        # one band at a time: a sorted copy of every band at once doubled the memory
        up = np.stack([np.sort(wmax[b], axis=1)[:, :q].mean(axis=1, dtype=np.float64)
                       for b in range(self.n_bands)])
        dn = np.stack([np.sort(-wmin[b], axis=1)[:, :q].mean(axis=1, dtype=np.float64)
                       for b in range(self.n_bands)])
        return up + dn

    def raw_thresholds(self) -> np.ndarray:
        """``sf * floor`` before rounding up."""
        return self.scale_factors[:, None] * self.floor()

    def _n_quiet(self, n_win: int) -> int:
        if self.rule.n_quiet is not None:
            return min(self.rule.n_quiet, n_win)
        return max(int(np.round(n_win * self.rule.quiet_fraction)), 1)

    def floor_track(self) -> FloorTrack | None:
        """The tracked floor of ``CalibrationConfig.track_s``, or None (off, a rule that stops
        early, or a recording no longer than the span: its thresholds are the untracked ones
        exactly).

        The span holds the windows of ``track_s`` and takes the same share of its quietest
        windows as the whole-recording rule does of all of them, so on a stationary recording
        the gains stay near 1.
        """
        if self.cfg.track_s is None or not np.isinf(self.t_stop):
            return None  # off, or a rule that stops early (first10s): no later floor seen
        wmax, wmin = self.window_extrema()
        n_win = wmax.shape[2]
        span = max(int(round(self.cfg.track_s / self.rule.window_s)), 1)
        if span >= n_win:
            return None
        whole = self.floor()
        q = max(int(round(span * self._n_quiet(n_win) / n_win)), 1)
        # window k reads the span starting at start[k]: centred, shifted to lie inside
        start = np.clip(np.arange(n_win) - span // 2, 0, n_win - span)
        gains = np.ones((self.n_bands, self.n_channels, n_win), np.float32)
        for b in range(self.n_bands):
            for c in range(self.n_channels):
                local = (_quiet_means(wmax[b, c], span, q)
                         + _quiet_means(-wmin[b, c], span, q))[start]
                ok = (local > 0) & (whole[b, c] > 0)
                g = np.where(ok, whole[b, c] / np.where(ok, local, 1.0), 1.0)
                gains[b, c] = np.clip(g, 1.0 / MAX_TRACK_GAIN, MAX_TRACK_GAIN)
        return FloorTrack(float(self.rule.window_s), gains)

    def signal_sd(self) -> np.ndarray:
        """SD of the filtered signal over the calibration samples, ``(n_bands, n_ch)``."""
        n = max(self._n_used, 1)
        mean = self._s1 / n
        return np.sqrt(np.maximum(self._s2 / n - mean * mean, 0.0))

    def thresholds(self, flat=None) -> np.ndarray:
        """Thresholds in microvolts, ``(n_bands, n_ch)`` (integers at ``resolution_uv = 1``).

        Parameters
        ----------
        flat : array of bool (n_ch,), optional
            Constant channels, left to the flat-channel policy: no unit check, and a threshold
            of at least ``resolution_uv`` (a constant input has a floor of 0).

        Raises
        ------
        UnitError
            A threshold of 1 uV or less on a signal whose SD is below
            ``cal_cfg.min_signal_sd_uv``: the data are almost certainly in volts.
        """
        res = float(self.cfg.resolution_uv)
        if res == 1.0:  # the authors' ceil to whole microvolts
            delta = np.ceil(self.raw_thresholds()).astype(np.int64)
        else:  # tiny tolerance: 0.30000000004 stays 0.3
            delta = np.ceil(self.raw_thresholds() / res - 1e-9) * res
        sd = self.signal_sd()
        suspect = (delta <= 1) & (sd < self.cfg.min_signal_sd_uv)
        if flat is not None:
            flat = np.asarray(flat, dtype=bool)
            suspect &= ~flat[None, :]
            delta = np.where(flat[None, :], np.maximum(delta, res), delta).astype(delta.dtype)
        bad = np.argwhere(suspect)
        if bad.size:
            b, c = bad[0]
            raise UnitError(
                f"channel {self.ch_names[c]}, {self.band_names[b]} band: ADM threshold "
                f"{delta[b, c]} uV on a filtered signal of SD {sd[b, c]:.3g} uV "
                f"(< {self.cfg.min_signal_sd_uv:g} uV); the data look like volts, not microvolts "
                f"(multiply by 1e6), or the channel is flat", self.path)
        return delta


def calibrate_thresholds(filtered: np.ndarray, sfreq: float, scale_factor: float,
                         cal_cfg: CalibrationConfig) -> np.ndarray:
    """One-shot thresholds of one band: ``filtered`` (n_ch, n) -> int ndarray (n_ch,).

    Same rule and same result as :class:`ThresholdCalibrator` (see the module docstring).
    """
    x = np.asarray(filtered, dtype=np.float64)
    if x.ndim == 1:
        x = x[None]
    cal = ThresholdCalibrator(sfreq, x.shape[0], 1, cal_cfg, [scale_factor])
    cal.update(x[None], 0)
    return cal.thresholds()[0]
