"""``hfo-detect score``: event-level agreement of detections with reference marks."""

from __future__ import annotations

import json

import click

#: upper bound of the time options (s): beyond any recording [CHOICE], refuses 1e308 and inf
MAX_SECONDS = 1e6


def check_channels(det_path, ref_path, det, ref) -> None:
    """Refuse a reference that does not belong to the detections' recording.

    When the detection run's ``<stem>_detect.json`` lies beside the events file, every reference
    channel must be one of the recording's channels. Without it, the reference and the detections
    must share at least one channel (when both hold events).

    Raises
    ------
    AnnotationError
        Naming the reference file and the channels that do not match.
    """
    import json
    from pathlib import Path

    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.errors import AnnotationError

    det_path, ref_path = Path(det_path), Path(ref_path)
    ref_channels = {canonical_bipolar(c) for c in ref.df["channel"]}
    if not ref_channels:
        return
    stem = det_path.name[: -len("_events.tsv")] if det_path.name.endswith("_events.tsv") else det_path.stem
    sidecar = det_path.with_name(f"{stem}_detect.json")
    if sidecar.is_file():
        known = {canonical_bipolar(c) for c in json.loads(sidecar.read_text()).get("channels", [])}
        missing = sorted(ref_channels - known)
        if known and missing:
            raise AnnotationError(
                f"reference marks on channels not in the recording ({', '.join(missing[:5])}"
                f"{', ...' if len(missing) > 5 else ''})", ref_path)
        return
    det_channels = {canonical_bipolar(c) for c in det.df["channel"]}
    if det_channels and not det_channels & ref_channels:
        raise AnnotationError(
            f"reference marks share no channel with the detections (reference: "
            f"{', '.join(sorted(ref_channels)[:3])}; detected: {', '.join(sorted(det_channels)[:3])})",
            ref_path)


def _fmt(v) -> str:
    return "   -" if v is None or v != v else f"{v:5.3f}"


@click.command("score")
@click.argument("detected", type=click.Path(path_type=str))
@click.argument("reference", type=click.Path(path_type=str))
@click.option("--match", "rule", type=click.Choice(["overlap", "iou", "onset"]), default="overlap",
              show_default=True, help="Pairing rule: any overlap, IoU >= --iou, or onsets within --tolerance.")
@click.option("--iou", "iou_threshold", type=click.FloatRange(0, 1, min_open=True), default=0.2,
              show_default=True, help="IoU threshold of --match iou, in (0, 1].")
@click.option("--tolerance", "tolerance_s", type=click.FloatRange(0, MAX_SECONDS), default=0.05,
              show_default=True, help="Seconds (>= 0) between onsets for --match onset.")
@click.option("--kind", type=click.Choice(["all", "ripple", "fast_ripple", "hfo"]), default="all",
              show_default=True, help="'hfo' = bands pooled only; 'all' = ripple, fast_ripple and pooled.")
@click.option("--channels", default=None,
              help="Reviewed channels (comma-separated) or 'all'; default: channels with >= 1 reference mark.")
@click.option("--bin", "bin_s", type=click.FloatRange(0, MAX_SECONDS, min_open=True), default=0.01,
              show_default=True, help="Bin width (s, > 0) for kappa.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def command(detected, reference, rule, iou_threshold, tolerance_s, kind, channels, bin_s, as_json):
    """Score DETECTED events against REFERENCE marks (files, or folders paired by recording name).

    Events are matched one-to-one per channel and kind, optimally (maximum number of pairs, then
    maximum overlap). False positives count only on reviewed channels. Detections of band-less
    kind 'hfo' are scored against all reference HFOs (the 'pooled' row).
    """
    from hfo_detect.evaluation.pairing import pair_files
    from hfo_detect.evaluation.scoring import combine_results, score_events
    from hfo_detect.events import EventTable

    pairs, notes = pair_files(detected, reference)
    results = {}
    for name, det_path, ref_path in pairs:
        det, ref = EventTable.read(det_path), EventTable.read(ref_path)
        check_channels(det_path, ref_path, det, ref)
        results[name] = score_events(
            det, ref, kinds=kind, rule=rule,
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
