"""``hfo-detect info FILE``: what a recording holds and which channels detection would use."""

from __future__ import annotations

import json

import click


def describe(path, montage: str = "bipolar") -> dict:
    """Summary of a recording as a plain dict (what ``info --json`` prints).

    Keys: path, format, sfreq_hz, duration_s, n_times, n_source_channels,
    source_channels (name and MNE type), montage, n_channels, channels (output names),
    pairs (anode, cathode or null).
    """
    from hfo_detect.io import open_recording
    from hfo_detect.io.readers import mixed_rates

    rec = open_recording(path, montage=montage, on_flat="ignore")
    raw = rec._raw  # the source as read, for the monopolar channel list
    return {
        "path": str(rec.path),
        "format": rec.format,
        "sfreq_hz": rec.sfreq,
        "duration_s": rec.duration_s,
        "n_times": rec.n_times,
        "n_source_channels": len(raw.ch_names),
        "source_channels": [{"name": n, "type": t} for n, t in zip(raw.ch_names, raw.get_channel_types())],
        "montage": montage,
        "n_channels": rec.n_channels,
        "channels": rec.ch_names,
        "pairs": [list(p) for p in rec.ch_pairs],
        # channel -> rate it was recorded at, when the file mixes rates ({} otherwise); only
        # the channels at sfreq_hz are used (the others are left out, not upsampled)
        "recorded_rates_hz": mixed_rates(rec.path) if rec.path is not None else {},
    }


@click.command("info")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--montage",
    type=click.Choice(["bipolar", "as-is"]),
    default="bipolar",
    show_default=True,
    help="Channels detection would use: neighbouring-contact pairs or the channels as they are.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
def command(file: str, montage: str, as_json: bool) -> None:
    """Show channels, sampling rate, duration and bipolar pairs of a recording FILE."""
    info = describe(file, montage)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    sources = ", ".join(f"{c['name']}" for c in info["source_channels"])
    lines = [
        f"path:       {info['path']}",
        f"format:     {info['format']}",
        f"sfreq:      {info['sfreq_hz']:g} Hz",
        *([f"rates:      MIXED in file: "
           + ", ".join(f"{n} {r:g} Hz" for n, r in info["recorded_rates_hz"].items())
           + f"; only channels at {info['sfreq_hz']:g} Hz are used"] if info["recorded_rates_hz"] else []),
        f"duration:   {info['duration_s']:.3f} s ({info['n_times']} samples)",
        f"channels:   {info['n_source_channels']} in file: {sources}",
        f"montage:    {montage} -> {info['n_channels']} channels",
    ]
    for name, (anode, cathode) in zip(info["channels"], info["pairs"]):
        lines.append(f"  {name}" if cathode is None else f"  {name}  ({anode} minus {cathode})")
    click.echo("\n".join(lines))
