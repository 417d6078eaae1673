"""What a detection folder holds, as the review app needs it.

:func:`read_run` is the ONE place where the review app reads the outputs of ``hfo-detect detect``
(events, ``<stem>_detect.json``, ``manifest.jsonl``, kept ADM events/spikes), all through
:mod:`hfo_detect.outputs`, the module that owns a run's file names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hfo_detect import outputs
from hfo_detect.errors import HFODetectError, MissingFileError
from hfo_detect.events import EventTable


@dataclass
class RunRecording:
    """One recording of a detection run.

    Attributes
    ----------
    stem : str
        Output name stem (``<stem>_events.tsv``).
    events : DataFrame
        The detector's events in file order, with an ``event_id`` column (``e00000``, ... = row
        of the detector's file; stable because that file is never rewritten by the review).
    source : Path
        The recording file.
    montage : str, list of (str, str) or None
        Montage the detector used (``"as-is"``, ``"bipolar"`` or pairs); None when the run did
        not record it.
    channels : list of str
        Channels the detector ran on.
    spikes : Path or None
        Per-recording file of ADM events and output spikes, when the run kept them.
    """

    stem: str
    folder: Path
    events: pd.DataFrame
    source: Path
    montage: Any = None
    channels: list[str] = field(default_factory=list)
    spikes: Path | None = None


def _manifest_sources(folder: Path) -> dict[str, str]:
    """stem -> input path from ``manifest.jsonl`` (batch runs), latest record wins."""
    path = folder / outputs.MANIFEST
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:  # a torn last line of a killed batch
            continue
        if rec.get("stem") and rec.get("input"):
            out[str(rec["stem"])] = str(rec["input"])
    return out


def _kept_spikes(res) -> Path | None:
    """The run's kept ADM events / hidden and output spikes (``detect --keep-spikes``), if any."""
    return res.path("spikes")


def read_spikes(path: Path) -> outputs.RunSpikes:
    """Read a kept-spikes file (``.of(population, channel, t0, t1)`` gives a window's spikes)."""
    return outputs.read_spikes(path)


def _with_ids(events: pd.DataFrame | None) -> pd.DataFrame:
    """Detector events with canonical kinds/channels and a stable ``event_id`` per file row."""
    if events is None or not len(events):
        cols = ["event_id", "onset", "duration", "channel", "kind"]
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("onset", "duration") else object) for c in cols})
    df = events.copy()
    if "kind" not in df.columns and "trial_type" in df.columns:
        df["kind"] = df["trial_type"]
    df["event_id"] = [f"e{i:05d}" for i in range(len(df))]
    canon = EventTable(df[["onset", "duration", "channel", "kind", "event_id"]]).df
    # EventTable sorts rows; bring them back to file order through the ids
    return canon.set_index("event_id").loc[df["event_id"]].reset_index()


def read_run(results_dir: str | Path, recording: str | Path | None = None) -> list[RunRecording]:
    """The recordings of a detection folder, each with its detector events and source file.

    Parameters
    ----------
    results_dir : path
        Output folder of ``hfo-detect detect`` (or ``batch``).
    recording : path, optional
        The recording file, overriding the path the run recorded (a folder with several
        recordings: applied to the one whose stem matches the file name).

    Raises
    ------
    HFODetectError
        No detection outputs in the folder; a recording that is neither where the run recorded
        it nor given with ``--recording``.
    """
    folder = Path(results_dir)
    results = [r for r in outputs.read_run(folder) if r.events is not None or r.meta]
    if not results:
        raise HFODetectError("no detection outputs (*_events.tsv) found", folder)
    manifest = _manifest_sources(folder)
    override = Path(recording) if recording is not None else None
    if override is not None and not override.exists():
        raise MissingFileError("recording not found", override)
    runs = []
    for res in results:
        source = res.source or manifest.get(res.stem)
        if override is not None and (len(results) == 1 or override.stem.startswith(res.stem)
                                     or res.stem.startswith(override.stem)):
            source = str(override)
        if source is None:
            raise HFODetectError(f"{res.stem}_detect.json does not name the recording; pass --recording FILE",
                                 folder)
        src = Path(source)
        if not src.is_absolute() and not src.exists():
            src = (folder / src) if (folder / src).exists() else src
        if not src.exists():
            raise MissingFileError(f"recording of {res.stem} not found (moved?); pass --recording FILE", src)
        montage = res.meta.get("montage")  # None (an older run): the window reader finds it
        if isinstance(montage, list):
            montage = [tuple(p) for p in montage]
        runs.append(RunRecording(stem=res.stem, folder=folder, events=_with_ids(res.events), source=src,
                                 montage=montage, channels=list(res.meta.get("channels") or []),
                                 spikes=_kept_spikes(res)))
    return runs
