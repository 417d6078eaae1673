"""Accuracy against simulated truth and real marks, with one matching rule for every tool.

All scores come from :func:`hfo_detect.evaluation.score_events` with ``rule="overlap"``
(one-to-one optimal matching of detections to marks that overlap in time, per channel and
kind). On simulated data every simulated channel is reviewed (``channels=`` all of them);
on real data the scorer's default (channels with at least one mark) applies.

Extras computed here (our definitions, stated in the report):

* ``ripple+FR recall``: share of simulated ripple+FR co-occurrences (rows flagged
  ``fr_and_r``) matched by some detection in the pooled (``all``) score.
* ``non-HFO hit rate``: share of simulated interictal spikes / artifacts (not HFOs) that some
  detection on the same channel overlaps - how often a detector fires on the classic false
  positive sources.
* Per SNR bin: the truth is restricted to HFOs whose ``snr_db`` falls in the bin; detections
  that overlap only HFOs of other bins are left out (they are neither hits nor false alarms
  of this bin); every other unmatched detection is a false positive in every bin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("ripple", "fast_ripple", "all")
SNR_BINS = ((0.0, 5.0), (5.0, 10.0), (10.0, 15.0001))
RULE = "overlap"
PRECISION_LEVELS = (0.5, 0.7, 0.9)


def _frame(events) -> pd.DataFrame:
    from hfo_detect.events import EventTable

    if isinstance(events, EventTable):
        return events.df
    if isinstance(events, pd.DataFrame):
        return EventTable(events).df if len(events) else EventTable.empty().df
    return EventTable.empty().df


def truth_table(path) -> pd.DataFrame:
    from hfo_detect.events import EventTable

    return EventTable.read(path).df


def score(events, truth: pd.DataFrame, reviewed=None) -> dict:
    """Per kind (ripple, fast_ripple, all): tp, fp, fn, precision, recall, f1."""
    from hfo_detect.evaluation import score_events

    res = score_events(_frame(events), truth, kinds="all", rule=RULE, channels=reviewed)
    out = {}
    for kind, row in res.summary().iterrows():
        # the scorer names the pooled kind "pooled" (earlier "all"): ours is "all"
        kind = kind if kind in ("ripple", "fast_ripple") else "all"
        out[kind] = {k: (None if pd.isna(row[k]) else float(row[k]))
                     for k in ("tp", "fp", "fn", "precision", "recall", "f1")}
    out["_notes"] = list(res.notes)
    return out


def _overlaps(det: pd.DataFrame, ref: pd.DataFrame) -> np.ndarray:
    """Boolean per detection row: overlaps any ``ref`` row on the same channel."""
    hit = np.zeros(len(det), bool)
    if not len(det) or not len(ref):
        return hit
    d_on = det["onset"].to_numpy()
    d_off = d_on + det["duration"].to_numpy()
    d_ch = det["channel"].to_numpy()
    for ch, r in ref.groupby("channel"):
        idx = np.flatnonzero(d_ch == ch)
        if not idx.size:
            continue
        r_on = np.sort(r["onset"].to_numpy())
        r_off_sorted = (r["onset"] + r["duration"]).to_numpy()[np.argsort(r["onset"].to_numpy())]
        # a detection overlaps some mark iff the last mark starting before its end ends after its start
        run_max = np.maximum.accumulate(r_off_sorted)
        j = np.searchsorted(r_on, d_off[idx], side="left") - 1
        ok = j >= 0
        hit[idx[ok]] = run_max[j[ok]] > d_on[idx[ok]]
    return hit


def extras(events, truth: pd.DataFrame, reviewed=None) -> dict:
    """ripple+FR recall and the non-HFO (spike / artifact) hit rates."""
    from hfo_detect.evaluation import score_events

    det = _frame(events)
    if reviewed is not None:
        det = det[det["channel"].isin(reviewed)]
    out = {}
    both = truth[truth["kind"].isin(["ripple", "fast_ripple"]) & truth["fr_and_r"].astype(bool)]
    if len(both):
        res = score_events(det, both, kinds=["hfo"], rule=RULE, channels=reviewed).summary()
        out["ripple_fr_recall"] = _num(res.iloc[0]["recall"])
    for kind in ("spike", "artifact"):
        rows = truth[truth["kind"] == kind]
        if len(rows):
            out[f"{kind}_hit_rate"] = float(_overlaps(rows, det).mean())
    return out


def by_snr(events, truth: pd.DataFrame, reviewed=None, bins=SNR_BINS) -> list[dict]:
    """Pooled (``all``) precision / recall / F1 per SNR bin (see the module docstring)."""
    from hfo_detect.evaluation import score_events

    det = _frame(events)
    hfo = truth[truth["kind"].isin(["ripple", "fast_ripple"])]
    if "snr_db" not in hfo.columns:
        return []
    rows = []
    for lo, hi in bins:
        inside = hfo[(hfo["snr_db"] >= lo) & (hfo["snr_db"] < hi)]
        outside = hfo.drop(inside.index)
        drop = _overlaps(det, outside) & ~_overlaps(det, inside)
        res = score_events(det[~drop], inside, kinds=["hfo"], rule=RULE,
                           channels=reviewed).summary().iloc[0]
        rows.append(dict(bin=f"{lo:g}-{min(hi, 15):g} dB", n_truth=int(res["n_reference"]),
                         precision=_num(res["precision"]), recall=_num(res["recall"]),
                         f1=_num(res["f1"])))
    return rows


def _num(v):
    return None if pd.isna(v) else float(v)


def pr_curve(pairs, truth: pd.DataFrame, reviewed=None) -> dict:
    """PR curve (pooled ``all``) of [(threshold, events)] through the project's sweep code."""
    from hfo_detect.evaluation import threshold_sweep

    res = threshold_sweep([(t, _frame(ev)) for t, ev in pairs], truth, kind="hfo", rule=RULE,
                          channels=reviewed)
    curve = res.curve.astype(float).replace({np.nan: None})
    return {"auc": _num(res.auc), "curve": curve.to_dict("records")}


def at_precision(curve: list[dict], p_star: float) -> dict:
    """Best F1 (and its recall) among thresholds whose precision is >= ``p_star``."""
    ok = [c for c in curve if c.get("precision") is not None and c["precision"] >= p_star - 1e-9
          and c.get("f1") is not None and c["f1"] == c["f1"]]
    if not ok:
        return {"f1": None, "recall": None, "threshold": None}
    best = max(ok, key=lambda c: c["f1"])
    return {"f1": best["f1"], "recall": best["recall"], "threshold": best["threshold"],
            "precision": best["precision"]}
