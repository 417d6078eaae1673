"""Brian2 oracle for the DPI network (teili's DPI Synapse_model; teili's DPI Neuron_model; as Brian2 runs the released code): writes tests/data/brian2_*.npz.

Plain Brian2 (numpy target, forward Euler, dt 0.1 ms) with the teili equations written out, so
that ``hfo_detect.snn``'s ``euler`` kernel can be checked spike for spike against an independent
simulator. Brian2 2.9 needs numpy < 2.4, so this script runs in its own virtual environment:
when ``brian2`` is not importable it creates ``--venv`` (``pip install "numpy<2.4" brian2``) and
re-runs itself there. Nothing of ``hfo_detect`` is imported.

Usage::

    python data_scripts/brian2_reference.py                 # reference cases -> tests/data/
    python data_scripts/brian2_reference.py bench IN.npz OUT.npz   # time one network (bench_snn)

Cases
-----
``brian2_single_neuron.npz``
    One excitatory synapse (w 2/1 nA, tau 4.5/6/3 ms) driven at 3 kHz from t = 0 (as Brian2 runs the released code).
``brian2_faithful_network.npz``
    The released 4 x 85 network (``Network_parameters.mat``) driven for 1.5 s by a seeded
    ADM-like train: sparse noise events plus alternating UP/DN bursts in both bands, on the
    35 kHz ADM grid with a 0.3 ms refractory gap per stream.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PARAMS = Path(os.environ.get("HFO_SHARED", REPO.parent / "shared")) / "data" / \
    "reference_params" / "Network_parameters.mat"
DT = 1e-4
KAPPA_CONV = 0.7  # getTauCurrent (as Brian2 runs the released code)
C_SYN, UT, IO = 1.5e-12, 25e-3, 0.5e-12


def ensure_brian2(venv: Path) -> None:
    """Re-exec inside ``venv`` (created on first use) when brian2 is not importable here."""
    try:
        import brian2  # noqa: F401
        import scipy  # noqa: F401
        return
    except ImportError:
        pass
    py = venv / "bin" / "python"
    if sys.executable == str(py):
        raise SystemExit(f"{venv} lacks brian2/scipy; delete it and run again")
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(py), "-c", "import brian2, scipy"], capture_output=True).returncode:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "numpy<2.4", "brian2", "scipy"],
                       check=True)
    os.execv(str(py), [str(py), *sys.argv])


def tau_current(tau_s):
    return C_SYN * UT / (KAPPA_CONV * np.asarray(tau_s, float))


NEURON_EQS = """
dImem/dt = (((Ith_clip / Itau_clip) * (Iin_clip + Ia_clip - Ishunt_clip - Iahp_clip)) - Ith_clip
            - ((1 + ((Ishunt_clip + Iahp_clip - Ia_clip) / Itau_clip)) * Imem))
            / (tau * ((Ith_clip / (Imem + Io)) + 1)) : amp (unless refractory)
