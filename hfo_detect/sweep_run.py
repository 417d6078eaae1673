"""Precision-recall sweep of a run's network over its ADM thresholds (``report --sweep-factors``).

It re-detects on the source recordings, so it lives on top of the package beside the runner;
the report only draws the table it returns.

The network's only detection threshold is the ADM threshold, set per channel by the noise-floor
rule times a band scale factor (the authors' code, find_thresholds: 0.6 ripple, 0.3 fast ripple). The sweep multiplies
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


def sweep_run(det_dir, reference, factors: Sequence[float], score_rule: str = "overlap") -> pd.DataFrame:
    """PR table of the network recordings of a run that have a reference (see :func:`snn_sweep`).

    Recordings and references are paired by :func:`hfo_detect.outputs.references_for_run`.

    Raises
    ------
    HFODetectError
        No network recording of the run has a reference and a readable source.
    """
    from hfo_detect.errors import HFODetectError
    from hfo_detect.events import HFO_KINDS, EventTable
    from hfo_detect.io import open_recording
    from hfo_detect.outputs import find_run_folder, read_run, references_for_run

    results = read_run(find_run_folder(det_dir))
    by_stem = {r.stem: r for r in results}
    pairs, _ = references_for_run(results, reference)
    items = []
    for stem, _events, ref_path in pairs:
        res = by_stem[stem]
        if res.meta.get("detector", "snn") != "snn" or not res.source:
            continue
        rec = open_recording(res.source, montage=res.meta.get("montage") or "bipolar", on_flat="ignore")
        ref = EventTable.read(ref_path)
        ref = EventTable(ref.df[ref.df["kind"].isin(HFO_KINDS)])
        items.append((rec, ref, stem, dict(res.meta.get("parameters") or {}), res.duration_s))
    if not items:
        raise HFODetectError("sweep: no network recording with a reference and a readable source",
                             det_dir)
    return snn_sweep(items, factors, score_rule)

