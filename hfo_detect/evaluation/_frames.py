"""Coerce event tables of any accepted shape into one plain DataFrame layout.

The scoring code works on ``pandas.DataFrame`` objects with the columns ``onset``, ``offset``
(seconds), ``channel`` (canonical bipolar name where recognisable) and ``kind``. It accepts an
:class:`hfo_detect.events.EventTable` (its ``.df``), a DataFrame with ``onset``/``duration`` or
the truth-TSV names ``onset_s``/``duration_s``/``offset_s``, or ``None`` (no events).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: kinds that are high-frequency oscillations; anything else (spike, artifact) is ignored by scoring
HFO_KINDS = ("ripple", "fast_ripple", "hfo")
#: spellings of the two bands met in BIDS / Zurich / truth files
_KIND_ALIASES = {"fr": "fast_ripple", "fastripple": "fast_ripple", "fast ripple": "fast_ripple", "r": "ripple"}

COLUMNS = ["onset", "offset", "channel", "kind"]


def canonical_channel(name: str) -> str:
    """Canonical bipolar channel name, through :func:`hfo_detect.channels.canonical_bipolar`.

    Falls back to the stripped name when that module is absent or does not recognise it.
    """
    try:
        from hfo_detect.channels import canonical_bipolar
    except ImportError:  # pragma: no cover - module written by another helper
        return str(name).strip()
    try:
        out = canonical_bipolar(str(name))
    except Exception:  # unrecognised spelling: keep as written
        return str(name).strip()
    return str(out) if out else str(name).strip()


def as_frame(events: Any, canonical: bool = True) -> pd.DataFrame:
    """Return ``events`` as a DataFrame with columns ``onset, offset, channel, kind`` (+ extras).

    Parameters
    ----------
    events : EventTable, DataFrame or None
        ``None`` or an empty table gives an empty frame.
    canonical : bool
        Map channel names through :func:`canonical_channel` (``AHR3-4`` -> ``AHR3-AHR4``).
    """
    if events is None:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("onset", "offset") else object) for c in COLUMNS})
    df = getattr(events, "df", events)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected an EventTable or DataFrame, got {type(events).__name__}")
    df = df.copy()
    df = df.rename(columns={"onset_s": "onset", "duration_s": "duration", "offset_s": "offset"})
    if "offset" not in df.columns:
        if "duration" not in df.columns:
            raise ValueError("event table needs 'duration' or 'offset' next to 'onset'")
        df["offset"] = df["onset"].astype(float) + df["duration"].astype(float)
    if "channel" not in df.columns:
        df["channel"] = "all"
    if "kind" not in df.columns:
        df["kind"] = "hfo"
    df["onset"] = df["onset"].astype(float)
    df["offset"] = df["offset"].astype(float)
    kinds = df["kind"].astype(str).str.strip().str.lower()
    df["kind"] = kinds.map(lambda k: _KIND_ALIASES.get(k, k))
    df["channel"] = df["channel"].astype(str)
    if canonical and len(df):
        names = {c: canonical_channel(c) for c in df["channel"].unique()}
        df["channel"] = df["channel"].map(names)
    return df.reset_index(drop=True)


def hfo_only(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose kind is an HFO kind (drops spikes, artifacts and other labels)."""
    return df[df["kind"].isin(HFO_KINDS)].reset_index(drop=True)


def merge_overlapping(df: pd.DataFrame) -> pd.DataFrame:
    """Union of overlapping (or touching) events per channel, kind set to ``"hfo"``.

    Used for the band-less pooled score: a ripple and a fast ripple marked on the same channel at
    the same time (Zurich ``frandr``) are one oscillation for a detector that has no bands.
    """
    if df.empty:
        out = df.iloc[0:0][COLUMNS].copy()
        return out
    parts = []
    for channel, g in df.sort_values(["channel", "onset"]).groupby("channel", sort=True):
        on = g["onset"].to_numpy()
        off = g["offset"].to_numpy()
        running = np.maximum.accumulate(off)
        new = np.ones(len(on), dtype=bool)
        new[1:] = on[1:] > running[:-1]  # touching events (on == previous end) are merged
        starts = np.minimum.reduceat(on, np.flatnonzero(new))
        stops = np.maximum.reduceat(off, np.flatnonzero(new))
        parts.append(pd.DataFrame({"onset": starts, "offset": stops, "channel": channel, "kind": "hfo"}))
    return pd.concat(parts, ignore_index=True)
