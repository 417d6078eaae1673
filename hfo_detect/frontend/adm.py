"""Asynchronous delta modulator (ADM): filtered signal -> UP/DN events, two encoders.

``faithful`` (the authors' code, ``signal_to_spike_refractory``)
    The filtered signal, sampled at ``t_i = i / fs``, is linearly interpolated (``np.interp``
    arithmetic) onto ``N = round((t[-1] - t[0]) * interp_hz)`` points of
    ``np.linspace(t[0], t[-1], N)`` (Python round-half-even; as Brian2 runs the released code). Starting from
    reference 0, a grid value ``y > ref + delta`` emits UP, ``y < ref - delta`` emits DN; the
    reference becomes ``y`` and the next ``int(refractory_s * interp_hz)`` grid points are not
    examined. The grid depends on the total duration, so the encoder needs ``n_times_total``.
    The kernel computes the interpolated values on the fly and never builds the grid; it skips
    every sample interval whose two end values stay inside ``(ref - delta, ref + delta)``
    with a safety margin (no grid value there can fire), which is exact and about 10x faster.

``continuous``
    The same modulator on the piecewise-linear signal itself, without a grid: an event fires at
    the exact time the line crosses ``ref +/- delta`` (the reference then becomes exactly
    ``ref +/- delta``); after an event at ``te`` nothing is examined until ``te + refractory_s``;
    if the signal is already beyond a threshold then, an event fires at that instant (reference
    = the value there), else at the next crossing. Initial reference 0, examined from t = 0.

Why the counts differ: the faithful encoder only looks at grid points, so it fires up to one
grid step (1/35 kHz) late and, firing late, resets its reference to a value already *past*
the threshold (the overshoot is lost for the next event); its refractory is 10 grid steps =
0.2857 ms instead of 0.3 ms. The continuous encoder fires exactly at the crossing and keeps
the reference on the threshold lattice, with a true 0.3-ms refractory. On steep signals (fast
ripples, large thresholds relative to the per-step change) both give nearly the same counts;
on slow, small-threshold signals the faithful encoder's overshoot makes it fire a little less.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numba import njit

from hfo_detect.config import ADMConfig
from hfo_detect.spikes import SpikeTrains

ENCODERS = ("faithful", "continuous")


def stream_names(band_names: Sequence[str]) -> tuple[str, ...]:
    """Source names in stream order: ``("ripple_up", "ripple_dn", "fast_ripple_up", ...)``."""
    return tuple(f"{b}_{p}" for b in band_names for p in ("up", "dn"))


def faithful_grid_size(n_times_total: int, sfreq: float, interp_hz: float) -> int:
    """``N = round((t[-1] - t[0]) * interp_hz)`` with Python's round-half-to-even."""
    return int(round((n_times_total - 1) / sfreq * interp_hz))


# --------------------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------------------


@njit(cache=True)
def _grow(a, n):
    b = np.empty(max(2 * a.size, n, 64), a.dtype)
    b[: a.size] = a
    return b


@njit(cache=True)
def _grid_time(k, n_grid, step, t_end):
    """Time of grid point k as ``np.linspace(0, t_end, n_grid)`` computes it."""
    if k == n_grid - 1 and n_grid > 1:
        return t_end
    return k * step


@njit(cache=True)
def _first_grid_at_or_after(t, n_grid, step, t_end):
    """Smallest grid index k with grid time >= t (n_grid if none)."""
    if n_grid <= 1:
        return 0 if (n_grid == 1 and t <= 0.0) else n_grid
    k = int(math.ceil(t / step))
    k = min(max(k, 0), n_grid)
    while k > 0 and _grid_time(k - 1, n_grid, step, t_end) >= t:
        k -= 1
    while k < n_grid and _grid_time(k, n_grid, step, t_end) < t:
        k += 1
    return k


