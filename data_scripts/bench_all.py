"""Regenerate reports/benchmarks.md and reports/figures/bench_*: hfo-detect against its peers.

One command, from scratch::

    python data_scripts/bench_all.py [--quick] [--out reports/] [--peers-venv PATH]

What it does (details in ``data_scripts/bench/`` and in the report itself):

1. Describes the machine; checks GNU time and taskset; creates or reuses the peers' own
   virtual environment (mne-hfo, epycom; never project dependencies).
2. Builds the workloads with the project's simulator (fixed seeds): (a) accuracy
   16 ch x 10 min, (b) throughput 32 ch x 10 min, (c) scale 64 ch x 1 h (streamed to the
   work folder, not committed), plus the real snippets of ``../shared/data`` as EDF.
3. Throughput: every tool as a whole process on (b), one core, median of repeated runs,
   ratios against epycom RMS from the same run. Tools too slow for the whole of (b) within
   ``--max-run-s`` are timed on a prefix of it (the rate is per channel-second).
4. Scale: ``hfo-detect detect`` on (c): peak memory.
5. Accuracy on (a): P / R / F1 per kind and SNR bin, threshold sweeps -> PR curves, F1 at the
   default network's precision.
6. Mismatch: hfo256 over 20 chips x CV 0 / 0.1 / 0.2 / 0.3.
7. Real data: agreement with the Zurich marks on the three snippets.
8. Figures and the markdown report (``--report-only`` rebuilds them from the saved results).

The project's own detector runs from this interpreter's environment; peers from
``--peers-venv``. Timed sections run alone; untimed ones use ``--jobs`` processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# every process of the benchmark (and its children) uses one thread per pool: the timed
# sections run one tool on one core; the untimed ones run --jobs single-threaded processes
os.environ.update({k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                    "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS")})

from bench import accuracy, env, figures, report, timing, tools, workloads  # noqa: E402
from bench import mismatch as mismatch_mod  # noqa: E402

REPO = HERE.parent
SECTIONS = ("throughput", "scale", "accuracy", "mismatch", "real")
#: wall-clock limit of any one tool process (set from --run-timeout): a hung tool is recorded
#: as failed and the benchmark goes on
RUN_TIMEOUT = [1800.0]
DEFAULT_VENV = Path(os.environ.get("HFO_BENCH_VENV",
                                   Path.home() / ".cache" / "hfo-detect" / "bench-venv"))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="minutes-long smoke version")
    p.add_argument("--out", type=Path, default=None,
                   help="report folder (default: reports/; with --quick: WORK/reports, so a smoke "
                        "run never overwrites the committed report)")
    p.add_argument("--work", type=Path, default=None,
                   help="folder for generated EDFs and tool outputs (default /tmp/hfo-bench[-quick])")
    p.add_argument("--peers-venv", type=Path, default=DEFAULT_VENV,
                   help="peers' virtual environment (created if missing)")
    p.add_argument("--no-peers", action="store_true", help="skip mne-hfo and epycom")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per tool (median)")
    p.add_argument("--jobs", type=int, default=2, help="processes for the untimed sections")
    p.add_argument("--max-run-s", type=float, default=None,
                   help="time a tool on a prefix of (b) if a whole run would take longer "
                        "(default 30 s of CPU; quick: no limit)")
    p.add_argument("--seeds", type=int, default=None, help="chips per mismatch level (20; quick 3)")
    p.add_argument("--sections", default="throughput,scale,accuracy,mismatch,real",
                   help="comma-separated subset of throughput,scale,accuracy,mismatch,real")
    p.add_argument("--tools", default=None, help="comma-separated tool idents (default all)")
    p.add_argument("--run-timeout", type=float, default=None,
                   help="wall-clock limit of any one tool run in s (default 1800; quick 300)")
    p.add_argument("--report-only", action="store_true",
                   help="rebuild the markdown and figures from the saved results")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------- sections
def timed_tool_run(tool, edf: Path, out_dir: Path, peers_py, timeout=None) -> timing.Timed:
    """One timed whole-process run into a fresh folder; a run that wrote no events fails.

    The folder is emptied first: ``hfo-detect detect`` skips recordings already done in its
    output folder (its manifest), which would time a no-op.
    """
    if out_dir.exists():
        shutil.rmtree(out_dir)
    t = timing.run_timed(tool.command(edf, out_dir, peers_py), out_dir.with_suffix(".log"),
                         timeout=timeout or RUN_TIMEOUT[0])
    if t.returncode == 0 and tools.find_events(out_dir) is None:
        t.returncode = -1
        t.stderr_tail = f"no events file written ({t.stderr_tail})"
    return t


def section_throughput(ctx) -> dict:
    b = ctx["wl"]["throughput"]
    quick = ctx["quick"]
    max_run = ctx["max_run_s"]
    out = {"workload": f"(b) {b.n_channels} ch x {b.duration_s:g} s", "repeats": ctx["repeats"],
           "timer": "/usr/bin/time -v" if env.gnu_time() else "resource.getrusage (GNU time missing)",
           "tools": [], "notes": []}
    # 1. the probe (first 60 s of 4 channels) is each tool's untimed warm-up run (numba
    #    cache, page cache) and estimates its rate; quick mode skips it (the median of the
    #    timed runs absorbs a cold first run)
    probe = None if quick else workloads.subset_edf(b, 4, 60.0, ctx["work"])
    out["warmup"] = probe is not None
    rows, targets = {}, {}
    for tool in ctx["tools"]:
        rows[tool.ident] = {"ident": tool.ident, "label": tool.label, "family": tool.family}
        targets[tool.ident] = b
        if probe is None:
            continue
        t = timed_tool_run(tool, probe.edf, ctx["work"] / "runs" / "throughput" / tool.ident / "probe",
                           ctx["peers_py"])
        if t.returncode != 0:
            rows[tool.ident]["error"] = f"probe failed: {t.stderr_tail}"
            continue
        rate = probe.channel_seconds / max(t.cpu_s, 1e-3)
        if max_run and b.channel_seconds / rate > max_run:
            targets[tool.ident] = workloads.shrink(b, rate * max_run, ctx["work"])
            rows[tool.ident]["whole_b_cpu_s_estimate"] = b.channel_seconds / rate
    # 2. the network and the reference (epycom RMS) are timed on the same EDF: the smaller
    #    of their two choices, so that their ratio compares like with like
    pair = [i for i in (tools.NETWORK_TOOL, tools.REFERENCE_TOOL) if i in targets]
    if len(pair) == 2:
        small = min((targets[i] for i in pair), key=lambda w: w.channel_seconds)
        for i in pair:
            targets[i] = small
    for ident, w in targets.items():
        if w is not b:
            est = rows[ident].get("whole_b_cpu_s_estimate")
            out["notes"].append(f"{rows[ident]['label']}: timed on the first {w.n_channels} ch x "
                                f"{w.duration_s:g} s of (b)"
                                + (f" (a whole run would take ~{est:.0f} s of CPU)" if est else ""))
    # 3. timed runs, alternating between the tools (round by round), so that a slow spell of
    #    a shared machine lowers every tool's run of that round, not one tool's figure
    runs = {t.ident: [] for t in ctx["tools"] if "error" not in rows[t.ident]}
    errors = {}
    out["alternating"] = True
    for i in range(ctx["repeats"]):
        for tool in ctx["tools"]:
            if tool.ident not in runs or tool.ident in errors:
                continue
            cmd_dir = ctx["work"] / "runs" / "throughput" / tool.ident
            try:
                runs[tool.ident].append(timed_tool_run(tool, targets[tool.ident].edf,
                                                       cmd_dir / f"run{i}", ctx["peers_py"]))
            except Exception as err:  # one tool failing must not stop the benchmark
                errors[tool.ident] = f"{type(err).__name__}: {err}"
    for tool in ctx["tools"]:
        row, target = rows[tool.ident], targets[tool.ident]
        if tool.ident in errors:
            row["error"] = errors[tool.ident]
        elif tool.ident in runs:
            med = timing.median_runs(runs[tool.ident])
            row.update(med, workload=f"{target.n_channels} ch x {target.duration_s:g} s",
                       channel_seconds=target.channel_seconds, subset=target is not b)
            if "cpu_s" in med:
                row["ch_s_per_cpu_s"] = target.channel_seconds / max(med["cpu_s"], 1e-3)
                row["ch_s_per_wall_s"] = target.channel_seconds / max(med["wall_s"], 1e-3)
        log(f"throughput {tool.ident}: {row.get('ch_s_per_cpu_s', float('nan')):.0f} ch-s/CPU-s "
            f"{row.get('error', '')}")
        out["tools"].append(row)
    ref = next((r for r in out["tools"] if r["ident"] == tools.REFERENCE_TOOL
                and r.get("ch_s_per_cpu_s")), None)
    if ref:
        out["reference_rate"] = ref["ch_s_per_cpu_s"]
        for r in out["tools"]:
            if r.get("ch_s_per_cpu_s"):
                r["ratio_vs_reference"] = r["ch_s_per_cpu_s"] / ref["ch_s_per_cpu_s"]
    return out


def section_scale(ctx) -> dict:
    t0 = time.perf_counter()
    c = workloads.scale(ctx["work"], ctx["quick"])
    gen_s = time.perf_counter() - t0
    net = tools.by_ident(tools.NETWORK_TOOL)
    d = ctx["work"] / "runs" / "scale"
    limit = ctx["max_scale_s"]
    t = timed_tool_run(net, c.edf, d / "out", None, timeout=limit)
    out = {"workload": f"{c.n_channels} ch x {c.duration_s:g} s", "gen_s": gen_s, **t.to_dict()}
    if t.returncode == 0:
        out["ch_s_per_cpu_s"] = c.channel_seconds / max(t.cpu_s, 1e-3)
    elif t.returncode in (124, 137) and limit:
        out["error"] = (f"stopped at the {limit:.0f}-s limit: the peak RSS is the peak up to then "
                        f"(a lower bound; the detector streams in chunks, so it plateaus early)")
        out["stopped"] = True
    else:
        out["error"] = f"failed: {t.stderr_tail}"
    log(f"scale: peak RSS {t.peak_rss_mb:.0f} MB, CPU {t.cpu_s:.0f} s")
    return out


def _crop_truth(truth, n_channels_names, duration_s):
    keep = truth["channel"].isin(n_channels_names) & (truth["onset"] + truth["duration"] <= duration_s)
    return truth[keep]


def section_accuracy(ctx) -> dict:
    a = ctx["wl"]["accuracy"]
    truth = accuracy.truth_table(a.truth)
    reviewed = a.reviewed
    out = {"workload": f"(a) {a.n_channels} ch x {a.duration_s:g} s", "tools": []}
    rates = {r["ident"]: r.get("ch_s_per_cpu_s") for r in ctx["results"].get("throughput", {}).get("tools", [])}
    budget = ctx["max_acc_s"]

    def target_for(tool):
        """(a), or a prefix of it (all channels, fewer seconds) when the default run plus the
        sweep would exceed the per-tool CPU budget."""
        rate = rates.get(tool.ident)
        n_runs = 1 + tool.sweep_cost
        if not budget or not rate:
            return a
        return workloads.shrink(a, rate * budget / n_runs, ctx["work"])

    targets = {t.ident: target_for(t) for t in ctx["tools"]}

    def default_run(tool):
        w = targets[tool.ident]
        d = ctx["work"] / "runs" / "accuracy" / tool.ident
        path, err = tools.run_once(tool, w.edf, d, ctx["peers_py"], timeout=RUN_TIMEOUT[0])
        return tool, w, path, err

    with ThreadPoolExecutor(ctx["jobs"]) as pool:
        done = list(pool.map(default_run, ctx["tools"]))
    sweeps = {}
    with ProcessPoolExecutor(ctx["jobs"]) as pool:
        futs = {}
        for tool, w, _, _ in done:
            if not tool.sweep:
                continue
            values = list(tool.sweep if not ctx["quick"] else tool.sweep[::2] + (tool.default_threshold,))
            values = sorted(set(values))
            if tool.family == "ours":
                futs[tool.ident] = pool.submit(tools.sweep_ours, tool.ident, str(w.edf), values)
            elif ctx["peers_py"] is not None:
                futs[tool.ident] = pool.submit(tools.sweep_peer, tool.ident, str(w.edf), values,
                                               str(ctx["work"] / "runs" / "sweeps" / tool.ident),
                                               str(ctx["peers_py"]))
        for ident, f in futs.items():
            try:
                sweeps[ident] = (f.result(), "")
            except Exception as err:
                sweeps[ident] = ([], f"{type(err).__name__}: {err}")

    for tool, w, path, err in done:
        row = {"ident": tool.ident, "label": tool.label, "family": tool.family,
               "threshold_name": tool.threshold_name,
               "evaluated_on": f"{w.n_channels} ch x {w.duration_s:g} s"}
        if w is not a:
            row["label"] = f"{tool.label} [first {w.n_channels} ch x {w.duration_s:g} s]"
        t_truth = truth if w is a else _crop_truth(truth, reviewed[: w.n_channels], w.duration_s)
        row["truth_hfos"] = int(t_truth["kind"].isin(["ripple", "fast_ripple"]).sum())
        if w is not a:
            row["note"] = (f"evaluated on the first {w.n_channels} ch x {w.duration_s:g} s of (a) "
                           f"to keep the run bounded")
        t_rev = reviewed if w is a else reviewed[: w.n_channels]
        if err:
            row["error"] = err
        else:
            ev = tools.read_events(path)
            row["default"] = accuracy.score(ev, t_truth, t_rev)
            row["extras"] = accuracy.extras(ev, t_truth, t_rev)
            row["snr"] = accuracy.by_snr(ev, t_truth, t_rev)
            row["n_events"] = len(ev)
        pairs, s_err = sweeps.get(tool.ident, ([], ""))
        if s_err:
            row["sweep_error"] = s_err
        if pairs:
            row["pr"] = accuracy.pr_curve(pairs, t_truth, t_rev)
        elif row.get("default"):  # a single point (no threshold to sweep)
            d = row["default"]["all"]
            row["pr"] = {"auc": None, "curve": [dict(threshold=float("nan"), **d)]}
        out["tools"].append(row)
        log(f"accuracy {tool.ident}: F1 all {((row.get('default') or {}).get('all') or {}).get('f1')} "
            f"{row.get('error', '')} {row.get('sweep_error', '')}")

    # equal precision: P* = precision of the network's best-F1 threshold (its tuned operating
    # point; its default point is on the same curve). Every tool is then read at P >= P*, and
    # at fixed levels for transparency.
    net = next((r for r in out["tools"] if r["ident"] == tools.NETWORK_TOOL and r.get("pr")), None)
    p_star = None
    if net:
        best = accuracy.at_precision(net["pr"]["curve"], 0.0)
        p_star = best.get("precision")
    out["p_star"] = p_star
    out["p_default"] = ((net or {}).get("default") or {}).get("all", {}).get("precision")
    out["levels"] = list(accuracy.PRECISION_LEVELS)
    for r in out["tools"]:
        if r.get("pr"):
            curve = r["pr"]["curve"]
            r["max_f1"] = accuracy.at_precision(curve, 0.0)
            r["at_levels"] = {f"{p:g}": accuracy.at_precision(curve, p) for p in accuracy.PRECISION_LEVELS}
            if p_star is not None:
                r["at_p_star"] = accuracy.at_precision(curve, p_star)
    if p_star is not None:
        peers = [r for r in out["tools"] if r["family"] == "peer" and (r.get("at_p_star") or {}).get("f1") is not None]
        if peers:
            best = max(peers, key=lambda r: r["at_p_star"]["f1"])
            out["best_peer_at_p_star"] = {"ident": best["ident"], "label": best["label"],
                                          "f1": best["at_p_star"]["f1"]}
    return out


def section_mismatch(ctx) -> dict:
    a = ctx["wl"]["accuracy"]
    seeds = list(range(ctx["n_seeds"]))
    cvs = [0.0, 0.1, 0.2, 0.3]
    w = a
    rate = next((r.get("ch_s_per_cpu_s") for r in ctx["results"].get("throughput", {}).get("tools", [])
                 if r["ident"] == tools.NETWORK_TOOL), None)
    budget = ctx["max_mismatch_s"]
    if budget and rate:  # (+2: each worker also runs the full path once, for the cache check)
        w = workloads.shrink(a, budget * ctx["jobs"] * rate / (len(seeds) * len(cvs) + 2 * ctx["jobs"]),
                             ctx["work"])
    truth = accuracy.truth_table(a.truth)
    reviewed = a.reviewed[: w.n_channels]
    if w is not a:
        truth = _crop_truth(truth, reviewed, w.duration_s)
        tpath = ctx["work"] / "mismatch_truth.tsv"
        from hfo_detect.events import EventTable

        EventTable(truth).to_bids_tsv(tpath)
    else:
        tpath = a.truth
    rows = mismatch_mod.run(w.edf, tpath, reviewed, cvs, seeds, ctx["jobs"])
    checks = {str(r["cache_check"]) for r in rows if r.get("cache_check") is not None}
    return {"workload": f"{w.n_channels} ch x {w.duration_s:g} s of (a)", "n_seeds": len(seeds),
            "cvs": cvs, "rows": rows,
            "cache_check": "; ".join(sorted(checks)) or "not checked"}


def section_real(ctx) -> dict:
    wls = workloads.real(ctx["work"])
    out = {"workloads": [{"name": w.name, "note": w.note, "n_channels": w.n_channels,
                          "duration_s": w.duration_s} for w in wls], "scores": {}}

    def run(args):
        w, tool = args
        d = ctx["work"] / "runs" / "real" / w.name / tool.ident
        try:
            path, err = tools.run_once(tool, w.edf, d, ctx["peers_py"], timeout=RUN_TIMEOUT[0])
            if err:
                return w.name, tool.ident, {"error": err}
            truth = accuracy.truth_table(w.truth)
            return w.name, tool.ident, accuracy.score(tools.read_events(path), truth, None)
        except Exception as err:  # one tool failing must not cost the others
            return w.name, tool.ident, {"error": f"{type(err).__name__}: {err}"}

    jobs = [(w, t) for w in wls for t in ctx["tools"]]
    with ThreadPoolExecutor(ctx["jobs"]) as pool:
        for name, ident, sc in pool.map(run, jobs):
            out["scores"].setdefault(name, {})[ident] = sc
    return out


# ---------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    args = parse_args(argv)
    quick = args.quick
    work = (args.work or Path("/tmp") / ("hfo-bench-quick" if quick else "hfo-bench")).resolve()
    out_dir = (args.out or (work / "reports" if quick else REPO / "reports")).resolve()
    fig_dir = out_dir / "figures"
    results_path = fig_dir / ("bench_results_quick.json" if quick else "bench_results.json")
    if args.report_only:
        res = json.loads(results_path.read_text())
        figures.all_figures(res, fig_dir)
        log(f"wrote {report.write(res, out_dir)}")
        _update_readme(res, out_dir)
        return 0

    RUN_TIMEOUT[0] = args.run_timeout or (300.0 if quick else 1800.0)
    t_start = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    res: dict = {
        "mode": "quick" if quick else "full",
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "command": "python " + " ".join(shlex.quote(a) for a in [f"data_scripts/{Path(__file__).name}"] + (argv if argv is not None else sys.argv[1:])),
        "command_full": "python data_scripts/bench_all.py --peers-venv PATH",
        "machine": env.machine_info(),
    }
    load = res["machine"].get("load_at_start")
    if load and load > 1.5:
        log(f"warning: load average {load:.1f}: other work is running, timings will be noisy")
    res["machine"]["pinning"] = "taskset -c 0" if env.taskset() else "none (taskset unavailable)"

    peers_py, status = (None, "skipped (--no-peers)") if args.no_peers else env.ensure_peers_venv(args.peers_venv)
    res["peers_status"] = status
    log(f"peers: {status}")
    selected = [t for t in tools.TOOLS if (peers_py is not None or t.family == "ours")]
    if args.tools:
        wanted = {s.strip() for s in args.tools.split(",")}
        selected = [t for t in selected if t.ident in wanted]
    res["tools"] = [{"ident": t.ident, "label": t.label, "family": t.family} for t in selected]
    res["versions"] = {"project env": env.package_versions(sys.executable, [
        "hfo-detect", "numpy", "scipy", "numba", "mne", "scikit-learn", "pandas"])}
    if peers_py is not None:
        res["versions"]["peers env"] = env.package_versions(peers_py, [
            "mne-hfo", "epycom", "mne", "numpy", "scipy", "scikit-learn", "pandas", "numba"])

    log("building workloads ...")
    wl = {"accuracy": workloads.simulated("accuracy", work, quick),
          "throughput": workloads.simulated("throughput", work, quick)}
    res["workloads"] = [dict(name={"accuracy": "(a) accuracy", "throughput": "(b) throughput"}[k], n_channels=w.n_channels, duration_s=w.duration_s,
                             sfreq=w.sfreq, channel_seconds=w.channel_seconds, meta=w.meta)
                        for k, w in wl.items()]
    n_scale, d_scale = workloads.SIZES["scale"]["quick" if quick else "full"]
    res["workloads"].append(dict(name="(c) scale", n_channels=n_scale, duration_s=d_scale,
                                 sfreq=workloads.SFREQ, channel_seconds=n_scale * d_scale,
                                 note=f"simulated, seed {workloads.SEEDS['scale']}, streamed to {work}, not committed"))
    ctx = dict(quick=quick, work=work, wl=wl, tools=selected, peers_py=peers_py,
               repeats=max(1, args.repeats), jobs=max(1, args.jobs), results=res,
               max_run_s=args.max_run_s if args.max_run_s is not None else (None if quick else 30.0),
               max_acc_s=None if quick else 180.0, max_mismatch_s=None if quick else 480.0,
               max_scale_s=None if quick else 600.0,
               n_seeds=args.seeds or (3 if quick else 20))

    # a partial run (--sections) updates the saved results of the same mode in place
    if set(sections) != set(SECTIONS) and results_path.exists():
        old = json.loads(results_path.read_text())
        for name in SECTIONS:
            if name not in sections and name in old:
                res[name] = old[name]
                res.setdefault("section_s", {})[name] = old.get("section_s", {}).get(name, 0.0)
                res.setdefault("section_at", {})[name] = old.get("section_at", {}).get(
                    name, old.get("started", "?"))
        res["partial_update"] = f"sections {', '.join(sections)} re-run at {res['started']}"

    runners = {"throughput": section_throughput, "scale": section_scale,
               "accuracy": section_accuracy, "mismatch": section_mismatch, "real": section_real}
    for name in SECTIONS:
        if name not in sections:
            continue
        log(f"section {name} ...")
        t0 = time.perf_counter()
        try:
            res[name] = runners[name](ctx)
        except Exception as err:
            traceback.print_exc()
            res[name] = {"error": f"{type(err).__name__}: {err}"}
        res.setdefault("section_s", {})[name] = time.perf_counter() - t0
        res.setdefault("section_at", {})[name] = f"{res['started']} (commit {env.git_head(REPO)})"
        log(f"section {name} done in {res['section_s'][name]:.0f} s")
    res["elapsed_s"] = time.perf_counter() - t_start

    fig_dir.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(res, indent=1, default=str))
    figures.all_figures(res, fig_dir)
    path = report.write(res, out_dir)
    log(f"wrote {path} and figures in {fig_dir} ({res['elapsed_s'] / 60:.1f} min)")
    _update_readme(res, out_dir)
    return 0


def _update_readme(res: dict, out_dir: Path) -> None:
    """A full run into the repository's reports/ also refreshes the README's headline table."""
    repo = Path(__file__).resolve().parents[1]
    if out_dir.resolve() == (repo / "reports").resolve() and report.update_readme(res, repo / "README.md"):
        log("updated the headline table in README.md")


if __name__ == "__main__":
    sys.exit(main())
