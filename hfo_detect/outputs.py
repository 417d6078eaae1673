"""The outputs of a detection run: their names, writing, reading, and pairing with references.

This module is the one owner of a run's file layout; the runner, the batch runner, ``report``,
``score``, ``power`` and the review app all go through it.

Layout of a run folder ``OUT``, per recording ``<stem>``:

``<stem>_events.tsv``
    BIDS events (``onset, duration, trial_type, channel, kind, ...``), see
    :meth:`hfo_detect.events.EventTable.to_bids_tsv`.
``<stem>_counts.tsv``
    One row per channel. Network: ``channel, adm_events, adm_<stream>..., synaptic_events,
    hidden_spikes, n_hfo, hfo_per_min, duration_s, n_hidden, n_synapses``; baselines:
    ``channel, n_hfo, hfo_per_min, duration_s``. ``n_hfo`` counts distinct HFOs (a ripple and a
    fast ripple that overlap on one channel are one HFO, :func:`hfo_detect.events.count_hfo`).
``<stem>_detect.json``
    The run record: source path, detector, montage, full parameters and config, software
    version, sampling rate, ``n_times``, ``duration_s`` (= ``n_times / sfreq``, the span every
    score and rate of this recording uses), channels and count totals.
``<stem>_spikes.npz`` (only with ``detect --keep-spikes``)
    The spikes of the run itself, as a NumPy ``.npz`` archive (no pickled objects): ``channels``
    (str, the run's channel names) and, for each spike population ``P`` the detector kept
    (``adm``: ADM UP/DOWN events; ``hidden``: hidden-layer spikes; ``output`` where the readout
    has an output layer), ``P_time_s`` (float64, seconds from the recording start), ``P_channel``
    (int32, index into ``channels``), ``P_source`` (int32: ADM stream or neuron index) and
    ``P_source_names`` (str, names of the ADM streams such as ``ripple_up``; empty for neurons).
``manifest.jsonl``
    One JSON line per recording and attempt, written by :mod:`hfo_detect.batch`.

``<stem>`` is the recording's file name without extension and without a trailing BIDS data
suffix (``_ieeg``, ``_eeg``, ``_meg``), so ``sub-01_run-01_ieeg.vhdr`` gives the BIDS-conformant
``sub-01_run-01_events.tsv`` [CHOICE].

Pairing with reference marks (:func:`recording_key`, :func:`pair_files`,
:func:`references_for_run`): a recording and a reference events file belong together when
their *recording names* are equal, i.e. the file names without extension and without the
suffixes and derivative entities that say what a file holds (``_events``, ``_truth``,
``desc-*`` ...). Names are compared whole, never as prefixes, so ``sub-01_run-1`` never takes
the marks of ``sub-01_run-10``. Only when both sides hold exactly one recording are the two
paired whatever their names.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from hfo_detect.atomic import atomic_write, atomic_write_text
from hfo_detect.errors import AnnotationError, CorruptFileError, HFODetectError

EVENTS_SUFFIX = "_events.tsv"
COUNTS_SUFFIX = "_counts.tsv"
RECORD_SUFFIX = "_detect.json"
SPIKES_SUFFIX = "_spikes.npz"
MANIFEST = "manifest.jsonl"
#: outputs of ``hfo-detect encode`` (ADM counts per channel and band; every ADM event)
ADM_SUFFIX = "_adm.tsv"
ADM_EVENTS_SUFFIX = "_adm_events.tsv"
#: output kind -> file-name suffix (``spikes`` only with ``--keep-spikes``)
SUFFIXES = {"events": EVENTS_SUFFIX, "counts": COUNTS_SUFFIX, "json": RECORD_SUFFIX,
            "spikes": SPIKES_SUFFIX}
#: files every finished recording has
REQUIRED = ("events", "counts", "json")

_BIDS_DATA_SUFFIX = re.compile(r"_(ieeg|eeg|meg)$")


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------


def output_stem(path: str | os.PathLike) -> str:
    """Stem of the output files of the recording at ``path`` (see the module docstring)."""
    p = Path(path)
    name = p.name.rstrip("/")
    if p.is_dir():  # e.g. a CTF .ds folder
        stem = name.split(".")[0] if "." in name else name
    else:
        stem = p.stem
    return _BIDS_DATA_SUFFIX.sub("", stem)


def output_paths(out_dir: str | os.PathLike, stem: str) -> dict[str, Path]:
    """``{"events", "counts", "json", "spikes"}`` -> path of that output of ``stem``."""
    out = Path(out_dir)
    return {kind: out / f"{stem}{suffix}" for kind, suffix in SUFFIXES.items()}


def existing_outputs(out_dir: str | os.PathLike, stem: str) -> list[str]:
    """Names (relative to ``out_dir``) of the outputs of ``stem`` that exist."""
    return sorted(p.name for p in output_paths(out_dir, stem).values() if p.is_file())


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Plain JSON types (numpy scalars and arrays, tuples, paths) for run records."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def write_spikes(path: str | os.PathLike, spikes: Mapping[str, Any], channels) -> Path:
    """Write the spike populations of a run (``{"adm": SpikeTrains, "hidden": ...}``) as ``.npz``.

    Parameters
    ----------
    path : path-like
        ``<stem>_spikes.npz``.
    spikes : mapping of str to SpikeTrains
        Population name -> spikes (``times``, ``channel``, ``source``, ``source_names``).
    channels : sequence of str
        The run's channel names (``P_channel`` indexes them).
    """
    arrays: dict[str, np.ndarray] = {"channels": np.asarray([str(c) for c in channels], dtype=str)}
    for name, train in spikes.items():
        if train is None:
            continue
        arrays[f"{name}_time_s"] = np.asarray(train.times, dtype=np.float64)
        arrays[f"{name}_channel"] = np.asarray(train.channel, dtype=np.int32)
        arrays[f"{name}_source"] = np.asarray(train.source, dtype=np.int32)
        arrays[f"{name}_source_names"] = np.asarray(
            [str(s) for s in (getattr(train, "source_names", ()) or ())], dtype=str)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: savez would append ".npz" to a name
            np.savez_compressed(fh, **arrays)

    return atomic_write(path, write)


@dataclass
class RunSpikes:
    """The spikes of one recording read back from ``<stem>_spikes.npz``.

    Attributes
    ----------
    channels : list of str
    populations : dict
        Population name (``adm``, ``hidden``, ``output``) -> DataFrame with columns
        ``time_s, channel, source`` (``channel`` as a name) and ``source_name`` (ADM streams).
    source_names : dict
        Population name -> names of its sources in index order (empty for neurons).
    """

    channels: list[str]
    populations: dict[str, pd.DataFrame]
    source_names: dict[str, list[str]] = field(default_factory=dict)

    def of(self, population: str, channel: str, start_s: float = -np.inf,
           stop_s: float = np.inf) -> pd.DataFrame:
        """Spikes of one population and channel in ``[start_s, stop_s)``."""
        df = self.populations.get(population)
        if df is None:
            return pd.DataFrame(columns=["time_s", "channel", "source", "source_name"])
        keep = (df["channel"] == channel) & (df["time_s"] >= start_s) & (df["time_s"] < stop_s)
        return df[keep]


def read_spikes(path: str | os.PathLike) -> RunSpikes:
    """Read ``<stem>_spikes.npz`` (see the module docstring)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, KeyError) as err:
        raise CorruptFileError(f"cannot read spikes ({type(err).__name__})", path) from None
    channels = [str(c) for c in arrays.get("channels", np.empty(0, dtype=str))]
    pops, names = {}, {}
    for key in arrays:
        if not key.endswith("_time_s"):
            continue
        name = key[: -len("_time_s")]
        ch = arrays[f"{name}_channel"].astype(int)
        src = arrays[f"{name}_source"].astype(int)
        src_names = [str(s) for s in arrays.get(f"{name}_source_names", [])]
        names[name] = src_names
        pops[name] = pd.DataFrame({
            "time_s": arrays[key],
            "channel": np.asarray(channels, dtype=object)[ch] if len(ch) else np.empty(0, object),
            "source": src,
            "source_name": (np.asarray(src_names, dtype=object)[src] if src_names and len(src)
                            else np.full(len(src), "", dtype=object)),
        })
    return RunSpikes(channels, pops, names)


