"""Try a change of the hfo256 network as the shipped defaults were made, and score it held out.

Modes (the measurements behind "Measured this round and not kept" in the README's accuracy
section and behind ``ADMConfig.reference``):

``learn``  relearn the defaults with ``NeuromorphicDetector.fit(X, y)`` on the training set of
           ``learn_defaults.py`` with config overrides (dotted keys, JSON), then score the learned
           detector on ``bench_accuracy.py``'s held-out simulator and training-generator
           recordings and on the real snippets. Prints F1 per kind, FPs on spikes / artifacts,
           recall per SNR bin. ~12-15 min on one core.
``adm-phase`` how much a channel's background ADM rate depends on where the ADM reference
           started: the hfo256 front end of a real snippet, encoded from 6 random initial
           references (uniform within +-threshold/2), events after the first second counted per
           stream, the coefficient of variation over the starts (median and max over streams);
           for the held and the tracking reference. Seconds.
``adm-count`` what the ADM events of a real snippet carry, with no network: the events of the
           four HFO sub-bands counted in 50-ms windows (12.5-ms steps), a window flagged where its
           count exceeds mean + k SD of its channel's windows, flagged runs merged into events,
           scored (overlap rule, all kinds pooled) against the marks; at the preset's ADM scale
           factors or others (``--scale RIPPLE FAST_RIPPLE``). Seconds.
``channels`` where a real snippet's marks are missed: per marked channel, the marks the default
           ``detect`` finds (overlap rule) and the rates of ADM events (HFO sub-bands), hidden
           spikes and output spikes inside the marks and outside them; and how strong the marks
           are: their median SNR (the simulator's definition, with the channel's samples outside
           marks as the background) and the ADM threshold of the marks' sub-bands in SDs of that
           sub-band's background (the preset's causal filters). Seconds.
``spike-ceiling`` how much F1 a perfect-as-learnable spike veto could add: on the training
           recordings (``make_training.py`` seeds 7 and 8, 12 ch x 90 s), every detection of the
           default ``detect`` gets features of its window (ADM events per band; the peak of the
           band-passed signal in robust background SDs, 10-60, 40-80, 80-141, 80-250 and 250-500
           Hz, causal order-2 Butterworth) and a cross-validated classifier (5 folds) vetoes
           those it takes for an interictal spike; the detections left are scored again (overlap
           rule). Logistic regression on the ADM counts alone (what a network sees), gradient
           boosting on all features (an offline upper bound). ~30 s.
``border`` what ``ReadoutConfig.border_merge_ratio`` changes: on ``bench_accuracy.py``'s
           held-out simulator and training-generator recordings, ``detect`` without it (0) and
           with the preset's value; the ripple / fast-ripple pairs flagged as co-occurring (each
           stretch of overlapping flagged rows counts once), by what the truth has there (a
           co-occurrence, one HFO, nothing), and how many of them the rule reads as one event; F1 per kind and pooled (the project's scorer, which
           merges overlapping rows first) and pooled one-to-one on the rows as written (a
           scorer that does not merge). ~1 min.
``bounds`` what ``ReadoutConfig.event_bounds_s`` changes: on the same held-out recordings,
           hfo256 with the window rule's extent (None) and with the preset's learned bounds,
           and the Morphology detector: median event duration (and the reference's), pooled
           F1 under the overlap rule, intersection-over-union >= 0.2 and >= 0.5, and onsets
           within 50 ms. ~1 min.
``envelope-ceiling`` what the front end carries with no ADM and no network, at best: the preset's
           causal sub-band filters and calibrated (and, where tracked, tracked) noise floor; the
           RMS over 20-ms windows (5-ms steps) of each HFO sub-band over its ADM threshold, the
           larger of a kind's two sub-bands; windows above a factor c flagged, runs of at least m
           windows become events of that kind. c (0.5-3.0) and m (1, 3, 5, 7 windows) are chosen
           on each set itself (an oracle: the best any such energy detector reaches there, with
           its threshold picked on the answers), and the one (c, m) best on average over the
           three held-out generators is applied to every set; the default ``detect``'s F1
           beside. Held-out recordings of ``bench_accuracy.py`` and the real snippets. ~3 min.
``track``  what ``CalibrationConfig.track_s`` changes: hfo256 with spans of None (one threshold
           per channel and band), 5, 10 (the preset), 20 and 60 s, on ``bench_accuracy.py``'s
           three held-out generators (pooled P / R / F1, FPs on spikes / artifacts) and on the
           two real snippets longer than 10 s (the 5-s crop is shorter than every span: its
           thresholds stay untracked). ~5 min.

Usage::

    python data_scripts/variant_study.py learn '{"network__weights_na": [1.5, 3.0]}'
    python data_scripts/variant_study.py learn '{"adm__reference": "tracks"}' \\
        --grid '{"scale_factor": [0.3, 0.4, 0.55, 0.7, 0.85]}'
    python data_scripts/variant_study.py adm-phase --snippet crop5s
    python data_scripts/variant_study.py adm-count --snippet crop5s [--scale 0.8 1.0]
    python data_scripts/variant_study.py channels --snippet crop5s
    python data_scripts/variant_study.py spike-ceiling
    python data_scripts/variant_study.py border
    python data_scripts/variant_study.py bounds
    python data_scripts/variant_study.py track
    python data_scripts/variant_study.py envelope-ceiling
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _overrides(text: str) -> dict:
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in json.loads(text).items()}


def learn(overrides: dict, grid: dict | None, channels: int = 8, duration: float = 60.0) -> None:
    import bench_accuracy as ba
    from learn_defaults import training_set

    from hfo_detect.detector import NeuromorphicDetector

    t0 = time.time()
    recs, truths = training_set(channels, duration)
    det = NeuromorphicDetector(preset="hfo256", overrides=overrides, search_grid=grid)
    det.fit(recs, truths)
    res, cfg = det.learned_, det.config_
    print(f"learned in {time.time() - t0:.0f} s: ADM scale {res.scale_factors}, artifact "
          f"{res.artifact_scale_factor}, output weights {res.band_weight_na}", flush=True)
    make = {"variant": lambda: NeuromorphicDetector()._clone_with(cfg)}
    for key, v in ba.run_sim(ba.sim_recordings(False), make).items():
        if not key.startswith("_"):
            f1 = {k: round(s["f1"] or 0.0, 3) for k, s in v["scores"].items()}
            print(key, "F1", f1, "FP spikes / artifacts", v["fp_on_spike"], v["fp_on_artifact"],
                  "recall per SNR bin", v["snr_recall"], flush=True)
    ba.run_real(make)  # prints F1 per snippet


def adm_phase(snippet: str, work: Path) -> None:
    from bench.workloads import real

    from hfo_detect.detector import NeuromorphicDetector, as_recording
    from hfo_detect.frontend.adm import ADMEncoder
    from hfo_detect.frontend.filters import FilterBank

    w = next(w for w in real(work) if w.name == snippet)
    rec = as_recording(str(w.edf))
    det = NeuromorphicDetector().fit(rec)
    cfg, x = det.config_, rec.get_data_uv()
    filtered = FilterBank(cfg.filters, det.sfreq_, x.shape[0]).process(x)
    thr = det.thresholds_.to_numpy().T
    n_streams = 2 * thr.shape[0]
    for reference in ("held", "tracks"):
        counts = []
        for seed in range(6):
            enc = ADMEncoder(replace(cfg.adm, reference=reference), det.sfreq_, thr, x.shape[1],
                             det.band_names_)
            enc.ref[:] = np.random.default_rng(seed).uniform(-0.5, 0.5, enc.ref.shape) * thr
            ev = enc.process(filtered, 0)
            late = ev.times > 1.0
            counts.append(np.bincount(ev.source[late] + n_streams * ev.channel[late],
                                      minlength=n_streams * x.shape[0]))
        c = np.array(counts, dtype=float)
        cv = c.std(axis=0) / np.maximum(c.mean(axis=0), 1.0)
        print(f"{snippet}, reference {reference}: CV of the background event count over 6 "
              f"starting references, median {np.median(cv):.3f}, max {cv.max():.3f} "
              f"({c.shape[1]} streams)")


def _flagged_runs(times, n_windows, k):
    """Start and end window of each run of windows whose count exceeds mean + k SD."""
    edges = np.arange(n_windows) * STEP_S
    t = np.sort(times)
    cnt = np.searchsorted(t, edges + WINDOW_S) - np.searchsorted(t, edges)
    on = np.r_[False, cnt > max(cnt.mean() + k * cnt.std(), 0.0), False].astype(np.int8)
    d = np.diff(on)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1


WINDOW_S, STEP_S = 0.05, 0.0125


def adm_count(snippet: str, work: Path, scale) -> None:
    import pandas as pd
    from bench.accuracy import score, truth_table
    from bench.workloads import real

    from hfo_detect.config import get_preset
    from hfo_detect.detector import NeuromorphicDetector, as_recording

    w = next(w for w in real(work) if w.name == snippet)
    rec = as_recording(str(w.edf))
    cfg = get_preset("hfo256")
    if scale:
        bands = tuple(replace(b, scale_factor=scale[0] if b.event_kind == "ripple" else scale[1])
                      if b.role == "hfo" else b for b in cfg.filters.bands)
        cfg = replace(cfg, filters=replace(cfg.filters, bands=bands))
    det = NeuromorphicDetector(keep_spikes=True)._clone_with(cfg)
    det.fit(rec).predict(rec)
    adm = det.spikes_["adm"]
    hfo_streams = 2 * sum(b.role == "hfo" for b in cfg.filters.bands)
    n_windows = int((rec.n_times / det.sfreq_ - WINDOW_S) / STEP_S) + 1
    truth = truth_table(w.truth)
    for k in (1.5, 2.0, 2.5, 3.0):
        rows = []
        for c, name in enumerate(det.ch_names_):
            m = (adm.channel == c) & (adm.source < hfo_streams)
            for a, b in zip(*_flagged_runs(adm.times[m], n_windows, k)):
                rows.append(dict(onset=a * STEP_S, duration=(b - a) * STEP_S + WINDOW_S,
                                 channel=name, kind="ripple"))
        sc = score(pd.DataFrame(rows), truth)["all"]
        print(f"{snippet}, ADM scale {scale or 'preset'}, k {k}: P {sc['precision'] or 0:.2f} "
              f"R {sc['recall'] or 0:.2f} F1 {sc['f1'] or 0:.2f}")


def _inside(t, on, off) -> np.ndarray:
    """Which times ``t`` lie in one of the closed intervals ``[on, off]``."""
    return ((np.asarray(t)[:, None] >= on) & (np.asarray(t)[:, None] <= off)).any(axis=1)


def channels(snippet: str, work: Path) -> None:
    from bench.accuracy import truth_table
    from bench.workloads import real

    from scipy import signal

    from hfo_detect.detector import NeuromorphicDetector, as_recording
    from hfo_detect.events import overlaps_by_channel
    from hfo_detect.frontend.filters import FilterBank
    from hfo_detect.simulate import SimulationConfig

    w = next(w for w in real(work) if w.name == snippet)
    rec = as_recording(str(w.edf))
    det = NeuromorphicDetector(keep_spikes=True)
    events = det.fit(rec).predict(rec).df
    truth = truth_table(w.truth).reset_index(drop=True)
    truth["found"] = overlaps_by_channel(truth, events)
    sfreq = det.sfreq_
    seconds = rec.n_times / sfreq
    bands = det.config_.filters.bands
    hfo_streams = 2 * sum(b.role == "hfo" for b in bands)
    x = rec.get_data_uv()
    sim = SimulationConfig()
    sub = FilterBank(det.config_.filters, sfreq, x.shape[0]).process(x)  # the preset's filters
    t_samples = np.arange(x.shape[1]) / sfreq
    print(f"{snippet}: per marked channel, marks found, rates (per s) inside / outside marks, "
          "the marks' median SNR (dB) and the ADM threshold of their sub-bands in background SDs")
    print("channel | marks | found | ADM events | hidden spikes | output spikes | SNR dB | "
          "threshold / SD")
    for name, marks in truth.groupby("channel"):
        c = det.ch_names_.index(name)
        on, off = marks.onset.to_numpy(), (marks.onset + marks.duration).to_numpy()
        t_in = float((off - on).sum())
        in_marks = _inside(t_samples, on, off)
        bp = {kind: signal.sosfiltfilt(signal.butter(sim.snr_filter_order, sim.band(kind),
                                                     "bandpass", fs=sfreq, output="sos"), x[c])
              for kind in marks.kind.unique()}  # each mark in its own kind's band
        snr = [10 * np.log10(max(np.mean(bp[kind][_inside(t_samples, [a], [b])] ** 2)
                                 / np.mean(bp[kind][~in_marks] ** 2) - 1, 1e-3))
               for kind, a, b in zip(marks.kind, on, off)]
        kind = marks.kind.mode().iloc[0]
        ratio = [det.thresholds_.loc[name, b.name] / sub[i, c, ~in_marks].std()
                 for i, b in enumerate(bands) if b.role == "hfo" and b.name.startswith(kind)]
        cells = []
        for key in ("adm", "hidden", "output"):
            sp = det.spikes_[key]
            m = (sp.channel == c) & ((sp.source < hfo_streams) if key == "adm" else True)
            t = sp.times[m]
            inside = _inside(t, on, off)
            cells.append(f"{inside.sum() / t_in:.0f} / {(~inside).sum() / (seconds - t_in):.0f}")
        print(f"{name} | {len(marks)} | {int(marks.found.sum())} | " + " | ".join(cells)
              + f" | {np.median(snr):.1f} | " + ", ".join(f"{r:.1f}" for r in ratio))
        truth.loc[marks.index, "snr_db"] = snr
    bins = np.digitize(truth.snr_db, [0.0, 6.0, 10.0])
    print("marks found by SNR: " + "; ".join(
        f"{lab} dB {int(truth.found[bins == i].sum())} of {int((bins == i).sum())}"
        for i, lab in enumerate(("< 0", "0-6", "6-10", ">= 10")) if (bins == i).any()))


ENVELOPE_BANDS = {"10-60": (10.0, 60.0), "40-80": (40.0, 80.0), "80-141": (80.0, 141.0),
                  "80-250": (80.0, 250.0), "250-500": (250.0, 500.0)}


def _detection_features(det, ev, data, sfreq):
    """ADM events per band and band-passed peaks (robust SDs) inside each detection."""
    from scipy import signal

    adm = det.spikes_["adm"]
    n_bands = len(det.band_names_)
    peaks = {}
    for name, band in ENVELOPE_BANDS.items():
        y = np.abs(signal.sosfilt(signal.butter(2, band, "bandpass", fs=sfreq, output="sos"),
                                  data, axis=1))
        peaks[name] = y / (1.4826 * np.median(y, axis=1, keepdims=True))
    feats = np.zeros((len(ev), n_bands + len(peaks)))
    for i, r in enumerate(ev.itertuples()):
        c = det.ch_names_.index(r.channel)
        m = (adm.channel == c) & (adm.times >= r.onset) & (adm.times <= r.onset + r.duration)
        feats[i, :n_bands] = np.bincount(adm.source[m] // 2, minlength=n_bands)[:n_bands]
        lo, hi = int(r.onset * sfreq), int((r.onset + r.duration) * sfreq) + 1
        feats[i, n_bands:] = [p[c, lo:hi].max() for p in peaks.values()]
    return np.log1p(feats), n_bands


def spike_ceiling(seeds=(7, 8)) -> None:
    import mne
    import pandas as pd
    from bench.accuracy import _overlaps, score
    from make_training import SFREQ, training_recording
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.detector import NeuromorphicDetector

    recs = []
    for seed in seeds:
        data, names, truth = training_recording(seed, 12, 90.0)
        raw = mne.io.RawArray(data * 1e-6, mne.create_info(names, SFREQ, ch_types="seeg"),
                              verbose="error")
        det = NeuromorphicDetector(keep_spikes=True)
        ev = det.fit(raw).predict(raw).df.reset_index(drop=True)
        truth = truth.assign(channel=truth.channel.map(canonical_bipolar))
        hfo = truth[truth.kind.isin(("ripple", "fast_ripple"))]
        on_spike = hfo[hfo.waveform == "on_spike"]
        ev["tp"] = _overlaps(ev, hfo)
        ev["on_spike"] = _overlaps(ev, on_spike)
        ev["spike"] = ~ev.tp & _overlaps(ev, truth[truth.kind == "spike"])
        x, n_adm = _detection_features(det, ev, data, SFREQ)
        recs.append((ev, hfo, x))
    ev_all = pd.concat([r[0] for r in recs], ignore_index=True)
    x_all = np.concatenate([r[2] for r in recs])
    y = ev_all.spike.to_numpy().astype(int)

    def rescored(veto):
        tp = fp = fn = 0
        k = 0
        for ev, hfo, _ in recs:
            keep = ~veto[k:k + len(ev)]
            k += len(ev)
            a = score(ev[keep], hfo)["all"]
            tp, fp, fn = tp + a["tp"], fp + a["fp"], fn + a["fn"]
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        return p, r, 2 * p * r / max(p + r, 1e-12)

    p0, r0, f0 = rescored(np.zeros(len(ev_all), bool))
    print(f"training recordings (seeds {', '.join(map(str, seeds))}; 12 ch x 90 s): "
          f"{len(ev_all)} detections, {int(ev_all.tp.sum())} on HFOs "
          f"({int(ev_all.on_spike.sum())} on ripples riding spikes), {int(y.sum())} on bare "
          f"spikes; P / R / F1 {p0:.2f} / {r0:.2f} / {f0:.3f}")
    print("veto | cut | spike detections vetoed | HFO detections vetoed (on spikes) | "
          "P / R / F1 after the veto")
    models = (("ADM counts, logistic", LogisticRegression(max_iter=2000), x_all[:, :n_adm]),
              ("all features, gradient boosting", GradientBoostingClassifier(random_state=0),
               x_all))
    for name, model, x in models:
        prob = cross_val_predict(model, x, y, cv=5, method="predict_proba")[:, 1]
        for cut in (0.5, 0.8):
            veto = prob >= cut
            p, r, f = rescored(veto)
            print(f"{name} | {cut} | {int((veto & (y == 1)).sum())} of {int(y.sum())} | "
                  f"{int((veto & ev_all.tp).sum())} ({int((veto & ev_all.on_spike).sum())}) | "
                  f"{p:.2f} / {r:.2f} / {f:.3f}")


def _co_pairs(ev, truth):
    """The ripple / fast-ripple rows of a detection table flagged as co-occurring, as one
    stretch per pair (overlapping flagged rows merged), each labelled with what the truth has
    there: ``co-occurrence`` (a truth row flagged fr_and_r), ``one HFO`` or ``no HFO``."""
    from hfo_detect.events import merge_overlapping, overlaps_by_channel

    pairs = merge_overlapping(ev[ev.fr_and_r])
    pairs = pairs.assign(duration=pairs.offset - pairs.onset)
    co = overlaps_by_channel(pairs, truth[truth.fr_and_r])
    hfo = overlaps_by_channel(pairs, truth)
    return np.where(co, "co-occurrence", np.where(hfo, "one HFO", "no HFO")).tolist()


def border() -> None:
    import bench_accuracy as ba
    from bench.accuracy import score

    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.config import get_preset
    from hfo_detect.detector import NeuromorphicDetector
    from hfo_detect.evaluation import score_events

    ratio = get_preset("hfo256").readout.border_merge_ratio
    recs = ba.sim_recordings(False)
    cats = ("co-occurrence", "one HFO", "no HFO")
    for gen in ("sim", "train-gen"):
        pairs, f1 = {}, {}
        for r in (0.0, ratio):
            tot = np.zeros((4, 3))
            pairs[r] = dict.fromkeys(cats, 0)
            for g, _, raw, truth, names in recs:
                if g != gen:
                    continue
                truth = ba._canon_truth(truth)
                hfo = truth[truth.kind.isin(["ripple", "fast_ripple"])]
                reviewed = [canonical_bipolar(c) for c in names]
                det = NeuromorphicDetector(overrides={"readout__border_merge_ratio": r})
                ev = det.fit(raw).predict(raw)
                df = ev.df.assign(channel=ev.df.channel.map(canonical_bipolar))
                for c in _co_pairs(df, hfo):
                    pairs[r][c] += 1
                sc = score(ev, truth, reviewed)
                rows = score_events(df, truth, kinds=["pooled"], channels=reviewed,
                                    merge_pooled=False).summary().iloc[0]
                for i, k in enumerate(("ripple", "fast_ripple", "all")):
                    tot[i] += [sc[k]["tp"], sc[k]["fp"], sc[k]["fn"]]
                tot[3] += [rows["tp"], rows["fp"], rows["fn"]]
            f1[r] = 2 * tot[:, 0] / np.maximum(2 * tot[:, 0] + tot[:, 1] + tot[:, 2], 1)
        merged = ", ".join(f"{pairs[0.0][c] - pairs[ratio][c]} of {pairs[0.0][c]} on {c}"
                           for c in cats)
        print(f"{gen}: ripple / fast-ripple pairs flagged co-occurring without the rule: "
              f"{sum(pairs[0.0].values())}; read as one event at ratio {ratio:g}: {merged}")
        print(f"  F1 ripple / fast ripple / pooled (merged rows) / pooled one-to-one on the rows "
              f"as written: {' / '.join(f'{v:.3f}' for v in f1[0.0])} -> "
              f"{' / '.join(f'{v:.3f}' for v in f1[ratio])}", flush=True)


def bounds() -> None:
    import bench_accuracy as ba

    from hfo_detect.baselines.morphology import MorphologyDetector
    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.detector import NeuromorphicDetector
    from hfo_detect.evaluation import score_events

    rules = (("overlap", 0.2), ("iou", 0.2), ("iou", 0.5), ("onset", 0.2))
    dets = {"hfo256, window rule's extent": lambda: NeuromorphicDetector(
                overrides={"readout__event_bounds_s": None}),
            "hfo256, learned bounds (preset)": lambda: NeuromorphicDetector(),
            "morphology": lambda: MorphologyDetector()}
    recs = ba.sim_recordings(False)
    for gen in ("sim", "train-gen"):
        mine = [r for r in recs if r[0] == gen]
        ref = np.concatenate([r[3][r[3].kind.isin(["ripple", "fast_ripple"])].duration.to_numpy()
                              for r in mine])
        print(f"{gen}: reference events, median duration {np.median(ref) * 1e3:.0f} ms")
        print("  detector | median duration (ms) | pooled F1: overlap / IoU >= 0.2 / "
              "IoU >= 0.5 / onsets within 50 ms")
        for name, make in dets.items():
            tot, durs = np.zeros((len(rules), 3)), []
            for _, _, raw, truth, names in mine:
                truth = ba._canon_truth(truth)
                reviewed = [canonical_bipolar(c) for c in names]
                df = make().fit(raw).predict(raw).df
                df = df.assign(channel=df.channel.map(canonical_bipolar))
                durs.append(df.duration.to_numpy())
                for i, (rule, thr) in enumerate(rules):
                    row = score_events(df, truth, kinds=["pooled"], rule=rule, iou_threshold=thr,
                                       tolerance_s=0.05, channels=reviewed).summary().iloc[0]
                    tot[i] += [row["tp"], row["fp"], row["fn"]]
            f1 = 2 * tot[:, 0] / np.maximum(2 * tot[:, 0] + tot[:, 1] + tot[:, 2], 1)
            print(f"  {name} | {np.median(np.concatenate(durs)) * 1e3:.0f} | "
                  f"{' / '.join(f'{v:.3f}' for v in f1)}", flush=True)


def track(spans=(None, 5.0, 10.0, 20.0, 60.0)) -> None:
    import bench_accuracy as ba

    from hfo_detect.detector import NeuromorphicDetector

    recs = ba.sim_recordings(False)
    rows = []
    for span in spans:
        dets = {f"track_s {span}": lambda span=span: NeuromorphicDetector(
            overrides={"calibration__track_s": span})}
        res = ba.run_sim(recs, dets)
        real = ba.run_real(dets)
        rows.append((span, res, real))
    print("\ntrack_s | generator: pooled P / R / F1, FPs on spikes / artifacts | real pooled F1")
    for span, res, real in rows:
        cells = []
        for key, v in res.items():
            if key.startswith("_"):
                continue
            a = v["scores"]["all"]
            cells.append(f"{key.split('/')[0]} {a['precision']:.3f} / {a['recall']:.3f} / "
                         f"{a['f1']:.3f}, {v['fp_on_spike']} / {v['fp_on_artifact']}")
        cells += [f"{k.split('/')[0]} {v['all']['f1']:.3f}" for k, v in real.items()
                  if not k.startswith("crop5s")]
        print(f"{span} | " + " | ".join(cells), flush=True)


ENVELOPE_C = tuple(np.round(np.arange(0.5, 3.01, 0.05), 2))
ENVELOPE_MIN_WINDOWS = (1, 3, 5, 7)


def _envelope_ratio(det, rec):
    """Per event kind, (n_ch, n_windows) RMS over 20-ms windows of the larger sub-band over its
    ADM threshold, as the ADM sees the sub-band (tracked floor applied); first 0.1 s zeroed
    (the causal filters' start)."""
    from hfo_detect.frontend.filters import FilterBank

    fs = det.sfreq_
    x = rec.get_data_uv()
    sub = FilterBank(det.config_.filters, fs, x.shape[0]).process(x)
    if det.floor_track_ is not None:
        sub = det.floor_track_.apply(sub, 0, fs)
    thr = det.thresholds_.to_numpy().T
    width, step = int(round(0.02 * fs)), int(round(0.005 * fs))
    starts = np.arange((x.shape[1] - width) // step + 1) * step
    out = {}
    for i, b in enumerate(det.config_.filters.bands):
        if b.role != "hfo":
            continue
        cum = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(sub[i] ** 2, axis=1)], axis=1)
        r = np.sqrt((cum[:, starts + width] - cum[:, starts]) / width) / thr[i][:, None]
        out[b.event_kind] = r if b.event_kind not in out else np.maximum(out[b.event_kind], r)
    for r in out.values():
        r[:, starts < int(0.1 * fs)] = 0.0
    return out, step / fs, width / fs


