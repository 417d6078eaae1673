"""Build the benchmark workloads of issue 6 from fixed seeds with the project's simulator.

Workloads (all 2048 Hz, bipolar channels, SNR 0-15 dB, every event kind: ripples, fast
ripples, ripple+FR, interictal spikes, artifacts):

``accuracy``    16 channels x 10 min, seed 2021 (scored against its truth events.tsv)
``throughput``  32 channels x 10 min EDF, seed 2022
``scale``       64 channels x 1 h EDF, seed 2023 (generated on the fly, never committed)

``--quick`` makes small versions (same seeds, 1-2 min, 4-8 channels) for CI smoke tests.
Seeds and sizes are those of ``data_scripts/bench/workloads.py``, so the BIDS folders written
here hold the same recordings the benchmark uses.

Usage::

    python data_scripts/make_benchmark.py --workload accuracy --out bench_data/accuracy
    python data_scripts/make_benchmark.py --workload all --out bench_data --quick

Memory: the recording is simulated channel by channel into one float64 array, as
:func:`hfo_detect.io.write_edf` takes it; peak memory is about 2.1 x the array (measured:
0.67 GB for 64 ch x 300 s), i.e. ~8 GB for the full ``scale`` workload. The benchmark's own
``data_scripts/bench/workloads.py`` streams ``scale`` into a plain EDF in channel blocks
instead (``simulate_recording(channels=...)``) when memory is short.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

WORKLOADS = {
    # name: (seed, channels, duration_s, quick_channels, quick_duration_s)
    "accuracy": (2021, 16, 600.0, 4, 60.0),
    "throughput": (2022, 32, 600.0, 4, 60.0),
    "scale": (2023, 64, 3600.0, 8, 120.0),
}
SFREQ = 2048.0
SNR_DB = (0.0, 15.0)


def build(name: str, out: Path, quick: bool = False) -> Path:
    """Write one workload into ``out`` (a BIDS-like folder with one subject) and return it."""
    from hfo_detect.simulate import write_benchmark

    seed, n_ch, dur, q_ch, q_dur = WORKLOADS[name]
    if quick:
        n_ch, dur = q_ch, q_dur
    t0 = time.perf_counter()
    path = write_benchmark(out, seed=seed, n_subjects=1, duration_s=dur, n_channels=n_ch,
                           snr_db=SNR_DB, sfreq=SFREQ)
    print(f"{name}: {n_ch} ch x {dur:g} s at {SFREQ:g} Hz (seed {seed}) -> {path} "
          f"[{time.perf_counter() - t0:.1f} s]")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], required=True)
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (with --workload all: one sub-folder per workload)")
    parser.add_argument("--quick", action="store_true", help="small versions for smoke tests")
    args = parser.parse_args(argv)
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    for name in names:
        build(name, args.out / name if args.workload == "all" else args.out, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
