"""Figures of the HTML report (matplotlib, Agg backend), each returned as PNG bytes.

Every function takes plain tables/arrays and returns ``bytes`` of a PNG, so the HTML builder
can embed it as base64 and tests can decode it.
"""

from __future__ import annotations

import io
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: reports are built on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

#: colours of the event gallery
COLOURS = {"matched": "#1a9850", "unmatched": "#d73027", "detected": "#2166ac",
           "missed": "#f46d43", "reference": "#f46d43"}
PART_COLOURS = {"bias_uw": "#4d4d4d", "periphery_uw": "#878787", "headstage_uw": "#bababa",
                "adm_uw": "#fdae61", "broadcast_uw": "#f46d43", "synaptic_uw": "#d73027",
                "spike_uw": "#a50026"}
DPI = 90


def to_png(fig) -> bytes:
    """Render and close a figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def recording_rates(rec_rates: pd.DataFrame) -> bytes:
    """Bar chart: mean and maximum per-channel HFO rate (per min) of each recording.

    ``rec_rates`` has columns ``recording, mean_per_min, max_per_min``.
    """
    n = len(rec_rates)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * n + 2), 3.2))
    x = np.arange(n)
    ax.bar(x - 0.2, rec_rates["mean_per_min"], 0.4, label="mean over channels", color="#4393c3")
    ax.bar(x + 0.2, rec_rates["max_per_min"], 0.4, label="highest channel", color="#d6604d")
    ax.set_xticks(x, rec_rates["recording"], rotation=30 if n > 3 else 0, ha="right" if n > 3 else "center",
                  fontsize=8)
    ax.set_ylabel("HFO rate (1/min)")
    ax.set_title("HFO rate per recording")
    ax.legend(fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
    return to_png(fig)


def channel_rates(rates: pd.DataFrame) -> bytes:
    """Per-channel HFO rates: a bar chart for one recording, a heat map for several.

    ``rates`` is a recordings x channels table of HFOs per minute (NaN where a channel is absent).
    """
    if rates.shape[0] == 1:
        row = rates.iloc[0]
        fig, ax = plt.subplots(figsize=(max(4.0, 0.3 * len(row) + 2), 3.2))
        ax.bar(np.arange(len(row)), row.to_numpy(dtype=float), color="#4393c3")
        ax.set_xticks(np.arange(len(row)), row.index, rotation=90, fontsize=7)
        ax.set_ylabel("HFO rate (1/min)")
        ax.set_title(f"HFO rate per channel: {rates.index[0]}")
        return to_png(fig)
    values = rates.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.25 * rates.shape[1] + 3), 0.35 * rates.shape[0] + 2))
    im = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_xticks(np.arange(rates.shape[1]), rates.columns, rotation=90, fontsize=7)
    ax.set_yticks(np.arange(rates.shape[0]), rates.index, fontsize=7)
    fig.colorbar(im, ax=ax, label="HFO rate (1/min)")
    ax.set_title("HFO rate per channel (grey: channel absent)")
    ax.set_facecolor("#dddddd")
    return to_png(fig)


def event_gallery(panels: Sequence[dict], band: tuple[float, float]) -> bytes:
    """Raw and band-filtered traces around detected events.

    Each panel dict has ``t`` (s), ``raw`` and ``filtered`` (uV), ``onset``, ``offset`` (s),
    ``title`` and ``status`` (``matched``, ``unmatched`` or ``detected``) and optionally
    ``refs`` (list of (onset, offset) reference marks in the window).
    """
    n = len(panels)
    ncol = min(3, n)
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(2 * nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow), squeeze=False,
                             gridspec_kw={"height_ratios": [1, 1] * nrow})
    for i in range(nrow * ncol):
        top, bottom = axes[2 * (i // ncol), i % ncol], axes[2 * (i // ncol) + 1, i % ncol]
        if i >= n:
            top.axis("off")
            bottom.axis("off")
            continue
        p = panels[i]
        colour = COLOURS.get(p["status"], COLOURS["detected"])
        top.plot(p["t"], p["raw"], lw=0.6, color="black")
        bottom.plot(p["t"], p["filtered"], lw=0.6, color="black")
        for ax in (top, bottom):
            ax.axvspan(p["onset"], p["offset"], color=colour, alpha=0.25, lw=0)
            for r_on, r_off in p.get("refs", ()):
                ax.axvline(r_on, color=COLOURS["reference"], lw=0.8, ls="--")
                ax.axvline(r_off, color=COLOURS["reference"], lw=0.8, ls="--")
            ax.tick_params(labelsize=6)
        top.set_title(f"{p['title']} [{p['status']}]", fontsize=7, color=colour)
        top.set_ylabel("raw (uV)", fontsize=6)
        bottom.set_ylabel(f"{band[0]:.0f}-{band[1]:.0f} Hz (uV)", fontsize=6)
        bottom.set_xlabel("time (s)", fontsize=6)
    fig.tight_layout()
    return to_png(fig)


def spike_raster(adm: dict[str, np.ndarray], hidden_times: np.ndarray, hidden_ids: np.ndarray,
                 onset: float, offset: float, title: str) -> bytes:
    """Raster of ADM events (one row per stream) and hidden-layer spikes around one event."""
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True,
                                   gridspec_kw={"height_ratios": [1, 2]})
    for row, (name, times) in enumerate(adm.items()):
        ax0.plot(times, np.full(len(times), row), "|", ms=6, color="#2166ac")
    ax0.set_yticks(np.arange(len(adm)), list(adm), fontsize=7)
    ax0.set_ylim(-0.5, len(adm) - 0.5)
    ax0.set_title(title, fontsize=9)
    ax1.plot(hidden_times, hidden_ids, "|", ms=5, color="#b2182b")
    ax1.set_ylabel("hidden neuron", fontsize=8)
    ax1.set_xlabel("time (s)", fontsize=8)
    for ax in (ax0, ax1):
        ax.axvspan(onset, offset, color=COLOURS["detected"], alpha=0.15, lw=0)
        ax.tick_params(labelsize=7)
    return to_png(fig)


def pr_curves(curves: dict[str, pd.DataFrame]) -> bytes:
    """Precision-recall curves (one line per detector/kind), thresholds annotated."""
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    for name, curve in curves.items():
        c = curve.sort_values("recall")
        ax.plot(c["recall"], c["precision"], "o-", ms=3, label=name)
        for r, p, t in zip(c["recall"], c["precision"], c["threshold"]):
            if np.isfinite(r) and np.isfinite(p):
                ax.annotate(f"{t:g}", (r, p), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Precision-recall over thresholds")
    ax.legend(fontsize=7, frameon=False)
    return to_png(fig)


def power_bars(recordings: pd.DataFrame, paper_uw: float, parts: Sequence[str]) -> bytes:
    """Stacked bar of the power parts per recording, next to the paper's whole-chip figure."""
    labels = list(recordings["recording"]) + ["paper chip"]
    n = len(labels)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.8 * n + 3), 3.6))
    bottom = np.zeros(n - 1)
    for part in parts:
        vals = recordings[part].to_numpy(dtype=float)
        ax.bar(np.arange(n - 1), vals, bottom=bottom, color=PART_COLOURS.get(part),
               label=part.removesuffix("_uw"))
        bottom += vals
    ax.bar([n - 1], [paper_uw], color="#762a83", label="paper total (614.3 uW)")
    ax.set_xticks(np.arange(n), labels, rotation=30 if n > 3 else 0, ha="right" if n > 3 else "center",
                  fontsize=8)
    ax.set_ylabel("power (uW)")
    ax.set_title("Estimated chip power by part")
    ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
    return to_png(fig)
