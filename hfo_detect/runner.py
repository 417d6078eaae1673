"""Detect HFOs in one recording and write its result files (the unit of work of ``detect``).

:func:`detect_recording` is free of global state (one call = one recording, its own detector
instance), so the batch runner can call it from parallel processes. The files it writes (events,
counts, run record and, on request, the run's spikes) and their names are those of
:mod:`hfo_detect.outputs`; each is written atomically, so a killed run never leaves a
half-written file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


import numpy as np
import pandas as pd

from hfo_detect import __version__, progress
from hfo_detect.channels import canonical_bipolar
from hfo_detect.errors import OutputError
from hfo_detect.outputs import output_stem, write_run_outputs


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
    from hfo_detect.events import count_hfo

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
    return events.df, est.counts_, float(est.sfreq_), est.config_, getattr(est, "spikes_", None)


def _join_spikes(parts: list, offsets: list[int], n_channels: int) -> dict | None:
    """One ``{population: SpikeTrains}`` of the whole recording from per-group spikes."""
    from hfo_detect.spikes import SpikeTrains

    if not parts or parts[0] is None:
        return None
    joined = {}
    for name in parts[0]:
        trains = [SpikeTrains(p[name].times, p[name].channel + off, p[name].source, n_channels,
                              p[name].source_names) for p, off in zip(parts, offsets)]
        joined[name] = SpikeTrains.concatenate(trains)
    return joined


def _detect_in_groups(path, montage, est_params, ch_names, groups):
    """Run :func:`_detect_group` over the groups in parallel processes and join the results."""
    from hfo_detect.events import EventTable
    from hfo_detect.workers import sigint_blocked

    first = int(est_params.get("first_channel") or 0)
    with progress.process_pool(len(groups)) as pool:  # workers die with this process
        with sigint_blocked():  # none may die of a Ctrl-C before it ignores SIGINT
            futures = [pool.submit(_detect_group, str(path), montage, est_params,
                                   ch_names[g.start:g.stop], first + g.start) for g in groups]
        parts = [f.result() for f in futures]
    events = EventTable(pd.concat([p[0] for p in parts], ignore_index=True))
    counts = pd.concat([p[1] for p in parts], ignore_index=True)
    spikes = _join_spikes([p[4] for p in parts], [g.start for g in groups], len(ch_names))
    return events, counts, parts[0][2], parts[0][3], spikes


def _drop_flat_after_fit(est, recording):
    """Apply the flat-channel policy with the peak-to-peak the calibration pass measured."""
    from hfo_detect.io.validate import flat_channels, handle_flat

    ptp = getattr(est, "ptp_uv_", None)
    if ptp is None:  # the pass stopped early: check with a read of its own
        kept = recording.drop_flat("drop")
    else:
        kept = recording.subset(handle_flat(recording.ch_names, flat_channels(ptp), "drop",
                                            recording.path))
    if kept.ch_names != recording.ch_names:
        est.keep_channels(kept.ch_names)
    return kept


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

    params = dict(params or {})
    est = make_detector(detector, **params)
    if "chunk_s" in est.get_params() and "chunk_s" not in params:
        est.set_params(chunk_s=chunk_s)
    network = "first_channel" in est.get_params()
    # The network checks for flat channels in its calibration pass (one read for calibration,
    # one for detection); the other detectors get the reader's separate check.
    recording = open_recording(path, montage=montage, on_flat="ignore" if network else "drop")
    groups = channel_groups(len(recording.ch_names), channel_jobs) if network else []
    if len(groups) > 1:
        recording = recording.drop_flat("drop")
    ch_names = list(recording.ch_names)
    with progress.recording(len(ch_names) * recording.n_times / recording.sfreq):
        if len(groups) > 1:
            events, counts, sfreq, config, spikes = _detect_in_groups(
                path, montage, est.get_params(), ch_names, groups)
        else:
            est.fit(recording)
            if network:
                recording = _drop_flat_after_fit(est, recording)
                ch_names = list(recording.ch_names)
            events = est.predict(recording)
            counts = getattr(est, "counts_", None)
            # the network snaps a rate like 1999.9999999993 Hz (from a stored time vector) to 2000 Hz
            sfreq = float(getattr(est, "sfreq_", recording.sfreq))
            config = getattr(est, "config_", None)
            spikes = getattr(est, "spikes_", None)
    events_df = _events_frame(events)
    duration_s = recording.n_times / sfreq
    if not isinstance(counts, pd.DataFrame):
        counts = baseline_counts(events_df, ch_names, duration_s)

    stem = output_stem(path)
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
    }
    if before_write is not None:
        before_write()
    outputs = write_run_outputs(out_dir, stem, events=events, counts=counts, record=record,
                                spikes=spikes, channels=record["channels"])

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
