"""``reports/benchmarks.md`` from the results dict: headline first, then details, then machine."""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.tools import REFERENCE_TOOL

SHIMS = [
    "mne-hfo 0.2 calls `BaseEstimator._validate_data`, removed in scikit-learn 1.6: the runner "
    "adds it back as a thin wrapper of `sklearn.utils.validation.validate_data`.",
    "mne-hfo 0.2's DataFrame helpers (`predict`, `score`, `hfo_df`) break on pandas >= 2: the runner "
    "never calls them and reads the fitted `chs_hfos_` start/stop samples instead; its `hfo_name` "
    "is kept free of underscores, which its annotation parser splits on.",
    "epycom 0.3 pins numpy < 1.27 but runs on numpy 2: installed with `--no-deps`, plus numba "
    "(needed by its CS detector) by hand.",
]


def _f(v, nd=2, pct=False) -> str:
    if v is None:
        return "n/a"
    try:
        if v != v:  # NaN
            return "n/a"
    except TypeError:
        return str(v)
    if pct:
        return f"{100 * v:.0f} %"
    if isinstance(v, int) or (isinstance(v, float) and abs(v) >= 1000):
        return f"{v:,.0f}"
    return f"{v:.{nd}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _tool_index(res: dict, section: str) -> dict:
    return {t["ident"]: t for t in res.get(section, {}).get("tools", [])}


def headline(res: dict) -> list[str]:
    thr = _tool_index(res, "throughput")
    acc = _tool_index(res, "accuracy")
    real = res.get("real", {})
    real_names = [w["name"] for w in real.get("workloads", [])]
    idents = [t["ident"] for t in res.get("tools", [])]
    header = ["Detector", "ch-s per CPU-s", "x epycom RMS", "peak RSS (MB)",
              "F1 (a), default", f"F1 (a) at P >= {_f(res.get('accuracy', {}).get('p_star'))}",
              "PR AUC"] + [f"F1 {n}" for n in real_names]
    rows = []
    for ident in idents:
        t = next(x for x in res["tools"] if x["ident"] == ident)
        th, ac = thr.get(ident, {}), acc.get(ident, {})
        eq = ac.get("at_p_star") or {}
        dag = " (s)" if th.get("subset") else ""
        sub = " (s)" if ac.get("note") else ""
        r = [f"**{t['label']}**" if ident == "hfo_detect" else t["label"],
             _f(th.get("ch_s_per_cpu_s"), 0) + dag, _f(th.get("ratio_vs_reference"), 2),
             _f(th.get("peak_rss_mb"), 0),
             _f(((ac.get("default") or {}).get("all") or {}).get("f1")) + sub,
             _f(eq.get("f1")) + sub, _f((ac.get("pr") or {}).get("auc")) + sub]
        for n in real_names:
            sc = (real.get("scores", {}).get(n, {}).get(ident) or {}).get("all") or {}
            r.append(_f(sc.get("f1")))
        rows.append(r)
    return _table(header, rows)


def targets(res: dict) -> list[str]:
    rows = []
    thr = _tool_index(res, "throughput")
    net, ref = thr.get("hfo_detect", {}), thr.get(REFERENCE_TOOL, {})
    ratio = net.get("ratio_vs_reference")
    rows.append(["Throughput of `hfo-detect detect` >= 2x epycom RMS (ch-s per CPU-s, one core)",
                 f"{_f(net.get('ch_s_per_cpu_s'), 0)} vs {_f(ref.get('ch_s_per_cpu_s'), 0)} "
                 f"= {_f(ratio)}x", _met(ratio, 2.0)])
    sc = res.get("scale", {})
    rss = sc.get("peak_rss_mb")
    stopped = sc.get("stopped")
    full = _engine_scale(sc)
    if full:  # the 1-h run to its end, by bench_engine.py
        rows.append(["Peak memory on (c) 64 ch x 3600 s <= 400 MB",
                     f"{full['run']['peak_rss_mb']:.0f} MB, to the end of the run "
                     f"(`bench_engine.py --sections scale`, commit {full.get('commit', '?')})",
                     _met(-full["run"]["peak_rss_mb"], -400.0)])
    else:
        rows.append([f"Peak memory on (c) {sc.get('workload', '')} <= 400 MB",
                     f"{'>= ' if stopped else ''}{_f(rss, 0)} MB"
                     + (" (run stopped at its time limit: peak so far)" if stopped else ""),
                     _met(None if rss is None or (stopped and rss <= 400) else -rss, -400.0)])
    acc = res.get("accuracy", {})
    net_eq = ((_tool_index(res, "accuracy").get("hfo_detect") or {}).get("at_p_star") or {}).get("f1")
    best = acc.get("best_peer_at_p_star") or {}
    rows.append([f"F1 of the default network on (a) >= best peer at equal precision "
                 f"(P >= {_f(acc.get('p_star'))})",
                 f"{_f(net_eq)} vs {_f(best.get('f1'))} ({best.get('label', 'n/a')})",
                 _met(None if net_eq is None or best.get("f1") is None else net_eq - best["f1"], 0.0)])
    return _table(["Target", "Measured", "Met"], rows)


