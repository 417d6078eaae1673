"""``hfo-detect detect INPUT... --out DIR``: detect HFOs in files, folders or BIDS roots.

Per recording it writes ``<stem>_events.tsv``, ``<stem>_counts.tsv`` and ``<stem>_detect.json``
(see :mod:`hfo_detect.runner`) and prints one summary line. A file that fails prints one
``error:`` line and the others go on; the exit code is 1 if any failed. The work goes through
:func:`hfo_detect.batch.run_batch`: ``--jobs N`` local processes or ``--scheduler ADDRESS`` (Dask),
``DIR/manifest.jsonl`` records every recording, and a rerun skips what is done (``--force``
redoes it). A final line sums up (done, failed, skipped, HFOs, wall time, real-time factor).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click

from hfo_detect.commands._options import SEED, FiniteFloatRange, check_preset

DETECTOR_NAMES = ("snn", "morphology", "rms", "linelength")
#: options that only the network detector takes (name on the command line -> parameter)
SNN_OPTIONS = {"preset": "preset", "seed": "seed", "calibration": "calibration",
               "floor_span": "floor_span_s",
               "integrator": "integrator", "mismatch_cv": "mismatch_cv",
               "min_neurons": "min_neurons", "keep_spikes": "keep_spikes"}


def detector_params(detector: str, **options) -> dict:
    """Detector keyword parameters from the command-line options that were given."""
    given = {SNN_OPTIONS[k]: v for k, v in options.items() if v is not None}
    if given and detector != "snn":
        flags = ", ".join(f"--{k}" for k in given)
        raise click.UsageError(f"{flags} only apply to --detector snn")
    return given


def summary_line(record: dict, detector: str, out_dir: str) -> str:
    """One line per recording for the terminal (from a batch manifest record)."""
    from pathlib import Path

    if record["status"] == "skipped":
        return f"{record['input']}: skipped (done before with the same parameters)"
    counts = record.get("counts") or {}
    events = next((o for o in record.get("outputs", []) if o.endswith("_events.tsv")), "")
    return (f"{record['input']}: {counts.get('n_hfo', 0)} HFO(s) in "
            f"{float(record.get('duration_s') or 0):.1f} s on {counts.get('n_channels', 0)} "
            f"channel(s) [{detector}] -> {Path(out_dir) / events}")


def run_files(inputs: Sequence[str], out_dir: str, *, detector: str, montage: str, params: dict,
              chunk_s: float, jobs: int = 1, scheduler: str | None = None, force: bool = False,
              echo: Callable[[str], None] = click.echo,
              echo_err: Callable[[str], None] | None = None) -> int:
    """Run the batch runner over the inputs; return the number of failures."""
    from hfo_detect.batch import run_batch

    echo_err = echo_err or (lambda line: click.echo(line, err=True))

    def report(record: dict) -> None:
        if record["status"] == "failed":
            echo_err(f"error: {record['error']}")
        else:
            echo(summary_line(record, detector, out_dir))

    summary = run_batch(inputs, out_dir, detector=detector, montage=montage, params=params,
                        jobs=jobs, scheduler=scheduler, force=force, chunk_s=chunk_s,
                        on_record=report)
    echo(summary.line())
    return summary.n_failed


def check_scheduler(ctx, param, value):
    """A Dask scheduler address must be ``[protocol://]host:port`` (checked before any work)."""
    if value is None:
        return None
    import re

    if not re.fullmatch(r"(?:(?:tcp|tls|inproc|ucx|ws|wss)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}", value.strip()):
        raise click.BadParameter(f"{value!r} is not a scheduler address (tcp://host:port)")
    return value.strip()


@click.command("detect")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Output folder (created if needed).")
@click.option("--detector", type=click.Choice(DETECTOR_NAMES), default="snn", show_default=True,
              help="The neuromorphic network or a conventional baseline.")
@click.option("--preset", default=None, callback=check_preset,
              help="Network preset: sharifhazileh2021, hfo256 (default) or burelo2021_ecog.")
@click.option("--seed", type=SEED, default=None, help="Seed of the simulated chip (hfo256).")
@click.option("--montage", type=click.Choice(["bipolar", "as-is"]), default="bipolar",
              show_default=True, help="Re-reference neighbouring contacts or keep channels as they are.")
@click.option("--calibration", type=click.Choice(["whole", "first10s"]), default=None,
              help="ADM threshold rule (default: the preset's).")
@click.option("--floor-span", type=FiniteFloatRange(min=0.0, max=3600.0), default=None,
              metavar="SECONDS",
              help="The ADM thresholds follow the noise floor over spans of this length (0: one "
                   "threshold per channel for the whole recording, the paper's rule; default: "
                   "the preset's, hfo256 10 s).")
@click.option("--integrator", type=click.Choice(["euler", "fast", "lockstep"]), default=None,
              help="Network integrator (default: the preset's).")
@click.option("--mismatch-cv", type=FiniteFloatRange(0, 1), default=None,
              help="Device mismatch in [0, 1] (CV of every bias current; default: the preset's).")
@click.option("--min-neurons", type=click.IntRange(min=1), default=None,
              help="Readout vote: distinct hidden neurons per window (1 = the paper's rule).")
@click.option("--chunk-s", type=FiniteFloatRange(min=0.01, max=3600.0), default=10.0,
              show_default=True, help="Streaming chunk length in seconds.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes: recordings run in parallel; a single recording splits its "
                   "channels over them instead (same results).")
@click.option("--keep-spikes", is_flag=True,
              help="Also write the run's ADM events and hidden spikes (<stem>_spikes.npz; network "
                   "only); hfo-detect report then shows the spikes behind an event.")
@click.option("--scheduler", default=None, metavar="ADDRESS", callback=check_scheduler,
              help="Run on an existing Dask distributed scheduler (tcp://host:port) instead.")
@click.option("--force", is_flag=True, help="Redo recordings already done with the same parameters.")
def command(inputs, out_dir, detector, preset, seed, montage, calibration, floor_span,
            integrator, mismatch_cv, min_neurons, chunk_s, jobs, keep_spikes, scheduler, force):
    """Detect HFOs in each INPUT recording and write events and counts into --out."""
    params = detector_params(detector, preset=preset, seed=seed, calibration=calibration,
                             floor_span=floor_span, integrator=integrator,
                             mismatch_cv=mismatch_cv,
                             min_neurons=min_neurons, keep_spikes=keep_spikes or None)
    if detector == "snn":
        from hfo_detect.detectors import make_detector
        from hfo_detect.jit import compile_note

        note = compile_note(make_detector("snn", **params).make_config())
        if note:
            click.echo(note, err=True)
    n_failed = run_files(inputs, out_dir, detector=detector, montage=montage, params=params,
                         chunk_s=chunk_s, jobs=jobs, scheduler=scheduler, force=force)
    if n_failed:
        sys.exit(1)
