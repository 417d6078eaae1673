"""Benchmark workloads as EDF files, all made by the project's own code with fixed seeds.

* ``accuracy`` (a): >= 16 bipolar channels x 10 min at 2048 Hz with ripples, fast ripples,
  ripple+FR, interictal spikes and artifacts, SNR uniform in 0-15 dB
  (:func:`hfo_detect.simulate.write_benchmark`; truth in the BIDS events.tsv next to the EDF).
* ``throughput`` (b): 32 channels x 10 min at 2048 Hz (same generator, other seed).
* ``scale`` (c): 64 channels x 1 h, generated on the fly under the work folder: simulated in
  blocks of channels (``simulate_recording(channels=...)``, float32) and streamed into a plain
  EDF through a memory map, so making it never holds the whole recording in memory.
* ``real``: the three real snippets of ``shared/data`` written as EDF (same file for every tool)
  with their Zurich marks.

A workload is reused when its folder holds a stamp with the same parameters.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("HFO_SHARED", Path(__file__).resolve().parents[3] / "shared"))


@dataclass
class Workload:
    """One EDF (plus truth when known)."""

    name: str
    edf: Path
    n_channels: int
    duration_s: float
    sfreq: float
    truth: Path | None = None
    reviewed: list[str] | None = None  # reviewed channels for scoring (None: scorer default)
    note: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def channel_seconds(self) -> float:
        return self.n_channels * self.duration_s


#: full / quick sizes (channels, seconds)
SIZES = {
    "accuracy": {"full": (16, 600.0), "quick": (4, 60.0)},
    "throughput": {"full": (32, 600.0), "quick": (4, 60.0)},
    "scale": {"full": (64, 3600.0), "quick": (8, 120.0)},
}
SEEDS = {"accuracy": 2021, "throughput": 2022, "scale": 2023}
SFREQ = 2048.0
SNR_DB = (0.0, 15.0)


def _stamp_ok(folder: Path, params: dict) -> bool:
    stamp = folder / "bench_stamp.json"
    return stamp.exists() and json.loads(stamp.read_text()) == params


def _write_stamp(folder: Path, params: dict) -> None:
    (folder / "bench_stamp.json").write_text(json.dumps(params, sort_keys=True))


def simulated(name: str, work: Path, quick: bool) -> Workload:
    """Workload (a) or (b) through :func:`hfo_detect.simulate.write_benchmark`."""
    from hfo_detect.simulate import write_benchmark

    n_ch, dur = SIZES[name]["quick" if quick else "full"]
    folder = work / f"{name}_{n_ch}ch_{int(dur)}s"
    params = dict(seed=SEEDS[name], n_channels=n_ch, duration_s=dur, sfreq=SFREQ,
                  snr_db=list(SNR_DB), edf_annotations=(name == "accuracy"))
    stem = "sub-sim01_task-sim_run-01"
    bids_edf = folder / "sub-sim01" / "ieeg" / f"{stem}_ieeg.edf"
    truth = folder / "sub-sim01" / "ieeg" / f"{stem}_events.tsv"
    # every tool reads the same plain EDF outside the BIDS tree (no sidecar handling in the
    # timed path; peers know nothing of BIDS)
    edf = folder / f"{name}.edf"
    if not (_stamp_ok(folder, params) and edf.exists()):
        write_benchmark(folder, seed=params["seed"], duration_s=dur, n_channels=n_ch,
                        snr_db=SNR_DB, sfreq=SFREQ, edf_annotations=params["edf_annotations"])
        edf.unlink(missing_ok=True)
        try:
            os.link(bids_edf, edf)
        except OSError:
            import shutil

            shutil.copyfile(bids_edf, edf)
        _write_stamp(folder, params)
    from hfo_detect.simulate import default_channel_names

    return Workload(name, edf, n_ch, dur, SFREQ, truth=truth,
                    reviewed=default_channel_names(n_ch), meta=params)


# ------------------------------------------------------------------ streamed EDF (scale)
def _field(value, width: int) -> bytes:
    text = str(value)
    if len(text) > width:
        raise ValueError(f"EDF header field {text!r} longer than {width}")
    return text.ljust(width).encode("ascii")


def _edf_header(labels, n_records: int, record_s: float, ns: int, phys) -> bytes:
    n = len(labels)
    head = b"".join([
        _field("0", 8), _field("X X X X", 80), _field("Startdate 01-JAN-2020 X hfo-detect bench", 80),
        _field("01.01.20", 8), _field("00.00.00", 8), _field(256 * (n + 1), 8), _field("", 44),
        _field(n_records, 8), _field(f"{record_s:g}", 8), _field(n, 4),
    ])
    per = [
        [_field(lab, 16) for lab in labels],
        [_field("", 80)] * n,
        [_field("uV", 8)] * n,
        [_field(f"{-p:.0f}", 8) for p in phys],
        [_field(f"{p:.0f}", 8) for p in phys],
        [_field(-32768, 8)] * n,
        [_field(32767, 8)] * n,
        [_field("", 80)] * n,
        [_field(ns, 8)] * n,
        [_field("", 32)] * n,
    ]
    return head + b"".join(b"".join(col) for col in per)


def write_streamed_edf(path: Path, n_channels: int, duration_s: float, sfreq: float, seed: int,
                       block: int = 4) -> list[str]:
    """Simulate ``n_channels`` x ``duration_s`` in channel blocks straight into an EDF file.

    The file is a plain EDF with 1-s records; the data area is a memory map of shape
    ``(records, channels, samples)`` int16 filled one channel block at a time, so peak memory
    is one block of float32 signals. Physical range per channel: +-(1.05 x its max |x|),
    rounded up to whole uV.
    """
    from hfo_detect.simulate import default_channel_names, simulate_recording

    ns = int(round(sfreq))
    if abs(ns - sfreq) > 1e-9:
        raise ValueError("streamed EDF needs an integer sampling rate")
    n_records = int(duration_s)
    n_times = n_records * ns
    names = default_channel_names(n_channels)
    labels = [f"SEEG {n}" if len(f"SEEG {n}") <= 16 else n for n in names]
    header_len = 256 * (n_channels + 1)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.truncate(header_len + n_records * n_channels * ns * 2)
    mm = np.memmap(tmp, dtype="<i2", mode="r+", offset=header_len,
                   shape=(n_records, n_channels, ns))
    phys = np.zeros(n_channels)
    for start in range(0, n_channels, block):
        picks = list(range(start, min(start + block, n_channels)))
        rec = simulate_recording(n_times / sfreq, n_channels, sfreq=sfreq, seed=seed,
                                 snr_db=SNR_DB, channels=picks, dtype=np.float32)
        for row, ch in enumerate(picks):
            x = rec.data_uv[row]
            p = float(np.ceil(1.05 * np.max(np.abs(x)) + 1.0))
            phys[ch] = p
            digital = np.clip(np.round(x / p * 32767.0), -32768, 32767).astype("<i2")
            mm[:, ch, :] = digital.reshape(n_records, ns)
        del rec
    mm.flush()
    del mm
    with open(tmp, "r+b") as fh:
        fh.write(_edf_header(labels, n_records, 1.0, ns, phys))
    os.replace(tmp, path)
    return names


def scale(work: Path, quick: bool, duration_s: float | None = None) -> Workload:
    """Workload (c), generated on the fly (not committed); ``duration_s`` shortens it."""
    n_ch, dur = SIZES["scale"]["quick" if quick else "full"]
    if duration_s is not None:
        dur = float(duration_s)
    folder = work / f"scale_{n_ch}ch_{int(dur)}s"
    folder.mkdir(parents=True, exist_ok=True)
    edf = folder / "scale_ieeg.edf"
    params = dict(seed=SEEDS["scale"], n_channels=n_ch, duration_s=dur, sfreq=SFREQ, writer="streamed")
    if not (_stamp_ok(folder, params) and edf.exists()):
        write_streamed_edf(edf, n_ch, dur, SFREQ, SEEDS["scale"])
        _write_stamp(folder, params)
    return Workload("scale", edf, n_ch, dur, SFREQ, meta=params)


def subset_edf(src: Workload, n_channels: int, duration_s: float, work: Path) -> Workload:
    """The first channels/seconds of a simulated workload as its own EDF (for slow tools)."""
    from hfo_detect.io import read_recording, write_edf

    folder = work / f"{src.name}_subset_{n_channels}ch_{int(duration_s)}s"
    folder.mkdir(parents=True, exist_ok=True)
    edf = folder / f"{src.edf.stem}_subset.edf"
    params = dict(src=str(src.edf), n=n_channels, dur=duration_s, meta=src.meta)
    if not (_stamp_ok(folder, params) and edf.exists()):
        raw = read_recording(src.edf, montage="as-is")
        data = raw.get_data(units="uV")[:n_channels, : int(round(duration_s * raw.info["sfreq"]))]
        write_edf(edf, data, raw.info["sfreq"], raw.ch_names[:n_channels])
        _write_stamp(folder, params)
    return Workload(f"{src.name}-subset", edf, n_channels, duration_s, src.sfreq, meta=params)


def shrink(src: Workload, channel_seconds: float, work: Path, min_s: float = 60.0,
           min_channels: int = 2) -> Workload:
    """``src`` itself if it fits ``channel_seconds``, else its prefix that does: fewer seconds
    first (whole minutes, at least ``min_s``), then fewer channels (at least ``min_channels``)."""
    if channel_seconds >= src.channel_seconds:
        return src
    dur = 60.0 * (channel_seconds / src.n_channels // 60)
    if dur >= min_s:
        return subset_edf(src, src.n_channels, min(dur, src.duration_s), work)
    n_ch = int(max(min_channels, min(src.n_channels, channel_seconds // min_s)))
    return subset_edf(src, n_ch, min_s, work)


# ------------------------------------------------------------------ real snippets
REAL = {
    "ieeg50s": dict(
        src="ieeg_fedele2017/snn_ieeg_I1_AHR4-AHR3_50s.mat", montage="as-is",
        rename=["AHR3-AHR4"], truth="ieeg_fedele2017/truth_snn_AHR3-AHR4_0-50s.tsv",
        note="50-s bipolar iEEG (stored AHR4-AHR3, named AHR3-AHR4 as in its marks)"),
    "crop5s": dict(
        src="ieeg_fedele2017/crop5s_brainvision/sub-01_ses-interictalsleep_run-01_ieeg.vhdr",
        montage="bipolar", rename=None, truth="ieeg_fedele2017/truth_crop5s_all_channels.tsv",
        note="5-s BrainVision crop, bipolar; marked channels only"),
    "ecog75s": dict(
        src="ecog_boran2019/snn_ecog_I1_sub-01_SITUATION1A_ch18-19_75s.mat", montage="as-is",
        rename=["18-19"], truth="ecog_boran2019/truth_sub-01_SITUATION1A_ch18-19_0-75s.tsv",
        note="75-s intraoperative ECoG, 9 fast-ripple marks"),
}


def real(work: Path, shared: Path = SHARED) -> list[Workload]:
    """The real snippets as EDF (skipped when shared/data is absent)."""
    from hfo_detect.io import read_recording, write_edf

    out = []
    data_dir = shared / "data"
    for name, spec in REAL.items():
        src = data_dir / spec["src"]
        truth = data_dir / spec["truth"]
        if not (src.exists() and truth.exists()):
            continue
        folder = work / "real"
        folder.mkdir(parents=True, exist_ok=True)
        edf = folder / f"{name}.edf"
        raw = read_recording(src, montage=spec["montage"])
        names = spec["rename"] or list(raw.ch_names)
        if not edf.exists():
            # the .mat layout derives fs from its time stamps (1999.99999...): EDF needs 2000
            write_edf(edf, raw.get_data(units="uV"), round(raw.info["sfreq"], 3), names)
        out.append(Workload(name, edf, len(names), raw.n_times / raw.info["sfreq"],
                            raw.info["sfreq"], truth=truth, reviewed=None, note=spec["note"]))
    return out