def _engine_scale(own: dict) -> dict | None:
    """The full 64 ch x 1 h run of ``bench_engine.py`` (its own time limit is the run's end),
    when it finished and ``bench_all``'s own scale section ``own`` stopped at ``--max-scale-s``
    (or has no figure)."""
    if not own.get("stopped") and own.get("peak_rss_mb") is not None:
        return None
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "reports" / "bench_engine.json"
    try:
        sc = json.loads(path.read_text()).get("scale") or {}
    except (OSError, ValueError):
        return None
    run = sc.get("run") or {}
    if run.get("returncode") == 0 and sc.get("seconds", 0) >= 3600 and sc.get("channels") == 64:
        return sc
    return None


def _met(value, threshold) -> str:
    if value is None:
        return "not measured"
    return "yes" if value >= threshold else "**no**"


def details(res: dict) -> list[str]:
    L: list[str] = []
    # ---------------- workloads
    L += ["## Workloads", ""]
    for w in res.get("workloads", []):
        L.append(f"- **{w['name']}**: {w['n_channels']} ch x {w['duration_s']:g} s at "
                 f"{w['sfreq']:g} Hz = {w['channel_seconds']:,.0f} channel-seconds "
                 f"({w.get('note') or 'simulated, seed ' + str(w.get('meta', {}).get('seed'))})")
    L.append("")
    # ---------------- throughput
    th = res.get("throughput", {})
    if th:
        L += ["## Throughput and memory (workload b)", "",
              f"Each tool as a whole process (EDF read + filter + detect + events written), pinned "
              f"to core 0 (`taskset -c 0`), every thread pool at 1 thread, timed by "
              f"`{th.get('timer', '/usr/bin/time -v')}`; median of {th.get('repeats')} run(s)"
              + (", the tools alternating round by round" if th.get("alternating") else
                 ", each tool's runs back to back")
              + (" after one untimed warm-up run on the first 60 s of 4 channels (it fills numba's "
                 "cache and the page cache, and estimates the rate). " if th.get("warmup") else
                 " without a warm-up run. ") +
              "Rate = channels x seconds of the EDF / (user + sys CPU seconds).", ""]
        rows = []
        for t in th.get("tools", []):
            rows.append([t["label"], t.get("workload", ""), _f(t.get("wall_s")), _f(t.get("cpu_s")),
                         _f(t.get("peak_rss_mb"), 0), _f(t.get("ch_s_per_cpu_s"), 0),
                         _f(t.get("ratio_vs_reference")), f"{t.get('n_ok', 0)}/{t.get('n_runs', 0)}",
                         t.get("error", "")[:80]])
        L += _table(["Tool", "EDF", "wall (s)", "CPU (s)", "peak RSS (MB)", "ch-s per CPU-s",
                     "x epycom RMS", "runs ok", "error"], rows)
        if th.get("notes"):
            L += [f"- {n}" for n in th["notes"]] + [""]
    sc = res.get("scale", {})
    if sc:
        L += ["## Scale (workload c)", "",
              f"`hfo-detect detect` (default network) on {sc.get('workload')}, one core, one run: "
              f"wall {_f(sc.get('wall_s'), 0)} s, CPU {_f(sc.get('cpu_s'), 0)} s, "
              f"peak RSS {_f(sc.get('peak_rss_mb'), 0)} MB "
              f"({_f(sc.get('ch_s_per_cpu_s'), 0)} ch-s per CPU-s). "
              f"{sc.get('error', '')}", ""]
        full = _engine_scale(sc)
        if full:
            L += [f"This run stops at its time limit. The whole 1-h run, to its end, is measured by "
                  f"`data_scripts/bench_engine.py --sections scale` (commit {full.get('commit', '?')}): "
                  f"peak RSS {full['run']['peak_rss_mb']:.0f} MB, CPU {full['run']['cpu_s']:.0f} s, "
                  f"exit {full['run']['returncode']} (`reports/bench_engine.md`).", ""]
        if sc.get("gen_s") is not None:
            L += [f"Generating the EDF (streamed, not kept in git) took {sc['gen_s']:.0f} s."
                  if sc["gen_s"] >= 1 else "The EDF (streamed, not kept in git) was reused from an "
                  "earlier run with the same parameters.", ""]
    # ---------------- accuracy
    acc = res.get("accuracy", {})
    if acc:
        L += ["## Accuracy on simulated truth (workload a)", "",
              "Matching rule (all tools): `hfo_detect.evaluation.score_events`, rule `overlap` "
              "(one-to-one optimal matching of a detection to a simulated HFO that it overlaps in "
              "time, per channel and kind; `all` pools both bands after merging overlapping events "
              "per channel); every simulated channel is reviewed. Spikes and artifacts are not HFOs.",
              ""]
        rows = []
        for t in acc.get("tools", []):
            d = t.get("default") or {}
            ex = t.get("extras") or {}
            row = [t["label"]]
            for k in ("ripple", "fast_ripple", "all"):
                s = d.get(k) or {}
                row.append(f"{_f(s.get('precision'))} / {_f(s.get('recall'))} / {_f(s.get('f1'))}")
            row += [_f(ex.get("ripple_fr_recall")), _f(ex.get("spike_hit_rate"), pct=True),
                    _f(ex.get("artifact_hit_rate"), pct=True), t.get("error", "")[:60]]
            rows.append(row)
        L += _table(["Detector", "ripple P / R / F1", "fast ripple P / R / F1", "all HFOs P / R / F1",
                     "ripple+FR recall", "spikes hit", "artifacts hit", "error"], rows)
        L += ["*spikes hit / artifacts hit*: share of simulated interictal spikes / artifacts that "
              "some detection on the same channel overlaps (lower is better).", ""]
        snr_tools = [t for t in acc.get("tools", []) if t.get("snr")]
        if snr_tools:
            bins = [b["bin"] for b in snr_tools[0]["snr"]]
            rows = [[t["label"]] + [f"{_f(b['precision'])} / {_f(b['recall'])} / {_f(b['f1'])}"
                                    for b in t["snr"]] for t in snr_tools]
            L += ["### Per SNR bin (all HFOs, P / R / F1)", "",
                  "Truth restricted to the bin; detections overlapping only HFOs of other bins are "
                  "left out; all other unmatched detections are false positives in every bin.", ""]
            L += _table(["Detector"] + [f"{b} (n={snr_tools[0]['snr'][i]['n_truth']})"
                                        for i, b in enumerate(bins)], rows)
        levels = acc.get("levels", [])
        L += ["### Threshold sweeps (PR curves) and equal precision", "",
              f"Each detector with a threshold is run at every value listed (peers: one process "
              f"computes all values; ours: in-process). P* = precision of the network at its "
              f"best-F1 threshold = {_f(acc.get('p_star'))} (at its default threshold: "
              f"{_f(acc.get('p_default'))}). 'F1 at P >= x' = best F1 among the sweep points with "
              f"precision >= x (n/a: no threshold reaches it). PR AUC: "
              f"`hfo_detect.evaluation.pr_auc` (interpolated).", ""]
        rows = []
        for t in acc.get("tools", []):
            eq = t.get("at_p_star") or {}
            pr = t.get("pr") or {}
            vals = [c["threshold"] for c in pr.get("curve", []) if c.get("threshold") == c.get("threshold")]
            rows.append([t["label"], t.get("threshold_name") or "-",
                         ", ".join(f"{v:g}" for v in vals) or "-", _f(pr.get("auc")),
                         _f((t.get("max_f1") or {}).get("f1")),
                         f"{_f(eq.get('f1'))} (thr {'n/a' if eq.get('threshold') is None else format(eq['threshold'], 'g')})"]
                        + [_f(((t.get("at_levels") or {}).get(f"{p:g}") or {}).get("f1")) for p in levels]
                        + [t.get("sweep_error", "")[:60]])
        L += _table(["Detector", "threshold", "values swept", "PR AUC", "max F1", "F1 at P >= P*"]
                    + [f"F1 at P >= {p:g}" for p in levels] + ["note"], rows)
        L += ["![PR curves](figures/bench_pr_curves.png)", "", "![SNR](figures/bench_snr.png)", ""]
    # ---------------- mismatch
    mm = res.get("mismatch", {})
    if mm.get("rows"):
        L += ["## Mismatch robustness (hfo256, simulated chips)", "",
              f"{mm.get('n_seeds')} chips (seeds) per mismatch CV on {mm.get('workload')}; the ADM "
              f"front end is encoded once per worker and only the network re-run per chip "
              f"(cache check against the full `fit`/`predict` path: {mm.get('cache_check')}).", ""]
        rows = []
        for cv in sorted({r["cv"] for r in mm["rows"]}):
            f1 = [r["f1"] for r in mm["rows"] if r["cv"] == cv and r["f1"] is not None]
            if f1:
                q = statistics.quantiles(f1, n=4) if len(f1) >= 2 else [f1[0]] * 3
                rows.append([f"{cv:g}", str(len(f1)), _f(statistics.median(f1)),
                             f"{_f(q[0])} - {_f(q[2])}", f"{_f(min(f1))} - {_f(max(f1))}"])
        L += _table(["mismatch CV", "chips", "median F1", "IQR", "range"], rows)
        L += ["![mismatch](figures/bench_mismatch.png)", ""]
    # ---------------- real data
    real = res.get("real", {})
    if real.get("workloads"):
        L += ["## Real data: agreement with the Zurich marks", "",
              "Marks are the output of the Zurich detectors (reviewed), not independent expert "
              "marks: this measures agreement with them. Same matching rule; reviewed channels = "
              "channels with at least one mark. P / R / F1 per kind.", ""]
        for w in real["workloads"]:
            L += [f"### {w['name']}: {w['note']}", ""]
            rows = []
            for ident, sc in real.get("scores", {}).get(w["name"], {}).items():
                label = next((t["label"] for t in res["tools"] if t["ident"] == ident), ident)
                if sc.get("error"):
                    rows.append([label, sc["error"][:60], "", ""])
                    continue
                rows.append([label] + [
                    f"{_f((sc.get(k) or {}).get('precision'))} / {_f((sc.get(k) or {}).get('recall'))}"
                    f" / {_f((sc.get(k) or {}).get('f1'))} (n={_f((sc.get(k) or {}).get('tp'), 0)}"
                    f"+{_f((sc.get(k) or {}).get('fn'), 0)})"
                    for k in ("ripple", "fast_ripple", "all")])
            L += _table(["Detector", "ripple", "fast ripple", "all HFOs"], rows)
    # ---------------- method notes
    L += ["## Peers and compatibility shims", ""]
    L += [f"- {s}" for s in SHIMS]
    L += ["- Peer settings (same for all): ripple 80-250 Hz and fast ripple 250-500 Hz detected "
          "separately; RMS / line length with the tools' default 100-sample window, step 25, "
          "threshold mean + k SD (k = 3); epycom gets a 4th-order Butterworth band-pass applied "
          "forward-backward (mne-hfo filters inside, MNE FIR); epycom CS sub-band detections map to "
          "ripple / fast ripple by centre frequency. See `data_scripts/bench_peers.py`.",
          "- mne-hfo's line-length detector filters with MNE's default IIR filter (4th-order "
          "Butterworth, zero-phase), the filter the runner gives epycom, with the same window and "
          "threshold rule: the two line-length peers give the same events (a cross-check of the "
          "runner) and differ only in speed. mne-hfo's RMS detector filters with MNE's FIR filter.",
          ""]
    return L


