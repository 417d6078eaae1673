"""``hfo-detect simulate``: write a synthetic BIDS-like benchmark with exact HFO ground truth."""

from __future__ import annotations

import click


def _config(pairs: tuple[str, ...]):
    """``--set NAME=VALUE`` pairs -> SimulationConfig (ranges as ``LO,HI``)."""
    from hfo_detect.commands._options import config_from_set_pairs
    from hfo_detect.simulate import SimulationConfig

    return config_from_set_pairs(SimulationConfig, pairs)


@click.command("simulate")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Output folder (BIDS-like; created).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed: same seed, identical files.")
@click.option("--duration", type=click.FloatRange(min=1.0, min_open=False), default=60.0, show_default=True,
              help="Recording length in seconds.")
@click.option("--channels", type=click.IntRange(min=1), default=8, show_default=True,
              help="Number of bipolar channels.")
@click.option("--snr-db", nargs=2, type=float, default=(0.0, 15.0), show_default=True,
              metavar="LO HI", help="Range of the per-event SNR in dB.")
@click.option("--subjects", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of recordings (sub-sim01, sub-sim02, ...).")
@click.option("--sfreq", type=click.FloatRange(min=0, min_open=True), default=2048.0, show_default=True,
              help="Sampling rate in Hz.")
@click.option("--line-noise", "line_noise", type=float, default=None, metavar="HZ",
              help="Add line noise at HZ (and harmonics).")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a SimulationConfig field, e.g. --set ripple_rate_per_min=10 "
                   "or --set n_cycles=4,10 (repeatable).")
def command(out_dir: str, seed: int, duration: float, channels: int, snr_db: tuple[float, float],
            subjects: int, sfreq: float, line_noise: float | None, overrides: tuple[str, ...]) -> None:
    """Write simulated EDF+ recordings and their truth events.tsv into OUT.

    Ripples, fast ripples, ripple+FR co-occurrences, interictal spikes and artifacts (the last
    two are not HFOs) on a 1/f background; see hfo_detect/simulate.py for the model and the
    SNR definition.
    """
    from pathlib import Path

    from hfo_detect.errors import OutputError
    from hfo_detect.events import EventTable
    from hfo_detect.simulate import subject_label, write_benchmark

    config = _config(overrides)
    try:
        out = write_benchmark(out_dir, seed=seed, n_subjects=subjects, duration_s=duration,
                              n_channels=channels, snr_db=tuple(snr_db), sfreq=sfreq,
                              line_noise_hz=line_noise, config=config, progress=subjects > 1)
    except ValueError as err:  # parameters the generator cannot honour (rates, sfreq, ranges)
        raise click.UsageError(str(err)) from None
    except OSError as err:
        raise OutputError(f"cannot write ({err.strerror})", getattr(err, "filename", None) or out_dir) from None
    click.echo(f"wrote {subjects} simulated recording(s) ({channels} ch x {duration:g} s at {sfreq:g} Hz, "
               f"seed {seed}) to {out}")
    for i in range(subjects):
        label = subject_label(i)
        stem = Path(out) / f"sub-{label}" / "ieeg" / f"sub-{label}_task-sim_run-01"
        events = EventTable.read(f"{stem}_events.tsv")
        counts = ", ".join(f"{n} {k}" for k, n in events.df["kind"].value_counts().sort_index().items())
        click.echo(f"  {stem}_ieeg.edf  truth: {stem.name}_events.tsv ({counts or 'no events'})")
