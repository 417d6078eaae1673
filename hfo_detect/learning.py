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
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

#: default search grid [CHOICE]
DEFAULT_GRID = {
    "scale_factor": (0.3, 0.4, 0.55),
    "artifact_scale_factor": (None, 1.5, 2.0, 3.0),  # None: no artifact path
    "weight_na": (0.15, 0.25, 0.4, 0.6, 1.0),
}


@dataclass
class SearchResult:
    """Best values and the full table of scores."""

    scale_factors: dict[str, float]
    artifact_scale_factor: float | None
    weight_na: dict[str, float]
    table: pd.DataFrame


def score_kind(events: pd.DataFrame, truth: pd.DataFrame, kind: str, channels) -> dict:
    """Overlap-rule tp/fp/fn/f1 of one kind (``pooled`` for every HFO kind together)."""
    from hfo_detect.evaluation import score_events

    res = score_events(events, truth, kinds=[kind], rule="overlap", channels=list(channels))
    row = res.summary().iloc[0]
    return {k: float(row[k]) if not pd.isna(row[k]) else 0.0
            for k in ("tp", "fp", "fn", "f1")}


def grid_search(det, rec, truth: pd.DataFrame, grid: dict | None = None,
                verbose: bool = False) -> SearchResult:
    """Search the grid on one recording (see the module docstring)."""
    from hfo_detect.readout import events_frame
    from hfo_detect.snn.layers import OutputStage

    grid = {**DEFAULT_GRID, **(grid or {})}
    base = det.make_config()
    if base.output is None:
        raise ValueError("fit(X, y) learns the output layer: use a preset with one (hfo256)")
    hfo_bands = [b for b in base.filters.bands if b.role == "hfo"]
    art_band = [b for b in base.filters.bands if b.role == "artifact"]
    arts = [a for a in grid["artifact_scale_factor"] if a is not None or True]
    if not art_band:
        arts = [None]
    sfs = list(grid["scale_factor"])
    # pad the artifact values to the scale-factor runs (one hidden run carries one artifact value)
    art_vals = [a for a in arts if a is not None]
    runs = []
    for i, g in enumerate(sfs):
        bands = tuple(replace(b, scale_factor=g) if b.role == "hfo" else
                      replace(b, scale_factor=art_vals[i % len(art_vals)] if art_vals else 1.0)
                      for b in base.filters.bands)
        cfg = replace(base, filters=replace(base.filters, bands=bands), output=None)
        sub = det._clone_with(cfg)
        sub.keep_spikes = True
        sub.fit(rec)
        sub.predict(rec)
        runs.append((g, sub))
        if verbose:
            print(f"hidden run scale {g}: {len(sub.spikes_['hidden'])} hidden spikes")
    if art_vals and len(art_vals) > len(sfs):
        raise ValueError("at most as many artifact values as scale-factor values")
    first = runs[0][1]
    n_times = rec.n_times
    sfreq = first.sfreq_
    names = first.band_names_
    art_idx = [i for i, n in enumerate(names) if art_band and n == art_band[0].name]
    channels = sorted(set(truth["channel"]))
    rows = []
    for g, sub in runs:
        hidden = sub.spikes_["hidden"]
        adm_all = sub.spikes_["adm"]
        for art_run, a in [(None, None)] + [(r, r_sub.config_.filters.bands[art_idx[0]]
                                             .scale_factor) for r, (_, r_sub) in enumerate(runs)
                                            if art_idx and r < len(art_vals)]:
            adm = adm_all if art_run is None else runs[art_run][1].spikes_["adm"]
            for w in grid["weight_na"]:
                out_cfg = replace(base.output, weight_na=float(w))
                streams = None if a is None else (2 * art_idx[0], 2 * art_idx[0] + 1)
                stage = OutputStage(out_cfg, sub.network_, streams, int(det.first_channel))
                t_end = (n_times - 1) / sfreq + base.readout.extra_time_s
                out = stage.step(hidden, adm, 0.0, t_end)
                ev = events_frame(out, n_times / sfreq, base.readout,
                                  [_canon(c) for c in sub.ch_names_],
                                  neuron_band=stage.output.neuron_band, band_names=names,
                                  sfreq=sfreq)
                for b in hfo_bands:
                    s = score_kind(ev, truth, b.name, channels)
                    rows.append(dict(band=b.name, scale_factor=g, artifact=a, weight_na=w, **s))
    table = pd.DataFrame(rows)
    table["artifact_key"] = table["artifact"].fillna(-1.0)
    best_per = (table.sort_values("f1", ascending=False, kind="stable")
                .groupby(["artifact_key", "band"]).head(1))
    total = best_per.groupby("artifact_key")["f1"].sum()
    a_best = float(total.idxmax())
    chosen = best_per[best_per["artifact_key"] == a_best].set_index("band")
    return SearchResult(
        scale_factors={b: float(chosen.loc[b, "scale_factor"]) for b in chosen.index},
        artifact_scale_factor=None if a_best < 0 else a_best,
        weight_na={b: float(chosen.loc[b, "weight_na"]) for b in chosen.index},
        table=table)


def _canon(name):
    from hfo_detect.channels import canonical_bipolar

    return canonical_bipolar(name)
