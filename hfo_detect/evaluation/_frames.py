"""Coerce event tables of any accepted shape into one plain DataFrame layout.

The scoring code works on ``pandas.DataFrame`` objects with the columns ``onset``, ``offset``
(seconds), ``channel`` (canonical bipolar name where recognisable) and ``kind``. It accepts an
:class:`hfo_detect.events.EventTable` (its ``.df``), a DataFrame with ``onset``/``duration`` or
the truth-TSV names ``onset_s``/``duration_s``/``offset_s``, or ``None`` (no events).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hfo_detect.events import HFO_KINDS, merge_overlapping, normalise_kind
from hfo_detect.errors import AnnotationError

__all__ = ["HFO_KINDS", "merge_overlapping", "as_frame", "hfo_only", "canonical_channel"]

COLUMNS = ["onset", "offset", "channel", "kind"]


def canonical_channel(name: str) -> str:
    """Canonical bipolar channel name, through :func:`hfo_detect.channels.canonical_bipolar`.

    Falls back to the stripped name when it does not recognise the spelling.
    """
    from hfo_detect.channels import canonical_bipolar

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
    df["kind"] = kinds.map(_kind_or_label)
    df["channel"] = df["channel"].astype(str)
    if canonical and len(df):
        names = {c: canonical_channel(c) for c in df["channel"].unique()}
        df["channel"] = df["channel"].map(names)
    return df.reset_index(drop=True)


def hfo_only(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose kind is an HFO kind (drops spikes, artifacts and other labels)."""
    return df[df["kind"].isin(HFO_KINDS)].reset_index(drop=True)


def _kind_or_label(kind: str) -> str:
    """The event kind (:func:`hfo_detect.events.normalise_kind`); other labels stay as written
    (scoring ignores them)."""
    try:
        return normalise_kind(kind)
    except AnnotationError:
        return kind
