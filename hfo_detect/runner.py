"""Detect HFOs in one recording and write its result files (the unit of work of ``detect``).

:func:`detect_recording` is free of global state (one call = one recording, its own detector
instance), so the batch runner can call it from parallel processes.

Files written into ``out_dir`` (each first to a hidden temporary name in the same folder, then
renamed, so a killed run never leaves a half-written file):

``<stem>_events.tsv``
    BIDS events (``onset, duration, trial_type, channel, ...``).
``<stem>_counts.tsv``
    One row per channel. Network: ``channel, adm_events, adm_<stream>..., synaptic_events,
    hidden_spikes, n_hfo, hfo_per_min, duration_s, n_hidden, n_synapses``. Baselines (no
    ``counts_``): ``channel, n_hfo, hfo_per_min, duration_s``.
``<stem>_detect.json``
    Source path, detector, full parameters, software version, sampling rate, duration, channels
    and count totals.

``<stem>`` is the file name without extension and without a trailing BIDS data suffix
(``_ieeg``, ``_eeg``, ``_meg``), so ``sub-01_run-01_ieeg.vhdr`` gives the BIDS-conformant
``sub-01_run-01_events.tsv`` [CHOICE].
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hfo_detect.channels import canonical_bipolar

from hfo_detect import __version__
from hfo_detect.errors import OutputError

_BIDS_SUFFIX = re.compile(r"_(ieeg|eeg|meg)$")
_MULTI_EXT = (".nii.gz", ".tar.gz")


def output_stem(path: str | os.PathLike) -> str:
    """Stem of the output files for ``path`` (see the module docstring)."""
    p = Path(path)
    name = p.name.rstrip("/")
    if p.is_dir():  # e.g. a .ds folder
        stem = name.split(".")[0] if "." in name else name
    else:
        stem = p.stem
    return _BIDS_SUFFIX.sub("", stem)


def _atomic_write(target: Path, write) -> None:
    """Call ``write(tmp_path)`` on a temporary name in the same folder, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                               dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(value: Any) -> Any:
    """Plain JSON types for parameters and counts (numpy scalars, tuples, paths)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _events_frame(events) -> pd.DataFrame:
    for attr in ("df", "frame", "data"):
        df = getattr(events, attr, None)
        if isinstance(df, pd.DataFrame):
            return df
    if hasattr(events, "to_frame"):
        return events.to_frame()
    if isinstance(events, pd.DataFrame):
        return events
    raise TypeError(f"cannot read events from {type(events).__name__}")


def baseline_counts(events_df: pd.DataFrame, ch_names, duration_s: float) -> pd.DataFrame:
    """Per-channel HFO counts for detectors without ``counts_`` (baselines)."""
    from hfo_detect.readout import count_hfo

    n_hfo = count_hfo(events_df, ch_names)
    return pd.DataFrame({
        "channel": [canonical_bipolar(c) for c in ch_names],
        "n_hfo": n_hfo,
        "hfo_per_min": n_hfo / (duration_s / 60.0) if duration_s > 0 else np.nan,
        "duration_s": duration_s,
    })


def channel_groups(n_channels: int, jobs: int) -> list[range]:
    """Contiguous channel groups for ``jobs`` processes (at most one group per channel)."""
    k = max(1, min(int(jobs), n_channels))
    bounds = np.linspace(0, n_channels, k + 1).round().astype(int)
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _detect_group(path: str, montage: str, est_params: dict, names: list[str], first: int):
    """Worker: the network detector on one channel group (chip channels ``first``...)."""
    from hfo_detect.detectors import make_detector
    from hfo_detect.io import open_recording

    # the parent already dropped flat channels; no second pass over the file for that here
    rec = open_recording(path, montage=montage, on_flat="ignore").subset(names)
    est = make_detector("snn", **{**est_params, "first_channel": first})
    events = est.fit(rec).predict(rec)
    return events.df, est.counts_, float(est.sfreq_), est.config_


def _detect_in_groups(path, montage, est_params, ch_names, groups):
    """Run :func:`_detect_group` over the groups in parallel processes and join the results."""
    from hfo_detect.events import EventTable
    from hfo_detect.workers import sigint_blocked, stop_pool, worker_pool

    first = int(est_params.get("first_channel") or 0)
    pool = worker_pool(len(groups))  # workers die with this process, ignore Ctrl-C
    try:
        with sigint_blocked():
            futures = [pool.submit(_detect_group, str(path), montage, est_params,
                                   ch_names[g.start:g.stop], first + g.start) for g in groups]
        parts = [f.result() for f in futures]
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()
    events = EventTable(pd.concat([p[0] for p in parts], ignore_index=True))
    counts = pd.concat([p[1] for p in parts], ignore_index=True)
    return events, counts, parts[0][2], parts[0][3]


def prepare_out_dir(out_dir: Path) -> None:
    """Create ``out_dir`` if needed; :class:`OutputError` if it cannot be made or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create output folder ({err.strerror or err})", out_dir) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError("output folder is not writable", out_dir)


