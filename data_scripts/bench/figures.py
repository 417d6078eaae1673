"""Figures of the benchmark (``reports/figures/bench_*.png``), from the results dict only."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401
import numpy as np  # noqa: E402

COLORS = {"ours": "#1f77b4", "peer": "#7f7f7f"}
NETWORK_COLOR = "#d62728"


#: distinct colours for the other tools (tab10 without its red, which marks the network)
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


def _color(tool: dict) -> str:
    return NETWORK_COLOR if tool["ident"] == "hfo_detect" else COLORS[tool["family"]]


def _line_colors(tools: list[dict]) -> dict[str, str]:
    others = [t["ident"] for t in tools if t["ident"] != "hfo_detect"]
    colors = {ident: PALETTE[i % len(PALETTE)] for i, ident in enumerate(others)}
    colors["hfo_detect"] = NETWORK_COLOR
    return colors


def throughput(res: dict, out: Path) -> Path | None:
    rows = [r for r in res.get("throughput", {}).get("tools", []) if r.get("ch_s_per_cpu_s")]
    if not rows:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))
    labels = [r["label"] for r in rows]
    ax1.barh(y, [r["ch_s_per_cpu_s"] for r in rows], color=[_color(r) for r in rows])
    ref = res["throughput"].get("reference_rate")
    if ref:
        ax1.axvline(ref, color="k", ls=":", lw=1, label="epycom RMS")
        ax1.axvline(2 * ref, color="k", ls="--", lw=1, label="target: 2x epycom RMS")
        ax1.legend(loc="best", fontsize=7, framealpha=0.9)
    ax1.set_xscale("log")
    vals = [r["ch_s_per_cpu_s"] for r in rows] + ([2 * ref] if ref else [])
    ax1.set_xlim(min(vals) / 3, max(vals) * 3)
    ax1.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax1.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax1.set_xlabel("channel-seconds per CPU-second (one core, EDF -> events)")
    ax1.set_yticks(y, labels)
    ax1.invert_yaxis()
    ax2.barh(y, [r.get("peak_rss_mb") or 0 for r in rows], color=[_color(r) for r in rows])
    ax2.set_xlabel("peak RSS (MB)")
    fig.suptitle(f"Throughput on {res['throughput'].get('workload', '')}", fontsize=10)
    fig.tight_layout()
    path = out / "bench_throughput.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def pr_curves(res: dict, out: Path) -> Path | None:
    acc = res.get("accuracy", {})
    tools = acc.get("tools", [])
    if not tools:
        return None
    fig, ax = plt.subplots(figsize=(9, 5))
    colors = _line_colors(tools)
    for t in tools:
        curve = (t.get("pr") or {}).get("curve") or []
        pts = [(c["recall"], c["precision"]) for c in curve
               if c.get("recall") is not None and c.get("precision") is not None]
        color = colors[t["ident"]]
        style = "-" if t["family"] == "ours" else "--"
        if pts:  # in threshold order (the sweep's own order)
            ax.plot(*zip(*pts), style, marker=".", color=color, label=t["label"],
                    lw=2 if t["ident"] == "hfo_detect" else 1)
        d = (t.get("default") or {}).get("all") or {}
        if d.get("recall") is not None and d.get("precision") is not None:
            ax.plot(d["recall"], d["precision"], "o", ms=7, mfc="none", color=color,
                    label=None if pts else t["label"])
    p_star = acc.get("p_star")
    if p_star:
        ax.axhline(p_star, color=NETWORK_COLOR, ls=":", lw=1, label=f"equal precision {p_star:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall (all HFOs)")
    ax.set_ylabel("precision")
    ax.set_title(f"PR curves from threshold sweeps ({acc.get('workload', '')}); "
                 "open circles: default thresholds", fontsize=9)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    path = out / "bench_pr_curves.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def snr(res: dict, out: Path) -> Path | None:
    tools = [t for t in res.get("accuracy", {}).get("tools", []) if t.get("snr")]
    if not tools:
        return None
    colors = _line_colors(tools)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    bins = [b["bin"] for b in tools[0]["snr"]]
    x = np.arange(len(bins))
    for t in tools:
        vals = [b["recall"] if b["recall"] is not None else np.nan for b in t["snr"]]
        net = t["ident"] == "hfo_detect"
        ax.plot(x, vals, "-" if t["family"] == "ours" else "--", marker="o", color=colors[t["ident"]],
                lw=2.5 if net else 1.2, label=t["label"], zorder=3 if net else 2)
    ax.set_xticks(x, bins)
    ax.set_xlabel("SNR of the simulated HFO")
    ax.set_ylabel("recall (all HFOs)")
    ax.set_ylim(0, 1.02)
    ax.set_title("Recall per SNR bin at default thresholds (workload a)", fontsize=9)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    path = out / "bench_snr.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def mismatch(res: dict, out: Path) -> Path | None:
    rows = res.get("mismatch", {}).get("rows", [])
    if not rows:
        return None
    cvs = sorted({r["cv"] for r in rows})
    data = [[r["f1"] for r in rows if r["cv"] == cv and r["f1"] is not None] for cv in cvs]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.boxplot(data)
    ax.set_xticks(range(1, len(cvs) + 1), [f"{cv:g}" for cv in cvs])
    for i, d in enumerate(data):
        ax.plot(np.full(len(d), i + 1) + np.random.default_rng(i).uniform(-0.08, 0.08, len(d)), d,
                ".", color=NETWORK_COLOR, alpha=0.6)
    ax.set_xlabel("mismatch coefficient of variation")
    ax.set_ylabel("F1 (all HFOs)")
    n = len(data[0]) if data else 0
    ax.set_title(f"hfo256 over {n} simulated chips per level ({res['mismatch'].get('workload', '')})",
                 fontsize=9)
    fig.tight_layout()
    path = out / "bench_mismatch.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def all_figures(res: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in (throughput, pr_curves, snr, mismatch):
        try:  # a figure failing must not cost the report
            paths.append(f(res, out))
        except Exception as err:
            print(f"figure {f.__name__} failed: {type(err).__name__}: {err}")
            plt.close("all")
    return [p for p in paths if p is not None]