def write_run_outputs(out_dir: str | os.PathLike, stem: str, *, events, counts: pd.DataFrame,
                      record: dict[str, Any], spikes: Mapping[str, Any] | None = None,
                      channels=None) -> dict[str, Path]:
    """Write the outputs of one recording; return ``{"events", "counts", "json"[, "spikes"]}``.

    The run record is written last, so a run folder with a ``<stem>_detect.json`` holds all
    that recording's other outputs. Each file is written atomically.
    """
    paths = output_paths(out_dir, stem)
    written = {k: paths[k] for k in REQUIRED}
    if spikes is not None:
        written["spikes"] = paths["spikes"]
    record = dict(record, outputs={k: p.name for k, p in written.items()})
    events.to_bids_tsv(paths["events"])
    atomic_write_text(paths["counts"], counts.to_csv(sep="\t", index=False, na_rep="n/a",
                                                     lineterminator="\n"))
    if spikes is not None:
        write_spikes(paths["spikes"], spikes, channels if channels is not None else record["channels"])
    else:
        paths["spikes"].unlink(missing_ok=True)  # a rerun without --keep-spikes: no stale spikes
    atomic_write_text(paths["json"], json.dumps(jsonable(record), indent=2) + "\n")
    return written


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _read_tsv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep="\t", keep_default_na=True, na_values=["n/a"])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise CorruptFileError(f"cannot read table ({type(err).__name__})", path) from None


