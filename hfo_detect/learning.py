"""Learning what the chip lets a user set, from reference events (``NeuromorphicDetector.fit(X, y)``).

The settable values are the ADM threshold scale factors per band (a bias of the ADM), the
artifact band's scale factor, and the weight of the hidden -> output synapses of each band's
output neuron (a bias of that synapse group). Everything else (the hidden layer's random weights,
time constants and mismatch) is the chip as made.

Search [CHOICE]: a grid, made cheap by the structure of the network. The band sub-populations
are independent, so one hidden-layer run per grid value ``g`` (every band at ``g``) gives the
hidden spikes of every band at every value; the artifact band feeds no hidden neuron, so its
scale factor rides along. The output layer (a few neurons) is then simulated for every
combination from those cached spikes, and each band keeps the (scale factor, output weight) with
the best F1 of its kind; the artifact scale factor shared by the bands maximises the sum of
their F1 scores. Scores are the project's overlap rule (:func:`~hfo_detect.evaluation.score_events`).

Sub-bands: the bands of one event kind (``hfo256``: two ripple and two fast-ripple sub-bands)
share one scale factor and are scored together, as their events are read out together. Their
output neurons then get their own weights: each output neuron has its own mismatch, so a
coordinate search over the weight grid, from the kind's shared value, moves one sub-band's
weight only when that raises the kind's F1 by more than the tie tolerance
(:func:`_refine_band_weights`).

Event bounds: with the setting chosen, the median latencies of the detections against the
reference events (first output spike after the reference onset, last output spike before its
end) become the readout's ``event_bounds_s`` (:func:`event_latencies`), so learned events start
and end where the reference's do, not a window's width around the spikes.

Cost [CHOICE]: every ADM event is an input event of the chip and a synaptic event at each
neuron it reaches (energy, and simulation time): a lower ADM threshold multiplies them (0.3
instead of 0.55 gives several times as many). The cost of a setting is its synaptic input
events: a band's ADM events times the neurons each reaches (its sub-population), an artifact
band's times the interneurons. Among the settings whose F1 is within one standard error of the
best (at least :data:`F1_TOLERANCE`), the cheapest is kept if it saves at least
:data:`MIN_SAVING` of the best one's cost (else the best F1): per band, then for the artifact
scale factor (mean F1 of the bands, cost of the whole channel). The standard error is the
binomial approximation ``sqrt(F1 (1 - F1) / n)``, ``n`` the reference events scored (``tp +
fn``): the "one-standard-error rule" of model selection (Hastie, Tibshirani & Friedman, *The
Elements of Statistical Learning*, 2nd ed., 2009, section 7.10): a difference the training set
cannot resolve does not buy a costlier chip setting. (With a fixed 0.01 alone, relearning under
the tracked floor picked a fast-ripple ADM scale of 0.55 over 0.7 for 0.014 more training F1 on
234 fast ripples, SE ~0.03: three times the fast-ripple ADM events, whole ``detect`` 30 %
slower, and no gain on any held-out set.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

#: default search grid [CHOICE]
DEFAULT_GRID = {
    "scale_factor": (0.3, 0.4, 0.55, 0.7, 0.85),
    "artifact_scale_factor": (None, 1.0, 1.5, 2.0),  # None: no artifact path
    "weight_na": (0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0),
}

#: F1 within this of the best (or within its standard error, when larger) counts as a tie,
#: broken by fewer input events; a coordinate-search move needs more than this [CHOICE]
F1_TOLERANCE = 0.01
#: ... when that saves at least this share of the best setting's input events [CHOICE]
MIN_SAVING = 0.1


@dataclass
class SearchResult:
    """Best values and the full table of scores."""

    scale_factors: dict[str, float]
    artifact_scale_factor: float | None
    weight_na: dict[str, float]
    table: pd.DataFrame
    band_weight_na: dict[str, float] | None = None
    event_bounds_s: tuple[float, float] | None = None


def score_kind(events: pd.DataFrame, truth: pd.DataFrame, kind: str, channels) -> dict:
    """Overlap-rule tp/fp/fn/f1 of one kind (``pooled`` for every HFO kind together)."""
    from hfo_detect.evaluation import score_events

    res = score_events(events, truth, kinds=[kind], rule="overlap", channels=list(channels))
    row = res.summary().iloc[0]
    return {k: float(row[k]) if not pd.isna(row[k]) else 0.0
            for k in ("tp", "fp", "fn", "f1")}


def as_truth(y) -> pd.DataFrame:
    """Reference events (EventTable, DataFrame or TSV path) with canonical channel names, HFO
    kinds only (``spike``/``artifact`` rows are not events to find)."""
    from hfo_detect.events import EventTable

    if isinstance(y, EventTable):
        df = y.df
    elif isinstance(y, pd.DataFrame):
        df = EventTable(y).df if len(y) else EventTable.empty().df
    else:
        df = EventTable.read(y).df
    df = df.copy()
    df["channel"] = df["channel"].map(_canon)
    return df[df["kind"].isin(["ripple", "fast_ripple"])].reset_index(drop=True)


def _hidden_runs(det, rec, base, sfs, art_vals):
    """One hidden-layer run per grid value (every HFO band at ``g``; artifact bands at the
    run's artifact value)."""
    runs = []
    for i, g in enumerate(sfs):
        a = art_vals[i] if i < len(art_vals) else (art_vals[0] if art_vals else 1.0)
        bands = tuple(replace(b, scale_factor=g if b.role == "hfo" else a)
                      for b in base.filters.bands)
        cfg = replace(base, filters=replace(base.filters, bands=bands), output=None)
        sub = det._clone_with(cfg)
        sub.keep_spikes = True
        sub.fit(rec)
        sub.predict(rec)
        runs.append(sub)
    return runs


def grid_search(det, recordings, truths, grid: dict | None = None,
                verbose: bool = False, tol: float = F1_TOLERANCE) -> SearchResult:
    """Search the grid on one or several recordings (see the module docstring).

    Parameters
    ----------
    det : NeuromorphicDetector
        Gives the preset (which must have an output layer) and the chip (seed, mismatch).
    recordings : Recording or list of Recording
    truths : DataFrame or list of DataFrame
        Reference events of each recording (:func:`as_truth`).
    grid : dict, optional
        Overrides of :data:`DEFAULT_GRID`.
    tol : float
        F1 tie tolerance of the cost rule (module docstring).
    """
    if not isinstance(recordings, (list, tuple)):
        recordings, truths = [recordings], [truths]
    grid = {**DEFAULT_GRID, **(grid or {})}
    base = det.make_config()
    if base.output is None:
        raise ValueError("fit(X, y) learns the output layer: use a preset with one (hfo256)")
    # one setting per event kind: the sub-bands of a kind share their ADM scale factor and
    # output weight (and are scored together, as their events are read out together)
    hfo_kinds = list(dict.fromkeys(b.event_kind for b in base.filters.bands if b.role == "hfo"))
    has_art = any(b.role == "artifact" for b in base.filters.bands)
    sfs = list(grid["scale_factor"])
    art_vals = [a for a in grid["artifact_scale_factor"] if a is not None] if has_art else []
    if len(art_vals) > len(sfs):
        raise ValueError("the grid needs at least as many scale factors as artifact values")
    art_opts = [None] if (None in grid["artifact_scale_factor"] or not art_vals) else []
    art_opts += list(range(len(art_vals)))
    ctxs = [_context(det, rec, truth, base, sfs, art_vals)
            for rec, truth in zip(recordings, truths)]
    rows = []
    for ctx in ctxs:
        runs, names, roles = ctx["runs"], ctx["names"], ctx["roles"]
        for g, sub in zip(sfs, runs):
            for a_idx in art_opts:
                a = None if a_idx is None else art_vals[a_idx]
                for w in grid["weight_na"]:
                    ev = _output_events(det, base, ctx, sub, a_idx, float(w))
                    for b in hfo_kinds:
                        sc = score_kind(ev, ctx["truth"], b, ctx["channels"])
                        n_int = base.output.n_interneurons if a else 0
                        art = 0 if a is None else sum(_band_events(runs[a_idx], n)
                                                      for n in names if roles[n] == "artifact")
                        rows.append(dict(band=b, scale_factor=g, artifact=a, weight_na=w,
                                         adm_events=_band_events(sub, b),
                                         cost=_band_events(sub, b, fanout=True),
                                         art_cost=art * n_int, **sc))
        if verbose:
            print(f"searched one recording ({len(rows)} rows)")
    table = pd.DataFrame(rows)
    table["artifact_key"] = table["artifact"].fillna(-1.0)
    keys = ["band", "scale_factor", "artifact_key", "weight_na"]
    agg = table.groupby(keys, as_index=False)[["tp", "fp", "fn", "adm_events", "cost",
                                               "art_cost"]].sum()
    agg["f1"] = 2 * agg.tp / np.maximum(2 * agg.tp + agg.fp + agg.fn, 1)
    best_per = _cheapest(agg, ["artifact_key", "band"], "cost", tol)
    total = best_per.groupby("artifact_key", as_index=False).agg(
        f1=("f1", "mean"), cost=("cost", "sum"), art_cost=("art_cost", "first"),
        tp=("tp", "sum"), fn=("fn", "sum"))
    total["cost"] += total["art_cost"]
    a_best = float(_cheapest(total.assign(_all=0), ["_all"], "cost", tol)["artifact_key"].iloc[0])
    chosen = best_per[best_per["artifact_key"] == a_best].set_index("band")
    scale = {b: float(chosen.loc[b, "scale_factor"]) for b in chosen.index}
    weight = {b: float(chosen.loc[b, "weight_na"]) for b in chosen.index}
    a_idx = None if a_best < 0 else art_vals.index(a_best)
    band_w = _refine_band_weights(det, base, ctxs, sfs, scale, weight, a_idx,
                                  list(grid["weight_na"]), tol)
    bounds = _learn_bounds(det, base, ctxs, sfs, scale, band_w, a_idx)
    return SearchResult(scale_factors=scale, artifact_scale_factor=None if a_best < 0 else a_best,
                        weight_na=weight, table=agg, band_weight_na=band_w,
                        event_bounds_s=bounds)


def _context(det, rec, truth, base, sfs, art_vals) -> dict:
    """Hidden-layer runs of one recording at every grid value, with what scoring needs."""
    runs = _hidden_runs(det, rec, base, sfs, art_vals)
    first = runs[0]
    names, sfreq = first.band_names_, first.sfreq_
    roles = {bc.name: bc.role for bc in base.filters.bands}
    return dict(runs=runs, truth=truth, names=names, kinds=first.band_kinds_, roles=roles,
                art_streams=tuple(s for i, n in enumerate(names) if roles[n] == "artifact"
                                  for s in (2 * i, 2 * i + 1)),
                channels=[_canon(c) for c in first.ch_names_], sfreq=sfreq,
                n_times=rec.n_times,
                t_end=(rec.n_times - 1) / sfreq + base.readout.extra_time_s)


def _output_events(det, base, ctx, sub, a_idx, weight_na, spikes: bool = False):
    """Events of the output layer (weight(s) ``weight_na``) on a cached hidden-layer run, with
    the artifact path of grid value ``a_idx`` (``None``: without); with ``spikes``, also the
    output spikes."""
    from hfo_detect.readout import events_frame
    from hfo_detect.snn.layers import OutputStage

    runs = ctx["runs"]
    adm = sub.spikes_["adm"] if a_idx is None else runs[a_idx].spikes_["adm"]
    out_cfg = replace(base.output, weight_na=weight_na,
                      n_interneurons=base.output.n_interneurons if a_idx is not None else 0)
    stage = OutputStage(out_cfg, sub.network_,
                        ctx["art_streams"] if a_idx is not None else None, int(det.first_channel))
    out = stage.step(sub.spikes_["hidden"], adm, 0.0, ctx["t_end"])
    ev = events_frame(out, ctx["n_times"] / ctx["sfreq"], base.readout, ctx["channels"],
                      neuron_band=stage.output.neuron_band, band_names=ctx["kinds"],
                      sfreq=ctx["sfreq"], border=sub.border_bands_)
    return (ev, out) if spikes else ev


def event_latencies(events: pd.DataFrame, spikes, ch_names, truth: pd.DataFrame):
    """How far a detection's spikes sit inside the reference event it found.

    Detections and reference events of each channel are paired as the scorer pairs them
    (:func:`~hfo_detect.evaluation.matching.match_intervals`, one-to-one on any overlap). For
    each pair: the time of the detection's first spike minus the reference onset, and the
    reference's end minus the time of its last spike (``spikes``: a
    :class:`~hfo_detect.spikes.SpikeTrains` whose ``channel`` indexes ``ch_names``; a
    detection's spikes are those of its channel inside it). Returns two arrays.
    """
    from hfo_detect.evaluation.matching import match_intervals

    lead, lag = [], []
    index = {c: i for i, c in enumerate(ch_names)}
    ref_by_ch = dict(tuple(truth.groupby("channel")))
    for ch, det in events.groupby("channel"):
        ref = ref_by_ch.get(ch)
        if ref is None:
            continue
        d_on, d_off = det["onset"].to_numpy(), (det["onset"] + det["duration"]).to_numpy()
        r_on, r_off = ref["onset"].to_numpy(), (ref["onset"] + ref["duration"]).to_numpy()
        t = np.sort(spikes.times[spikes.channel == index[ch]])
        for i, j in zip(*match_intervals(d_on, d_off, r_on, r_off)):
            inside = t[(t >= d_on[i]) & (t <= d_off[i])]
            if inside.size:
                lead.append(inside[0] - r_on[j])
                lag.append(r_off[j] - inside[-1])
    return np.asarray(lead), np.asarray(lag)


def _learn_bounds(det, base, ctxs, sfs, scale, band_w, a_idx) -> tuple[float, float] | None:
    """``event_bounds_s`` of the chosen setting: the median latencies (:func:`event_latencies`)
    over every kind's detections on the training recordings, in whole steps of the window
    grid (``ReadoutConfig.step_s``), within [0, window_s]."""
    if not ctxs:
        return None
    plain = replace(base, readout=replace(base.readout, event_bounds_s=None))
    bands = [b for b in base.filters.bands if b.role == "hfo"]
    vec = tuple(band_w[b.name] for b in bands)
    leads, lags = [], []
    for kind in dict.fromkeys(b.event_kind for b in bands):
        for ctx in ctxs:
            ev, out = _output_events(det, plain, ctx, ctx["runs"][sfs.index(scale[kind])], a_idx,
                                     vec, spikes=True)
            ev = ev[ev["kind"] == kind].reset_index(drop=True)
            truth = ctx["truth"]
            lead, lag = event_latencies(ev, out, ctx["channels"],
                                        truth[truth["kind"] == kind].reset_index(drop=True))
            leads.append(lead)
            lags.append(lag)
    lead, lag = np.concatenate(leads), np.concatenate(lags)
    if not lead.size:
        return None
    step, window = base.readout.step_s, base.readout.window_s
    # (+ 0.0: a median just below zero rounds to -0.0)
    return tuple(round(float(np.clip(np.round(np.median(v) / step) * step, 0.0, window)), 9) + 0.0
                 for v in (lead, lag))


def _refine_band_weights(det, base, ctxs, sfs, scale, weight, a_idx, values, tol,
                         rounds: int = 2) -> dict[str, float]:
    """Per-sub-band output weights: coordinate search from the kind's shared weight.

    Each output neuron has its own mismatch, so the best weight differs between the output
    neurons of one kind's sub-bands. A sub-band's weight moves to another grid value only when
    that raises its kind's F1 (summed over the recordings) by more than ``tol``.
    """
    bands = [b for b in base.filters.bands if b.role == "hfo"]
    w = {b.name: weight[b.event_kind] for b in bands}
    for kind in dict.fromkeys(b.event_kind for b in bands):
        members = [b.name for b in bands if b.event_kind == kind]
        if len(members) < 2:
            continue
        g = sfs.index(scale[kind])

        def f1(trial):
            tp = fp = fn = 0.0
            vec = tuple(trial[b.name] for b in bands)
            for ctx in ctxs:
                ev = _output_events(det, base, ctx, ctx["runs"][g], a_idx, vec)
                sc = score_kind(ev, ctx["truth"], kind, ctx["channels"])
                tp, fp, fn = tp + sc["tp"], fp + sc["fp"], fn + sc["fn"]
            return 2 * tp / max(2 * tp + fp + fn, 1.0)

        w = coordinate_search(w, members, values, f1, tol, rounds)
    return w


def coordinate_search(start: dict, names, values, score, tol: float, rounds: int = 2) -> dict:
    """Move one entry of ``start`` at a time (``names`` in order) to a value of ``values``
    whenever that raises ``score(setting)`` by more than ``tol``; repeat for ``rounds`` sweeps or
    until a sweep moves nothing. A move needs a gain > ``tol`` over the current score, so noise
    within the tie tolerance never moves a value."""
    w, cur = dict(start), score(start)
    for _ in range(rounds):
        moved = False
        for name in names:
            for v in values:
                if v == w[name]:
                    continue
                trial = dict(w, **{name: float(v)})
                trial_score = score(trial)
                if trial_score > cur + tol:
                    w, cur, moved = trial, trial_score, True
        if not moved:
            break
    return w


def f1_standard_error(f1: float, n_reference: float) -> float:
    """Binomial approximation of the standard error of an F1 score on ``n_reference`` events."""
    return float(np.sqrt(max(f1 * (1.0 - f1), 0.0) / max(n_reference, 1.0)))


def _cheapest(df: pd.DataFrame, by, cost: str, tol: float,
              min_saving: float = MIN_SAVING) -> pd.DataFrame:
    """Per group: the best-F1 row, or the cheapest row whose ``f1`` is within the tie margin of
    it when that costs at most ``1 - min_saving`` times as much (ties: the higher F1). The margin
    is ``tol``, or the best row's F1 standard error when larger (rows with ``tp`` and ``fn``)."""
    rows = []
    for _, g in df.groupby(by, sort=False):
        g = g.sort_values(["f1", cost], ascending=[False, True], kind="stable")
        best = g.iloc[0]
        margin = tol
        if "tp" in g and "fn" in g:
            margin = max(tol, f1_standard_error(best["f1"], best["tp"] + best["fn"]))
        near = g[(g["f1"] >= best["f1"] - margin - 1e-12)
                 & (g[cost] <= (1.0 - min_saving) * best[cost])]
        rows.append(near.sort_values([cost, "f1"], ascending=[True, False], kind="stable")
                    .iloc[0] if len(near) else best)
    return pd.DataFrame(rows)


def _band_events(sub, band: str, fanout: bool = False) -> int:
    """ADM events (UP + DN, all channels) of ``band`` (a band name, or an event kind: all its
    sub-bands) in a run's last ``predict``; with ``fanout``, the synaptic events they make in the
    hidden layer (events x neurons reached)."""
    c = sub.counts_
    total = 0
    for i, (name, kind) in enumerate(zip(sub.band_names_, sub.band_kinds_)):
        if band not in (name, kind):
            continue
        f = np.asarray(sub.network_.fanout)[[2 * i, 2 * i + 1]] if fanout else (1, 1)
        total += int(c[f"adm_{name}_up"].sum() * f[0] + c[f"adm_{name}_dn"].sum() * f[1])
    return total


def learned_config(base, res: SearchResult):
    """``base`` with the values a search found."""
    bands = []
    for b in base.filters.bands:
        if b.role == "hfo" and b.event_kind in res.scale_factors:
            b = replace(b, scale_factor=res.scale_factors[b.event_kind])
        elif b.role == "artifact" and res.artifact_scale_factor is not None:
            b = replace(b, scale_factor=res.artifact_scale_factor)
        bands.append(b)
    band_w = res.band_weight_na or {}
    out = replace(base.output, weight_na=tuple(band_w.get(b.name, res.weight_na.get(b.event_kind, 5.0))
                                               for b in bands if b.role == "hfo"),
                  n_interneurons=(base.output.n_interneurons
                                  if res.artifact_scale_factor is not None else 0))
    readout = (base.readout if res.event_bounds_s is None
               else replace(base.readout, event_bounds_s=res.event_bounds_s))
    return replace(base, filters=replace(base.filters, bands=tuple(bands)), output=out,
                   readout=readout)


def _canon(name):
    from hfo_detect.channels import canonical_bipolar

    return canonical_bipolar(name)
