"""``hfo-detect demo``: the whole pipeline on a synthetic recording, end to end.

Simulates a short multi-channel iEEG recording with known ripples, fast ripples, interictal
spikes and artifacts, writes it as EDF+, runs the detector on it exactly as ``hfo-detect detect``
would, scores the detections against the simulated truth, estimates the chip's power and writes
an HTML report. Everything lands in one folder (``./hfo-demo`` by default).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hfo_detect.atomic import atomic_write_text
from hfo_detect.commands._options import SEED, FiniteFloatRange, check_preset


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("hfo-demo"), show_default=True, help="Output folder.")
@click.option("--duration", type=FiniteFloatRange(1.0, 3600.0), default=120.0, show_default=True,
              help="Length of the synthetic recording in seconds.")
@click.option("--channels", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Bipolar channels.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of data and chip.")
@click.option("--preset", default="hfo256", show_default=True, callback=check_preset,
              help="Network preset (sharifhazileh2021, hfo256, burelo2021_ecog).")
@click.option("--no-report", is_flag=True, help="Skip the HTML report.")
def command(out_dir: Path, duration: float, channels: int, seed: int, preset: str,
            no_report: bool) -> None:
    """Make a synthetic EDF, detect HFOs in it, write events and a report."""
    from hfo_detect.evaluation import score_events
    from hfo_detect.io import write_edf
    from hfo_detect.runner import detect_recording
    from hfo_detect.simulate import simulate_recording

    out_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"simulating {channels} channels x {duration:g} s (seed {seed}) ...")
    sim = simulate_recording(duration, channels, seed=seed)
    edf = write_edf(out_dir / "demo_ieeg.edf", sim.data_uv, sim.sfreq, sim.ch_names)
    truth_path = out_dir / "demo_truth_events.tsv"
    sim.events.to_bids_tsv(truth_path)

    from hfo_detect.config import get_preset
    from hfo_detect.jit import compile_note

    note = compile_note(get_preset(preset))
    click.echo(f"detecting HFOs with preset {preset!r} ..." + (f"\n{note}" if note else ""))
    det_dir = out_dir / "detections"
    from hfo_detect import progress

    bar = progress.ChannelSecondsBar()
    try:
        with progress.reporting_to(bar.sink):
            summary = detect_recording(edf, det_dir, detector="snn", montage="as-is",
                                       params={"preset": preset, "seed": seed, "keep_spikes": True})
    finally:
        bar.close()
    from hfo_detect.events import EventTable, count_hfo

    detected = EventTable.read(Path(summary["outputs"]["events"]))
    truth = EventTable(sim.events.df[sim.events.df["kind"].isin(["ripple", "fast_ripple"])])
    # the scored span is the recording's, as report and score use it (n_times / sfreq)
    scores = score_events(detected, truth, rule="overlap", stop_s=summary["duration_s"])
    pooled = scores.to_dict()["kinds"].get("pooled", {})
    atomic_write_text(out_dir / "scores.json", json.dumps(scores.to_dict(), indent=2) + "\n")

    # "an HFO" as everywhere: overlapping ripple + fast ripple on one channel count once
    n_truth = int(count_hfo(truth.df, sim.ch_names).sum())
    click.echo(f"{summary['n_hfo']} HFOs detected, {n_truth} simulated; "
               f"precision {pooled.get('precision', float('nan')):.2f}, "
               f"recall {pooled.get('recall', float('nan')):.2f}, F1 {pooled.get('f1', float('nan')):.2f}")
    if not no_report:
        from hfo_detect.reporting.build import build_report

        build_report(det_dir, out_dir / "report.html", reference=truth_path)
        click.echo(f"report: {out_dir / 'report.html'}")
    click.echo(f"events: {summary['outputs']['events']}")
    click.echo(f"all outputs in {out_dir}/")
