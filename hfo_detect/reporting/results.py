"""Read the outputs of ``hfo-detect detect`` from a folder.

A detection folder holds, per recording ``<stem>``: ``<stem>_events.tsv`` (BIDS events with a
``channel`` column), ``<stem>_counts.tsv`` (one row per channel) and ``<stem>_detect.json``
(source path, detector, parameters, version, sampling rate, duration, channels), plus
``manifest.jsonl`` when the batch runner wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hfo_detect.errors import CorruptFileError, HFODetectError

COUNTS_SUFFIX = "_counts.tsv"
EVENTS_SUFFIX = "_events.tsv"
META_SUFFIX = "_detect.json"


@dataclass
class DetectionResult:
    """The outputs of one recording in a detection folder.

    Attributes
    ----------
    stem : str
        Output name stem (``<stem>_events.tsv``).
    counts : DataFrame or None
        Per-channel counts table.
    events : DataFrame or None
        Events table (BIDS columns ``onset``, ``duration``, ``channel``, ...).
    meta : dict
        Contents of ``<stem>_detect.json`` (empty when absent).
    folder : Path or None
        The detection folder.
    """

    stem: str
    folder: Path | None = None
    counts: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        """Recorded duration from the metadata, else from the counts table."""
        for key in ("duration_s", "duration"):
            if self.meta.get(key) is not None:
                return float(self.meta[key])
        if self.counts is not None and "duration_s" in self.counts.columns and len(self.counts):
            return float(self.counts["duration_s"].max())
        return None

    @property
    def events_path(self) -> Path | None:
        """Path of ``<stem>_events.tsv`` when it exists."""
        if self.folder is None:
            return None
        path = self.folder / f"{self.stem}{EVENTS_SUFFIX}"
        return path if path.is_file() else None

    @property
    def source(self) -> str | None:
        """Path of the source recording, when the metadata names it."""
        for key in ("source", "source_path", "input", "path"):
            if self.meta.get(key):
                return str(self.meta[key])
        return None


def _read_tsv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep="\t", keep_default_na=True, na_values=["n/a"])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise CorruptFileError(f"cannot read table ({type(err).__name__})", path) from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CorruptFileError(f"invalid JSON ({err.msg if hasattr(err, 'msg') else err})", path) from None


def read_detection_dir(path: str | Path) -> list[DetectionResult]:
    """All recordings found in a detection folder, sorted by stem.

    Raises
    ------
    HFODetectError
        The folder does not exist or holds no ``*_counts.tsv`` / ``*_events.tsv``.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise HFODetectError("not a folder (expected the output folder of hfo-detect detect)", folder)
    stems: set[str] = set()
    for suffix in (COUNTS_SUFFIX, EVENTS_SUFFIX, META_SUFFIX):
        stems.update(p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}") if p.is_file())
    if not stems:
        raise HFODetectError("no detection outputs (*_counts.tsv, *_events.tsv) found", folder)
    results = []
    for stem in sorted(stems):
        res = DetectionResult(stem, folder)
        if (folder / f"{stem}{COUNTS_SUFFIX}").is_file():
            res.counts = _read_tsv(folder / f"{stem}{COUNTS_SUFFIX}")
        if (folder / f"{stem}{EVENTS_SUFFIX}").is_file():
            res.events = _read_tsv(folder / f"{stem}{EVENTS_SUFFIX}")
        if (folder / f"{stem}{META_SUFFIX}").is_file():
            res.meta = _read_json(folder / f"{stem}{META_SUFFIX}")
        results.append(res)
    return results
