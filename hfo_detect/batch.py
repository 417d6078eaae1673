"""Batch detection over many recordings, resumable, in parallel.

:func:`run_batch` finds the recordings in its inputs (files, folders, BIDS roots), runs
:func:`hfo_detect.runner.detect_recording` on each (sequentially, on local processes, or on an
existing Dask distributed cluster) and records every outcome in ``OUT/manifest.jsonl``.

The manifest
------------
One JSON object per line and recording, appended by the parent process only (one writer, whole
lines, flushed and fsync'ed), so a ``kill -9`` can at worst lose the line of the recording being
finished, never corrupt earlier ones. Fields: ``input``, ``stem``, ``status`` (``done``,
``failed``, ``skipped``), ``error`` (one line or null), ``outputs`` (file names in OUT),
``counts`` (channels, HFOs, events), ``duration_s``, ``wall_s``, ``params_hash``, ``version``,
``time``.

Resuming
--------
A recording is skipped when its latest ``done``/``failed`` record is ``done`` with the same
parameter hash and all its outputs still exist (``force=True`` redoes it). The runner writes its
outputs to temporary names and renames them, so a killed run leaves no half-written file and a
rerun gives the same results as an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import logging
import os
import time
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from hfo_detect import __version__
from hfo_detect import progress as _progress
from hfo_detect.errors import HFODetectError, OutputError
from hfo_detect.outputs import MANIFEST, SUFFIXES, existing_outputs, output_paths, output_stem

log = logging.getLogger(__name__)


#: extensions picked up when walking a folder [CHOICE]; BrainVision is found by its header
RECORDING_EXTENSIONS = (".edf", ".bdf", ".vhdr", ".fif", ".mat")

#: variables that mark a .mat file as the authors' layout (old: chb/t; new: channels/times)
MAT_LAYOUTS = ({"chb", "t"}, {"channels", "times"})


# --------------------------------------------------------------------------------------
# Finding recordings
# --------------------------------------------------------------------------------------


def _is_authors_mat(path: Path) -> bool:
    """True when a .mat file holds the authors' variables (or cannot be inspected cheaply)."""
    try:
        import scipy.io

        names = {name for name, _, _ in scipy.io.whosmat(str(path))}
    except Exception:  # noqa: BLE001 - v7.3/HDF5 or broken: let the reader decide and report
        return True
    return any(layout <= names for layout in MAT_LAYOUTS)


def _is_bids_root(folder: Path) -> bool:
    return (folder / "dataset_description.json").is_file()


def _walk(folder: Path) -> list[Path]:
    if _is_bids_root(folder):
        # BIDS: only the iEEG data files (one per recording: the .vhdr, not its .eeg/.vmrk)
        found = [p for p in folder.rglob("*_ieeg.*")
                 if p.is_file() and p.suffix.lower() in RECORDING_EXTENSIONS
                 and "derivatives" not in p.relative_to(folder).parts]
    else:
        found = [p for p in folder.rglob("*") if p.is_file()
                 and p.suffix.lower() in RECORDING_EXTENSIONS]
        found = [p for p in found if p.suffix.lower() != ".mat" or _is_authors_mat(p)]
    return sorted(found)


def discover(inputs: Iterable[str | os.PathLike]) -> tuple[list[Path], list[HFODetectError]]:
    """Expand the inputs (see :func:`find_recordings`); problems are returned, not raised."""
    out: list[Path] = []
    problems: list[HFODetectError] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = _walk(path)
            if not found:
                problems.append(HFODetectError(
                    "folder holds no recording (.edf .bdf .vhdr .fif .mat)", path))
        elif path.exists():
            found = [path]
        else:
            found = []
            problems.append(HFODetectError("no such file or folder", path))
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out, problems