dIahp/dt = (-Ithahp_clip - Iahp + 2*Io*int(Iahp<=Io)) / (tauahp * (Ithahp_clip / Iahp + 1)) : amp
Ia = Iagain / (1 + exp(-(Imem - Iath) / Ianorm)) : amp
Iahp_clip = Iahp*int(Imem>Io) + Io*int(Imem<=Io) : amp
Itau_clip = Itau*int(Imem>Io) + Io*int(Imem<=Io) : amp
Ith_clip = Ith*int(Imem>Io) + Io*int(Imem<=Io) : amp
Ia_clip = Ia*int(Imem>Io) + 2*Io*int(Imem<=Io) : amp
Ithahp_clip = Ithahp*int(Iahp>Io) + Io*int(Iahp<=Io) : amp
Iin_clip = clip(Iin + Iconst, Io, 1*amp) : amp
Ishunt_clip = clip(Ishunt, Io, Imem) : amp
tau = Cmem * Ut / (kappa * Itau_clip) : second
tauahp = Cahp * Ut / (kappa * Itauahp) : second
Iahpmax = (Ica / Itauahp) * Ithahp_clip : amp
kappa = (kn + kp) / 2 : 1
Iin : amp
Itau : amp (constant)
Ith : amp (constant)
Ispkthr : amp (constant)
Ireset : amp (constant)
Iagain : amp (constant)
Iath : amp (constant)
Ica : amp (constant)
Itauahp : amp (constant)
Ithahp : amp (constant)
"""

SYNAPSE_EQS = """
dI_syn/dt = (-I_syn - I_gain + 2*Io_syn*int(I_syn<=Io_syn)) / (tausyn*((I_gain/I_syn)+1)) : amp (clock-driven)
I_gain = Io_syn*int(I_syn<=Io_syn) + I_th*int(I_syn>Io_syn) : amp
Itau_syn = Io_syn*int(I_syn<=Io_syn) + I_tau*int(I_syn>Io_syn) : amp
tausyn = Csyn*Ut_syn/(kappa_syn*Itau_syn) : second
kappa_syn = (kn_syn + kp_syn)/2 : 1
Iin_post = I_syn*sign_w : amp (summed)
I_tau : amp (constant)
I_th : amp (constant)
Iw : amp (constant)
sign_w : 1 (constant)
"""


def simulate(n_hidden, n_inputs, syn_src, syn_post, syn_sign, syn_iw, syn_itau, neuron,
             in_times, in_src, duration, refractory=3e-4):
    """Run one network in Brian2; returns (spike times, neuron indices, wall seconds).

    ``neuron``: dict of per-neuron arrays (A) for the names declared constant in NEURON_EQS.
    """
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    ns = dict(Io=IO * b2.amp, Iconst=0.5e-12 * b2.amp, Ishunt=0.5e-12 * b2.amp,
              Ianorm=10e-12 * b2.amp, Cmem=1.5e-12 * b2.farad, Cahp=1e-12 * b2.farad,
              Ut=UT * b2.volt, kn=0.75, kp=0.66, Io_syn=IO * b2.amp, Csyn=C_SYN * b2.farad,
              Ut_syn=UT * b2.volt, kn_syn=0.75, kp_syn=0.66, w_plast=1.0)
    inp = b2.SpikeGeneratorGroup(n_inputs, np.asarray(in_src, int), np.asarray(in_times) * b2.second,
                                 dt=DT * b2.second)
    grp = b2.NeuronGroup(n_hidden, NEURON_EQS, threshold="Imem > Ispkthr",
                         reset="Imem = Ireset; Iahp += Iahpmax", refractory=refractory * b2.second,
                         method="euler", namespace=ns)
    for name, values in neuron.items():
        setattr(grp, name, np.asarray(values, float) * b2.amp)
    grp.Imem = 0 * b2.amp
    grp.Iahp = IO * b2.amp  # as Brian2 runs the released code
    syn = b2.Synapses(inp, grp, SYNAPSE_EQS,
                      on_pre="I_syn += Iw*w_plast*I_gain/(Itau_syn*((I_gain/I_syn)+1))",
                      method="euler", namespace=ns)
    syn.connect(i=np.asarray(syn_src, int), j=np.asarray(syn_post, int))
    syn.I_syn = IO * b2.amp
    syn.I_th = 10e-12 * b2.amp
    syn.I_tau = np.asarray(syn_itau, float) * b2.amp
    syn.Iw = np.asarray(syn_iw, float) * b2.amp
    syn.sign_w = np.asarray(syn_sign, float)
    mon = b2.SpikeMonitor(grp)
    net = b2.Network(inp, grp, syn, mon)
    t0 = time.perf_counter()
    net.run(duration * b2.second)
    wall = time.perf_counter() - t0
    return np.asarray(mon.t / b2.second), np.asarray(mon.i, dtype=np.int32), wall


def default_neuron(n, tau_mem_s=15.3e-3):
    one = np.ones(n)
    return dict(Itau=one * 1.5e-12 * UT / (KAPPA_CONV * tau_mem_s), Ith=one * 0.9e-12,
                Ispkthr=one * 1e-9, Ireset=one * 0.6e-12, Iagain=one * 50e-12,
                Iath=one * 0.5e-9, Ica=one * 2e-12, Itauahp=one * 1e-12, Ithahp=one * 1e-12)


def single_neuron_case(out: Path) -> None:
    rows = []
    for w_na in (2.0, 1.0):
        for tau_ms in (4.5, 6.0, 3.0):
            times = np.arange(300) / 3000.0
            t, i, _ = simulate(1, 1, [0], [0], [1.0], [w_na * 1e-9], tau_current([tau_ms * 1e-3]),
                               default_neuron(1), times, np.zeros(300, int), 0.1)
            rows.append((w_na, tau_ms, t))
            print(f"single neuron w={w_na} nA tau={tau_ms} ms: first spike {t[0]*1e3:.1f} ms, "
                  f"{t.size} spikes")
    np.savez_compressed(out, weight_na=np.array([r[0] for r in rows]),
                        tau_ms=np.array([r[1] for r in rows]),
                        spike_times=np.array([r[2] for r in rows], dtype=object),
                        input_rate_hz=3000.0, duration_s=0.1, dt_s=DT)


def adm_like_train(seed=0, duration=1.5):
    """Seeded ADM-like events of 4 streams on the 35 kHz grid with a 0.3 ms refractory gap."""
    rng = np.random.default_rng(seed)
    times, src = [], []
    for s, rate in enumerate((4.0, 4.0, 60.0, 60.0)):  # sparse noise
        t = rng.uniform(0, duration, rng.poisson(rate * duration))
        times.append(t)
        src.append(np.full(t.size, s))
    for start in rng.uniform(0.05, duration - 0.1, 6):  # oscillation bursts
        f_fr, f_r = rng.uniform(280, 450), rng.uniform(100, 220)
        n_fr, n_r = rng.integers(15, 45), rng.integers(6, 16)
        m = rng.integers(1, 4)  # ADM events per half cycle (amplitude / threshold)
        for band, f, n in ((1, f_fr, n_fr), (0, f_r, n_r)):
            k = (np.arange(n)[:, None] + np.zeros(m)[None]).ravel()
            j = np.tile(np.arange(m), n) * 3.1e-4
            times += [start + k / f + j, start + (k + 0.5) / f + j]
            src += [np.full(k.size, 2 * band), np.full(k.size, 2 * band + 1)]
    times, src = np.concatenate(times), np.concatenate(src)
    times = np.round(times * 35000) / 35000
    keep = np.zeros(times.size, bool)
    for s in range(4):
        idx = np.flatnonzero(src == s)
        idx = idx[np.argsort(times[idx], kind="stable")]
        last = -1.0
        for j in idx:
            if times[j] - last >= 3e-4 - 1e-9:
                keep[j] = True
                last = times[j]
    order = np.lexsort((src[keep], times[keep]))
    return times[keep][order], src[keep][order].astype(np.int32)


def faithful_network_case(params_file: Path, out: Path) -> None:
    from scipy.io import loadmat

    mat = loadmat(params_file)
    n_in = int(mat["input_neurons"][0, 0])
    n_h = int(mat["hidden_neurons"][0, 0])
    w = mat["synapse_weights"].ravel()
    taus = mat["synapse_taus"].ravel() * 1e-3
    idx = np.arange(n_in * n_h)
    times, src = adm_like_train()
    duration = 1.5
    t, i, wall = simulate(n_h, n_in, idx // n_h, idx % n_h, np.sign(w), np.abs(w) * 1e-12,
                          tau_current(taus), default_neuron(n_h, mat["neuron_taus"][0, 0] * 1e-3),
                          times, src, duration, float(mat["neuron_refractory"][0, 0]))
    print(f"faithful network: {times.size} input events, {t.size} hidden spikes from "
          f"{np.unique(i).size} neurons ({wall:.1f} s)")
    np.savez_compressed(out, input_times=times, input_source=src, duration_s=duration,
                        spike_times=t, spike_neuron=i, dt_s=DT)


def bench(inp: Path, out: Path) -> None:
    """Simulate the network stored in ``inp`` (arrays as in :func:`simulate`) and time it."""
    d = np.load(inp)
    neuron = {k[len("neuron_"):]: d[k] for k in d.files if k.startswith("neuron_")}
    t, i, wall = simulate(int(d["n_hidden"]), int(d["n_inputs"]), d["syn_src"], d["syn_post"],
                          d["syn_sign"], d["syn_iw"], d["syn_itau"], neuron, d["in_times"],
                          d["in_src"], float(d["duration_s"]), float(d["refractory_s"]))
    np.savez_compressed(out, spike_times=t, spike_neuron=i, wall_s=wall)
    print(f"brian2 bench: {t.size} spikes, {wall:.2f} s wall for {float(d['duration_s'])} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", default="reference", choices=["reference", "bench"])
    ap.add_argument("bench_in", nargs="?")
    ap.add_argument("bench_out", nargs="?")
    ap.add_argument("--venv", type=Path, default=Path("/tmp/brian2-venv"))
    ap.add_argument("--params", type=Path, default=DEFAULT_PARAMS)
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "data")
    args = ap.parse_args()
    ensure_brian2(args.venv)
    if args.mode == "bench":
        bench(Path(args.bench_in), Path(args.bench_out))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    single_neuron_case(args.out / "brian2_single_neuron.npz")
    faithful_network_case(args.params, args.out / "brian2_faithful_network.npz")


if __name__ == "__main__":
    main()
