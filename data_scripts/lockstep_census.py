"""Which neuron sets ``lockstep``'s group steps, and how many steps would be left if some lanes
cost nothing: the measurement behind "Exponential integrator between events" in the docstring of
``hfo_detect/snn/lockstep.py`` (its tables are in reports/etd_feasibility.md).

Runs instrumented *copies* of the kernel (the package's source text patched into a temporary
module, compiled without cache; the package is not touched) on the ADM events of the ``engine``
workload of ``bench_engine.py --quick`` (hfo256, 4 ch x 60 s):

* census: every group step (accepted or rejected) is filed under the regime of the lane with the
  largest error ratio (the lane that sets the step): crossing I_o down / up, within 5 % of I_o,
  below I_o, I_o-20 pA, 20-200 pA, above 200 pA; and the number of lanes crossing I_o per step.
* bounds: the same run with some lanes left out of the step-size control (their error ratio set
  to 0; they are still integrated, only worse): lanes whose step crosses I_o (any stage), and/or
  lanes below 20 pA or 200 pA. The group steps left are an upper bound on what integrating those
  lanes separately at no cost would save.

Usage: ``python data_scripts/lockstep_census.py [--work DIR]`` (one core: run it under
``taskset -c 0``; CPU times are single runs, the step counts are deterministic).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CATS = ("cross I_o down", "cross I_o up", "within 5 % of I_o", "below I_o", "I_o-20 pA",
        "20-200 pA", "above 200 pA")


def _patch(src: str, old: str, new: str) -> str:
    assert src.count(old) >= 1, f"kernel source changed: {old[:60]!r}"
    return src.replace(old, new)


def patched_kernel(mask: str, tmp: Path):
    """Import a copy of lockstep.py whose error ratio of lane j is multiplied by ``mask``
    (a numba expression in x[j], x1[j], s2[j], s3[j], kc) and which files every step."""
    import hfo_detect.snn.lockstep as ls

    s = Path(ls.__file__).read_text().replace("cache=True", "cache=False")
    ratio = "        wk[0, j] = err / ((atol_io if mag < F2 * io_row[j] else atol) + rtol * mag)"
    s = _patch(s, ratio, f"{ratio} * ({mask})")
    # the lane with the largest error ratio: the first whose bit pattern is the maximum
    ret = "    return worst_bits, (0.0 if n_near > 0 else -1.0), (1.0 if n_above > 0 else -1.0)"
    s = _patch(s, ret, """    jw = 0
    for j in range(n_g):
        if e_bits[j] == worst_bits:
            jw = j
            break
    return worst_bits, (0.0 if n_near > 0 else -1.0), (1.0 if n_above > 0 else -1.0), jw""")
    s = _patch(s, "worst_bits, near, above = _step(", "worst_bits, near, above, jw = _step(")
    rej = "                    if worst > 1.0 and lv > 0:"
    s = _patch(s, rej, """                    xa = x[jw]
                    xb = x1[jw]
                    ioj = io[jw]
                    if (xa > ioj) != (xb > ioj):
                        cat = 0 if xa > ioj else 1
                    elif abs(xa - ioj) < 0.05 * ioj:
                        cat = 2
                    elif max(xa, xb) <= ioj:
                        cat = 3
                    elif max(xa, xb) < 20e-12:
                        cat = 4
                    elif max(xa, xb) < 200e-12:
                        cat = 5
                    else:
                        cat = 6
                    catc[cat, 1 if (worst > 1.0 and lv > 0) else 0] += 1
                    if worst > 1.0 and lv > 0:""")
    s = _patch(s, """                    n_acc += 1
                    n_lane += n_g""", """                    n_acc += 1
                    n_lane += n_g
                    for j in range(n_g):
                        if (x[j] > io[j]) != (x1[j] > io[j]):
                            n_cross += 1""")
    s = _patch(s, "    n_lane = 0\n", "    n_lane = 0\n    n_cross = 0\n")
    s = _patch(s, "    stats[3] += n_lane\n", "    stats[3] += n_lane\n    catc[7, 0] += n_cross\n")
    s = _patch(s, "i_syn, imem, nrn_t, iahp, ref_until, hstep, stats):",
               "i_syn, imem, nrn_t, iahp, ref_until, hstep, stats, catc):")
    s = _patch(s, "state.nrn_t, state.iahp, state.ref_until, state.h, stats)",
               "state.nrn_t, state.iahp, state.ref_until, state.h, stats, catc)")
    s = _patch(s, "state, stats: np.ndarray | None = None)",
               "state, stats: np.ndarray | None = None, catc=None)")
    path = tmp / f"ls_census_{abs(hash(mask))}.py"
    path.write_text(s)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


NO_CROSS = ("((x[j] > kc[L_IO, j]) == (x1[j] > kc[L_IO, j]) and (s2[j] > kc[L_IO, j]) == "
            "(x[j] > kc[L_IO, j]) and (s3[j] > kc[L_IO, j]) == (x[j] > kc[L_IO, j]))")
RUNS = (("all lanes (lockstep as it is)", "1.0"),
        ("without lanes crossing I_o", f"(1.0 if {NO_CROSS} else 0.0)"),
        ("without lanes crossing I_o or below 20 pA",
         f"(1.0 if {NO_CROSS} and max(x[j], x1[j]) > 20e-12 else 0.0)"),
        ("without lanes crossing I_o or below 200 pA",
         f"(1.0 if {NO_CROSS} and max(x[j], x1[j]) > 200e-12 else 0.0)"),
        ("without lanes below 200 pA", "(1.0 if max(x[j], x1[j]) > 200e-12 else 0.0)"),
        ("without lanes staying within 2-200 pA (an exponential integrator's regime)",
         "(1.0 if min(x[j], x1[j]) < 2e-12 or max(x[j], x1[j]) > 200e-12 else 0.0)"))


def main() -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hfo-bench-engine")
    args = ap.parse_args()
    import bench_engine as be
    from bench import workloads
    from hfo_detect.io import read_recording
    from hfo_detect.snn.simulate import initial_state

    tp = workloads.simulated("throughput", args.work, True)
    det, _, _ = be._detect_spikes(read_recording(tp.edf, montage="as-is"))
    adm, params = det.spikes_["adm"].sort(), det.network_
    dur = float(adm.times.max()) if len(adm) else 0.0
    ch_s = params.n_channels * dur
    lines = [f"ADM events: {len(adm) / ch_s:.0f} per channel-second ({params.n_channels} ch x "
             f"{dur:.0f} s).", "",
             "| run | group steps per ch-s (rejected) | CPU s | hidden spikes |",
             "|---|---|---|---|"]
    census = None
    with tempfile.TemporaryDirectory() as tmp:
        for name, mask in RUNS:
            mod = patched_kernel(mask, Path(tmp))
            stats, catc = np.zeros(4, np.int64), np.zeros((8, 2), np.int64)
            mod.run_lockstep(params, adm, 0.0, 0.2, initial_state(params, "lockstep"), stats, catc)
            stats, catc = np.zeros(4, np.int64), np.zeros((8, 2), np.int64)
            t0 = time.process_time()
            sp = mod.run_lockstep(params, adm, 0.0, dur, initial_state(params, "lockstep"), stats,
                                  catc)
            cpu = time.process_time() - t0
            census = catc if census is None else census
            lines.append(f"| {name} | {(stats[0] + stats[1]) / ch_s:,.0f} ({stats[1] / ch_s:,.0f}) "
                         f"| {cpu:.2f} | {len(sp)} |")
            print(lines[-1], flush=True)
    from dataclasses import replace

    from hfo_detect.snn.lockstep import run_lockstep

    cfg = params.cfg
    for size in (1, 32):  # each neuron on its own step size vs the default groups
        params.cfg = replace(cfg, lockstep_group_size=size)
        run_lockstep(params, adm, 0.0, 0.2, initial_state(params, "lockstep"))
        stats = np.zeros(4, np.int64)
        t0 = time.process_time()
        sp = run_lockstep(params, adm, 0.0, dur, initial_state(params, "lockstep"), stats)
        cpu = time.process_time() - t0
        lines.append(f"| lockstep, groups of {size}: {stats[3] / ch_s:,.0f} accepted neuron-steps "
                     f"per ch-s | {(stats[0] + stats[1]) / ch_s:,.0f} ({stats[1] / ch_s:,.0f}) | "
                     f"{cpu:.2f} | {len(sp)} |")
        print(lines[-1], flush=True)
    params.cfg = cfg
    tot = census[:7].sum()
    lines += ["", f"Lanes crossing I_o in accepted steps: {census[7, 0] / ch_s:,.0f} per ch-s.", "",
              "| lane setting the step | accepted | rejected | share of group steps |",
              "|---|---|---|---|"]
    for i, c in enumerate(CATS):
        lines.append(f"| {c} | {census[i, 0]:,} | {census[i, 1]:,} | "
                     f"{100 * census[i].sum() / tot:.1f} % |")
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