def read_record(path: str | os.PathLike) -> dict[str, Any]:
    """A ``<stem>_detect.json`` run record."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CorruptFileError(f"invalid JSON ({getattr(err, 'msg', err)})", path) from None
    if not isinstance(data, dict):
        raise CorruptFileError("invalid run record (not a JSON object)", path)
    return data


@dataclass
class DetectionResult:
    """The outputs of one recording in a run folder.

    Attributes
    ----------
    stem : str
        Output name stem.
    folder : Path or None
        The run folder.
    counts : DataFrame or None
        Per-channel counts table.
    events : DataFrame or None
        Events table (BIDS columns ``onset``, ``duration``, ``channel``, ...).
    meta : dict
        The run record ``<stem>_detect.json`` (empty when absent).
    """

    stem: str
    folder: Path | None = None
    counts: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def path(self, kind: str) -> Path | None:
        """Path of one output (``events``, ``counts``, ``json``, ``spikes``) when it exists."""
        if self.folder is None:
            return None
        p = output_paths(self.folder, self.stem)[kind]
        return p if p.is_file() else None

    @property
    def duration_s(self) -> float | None:
        """The scored span of the recording: ``n_times / sfreq`` from the run record, else the
        counts table's ``duration_s`` (the same value)."""
        for key in ("duration_s", "duration"):
            if self.meta.get(key) is not None:
                return float(self.meta[key])
        if self.counts is not None and "duration_s" in self.counts.columns and len(self.counts):
            return float(self.counts["duration_s"].max())
        return None

    @property
    def channels(self) -> list[str]:
        """The recording's channels (run record, else counts table)."""
        if self.meta.get("channels"):
            return [str(c) for c in self.meta["channels"]]
        if self.counts is not None and "channel" in self.counts.columns:
            return [str(c) for c in self.counts["channel"]]
        return []

    @property
    def events_path(self) -> Path | None:
        return self.path("events")

    @property
    def source(self) -> str | None:
        """Path of the source recording, when the run record names it."""
        value = self.meta.get("source")
        return str(value) if value else None

    def event_table(self):
        """The events as an :class:`~hfo_detect.events.EventTable` (empty when absent)."""
        from hfo_detect.events import EventTable

        path = self.events_path
        return EventTable.read(path) if path is not None else EventTable.empty()

    def spikes(self) -> RunSpikes | None:
        """The run's own spikes (``detect --keep-spikes``), or None."""
        path = self.path("spikes")
        return read_spikes(path) if path is not None else None


