"""Pair detection files with reference files by recording name.

The recording name of an events file is its file name without the extension and without
trailing suffixes that say *what* the file holds rather than *which recording* it is:
``_events``, ``_ieeg``, ``_eeg``, ``_hfo``, ``_detections``, ``_truth``, ``_marks``, and BIDS
entities that name a derivative (``desc-*``, ``det-*``, ``detector-*``). So
``sub-01_ses-x_run-01_desc-snn_events.tsv`` and ``sub-01_ses-x_run-01_events.tsv`` both become
``sub-01_ses-x_run-01``.
"""

from __future__ import annotations

from pathlib import Path

from hfo_detect.errors import AnnotationError

_SUFFIXES = {"events", "ieeg", "eeg", "hfo", "hfos", "detections", "truth", "marks", "annotations"}
_ENTITIES = ("desc-", "det-", "detector-")
_EXTENSIONS = (".tsv", ".csv", ".txt")


def recording_key(path: str | Path) -> str:
    """Recording name of an events file (see module docstring)."""
    name = Path(path).name
    for ext in _EXTENSIONS:
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    parts = [p for p in name.split("_") if p]
    kept = [p for p in parts if p.lower() not in _SUFFIXES and not p.lower().startswith(_ENTITIES)]
    return "_".join(kept) or name


def list_event_files(folder: Path) -> list[Path]:
    """Events files under ``folder`` (recursive): the ``*events.tsv`` files when there are any,
    else every ``*.tsv`` except BIDS sidecars and our per-run count tables."""
    files = [p for p in sorted(folder.rglob("*.tsv")) if p.is_file()]
    events = [p for p in files if p.name.endswith("events.tsv")]
    if events:
        return events
    skip = ("_channels.tsv", "_electrodes.tsv", "_scans.tsv", "_sessions.tsv", "participants.tsv", "_counts.tsv")
    return [p for p in files if not p.name.endswith(skip)]


def pair_files(detected: str | Path, reference: str | Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """Pairs ``(recording, detected_file, reference_file)`` and notes about unpaired files.

    Two files are always paired with each other, and so are a file and a folder that holds one
    events file (or two such folders). Otherwise the files are paired by recording name: a file
    with the folder's file of the same name; two folders: all recordings found on both sides.

    Raises
    ------
    AnnotationError
        A path does not exist, a folder holds no events file, or nothing pairs.
    """
    detected, reference = Path(detected), Path(reference)
    for p in (detected, reference):
        if not p.exists():
            raise AnnotationError("no such file or folder", p)
    if detected.is_file() and reference.is_file():
        return [(recording_key(reference), detected, reference)], []

    def index(p: Path) -> dict[str, Path]:
        files = [p] if p.is_file() else list_event_files(p)
        if not files:
            raise AnnotationError("folder holds no events .tsv file", p)
        out: dict[str, Path] = {}
        for f in files:
            out.setdefault(recording_key(f), f)
        return out

    det, ref = index(detected), index(reference)
    if len(det) == 1 and len(ref) == 1:  # one recording on each side: nothing to choose
        (kd, fd), (_, fr) = next(iter(det.items())), next(iter(ref.items()))
        return [(kd, fd, fr)], []
    common = sorted(set(det) & set(ref))
    if not common:
        raise AnnotationError(
            f"no recording name in common with {reference} (detected: {', '.join(sorted(det)[:3])}; "
            f"reference: {', '.join(sorted(ref)[:3])})", detected)
    notes = [f"detected file without reference: {det[k].name}" for k in sorted(set(det) - set(ref))]
    notes += [f"reference file without detections: {ref[k].name}" for k in sorted(set(ref) - set(det))]
    return [(k, det[k], ref[k]) for k in common], notes
