"""Event-level scoring of detections against reference marks (per channel, per kind, pooled).

How a score is formed
---------------------
* Only HFO kinds count (``ripple``, ``fast_ripple``, ``hfo``); other rows (simulated spikes or
  artifacts) are ignored on both sides.
* **Reviewed channels**: false positives are counted only on reviewed channels. By default a
  channel is reviewed when the reference has at least one HFO mark on it (the Zurich study marked a
  subset of channels); ``channels=[...]`` lists them explicitly and ``channels="all"`` reviews every
  channel found in either table. Detections on other channels are left out of every count.
* **Kinds**: ``ripple`` scores ripple detections against ripple marks, ``fast_ripple`` likewise.
  ``pooled`` (alias ``hfo``) pools the bands: on each channel overlapping events are first merged
  into one (a Zurich FR&R mark is a ripple row plus a fast-ripple row of the same oscillation)
  on both sides, then all detections are matched to all marks. A band-less detector (every
  detection of kind ``hfo``) is therefore scored against all reference HFOs; its per-band rows are
  skipped, since it makes no band claim.
* **Matching**: see :mod:`hfo_detect.evaluation.matching` (one-to-one, optimal). TP = matched
  pairs, FP = unmatched detections, FN = unmatched marks; precision, recall and F1 come from
  :func:`sklearn.metrics.precision_recall_fscore_support` on the implied labels (undefined -> NaN).
* **Kappa**: Cohen's kappa (:func:`sklearn.metrics.cohen_kappa_score`) on a time-bin labelling:
  each reviewed channel's span ``[start_s, end]`` is cut into bins of ``bin_s`` seconds, a bin is
  positive when any event overlaps it; the bin confusion matrix is reported as well.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from hfo_detect.evaluation._frames import as_frame, canonical_channel, hfo_only, merge_overlapping
from hfo_detect.evaluation.matching import check_rule, describe_rule, match_intervals

POOLED_KIND = "pooled"
ALL_KINDS = ("ripple", "fast_ripple", POOLED_KIND)
#: channel label of the rows pooled over channels
ALL_CHANNELS = "(all)"


def _normalise_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None or kinds == "all":
        return ALL_KINDS
    if isinstance(kinds, str):
        kinds = [kinds]
    out = []
    for k in kinds:
        k = POOLED_KIND if k in ("hfo", "all") else k
        if k not in ALL_KINDS:
            raise ValueError(f"unknown kind {k!r}; choose from ripple, fast_ripple, pooled (alias hfo)")
        out.append(k)
    return tuple(dict.fromkeys(out))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 from event counts via scikit-learn (NaN where undefined)."""
    if tp + fp + fn == 0:
        return np.nan, np.nan, np.nan
    y_true = np.r_[np.ones(tp), np.zeros(fp), np.ones(fn)].astype(int)
    y_pred = np.r_[np.ones(tp), np.ones(fp), np.zeros(fn)].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average="binary", pos_label=1, zero_division=np.nan
        )
    if tp == 0 and (fp > 0 or fn > 0):  # F1 is 0 when nothing matched but something was expected/claimed
        f = 0.0
    return float(p), float(r), float(f)


def bin_labels(onset, offset, start_s: float, stop_s: float, bin_s: float) -> np.ndarray:
    """Boolean time-bin labelling: bin ``i`` covers ``[start + i*bin, start + (i+1)*bin)``.

    A bin is True when any interval overlaps it by more than zero seconds.
    """
    n_bins = max(int(np.ceil((stop_s - start_s) / bin_s - 1e-9)), 0)
    count = np.zeros(n_bins + 1, dtype=np.int64)
    on = (np.asarray(onset, float) - start_s) / bin_s
    off = (np.asarray(offset, float) - start_s) / bin_s
    first = np.clip(np.floor(on + 1e-9).astype(int), 0, n_bins)
    last = np.clip(np.ceil(off - 1e-9).astype(int), 0, n_bins)  # exclusive
    keep = last > first
    np.add.at(count, first[keep], 1)
    np.add.at(count, last[keep], -1)
    return np.cumsum(count)[:n_bins] > 0