def machine(res: dict) -> list[str]:
    m = res.get("machine", {})
    L = ["## Machine and versions", ""]
    L += [f"- CPU: {m.get('cpu_model', '?')} ({m.get('cpus', '?')} CPUs, {m.get('threads_per_core', '?')} "
          f"thread(s) per core, hypervisor {m.get('hypervisor', '?')}); RAM {m.get('ram_gib', '?')} GiB; "
          f"load average at start {_f(m.get('load_at_start'))}",
          f"- OS: {m.get('platform', '?')}; Python {m.get('python', '?')}",
          f"- Timer: {res.get('throughput', {}).get('timer', '?')}; pinning: {m.get('pinning', '?')}"]
    for env, vers in res.get("versions", {}).items():
        L.append(f"- {env}: " + ", ".join(f"{k} {v}" for k, v in vers.items()))
    L += [f"- Peers environment: {res.get('peers_status', '?')}",
          f"- Benchmark run: {res.get('started', '?')}, {res.get('elapsed_s', 0) / 60:.1f} min, "
          f"mode `{res.get('mode', '?')}`, command `{res.get('command', '')}`", ""]
    return L


def write(res: dict, out_dir: Path) -> Path:
    quick = res.get("mode") == "quick"
    L = ["# Benchmarks: hfo-detect against the tools users would pick instead", ""]
    if quick:
        L += ["> **Quick mode** (`--quick`): small workloads, a smoke test of the harness; the "
              "numbers are not the benchmark. Run without `--quick` for the real tables.", ""]
    L += [f"Regenerate everything (tables, figures): `{res.get('command_full', 'python data_scripts/bench_all.py')}`. "
          "Every number below comes from that command.", "",
          "## Headline", ""]
    L += headline(res)
    L += ["Rates and memory: workload (b), one core, median of repeated whole-process runs; ratios "
          "against epycom RMS measured in the same run (the network and epycom RMS on the same EDF). "
          "F1: all HFOs pooled, workload (a), any-overlap matching; 'at P >= x': best F1 of the "
          "threshold sweep at precision >= the network's best-F1 precision. Real-data columns: F1 "
          "against the Zurich marks. (s): measured on a prefix of the workload to keep the run "
          "bounded (details below). Peak RSS here is of a run on (b) or its prefix; the memory "
          "target is checked on (c).", ""]
    when = res.get("section_at")
    if when:
        L += ["Sections and when they were last run (a run of some sections keeps the others): "
              + "; ".join(f"{k} {v}" for k, v in when.items()) + ".", ""]
    L += ["### Targets", ""] + targets(res)
    L += ["![throughput](figures/bench_throughput.png)", ""]
    L += details(res)
    stages = [n for n in ("bench_frontend.md", "bench_snn.md") if (out_dir / n).exists()]
    if stages:
        L += ["## Per-stage benchmarks", "",
              "Front end and network alone (their own scripts, `data_scripts/bench_frontend.py`, "
              "`data_scripts/bench_snn.py`): " + ", ".join(f"[{n}]({n})" for n in stages) + ".", ""]
    L += machine(res)
    path = out_dir / "benchmarks.md"
    path.write_text("\n".join(L))
    return path


README_START = "<!-- bench:headline:start (written by data_scripts/bench_all.py) -->"
README_END = "<!-- bench:headline:end -->"


def update_readme(res: dict, readme: Path) -> bool:
    """Put the headline table into the README between its two markers (full runs only).

    Returns False, changing nothing, for a quick run or a README without the markers.
    """
    if res.get("mode") == "quick" or not readme.is_file():
        return False
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = "\n".join([README_START, "", *headline(res), README_END])
    readme.write_text(head + block + tail)
    return True
