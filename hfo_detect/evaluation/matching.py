"""One-to-one matching of detected events to reference events on one channel.

Matching rule (stated in every score output as ``rule``):

``overlap``
    a detection and a reference event may be paired when their time intervals overlap by more than
    zero seconds (touching ends do not count);
``iou``
    ... when intersection / union of the two intervals is >= ``iou_threshold``;
``onset``
    ... when their onsets differ by at most ``tolerance_s``.

Among all admissible pairs a one-to-one assignment is chosen optimally, not greedily by order:
first the largest possible number of pairs (maximum cardinality), and among those the largest
total intersection-over-union (``overlap``/``iou``) or the smallest total onset distance (``onset``). This is
solved with :func:`scipy.optimize.linear_sum_assignment` on a weight matrix
``admissible * (1 + quality / (k + 1))`` with ``quality`` in [0, 1] and ``k`` the size of the
smaller side, so one more pair always outweighs any gain in quality. A detection covering two
reference events therefore matches one of them (one true positive, one false negative).

Events are first split into clusters of mutually reachable intervals, so the assignment problems
stay small on long recordings.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

RULES = ("overlap", "iou", "onset")


def describe_rule(rule: str, iou_threshold: float = 0.2, tolerance_s: float = 0.05) -> str:
    """One-line human description of a matching rule (used in outputs and reports)."""
    check_rule(rule)
    base = "one-to-one optimal matching (max pairs, then max total IoU) per channel and kind; pair if "
    if rule == "overlap":
        return base + "intervals overlap (> 0 s)"
    if rule == "iou":
        return base + f"intersection-over-union >= {iou_threshold:g}"
    return base.replace("max total IoU", "min onset distance") + f"onsets within {tolerance_s:g} s"


def check_rule(rule: str) -> None:
    if rule not in RULES:
        raise ValueError(f"unknown matching rule {rule!r}; choose one of {RULES}")


def _pair_scores(d_on, d_off, r_on, r_off, rule, iou_threshold, tolerance_s):
    """(admissible, quality in [0, 1]) matrices of shape (n_det, n_ref)."""
    inter = np.minimum(d_off[:, None], r_off[None, :]) - np.maximum(d_on[:, None], r_on[None, :])
    inter = np.clip(inter, 0.0, None)
    if rule == "onset":
        dist = np.abs(d_on[:, None] - r_on[None, :])
        ok = dist <= tolerance_s + 1e-12
        quality = 1.0 - dist / max(tolerance_s, 1e-12)
        return ok, np.clip(quality, 0.0, 1.0)
    union = np.maximum(d_off[:, None], r_off[None, :]) - np.minimum(d_on[:, None], r_on[None, :])
    iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    if rule == "overlap":
        ok = inter > 0
    else:
        ok = (inter > 0) & (iou >= iou_threshold - 1e-12)
    return ok, iou


def _clusters(d_on, d_off, r_on, r_off, rule, tolerance_s):
    """Cluster label per detection and per reference event (pairs only form inside a cluster)."""
    if rule == "onset":  # onsets within tol  <=>  windows [on, on + tol] touch
        starts = np.concatenate([d_on, r_on])
        stops = starts + tolerance_s
    else:
        starts = np.concatenate([d_on, r_on])
        stops = np.concatenate([d_off, r_off])
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], stops[order]
    running = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > running[:-1] + 1e-12
    labels = np.empty(len(s), dtype=int)
    labels[order] = np.cumsum(new) - 1
    return labels[: len(d_on)], labels[len(d_on):]


def match_intervals(
    det_onset,
    det_offset,
    ref_onset,
    ref_offset,
    rule: str = "overlap",
    iou_threshold: float = 0.2,
    tolerance_s: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal one-to-one matching of detections to reference events (one channel, one kind).

    Parameters
    ----------
    det_onset, det_offset, ref_onset, ref_offset : array_like of float
        Interval bounds in seconds.
    rule : {"overlap", "iou", "onset"}
        Pairing rule, see the module docstring.
    iou_threshold : float
        Minimum intersection-over-union for ``rule="iou"``.
    tolerance_s : float
        Maximum onset difference for ``rule="onset"``.

    Returns
    -------
    det_idx, ref_idx : ndarray of int
        Indices of the matched pairs (same length; true positives).
    """
    check_rule(rule)
    d_on, d_off = np.asarray(det_onset, float), np.asarray(det_offset, float)
    r_on, r_off = np.asarray(ref_onset, float), np.asarray(ref_offset, float)
    if len(d_on) == 0 or len(r_on) == 0:
        return np.zeros(0, int), np.zeros(0, int)
    d_lab, r_lab = _clusters(d_on, d_off, r_on, r_off, rule, tolerance_s)
    out_d, out_r = [], []
    for lab in np.intersect1d(d_lab, r_lab):
        di = np.flatnonzero(d_lab == lab)
        ri = np.flatnonzero(r_lab == lab)
        ok, quality = _pair_scores(d_on[di], d_off[di], r_on[ri], r_off[ri], rule, iou_threshold, tolerance_s)
        if not ok.any():
            continue
        k = min(len(di), len(ri))
        weight = ok * (1.0 + quality / (k + 1.0))
        rows, cols = linear_sum_assignment(weight, maximize=True)
        keep = ok[rows, cols]
        out_d.append(di[rows[keep]])
        out_r.append(ri[cols[keep]])
    if not out_d:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(out_d), np.concatenate(out_r)