@njit(cache=True)
def _faithful_kernel(x, start, fs, n_total, n_grid, skip, thr, ref, knext, prev):
    """Faithful ADM over one chunk x (n_bands, n_ch, n) starting at sample ``start``.

    State arrays (n_bands, n_ch), updated in place: ``ref`` reference, ``knext`` next grid
    index to examine, ``prev`` the sample before this chunk. Returns (times, channel, source).
    """
    n_bands, n_ch, n = x.shape
    t_end = (n_total - 1) / fs
    step = t_end / (n_grid - 1) if n_grid > 1 else 0.0
    cap = 1024
    times = np.empty(cap)
    chans = np.empty(cap, np.int32)
    srcs = np.empty(cap, np.int32)
    cnt = 0
    for c in range(n_ch):  # channel-outer: events come out grouped by channel
        for b in range(n_bands):
            r = ref[b, c]
            d = thr[b, c]
            k = knext[b, c]
            a = prev[b, c]
            for i in range(n):
                g = start + i
                v1 = x[b, c, i]
                if g == 0:
                    a = v1  # grid points in [t0, t1) are examined with the next sample
                    continue
                if k >= n_grid:
                    a = v1
                    continue
                tj = (g - 1) / fs
                tj1 = g / fs
                last = g == n_total - 1
                tk = _grid_time(k, n_grid, step, t_end)
                if tk < tj1 or last:
                    lo = min(a, v1)
                    hi = max(a, v1)
                    margin = 1e-9 * (abs(a) + abs(v1)) + 1e-300
                    if (not last) and hi + margin < r + d and lo - margin > r - d:
                        # no grid value in [tj, tj1) can fire: jump to the next interval
                        k = _first_grid_at_or_after(tj1, n_grid, step, t_end)
                    else:
                        slope = (v1 - a) / (tj1 - tj)
                        # Grid values change by |slope|*step per point; when that is far above
                        # rounding, the first point that can fire is found by solving the line
                        # and stepping back 2 points (then examined one by one, exactly).
                        steep = abs(slope) * step > 1e-7 * (abs(a) + abs(v1) + abs(r) + d)
                        while k < n_grid:
                            tk = _grid_time(k, n_grid, step, t_end)
                            if tk >= tj1:
                                if not last:
                                    break
                                y = v1  # np.interp returns fp[-1] at and beyond xp[-1]
                            else:
                                y = slope * (tk - tj) + a
                            fired = -1
                            if r + d < y:
                                fired = 0
                            elif r - d > y:
                                fired = 1
                            if fired < 0 and steep and not last:
                                level = r + d if slope > 0 else r - d
                                t_hit = tj + (level - a) / slope
                                if t_hit >= tj1:
                                    k = _first_grid_at_or_after(tj1, n_grid, step, t_end)
                                    break
                                k_hit = int(t_hit / step) - 2
                                if k_hit > k + 1:
                                    k = k_hit
                                    continue
                            if fired >= 0:
                                if cnt == times.size:
                                    times = _grow(times, cnt + 1)
                                    chans = _grow(chans, cnt + 1)
                                    srcs = _grow(srcs, cnt + 1)
                                times[cnt] = tk
                                chans[cnt] = c
                                srcs[cnt] = 2 * b + fired
                                cnt += 1
                                r = y
                                k += skip
                            else:
                                k += 1
                a = v1
            ref[b, c] = r
            knext[b, c] = k
            prev[b, c] = a
    return times[:cnt], chans[:cnt], srcs[:cnt]


