"""Precision-recall sweep of the network over its ADM thresholds, for the report.

The network's only detection threshold is the ADM threshold, set per channel by the noise-floor
rule times a band scale factor (spec 1.4: 0.6 ripple, 0.3 fast ripple). The sweep multiplies
every band's scale factor by each ``factor`` (1 = the run's own setting), re-detects on the
source recordings and scores against the reference [CHOICE: one common multiplier for both
bands keeps the curve one-dimensional].
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import pandas as pd


def scaled_params(params: dict[str, Any], factor: float) -> dict[str, Any]:
    """Detector parameters with every band's ADM scale factor multiplied by ``factor``."""
    from hfo_detect.detectors import make_detector

    base = dict(params)
    base.pop("keep_spikes", None)
    cfg = make_detector("snn", **base).make_config()
    bands = tuple(replace(b, scale_factor=b.scale_factor * factor) for b in cfg.filters.bands)
    overrides = dict(base.get("overrides") or {})
    overrides["filters__bands"] = bands
    return {**base, "overrides": overrides}


def snn_sweep(items: Sequence[tuple[Any, Any, Any, dict[str, Any], float]],
              factors: Sequence[float], score_rule: str = "overlap") -> pd.DataFrame:
    """PR curve over ADM threshold factors, pooled over recordings.

    Parameters
    ----------
    items : sequence of (recording, reference EventTable, stem, detector params, duration_s)
    factors : sequence of float
        Multipliers of the ADM scale factors.

    Returns
    -------
    DataFrame
        ``detector, threshold, tp, fp, fn, precision, recall, f1`` (bands pooled).
    """
    from hfo_detect.detectors import make_detector
    from hfo_detect.evaluation import score_events
    from hfo_detect.evaluation.scoring import prf

    rows = []
    for factor in factors:
        tp = fp = fn = 0
        for rec, ref, _stem, params, duration in items:
            est = make_detector("snn", **scaled_params(params, factor))
            events = est.fit(rec).predict(rec)
            row = score_events(events, ref, kinds=["all"], rule=score_rule,
                               stop_s=duration).summary().iloc[0]
            tp, fp, fn = tp + int(row["tp"]), fp + int(row["fp"]), fn + int(row["fn"])
        p, r, f = prf(tp, fp, fn)
        rows.append(dict(detector="snn", threshold=float(factor), tp=tp, fp=fp, fn=fn,
                         precision=p, recall=r, f1=f))
    return pd.DataFrame(rows)
