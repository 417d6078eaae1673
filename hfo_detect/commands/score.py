"""``hfo-detect score``: event-level agreement of detections with reference marks."""

from __future__ import annotations

import json

import click

from hfo_detect.commands._options import FiniteFloatRange

#: upper bound of the time options (s): beyond any recording [CHOICE], refuses 1e308 and inf
MAX_SECONDS = 1e6


def parse_renames(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--rename OLD=NEW`` pairs -> ``{OLD: NEW}`` (channel names canonical, as events write them)."""
    from hfo_detect.channels import canonical_bipolar

    out = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"{pair!r}: expected OLD=NEW", param_hint="--rename")
        out[canonical_bipolar(old.strip())] = canonical_bipolar(new.strip())
    return out


def _renamed(table, renames: dict[str, str]):
    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.events import EventTable

    if not renames:
        return table
    df = table.df.copy()
    df["channel"] = [renames.get(canonical_bipolar(c), c) for c in df["channel"]]
    return EventTable(df)


def _fmt(v) -> str:
    return "   -" if v is None or v != v else f"{v:5.3f}"


@click.command("score")
@click.argument("detected", type=click.Path(path_type=str))
@click.argument("reference", type=click.Path(path_type=str))
@click.option("--match", "rule", type=click.Choice(["overlap", "iou", "onset"]), default="overlap",
              show_default=True, help="Pairing rule: any overlap, IoU >= --iou, or onsets within --tolerance.")
@click.option("--iou", "iou_threshold", type=FiniteFloatRange(0, 1, min_open=True), default=0.2,
              show_default=True, help="IoU threshold of --match iou, in (0, 1].")
@click.option("--tolerance", "tolerance_s", type=FiniteFloatRange(0, MAX_SECONDS), default=0.05,
              show_default=True, help="Seconds (>= 0) between onsets for --match onset.")
@click.option("--kind", type=click.Choice(["all", "ripple", "fast_ripple", "hfo"]), default="all",
              show_default=True, help="'hfo' = bands pooled only; 'all' = ripple, fast_ripple and pooled.")
@click.option("--channels", default=None,
              help="Reviewed channels (comma-separated) or 'all'; default: channels with >= 1 reference mark.")
@click.option("--bin", "bin_s", type=FiniteFloatRange(0, MAX_SECONDS, min_open=True), default=0.01,
              show_default=True, help="Bin width (s, > 0) for kappa.")
@click.option("--rename", "renames", multiple=True, metavar="OLD=NEW",
              help="Rename a channel on both sides before scoring (repeatable), e.g. "
                   "--rename AL1-AL2=AHR3-AHR4 for the authors' 50-s file, whose channel carries a "
                   "placeholder label.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def command(detected, reference, rule, iou_threshold, tolerance_s, kind, channels, bin_s, renames,
            as_json):
    """Score DETECTED events against REFERENCE marks (files, or folders paired by recording name).

    Events are matched one-to-one per channel and kind, optimally (maximum number of pairs, then
    maximum overlap). False positives count only on reviewed channels. Detections of band-less
    kind 'hfo' are scored against all reference HFOs (the 'pooled' row). DETECTED may be the
    --out folder of hfo-detect detect; recordings and reference files are paired by recording
    name (the rule of hfo-detect report). Kappa is computed over the recording's span
    (n_times / sfreq from the run's <stem>_detect.json when it lies beside the events).
    """
    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.evaluation.scoring import combine_results, score_events
    from hfo_detect.events import EventTable
    from hfo_detect.outputs import check_reference_channels, pair_files, run_record_of

    rename = parse_renames(renames)
    pairs, notes = pair_files(detected, reference)
    results = {}
    for name, det_path, ref_path in pairs:
        det = _renamed(EventTable.read(det_path), rename)
        ref = _renamed(EventTable.read(ref_path), rename)
        record = run_record_of(det_path)
        run_channels = [rename.get(canonical_bipolar(c), c) for c in record.get("channels", [])]
        check_reference_channels(ref_path, ref, run_channels, detected=det)
        results[name] = score_events(
            det, ref, kinds=kind, rule=rule, stop_s=record.get("duration_s"),
            iou_threshold=iou_threshold, tolerance_s=tolerance_s, bin_s=bin_s, channels=channels)
    total = combine_results(list(results.values())) if len(results) > 1 else next(iter(results.values())).summary()
    rule_text = next(iter(results.values())).rule
    for r in results.values():
        notes += [n for n in r.notes if n not in notes]
    keys = ["tp", "fp", "fn", "precision", "recall", "f1", "kappa"]

    def row_dict(row):
        out = {}
        for k in keys:
            v = row[k]
            out[k] = int(v) if k in ("tp", "fp", "fn") else (None if v != v else round(float(v), 6))
        return out

    if as_json:
        doc = {"rule": rule_text, "kinds": {k: row_dict(r) for k, r in total.iterrows()},
               "recordings": {n: {k: row_dict(r) for k, r in res.summary().iterrows()} for n, res in results.items()},
               "notes": notes}
        click.echo(json.dumps(doc, indent=2))
        return
    click.echo(f"rule: {rule_text}")
    if len(results) > 1:
        click.echo(f"{len(results)} recordings; kappa = mean over recordings")
    click.echo(f"{'kind':<12} {'tp':>5} {'fp':>5} {'fn':>5} {'prec':>6} {'recall':>6} {'f1':>6} {'kappa':>6}")
    for k, r in total.iterrows():
        click.echo(f"{k:<12} {int(r['tp']):>5} {int(r['fp']):>5} {int(r['fn']):>5} {_fmt(r['precision']):>6} "
                   f"{_fmt(r['recall']):>6} {_fmt(r['f1']):>6} {_fmt(r['kappa']):>6}")
    for n in notes:
        click.echo(f"note: {n}")