@njit(cache=True)
def _continuous_kernel(x, start, fs, t_ref, thr, ref, refr_end, pending, prev, track):
    """Exact-crossing ADM over one chunk x (n_bands, n_ch, n) starting at sample ``start``.

    State arrays (n_bands, n_ch), updated in place: ``ref``; ``refr_end`` the end of the
    current refractory period; ``pending`` whether a level check is due at ``refr_end``;
    ``prev`` the sample before this chunk. ``track``: at the end of a refractory period without
    an event the reference takes the input's value there (``ADMConfig.reference="tracks"``).
    """
    n_bands, n_ch, n = x.shape
    cap = 1024
    times = np.empty(cap)
    chans = np.empty(cap, np.int32)
    srcs = np.empty(cap, np.int32)
    cnt = 0
    for c in range(n_ch):  # channel-outer: events come out grouped by channel
        for b in range(n_bands):
            r = ref[b, c]
            d = thr[b, c]
            te_end = refr_end[b, c]
            pend = pending[b, c]
            a = prev[b, c]
            hi_lvl = r + d
            lo_lvl = r - d
            for i in range(n):
                v1 = x[b, c, i]
                # fast path: free running and the interval end stays inside the band
                if not pend and v1 <= hi_lvl and v1 >= lo_lvl:
                    a = v1
                    continue
                g = start + i
                t1 = g / fs
                if g == 0:
                    t0 = t1  # degenerate first interval: the level check at t = 0
                    a = v1
                else:
                    t0 = (g - 1) / fs
                ts = t0
                vs = a
                while True:
                    if pend:
                        if te_end > t1:
                            break  # refractory lasts past this interval
                        tc = te_end
                        if tc >= t1:
                            vc = v1
                        elif tc <= t0:
                            vc = a
                        else:
                            vc = a + (v1 - a) * ((tc - t0) / (t1 - t0))
                        fired = -1
                        if vc > r + d:
                            fired = 0
                        elif vc < r - d:
                            fired = 1
                        if fired >= 0:
                            if cnt == times.size:
                                times = _grow(times, cnt + 1)
                                chans = _grow(chans, cnt + 1)
                                srcs = _grow(srcs, cnt + 1)
                            times[cnt] = tc
                            chans[cnt] = c
                            srcs[cnt] = 2 * b + fired
                            cnt += 1
                            r = vc
                            te_end = tc + t_ref
                            continue
                        pend = False
                        if track:  # the reference followed the input through the refractory
                            r = vc
                        ts = tc
                        vs = vc
                    # free: vs is inside the band; look for the crossing on (ts, t1]
                    if v1 > r + d:
                        level = r + d
                        fired = 0
                    elif v1 < r - d:
                        level = r - d
                        fired = 1
                    else:
                        break
                    te = ts + (level - vs) / (v1 - vs) * (t1 - ts)
                    te = min(max(te, ts), t1)
                    if cnt == times.size:
                        times = _grow(times, cnt + 1)
                        chans = _grow(chans, cnt + 1)
                        srcs = _grow(srcs, cnt + 1)
                    times[cnt] = te
                    chans[cnt] = c
                    srcs[cnt] = 2 * b + fired
                    cnt += 1
                    r = level
                    te_end = te + t_ref
                    pend = True
                hi_lvl = r + d
                lo_lvl = r - d
                a = v1
            ref[b, c] = r
            refr_end[b, c] = te_end
            pending[b, c] = pend
            prev[b, c] = a
    return times[:cnt], chans[:cnt], srcs[:cnt]


@njit(cache=True)
def _order_within_channels(times, chans):
    """Permutation sorting events (grouped by channel, then band, each band in time order) by
    (channel, time, source): a stable sort of the times of each channel group; equal times keep
    the band order, and UP/DN of one band never share a time (refractory period)."""
    order = np.empty(times.size, np.int64)
    i = 0
    while i < times.size:
        j = i
        while j < times.size and chans[j] == chans[i]:
            j += 1
        sub = np.argsort(times[i:j], kind="mergesort")
        for q in range(j - i):
            order[i + q] = i + sub[q]
        i = j
    return order


# --------------------------------------------------------------------------------------
# streaming encoder
# --------------------------------------------------------------------------------------


