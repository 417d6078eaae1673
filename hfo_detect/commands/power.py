"""``hfo-detect power DIR``: chip power estimate from the counts of a detection run."""

from __future__ import annotations

import json

import click


def _parse_overrides(pairs: tuple[str, ...]):
    from hfo_detect.commands._options import config_from_set_pairs
    from hfo_detect.power import PowerConfig

    return config_from_set_pairs(PowerConfig, pairs, nonnegative=True)


def format_table(est) -> str:
    """Plain-text summary: one line per recording (full names, plain uW numbers), then the rule
    that maps channels onto chips and the paper's figure."""
    from hfo_detect.power import PAPER_CHIP_TOTAL_UW, chip_rule

    recs = est.recordings
    width = max([len("recording")] + [len(str(r)) for r in recs["recording"]])
    lines = [f"{'recording':<{width}} {'ch':>3} {'chips':>5} {'static uW':>10} {'dynamic uW':>11} "
             f"{'total uW':>10} {'8-ch chip uW':>12} {'HFOs':>6} {'uJ/HFO':>8}"]
    for r in recs.itertuples():
        e_hfo = f"{r.energy_per_hfo_uj:8.1f}" if r.energy_per_hfo_uj == r.energy_per_hfo_uj else "     n/a"
        n_hfo = f"{int(r.n_hfo):6d}" if r.n_hfo == r.n_hfo else "   n/a"
        lines.append(f"{r.recording:<{width}} {r.n_channels:>3} {r.n_chips:>5} {r.static_uw:10.1f} "
                     f"{r.dynamic_uw:11.2f} {r.total_uw:10.1f} {r.chip_8ch_uw:12.1f} {n_hfo} {e_hfo}")
    hidden = sorted({int(h) for h in recs["n_hidden"] if h == h and h > 0}) if "n_hidden" in recs else []
    lines.append(chip_rule(est.config, hidden[0] if len(hidden) == 1 else None) + ".")
    lines.append(f"8-ch chip uW: one chip with all {est.config.channels_per_chip} headstage channels at "
                 "the recording's mean per-channel activity, comparable to the paper's chip.")
    lines.append(f"paper (Sharifhazileh et al. 2021): {PAPER_CHIP_TOTAL_UW} uW for the whole 8-channel "
                 "chip; energies per event are recalled DYNAP-SE values (unverified), the static split "
                 "is a calibration to that total")
    return "\n".join(lines)


def estimate_run_folder(directory: str, cfg=None):
    """Power estimate of every recording of a run folder (or of its ``detections/``)."""
    from hfo_detect.errors import HFODetectError
    from hfo_detect.outputs import COUNTS_SUFFIX, find_run_folder, read_run
    from hfo_detect.power import estimate_recordings

    folder = find_run_folder(directory)
    results = [r for r in read_run(folder) if r.counts is not None]
    if not results:
        raise HFODetectError(f"no *{COUNTS_SUFFIX} found (run hfo-detect detect first)", directory)
    from hfo_detect.power import estimate_power

    for r in results:  # a bad table is named by its file, not only by the recording's stem
        try:
            estimate_power(r.counts, r.duration_s, cfg, recording=r.stem)
        except HFODetectError as err:
            raise HFODetectError(err.problem, folder / f"{r.stem}{COUNTS_SUFFIX}") from None
    return estimate_recordings([(r.stem, r.counts, r.duration_s) for r in results], cfg)


@click.command("power")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON (keys ending in _uw).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the JSON to this file.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a PowerConfig constant, e.g. --set synaptic_nj=0.5 (repeatable).")
def command(directory: str, as_json: bool, out: str | None, overrides: tuple[str, ...]) -> None:
    """Estimate the chip's power from the *_counts.tsv files of a detect run in DIRECTORY
    (or in DIRECTORY/detections, the layout hfo-detect demo writes)."""
    est = estimate_run_folder(directory, _parse_overrides(overrides))
    payload = json.dumps(est.to_dict(), indent=2)
    if out:
        from hfo_detect.atomic import atomic_write_text

        atomic_write_text(out, payload + "\n")
    click.echo(payload if as_json else format_table(est))