def read_run(path: str | os.PathLike) -> list[DetectionResult]:
    """All recordings of a run folder, sorted by stem.

    Raises
    ------
    HFODetectError
        The folder does not exist or holds no detection outputs.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise HFODetectError("not a folder (expected the output folder of hfo-detect detect)", folder)
    stems: set[str] = set()
    for suffix in (COUNTS_SUFFIX, EVENTS_SUFFIX, RECORD_SUFFIX):
        stems.update(p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}") if p.is_file())
    if not stems:
        raise HFODetectError(f"no detection outputs (*{COUNTS_SUFFIX}, *{EVENTS_SUFFIX}) found",
                             folder)
    results = []
    for stem in sorted(stems):
        paths = output_paths(folder, stem)
        res = DetectionResult(stem, folder)
        if paths["counts"].is_file():
            res.counts = _read_tsv(paths["counts"])
        if paths["events"].is_file():
            res.events = _read_tsv(paths["events"])
        if paths["json"].is_file():
            res.meta = read_record(paths["json"])
        results.append(res)
    return results


def find_run_folder(path: str | os.PathLike) -> Path:
    """``path`` when it holds run outputs, else its ``detections/`` sub-folder (the layout
    ``hfo-detect demo`` writes) when that one does."""
    folder = Path(path)
    for candidate in (folder, folder / "detections"):
        if candidate.is_dir() and any(candidate.glob(f"*{COUNTS_SUFFIX}")):
            return candidate
    return folder


# --------------------------------------------------------------------------------------
# Pairing with reference marks
# --------------------------------------------------------------------------------------

_NAME_SUFFIXES = {"events", "ieeg", "eeg", "meg", "hfo", "hfos", "detections", "truth", "marks",
                  "annotations"}
_DERIVATIVE_ENTITIES = ("desc-", "det-", "detector-")
_TABLE_EXTENSIONS = (".tsv", ".csv", ".txt")
_NOT_EVENTS = ("_channels.tsv", "_electrodes.tsv", "_scans.tsv", "_sessions.tsv",
               "participants.tsv", COUNTS_SUFFIX)


def recording_key(path: str | os.PathLike) -> str:
    """Recording name of an events file or a run stem (see the module docstring)."""
    name = Path(path).name
    for ext in _TABLE_EXTENSIONS:
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    parts = [p for p in name.split("_") if p]
    kept = [p for p in parts if p.lower() not in _NAME_SUFFIXES
            and not p.lower().startswith(_DERIVATIVE_ENTITIES)]
    return "_".join(kept) or name


def list_event_files(folder: str | os.PathLike) -> list[Path]:
    """Events files under ``folder`` (recursive): the ``*events.tsv`` files when there are any,
    else every other .tsv except BIDS sidecars and our count tables."""
    files = [p for p in sorted(Path(folder).rglob("*.tsv")) if p.is_file()]
    events = [p for p in files if p.name.endswith("events.tsv")]
    if events:
        return events
    return [p for p in files if not p.name.endswith(_NOT_EVENTS)]


def _index(p: Path) -> dict[str, Path]:
    files = [p] if p.is_file() else list_event_files(p)
    if not files:
        raise AnnotationError("folder holds no events .tsv file", p)
    out: dict[str, Path] = {}
    for f in files:
        out.setdefault(recording_key(f), f)
    return out


def pair_keys(detected: Mapping[str, Path], reference: Mapping[str, Path],
              where: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """Pair two ``recording name -> file`` maps (the rule of the module docstring)."""
    if len(detected) == 1 and len(reference) == 1:  # one recording on each side
        (kd, fd), (_, fr) = next(iter(detected.items())), next(iter(reference.items()))
        return [(kd, fd, fr)], []
    common = sorted(set(detected) & set(reference))
    if not common:
        raise AnnotationError(
            f"no recording name in common (detected: {', '.join(sorted(detected)[:3])}; "
            f"reference: {', '.join(sorted(reference)[:3])})", where)
    notes = [f"no reference for {k} ({detected[k].name})" for k in sorted(set(detected) - set(reference))]
    notes += [f"reference file without detections: {reference[k].name}"
              for k in sorted(set(reference) - set(detected))]
    return [(k, detected[k], reference[k]) for k in common], notes


def pair_files(detected: str | os.PathLike, reference: str | os.PathLike
               ) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """Pairs ``(recording, detected_file, reference_file)`` of two files or folders, and notes
    about unpaired files.

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
    if detected.is_dir() and any(detected.glob(f"*{RECORD_SUFFIX}")):
        return references_for_run(read_run(detected), reference, check_channels=False)
    return pair_keys(_index(detected), _index(reference), detected)