def _envelope_events(ratio, c, m, ch_names, step_s, width_s):
    import pandas as pd

    from hfo_detect.baselines._common import runs

    rows = []
    for kind, r in ratio.items():
        for ch, name in enumerate(ch_names):
            a, b = runs(r[ch] > c)
            keep = b - a + 1 >= m
            rows += [dict(onset=i * step_s, duration=(j - i) * step_s + width_s, channel=name,
                          kind=kind) for i, j in zip(a[keep], b[keep])]
    return pd.DataFrame(rows, columns=["onset", "duration", "channel", "kind"])


def envelope_ceiling(work: Path) -> None:
    import bench_accuracy as ba
    from bench.accuracy import score, truth_table
    from bench.workloads import real

    from hfo_detect.channels import canonical_bipolar
    from hfo_detect.detector import NeuromorphicDetector, as_recording

    sets = [(g, ba._canon_truth(t), [canonical_bipolar(c) for c in n], raw)
            for g, _, raw, t, n in ba.sim_recordings(False)]
    sets += [(w.name, truth_table(w.truth), None, str(w.edf)) for w in real(work)]
    net, env = {}, {}
    for name, truth, reviewed, x in sets:
        rec = as_recording(x)
        det = NeuromorphicDetector().fit(rec)
        net.setdefault(name, []).append(score(det.predict(rec), truth, reviewed))
        ratio, step_s, width_s = _envelope_ratio(det, rec)
        names = list(det.thresholds_.index)
        for c in ENVELOPE_C:
            for m in ENVELOPE_MIN_WINDOWS:
                ev = _envelope_events(ratio, c, m, names, step_s, width_s)
                env.setdefault((name, c, m), []).append(score(ev, truth, reviewed))

    def pooled(parts):  # P, R, F1 summed over the set's recordings
        a = ba._sum_scores(parts)["all"]
        return a["precision"], a["recall"], a["f1"]

    grid = [(c, m) for c in ENVELOPE_C for m in ENVELOPE_MIN_WINDOWS]
    held = [g for g in net if g in ("sim", "train-gen", "indep")]
    c_h, m_h = max(grid, key=lambda cm: np.mean([pooled(env[(g, *cm)])[2] for g in held]))
    print(f"set | detect P / R / F1 | envelope, (c, m) chosen on the set: c, m, P / R / F1 | "
          f"envelope at c {c_h}, m {m_h} (best on the held-out generators): P / R / F1")
    for name in net:
        c, m = max(grid, key=lambda cm: pooled(env[(name, *cm)])[2])
        cells = [" / ".join(f"{v:.2f}" for v in pooled(net[name])),
                 f"{c}, {m}, " + " / ".join(f"{v:.2f}" for v in pooled(env[(name, c, m)])),
                 " / ".join(f"{v:.2f}" for v in pooled(env[(name, c_h, m_h)]))]
        print(f"{name} | " + " | ".join(cells), flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    pl = sub.add_parser("learn")
    pl.add_argument("overrides", help="JSON of dotted config overrides")
    pl.add_argument("--grid", default=None, help="JSON overrides of the fit grid")
    pl.add_argument("--channels", type=int, default=8, help="training set: channels per recording")
    pl.add_argument("--duration", type=float, default=60.0,
                    help="training set: seconds per recording (learn_defaults.py's defaults)")
    pa = sub.add_parser("adm-phase")
    pa.add_argument("--snippet", default="crop5s", choices=("ieeg50s", "crop5s", "ecog75s"))
    pa.add_argument("--work", type=Path, default=HERE.parent / "bench_work")
    pc = sub.add_parser("adm-count")
    pc.add_argument("--snippet", default="crop5s", choices=("ieeg50s", "crop5s", "ecog75s"))
    pc.add_argument("--work", type=Path, default=HERE.parent / "bench_work")
    pc.add_argument("--scale", type=float, nargs=2, default=None)
    pch = sub.add_parser("channels")
    pch.add_argument("--snippet", default="crop5s", choices=("ieeg50s", "crop5s", "ecog75s"))
    pch.add_argument("--work", type=Path, default=HERE.parent / "bench_work")
    sub.add_parser("spike-ceiling")
    sub.add_parser("border")
    sub.add_parser("bounds")
    sub.add_parser("track")
    pe = sub.add_parser("envelope-ceiling")
    pe.add_argument("--work", type=Path, default=HERE.parent / "bench_work")
    a = p.parse_args(argv)
    if a.mode not in ("learn", "spike-ceiling", "border", "bounds", "track"):
        try:
            a.work.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            p.error(f"--work {a.work}: not a folder")
        except OSError as err:
            p.error(f"--work {a.work}: {err.strerror}")
    if a.mode == "learn":
        learn(_overrides(a.overrides), json.loads(a.grid) if a.grid else None, a.channels,
              a.duration)
    elif a.mode == "adm-phase":
        adm_phase(a.snippet, a.work)
    elif a.mode == "channels":
        channels(a.snippet, a.work)
    elif a.mode == "spike-ceiling":
        spike_ceiling()
    elif a.mode == "border":
        border()
    elif a.mode == "bounds":
        bounds()
    elif a.mode == "track":
        track()
    elif a.mode == "envelope-ceiling":
        envelope_ceiling(a.work)
    else:
        adm_count(a.snippet, a.work, a.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
