"""Front-end throughput: filter bank + threshold calibration + ADM, both encoders.

32 channels x 10 min at 2048 Hz from the project's simulator (``hfo_detect.simulate``: 1/f^2
background with a realistic high-frequency floor, ripples, fast ripples, spikes, artifacts; SNR
0-15 dB; seed 2022, the throughput workload of the benchmarks). ``--pink`` uses plain 1/f noise
(50 uV SD) with a burst every ~2 s instead: a much denser ADM load (worst case). Throughput is in channel-seconds of recording per CPU-second
(``time.process_time``), for the full two-pass streaming encode (pass 1 filter + calibration,
pass 2 filter + ADM) and for its parts. Peak memory: tracemalloc peak of the encode (numpy
buffers included) and the process's max RSS. Writes reports/bench_frontend.md and .json.

Run: ``python data_scripts/bench_frontend.py`` (about a minute on one core).
"""

from __future__ import annotations

import json
import platform
import resource
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hfo_detect.config import get_preset, with_overrides
from hfo_detect.frontend import ADMEncoder, FilterBank, ThresholdCalibrator, encode_recording

N_CH, FS, MINUTES, CHUNK_S = 32, 2048.0, 10, 60.0
REPORTS = Path(__file__).resolve().parents[1] / "reports"


def pink_noise(n_ch: int, n: int, fs: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n_ch, n))
    f = np.fft.rfftfreq(n, 1 / fs)
    shape = 1 / np.sqrt(np.maximum(f, 0.5))
    for c in range(n_ch):
        spec = (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)) * shape
        x = np.fft.irfft(spec, n)
        out[c] = x / x.std() * 50.0
    t = np.arange(n) / fs
    for c in range(n_ch):  # a burst every ~2 s: 40 ms at 80-450 Hz, 20-60 uV
        for t0 in rng.uniform(0, n / fs - 0.1, int(n / fs / 2)):
            i0, i1 = int(t0 * fs), int((t0 + 0.04) * fs)
            out[c, i0:i1] += rng.uniform(20, 60) * np.sin(2 * np.pi * rng.uniform(80, 450) * t[i0:i1])
    return out


@dataclass
class _Chunk:
    start: int
    stop: int
    data_uv: np.ndarray


class ArrayRecording:
    """Minimal in-memory stand-in for hfo_detect.io.Recording (no file reading in the timing)."""

    def __init__(self, data, sfreq):
        self.data, self.sfreq = data, sfreq
        self.n_times = data.shape[1]
        self.ch_names = [f"C{i}" for i in range(data.shape[0])]
        self.path = None

    def iter_chunks(self, chunk_s=60.0):
        step = int(round(chunk_s * self.sfreq))
        for s in range(0, self.n_times, step):
            yield _Chunk(s, min(s + step, self.n_times), self.data[:, s:s + step])


def cpu(fn):
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def simulated(n_ch: int, seconds: float, fs: float, seed: int = 2022) -> np.ndarray:
    from hfo_detect.simulate import simulate_recording

    return simulate_recording(seconds, n_ch, sfreq=fs, seed=seed).data_uv


