"""``hfo-detect simulate``: write a synthetic BIDS-like benchmark with exact HFO ground truth."""

from __future__ import annotations

import click

from hfo_detect.commands._options import SEED, FiniteFloatRange


def _config(pairs: tuple[str, ...]):
    """``--set NAME=VALUE`` pairs -> SimulationConfig (ranges as ``LO,HI``)."""
    from hfo_detect.commands._options import config_from_set_pairs
    from hfo_detect.simulate import SimulationConfig

    # rates, amplitudes, durations and frequencies cannot be negative; only the SNR (dB) can
    return config_from_set_pairs(SimulationConfig, pairs, nonnegative=True, signed=("snr_db",),
                                 min_int=0, ordered=True)


#: samples per simulated recording held in memory at once [CHOICE: 4 GB of float64]
MAX_SAMPLES = 5e8


@click.command("simulate")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Output folder (BIDS-like; created).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed: same seed, identical files.")
@click.option("--duration", type=FiniteFloatRange(1.0, 86400.0), default=60.0, show_default=True,
              help="Recording length in seconds.")
@click.option("--channels", type=click.IntRange(1, 1024), default=8, show_default=True,
              help="Number of bipolar channels.")
@click.option("--snr-db", nargs=2, type=FiniteFloatRange(-60.0, 60.0), default=(0.0, 15.0), show_default=True,
              metavar="LO HI", help="Range of the per-event SNR in dB.")
@click.option("--subjects", type=click.IntRange(1, 10000), default=1, show_default=True,
              help="Number of recordings (sub-sim01, sub-sim02, ...).")
@click.option("--sfreq", type=FiniteFloatRange(min=0, max=100000.0, min_open=True), default=2048.0,
              show_default=True,
              help="Sampling rate in Hz.")
@click.option("--line-noise", "line_noise", type=FiniteFloatRange(min=0, min_open=True), default=None,
              metavar="HZ",
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

    if snr_db[0] > snr_db[1]:
        raise click.BadParameter(f"LO {snr_db[0]:g} is above HI {snr_db[1]:g}", param_hint="--snr-db")
    if line_noise is not None and line_noise >= sfreq / 2:
        raise click.BadParameter(f"{line_noise:g} Hz is not below the Nyquist frequency "
                                 f"({sfreq / 2:g} Hz)", param_hint="--line-noise")
    if duration * sfreq * channels > MAX_SAMPLES:
        raise click.BadParameter(f"{channels} channels x {duration:g} s x {sfreq:g} Hz is more than "
                                 f"{MAX_SAMPLES:.0e} samples per recording", param_hint="--duration")
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
