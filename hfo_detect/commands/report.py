"""``hfo-detect report DIR``: HTML report and summary.json of a detection folder."""

from __future__ import annotations

import click


@click.command("report")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--reference", type=click.Path(exists=True, path_type=str), default=None,
              help="Reference events: a file or a folder of events files, paired with the run's "
                   "recordings by recording name (as hfo-detect score does).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="HTML file to write (default DIR/report.html); summary.json goes beside it.")
@click.option("--outcome", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              help="Outcome table (TSV/CSV or the JSON of hfo-detect outcome) to include.")
@click.option("--sweep", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              help="Threshold-sweep table (threshold, precision, recall) for the PR curves.")
@click.option("--sweep-factors", default=None, metavar="F1,F2,...",
              help="With --reference: re-detect with the network's ADM scale factors multiplied by "
                   "each factor and draw the precision-recall curve (e.g. 0.5,0.75,1,1.5,2).")
@click.option("--gallery", type=click.IntRange(min=0), default=6, show_default=True,
              help="Number of detected events shown with their traces.")
def command(directory, reference, out, outcome, sweep, sweep_factors, gallery):
    """Build an HTML report (figures embedded) and summary.json from the detect run in DIRECTORY
    (or DIRECTORY/detections). The spikes behind an event are shown when the run kept them
    (detect --keep-spikes)."""
    from hfo_detect.reporting.build import ReportConfig, build_report

    factors: tuple[float, ...] = ()
    if sweep_factors:
        try:
            factors = tuple(float(f) for f in sweep_factors.replace(" ", "").split(",") if f)
        except ValueError:
            raise click.BadParameter(f"{sweep_factors!r} is not a comma-separated list of numbers",
                                     param_hint="--sweep-factors") from None
        if not all(f > 0 and f < float("inf") for f in factors):  # also refuses nan
            raise click.BadParameter("factors must be positive finite numbers",
                                     param_hint="--sweep-factors")
    if factors and sweep:
        raise click.UsageError("give --sweep or --sweep-factors, not both")
    if factors:
        if reference is None:
            raise click.UsageError("--sweep-factors needs --reference")
        from hfo_detect.sweep_run import sweep_run

        sweep = sweep_run(directory, reference, factors)
    summary = build_report(directory, out, reference=reference, outcome=outcome, sweep=sweep,
                           cfg=ReportConfig(max_gallery=gallery))
    click.echo(f"report: {summary['html']} ({len(summary['figures'])} figures); "
               f"summary: {summary['summary']}")
