"""Shared plumbing of the baseline detectors: recording access, run finding, event tables."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from hfo_detect.events import CORE_COLUMNS, EventTable

EVENT_COLUMNS = list(CORE_COLUMNS)

#: the signals of the recordings being worked on, so ``fit`` then ``predict`` read a file once
_READ: "weakref.WeakKeyDictionary[Any, np.ndarray]" = weakref.WeakKeyDictionary()


def recording_arrays(recording: Any) -> tuple[np.ndarray, float, list[str]]:
    """``(data_uv (n_ch, n), sfreq, ch_names)`` from a Recording, an ``mne.io.Raw``, a path or a
    tuple ``(data_uv, sfreq, ch_names)`` (the inputs of :func:`hfo_detect.io.as_recording`)."""
    if isinstance(recording, tuple):
        data, sfreq, names = recording
        return np.atleast_2d(np.asarray(data, float)), float(sfreq), list(names)
    if not hasattr(recording, "get_data_uv"):
        from hfo_detect.io import as_recording

        recording = as_recording(recording)  # a path or an MNE Raw, as the network takes them
    if hasattr(recording, "get_data_uv"):
        data = _READ.get(recording)
        if data is None:  # read once per Recording object; fit and predict share it
            data = np.atleast_2d(np.asarray(recording.get_data_uv(0, recording.n_times), float))
            data.setflags(write=False)
            _READ[recording] = data
        return data, float(recording.sfreq), list(recording.ch_names)
    raise TypeError(f"cannot read signals from {type(recording).__name__}")


def check_fitted(est: Any, attribute: str) -> None:
    """Refuse ``predict`` before ``fit`` like every detector of the package (NotFittedError)."""
    if not hasattr(est, attribute):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError("call fit(recording) before predict")


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (inclusive) indices of the True runs of a boolean vector."""
    m = np.asarray(mask, bool)
    if m.size == 0:
        return np.zeros(0, int), np.zeros(0, int)
    edges = np.diff(np.r_[0, m.astype(np.int8), 0])
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1


def merge_runs(starts: np.ndarray, stops: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Join consecutive runs whose gap ``start_n - stop_{n-1}`` is < ``max_gap`` samples."""
    if len(starts) == 0:
        return starts, stops
    order = np.argsort(starts, kind="stable")
    s, e = np.asarray(starts)[order], np.asarray(stops)[order]
    running = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = (s[1:] - running[:-1]) >= max_gap
    first = np.flatnonzero(new)
    return s[first], np.maximum.reduceat(e, first)


def events_frame(rows: list[dict]) -> pd.DataFrame:
    """Event rows -> DataFrame in the EventTable column layout."""
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    df["fr_and_r"] = df["fr_and_r"].astype(bool)
    return df.sort_values(["onset", "channel", "kind"]).reset_index(drop=True)


def to_event_table(df: pd.DataFrame) -> Any:
    """Wrap in :class:`hfo_detect.events.EventTable`."""
    return EventTable(df)


def flag_co_occurrence(df: pd.DataFrame) -> pd.DataFrame:
    """Set ``fr_and_r`` on ripples and fast ripples that overlap (> 0 s) on the same channel."""
    df = df.copy()
    if df.empty:
        return df
    on = df["onset"].to_numpy()
    off = on + df["duration"].to_numpy()
    flag = np.zeros(len(df), bool)
    for _, idx in df.groupby("channel").indices.items():
        rip = idx[df["kind"].to_numpy()[idx] == "ripple"]
        fr = idx[df["kind"].to_numpy()[idx] == "fast_ripple"]
        if len(rip) == 0 or len(fr) == 0:
            continue
        inter = np.minimum(off[rip][:, None], off[fr][None, :]) - np.maximum(on[rip][:, None], on[fr][None, :])
        hit = inter > 0
        flag[rip[hit.any(axis=1)]] = True
        flag[fr[hit.any(axis=0)]] = True
    df["fr_and_r"] = flag
    return df
