"""What one ``lockstep`` group step costs, by group size: the measurement behind "Lane loops"
in the docstring of ``hfo_detect/snn/lockstep.py`` and the README's engine paragraph.

Runs the hidden layer alone (the package's kernel as it is) on the ADM events of the
``engine`` workload of ``bench_engine.py --quick`` (hfo256, 4 ch x 60 s) once per group size,
and prints, from the kernel's step counters, the group steps taken and the CPU time per group
step and per lane-step. A straight line through the per-step times of two sizes splits a step
into a part that does not grow with the lanes and a part per lane. Writes
``reports/lockstep_groups.md``.

Usage: ``taskset -c 0 python data_scripts/lockstep_groups.py [--sizes 16,32,64] [--work DIR]``
(best of 3 runs per size; the step counts are deterministic; the line is fitted through the
smallest and the largest size).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hfo-bench-engine")
    ap.add_argument("--sizes", default="16,32,64")
    ap.add_argument("--out", type=Path, default=HERE.parent / "reports" / "lockstep_groups.md")
    args = ap.parse_args()
    import bench_engine as be
    from bench import workloads
    from hfo_detect.io import read_recording
    from hfo_detect.snn.lockstep import run_lockstep
    from hfo_detect.snn.simulate import initial_state
    from bench.env import git_head

    tp = workloads.simulated("throughput", args.work, True)
    det, _, _ = be._detect_spikes(read_recording(tp.edf, montage="as-is"))
    adm, base = det.spikes_["adm"].sort(), det.network_
    dur = float(adm.times.max()) if len(adm) else 0.0
    lines = ["| group size | group steps (rejected) | CPU s | ns per group step | "
             "ns per lane-step | hidden spikes |", "|---|---|---|---|---|---|"]
    per_step = {}
    for size in (int(s) for s in args.sizes.split(",")):
        params = replace(base, cfg=replace(base.cfg, lockstep_group_size=size))
        run_lockstep(params, adm, 0.0, 0.2, initial_state(params, "lockstep"))  # compile
        best, stats, n_spikes = np.inf, None, 0
        for _ in range(3):
            st = np.zeros(4, np.int64)
            t0 = time.process_time()
            sp = run_lockstep(params, adm, 0.0, dur, initial_state(params, "lockstep"), st)
            best, stats, n_spikes = min(best, time.process_time() - t0), st, len(sp)
        steps = int(stats[0] + stats[1])
        per_step[size] = best / steps
        lanes = stats[3] / max(int(stats[0]), 1)  # lanes per accepted step (groups may be short)
        lines.append(f"| {size} | {steps / 1e6:.2f} M ({stats[1] / steps:.0%}) | {best:.2f} | "
                     f"{1e9 * best / steps:.0f} | {1e9 * best / (steps * lanes):.1f} | "
                     f"{n_spikes} |")
        print(lines[-1], flush=True)
    sizes = sorted(per_step)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        slope = (per_step[b] - per_step[a]) / (b - a)
        fixed = per_step[a] - slope * a
        lines.append("")
        lines.append(f"Straight line through sizes {a} and {b}: {1e9 * fixed:.0f} ns per group "
                     f"step that do not grow with the lanes + {1e9 * slope:.1f} ns per lane.")
        print(lines[-1])
    head = [f"# lockstep: the cost of one group step by group size "
            f"(`data_scripts/lockstep_groups.py`)", "",
            f"Hidden layer alone on the ADM events of the `engine` workload ({base.n_channels} ch x "
            f"{dur:.0f} s, {len(adm) / (base.n_channels * dur):.0f} events per channel-second); "
            f"one core, best of 3 runs; commit {git_head(HERE.parent)}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", ""]
    args.out.write_text("\n".join(head + lines) + "\n")
    return lines


if __name__ == "__main__":
    main()