class ADMEncoder:
    """Streaming ADM for every band and channel; chunked output equals one-shot output exactly.

    Parameters
    ----------
    adm_cfg : ADMConfig
        ``encoder`` (faithful | continuous), ``interp_hz``, ``refractory_s``.
    sfreq : float
        Sampling rate of the filtered signal in Hz.
    thresholds : array_like, shape (n_bands, n_ch)
        Thresholds in the signal's unit (microvolts), same for UP and DN.
    n_times_total : int
        Length of the whole recording in samples (the faithful grid depends on it).
    band_names : sequence of str
        Band names; stream ``2*band`` is ``<band>_up``, ``2*band + 1`` is ``<band>_dn``.
    track : FloorTrack, optional
        The tracked noise floor (``CalibrationConfig.track_s``): the input is multiplied by its
        gains, i.e. the thresholds follow the local floor.
    """

    def __init__(self, adm_cfg: ADMConfig, sfreq: float, thresholds, n_times_total: int,
                 band_names: Sequence[str], track=None):
        if adm_cfg.encoder not in ENCODERS:
            raise ValueError(f"unknown ADM encoder {adm_cfg.encoder!r}; choose one of {ENCODERS}")
        self.cfg = adm_cfg
        self.sfreq = float(sfreq)
        self.thr = np.array(thresholds, dtype=np.float64, ndmin=2)
        self.n_bands, self.n_channels = self.thr.shape
        if not (np.all(np.isfinite(self.thr)) and np.all(self.thr > 0)):
            raise ValueError("ADM thresholds must be finite and > 0")
        self.band_names = tuple(band_names)
        if len(self.band_names) != self.n_bands:
            raise ValueError(f"{len(self.band_names)} band names for {self.n_bands} bands")
        self.source_names = stream_names(self.band_names)
        self.n_times_total = int(n_times_total)
        self.n_grid = faithful_grid_size(self.n_times_total, self.sfreq, adm_cfg.interp_hz)
        self.skip = int(adm_cfg.refractory_s * adm_cfg.interp_hz)
        if adm_cfg.encoder == "faithful" and self.skip < 1:
            raise ValueError("refractory_s * interp_hz must be >= 1 grid step")
        shape = (self.n_bands, self.n_channels)
        self.ref = np.zeros(shape)
        self.prev = np.zeros(shape)
        self.knext = np.zeros(shape, np.int64)
        self.refr_end = np.zeros(shape)
        self.pending = np.ones(shape, np.bool_)
        self.track = track
        if track is not None and track.gains.shape[:2] != shape:
            raise ValueError(f"floor track of shape {track.gains.shape[:2]} for {shape} thresholds")
        self._next = 0

    def process(self, filtered: np.ndarray, start_sample: int,
                overwrite: bool = False) -> SpikeTrains:
        """Encode one filtered chunk ``(n_bands, n_ch, n)`` starting at ``start_sample``;
        ``overwrite``: the chunk may be scaled in place by the floor track (the caller does not
        use it afterwards).

        Returns
        -------
        SpikeTrains
            Events of this chunk, sorted by channel, time and source.
        """
        x = np.ascontiguousarray(filtered, dtype=np.float64)
        if x.ndim != 3 or x.shape[:2] != (self.n_bands, self.n_channels):
            raise ValueError(f"expected ({self.n_bands}, {self.n_channels}, n), got {x.shape}")
        if start_sample != self._next:
            raise ValueError(f"chunks must be contiguous: expected sample {self._next}, "
                             f"got {start_sample}")
        if start_sample + x.shape[2] > self.n_times_total:
            raise ValueError("chunk runs past n_times_total")
        self._next += x.shape[2]
        if self.track is not None:
            x = self.track.apply(x, start_sample, self.sfreq, overwrite=overwrite)
        if self.cfg.encoder == "faithful":
            t, ch, src = _faithful_kernel(x, start_sample, self.sfreq, self.n_times_total,
                                          self.n_grid, self.skip, self.thr, self.ref,
                                          self.knext, self.prev)
        else:
            t, ch, src = _continuous_kernel(x, start_sample, self.sfreq, self.cfg.refractory_s,
                                            self.thr, self.ref, self.refr_end, self.pending,
                                            self.prev, self.cfg.reference == "tracks")
        order = _order_within_channels(t, ch)
        return SpikeTrains(t[order], ch[order], src[order], self.n_channels, self.source_names)
