"""Hidden-layer spikes -> HFO events (spec 2.5, the released code's ``detect_HFO``).

The rule, on the original sample grid ``t_k = k / sfreq`` (``k = 0 .. n_times-1``):

* windows ``[s, s + window_s]`` for ``s`` in ``arange(0, T, step_s)`` with
  ``T = t_k[-1] + extra_time_s`` (the simulation runs that long past the last sample);
* a window is *marked* when any hidden spike (any neuron of the channel) satisfies
  ``s <= spike <= s + window_s``; a marked window marks every sample with ``s <= t_k <= s + window_s``;
* each maximal run of marked samples of one channel is one HFO.
  ``onset`` = time of the first marked sample, ``duration`` = time of the last marked sample minus
  the onset (both on the sample grid; an isolated spike gives 0.09-0.10 s at 50/10 ms).

Boundaries are ties within :data:`TIE_TOLERANCE_S` (1 ns) and count as inside, so the result does
not depend on how ``i * step`` and ``k / sfreq`` happen to round in floating point [CHOICE].

Nothing loops per window: each spike marks a contiguous range of window indices (computed in
closed form), hence a contiguous range of samples; overlapping or adjacent sample ranges of one
channel are merged with one sort and a running maximum.

Labels
------
When the hidden neurons listen to all bands (``neuron_band`` is ``None`` or all ``-1``, the
faithful preset) every event has ``kind = "hfo"`` (the paper's single class). When neurons belong
to one band's sub-population (``hfo256``, ``burelo2021_ecog``), each sub-population reads out its
own band: the window rule (and the ``min_neurons`` vote) runs on that band's neurons alone, so a
ripple and a fast ripple get their own onsets and durations. A ripple and a fast ripple of one
channel that share a marked sample both get ``fr_and_r = True`` (the Zurich ``frandr`` flag: a
flag, not an extra event) [CHOICE]. Count HFOs with :func:`hfo_detect.events.count_hfo`, which counts such a pair
once, not rows. With ``ReadoutConfig.border_merge_ratio`` (hfo256), a ripple and a fast ripple
whose spikes all come from the two sub-bands meeting at the border between the kinds, one of
them clearly ahead, are one oscillation near that border, read as one event
(:func:`border_bands`).

Bounds
------
The window rule decides what is one event; its extent pads the spikes by up to a window on
both sides. With ``ReadoutConfig.event_bounds_s = (lead, lag)`` (hfo256, learned by
``fit(X, y)``) the edges use shorter windows: an event starts at the first grid point at or
after its first spike minus ``lead`` and ends ``lag`` after the last grid point at or before its
last spike (the windows' grid of ``step_s``; the window rule is ``lead = lag = window_s``),
within the window rule's run, so onsets and durations follow the HFO rather than the window.
With whole steps the bounds change with the spike times exactly when the window rule's do.

Streaming
---------
Hidden spikes are sparse, so :class:`StreamingReadout` just collects the chunks' spikes and runs
the rule once at the end: the events are identical to a one-shot run by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hfo_detect.config import ReadoutConfig
from hfo_detect.spikes import SpikeTrains

#: Two times closer than this count as equal in the window and sample comparisons [CHOICE].
TIE_TOLERANCE_S = 1e-9

EVENT_COLUMNS = ["onset", "duration", "channel", "kind", "fr_and_r", "detector", "n_spikes"]


def _window_candidates(times, n_times, sfreq, cfg: ReadoutConfig):
    """Window indices that may contain each spike, and which of them really do (exact test).

    Returns
    -------
    idx : ndarray of int64, shape (n_spikes, n_candidates)
    ok : ndarray of bool, same shape
    """
    window, step, tol = cfg.window_s, cfg.step_s, TIE_TOLERANCE_S
    t_end = (n_times - 1) / sfreq + cfg.extra_time_s
    n_windows = int(np.ceil(t_end / step))  # == len(np.arange(0, t_end, step))
    base = np.floor((times - window) / step).astype(np.int64) - 1
    offsets = np.arange(int(np.ceil(window / step)) + 4, dtype=np.int64)
    idx = base[:, None] + offsets[None, :]
    s = idx * step
    ok = ((idx >= 0) & (idx < n_windows) & (s <= times[:, None] + tol)
          & (times[:, None] <= s + window + tol))
    return idx, ok


def _voted_sample_ranges(times, channel, neuron, n_times, sfreq, cfg: ReadoutConfig):
    """Like :func:`_marked_sample_ranges` with the population vote (``cfg.min_neurons``).

    A window is marked when spikes of at least ``min_neurons`` distinct neurons of one channel
    fall in it. Returns one sample range per (spike, marked window) pair and the spike index of
    each pair, so labels and spike counts still come from the spikes.
    """
    window, step, tol = cfg.window_s, cfg.step_s, TIE_TOLERANCE_S
    idx, ok = _window_candidates(times, n_times, sfreq, cfg)
    spike_of, col = np.nonzero(ok)
    win = idx[spike_of, col]
    ch = channel[spike_of].astype(np.int64)
    n_windows = int(idx.max(initial=0)) + 2
    key = ch * n_windows + win
    # distinct (window, neuron) pairs, then neurons per window
    pair = np.unique(np.stack([key, neuron[spike_of].astype(np.int64)], axis=1), axis=0)
    keys, n_neurons = np.unique(pair[:, 0], return_counts=True)
    voted = keys[n_neurons >= cfg.min_neurons]
    keep = np.isin(key, voted)
    spike_of, win = spike_of[keep], win[keep]
    k_lo = np.maximum(np.ceil((win * step - tol) * sfreq).astype(np.int64), 0)
    k_hi = np.minimum(np.floor((win * step + window + tol) * sfreq).astype(np.int64), n_times - 1)
    return spike_of, k_lo, k_hi


def _marked_sample_ranges(times, n_times, sfreq, cfg: ReadoutConfig):
    """Per spike: the range of samples ``[k_lo, k_hi]`` its windows mark (or ``k_lo > k_hi``).

    Returns
    -------
    k_lo, k_hi : ndarray of int64
    """
    window, step, tol = cfg.window_s, cfg.step_s, TIE_TOLERANCE_S
    # Candidate window indices around the closed-form range, then the exact test.
    idx, ok = _window_candidates(times, n_times, sfreq, cfg)
    has = ok.any(axis=1)
    big = np.iinfo(np.int64).max
    i_min = np.where(ok, idx, big).min(axis=1)
    i_max = np.where(ok, idx, -1).max(axis=1)
    # Consecutive windows overlap (step <= window), so the union is one stretch of samples.
    k_lo = np.ceil((np.where(has, i_min, 0) * step - tol) * sfreq).astype(np.int64)
    k_hi = np.floor((np.where(has, i_max, 0) * step + window + tol) * sfreq).astype(np.int64)
    k_lo = np.maximum(k_lo, 0)
    k_hi = np.minimum(k_hi, n_times - 1)
    k_hi = np.where(has, k_hi, -1)
    return k_lo, k_hi


def _runs(channel, k_lo, k_hi, n_times):
    """Merge per-spike sample ranges into maximal runs per channel.

    Returns
    -------
    run_channel, run_k0, run_k1 : ndarray
        Channel, first and last marked sample of each run (sorted by channel, onset).
    spike_run : ndarray of int64
        Run index of each input range (same order as the inputs).
    """
    stride = np.int64(n_times) + 2  # channels never touch in the combined key
    lo = channel.astype(np.int64) * stride + k_lo
    hi = channel.astype(np.int64) * stride + k_hi
    order = np.argsort(lo, kind="stable")
    lo_s, hi_s = lo[order], hi[order]
    reach = np.maximum.accumulate(hi_s)
    new = np.ones(lo_s.size, dtype=bool)
    new[1:] = lo_s[1:] > reach[:-1] + 1  # adjacent marked samples belong to one run
    run_sorted = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    run_lo = lo_s[starts]
    run_hi = np.maximum.reduceat(hi_s, starts) if starts.size else hi_s[:0]
    run_channel = (run_lo // stride).astype(np.int64)
    spike_run = np.empty_like(run_sorted)
    spike_run[order] = run_sorted
    return run_channel, run_lo - run_channel * stride, run_hi - run_channel * stride, spike_run


def _runs_of(hidden: SpikeTrains, select, n_times, sfreq, cfg: ReadoutConfig) -> dict:
    """Runs of the selected spikes: ``ch``, first and last marked sample ``k0``, ``k1``, spike
    count ``n``, times of the first and last spike ``t_first``, ``t_last``."""
    times, channel, source = hidden.times[select], hidden.channel[select], hidden.source[select]
    if cfg.min_neurons > 1:
        spike_of, k_lo, k_hi = _voted_sample_ranges(times, channel, source, n_times, sfreq, cfg)
    else:
        k_lo, k_hi = _marked_sample_ranges(times, n_times, sfreq, cfg)
        spike_of = np.arange(times.size)
    marks = k_lo <= k_hi
    spike_of = spike_of[marks]
    if spike_of.size == 0:
        z, zt = np.empty(0, np.int64), np.empty(0)
        return dict(ch=z, k0=z, k1=z, n=z, t_first=zt, t_last=zt)
    run_ch, run_k0, run_k1, pair_run = _runs(channel[spike_of], k_lo[marks], k_hi[marks], n_times)
    # a spike may lie in several marked windows of one run: count it once
    once = np.unique(np.stack([pair_run, spike_of], axis=1), axis=0)
    n_spikes = np.bincount(once[:, 0], minlength=run_ch.size)
    t_first = np.full(run_ch.size, np.inf)
    t_last = np.full(run_ch.size, -np.inf)
    np.minimum.at(t_first, pair_run, times[spike_of])
    np.maximum.at(t_last, pair_run, times[spike_of])
    return dict(ch=run_ch, k0=run_k0, k1=run_k1, n=n_spikes, t_first=t_first, t_last=t_last)


def _overlapping(ch_a, a0, a1, ch_b, b0, b1) -> np.ndarray:
    """For each run ``a``: does any run ``b`` of the same channel share a sample with it?

    The ``b`` runs of one channel are disjoint, so sorted by start they are sorted by end too:
    the last ``b`` starting at or before ``a``'s end is the only candidate to test.
    """
    if ch_b.size == 0:
        return np.zeros(ch_a.size, dtype=bool)
    stride = np.int64(max(a1.max(initial=0), b1.max(initial=0))) + 2
    start_b = ch_b * stride + b0
    order = np.argsort(start_b, kind="stable")
    start_b, end_b = start_b[order], (ch_b * stride + b1)[order]
    j = np.searchsorted(start_b, ch_a * stride + a1, side="right") - 1
    ok = j >= 0
    jj = np.maximum(j, 0)
    return ok & (end_b[jj] >= ch_a * stride + a0)


def _co_occurring(run_ch, k0, k1, kinds) -> np.ndarray:
    """``fr_and_r``: a ripple run that overlaps a fast-ripple run of the same channel, and
    that fast ripple (overlap of at least one marked sample)."""
    co = np.zeros(run_ch.size, dtype=bool)
    r = np.flatnonzero(kinds == "ripple")
    f = np.flatnonzero(kinds == "fast_ripple")
    if r.size and f.size:
        co[r] = _overlapping(run_ch[r], k0[r], k1[r], run_ch[f], k0[f], k1[f])
        co[f] = _overlapping(run_ch[f], k0[f], k1[f], run_ch[r], k0[r], k1[r])
    return co


def border_bands(band_kinds, band_edges) -> tuple[int, int] | None:
    """The two sub-bands that meet at the border between the kinds (``border_merge_ratio``).

    ``band_kinds[i]`` is the event kind of band ``i`` and ``band_edges[i]`` its (low, high) Hz.
    Returns (index of the ripple sub-band with the highest upper edge, index of the
    fast-ripple sub-band with the lowest lower edge) when they touch or overlap and each kind
    has another sub-band as well (else "spikes of the border sub-bands only" would be every
    co-occurrence); ``None`` otherwise.
    """
    rip = [i for i, k in enumerate(band_kinds) if k == "ripple"]
    fr = [i for i, k in enumerate(band_kinds) if k == "fast_ripple"]
    if len(rip) < 2 or len(fr) < 2:
        return None
    r = max(rip, key=lambda i: band_edges[i][1])
    f = min(fr, key=lambda i: band_edges[i][0])
    return (r, f) if band_edges[r][1] >= band_edges[f][0] else None


def _merge_border(runs: dict, spike_ch, spike_k, spike_band, border, n_times, ratio) -> dict:
    """``ReadoutConfig.border_merge_ratio``: ripple and fast-ripple runs of a channel that
    overlap or touch, whose spikes all come from the two border sub-bands, and of which one
    sub-band spiked at least ``ratio`` times as often as the other, become one run (their
    union) of that sub-band's kind. Takes and returns the runs (:func:`_runs_of`, with
    ``kind``)."""
    kinds = runs["kind"]
    hfo = np.flatnonzero((kinds == "ripple") | (kinds == "fast_ripple"))
    if hfo.size < 2:
        return runs
    # runs of one kind are maximal, so a group of several runs holds both kinds
    g_ch, g_k0, g_k1, run_group = _runs(runs["ch"][hfo], runs["k0"][hfo], runs["k1"][hfo],
                                        n_times)
    n_g = g_ch.size
    size = np.bincount(run_group, minlength=n_g)
    # each spike lies inside the run it marked (a late spike past the last sample marks up
    # to that sample): count the spikes of each sub-band per group
    stride = np.int64(n_times) + 2
    key = spike_ch.astype(np.int64) * stride + np.clip(spike_k, 0, n_times - 1)
    g = np.searchsorted(g_ch * stride + g_k0, key, side="right") - 1
    inside = (g >= 0) & (key <= (g_ch * stride + g_k1)[np.maximum(g, 0)])

    def count(mask):
        return np.bincount(g[inside & mask], minlength=n_g)

    n_r, n_f = count(spike_band == border[0]), count(spike_band == border[1])
    clear = np.maximum(n_r, n_f) >= ratio * np.minimum(n_r, n_f)
    merge = (size > 1) & clear & (count((spike_band != border[0]) & (spike_band != border[1])) == 0)
    if not merge.any():
        return runs
    keep = np.ones(kinds.size, dtype=bool)
    keep[hfo[merge[run_group]]] = False
    m = np.flatnonzero(merge)
    t_first = np.full(n_g, np.inf)
    t_last = np.full(n_g, -np.inf)
    np.minimum.at(t_first, run_group, runs["t_first"][hfo])
    np.maximum.at(t_last, run_group, runs["t_last"][hfo])
    merged = dict(ch=g_ch[m], k0=g_k0[m], k1=g_k1[m],
                  n=np.bincount(run_group, weights=runs["n"][hfo], minlength=n_g)[m].astype(np.int64),
                  t_first=t_first[m], t_last=t_last[m],
                  kind=np.where(n_f[m] > n_r[m], "fast_ripple", "ripple").astype(object))
    return {k: np.concatenate([v[keep], merged[k]]) for k, v in runs.items()}


def spikes_to_events(hidden: SpikeTrains, t_stop: float, readout_cfg: ReadoutConfig | None,
                     ch_names, neuron_band=None, band_names=None, sfreq: float = 2000.0,
                     detector: str = "snn", border=None):
    """Turn hidden-layer spikes into an HFO event table (spec 2.5 rule, see module docstring).

    Parameters
    ----------
    hidden : SpikeTrains
        Hidden spikes; ``channel`` indexes ``ch_names``, ``source`` is the neuron index.
    t_stop : float
        Duration of the recording, ``n_times / sfreq`` (the last sample is at
        ``t_stop - 1/sfreq``; windows run to that time plus ``extra_time_s``).
    readout_cfg : ReadoutConfig or None
        Window, step, extra time, start-up discard (``None``: defaults).
    ch_names : sequence of str
        Channel names, indexed by ``hidden.channel``.
    neuron_band : array of int, shape (n_hidden,), optional
        Band index of each hidden neuron's inputs, ``-1`` for neurons fed by all bands.
    band_names : sequence of str, optional
        Event kind of each band, indexed by ``neuron_band`` (band names, or the kinds of
        sub-bands: bands of one kind are read out together).
    sfreq : float
        Sampling rate of the recording (the grid of the marks).
    detector : str
        Value of the ``detector`` column.
    border : tuple of int, optional
        The border sub-bands (:func:`border_bands`); used when ``readout_cfg.border_merge_ratio``
        is > 0.

    Returns
    -------
    EventTable
        Columns ``onset, duration, channel, kind, fr_and_r, detector, n_spikes`` (``n_spikes`` =
        hidden spikes that marked the event), sorted by channel order then onset.
    """
    from hfo_detect.events import EventTable

    df = events_frame(hidden, t_stop, readout_cfg, ch_names, neuron_band, band_names, sfreq,
                      detector, border)
    return EventTable(df)


def events_frame(hidden: SpikeTrains, t_stop: float, readout_cfg: ReadoutConfig | None,
                 ch_names, neuron_band=None, band_names=None, sfreq: float = 2000.0,
                 detector: str = "snn", border=None) -> pd.DataFrame:
    """Same as :func:`spikes_to_events`, as a plain DataFrame (no EventTable)."""
    cfg = readout_cfg if readout_cfg is not None else ReadoutConfig()
    if not 0 < cfg.step_s <= cfg.window_s:
        raise ValueError(f"readout needs 0 < step_s <= window_s, got {cfg.step_s}, {cfg.window_s}")
    ch_names = list(ch_names)
    n_times = int(round(t_stop * sfreq))
    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
        EVENT_COLUMNS, [float, float, object, object, bool, object, np.int64])})
    if len(hidden) == 0 or n_times <= 0:
        return empty
    labelled = neuron_band is not None and np.any(np.asarray(neuron_band) >= 0)
    if not labelled:
        runs = _runs_of(hidden, np.ones(len(hidden), bool), n_times, sfreq, cfg)
        runs["kind"] = np.full(runs["ch"].size, "hfo", dtype=object)
    else:
        # Each sub-population reads out its own band (its own vote and its own runs);
        # neurons fed by all bands (-1) give band-less "hfo" events.
        # Bands that share a name (sub-bands of one kind) are read out together.
        neuron_band = np.asarray(neuron_band, dtype=np.int64)
        spike_band = neuron_band[hidden.source]
        names = list(band_names)
        kinds = list(dict.fromkeys(names))
        members = [[b for b, n in enumerate(names) if n == k] for k in kinds] + [[-1]]
        parts = []
        for m, name in zip(members, kinds + ["hfo"]):
            part = _runs_of(hidden, np.isin(spike_band, m), n_times, sfreq, cfg)
            part["kind"] = np.full(part["ch"].size, name, dtype=object)
            parts.append(part)
        runs = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        if cfg.border_merge_ratio > 0 and border is not None:
            spike_k = np.rint(hidden.times * sfreq).astype(np.int64)
            runs = _merge_border(runs, hidden.channel, spike_k, spike_band, border, n_times,
                                 cfg.border_merge_ratio)
    run_ch, run_k0, run_k1, kinds = runs["ch"], runs["k0"], runs["k1"], runs["kind"]
    if run_ch.size == 0:
        return empty
    if cfg.event_bounds_s is not None:
        # the window rule with shorter windows at the edges: from the first grid point at or
        # after (first spike - lead) to the last grid point at or before the last spike, plus
        # lag; with whole steps these bounds move with the spike times exactly when the window
        # rule's do (the same grid cells), and stay within its run
        lead, lag = cfg.event_bounds_s
        step, tol = cfg.step_s, TIE_TOLERANCE_S
        i_on = np.ceil(np.round((runs["t_first"] - lead - tol) / step, 9))
        i_off = np.floor(np.round((runs["t_last"] + tol) / step, 9))
        k_on = np.ceil((i_on * step - tol) * sfreq).astype(np.int64)
        k_off = np.floor((i_off * step + lag + tol) * sfreq).astype(np.int64)
        run_k0 = np.maximum(run_k0, k_on)
        run_k1 = np.maximum(np.minimum(run_k1, k_off), run_k0)
    co = _co_occurring(run_ch, run_k0, run_k1, kinds)
    onset = run_k0 / sfreq
    offset = run_k1 / sfreq
    df = pd.DataFrame({
        "onset": onset,
        "duration": offset - onset,
        "channel": np.asarray(ch_names, dtype=object)[run_ch],
        "kind": kinds,
        "fr_and_r": co,
        "detector": detector,
        "n_spikes": runs["n"].astype(np.int64),
        "_ch": run_ch,
    })
    df = df[offset >= cfg.discard_startup_s - TIE_TOLERANCE_S]
    df = df.sort_values(["_ch", "onset", "kind"], kind="stable").drop(columns="_ch")
    return df.reset_index(drop=True)


class StreamingReadout:
    """Collect hidden spikes chunk by chunk; run the rule once at the end.

    Hidden spikes are few (tens per channel-minute), so keeping them is cheap, and the events are
    exactly those of a one-shot :func:`spikes_to_events` call.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    """

    def __init__(self, n_channels: int):
        self.n_channels = n_channels
        self._parts: list[SpikeTrains] = []

    def add(self, hidden: SpikeTrains) -> None:
        """Append one chunk's hidden spikes."""
        self._parts.append(hidden)

    @property
    def spikes(self) -> SpikeTrains:
        """All hidden spikes collected so far, sorted by channel then time."""
        if not self._parts:
            return SpikeTrains.empty(self.n_channels)
        return SpikeTrains.concatenate(self._parts)

    def finish(self, t_stop: float, readout_cfg, ch_names, **kwargs):
        """Events from all collected spikes (keyword arguments as :func:`spikes_to_events`)."""
        return spikes_to_events(self.spikes, t_stop, readout_cfg, ch_names, **kwargs)
