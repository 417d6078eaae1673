"""``hfo-detect encode``: filter bank + ADM, per-channel UP/DN event counts (and event times).

Writes per recording (``<stem>`` as for ``detect``, :func:`hfo_detect.outputs.output_stem`)
``<stem>_adm.tsv`` (columns ``channel, band, threshold_uv, n_up, n_down,
rate_hz``; ``rate_hz = (n_up + n_down) / duration``) and with ``--events``
``<stem>_adm_events.tsv`` (``channel, band, polarity, time_s``).
"""

from __future__ import annotations

from pathlib import Path

import click

from hfo_detect.commands._options import FiniteFloatRange
import numpy as np

from hfo_detect.atomic import atomic_write
from hfo_detect.channels import canonical_bipolar
from hfo_detect.errors import OutputError
from hfo_detect.outputs import ADM_EVENTS_SUFFIX, ADM_SUFFIX, output_stem


def adm_table(result, ch_names) -> "pandas.DataFrame":  # noqa: F821
    """One row per channel and band: threshold (at the whole-recording floor, and the range
    it spans where it follows the floor), UP/DN counts and event rate."""
    import pandas as pd

    counts = result.counts()  # (n_ch, n_bands, 2)
    lo, hi = result.threshold_range()
    rows = []
    for c, ch in enumerate(ch_names):
        for b, band in enumerate(result.band_names):
            n_up, n_dn = int(counts[c, b, 0]), int(counts[c, b, 1])
            rows.append({"channel": ch, "band": band,
                         "threshold_uv": round(float(result.thresholds[b, c]), 6),
                         "threshold_min_uv": round(float(lo[b, c]), 6),
                         "threshold_max_uv": round(float(hi[b, c]), 6), "n_up": n_up,
                         "n_down": n_dn, "rate_hz": (n_up + n_dn) / result.duration_s})
    return pd.DataFrame(rows, columns=["channel", "band", "threshold_uv", "threshold_min_uv",
                                       "threshold_max_uv", "n_up", "n_down", "rate_hz"])


def events_table(result, ch_names) -> "pandas.DataFrame":  # noqa: F821
    """One row per ADM event: channel, band, polarity (up|down), time_s."""
    import pandas as pd

    sp = result.spikes
    names = np.asarray(ch_names, dtype=object)
    bands = np.asarray(result.band_names, dtype=object)
    return pd.DataFrame({"channel": names[sp.channel] if len(sp) else [],
                         "band": bands[sp.source // 2] if len(sp) else [],
                         "polarity": np.where(sp.source % 2 == 0, "up", "down"),
                         "time_s": sp.times})


def _write(df, path: Path) -> None:
    atomic_write(path, lambda tmp: df.to_csv(tmp, sep="\t", index=False, float_format="%.9g"))


@click.command("encode")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if needed).")
@click.option("--preset", default="hfo256", show_default=True,
              help="Parameter preset (sharifhazileh2021, hfo256, burelo2021_ecog).")
@click.option("--montage", type=click.Choice(["bipolar", "as-is"]), default="bipolar",
              show_default=True, help="Neighbouring-contact pairs or the channels as they are.")
@click.option("--calibration", type=click.Choice(["whole", "first10s"]), default=None,
              help="Threshold rule (default: the preset's).")
@click.option("--encoder", type=click.Choice(["faithful", "continuous"]), default=None,
              help="ADM encoder (default: the preset's).")
@click.option("--events", is_flag=True, help="Also write every event time (<stem>_adm_events.tsv).")
@click.option("--chunk-s", default=10.0, show_default=True, type=FiniteFloatRange(min=0.01, max=3600.0),
              help="Seconds read at a time.")
def command(inputs, out_dir: Path, preset: str, montage: str, calibration, encoder, events: bool,
            chunk_s: float) -> None:
    """Filter bank + ADM on each INPUT: write per-channel UP/DOWN event counts."""
    from hfo_detect.config import get_preset, with_overrides
    from hfo_detect.frontend import encode_recording
    from hfo_detect.io import open_recording

    try:
        cfg = get_preset(preset)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--preset") from None
    if calibration:
        cfg = with_overrides(cfg, calibration__rule=calibration)
    if encoder:
        cfg = with_overrides(cfg, adm__encoder=encoder)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create the output folder: {err.strerror or err}", out_dir) from None
    for path in inputs:
        rec = open_recording(path, montage=montage)
        result = encode_recording(rec, cfg, chunk_s=chunk_s)
        stem = output_stem(path)  # the rule of detect's outputs (no "_ieeg")
        names = [canonical_bipolar(c) for c in rec.ch_names]  # as the event tables write them
        table = adm_table(result, names)
        _write(table, out_dir / f"{stem}{ADM_SUFFIX}")
        if events:
            _write(events_table(result, names), out_dir / f"{stem}{ADM_EVENTS_SUFFIX}")
        click.echo(f"{path}: {rec.n_channels} channels, {len(result.spikes)} ADM events "
                   f"-> {out_dir / (stem + ADM_SUFFIX)}")
