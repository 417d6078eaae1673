"""Peer HFO detectors (mne-hfo, epycom) as whole-process runners for the benchmark.

Runs in the benchmark's own environment (``--peers-venv`` of ``bench_all.py``), never in the
project's: mne-hfo and epycom are not project dependencies. Each call reads one EDF with MNE,
band-passes it, detects, and writes one BIDS-style events TSV per threshold
(``onset, duration, trial_type, channel``; ``trial_type`` = ``ripple`` | ``fast_ripple``).

Usage::

    python bench_peers.py TOOL EDF OUTDIR [--thresholds 3,4,5] [--tag NAME]

TOOL is one of ``mnehfo_rms``, ``mnehfo_ll``, ``epycom_rms``, ``epycom_ll``, ``epycom_cs``,
``epycom_rms_wide``.

``epycom_rms_wide`` is the fastest peer as a user runs it (issue 11): one 80-500 Hz band-pass
(4th-order Butterworth, ``sosfiltfilt``) and epycom's ``RootMeanSquareDetector(threshold=3,
window_size=100, window_overlap=0.25)`` over every channel in one process; its events are
labelled ``ripple`` (it does not tell the bands apart).

Choices made here (the tools leave them to the user; all are the same for every peer):

* Two bands, as our own detectors use: ripple 80-250 Hz and fast ripple 250-500 Hz; each
  band is detected separately and its events carry that band's kind.
* RMS / line length: the tools' default window (100 samples, step 25) and threshold
  (mean + k SD of the window statistic, k = 3 by default).
* Filters: mne-hfo filters inside its detectors (MNE FIR, its own code path); epycom expects
  filtered input, so we give it a 4th-order Butterworth band-pass applied forward-backward
  (``scipy.signal.sosfiltfilt``) [CHOICE].
* epycom CS scans its own 17 sub-bands (44-909 Hz); a sub-band detection counts as ``ripple``
  when its centre frequency lies in 80-250 Hz and as ``fast_ripple`` in 250-500 Hz; overlapping
  detections of one kind are merged [CHOICE]. Its threshold is the CS probability (0-1).
* Threshold sweeps reuse the window statistic computed once per band (only the threshold step
  is repeated), so a sweep costs little more than one run. Timed runs use one threshold.

Compatibility shims for mne-hfo 0.2 (applied at import, documented in reports/benchmarks.md):

* scikit-learn >= 1.6 removed ``BaseEstimator._validate_data``; we add it back as a thin
  wrapper of ``sklearn.utils.validation.validate_data``.
* pandas >= 2 breaks mne-hfo's DataFrame helpers used by ``predict``/``score``; we never call
  them and read detections from the fitted ``chs_hfos_`` dict (start/stop samples) instead.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

BANDS = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}
DEFAULT_THRESHOLDS = {
    "mnehfo_rms": [3.0],
    "mnehfo_ll": [3.0],
    "epycom_rms": [3.0],
    "epycom_rms_wide": [3.0],
    "epycom_ll": [3.0],
    "epycom_cs": [0.1],
}
WIN_SIZE = 100  # samples: both tools' default window
WIN_STEP_FRACTION = 0.25  # both tools' default: step = ceil(0.25 * window)


def _shim_mne_hfo() -> None:
    """Make mne-hfo 0.2 run on scikit-learn >= 1.6 (see module docstring)."""
    import mne_hfo.base as base
    from sklearn.utils.validation import validate_data

    if hasattr(base.Detector, "_validate_data"):
        return

    def _validate_data(self, X, y=None, **kwargs):
        kwargs.pop("multi_output", None)
        kwargs.pop("accept_large_sparse", None)
        if y is None:
            return validate_data(self, X, **kwargs)
        return validate_data(self, X, y, **kwargs)

    base.Detector._validate_data = _validate_data


def read_edf(path: Path):
    """Read the EDF with MNE (preloaded), as every peer would."""
    import mne

    mne.set_log_level("ERROR")
    # infer_types: "SEEG AHL1-AHL2" labels become channel AHL1-AHL2 of type seeg, as MNE
    # does for every tool reading these files
    return mne.io.read_raw_edf(path, preload=True, infer_types=True, verbose="ERROR")


def _bandpass(data: np.ndarray, sfreq: float, lo: float, hi: float) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [lo, hi], btype="bandpass", fs=sfreq, output="sos")
    return sosfiltfilt(sos, data, axis=-1)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching (start, stop) sample intervals."""
    out: list[list[int]] = []
    for start, stop in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], stop)
        else:
            out.append([start, stop])
    return [(a, b) for a, b in out]


def run_mnehfo(raw, method: str, thresholds: list[float]) -> dict[float, list]:
    """mne-hfo RMS / line length, both bands; returns {k: [(ch, kind, start, stop), ...]}."""
    _shim_mne_hfo()
    import mne_hfo

    cls = {"rms": mne_hfo.RMSDetector, "ll": mne_hfo.LineLengthDetector}[method]
    sfreq = raw.info["sfreq"]
    out: dict[float, list] = {k: [] for k in thresholds}
    for kind, band in BANDS.items():
        det = cls(threshold=thresholds[0], win_size=WIN_SIZE, overlap=WIN_STEP_FRACTION,
                  sfreq=sfreq, filter_band=band, n_jobs=1, hfo_name="hfo")
        det.fit(raw)
        for k in thresholds:
            if k == thresholds[0]:
                per_ch = det.chs_hfos_
            else:  # re-threshold the stored window statistic (no refiltering)
                det.threshold = k
                per_ch = {ch: det._post_process_ch_hfos(
                    det._threshold_statistic(det.hfo_event_arr_[i]), i)
                    for i, ch in enumerate(det.ch_names)}
            for ch, events in per_ch.items():
                for start, stop in events:
                    out[k].append((ch, kind, int(start), int(stop)))
    return out