def detect_recording(path, out_dir, *, detector: str = "snn", montage: str = "bipolar",
                     params: dict | None = None, chunk_s: float = 10.0,
                     channel_jobs: int = 1, before_write=None) -> dict:
    """Run one detector on one recording and write events, counts and a JSON record.

    Parameters
    ----------
    path : path-like
        Recording (any format :func:`hfo_detect.io.open_recording` reads).
    out_dir : path-like
        Output folder (created if needed).
    detector : str
        Registered detector name (``snn``, ``morphology``, ``rms``, ``linelength``).
    montage : str
        ``bipolar`` or ``as-is`` (passed to the reader).
    params : dict, optional
        Keyword parameters of the detector (e.g. ``{"preset": "sharifhazileh2021"}``).
    chunk_s : float
        Streaming chunk length, given to detectors that take a ``chunk_s`` parameter.
    channel_jobs : int
        Processes over which the network detector splits the recording's channels (contiguous
        groups; each channel keeps its own chip network, so the outputs equal a one-process run).
    before_write : callable or None
        Called just before the outputs are written; raising there writes nothing (the batch
        uses it so that a worker whose run has ended, e.g. on a Dask cluster, drops its result).

    Returns
    -------
    dict
        ``status`` ("done"), ``path``, ``detector``, ``outputs`` (events, counts, json paths),
        ``n_hfo``, ``n_channels``, ``duration_s``, ``sfreq``, ``wall_s``.

    Raises
    ------
    HFODetectError
        Bad input or unwritable output (one line naming the file).
    """
    from hfo_detect.detectors import make_detector
    from hfo_detect.io import open_recording

    t0 = time.perf_counter()
    path = Path(path)
    out_dir = Path(out_dir)
    prepare_out_dir(out_dir)

    recording = open_recording(path, montage=montage)
    params = dict(params or {})
    est = make_detector(detector, **params)
    if "chunk_s" in est.get_params() and "chunk_s" not in params:
        est.set_params(chunk_s=chunk_s)
    ch_names = list(recording.ch_names)
    splittable = "first_channel" in est.get_params()
    groups = channel_groups(len(ch_names), channel_jobs) if splittable else []
    if len(groups) > 1:
        events, counts, sfreq, config = _detect_in_groups(path, montage, est.get_params(),
                                                          ch_names, groups)
    else:
        events = est.fit(recording).predict(recording)
        counts = getattr(est, "counts_", None)
        # the network snaps a rate like 1999.9999999993 Hz (from a stored time vector) to 2000 Hz
        sfreq = float(getattr(est, "sfreq_", recording.sfreq))
        config = getattr(est, "config_", None)
    events_df = _events_frame(events)
    duration_s = recording.n_times / sfreq
    if not isinstance(counts, pd.DataFrame):
        counts = baseline_counts(events_df, ch_names, duration_s)

    stem = output_stem(path)
    outputs = {
        "events": out_dir / f"{stem}_events.tsv",
        "counts": out_dir / f"{stem}_counts.tsv",
        "json": out_dir / f"{stem}_detect.json",
    }
    full_params = est.get_params()
    totals = {c: counts[c].sum() for c in counts.columns
              if c not in ("channel", "duration_s", "hfo_per_min", "n_hidden", "n_synapses")
              and pd.api.types.is_numeric_dtype(counts[c])}
    n_hfo = int(counts["n_hfo"].sum())
    record = {
        "source": str(path.resolve()),
        "detector": detector,
        "montage": montage,
        "parameters": full_params,
        "config": config.to_dict() if hasattr(config, "to_dict") else None,
        "software": {"name": "hfo-detect", "version": __version__},
        "sfreq": sfreq,
        "n_times": recording.n_times,
        "duration_s": duration_s,
        "channels": [canonical_bipolar(c) for c in ch_names],
        "channel_groups": max(len(groups), 1),
        "totals": totals,
        "n_hfo": n_hfo,
        "outputs": {k: v.name for k, v in outputs.items()},
    }
    if before_write is not None:
        before_write()
    try:
        _atomic_write(outputs["events"], lambda p: events.to_bids_tsv(p))
        _atomic_write(outputs["counts"],
                      lambda p: counts.to_csv(p, sep="\t", index=False, na_rep="n/a"))
        _atomic_write(outputs["json"],
                      lambda p: p.write_text(json.dumps(_jsonable(record), indent=2) + "\n"))
    except OSError as err:
        raise OutputError(f"cannot write results ({err.strerror or err})", out_dir) from None

    return {
        "status": "done",
        "path": str(path),
        "detector": detector,
        "outputs": {k: str(v) for k, v in outputs.items()},
        "n_hfo": n_hfo,
        "n_channels": len(ch_names),
        "duration_s": duration_s,
        "sfreq": sfreq,
        "wall_s": time.perf_counter() - t0,
    }
