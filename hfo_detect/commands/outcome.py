"""``hfo-detect outcome``: predict post-surgical outcome from the HFO area and score it."""

from __future__ import annotations

import json

import click

from hfo_detect.commands._options import FiniteFloatRange


@click.command("outcome")
@click.option("--events", "events_dir", required=True, type=click.Path(path_type=str),
              help="Folder of BIDS-named events files, one per interval (sub-<label>_..._events.tsv).")
@click.option("--participants", required=True, type=click.Path(path_type=str),
              help="participants.tsv with participant_id, outcome (S/F or ILAE 1-6; NR excluded).")
@click.option("--resected", required=True, type=click.Path(path_type=str),
              help="resected.tsv with participant_id, channel (contacts or bipolar channels).")
@click.option("--kind", type=click.Choice(["frandr", "ripple", "fast_ripple", "hfo"]), default="frandr",
              show_default=True, help="Rate used for the HFO area (frandr = ripples co-occurring with FR).")
@click.option("--ilae-cut", type=click.IntRange(1, 6), default=1, show_default=True,
              help="ILAE classes above this count as recurrence (1: only ILAE 1 is seizure-free).")
@click.option("--dwell", "dwell_min", type=FiniteFloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Dwell-time threshold of the HFO area.")
@click.option("--validity", type=click.Choice(["dwell", "trt"]), default="dwell", show_default=True,
              help="'trt' also requires test-retest reliability TRT > 0.5.")
@click.option("--undefined", type=click.Choice(["free", "recurrence", "exclude"]), default="free",
              show_default=True, help="Prediction when no channel reaches the dwell threshold.")
@click.option("--interval-duration", type=FiniteFloatRange(0.0, 1e6, min_open=True), default=300.0,
              show_default=True,
              help="Interval length (s) when no *_ieeg.json sidecar gives RecordingDuration.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def command(events_dir, participants, resected, kind, ilae_cut, dwell_min, validity, undefined,
            interval_duration, as_json):
    """Predict seizure recurrence per patient (HFO area not fully resected) and score it.

    Positive class = recurrence. A bipolar channel counts as resected iff both its contacts (or
    the channel itself) are listed in --resected. Prints TP/TN/FP/FN and accuracy, sensitivity,
    specificity, PPV, NPV with exact Clopper-Pearson 95 % intervals.
    """
    from hfo_detect.evaluation.cohort import load_interval_rates, read_participants, read_resected
    from hfo_detect.evaluation.outcome import evaluate_hfo_area
    from hfo_detect.evaluation.stats import format_metrics

    outcomes = read_participants(participants)
    res = read_resected(resected)
    rates = load_interval_rates(events_dir, kind=kind, default_duration_s=interval_duration)
    result = evaluate_hfo_area(rates, outcomes, res, dwell_min=dwell_min, undefined=undefined,
                               validity=validity, ilae_cut=ilae_cut)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    c = result.counts
    click.echo(f"positive = recurrence; rate kind: {kind}; HFO area = dwell time >= {dwell_min:g}")
    click.echo(f"TP {c['tp']}  TN {c['tn']}  FP {c['fp']}  FN {c['fn']}")
    for line in format_metrics(result.metrics):
        click.echo(line)
    cols = ["participant_id", "outcome", "recurrence", "predicted", "area", "dwell", "trt", "note"]
    table = result.patients[[c for c in cols if c in result.patients.columns]]
    click.echo(table.to_string(index=False))
    for n in result.notes:
        click.echo(f"note: {n}")