def run_epycom_window(raw, method: str, thresholds: list[float]) -> dict[float, list]:
    """epycom RMS / line length on our band-passed signal, both bands."""
    from epycom.event_detection.hfo import detect_hfo_ll, detect_hfo_rms

    func = {"rms": detect_hfo_rms, "ll": detect_hfo_ll}[method]
    sfreq = raw.info["sfreq"]
    data = raw.get_data(units="uV")
    out: dict[float, list] = {k: [] for k in thresholds}
    for kind, (lo, hi) in BANDS.items():
        filt = _bandpass(data, sfreq, lo, hi)
        for ch, sig in zip(raw.ch_names, filt):
            for k in thresholds:
                for start, stop in func(sig, fs=sfreq, threshold=k, window_size=WIN_SIZE,
                                        window_overlap=WIN_STEP_FRACTION):
                    out[k].append((ch, kind, int(start), int(stop)))
    return out


def run_epycom_wide(raw, thresholds: list[float]) -> dict[float, list]:
    """epycom RMS on one 80-500 Hz band, through its detector class (``epycom_rms_wide``)."""
    from epycom.event_detection import RootMeanSquareDetector

    sfreq = raw.info["sfreq"]
    filt = _bandpass(raw.get_data(units="uV"), sfreq, 80.0, 500.0)
    out: dict[float, list] = {k: [] for k in thresholds}
    for k in thresholds:
        det = RootMeanSquareDetector(fs=int(round(sfreq)), threshold=k, window_size=WIN_SIZE,
                                     window_overlap=WIN_STEP_FRACTION)
        for ch, sig in zip(raw.ch_names, filt):  # the whole channel at once
            for row in det.compute(sig):
                out[k].append((ch, "ripple", int(row[0]), int(row[1])))
    return out


def run_epycom_cs(raw, thresholds: list[float]) -> dict[float, list]:
    """epycom CS detector on the raw signal; sub-band detections mapped to kinds."""
    from epycom.event_detection.hfo import detect_hfo_cs_beta

    sfreq = raw.info["sfreq"]
    data = raw.get_data(units="uV")
    out: dict[float, list] = {k: [] for k in thresholds}
    for ch, sig in zip(raw.ch_names, data):
        for k in thresholds:
            per_kind: dict[str, list[tuple[int, int]]] = {kind: [] for kind in BANDS}
            for det in detect_hfo_cs_beta(sig, fs=sfreq, threshold=k, mp=1):
                start, stop, low_fc, high_fc = det[0], det[1], det[2], det[3]
                if det[-1]:  # conglomerate rows repeat the sub-band rows
                    continue
                centre = 0.5 * (low_fc + high_fc)
                for kind, (lo, hi) in BANDS.items():
                    if lo <= centre < hi:
                        per_kind[kind].append((int(start), int(stop)))
            for kind, intervals in per_kind.items():
                out[k].extend((ch, kind, a, b) for a, b in _merge(intervals))
    return out


def write_events(path: Path, events: list, sfreq: float) -> None:
    """Write BIDS-style events (onset, duration in s; trial_type = kind; channel)."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["onset", "duration", "trial_type", "channel"])
        for ch, kind, start, stop in sorted(events, key=lambda e: (e[0], e[2])):
            w.writerow([f"{start / sfreq:.6f}", f"{max(stop - start, 1) / sfreq:.6f}", kind, ch])
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tool", choices=sorted(DEFAULT_THRESHOLDS))
    p.add_argument("edf", type=Path)
    p.add_argument("outdir", type=Path)
    p.add_argument("--thresholds", default=None,
                   help="comma-separated thresholds (k SD; CS: probability)")
    p.add_argument("--tag", default=None, help="file name tag (default: TOOL)")
    args = p.parse_args(argv)

    thresholds = ([float(x) for x in args.thresholds.split(",")] if args.thresholds
                  else DEFAULT_THRESHOLDS[args.tool])
    raw = read_edf(args.edf)
    lib, _, method = args.tool.partition("_")
    if lib == "mnehfo":
        events = run_mnehfo(raw, method, thresholds)
    elif method == "cs":
        events = run_epycom_cs(raw, thresholds)
    elif args.tool == "epycom_rms_wide":
        events = run_epycom_wide(raw, thresholds)
    else:
        events = run_epycom_window(raw, method, thresholds)

    args.outdir.mkdir(parents=True, exist_ok=True)
    tag = args.tag or args.tool
    stem = args.edf.name.rsplit(".", 1)[0]
    for k, evs in events.items():
        suffix = "" if len(thresholds) == 1 else f"_k{k:g}"
        write_events(args.outdir / f"{stem}_{tag}{suffix}_events.tsv", evs, raw.info["sfreq"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
