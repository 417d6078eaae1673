"""Channel-level HFO rates and their agreement between detectors."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from hfo_detect.evaluation._frames import as_frame, hfo_only

RATE_KINDS = ("frandr", "ripple", "fast_ripple", "hfo")


def co_occurring_ripples(df: pd.DataFrame) -> pd.DataFrame:
    """Ripples that overlap in time (> 0 s) with at least one fast ripple on the same channel.

    This is the FR&R event of Burnos et al. 2016. A ``fr_and_r`` column already set to True also counts
    (truth TSVs carry the Zurich ``frandr`` flag).
    """
    rip = df[df["kind"] == "ripple"]
    fr = df[df["kind"] == "fast_ripple"]
    if rip.empty:
        return rip
    flag = np.zeros(len(rip), dtype=bool)
    if "fr_and_r" in rip.columns:
        flag |= rip["fr_and_r"].astype(str).str.lower().isin(["true", "1", "1.0"]).to_numpy()
    for ch, idx in rip.groupby("channel").indices.items():
        f = fr[fr["channel"] == ch]
        if f.empty:
            continue
        r_on = rip["onset"].to_numpy()[idx]
        r_off = rip["offset"].to_numpy()[idx]
        inter = np.minimum(r_off[:, None], f["offset"].to_numpy()[None, :]) - np.maximum(
            r_on[:, None], f["onset"].to_numpy()[None, :])
        flag[idx] |= (inter > 0).any(axis=1)
    return rip[flag]


def select_kind(events: Any, kind: str) -> pd.DataFrame:
    """Events of one rate kind: ``frandr`` (ripples co-occurring with FR), ``ripple``,
    ``fast_ripple``, or ``hfo`` (every HFO event, any band)."""
    df = hfo_only(as_frame(events))
    if kind == "frandr":
        return co_occurring_ripples(df)
    if kind == "hfo":
        return df
    if kind in ("ripple", "fast_ripple"):
        return df[df["kind"] == kind]
    raise ValueError(f"unknown rate kind {kind!r}; choose one of {RATE_KINDS}")


def hfo_rates(events: Any, duration_s: float, kind: str = "hfo", channels: Sequence[str] | None = None) -> pd.Series:
    """Events per minute per channel.

    Parameters
    ----------
    events : EventTable or DataFrame
    duration_s : float
        Length of the recording (interval) in seconds.
    kind : {"frandr", "ripple", "fast_ripple", "hfo"}
    channels : list of str, optional
        Channels to report (absent ones get 0); default: channels with events.
    """
    if duration_s <= 0:
        raise ValueError("duration_s must be > 0")
    df = select_kind(events, kind)
    counts = df.groupby("channel").size()
    if channels is not None:
        counts = counts.reindex(list(channels), fill_value=0)
    return (counts * 60.0 / duration_s).astype(float).rename(f"{kind}_per_min")


def rate_correlation(rates_a: pd.Series, rates_b: pd.Series) -> dict[str, Any]:
    """Spearman correlation of two detectors' per-channel rates (union of channels, missing = 0)."""
    idx = rates_a.index.union(rates_b.index)
    a = rates_a.reindex(idx, fill_value=0.0)
    b = rates_b.reindex(idx, fill_value=0.0)
    if len(idx) < 2 or a.nunique() < 2 or b.nunique() < 2:
        return dict(rho=np.nan, p_value=np.nan, n_channels=len(idx))
    res = spearmanr(a.to_numpy(), b.to_numpy())
    return dict(rho=float(res.statistic), p_value=float(res.pvalue), n_channels=len(idx))