def bin_confusion(ref_onset, ref_offset, det_onset, det_offset, start_s: float, stop_s: float,
                  bin_s: float) -> np.ndarray:
    """Confusion matrix ``[[TN, FP], [FN, TP]]`` of the time-bin labellings of two interval sets.

    The same bins as :func:`bin_labels` (reference = truth, detections = prediction), counted
    from the intervals' edges only: the cost grows with the number of events, not with the time
    span they cover (a mark at 1e9 s must not allocate 1e11 bins).
    """
    if not bin_s > 0:
        raise ValueError(f"bin width must be > 0 s, not {bin_s!r}")
    n_bins = max(int(np.ceil((stop_s - start_s) / bin_s - 1e-9)), 0)

    def edges(onset, offset):
        on = (np.asarray(onset, float) - start_s) / bin_s
        off = (np.asarray(offset, float) - start_s) / bin_s
        first = np.clip(np.floor(on + 1e-9), 0, n_bins).astype(np.int64)
        last = np.clip(np.ceil(off - 1e-9), 0, n_bins).astype(np.int64)  # exclusive
        keep = last > first
        return first[keep], last[keep]

    rf, rl = edges(ref_onset, ref_offset)
    df_, dl = edges(det_onset, det_offset)
    points = np.unique(np.r_[rf, rl, df_, dl, 0, n_bins])
    cover_r = np.zeros(points.size, np.int64)
    cover_d = np.zeros(points.size, np.int64)
    np.add.at(cover_r, np.searchsorted(points, rf), 1)
    np.add.at(cover_r, np.searchsorted(points, rl), -1)
    np.add.at(cover_d, np.searchsorted(points, df_), 1)
    np.add.at(cover_d, np.searchsorted(points, dl), -1)
    seg = np.diff(points)  # segment i: bins [points[i], points[i+1]) share one coverage
    in_r = np.cumsum(cover_r)[:-1] > 0
    in_d = np.cumsum(cover_d)[:-1] > 0
    tp = int(seg[in_r & in_d].sum())
    fn = int(seg[in_r & ~in_d].sum())
    fp = int(seg[~in_r & in_d].sum())
    tn = n_bins - tp - fn - fp
    return np.array([[tn, fp], [fn, tp]], dtype=np.int64)


def kappa_from_confusion(cm: np.ndarray) -> float:
    """Cohen's kappa of a 2x2 confusion matrix (the formula of
    :func:`sklearn.metrics.cohen_kappa_score`, applied to counts; NaN where undefined)."""
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    if total == 0:
        return np.nan
    expected = np.outer(cm.sum(axis=1), cm.sum(axis=0)) / total
    off = 1.0 - np.eye(2)
    denom = float((off * expected).sum())
    if denom == 0:
        return np.nan
    return float(1.0 - (off * cm).sum() / denom)


@dataclass
class ScoreResult:
    """Outcome of :func:`score_events`.

    Attributes
    ----------
    table : DataFrame
        One row per (kind, channel) plus a ``channel == "(all)"`` row per kind (pooled channels), with columns
        ``kind, channel, n_detected, n_reference, tp, fp, fn, precision, recall, f1, kappa``.
    matches : DataFrame
        Matched pairs: ``kind, channel, det_onset, det_offset, ref_onset, ref_offset``.
    bin_confusion : dict
        kind -> 2x2 confusion matrix ``[[TN, FP], [FN, TP]]`` of the time bins (pooled channels).
    rule : str
        The matching rule in words.
    reviewed_channels : list of str
    params : dict
        Settings used (rule, thresholds, bin width, span).
    notes : list of str
    """

    table: pd.DataFrame
    matches: pd.DataFrame
    bin_confusion: dict[str, np.ndarray]
    rule: str
    reviewed_channels: list[str]
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Row per kind pooled over the reviewed channels (index = kind: ripple, fast_ripple, pooled)."""
        rows = self.table[self.table["channel"] == ALL_CHANNELS].drop(columns="channel")
        return rows.set_index("kind")

    def per_channel(self, kind: str | None = None) -> pd.DataFrame:
        """Per-channel rows (optionally one kind)."""
        rows = self.table[self.table["channel"] != ALL_CHANNELS]
        if kind is not None:
            rows = rows[rows["kind"] == (POOLED_KIND if kind in ("hfo", "all") else kind)]
        return rows.reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per kind (pooled over channels) tp, fp, fn, precision, recall, f1, kappa."""

        def clean(v):
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (float, np.floating)):
                return None if np.isnan(v) else round(float(v), 6)
            return v

        keys = ["tp", "fp", "fn", "precision", "recall", "f1", "kappa", "n_detected", "n_reference"]
        out: dict[str, Any] = {"rule": self.rule, "params": self.params}
        out["kinds"] = {
            kind: {k: clean(row[k]) for k in keys} | {"bin_confusion": self.bin_confusion[kind].tolist()}
            for kind, row in self.summary().iterrows()
        }
        out["reviewed_channels"] = list(self.reviewed_channels)
        out["per_channel"] = [
            {k: clean(v) for k, v in row.items()} for row in self.per_channel().to_dict("records")
        ]
        out["notes"] = list(self.notes)
        return out


