"""Threshold sweeps: precision-recall curves so detectors are compared at equal precision.

For detectors with a threshold (ADM scale factors of the network, k of the RMS / line-length
baselines) run the detector at several thresholds, score each run with
:func:`~hfo_detect.evaluation.scoring.score_events`, and summarise the curve by its area.

Area under the PR curve [CHOICE]: points are sorted by recall, precision is replaced by its
upper envelope (best precision at this or any higher recall, as in interpolated average
precision), the curve is extended to recall 0 at the first point's precision, and the step
function is integrated: ``sum_i (R_i - R_{i-1}) * P_interp_i``. Recall never reached by any
threshold contributes nothing, so a detector whose maximum recall is low gets a small area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from hfo_detect.evaluation.scoring import score_events


def pr_auc(recall: Iterable[float], precision: Iterable[float]) -> float:
    """Interpolated area under a precision-recall curve (see module docstring). NaNs are dropped."""
    r = np.asarray(list(recall), float)
    p = np.asarray(list(precision), float)
    ok = ~(np.isnan(r) | np.isnan(p))
    r, p = r[ok], p[ok]
    if r.size == 0:
        return np.nan
    order = np.lexsort((-p, r))
    r, p = r[order], p[order]
    p_env = np.maximum.accumulate(p[::-1])[::-1]
    r_prev = np.r_[0.0, r[:-1]]
    return float(np.sum((r - r_prev) * p_env))


@dataclass
class SweepResult:
    """Precision-recall curve of one detector over thresholds.

    Attributes
    ----------
    curve : DataFrame
        ``threshold, tp, fp, fn, precision, recall, f1`` (one row per threshold, sorted).
    auc : float
        Interpolated area under the curve.
    kind : str
    """

    curve: pd.DataFrame
    auc: float
    kind: str

    def best(self) -> pd.Series:
        """Row of the highest F1."""
        return self.curve.loc[self.curve["f1"].idxmax()]

    def recall_at_precision(self, min_precision: float) -> float:
        """Highest recall among thresholds whose precision is >= ``min_precision`` (NaN if none)."""
        ok = self.curve[self.curve["precision"] >= min_precision]
        return float(ok["recall"].max()) if len(ok) else np.nan

    def to_dict(self) -> dict[str, Any]:
        return dict(kind=self.kind, auc=self.auc, curve=self.curve.to_dict("records"))


def threshold_sweep(
    detections: Callable[[float], Any] | Iterable[tuple[float, Any]],
    reference: Any,
    thresholds: Iterable[float] | None = None,
    kind: str = "pooled",
    **score_kwargs: Any,
) -> SweepResult:
    """Precision-recall curve over thresholds.

    Parameters
    ----------
    detections : callable or iterable of (threshold, events)
        Either ``f(threshold) -> EventTable`` (then ``thresholds`` is required) or precomputed pairs.
    reference : EventTable or DataFrame
    thresholds : iterable of float, optional
    kind : str
        Kind scored (``ripple``, ``fast_ripple``, ``pooled``).
    **score_kwargs
        Passed to :func:`score_events` (``rule``, ``channels``, ...).
    """
    if callable(detections):
        if thresholds is None:
            raise ValueError("thresholds are required when detections is a function")
        pairs = [(float(t), detections(t)) for t in thresholds]
    else:
        pairs = [(float(t), ev) for t, ev in detections]
    rows = []
    for thr, ev in pairs:
        s = score_events(ev, reference, kinds=[kind], **score_kwargs).summary().iloc[0]
        rows.append(dict(threshold=thr, tp=int(s["tp"]), fp=int(s["fp"]), fn=int(s["fn"]),
                         precision=s["precision"], recall=s["recall"], f1=s["f1"]))
    curve = pd.DataFrame(rows, columns=["threshold", "tp", "fp", "fn", "precision", "recall", "f1"])
    curve = curve.sort_values("threshold").reset_index(drop=True)
    return SweepResult(curve, pr_auc(curve["recall"], curve["precision"]), kind)


def sweep_parameter(
    estimator: Any,
    recording: Any,
    reference: Any,
    param: str,
    values: Iterable[float],
    kind: str = "pooled",
    refit: bool = False,
    **score_kwargs: Any,
) -> SweepResult:
    """Sweep one estimator parameter (e.g. ``k`` of RMS / line length, an ADM scale factor).

    The estimator is fitted once on ``recording`` and only ``predict`` is repeated with
    ``set_params(param=value)``, unless ``refit`` (needed when the parameter acts in ``fit``, as
    the ADM scale factors do).
    """
    if not refit:
        estimator.fit(recording)

    def run(value: float):
        estimator.set_params(**{param: value})
        if refit:
            estimator.fit(recording)
        return estimator.predict(recording)

    return threshold_sweep(run, reference, thresholds=list(values), kind=kind, **score_kwargs)
