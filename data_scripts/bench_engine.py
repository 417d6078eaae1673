"""Network engine benchmark (issue 11): writes reports/bench_engine.md (+ .json) and the README block.

Sections (``--sections``, default all but ``scale``):

* ``engine``: the hidden-layer simulation alone, on the ADM events the ``hfo256`` front end makes
  of the ``throughput`` workload (32 ch x 10 min at 2048 Hz, simulated; ``--quick``: 4 ch x 1 min):
  ``lockstep`` (the default) and ``fast`` (the previous default, on a slice), channel-seconds per
  CPU-second of one core (``time.process_time``; compile time excluded).
* ``fidelity``: the default detect path (``lockstep``, 10-s chunks, as ``hfo-detect detect``
  runs it) against a converged reference (``fast`` at rtol 1e-8, atol 1e-16, one shot) on long
  inputs: the throughput workload, the three real snippets of ``../shared/data``, and simulated
  recordings of four kinds (quiet, default, busy: many interictal spikes and artifacts,
  HFO-rich). Per input: hidden spikes, share of firing neurons with the same spike count, share
  of spikes within 0.1 ms of the reference, HFO events identical or not.
* ``detect``: whole ``hfo-detect detect`` (EDF to events on disk) against the fastest peer as
  users run it (MNE ``read_raw_edf(preload=True)`` + one 4th-order Butterworth 80-500 Hz
  ``sosfiltfilt`` + epycom RMS, threshold 3, window 100, overlap 0.25: ``epycom_rms_wide`` of
  ``bench_peers.py``) and the two-band epycom RMS set-up of ``bench_all.py``; one core
  (``taskset -c 0``, every thread pool at 1), runs alternating, median of ``--repeats``, after
  one untimed warm-up run per tool on a 5-s slice (numba's first-call compile excluded).
* ``profile``: one whole ``hfo-detect detect`` on the same workload under cProfile (one core):
  the share of its time in each part (start-up, pass 1, reading, filters, ADM, hidden layer,
  output neurons, readout, writing): where the time goes, by measurement.
* ``batch``: ``hfo-detect detect`` on a folder of many short EDFs (start-up and per-file cost).
* ``scale``: ``hfo-detect detect`` on 64 ch x 1 h (``scale`` workload): peak memory, to the end.

Shorter workloads (a shared 2-core machine): ``--detect-seconds S`` runs the ``detect`` section on
the first S seconds of the throughput workload (all 32 channels); ``--scale-seconds S`` runs
``scale`` on 64 ch x S s (peak memory on that span, reported as such, not as the 1-h figure).
Each section's result carries the commit it was measured on (``commit``); sections not rerun keep
theirs, and the report names it.

Usage::

    python data_scripts/bench_engine.py [--quick] [--sections engine,fidelity,detect,profile,batch]
        [--peers-venv PATH] [--work DIR]

Peers run from their own environment (``bench_all.py --peers-venv``; created when missing).
Figures are noisy on a shared machine: the report prints every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.update({k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                    "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS")})

import numpy as np  # noqa: E402

from bench import env, timing, tools, workloads  # noqa: E402

REPO = HERE.parent
README_START = "<!-- bench:engine:start (written by data_scripts/bench_engine.py) -->"
README_END = "<!-- bench:engine:end -->"
PEER_WIDE = tools.Tool("epycom_rms_wide", "epycom RMS, one 80-500 Hz band (peer as users run it)",
                       "peer", "epycom_rms_wide")
SIM_KINDS = {
    "quiet": dict(ripple_rate_per_min=0.5, fast_ripple_rate_per_min=0.2, both_rate_per_min=0.0,
                  spike_rate_per_min=0.5, artifact_rate_per_min=0.0),
    "default": {},
    "busy": dict(spike_rate_per_min=30.0, artifact_rate_per_min=10.0),
    "hfo-rich": dict(ripple_rate_per_min=30.0, fast_ripple_rate_per_min=15.0,
                     both_rate_per_min=10.0),
}


# ------------------------------------------------------------------ helpers
#: dotted config overrides of a side experiment (``--override``; never written into reports/)
OVERRIDES: dict = {}


def _detect_spikes(raw):
    """Run the default detector (as ``detect`` does) keeping ADM and hidden spikes."""
    from hfo_detect.detector import NeuromorphicDetector

    det = NeuromorphicDetector(keep_spikes=True, overrides=OVERRIDES or None)
    t0 = time.process_time()
    events = det.fit_predict(raw)
    return det, events, time.process_time() - t0


def _per_neuron(a, b) -> dict:
    """Agreement of spike trains ``a`` with reference ``b`` (keys channel, neuron)."""
    ka = a.channel.astype(np.int64) * 100000 + a.source
    kb = b.channel.astype(np.int64) * 100000 + b.source
    keys = np.union1d(ka, kb)
    same = 0
    dts = []
    for k in keys:
        x, y = np.sort(a.times[ka == k]), np.sort(b.times[kb == k])
        same += x.size == y.size
        if y.size:  # each reference spike: distance to the nearest spike of the same neuron
            if not x.size:
                dts.append(np.full(y.size, np.inf))
                continue
            i = np.clip(np.searchsorted(x, y), 1, x.size) - 1
            j = np.minimum(i + 1, x.size - 1)
            dts.append(np.minimum(np.abs(x[i] - y), np.abs(x[j] - y)))
    dt = np.concatenate(dts) if dts else np.zeros(0)
    return dict(spikes=int(len(a)), spikes_ref=int(len(b)), firing_neurons=int(keys.size),
                same_count_pct=100.0 * same / max(keys.size, 1),
                within_01ms_pct=100.0 * float(np.mean(dt <= 1e-4)) if dt.size else 100.0,
                max_dt_ms=1e3 * float(dt.max()) if dt.size else 0.0)
    # (max_dt_ms is inf when a neuron fires only in one of the two)


def _events(det, spikes, n_times, sfreq, neuron_band):
    from hfo_detect.readout import spikes_to_events

    ev = spikes_to_events(spikes, n_times / sfreq, det.config_.readout, det.ch_names_,
                          neuron_band=np.asarray(neuron_band), band_names=det.band_kinds_,
                          sfreq=sfreq, detector="snn", border=det.border_bands_)
    return ev.df[["channel", "onset", "duration", "kind"]].to_numpy()


def fidelity_of(name: str, raw) -> dict:
    """The default detect path vs the same network integrated by ``fast`` at rtol 1e-8.

    The reference runs every layer (hidden, interneurons, outputs) converged, in one shot, and
    reads its events from its own output spikes, so "HFO events identical" compares what
    ``detect`` writes with what the converged equations give, not a hidden-layer proxy.
    """
    from hfo_detect.snn import build_network, run_network

    det, _, cpu = _detect_spikes(raw)
    adm, hidden = det.spikes_["adm"].sort(), det.spikes_["hidden"]
    cfg = det.config_
    tight = replace(cfg.network, integrator="fast", fast_rtol=1e-8, fast_atol=1e-16)
    params = build_network(tight, tuple(det.band_names_), len(det.ch_names_),
                           first_channel=int(det.first_channel),
                           band_kinds=tuple(det.band_kinds_))
    n_times, sfreq = raw.n_times, det.sfreq_
    t_end = (n_times - 1) / sfreq + cfg.readout.extra_time_s
    ref, _ = run_network(params, adm, 0.0, t_end, integrator="fast")
    out = _per_neuron(hidden, ref)
    stage = det.output_stage_
    if stage is None:  # the window rule reads the hidden layer
        band = det.network_.neuron_band
        ev_a, ev_b = _events(det, hidden, n_times, sfreq, band), _events(det, ref, n_times, sfreq, band)
    else:
        ref_stage = det._output_stage(replace(cfg, network=tight), params)
        ref_out = ref_stage.step(ref, adm, 0.0, t_end)
        band = stage.output.neuron_band
        ev_a = det.events_.df[["channel", "onset", "duration", "kind"]].to_numpy()
        ev_b = _events(det, ref_out, n_times, sfreq, band)
        o = _per_neuron(det.spikes_["output"], ref_out)
        # the output layer alone: the default integrator on the reference's hidden spikes
        # (separates its own error from hidden-spike shifts it inherits)
        alone = det._output_stage(cfg, det.network_).step(ref, adm, 0.0, t_end)
        out.update(output_spikes=o["spikes"], output_spikes_ref=o["spikes_ref"],
                   output_within_01ms_pct=o["within_01ms_pct"],
                   output_alone_within_01ms_pct=_per_neuron(alone, ref_out)["within_01ms_pct"])
    out.update(name=name, channels=len(det.ch_names_), seconds=n_times / sfreq,
               adm_per_ch_s=len(adm) / (len(det.ch_names_) * n_times / sfreq),
               hfo_events=int(len(ev_a)), hfo_events_ref=int(len(ev_b)),
               events_identical=bool(ev_a.shape == ev_b.shape and (ev_a == ev_b).all()))
    if not out["events_identical"] and ev_a.shape[1:] == ev_b.shape[1:]:
        sa = {tuple(r) for r in ev_a.tolist()}
        sb = {tuple(r) for r in ev_b.tolist()}
        out["events_differing"] = len(sa ^ sb)
    return out


# ------------------------------------------------------------------ sections
def section_engine(tp: workloads.Workload, fast_seconds: float) -> dict:
    from hfo_detect.io import read_recording
    from hfo_detect.snn import run_network
    from hfo_detect.snn.simulate import initial_state
    from hfo_detect.spikes import SpikeTrains

    raw = read_recording(tp.edf, montage="as-is")
    det, _, cpu_detect = _detect_spikes(raw)
    adm = det.spikes_["adm"].sort()
    params = det.network_
    n_ch, dur = len(det.ch_names_), raw.n_times / det.sfreq_
    run_network(params, adm, 0.0, 0.05)  # compile
    run_network(params, adm, 0.0, 0.05, integrator="fast")
    rows = []
    for integ, secs in (("lockstep", dur), ("fast", min(dur, fast_seconds)),
                        ("lockstep", min(dur, fast_seconds))):
        keep = adm.times < secs
        sp = SpikeTrains(adm.times[keep], adm.channel[keep], adm.source[keep], n_ch)
        best = np.inf
        for _ in range(2):
            state = initial_state(params, integ)
            t0 = time.process_time()
            run_network(params, sp, 0.0, secs, state, integrator=integ)
            best = min(best, time.process_time() - t0)
        rows.append(dict(integrator=integ, seconds=secs, channel_seconds=n_ch * secs,
                         cpu_s=best, ch_s_per_cpu_s=n_ch * secs / best))
    return dict(workload=str(tp.edf.name), channels=n_ch, seconds=dur,
                adm_per_ch_s=len(adm) / (n_ch * dur), detect_in_process_cpu_s=cpu_detect,
                rows=rows)


def section_fidelity(tp: workloads.Workload, work: Path, quick: bool) -> list[dict]:
    from hfo_detect.io import read_recording
    from hfo_detect.simulate import simulate_recording

    out = []
    sub = workloads.subset_edf(tp, min(tp.n_channels, 4), min(tp.duration_s, 300.0), work)
    out.append(fidelity_of(f"throughput workload ({sub.n_channels} ch x {sub.duration_s:.0f} s)",
                           read_recording(sub.edf, montage="as-is")))
    for w in workloads.real(work):
        out.append(fidelity_of(f"real: {w.name}", read_recording(w.edf, montage="as-is")))
    dur, n_ch = (60.0, 2) if quick else (300.0, 3)
    for i, (kind, kw) in enumerate(SIM_KINDS.items()):
        rec = simulate_recording(dur, n_ch, seed=900 + i, snr_db=(0.0, 15.0), **kw)
        out.append(fidelity_of(f"simulated {kind} ({n_ch} ch x {dur:.0f} s)", rec.to_raw()))
    return out


def section_detect(tp: workloads.Workload, peers_py, repeats: int, work: Path) -> dict:
    contenders = [tools.by_ident("hfo_detect"), PEER_WIDE, tools.by_ident("epycom_rms")]
    runs: dict[str, list] = {t.ident: [] for t in contenders}
    # one untimed warm-up per tool on a tiny slice: numba's first-call compile (cached on disk
    # per checkout) and cold imports must not land in the one timed run
    tiny = workloads.subset_edf(tp, 1, 5.0, work)
    for t in contenders:
        if t.family == "peer" and peers_py is None:
            continue
        warm = work / "detect_runs" / f"warmup_{t.ident}"
        warm.mkdir(parents=True, exist_ok=True)
        timing.run_timed(t.command(tiny.edf, warm, peers_py), warm / "warmup.log")
    for r in range(repeats):  # alternating
        for t in contenders:
            if t.family == "peer" and peers_py is None:
                continue
            out_dir = work / "detect_runs" / t.ident
            if out_dir.exists():
                import shutil

                shutil.rmtree(out_dir)
            out_dir.mkdir(parents=True)
            runs[t.ident].append(timing.run_timed(t.command(tp.edf, out_dir, peers_py),
                                                  work / "detect_runs" / f"{t.ident}_{r}.log"))
    res = {}
    for t in contenders:
        m = timing.median_runs(runs[t.ident])
        if "cpu_s" in m:
            m["ch_s_per_cpu_s"] = tp.channel_seconds / m["cpu_s"]
        res[t.ident] = dict(label=t.label, **m)
    return dict(workload=tp.edf.name, channel_seconds=tp.channel_seconds, tools=res)


#: where a whole ``detect`` spends its time: (label, file suffix, function, caller or None,
#: part of pass 2 (``predict``))
PROFILE_PARTS = (
    ("read + filter + calibrate (pass 1, `fit`)", "hfo_detect/detector.py", "fit", None, False),
    ("read the recording again (pass 2)", "hfo_detect/detector.py", "_blocks",
     ("hfo_detect/detector.py", "predict"), True),
    ("filter bank (pass 2)", "hfo_detect/frontend/filters.py", "process",
     ("hfo_detect/detector.py", "predict"), True),
    ("ADM encoder (pass 2)", "hfo_detect/frontend/adm.py", "process",
     ("hfo_detect/detector.py", "predict"), True),
    ("hidden layer (256 neurons per channel)", "hfo_detect/snn/simulate.py", "run_network",
     ("hfo_detect/detector.py", "predict"), True),
    ("output neurons + interneuron", "hfo_detect/snn/layers.py", "step", None, True),
)


def section_profile(tp: workloads.Workload, work: Path) -> dict:
    """Where the time of one whole ``hfo-detect detect`` goes: the CLI run as users run it, under
    cProfile, pinned to one core (after an untimed warm-up: numba's cache and the page cache).

    Shares, not absolute times, are the result (the profiler adds a little to Python-level
    calls; the kernels are single calls). ``start-up`` is the whole run minus the recording's
    detection (imports, the CLI); numba loads each cached kernel at its first call, inside the
    part that makes it (reported beside the table)."""
    import pstats
    import subprocess

    tiny = workloads.subset_edf(tp, 1, 5.0, work)
    base = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    prof = work / "detect_profile.pstats"
    for edf, out_name, extra in ((tiny.edf, "profile_warmup", []),
                                 (tp.edf, "profile_run", ["-m", "cProfile", "-o", str(prof)])):
        out_dir = work / out_name
        shutil.rmtree(out_dir, ignore_errors=True)
        subprocess.run(base + [sys.executable] + extra + ["-m", "hfo_detect", "detect", str(edf),
                                                          "--out", str(out_dir), "--montage",
                                                          "as-is"],
                       check=True, capture_output=True, env=env.single_thread_env())
    st = pstats.Stats(str(prof))
    total = st.total_tt

    def entry(suffix, name):
        return [(k, v) for k, v in st.stats.items() if k[0].endswith(suffix) and k[2] == name]

    def cum(suffix, name, caller=None):
        t = 0.0
        for _, (_, _, _, ct, callers) in entry(suffix, name):
            if caller is None:
                t += ct
            else:
                t += sum(c[3] for k, c in callers.items()
                         if k[0].endswith(caller[0]) and k[2] == caller[1])
        return t

    detect = cum("hfo_detect/runner.py", "detect_recording")
    parts = [(label, cum(f, n, c)) for label, f, n, c, _ in PROFILE_PARTS]
    predict = cum("hfo_detect/detector.py", "predict")
    inside_predict = sum(t for (_, t), spec in zip(parts, PROFILE_PARTS) if spec[4])
    parts += [("rest of pass 2 (merging spike trains, readout)", predict - inside_predict),
              ("writing events, counts, manifest", detect - cum("hfo_detect/detector.py", "fit")
               - predict),
              ("start-up: imports, CLI", total - detect)]
    loading = cum("numba/core/dispatcher.py", "_compile_for_args")
    return dict(workload=f"{tp.n_channels} ch x {tp.duration_s:.0f} s", total_s=total,
                channel_seconds=tp.channel_seconds, numba_loading_s=loading,
                rows=[dict(part=label, seconds=t, share=t / total) for label, t in parts])


def section_batch(work: Path, n_files: int, n_ch: int, seconds: float) -> dict:
    from hfo_detect.io import write_edf
    from hfo_detect.simulate import simulate_recording

    folder = work / f"batch_{n_files}x{n_ch}ch_{int(seconds)}s"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        edf = folder / f"rec{i:03d}.edf"
        if not edf.exists():
            rec = simulate_recording(seconds, n_ch, seed=5000 + i)
            write_edf(edf, rec.data_uv, rec.sfreq, rec.ch_names)
    out_dir = work / "batch_out"
    if out_dir.exists():
        import shutil

        shutil.rmtree(out_dir)
    cmd = tools.hfo_detect_cmd() + ["detect", str(folder), "--out", str(out_dir), "--montage",
                                    "as-is"]
    t = timing.run_timed(cmd, work / "batch.log")
    t_help = timing.run_timed(tools.hfo_detect_cmd() + ["--help"], work / "help.log")
    ch_s = n_files * n_ch * seconds
    return dict(files=n_files, channels=n_ch, seconds=seconds, channel_seconds=ch_s,
                run=t.to_dict(), ch_s_per_cpu_s=ch_s / t.cpu_s, cpu_s_per_file=t.cpu_s / n_files,
                help_cpu_s=t_help.cpu_s)


def section_scale(work: Path, quick: bool, seconds: float | None = None,
                  pin: bool = True) -> dict:
    w = workloads.scale(work, quick, seconds)
    out_dir = work / "scale_out"
    cmd = tools.hfo_detect_cmd() + ["detect", str(w.edf), "--out", str(out_dir), "--montage",
                                    "as-is", "--force"]
    t = timing.run_timed(cmd, work / "scale.log", pin=pin)
    return dict(workload=w.edf.name, channels=w.n_channels, seconds=w.duration_s, pinned=pin,
                run=t.to_dict(), ch_s_per_cpu_s=w.channel_seconds / max(t.cpu_s, 1e-9))


# ------------------------------------------------------------------ report
def _f(v, nd=0):
    return "n/a" if v is None else f"{v:,.{nd}f}"


def _span(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def _when(sec: dict, head: str) -> str:
    """Which commit a section was measured on; flags sections older than the current run."""
    c = sec.get("commit", "?")
    stale = c != head
    return (f"measured on commit {c}" + (" (EARLIER run, not rerun this time)" if stale else "")
            + (f", {sec['date']}" if sec.get("date") else ""))


def render(res: dict) -> tuple[list[str], list[str]]:
    """(report lines, README block lines)."""
    lines = ["# Network engine and whole-detect throughput (issue 11)", "",
             f"Generated by `data_scripts/bench_engine.py` on {res['machine']}, "
             f"{res['date']}; one core per run. {res['note']}", ""]
    head = res.get("head", "?")
    readme = ["", "| Measure (one core) | value | measured on |", "|---|---|---|"]

    def tag(sec):
        c = sec.get("commit", "?")
        return c + ("" if c == head else " (earlier run)")

    d = res.get("detect")
    if d:
        t = d["tools"]
        ours = t["hfo_detect"].get("ch_s_per_cpu_s")
        size = f"{d['channels']} ch x {d['seconds']:.0f} s" if d.get("channels") else ""
        lines += [f"## Whole `hfo-detect detect` vs the peer ({d['workload']}"
                  f"{', ' + size if size else ''}, "
                  f"{d['channel_seconds']:.0f} ch-s; median of the runs, alternating)", "",
                  _when(d, head) + f"; {len(next(iter(t.values()))['runs'])} run(s) per pipeline.",
                  "",
                  "| pipeline | runs ok | wall s | CPU s | ch-s per CPU-s | hfo-detect / this | peak RSS MB |",
                  "|---|---|---|---|---|---|---|"]
        for ident, m in t.items():
            r = m.get("ch_s_per_cpu_s")
            ratio = None if (r is None or ours is None) else ours / r
            lines.append(f"| {m['label']} | {m['n_ok']}/{m['n_runs']} | {_f(m.get('wall_s'), 1)} | "
                         f"{_f(m.get('cpu_s'), 1)} | {_f(r)} | {_f(ratio, 2)} | "
                         f"{_f(m.get('peak_rss_mb'))} |")
            if ident != "hfo_detect" and ratio is not None:
                readme.append(f"| whole `detect`{' ' + size if size else ''} vs {m['label']} | "
                              f"**{ratio:.2f}x** "
                              f"({ours:,.0f} vs {r:,.0f} ch-s per CPU-s) | {tag(d)} |")
        lines += ["", "Every run (CPU s): " + "; ".join(
            f"{m['label']}: " + ", ".join(f"{x['cpu_s']:.1f}" for x in m["runs"])
            for m in t.values()), ""]
    e = res.get("engine")
    if e:
        lines += [f"## The network alone ({e['workload']}: {e['channels']} ch x {e['seconds']:.0f} s,"
                  f" {e['adm_per_ch_s']:.0f} ADM events per channel-second)", "",
                  _when(e, head) + ".", "",
                  "| integrator | channel-seconds | CPU s | ch-s per CPU-s |", "|---|---|---|---|"]
        for r in e["rows"]:
            lines.append(f"| {r['integrator']} | {r['channel_seconds']:.0f} | {r['cpu_s']:.2f} | "
                         f"{r['ch_s_per_cpu_s']:,.0f} |")
        lines.append("")
        lk = e["rows"][0]["ch_s_per_cpu_s"]
        readme.append(f"| network engine alone (`lockstep`) | {lk:,.0f} ch-s per CPU-s | {tag(e)} |")
        same = [r for r in e["rows"] if r["seconds"] == e["rows"][1]["seconds"]]
        if len(same) == 2 and same[0]["integrator"] == "fast":
            readme.append(f"| `lockstep` vs the old `fast`, same slice | "
                          f"{same[1]['ch_s_per_cpu_s'] / same[0]['ch_s_per_cpu_s']:.1f}x | {tag(e)} |")
    f = res.get("fidelity")
    if f:
        fmeta = res.get("fidelity_meta", {})
        lines += ["## Fidelity: default detect path vs `fast` at rtol 1e-8 (one shot)", "",
                  _when(fmeta, head) + ". Hidden-layer spikes compared neuron by neuron; the "
                  "HFO events are those `detect` writes (read from the output neurons) against "
                  "the events of the converged run of every layer. Output spikes: those `detect` "
                  "writes; 'alone': the output layer (default integrator) fed the reference's "
                  "hidden spikes, i.e. its own error without the hidden-spike shifts it inherits.",
                  "",
                  "| input | ADM ev per ch-s | hidden spikes (ref) | same count, % of firing neurons "
                  "| spikes within 0.1 ms, % | largest shift ms | output spikes within 0.1 ms, % "
                  "| output alone, % | HFO events (ref) | identical |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in f:
            lines.append(f"| {r['name']} | {r['adm_per_ch_s']:.0f} | {r['spikes']} "
                         f"({r['spikes_ref']}) | {r['same_count_pct']:.2f} | "
                         f"{r['within_01ms_pct']:.2f} | {r['max_dt_ms']:.3f} | "
                         f"{_f(r.get('output_within_01ms_pct'), 2)} | "
                         f"{_f(r.get('output_alone_within_01ms_pct'), 2)} | {r['hfo_events']} "
                         f"({r['hfo_events_ref']}) | {'yes' if r['events_identical'] else 'NO'} |")
        lines.append("")
        worst_n = min(r["same_count_pct"] for r in f)
        worst_t = min(r["within_01ms_pct"] for r in f)
        all_ev = all(r["events_identical"] for r in f)
        readme.append(f"| fidelity on {len(f)} inputs (real snippets, simulated; vs converged) | HFO events identical: "
                      f"{'all' if all_ev else 'NOT all'}; same spike count >= {worst_n:.1f} % of "
                      f"neurons; >= {worst_t:.1f} % of spikes within 0.1 ms | {tag(fmeta)} |")
    pr = res.get("profile")
    if pr:
        lines += [f"## Where the time of one whole `detect` goes ({pr['workload']}, cProfile, one "
                  "core)", "", _when(pr, head) + f"; {pr['total_s']:.1f} s in all "
                  f"({pr['channel_seconds'] / pr['total_s']:,.0f} ch-s per s under the profiler).",
                  "", "| part | s | share |", "|---|---|---|"]
        for r in pr["rows"]:
            lines.append(f"| {r['part']} | {r['seconds']:.2f} | {100 * r['share']:.0f} % |")
        lines += ["", f"Included in the rows above where it happens (the first call of each "
                  f"kernel): numba loading its cached kernels, {pr.get('numba_loading_s', 0):.2f} s "
                  f"({100 * pr.get('numba_loading_s', 0) / pr['total_s']:.0f} %), paid by every "
                  "`detect` process.", ""]
        top = sorted(pr["rows"], key=lambda r: -r["share"])[:3]
        readme.append("| where one whole `detect` spends its time | " + "; ".join(
            f"{r['part'].split(' (')[0]} {100 * r['share']:.0f} %" for r in top)
            + f" | {tag(pr)} |")
    b = res.get("batch")
    if b:
        lines += [f"## Batch of short files ({b['files']} x {b['channels']} ch x {b['seconds']:.0f} s,"
                  " one `detect` call)", "",
                  _when(b, head) + ".", "",
                  f"CPU {b['run']['cpu_s']:.1f} s ({b['cpu_s_per_file']:.2f} s per file), wall "
                  f"{b['run']['wall_s']:.1f} s, {b['ch_s_per_cpu_s']:,.0f} ch-s per CPU-s; "
                  f"peak RSS {b['run']['peak_rss_mb']:.0f} MB. `hfo-detect --help`: "
                  f"{b['help_cpu_s']:.2f} CPU s.", ""]
        readme.append(f"| batch of {b['files']} short files | {b['cpu_s_per_file']:.2f} CPU s per "
                      f"file ({b['ch_s_per_cpu_s']:,.0f} ch-s per CPU-s) | {tag(b)} |")
    s = res.get("scale")
    if s:
        lines += [f"## Scale ({s['channels']} ch x {s['seconds']:.0f} s)", "",
                  _when(s, head) + ".", "",
                  f"Exit {s['run']['returncode']}, peak RSS {s['run']['peak_rss_mb']:.0f} MB, CPU "
                  f"{s['run']['cpu_s']:.0f} s ({s['ch_s_per_cpu_s']:,.0f} ch-s per CPU-s). "
                  + ("Not pinned to one core (`--scale-unpinned`: it measures memory). "
                     if s.get("pinned") is False else "")
                  + (f"A shorter span than the 1-h workload (`--scale-seconds {s['seconds']:g}`): "
                     "it shows whether peak memory stays bounded while streaming; it is not the "
                     "1-h figure. " if s["seconds"] < 3600 else "")
                  + s.get("note", ""), ""]
        readme.append(f"| peak memory, whole `detect` on {s['channels']} ch x {_span(s['seconds'])}"
                      f" | {s['run']['peak_rss_mb']:.0f} MB | {tag(s)} |")
    readme.append("")
    return lines, readme


def update_readme(block: list[str], readme: Path) -> None:
    text = readme.read_text()
    if README_START not in text:
        return
    a = text.index(README_START) + len(README_START)
    b = text.index(README_END)
    readme.write_text(text[:a] + "\n".join(block) + "\n" + text[b:])


def _git_last_commit(path: Path) -> str:
    import subprocess

    try:
        return subprocess.run(["git", "log", "-1", "--format=%h", "--", str(path)], cwd=REPO,
                              text=True, capture_output=True, check=True).stdout.strip() or "?"
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sections", default="engine,fidelity,detect,profile,batch")
    ap.add_argument("--work", type=Path, default=Path("/tmp/hfo-bench-engine"))
    ap.add_argument("--out", type=Path, default=REPO / "reports")
    ap.add_argument("--peers-venv", type=Path, default=Path(os.environ.get(
        "HFO_BENCH_VENV", Path.home() / ".cache" / "hfo-detect" / "bench-venv")))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--fast-seconds", type=float, default=60.0,
                    help="seconds of the workload the slow `fast` integrator runs on")
    ap.add_argument("--batch-files", type=int, default=40)
    ap.add_argument("--detect-seconds", type=float, default=None,
                    help="run `detect` on the first seconds of the throughput workload (all channels)")
    ap.add_argument("--scale-seconds", type=float, default=None,
                    help="run `scale` on 64 ch x this many seconds instead of 1 h")
    ap.add_argument("--scale-unpinned", action="store_true",
                    help="do not pin the `scale` run to core 0 (it measures memory)")
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--scale-json", type=Path, default=None,
                    help="merge the result of a separate section_scale run (JSON)")
    ap.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                    help="side experiment: a dotted config override of the detector in the "
                         "engine and fidelity sections, e.g. network__lockstep_rtol=1e-5 "
                         "(needs --out elsewhere than reports/ and --no-readme)")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    for item in args.override:
        key, _, value = item.partition("=")
        try:
            OVERRIDES[key] = float(value)
        except ValueError:
            ap.error(f"--override {item!r}: expected KEY=NUMBER")
    if OVERRIDES:
        from hfo_detect.config import get_preset, with_overrides
        from hfo_detect.errors import ConfigError

        try:
            with_overrides(get_preset("hfo256"), **OVERRIDES)
        except (ValueError, ConfigError) as err:
            ap.error(f"--override: {err}")
    if OVERRIDES and (not args.no_readme or args.out.resolve() == (REPO / "reports").resolve()
                      or sections - {"engine", "fidelity"}):
        ap.error("--override is for side experiments: engine/fidelity sections only, with "
                 "--no-readme and --out outside reports/")
    args.work.mkdir(parents=True, exist_ok=True)
    res_path = args.out / "bench_engine.json"
    if args.scale_json:  # a scale run made separately (it takes long): merge it
        res_scale = json.loads(Path(args.scale_json).read_text())
    res = json.loads(res_path.read_text()) if res_path.exists() else {}
    tp = workloads.simulated("throughput", args.work, args.quick)
    if args.scale_json:
        res["scale"] = res_scale
    head = env.git_head(REPO)
    # results from before per-section stamps: the commit that last wrote the JSON measured them
    legacy = _git_last_commit(res_path)
    for key in ("engine", "detect", "batch", "scale"):
        if key in res and "commit" not in res[key]:
            res[key]["commit"] = legacy
    if "fidelity" in res and "fidelity_meta" not in res:
        res["fidelity_meta"] = dict(commit=legacy)
    res.update(machine=f"{platform.machine()} ({platform.processor() or 'cpu'})",
               date=time.strftime("%Y-%m-%d"), head=head,
               note="Sections not rerun keep their previous figures and say the commit they were "
                    "measured on. Timings are noisy: a shared 2-core machine, other jobs (CI) may "
                    "run at the same time.")
    args.out.mkdir(parents=True, exist_ok=True)

    def save(key, value):  # after each section: a later failure keeps what was measured
        stamp = dict(commit=head, date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
        if key == "fidelity":  # a list: its stamp lives beside it
            res["fidelity_meta"] = stamp
        else:
            value = dict(value, **stamp)
        res[key] = value
        res_path.write_text(json.dumps(res, indent=1, default=str))

    if "engine" in sections:
        save("engine", section_engine(tp, args.fast_seconds))
    if "fidelity" in sections:
        save("fidelity", section_fidelity(tp, args.work, args.quick))
    tpd = tp  # the whole-detect workload (detect, profile): all channels, maybe fewer seconds
    if ({"detect", "profile"} & sections and args.detect_seconds
            and args.detect_seconds < tp.duration_s):
        tpd = workloads.subset_edf(tp, tp.n_channels, args.detect_seconds, args.work)
    if "detect" in sections:
        peers_py, status = env.ensure_peers_venv(args.peers_venv)
        save("detect", dict(section_detect(tpd, peers_py, args.repeats, args.work),
                            channels=tpd.n_channels, seconds=tpd.duration_s, peers_env=status))
    if "profile" in sections:
        save("profile", section_profile(tpd, args.work))
    if "batch" in sections:
        save("batch", section_batch(args.work, args.batch_files, 4, 30.0))
    if "scale" in sections:
        save("scale", section_scale(args.work, args.quick, args.scale_seconds,
                                    pin=not args.scale_unpinned))
    res_path.write_text(json.dumps(res, indent=1, default=str))
    lines, block = render(res)
    (args.out / "bench_engine.md").write_text("\n".join(lines) + "\n")
    if not args.no_readme:
        update_readme(block, REPO / "README.md")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
