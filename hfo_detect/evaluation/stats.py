"""Patient-level binary metrics with exact (Clopper-Pearson) confidence intervals.

Positive class = seizure recurrence (Sharifhazileh et al. 2021, Table 3): TP = recurrence predicted and observed,
TN = seizure freedom predicted and observed, FP = recurrence predicted but seizure-free,
FN = seizure-free predicted but recurrence.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from sklearn.metrics import confusion_matrix


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Proportion ``k/n`` with its exact (Clopper-Pearson) confidence interval.

    Returns ``(nan, nan, nan)`` when ``n == 0``.
    """
    if n == 0:
        return np.nan, np.nan, np.nan
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="exact")
    return k / n, float(ci.low), float(ci.high)


def confusion_counts(y_true: Sequence[bool], y_pred: Sequence[bool]) -> dict[str, int]:
    """TP/TN/FP/FN (positive = True = recurrence) through :func:`sklearn.metrics.confusion_matrix`."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    if y_true.size == 0:
        return dict(tp=0, tn=0, fp=0, fn=0)
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_pred, labels=[False, True])
    return dict(tp=int(tp), tn=int(tn), fp=int(fp), fn=int(fn))


def binary_metrics(tp: int, tn: int, fp: int, fn: int, confidence: float = 0.95) -> pd.DataFrame:
    """Accuracy, sensitivity, specificity, PPV and NPV with exact CIs.

    Returns
    -------
    DataFrame
        Index ``accuracy, sensitivity, specificity, ppv, npv``; columns ``k, n, value, ci_low,
        ci_high`` (proportions in [0, 1]; NaN where ``n == 0``).
    """
    parts = {
        "accuracy": (tp + tn, tp + tn + fp + fn),
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
        "ppv": (tp, tp + fp),
        "npv": (tn, tn + fn),
    }
    rows = {}
    for name, (k, n) in parts.items():
        v, lo, hi = clopper_pearson(k, n, confidence)
        rows[name] = dict(k=k, n=n, value=v, ci_low=lo, ci_high=hi)
    return pd.DataFrame.from_dict(rows, orient="index")


def format_metrics(metrics: pd.DataFrame) -> list[str]:
    """Lines like ``accuracy      78 % (40-97)   7/9`` (integer percent, as in the paper's tables)."""
    lines = []
    for name, row in metrics.iterrows():
        if row["n"] == 0:
            lines.append(f"{name:<12} -            0/0")
            continue
        v, lo, hi = (int(round(100 * x)) for x in (row["value"], row["ci_low"], row["ci_high"]))
        lines.append(f"{name:<12} {v:>3d} % ({lo}-{hi})   {int(row['k'])}/{int(row['n'])}")
    return lines
