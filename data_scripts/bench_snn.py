"""Throughput of the spiking network alone (``hfo256``), both integrators; writes reports/bench_snn.md.

Input: ADM events (front end of the ``hfo256`` preset) of a synthetic recording, 32 channels x
10 min at 2048 Hz: 1/f-shaped background noise plus a few ripple and fast-ripple bursts per
channel. The network is then run with ``fast`` on all channels over ``--fast-seconds`` (default
60 s, so that the script ends in a few minutes while ``fast`` is as slow as it is now; pass 600
for the whole input), and with ``euler`` on a smaller slice; figures are channel-seconds of signal per CPU-second of one
core (``time.process_time``; numba compile time excluded by a warm-up). If the Brian2 venv of
``data_scripts/brian2_reference.py`` exists (``--venv``), channel 0's network and a few seconds of
its input are simulated there too (numpy target), as a reference point.

Usage: ``python data_scripts/bench_snn.py [--minutes 10] [--channels 32] [--venv /tmp/brian2-venv]``
Runtime: a few minutes.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from hfo_detect.config import get_preset
from hfo_detect.frontend.encode import encode_array
from hfo_detect.snn import build_network, run_network, synaptic_event_counts
from hfo_detect.snn.fast import run_fast
from hfo_detect.snn.params import (N_IAGAIN, N_IATH, N_ICA, N_IRESET, N_ISPK, N_ITAU, N_ITAUAHP,
                                   N_ITH, N_ITHAHP, S_ITAU, S_IW, S_SIGN)
from hfo_detect.snn.simulate import initial_state
from hfo_detect.spikes import SpikeTrains

REPO = Path(__file__).resolve().parents[1]
SFREQ = 2048.0


def synthetic_recording(n_ch: int, seconds: float, seed: int = 0) -> np.ndarray:
    """1/f-shaped noise (uV) with 3 ripple and 3 fast-ripple bursts per minute per channel."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SFREQ)
    spec = rng.standard_normal((n_ch, n // 2 + 1)) + 1j * rng.standard_normal((n_ch, n // 2 + 1))
    f = np.fft.rfftfreq(n, 1 / SFREQ)
    spec *= 1.0 / np.maximum(f, 1.0) ** 0.5
    x = np.fft.irfft(spec, n)
    x *= 30.0 / x.std(axis=1, keepdims=True)
    t = np.arange(int(0.06 * SFREQ)) / SFREQ
    for c in range(n_ch):
        for freq, amp in ((150.0, 25.0), (350.0, 12.0)):
            for start in rng.uniform(1, seconds - 1, max(1, int(3 * seconds / 60))):
                k = int(start * SFREQ)
                x[c, k:k + t.size] += amp * np.hanning(t.size) * np.sin(2 * np.pi * freq * t)
    return x


def cpu_time(fn):
    t0 = time.process_time()
    out = fn()
    return out, time.process_time() - t0


def window(sp: SpikeTrains, channels: int, seconds: float) -> SpikeTrains:
    keep = (sp.channel < channels) & (sp.times < seconds)
    return SpikeTrains(sp.times[keep], sp.channel[keep], sp.source[keep], channels)


def brian2_point(params, sp: SpikeTrains, seconds: float, venv: Path):
    """Wall seconds of Brian2 (numpy target) for channel 0 over ``seconds``, or None."""
    py = venv / "bin" / "python"
    if not py.exists():
        return None
    one = window(sp, 1, seconds)
    flat = np.arange(params.n_synapses)
    nrn = params.neuron[0]
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(inp, n_hidden=params.n_hidden, n_inputs=params.n_streams,
                 syn_src=params.slot_src.ravel(), syn_post=flat % params.n_hidden,
                 syn_sign=params.synapse[0, S_SIGN].ravel(), syn_iw=params.synapse[0, S_IW].ravel(),
                 syn_itau=params.synapse[0, S_ITAU].ravel(), in_times=one.times, in_src=one.source,
                 duration_s=seconds, refractory_s=params.refractory_s,
                 **{f"neuron_{k}": nrn[row] for k, row in (
                     ("Itau", N_ITAU), ("Ith", N_ITH), ("Ispkthr", N_ISPK), ("Ireset", N_IRESET),
                     ("Iagain", N_IAGAIN), ("Iath", N_IATH), ("Ica", N_ICA),
                     ("Itauahp", N_ITAUAHP), ("Ithahp", N_ITHAHP))})
        subprocess.run([str(py), str(REPO / "data_scripts" / "brian2_reference.py"), "bench",
                        str(inp), str(out)], check=True, capture_output=True)
        return float(np.load(out)["wall_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--channels", type=int, default=32)
    ap.add_argument("--fast-seconds", type=float, default=60.0)
    ap.add_argument("--euler-seconds", type=float, default=20.0)
    ap.add_argument("--euler-channels", type=int, default=4)
    ap.add_argument("--brian2-seconds", type=float, default=2.0)
    ap.add_argument("--venv", type=Path, default=Path("/tmp/brian2-venv"))
    ap.add_argument("--out", type=Path, default=REPO / "reports" / "bench_snn.md")
    args = ap.parse_args()
    seconds = args.minutes * 60
    cfg = get_preset("hfo256")
    x = synthetic_recording(args.channels, seconds)
    res, t_enc = cpu_time(lambda: encode_array(x, SFREQ, cfg))
    sp = res.spikes
    params = build_network(cfg.network, res.band_names, args.channels)
    ev_rate = len(sp) / (args.channels * seconds)
    syn_rate = synaptic_event_counts(params, sp).sum() / (args.channels * seconds)
    # warm-up (compilation)
    for integ in ("euler", "fast"):
        run_network(params, window(sp, args.channels, 0.05), 0.0, 0.05, integrator=integ)
    stats = np.zeros(4, np.int64)
    state = initial_state(params, "fast", 0.0)
    f_seconds = min(seconds, args.fast_seconds)
    hidden_fast, t_fast = cpu_time(lambda: run_fast(params, window(sp, args.channels, f_seconds),
                                                    0.0, f_seconds, state, stats))
    ch_s = args.channels * f_seconds
    e_sp = window(sp, args.euler_channels, args.euler_seconds)
    e_params = build_network(cfg.network, res.band_names, args.euler_channels)
    (hidden_e, _), t_euler = cpu_time(lambda: run_network(e_params, e_sp, 0.0, args.euler_seconds,
                                                          integrator="euler"))
    (hidden_f2, _), t_f2 = cpu_time(lambda: run_network(e_params, e_sp, 0.0, args.euler_seconds,
                                                        integrator="fast"))
    e_ch_s = args.euler_channels * args.euler_seconds
    brian = brian2_point(params, sp, args.brian2_seconds, args.venv)
    rows = [("fast", f"{args.channels} ch x {f_seconds:.0f} s", ch_s, t_fast, len(hidden_fast)),
            ("fast (same slice as euler)", f"{args.euler_channels} ch x {args.euler_seconds:.0f} s",
             e_ch_s, t_f2, len(hidden_f2)),
            ("euler 0.1 ms", f"{args.euler_channels} ch x {args.euler_seconds:.0f} s", e_ch_s,
             t_euler, len(hidden_e))]
    if brian is not None:
        rows.append(("Brian2 numpy target, euler 0.1 ms (wall s)",
                     f"1 ch x {args.brian2_seconds:.0f} s", args.brian2_seconds, brian, None))
    n_steps = stats[0] + stats[1]
    lines = [
        "# Spiking-network throughput (`hfo256`)", "",
        f"Generated by `data_scripts/bench_snn.py` on {platform.processor() or platform.machine()},"
        " one core, numba kernels (compile time excluded).", "",
        f"Input: synthetic 1/f noise + bursts, {args.channels} ch x {args.minutes:g} min at "
        f"{SFREQ:g} Hz, `hfo256` front end ({cfg.adm.encoder} ADM, `{cfg.calibration.rule}` "
        f"rule; encoding took {t_enc:.1f} CPU s, not counted below).",
        f"ADM events: {ev_rate:.0f} per channel-second (all 4 streams); synaptic events "
        f"{syn_rate:.0f} per channel-second.", "",
        "| integrator | data | channel-seconds | CPU s | ch-s per CPU-s | hidden spikes |",
        "|---|---|---|---|---|---|"]
    for name, data, chs, cpu, n_h in rows:
        lines.append(f"| {name} | {data} | {chs:.0f} | {cpu:.2f} | {chs / cpu:.3g} | "
                     f"{'' if n_h is None else n_h} |")
    lines += ["", "Work of `fast` on the full input, per channel-second: "
              f"{stats[0] / ch_s:.0f} accepted and {stats[1] / ch_s:.0f} rejected Runge-Kutta "
              f"steps, {stats[2] / ch_s:.0f} closed-form quiet updates, {stats[3] / ch_s:.0f} "
              f"neuron advances ({n_steps / max(stats[3], 1):.1f} steps per advance).", "",
              "## Where it falls short", "",
              "The target for the whole `detect` path is >= 3,000 ch-s per CPU-s; the network",
              "alone is two orders of magnitude below it. On this input every fast-ripple event",
              "drives 128 synapses and wakes their neurons, and with mismatch CV 0.2 a part of the",
              "neurons fire on background noise, so almost no neuron is ever quiet: the skipping",
              "of resting neurons (closed-form quiet updates above) rarely applies, and each",
              "neuron advance costs several adaptive Runge-Kutta steps. What would be needed:",
              "an exponential integrator that takes the (nearly linear) subthreshold I_mem",
              "dynamics exactly between events, and a network whose neurons rest on noise."]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