def main(pink: bool = False) -> dict:
    n = int(MINUTES * 60 * FS)
    data = pink_noise(N_CH, n, FS) if pink else simulated(N_CH, MINUTES * 60, FS)
    rec = ArrayRecording(data, FS)
    ch_s = N_CH * n / FS
    base = get_preset("hfo256")
    # warm-up: compile / load the numba caches outside the timings
    small = ArrayRecording(data[:, : int(5 * FS)], FS)
    for enc in ("faithful", "continuous"):
        encode_recording(small, with_overrides(base, adm__encoder=enc))

    results = {"n_channels": N_CH, "sfreq_hz": FS, "minutes": MINUTES, "channel_seconds": ch_s,
               "data": ("synthetic 1/f noise (50 uV SD) with a ripple/fast-ripple burst every ~2 s"
                        if pink else "the project's simulator (seed 2022, SNR 0-15 dB)"),
               "chunk_s": CHUNK_S, "machine": platform.processor() or platform.machine(),
               "python": platform.python_version(), "encoders": {}}
    # parts (block size as in encode: 8192 samples)
    from hfo_detect.frontend.encode import BLOCK_SAMPLES as B
    fb = FilterBank(base.filters, FS, N_CH)
    t_filter, _ = cpu(lambda: sum(fb.process(data[:, i:i + B])[0, 0, 0] for i in range(0, n, B)))
    thresholds = None

    def calib():
        f = FilterBank(base.filters, FS, N_CH)
        cal = ThresholdCalibrator(FS, N_CH, 2, base.calibration,
                                  [b.scale_factor for b in base.filters.bands])
        for i in range(0, n, B):
            cal.update(f.process(data[:, i:i + B]), i)
        return cal.thresholds()

    t_cal, thresholds = cpu(calib)
    results["filter_one_pass"] = {"cpu_s": t_filter, "ch_s_per_cpu_s": ch_s / t_filter}
    results["filter_plus_calibration_pass"] = {"cpu_s": t_cal, "ch_s_per_cpu_s": ch_s / t_cal}
    for enc in ("continuous", "faithful"):
        cfg = with_overrides(base, adm__encoder=enc)

        def adm_pass():
            f = FilterBank(cfg.filters, FS, N_CH)
            e = ADMEncoder(cfg.adm, FS, thresholds, n, ("ripple", "fast_ripple"))
            return sum(len(e.process(f.process(data[:, i:i + B]), i)) for i in range(0, n, B))

        t_adm, n_ev = cpu(adm_pass)
        t_all, res = cpu(lambda: encode_recording(rec, cfg, chunk_s=CHUNK_S))
        tracemalloc.start()
        encode_recording(rec, cfg, chunk_s=CHUNK_S)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results["encoders"][enc] = {
            "full_encode_cpu_s": t_all, "full_encode_ch_s_per_cpu_s": ch_s / t_all,
            "filter_plus_adm_pass_cpu_s": t_adm, "adm_pass_ch_s_per_cpu_s": ch_s / t_adm,
            "adm_only_cpu_s_estimate": t_adm - t_filter,
            "n_events": int(len(res.spikes)), "events_per_channel_s": len(res.spikes) / ch_s,
            "peak_traced_mb": peak / 2**20,
        }
        assert n_ev == len(res.spikes)
    results["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["input_array_mb"] = data.nbytes / 2**20
    results["target_ch_s_per_cpu_s"] = 20000
    write(results)
    return results


def write(r: dict) -> None:
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench_frontend.json").write_text(json.dumps(r, indent=2))
    c, f = r["encoders"]["continuous"], r["encoders"]["faithful"]
    lines = [
        "# Front-end throughput (filter bank + calibration + ADM)",
        "",
        f"Generated by `data_scripts/bench_frontend.py`: {r['n_channels']} channels x "
        f"{r['minutes']} min at {r['sfreq_hz']:g} Hz of {r['data']} = "
        f"{r['channel_seconds']:.0f} channel-seconds; preset hfo256 "
        f"(ripple + fast ripple, whole-interval calibration); one CPU core ({r['machine']}, "
        f"Python {r['python']}). CPU time from `time.process_time`, numba compiled beforehand.",
        "",
        "| stage | CPU s | channel-s per CPU-s |",
        "|---|---:|---:|",
        f"| filter bank, one pass | {r['filter_one_pass']['cpu_s']:.2f} | "
        f"{r['filter_one_pass']['ch_s_per_cpu_s']:,.0f} |",
        f"| pass 1: filter + calibration | {r['filter_plus_calibration_pass']['cpu_s']:.2f} | "
        f"{r['filter_plus_calibration_pass']['ch_s_per_cpu_s']:,.0f} |",
        f"| pass 2: filter + ADM continuous | {c['filter_plus_adm_pass_cpu_s']:.2f} | "
        f"{c['adm_pass_ch_s_per_cpu_s']:,.0f} |",
        f"| pass 2: filter + ADM faithful (35 kHz grid) | {f['filter_plus_adm_pass_cpu_s']:.2f} | "
        f"{f['adm_pass_ch_s_per_cpu_s']:,.0f} |",
        f"| **full encode, continuous** (`encode_recording`, both passes) | "
        f"{c['full_encode_cpu_s']:.2f} | **{c['full_encode_ch_s_per_cpu_s']:,.0f}** |",
        f"| **full encode, faithful** | {f['full_encode_cpu_s']:.2f} | "
        f"**{f['full_encode_ch_s_per_cpu_s']:,.0f}** |",
        "",
        f"Target: >= {r['target_ch_s_per_cpu_s']:,} channel-s per CPU-s for the continuous "
        f"encoder: **{'met' if c['full_encode_ch_s_per_cpu_s'] >= r['target_ch_s_per_cpu_s'] else 'NOT met'}**.",
        "",
        f"Events: continuous {c['n_events']:,} ({c['events_per_channel_s']:.1f} per channel-s), "
        f"faithful {f['n_events']:,} ({f['events_per_channel_s']:.1f} per channel-s).",
        "",
        f"Memory: tracemalloc peak during an encode {c['peak_traced_mb']:.0f} MB (continuous), "
        f"{f['peak_traced_mb']:.0f} MB (faithful), for a {r['input_array_mb']:.0f} MB input held "
        f"in memory and read in {r['chunk_s']:g}-s chunks; process max RSS {r['max_rss_mb']:.0f} MB "
        f"(includes the input and the benchmark's own arrays). No 35-kHz array is ever built: "
        f"the faithful kernel computes grid values on the fly.",
    ]
    (REPORTS / "bench_frontend.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    import sys

    out = main(pink="--pink" in sys.argv[1:])
    print((REPORTS / "bench_frontend.md").read_text())