def _reviewed(ref: pd.DataFrame, det: pd.DataFrame, channels) -> list[str]:
    if channels is None:
        return sorted(ref["channel"].unique())
    if isinstance(channels, str) and channels == "all":
        return sorted(set(ref["channel"]) | set(det["channel"]))
    if isinstance(channels, str):
        channels = [c for c in channels.replace(",", " ").split() if c]
    return sorted({canonical_channel(c) for c in channels})


def _side(df: pd.DataFrame, kind: str, merge_pooled: bool) -> pd.DataFrame:
    if kind == POOLED_KIND:
        return merge_overlapping(df) if merge_pooled else df.assign(kind="hfo")
    return df[df["kind"] == kind]


def score_events(
    detected: Any,
    reference: Any,
    kinds: str | Sequence[str] | None = "all",
    rule: str = "overlap",
    iou_threshold: float = 0.2,
    tolerance_s: float = 0.05,
    bin_s: float = 0.01,
    channels: str | Sequence[str] | None = None,
    start_s: float = 0.0,
    stop_s: float | None = None,
    merge_pooled: bool = True,
) -> ScoreResult:
    """Score detected events against reference events.

    Parameters
    ----------
    detected, reference : EventTable, DataFrame or None
        Event tables (``onset`` + ``duration`` or ``offset``, ``channel``, ``kind``).
    kinds : "all", str or list of str
        Which kinds to score: ``ripple``, ``fast_ripple``, ``pooled`` (alias ``hfo``: bands pooled);
        ``"all"`` (default) scores all three.
    rule : {"overlap", "iou", "onset"}
        Matching rule (see :mod:`~hfo_detect.evaluation.matching`).
    iou_threshold, tolerance_s : float
        Parameters of the ``iou`` and ``onset`` rules.
    bin_s : float
        Bin width of the time-bin labelling used for Cohen's kappa [CHOICE: 10 ms].
    channels : None, "all" or list of str
        Reviewed channels (see module docstring). Default: channels with >= 1 reference mark.
    start_s, stop_s : float
        Span of the time-bin labelling (default: 0 to the last event end on either side).
    merge_pooled : bool
        Merge overlapping events per channel before the pooled ``all`` score [CHOICE: True].

    Returns
    -------
    ScoreResult
    """
    check_rule(rule)
    kinds = _normalise_kinds(kinds)
    det = hfo_only(as_frame(detected))
    ref = hfo_only(as_frame(reference))
    reviewed = _reviewed(ref, det, channels)
    det = det[det["channel"].isin(reviewed)]
    ref = ref[ref["channel"].isin(reviewed)]
    notes: list[str] = []
    bandless = len(det) > 0 and not det["kind"].isin(["ripple", "fast_ripple"]).any()
    if bandless:
        dropped = [k for k in kinds if k != POOLED_KIND]
        kinds = (POOLED_KIND,)
        if dropped:
            notes.append("detections carry no band (kind 'hfo'): scored against all reference HFOs only")
    if stop_s is None:
        ends = np.r_[det["offset"].to_numpy(), ref["offset"].to_numpy(), start_s]
        stop_s = float(ends.max())
    if not reviewed:
        notes.append("no reviewed channel (reference has no HFO mark): every count is zero")

    rows, match_rows, confusion = [], [], {}
    for kind in kinds:
        d_all = _side(det, kind, merge_pooled)
        r_all = _side(ref, kind, merge_pooled)
        cm_all = np.zeros((2, 2), dtype=np.int64)
        totals = np.zeros(3, dtype=int)
        for ch in reviewed:
            d = d_all[d_all["channel"] == ch]
            r = r_all[r_all["channel"] == ch]
            di, ri = match_intervals(
                d["onset"], d["offset"], r["onset"], r["offset"], rule, iou_threshold, tolerance_s
            )
            tp = len(di)
            fp, fn = len(d) - tp, len(r) - tp
            totals += (tp, fp, fn)
            cm = bin_confusion(r["onset"], r["offset"], d["onset"], d["offset"], start_s, stop_s, bin_s)
            cm_all += cm
            p, rc, f = prf(tp, fp, fn)
            rows.append(dict(kind=kind, channel=ch, n_detected=len(d), n_reference=len(r), tp=tp, fp=fp,
                             fn=fn, precision=p, recall=rc, f1=f, kappa=kappa_from_confusion(cm)))
            if tp:
                match_rows.append(pd.DataFrame({
                    "kind": kind, "channel": ch,
                    "det_onset": d["onset"].to_numpy()[di], "det_offset": d["offset"].to_numpy()[di],
                    "ref_onset": r["onset"].to_numpy()[ri], "ref_offset": r["offset"].to_numpy()[ri],
                }))
        confusion[kind] = cm_all
        tp, fp, fn = (int(x) for x in totals)
        p, rc, f = prf(tp, fp, fn)
        rows.append(dict(kind=kind, channel=ALL_CHANNELS, n_detected=tp + fp, n_reference=tp + fn, tp=tp, fp=fp,
                         fn=fn, precision=p, recall=rc, f1=f, kappa=kappa_from_confusion(cm_all)))
    table = pd.DataFrame(rows, columns=["kind", "channel", "n_detected", "n_reference", "tp", "fp", "fn",
                                        "precision", "recall", "f1", "kappa"])
    matches = (pd.concat(match_rows, ignore_index=True) if match_rows else
               pd.DataFrame(columns=["kind", "channel", "det_onset", "det_offset", "ref_onset", "ref_offset"]))
    params = dict(match=rule, iou_threshold=iou_threshold, tolerance_s=tolerance_s, bin_s=bin_s,
                  start_s=start_s, stop_s=stop_s, merge_pooled=merge_pooled)
    return ScoreResult(table, matches, confusion, describe_rule(rule, iou_threshold, tolerance_s),
                       reviewed, params, notes)


def combine_results(results: Sequence[ScoreResult]) -> pd.DataFrame:
    """Pool several recordings' results: summed tp/fp/fn per kind with recomputed P/R/F1.

    Kappa is not pooled (it depends on the bins); the mean of the recordings' kappas is given.
    """
    frames = [r.summary().reset_index() for r in results]
    if not frames:
        return pd.DataFrame(columns=["kind", "tp", "fp", "fn", "precision", "recall", "f1", "kappa"])
    allrows = pd.concat(frames, ignore_index=True)
    out = []
    for kind, g in allrows.groupby("kind", sort=False):
        tp, fp, fn = (int(g[c].sum()) for c in ("tp", "fp", "fn"))
        p, r, f = prf(tp, fp, fn)
        kappa = float(np.nanmean(g["kappa"])) if g["kappa"].notna().any() else np.nan
        out.append(dict(kind=kind, n_detected=tp + fp, n_reference=tp + fn, tp=tp, fp=fp, fn=fn,
                        precision=p, recall=r, f1=f, kappa=kappa))
    return pd.DataFrame(out).set_index("kind")
