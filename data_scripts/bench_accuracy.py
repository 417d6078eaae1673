"""Accuracy benchmark of issue 12: our detectors on held-out simulated recordings and the real snippets.

Test recordings (none used for learning the defaults, see ``learn_defaults.py``):

``sim``    the package simulator (``hfo_detect.simulate``), 3 recordings x 8 ch x 120 s at
           2048 Hz, seeds 41-43, SNR 0-20 dB, 4 spikes and 3 artifacts per channel-minute;
``train-gen`` the project's training generator (``make_training.py``) with held-out seeds
           201-202 (4 ch x 120 s each; a second generator, so no single one decides);
``indep``  a third generator (``make_heldout.py``, seeds 301-303, 8 ch x 120 s), designed by a
           separate session that saw neither the detector nor the other two generators: 1/f
           background whose level drifts over tens of seconds, mains on some channels,
           spatially clustered HFOs, spikes with slow waves, steps, pops, EMG, clipping;
           written as EDF and read back, as ``hfo-detect detect`` reads a file;
``real``   the Zurich snippets (50-s channel, 5-s crop, 75-s ECoG) against their marks.

Detectors: ``hfo256`` (the new default: output layer + artifact path + floor calibration,
learned defaults), ``hfo256-v0.1`` (the previous default rebuilt from its parameters: 5-neuron
vote, whole-interval calibration, no artifact path), ``sharifhazileh2021`` (faithful preset),
``morphology`` (our Zurich Morphology detector) and ``rms`` (our Staba RMS baseline), and the
peers as whole processes in their own environment (``data_scripts/bench_peers.py``, the venv of
``bench_all.py``; ``--no-peers`` skips them): ``epycom-rms-wide`` (the fastest peer as users run
it: one 80-500 Hz band, every event labelled ripple, so only its pooled scores mean something),
``epycom-rms``, ``epycom-ll``, ``epycom-cs``, ``mnehfo-rms``, ``mnehfo-ll`` (two bands each, the
tools' default thresholds). Each peer reads the same recording written as EDF.

Metrics (overlap rule, ``data_scripts/bench/accuracy.py``): P/R/F1 per kind and pooled; false
positives on spikes / artifacts = pooled detections that overlap a spike (artifact) row and no
HFO; recall per SNR bin; F1 spread over 20 chips (seeds) of hfo256 on a 4 ch x 60 s ``sim``
recording (seed 44).

Usage::

    python data_scripts/bench_accuracy.py [--quick] [--seeds 20] [--only hfo256]

``--only`` reruns the named detectors and keeps the other detectors' rows (and, without
``hfo256``, the mismatch study) from the previous ``reports/accuracy_issue12.json``: the slow
simulations of the unchanged detectors need not be repeated when one detector changes.

Writes ``reports/accuracy_issue12.md`` and ``reports/accuracy_issue12.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from hfo_detect.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SNR_BINS = ((0.0, 6.0), (6.0, 10.0), (10.0, 14.0), (14.0, 20.01))


def old_hfo256():
    """The v0.1 default, rebuilt: 5-neuron vote, S1 calibration, ADM scale 0.5, no output layer."""
    from hfo_detect.config import FAST_RIPPLE, RIPPLE, CalibrationConfig, get_preset

    cfg = get_preset("hfo256")
    return replace(cfg, name="hfo256-v0.1",
                   filters=replace(cfg.filters, bands=(replace(RIPPLE, scale_factor=0.5),
                                                       replace(FAST_RIPPLE, scale_factor=0.5))),
                   calibration=CalibrationConfig(rule="whole"), output=None,
                   readout=replace(cfg.readout, min_neurons=5))


def detectors():
    from hfo_detect.baselines.morphology import MorphologyDetector
    from hfo_detect.baselines.rms import RMSDetector
    from hfo_detect.detector import NeuromorphicDetector

    return {
        "hfo256": lambda: NeuromorphicDetector(preset="hfo256"),
        "hfo256-v0.1": lambda: NeuromorphicDetector()._clone_with(old_hfo256()),
        "sharifhazileh2021": lambda: NeuromorphicDetector(preset="sharifhazileh2021"),
        "morphology": lambda: MorphologyDetector(),
        "rms": lambda: RMSDetector(),
    }


#: peer detectors: table name -> bench_peers.py tool
PEERS = {"epycom-rms-wide": "epycom_rms_wide", "epycom-rms": "epycom_rms",
         "epycom-ll": "epycom_ll", "epycom-cs": "epycom_cs", "mnehfo-rms": "mnehfo_rms",
         "mnehfo-ll": "mnehfo_ll"}
WORK = Path("/tmp/hfo-bench-accuracy")


class PeerDetector:
    """A peer tool behind ``fit``/``predict``: the recording is written as EDF (through MNE's
    reader afterwards, as the tool's own run would read it) and the tool runs as a process."""

    def __init__(self, tool: str, peers_py: Path):
        self.tool, self.peers_py = tool, peers_py

    def fit(self, raw):
        return self

    def predict(self, raw):
        import shutil

        from bench.tools import Tool, read_events, run_once
        from hfo_detect.io import write_edf

        folder = WORK / self.tool
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if hasattr(raw, "get_data_uv"):  # a Recording (real snippets): its montage applied
            data, sfreq = raw.get_data_uv(), raw.sfreq
        else:  # an MNE Raw (simulated recordings)
            data, sfreq = raw.get_data(units="uV"), raw.info["sfreq"]
        edf = write_edf(folder / "rec.edf", data, sfreq, raw.ch_names)
        events, err = run_once(Tool(self.tool, self.tool, "peer", self.tool), edf, folder / "out",
                               self.peers_py)
        if err:
            raise RuntimeError(f"{self.tool}: {err}")
        return read_events(events)


def peer_detectors():
    """The peers in their own venv, or {} with the reason printed when it is unavailable."""
    from bench.env import ensure_peers_venv
    from bench_all import DEFAULT_VENV

    peers_py, status = ensure_peers_venv(DEFAULT_VENV)
    print(f"peers: {status}", flush=True)
    if peers_py is None:
        return {}
    return {name: (lambda tool=tool: PeerDetector(tool, peers_py)) for name, tool in PEERS.items()}


def sim_recordings(quick: bool):
    import mne

    from hfo_detect.simulate import simulate_recording
    from make_training import SFREQ, training_recording

    dur = 60.0 if quick else 120.0
    out = []
    for seed in (41,) if quick else (41, 42, 43):
        rec = simulate_recording(dur, 8, sfreq=2048.0, seed=seed, snr_db=(0.0, 20.0),
                                 spike_rate_per_min=4.0, artifact_rate_per_min=3.0)
        out.append(("sim", f"sim-{seed}", rec.to_raw(), rec.events.df, list(rec.ch_names)))
    for seed in (201,) if quick else (201, 202):
        data, names, truth = training_recording(seed, 4, dur)
        raw = mne.io.RawArray(data * 1e-6, mne.create_info(names, SFREQ, ch_types="seeg"),
                              verbose="error")
        out.append(("train-gen", f"gen-{seed}", raw, truth, names))
    out += indep_recordings(quick)
    return out


def indep_recordings(quick: bool):
    """``make_heldout.py`` recordings through EDF (``bench_work/heldout``, rewritten each run)."""
    import mne

    from make_heldout import heldout_recording, write_edf

    work = ROOT / "bench_work" / "heldout"
    work.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in (301,) if quick else (301, 302, 303):
        data, names, truth = heldout_recording(seed, 8, 60.0 if quick else 120.0)
        edf = work / f"heldout-{seed}.edf"
        write_edf(edf, data, names, 2048.0)
        out.append(("indep", f"indep-{seed}", mne.io.read_raw_edf(str(edf), preload=True,
                                                                  verbose="error"), truth, names))
    return out


def _canon_truth(truth):
    from hfo_detect.channels import canonical_bipolar

    t = truth.copy()
    t["channel"] = t["channel"].map(canonical_bipolar)
    if "fr_and_r" not in t:
        t["fr_and_r"] = False
    return t


def non_hfo_fps(events, truth):
    from bench.accuracy import _frame, _overlaps

    det = _frame(events)
    hfo = truth[truth["kind"].isin(["ripple", "fast_ripple"])]
    free = ~_overlaps(det, hfo) if len(det) else np.zeros(0, bool)
    out = {}
    for kind in ("spike", "artifact"):
        rows = truth[truth["kind"] == kind]
        out[f"fp_on_{kind}"] = int((free & _overlaps(det, rows)).sum()) if len(rows) and len(det) else 0
    return out


def snr_recall(events, truth, reviewed):
    from bench.accuracy import by_snr

    rows = by_snr(events, truth, reviewed, SNR_BINS)
    return {f"{lo:g}-{min(hi, 20):g} dB": (r["n_truth"], r["recall"])
            for (lo, hi), r in zip(SNR_BINS, rows)}


def _sum_scores(parts):
    tot = {}
    empty = dict(tp=None, fp=None, fn=None, precision=None, recall=None, f1=None)
    for kind in ("ripple", "fast_ripple", "all"):
        if not any(kind in p for p in parts):  # the faithful preset labels no band
            tot[kind] = empty
            continue
        parts_k = [p for p in parts if kind in p]
        tp = sum(p[kind]["tp"] or 0 for p in parts_k)
        fp = sum(p[kind]["fp"] or 0 for p in parts_k)
        fn = sum(p[kind]["fn"] or 0 for p in parts_k)
        tot[kind] = dict(tp=tp, fp=fp, fn=fn, precision=tp / max(tp + fp, 1),
                         recall=tp / max(tp + fn, 1), f1=2 * tp / max(2 * tp + fp + fn, 1))
    return tot


def run_sim(recs, dets):
    from bench.accuracy import score

    res = {}
    for gen in sorted({r[0] for r in recs}):
        for name, make in dets.items():
            parts, fps, snr, secs = [], {"fp_on_spike": 0, "fp_on_artifact": 0}, {}, 0.0
            for g, ident, raw, truth, names in recs:
                if g != gen:
                    continue
                from hfo_detect.channels import canonical_bipolar

                truth = _canon_truth(truth)
                reviewed = [canonical_bipolar(c) for c in names]
                t0 = time.perf_counter()
                det = make()
                ev = det.fit(raw).predict(raw)
                secs += time.perf_counter() - t0
                parts.append(score(ev, truth, reviewed))
                if ident == "sim-41" and hasattr(det, "counts_"):
                    from hfo_detect.power import estimate_power

                    r = estimate_power(det.counts_).recordings.iloc[0]
                    power = {k: round(float(r[k]), 2) for k in
                             ("n_chips", "n_hidden", "dynamic_uw", "total_uw", "chip_8ch_uw")}
                    power["synaptic_events_per_ch_s"] = round(float(
                        det.counts_["synaptic_events"].sum() / det.counts_["duration_s"].sum()), 1)
                    res.setdefault("_power", {})[name] = power
                for k, v in non_hfo_fps(ev, truth).items():
                    fps[k] += v
                for b, (n, r) in snr_recall(ev, truth, reviewed).items():
                    cnt = snr.setdefault(b, [0, 0.0])
                    cnt[0] += n
                    cnt[1] += (r or 0.0) * n
            tot = _sum_scores(parts)
            res[f"{gen}/{name}"] = dict(
                scores=tot, **fps, seconds=round(secs, 1),
                snr_recall={b: (round(v[1] / v[0], 3) if v[0] else None) for b, v in snr.items()})
            print(gen, name, {k: v["f1"] for k, v in tot.items()}, fps, flush=True)
    return res


def run_real(dets):
    from bench.accuracy import score, truth_table
    from bench.workloads import real

    out = {}
    from hfo_detect.detector import as_recording

    for w in real(ROOT / "bench_work"):
        truth = truth_table(w.truth)
        rec = as_recording(str(w.edf))
        for name, make in dets.items():
            ev = make().fit(rec).predict(rec)
            sc = score(ev, truth)
            empty = dict(precision=None, recall=None, f1=None)
            out[f"{w.name}/{name}"] = {k: sc.get(k, empty) for k in ("ripple", "fast_ripple", "all")}
            print(w.name, name, {k: v["f1"] for k, v in out[f"{w.name}/{name}"].items()},
                  flush=True)
    return out


def run_mismatch(n_seeds):
    from bench.accuracy import score
    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.detector import NeuromorphicDetector
    from hfo_detect.simulate import simulate_recording

    rec = simulate_recording(60.0, 4, sfreq=2048.0, seed=44, snr_db=(0.0, 20.0),
                             spike_rate_per_min=4.0, artifact_rate_per_min=3.0)
    ident, raw, names = "sim-44 (4 ch x 60 s)", rec.to_raw(), list(rec.ch_names)
    truth = _canon_truth(rec.events.df)
    f1 = []
    for seed in range(n_seeds):
        ev = NeuromorphicDetector(seed=seed).fit(raw).predict(raw)
        f1.append(score(ev, truth, [canonical_bipolar(c) for c in names])["all"]["f1"] or 0.0)
    return dict(recording=ident, seeds=n_seeds, f1=[round(x, 4) for x in f1],
                mean=float(np.mean(f1)), sd=float(np.std(f1)), min=float(np.min(f1)),
                max=float(np.max(f1)))


def _f(x):
    return "-" if x is None else f"{x:.2f}"


def report(res, out: Path):
    lines = ["# Accuracy after issue 12 (`data_scripts/bench_accuracy.py`)", "",
             "Overlap rule; simulated recordings: every channel reviewed; real snippets: channels "
             "with marks. FPs on spikes/artifacts: pooled detections overlapping a spike/artifact "
             "row and no HFO. Peers (epycom, mne-hfo) ran as whole processes in their own "
             "environment on the same recordings written as EDF, at their default thresholds; "
             "`epycom-rms-wide` (one 80-500 Hz band, the peer of issue 11) labels every event "
             "ripple, so only its pooled scores count.", ""]
    if res.get("rerun"):
        lines += [f"Detectors rerun last (`--only`): {', '.join(res['rerun'])}; the other rows "
                  "are from the run before (their code did not change).", ""]
    for gen in ("sim", "train-gen", "indep"):
        rows = {k.split("/", 1)[1]: v for k, v in res["sim"].items()
                if k.startswith(gen + "/") and not k.startswith("_")}
        if not rows:
            continue
        lines += [f"## {gen}", "",
                  "| detector | R P/R/F1 | FR P/R/F1 | all P/R/F1 | FP on spikes | FP on artifacts | "
                  + " | ".join(f"recall {b}" for b in next(iter(rows.values()))["snr_recall"])
                  + " | s |",
                  "|---" * (7 + len(next(iter(rows.values()))["snr_recall"])) + "|"]
        for name, v in rows.items():
            s = v["scores"]
            cells = [name] + ["/".join(_f(s[k][m]) for m in ("precision", "recall", "f1"))
                              for k in ("ripple", "fast_ripple", "all")]
            cells += [str(v["fp_on_spike"]), str(v["fp_on_artifact"])]
            cells += [_f(x) for x in v["snr_recall"].values()] + [f"{v['seconds']:.0f}"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if res.get("real"):
        lines += ["## Real snippets (F1 against the Zurich marks)", "",
                  "| snippet | detector | ripple P/R/F1 | fast ripple P/R/F1 | all P/R/F1 |",
                  "|---|---|---|---|---|"]
        for key, s in res["real"].items():
            snip, name = key.split("/", 1)
            cells = [snip, name] + ["/".join(_f(s[k][m]) for m in ("precision", "recall", "f1"))
                                    for k in ("ripple", "fast_ripple", "all")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    power = res["sim"].get("_power")
    if power:
        lines += ["## Power model (sim-41, 8 ch x 120 s)", "",
                  "| detector | neurons per channel | chips | synaptic events / ch-s | dynamic uW | "
                  "total uW | one 8-ch chip uW |", "|---|---|---|---|---|---|---|"]
        for name, p in power.items():
            lines.append(f"| {name} | {p['n_hidden']:.0f} | {p['n_chips']:.0f} | "
                         f"{p['synaptic_events_per_ch_s']:.0f} | {p['dynamic_uw']:.1f} | "
                         f"{p['total_uw']:.1f} | {p['chip_8ch_uw']:.1f} |")
        lines.append("")
    if res.get("mismatch"):
        m = res["mismatch"]
        lines += ["## Mismatch: hfo256 F1 over chips", "",
                  f"{m['seeds']} chips (seeds 0-{m['seeds'] - 1}, CV 0.2) on {m['recording']}: "
                  f"F1 mean {m['mean']:.3f}, SD {m['sd']:.3f}, range {m['min']:.3f}-{m['max']:.3f}.",
                  ""]
    atomic_write_text(out, "\n".join(lines))
    return out


def _merge(old: dict, new: dict, dets) -> dict:
    """``new`` plus the rows of ``old`` whose detector was not rerun (``--only``)."""
    if not old:
        return new
    out = {}
    for part in ("real", "sim"):
        rows = {k: v for k, v in old.get(part, {}).items()
                if not k.startswith("_") and k.split("/", 1)[1] not in dets}
        rows.update({k: v for k, v in new.get(part, {}).items() if not k.startswith("_")})
        if part == "sim":
            power = {k: v for k, v in old.get("sim", {}).get("_power", {}).items()
                     if k not in dets}
            power.update(new.get("sim", {}).get("_power", {}))
        # the report's row order: the data sets' order as before, then the detectors' order
        order = list(detectors()) + list(PEERS)
        if part == "sim":
            rows["_power"] = dict(sorted(power.items(), key=lambda kv: (
                order.index(kv[0]) if kv[0] in order else len(order))))
        groups = list(dict.fromkeys(k.split("/", 1)[0] for k in rows if "/" in k))

        def key(kv, order=order, groups=groups):
            if "/" not in kv[0]:
                return (-1, 0)
            g, name = kv[0].split("/", 1)
            return (groups.index(g), order.index(name) if name in order else len(order))

        out[part] = dict(sorted(rows.items(), key=key))
    out["mismatch"] = new.get("mismatch", old.get("mismatch"))
    out["rerun"] = list(dets)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--only", default=None, help="comma-separated detector names")
    p.add_argument("--no-real", action="store_true")
    p.add_argument("--no-peers", action="store_true", help="skip the peers (epycom, mne-hfo)")
    a = p.parse_args(argv)
    dets = detectors()
    if not a.no_peers and (not a.only or set(a.only.split(",")) & set(PEERS)):
        dets.update(peer_detectors())
    if a.only:
        dets = {k: v for k, v in dets.items() if k in a.only.split(",")}
    reports = ROOT / "reports"
    dump = reports / "accuracy_issue12.json"
    old = json.loads(dump.read_text()) if a.only and dump.exists() else {}
    res = {}

    def save(partial: dict) -> dict:
        """Write what is done so far, merged with the previous rows of detectors not rerun
        (``--only``), so they survive a failure in a later, longer part."""
        merged = _merge(old, partial, dets)
        atomic_write_text(dump, json.dumps(merged, indent=1, default=float))
        return merged

    if not a.no_real:  # short: first, so a failure shows early
        res["real"] = run_real(dets)
        save(res)
    recs = sim_recordings(a.quick)
    res["sim"] = run_sim(recs, dets)
    save(res)
    if a.seeds and "hfo256" in dets:
        res["mismatch"] = run_mismatch(a.seeds)
    res = save(res)
    print(report(res, reports / "accuracy_issue12.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
