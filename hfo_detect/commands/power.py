"""``hfo-detect power DIR``: chip power estimate from the counts of a detection run."""

from __future__ import annotations

import json

import click


def _parse_overrides(pairs: tuple[str, ...]):
    from hfo_detect.commands._options import config_from_set_pairs
    from hfo_detect.power import PowerConfig

    return config_from_set_pairs(PowerConfig, pairs, nonnegative=True)


def format_table(est) -> str:
    """Plain-text summary: one line per recording, then the paper's figure."""
    from hfo_detect.power import PAPER_CHIP_TOTAL_UW

    lines = [f"{'recording':<32} {'ch':>3} {'chips':>5} {'static uW':>10} {'dynamic uW':>11} "
             f"{'total uW':>9} {'8-ch chip uW':>13} {'HFOs':>6} {'uJ/HFO':>8}"]
    for r in est.recordings.itertuples():
        e_hfo = f"{r.energy_per_hfo_uj:8.1f}" if r.energy_per_hfo_uj == r.energy_per_hfo_uj else "     n/a"
        n_hfo = f"{int(r.n_hfo):6d}" if r.n_hfo == r.n_hfo else "   n/a"
        lines.append(f"{r.recording[:32]:<32} {r.n_channels:>3} {r.n_chips:>5} {r.static_uw:10.1f} "
                     f"{r.dynamic_uw:11.2f} {r.total_uw:9.1f} {r.chip_8ch_uw:13.1f} {n_hfo} {e_hfo}")
    lines.append(f"paper (Sharifhazileh et al. 2021): {PAPER_CHIP_TOTAL_UW} uW for the whole 8-channel chip; "
                 "energies per event are recalled DYNAP-SE values (unverified), the static split is a "
                 "calibration to that total")
    return "\n".join(lines)


@click.command("power")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON (keys ending in _uw).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the JSON to this file.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a PowerConfig constant, e.g. --set synaptic_nj=0.5 (repeatable).")
def command(directory: str, as_json: bool, out: str | None, overrides: tuple[str, ...]) -> None:
    """Estimate the chip's power from the *_counts.tsv files in DIRECTORY."""
    from hfo_detect.power import estimate_dir

    est = estimate_dir(directory, _parse_overrides(overrides))
    payload = json.dumps(est.to_dict(), indent=2)
    if out:
        from pathlib import Path

        from hfo_detect.errors import OutputError

        try:
            Path(out).write_text(payload + "\n", encoding="utf-8")
        except OSError as err:
            raise OutputError(f"cannot write ({err.strerror})", out) from None
    click.echo(payload if as_json else format_table(est))