def find_recordings(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files, folders (recursive) and BIDS roots into a de-duplicated list.

    A file given explicitly is always kept (whatever its extension: the reader then says what
    is wrong with it). Folders are searched recursively for ``.edf .bdf .vhdr .fif`` and for
    ``.mat`` files in the authors' layout; a BIDS root (``dataset_description.json``) contributes
    its ``*_ieeg.*`` files outside ``derivatives/``. Each folder's files come sorted.

    Raises
    ------
    HFODetectError
        An input does not exist, or a folder holds no recording (the first such problem).
    """
    paths, problems = discover(inputs)
    if problems:
        raise problems[0]
    return paths


# --------------------------------------------------------------------------------------
# Parameters hash and manifest
# --------------------------------------------------------------------------------------


def _plain(params: Any) -> Any:
    if params is None:
        return None
    if hasattr(params, "to_dict"):
        return params.to_dict()
    if dataclasses.is_dataclass(params) and not isinstance(params, type):
        return dataclasses.asdict(params)
    return params


#: estimator parameters that do not change the results (chunked run == one-shot run)
_NEUTRAL_PARAMS = ("chunk_s", "keep_spikes")


def resolved_params(detector: str, params: Any) -> Any:
    """The detector's full parameters: ``get_params()`` and, for the network, the resolved
    :class:`~hfo_detect.config.PipelineConfig` (so ``{}`` and ``{"preset": "hfo256"}`` hash alike).
    Falls back to ``params`` as given when the detector cannot be built here."""
    if not isinstance(params, (dict, type(None))):
        return _plain(params)
    try:
        from hfo_detect.detectors import make_detector

        est = make_detector(detector, **(params or {}))
        full = {k: v for k, v in est.get_params().items() if k not in _NEUTRAL_PARAMS}
        if hasattr(est, "make_config"):
            full["config"] = est.make_config().to_dict()
        return full
    except Exception:  # noqa: BLE001 - unknown detector or bad value: the run will report it
        return _plain(params)


def params_hash(detector: str, params: Any, montage: str | None,
                version: str = __version__) -> str:
    """sha256 of detector name, resolved parameters, montage and software version.

    The canonical JSON (sorted keys) of ``{"detector", "params", "montage", "version"}`` is
    hashed, with ``params`` from :func:`resolved_params`.
    """
    blob = json.dumps({"detector": detector, "params": resolved_params(detector, params),
                       "montage": montage, "version": version}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def append_record(manifest: Path, record: dict[str, Any]) -> None:
    """Append one whole JSON line, flushed and fsync'ed (crash-safe line by line).

    A write that fails (full disk, quota) is undone: the file is cut back to its previous
    length, so no torn line is left for the next record to be glued to.

    Raises
    ------
    OutputError
        The line cannot be written (one line naming the manifest and the reason).
    """
    line = (json.dumps(record, sort_keys=True, default=str) + "\n").encode("utf-8")
    try:
        fd = os.open(manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as err:
        raise OutputError(f"cannot write the manifest ({err.strerror or err})", manifest) from None
    try:
        size = os.fstat(fd).st_size
        try:
            if size and _last_byte(manifest, size) != b"\n":  # a torn line of a killed writer
                line = b"\n" + line
            if os.write(fd, line) != len(line):
                _raise_short()
            os.fsync(fd)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise OutputError(f"cannot write the manifest ({err.strerror or err})", manifest) from None
    finally:
        os.close(fd)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(size - 1)
        return fh.read(1)


def _raise_short() -> None:
    raise OSError(errno.ENOSPC, "short write (disk full?)")


def read_manifest(manifest: Path) -> list[dict[str, Any]]:
    """All complete records of a manifest; a torn last line (killed writer) is ignored."""
    if not manifest.is_file():
        return []
    records = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict):
            records.append(rec)
    return records


def _latest_state(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """input path -> latest done/failed record (skipped records do not change the state)."""
    state: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.get("status") in ("done", "failed") and rec.get("input"):
            state[rec["input"]] = rec
    return state


# --------------------------------------------------------------------------------------
# One recording (runs in a worker process or a Dask worker)
# --------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    from hfo_detect.errors import one_line

    return one_line(text)


def _interrupt_behind(err: BaseException) -> BaseException | None:
    """The interrupt (Ctrl-C, SIGTERM: not an ``Exception``) that caused ``err``, if any.

    A signal handler that raises while numba-compiled code runs surfaces as ``SystemError:
    ... returned a result with an exception set``, caused by the interrupt; it must stop the
    batch, not fail one recording."""
    seen = set()
    link = err
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if not isinstance(link, Exception):
            return link
        link = link.__cause__ or link.__context__
    return None


def _output_files(result: Any, out_dir: Path, stem: str) -> list[str]:
    """Names (relative to OUT) of the files the runner wrote for ``stem``."""
    names: set[str] = set()
    if isinstance(result, dict):
        for value in result.values():
            if isinstance(value, dict):
                values = list(value.values())
            elif isinstance(value, (list, tuple)):
                values = list(value)
            else:
                values = [value]
            for v in values:
                if isinstance(v, (str, os.PathLike)):
                    p = Path(v)
                    p = p if p.is_absolute() else out_dir / p
                    try:
                        if p.is_file() and p.resolve().parent == out_dir.resolve():
                            names.add(p.name)
                    except OSError:
                        continue
    names.update(existing_outputs(out_dir, stem))
    return sorted(names)


def _summarise_counts(out_dir: Path, stem: str) -> tuple[dict[str, Any], float | None]:
    """Per-recording totals from ``<stem>_counts.tsv`` and the duration."""
    import pandas as pd

    counts: dict[str, Any] = {}
    duration = None
    paths = output_paths(out_dir, stem)
    path = paths["counts"]
    if path.is_file():
        df = pd.read_csv(path, sep="\t")
        counts["n_channels"] = int(len(df))
        for col in ("n_hfo", "adm_events", "synaptic_events", "hidden_spikes"):
            if col in df.columns:
                counts[col] = int(df[col].fillna(0).sum())
        if "duration_s" in df.columns and len(df):
            duration = float(df["duration_s"].max())
    meta = paths["json"]
    if duration is None and meta.is_file():
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            value = info.get("duration_s", info.get("duration"))
            duration = float(value) if value is not None else None
        except (ValueError, TypeError):
            pass
    if "n_hfo" not in counts:
        events = paths["events"]
        if events.is_file():
            counts["n_hfo"] = int(len(pd.read_csv(events, sep="\t")))
    return counts, duration


def process_recording(path: str, out_dir: str, detector: str, montage: str | None,
                      params: Any, chunk_s: float, channel_jobs: int = 1,
                      run_pid: int | None = None) -> dict[str, Any]:
    """Detect HFOs in one recording; never raises for a bad input (returns a failed record).

    ``run_pid``: the process that runs the batch and holds the output folder's lock; when it
    is gone by the time the results are ready (a Dask worker outlives the client that sent the
    task), nothing is written.

    Returns the manifest record without ``params_hash``/``version``/``time`` (the parent adds
    them).
    """
    from hfo_detect.runner import detect_recording

    src, out = Path(path), Path(out_dir)
    stem = output_stem(src)
    t0 = time.perf_counter()
    record: dict[str, Any] = {"input": str(src.resolve()), "stem": stem}
    before = _stat_outputs(out, stem)
    try:
        guard = None if run_pid is None else (lambda: check_run_alive(out, run_pid))
        result = detect_recording(src, out, detector=detector, montage=montage, params=params,
                                  chunk_s=chunk_s, channel_jobs=channel_jobs, before_write=guard)
    except HFODetectError as err:
        record.update(status="failed", error=_one_line(str(err)))
    except MemoryError:
        record.update(status="failed", error=f"{src}: out of memory")
    except Exception as err:  # noqa: BLE001 - one bad file must never stop the batch
        stop = _interrupt_behind(err)
        if stop is not None:  # Ctrl-C inside compiled code arrives wrapped in a SystemError
            _remove_changed(out, stem, before)
            raise stop from None
        msg = _one_line(f"{type(err).__name__}: {err}")
        record.update(status="failed", error=f"{src}: unexpected error: {msg}")
    except BaseException:  # Ctrl-C / SIGTERM mid-write: leave no part of this recording
        _remove_changed(out, stem, before)
        raise
    if record.get("status") == "failed":  # a failed recording leaves no result of its own
        _remove_changed(out, stem, before)
    else:
        stem = (result.get("stem") if isinstance(result, dict) and result.get("stem") else stem)
        counts, duration = _summarise_counts(out, stem)
        record.update(status="done", error=None, stem=stem,
                      outputs=_output_files(result, out, stem), counts=counts,
                      duration_s=duration)
    record["wall_s"] = round(time.perf_counter() - t0, 3)
    return record


#: name endings of a recording's outputs (from the outputs module, the one owner of names)
OUTPUT_SUFFIXES = tuple(SUFFIXES.values())


def _stat_outputs(out: Path, stem: str) -> dict[str, tuple]:
    stats = {}
    for suffix in OUTPUT_SUFFIXES:
        try:
            st = (out / f"{stem}{suffix}").stat()
        except OSError:
            continue
        stats[f"{stem}{suffix}"] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return stats


def _remove_changed(out: Path, stem: str, before: dict[str, tuple]) -> None:
    """Delete the outputs of ``stem`` written since ``before`` was taken."""
    for name, stat in _stat_outputs(out, stem).items():
        if before.get(name) != stat:
            with contextlib.suppress(OSError):
                (out / name).unlink()


def remove_outputs(out: Path, names: Iterable[str]) -> None:
    """Delete output files (of a recording whose manifest record could not be written)."""
    for name in names:
        with contextlib.suppress(OSError):
            (out / name).unlink()


# --------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------

@dataclass
class BatchSummary:
    """What a batch did.

    Attributes
    ----------
    records : list of dict
        The manifest records written by this run, in completion order.
    wall_s : float
        Wall time of the batch.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0

    def _n(self, status: str) -> int:
        return sum(r["status"] == status for r in self.records)

    @property
    def n_done(self) -> int:
        return self._n("done")

    @property
    def n_failed(self) -> int:
        return self._n("failed")

    @property
    def n_skipped(self) -> int:
        return self._n("skipped")

    @property
    def n_hfo(self) -> int:
        """HFOs found in the recordings done by this run."""
        return sum(int((r.get("counts") or {}).get("n_hfo", 0)) for r in self.records
                   if r["status"] == "done")

    @property
    def recorded_s(self) -> float:
        """Recorded duration processed by this run (done recordings)."""
        return sum(float(r.get("duration_s") or 0.0) for r in self.records if r["status"] == "done")

    @property
    def realtime_factor(self) -> float:
        """Recorded duration / wall time (0 when nothing was processed)."""
        return self.recorded_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.n_failed == 0

    @property
    def failures(self) -> list[str]:
        return [r["error"] for r in self.records if r["status"] == "failed"]

    def line(self) -> str:
        """The final one-line summary (no speed figure when nothing was processed)."""
        if self.n_done == 0:
            why = (" (already done with the same parameters; --force redoes them)"
                   if self.n_skipped else "")  # not when every recording failed
            return f"0 done, {self.n_failed} failed, {self.n_skipped} skipped{why}"
        return (f"{self.n_done} done, {self.n_failed} failed, {self.n_skipped} skipped; "
                f"{self.n_hfo} HFOs found; {self.recorded_s:.1f} s recorded in {self.wall_s:.1f} s "
                f"wall time (real-time factor {self.realtime_factor:.1f}x)")


def _prepare_out_dir(out_dir: Path) -> Path:
    from hfo_detect.runner import prepare_out_dir

    prepare_out_dir(out_dir)
    manifest = out_dir / MANIFEST
    try:
        with open(manifest, "a", encoding="utf-8"):
            pass
    except OSError as err:
        raise OutputError(f"cannot write the manifest ({err.strerror})", manifest) from None
    return manifest


LOCK_FILE = ".hfo-detect.lock"


def _name_max(folder: Path) -> int:
    """Longest file name (bytes) the output folder's file system takes."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def lock_out_dir(out: Path) -> int:
    """Take the output folder's lock (``fcntl.flock`` on ``OUT/.hfo-detect.lock``).

    The kernel drops the lock when the holding process dies (whatever kills it), so a stale
    lock file never blocks a later run; :func:`unlock_out_dir` removes the file after a run.
    Returns the descriptor to give to :func:`unlock_out_dir`.

    Raises
    ------
    OutputError
        ``"OUT is in use by PID N"`` when another run holds the folder, or the lock file
        cannot be made.
    """
    import fcntl

    path = out / LOCK_FILE
    for _ in range(20):  # the file may be removed by a finishing run between open and lock
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise OutputError(f"cannot create the lock file ({err.strerror or err})", path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                # a file system without locks (some network/FUSE mounts): run unlocked, say so
                log.warning("%s: cannot lock the output folder (%s); make sure no other run "
                            "writes there", out, err.strerror or err)
                return fd
            holder = "?"
            with contextlib.suppress(OSError):
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputError(f"{out} is in use by PID {holder} (another hfo-detect run writes "
                              "there); wait for it to finish or choose another --out") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)  # we locked a file another run had just removed: lock the new one
    else:
        raise OutputError("cannot take the output folder's lock", path)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:  # full disk: the lock holds all the same, the PID is only informative
        pass
    return fd


def unlock_out_dir(out: Path, fd: int) -> None:
    """Remove the lock file (still holding the lock, so no other run can be fooled), release."""
    with contextlib.suppress(OSError):
        os.unlink(out / LOCK_FILE)
    os.close(fd)


def check_run_alive(out: Path, run_pid: int) -> None:
    """Raise :class:`OutputError` unless the run ``run_pid`` still holds ``out``'s lock.

    From a process that does not share the run's lock (a Dask worker): the lock file must
    name ``run_pid`` and a shared lock must be refused (the run's exclusive lock is held).
    """
    import fcntl

    path = out / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        raise OutputError(f"the run that started this recording (PID {run_pid}) is gone; "
                          "result dropped", out) from None
    try:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # refused: the run holds it (or locks are unsupported: assume it does)
            held = True
        else:
            held = False
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    if not held or (holder and holder != str(run_pid)):  # empty: the PID could not be written
        raise OutputError(f"the run that started this recording (PID {run_pid}) is gone; "
                          "result dropped", out)


def remove_stale_temporaries(out: Path) -> None:
    """Delete temporary files left by a killed run (``.<name>.*.tmp*``; safe under the lock)."""
    for tmp in out.glob(".*.tmp*"):
        with contextlib.suppress(OSError):
            if tmp.is_file():
                tmp.unlink()


def _submit_local(jobs: int, tasks: list[tuple], on_result) -> None:
    if jobs <= 1:
        for task in tasks:
            on_result(process_recording(*task))
        return
    from hfo_detect.workers import sigint_blocked

    with _progress.process_pool(jobs) as pool:  # workers die with this process, leave Ctrl-C to it
        with sigint_blocked():
            futures = {pool.submit(process_recording, *task): task for task in tasks}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except BrokenProcessPool:
                result = {"input": str(Path(task[0]).resolve()), "stem": output_stem(Path(task[0])),
                          "status": "failed",
                          "error": f"{task[0]}: worker process died (out of memory or crash)"}
            on_result(result)  # Ctrl-C, a full disk: the pool's workers are stopped at once


def _submit_dask(scheduler: str, tasks: list[tuple], on_result, timeout_s: float) -> None:
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError:  # pragma: no cover - dask is an optional extra
        raise HFODetectError("--scheduler needs dask[distributed] (pip install 'hfo-detect[dask]')",
                             scheduler) from None
    try:
        client = Client(scheduler, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise HFODetectError(f"cannot connect to the Dask scheduler ({_one_line(err)})",
                             scheduler) from None
    try:
        futures = {client.submit(process_recording, *task, pure=False): task for task in tasks}
        for fut in dask_completed(futures):
            task = futures[fut]
            try:
                on_result(fut.result())
            except Exception as err:  # noqa: BLE001 - a lost worker fails one recording
                on_result({"input": str(Path(task[0]).resolve()), "stem": output_stem(Path(task[0])),
                           "status": "failed",
                           "error": f"{task[0]}: Dask worker failed: {_one_line(err)}"})
    finally:
        client.close()


def run_batch(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *,
              detector: str = "snn", montage: str | None = "bipolar", params: Any = None,
              jobs: int = 1, scheduler: str | None = None, force: bool = False,
              chunk_s: float = 10.0, progress: bool = True,
              on_record: Callable[[dict[str, Any]], None] | None = None,
              connect_timeout_s: float = 10.0) -> BatchSummary:
    """Detect HFOs in every recording of ``inputs``, writing into ``out_dir``.

    Parameters
    ----------
    inputs : iterable of path
        Files, folders (searched recursively) or BIDS roots (see :func:`find_recordings`).
    out_dir : path
        Output folder (created); holds the per-recording outputs and ``manifest.jsonl``.
    detector, montage, params, chunk_s
        Passed to :func:`hfo_detect.runner.detect_recording`.
    jobs : int
        Local worker processes (1: in this process, one recording after another). With a single
        recording to do, the network detector splits its channels over ``jobs`` processes instead
        (same outputs as one process).
    scheduler : str or None
        Address of an existing Dask distributed scheduler (``tcp://host:port``); overrides
        ``jobs``.
    force : bool
        Redo recordings already done with the same parameters.
    progress : bool
        Show a tqdm bar in channel-seconds of signal, over all recordings (only when stderr is a
        terminal); it moves during a long recording too.
    on_record : callable or None
        Called with each manifest record as it is written (the CLI prints a line per recording).
    connect_timeout_s : float
        How long to try reaching the Dask scheduler [CHOICE: 10 s].

    Returns
    -------
    BatchSummary

    Raises
    ------
    HFODetectError
        An unwritable output folder or an unreachable scheduler. Problems with one input
        (missing, empty folder, unreadable) never raise: they are recorded as ``failed``.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    paths, problems = discover(inputs)
    manifest = _prepare_out_dir(out)
    lock = lock_out_dir(out)  # one run per folder: a second one stops here with one line
    remove_stale_temporaries(out)
    phash = params_hash(detector, params, montage)
    records = read_manifest(manifest)
    state = _latest_state(records)
    # outputs some done record vouches for; others of a recording about to run are leftovers of
    # a killed run (written, then killed before the record): they go before it runs again
    recorded = {name for rec in records if rec.get("status") in ("done", "skipped")
                for name in rec.get("outputs") or []}
    summary = BatchSummary()

    def finish(record: dict[str, Any]) -> None:
        record.setdefault("error", None)
        record.setdefault("outputs", [])
        record.setdefault("counts", {})
        record.update(params_hash=phash, version=__version__,
                      time=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        try:
            append_record(manifest, record)
        except OutputError:  # no output may stay without its manifest record
            if record.get("status") == "done":
                remove_outputs(out, record.get("outputs") or [])
            raise
        summary.records.append(record)
        if scheduler and record.get("status") == "done":  # Dask workers report no progress
            cs = float(record.get("duration_s") or 0) * (record.get("counts") or {}).get("n_channels", 0)
            bar.sink("total", cs)
            bar.sink("advance", cs)
        if on_record is not None:
            with bar.external_write_mode():  # result lines above the bar, never on it
                on_record(record)

    bar = _progress.ChannelSecondsBar(progress)
    tasks, stems = [], {}
    try:
        for problem in problems:  # missing inputs and empty folders: failed, the rest goes on
            finish({"input": problem.path, "stem": Path(problem.path or "").name,
                    "status": "failed", "error": str(problem), "wall_s": 0.0})
        for path in paths:
            key = str(path.resolve())
            stem = output_stem(path)
            prev = state.get(key)
            if (not force and prev and prev.get("status") == "done"
                    and prev.get("params_hash") == phash and prev.get("outputs")
                    and all((out / name).is_file() for name in prev["outputs"])):
                finish({"input": key, "stem": prev.get("stem", stem), "status": "skipped",
                        "outputs": prev["outputs"], "counts": prev.get("counts", {}),
                        "duration_s": prev.get("duration_s"), "wall_s": 0.0})
                stems.setdefault(stem, str(path))
                continue
            longest = max(len(f"{stem}{suffix}".encode("utf-8")) for suffix in OUTPUT_SUFFIXES)
            if longest > _name_max(out):  # the input's name, not the output folder, is the problem
                finish({"input": key, "stem": stem, "status": "failed", "wall_s": 0.0,
                        "error": f"{path}: file name too long for its outputs ({longest} bytes "
                                 f"> {_name_max(out)} allowed in {out}); rename the recording"})
                continue
            if stem in stems:  # two inputs would write the same <stem>_events.tsv
                finish({"input": key, "stem": stem, "status": "failed", "wall_s": 0.0,
                        "error": f"{path}: output name {stem!r} collides with {stems[stem]}; "
                                 "rename one or run it separately"})
                continue
            stems[stem] = str(path)
            remove_outputs(out, [n for n in _stat_outputs(out, stem) if n not in recorded])
            tasks.append((str(path), str(out), detector, montage, params, chunk_s, 1, os.getpid()))
        with _progress.reporting_to(bar.sink):
            if scheduler:
                _submit_dask(scheduler, tasks, finish, connect_timeout_s)
            elif len(tasks) == 1 and jobs > 1:  # one recording: its channels go parallel instead
                finish(process_recording(*tasks[0][:6], channel_jobs=int(jobs),
                                         run_pid=os.getpid()))
            else:
                _submit_local(max(1, int(jobs)), tasks, finish)
    finally:
        bar.close()
        unlock_out_dir(out, lock)
    summary.wall_s = time.perf_counter() - t0
    return summary