def references_for_run(results: list[DetectionResult], reference: str | os.PathLike, *,
                       check_channels: bool = True) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """Pairs ``(stem, events_file, reference_file)`` for the recordings of a run, and notes.

    With ``check_channels``, every paired reference is checked against its recording's
    channels (:func:`check_reference_channels`).
    """
    reference = Path(reference)
    if not reference.exists():
        raise AnnotationError("no such file or folder", reference)
    runs = {recording_key(r.stem): r for r in results if r.events_path is not None}
    if not runs:
        raise HFODetectError("the run folder holds no events file", results[0].folder if results else None)
    pairs, notes = pair_keys({k: r.events_path for k, r in runs.items()}, _index(reference), reference)
    out = []
    for key, events_path, ref_path in pairs:
        res = runs[key]
        if check_channels:
            from hfo_detect.events import EventTable

            check_reference_channels(ref_path, EventTable.read(ref_path), res.channels)
        out.append((res.stem, events_path, ref_path))
    return out, notes


def check_reference_channels(ref_path, ref, channels, detected=None) -> None:
    """Refuse a reference that does not belong to the recording.

    With the recording's channels known (the run record), every reference channel must be one
    of them; otherwise the reference and the detections must share a channel (when both hold
    events).

    Raises
    ------
    AnnotationError
        Naming the reference file and the channels that do not match.
    """
    from hfo_detect.channels import canonical_bipolar

    ref_channels = {canonical_bipolar(c) for c in ref.df["channel"]}
    if not ref_channels:
        return
    known = {canonical_bipolar(c) for c in channels or []}
    if known:
        missing = sorted(ref_channels - known)
        if missing:
            raise AnnotationError(
                f"reference marks on channels not in the recording ({', '.join(missing[:5])}"
                f"{', ...' if len(missing) > 5 else ''})", ref_path)
        return
    if detected is not None:
        det_channels = {canonical_bipolar(c) for c in detected.df["channel"]}
        if det_channels and not det_channels & ref_channels:
            raise AnnotationError(
                f"reference marks share no channel with the detections (reference: "
                f"{', '.join(sorted(ref_channels)[:3])}; detected: "
                f"{', '.join(sorted(det_channels)[:3])})", ref_path)


def run_record_of(events_path: str | os.PathLike) -> dict[str, Any]:
    """The run record (``<stem>_detect.json``) beside an events file, or ``{}``."""
    p = Path(events_path)
    stem = p.name[: -len(EVENTS_SUFFIX)] if p.name.endswith(EVENTS_SUFFIX) else p.stem
    record = p.with_name(f"{stem}{RECORD_SUFFIX}")
    return read_record(record) if record.is_file() else {}
