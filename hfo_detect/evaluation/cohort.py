"""Read a cohort for outcome prediction: per-interval events files, participants, resected channels.

* events folder: BIDS-named files ``sub-<label>_..._events.tsv`` (searched recursively), one per
  interval; the participant is the ``sub-<label>`` entity of the file name. The interval length is
  ``RecordingDuration`` of the sibling ``*_ieeg.json`` when present, else ``default_duration_s``
  (only the reported rates depend on it: the HFO area compares channels within an interval).
* ``participants.tsv``: columns ``participant_id`` and ``outcome`` (``S``/``F``, ILAE 1-6, ``NR``).
* ``resected.tsv``: columns ``participant_id`` and ``channel`` (one row per resected contact or
  bipolar channel).
Participant ids are compared without the ``sub-`` prefix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from hfo_detect.errors import AnnotationError, HFODetectError
from hfo_detect.evaluation.rates import hfo_rates

_SUB = re.compile(r"(?:^|_)sub-([A-Za-z0-9]+)")


def participant_label(value: str) -> str:
    """``"sub-01"`` -> ``"01"``; ``"01"`` stays."""
    s = str(value).strip()
    return s[4:] if s.lower().startswith("sub-") else s


def _read_tsv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise HFODetectError("file not found", path)
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise AnnotationError(f"cannot read table ({err})", path) from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise AnnotationError(f"missing column(s) {', '.join(missing)}; got {', '.join(df.columns)}", path)
    return df


def read_participants(path: str | Path) -> dict[str, str]:
    """participant label -> outcome cell."""
    df = _read_tsv(Path(path), ("participant_id", "outcome"))
    return {participant_label(p): o.strip() for p, o in zip(df["participant_id"], df["outcome"])}


def read_resected(path: str | Path) -> dict[str, list[str]]:
    """participant label -> resected channel / contact names."""
    df = _read_tsv(Path(path), ("participant_id", "channel"))
    out: dict[str, list[str]] = {}
    for p, c in zip(df["participant_id"], df["channel"]):
        if c.strip():
            out.setdefault(participant_label(p), []).append(c.strip())
    return out


def interval_duration(events_file: Path, default_s: float) -> float:
    """``RecordingDuration`` of the sibling ``*_ieeg.json``, else ``default_s``."""
    stem = events_file.name[: -len("_events.tsv")] if events_file.name.endswith("_events.tsv") else events_file.stem
    sidecar = events_file.with_name(stem + "_ieeg.json")
    if sidecar.is_file():
        try:
            value = float(json.loads(sidecar.read_text()).get("RecordingDuration", 0) or 0)
        except (ValueError, json.JSONDecodeError):
            value = 0.0
        if value > 0:
            return value
    return default_s


def load_interval_rates(events_dir: str | Path, kind: str = "frandr",
                        default_duration_s: float = 300.0) -> dict[str, pd.DataFrame]:
    """participant label -> rate matrix (rows = interval files, columns = channels, events/min)."""
    from hfo_detect.events import EventTable

    folder = Path(events_dir)
    if not folder.is_dir():
        raise HFODetectError("events folder not found", folder)
    per_sub: dict[str, dict[str, pd.Series]] = {}
    for f in sorted(folder.rglob("*_events.tsv")):
        m = _SUB.search(f.name)
        if m is None:
            continue
        rates = hfo_rates(EventTable.read(f), interval_duration(f, default_duration_s), kind=kind)
        per_sub.setdefault(m.group(1), {})[f.name] = rates
    if not per_sub:
        raise AnnotationError("no sub-<label>_..._events.tsv file found", folder)
    return {sub: pd.DataFrame(ivals).T.fillna(0.0) if any(len(s) for s in ivals.values())
            else pd.DataFrame(index=list(ivals)) for sub, ivals in per_sub.items()}
