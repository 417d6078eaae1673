"""Spiking network: topologies, DPI dynamics, Brian2 oracle, chunking, fast vs converged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.io import loadmat

from hfo_detect.config import NetworkConfig, get_preset
from hfo_detect.snn import (NetworkParamsError, build_network, custom_network, run_network,
                            synaptic_event_counts)
from hfo_detect.snn.fast import quiet_solve
from hfo_detect.snn.params import N_IO, N_ITAU, S_IW, S_SIGN
from hfo_detect.spikes import SpikeTrains

DATA = Path(__file__).parent / "data"
BANDS = ("ripple", "fast_ripple")
KAPPA_EQ = (0.75 + 0.66) / 2


def drive(times, src=None, n_channels=1, channel=None):
    times = np.asarray(times, float)
    return SpikeTrains(times, np.zeros(times.size) if channel is None else channel,
                       np.zeros(times.size) if src is None else src, n_channels)


def single_neuron(w_na, tau_ms, dt=1e-4):
    return custom_network(NetworkConfig(integrator="euler", dt_s=dt), [[1]], [[w_na]], [[tau_ms]],
                          [[0]], n_streams=1)


def per_neuron_match(a: SpikeTrains, b: SpikeTrains):
    """(same spike count for every neuron, largest |dt| between matched spikes)."""
    same, worst = True, 0.0
    for n in np.union1d(a.source, b.source):
        x, y = np.sort(a.times[a.source == n]), np.sort(b.times[b.source == n])
        same &= x.size == y.size
        k = min(x.size, y.size)
        if k:
            worst = max(worst, float(np.abs(x[:k] - y[:k]).max()))
    return bool(same), worst


# ----------------------------------------------------------------------------- topologies


def test_faithful_preset_is_the_released_file(reference_params):
    mat = loadmat(reference_params / "Network_parameters.mat")
    w = mat["synapse_weights"].ravel()
    taus = mat["synapse_taus"].ravel() * 1e-3
    p = build_network(get_preset("sharifhazileh2021").network, BANDS, 3)
    assert (p.n_hidden, p.n_synapses, p.n_streams) == (85, 340, 4)
    assert list(p.fanout) == [85, 85, 85, 85]
    assert (p.neuron_band == -1).all()
    flat = lambda row: p.synapse[:, row].reshape(3, 340)  # noqa: E731 - slot*85 + hidden
    np.testing.assert_array_equal(flat(S_SIGN)[0], np.sign(w))
    np.testing.assert_allclose(flat(S_IW)[0], np.abs(w) * 1e-12)
    # realised tau uses kappa 0.705 while the bias came from kappa 0.7 (spec 2.6 (6))
    np.testing.assert_allclose(p.tau_syn_s()[0].ravel(), taus * 0.7 / KAPPA_EQ)
    np.testing.assert_allclose(p.neuron[0, N_ITAU], 1.5e-12 * 25e-3 / (0.7 * 15.3e-3))
    assert np.allclose(p.neuron[0, N_ITAU], 3.5e-12, rtol=1e-3)
    # no mismatch: every channel is the same network
    assert (p.synapse == p.synapse[:1]).all() and (p.neuron == p.neuron[:1]).all()
    # sign pattern of spec 2.1: neurons 0-42 R_UP exc / R_DN inh, 43-84 the reverse
    sign = flat(S_SIGN)[0].reshape(4, 85)
    assert (sign[0, :43] > 0).all() and (sign[1, :43] < 0).all()
    assert (sign[0, 43:] < 0).all() and (sign[3, 43:] > 0).all()


def test_missing_params_file_is_a_clear_error(tmp_path):
    cfg = replace(get_preset("sharifhazileh2021").network, params_file=str(tmp_path / "no.mat"))
    with pytest.raises(NetworkParamsError, match="no.mat"):
        build_network(cfg, BANDS, 1)


def test_hfo256_structure_and_mismatch():
    cfg = get_preset("hfo256").network
    p = build_network(replace(cfg, mismatch_cv=0.0), BANDS, 2)
    assert (p.n_hidden, p.n_synapses, p.n_slots) == (256, 512, 2)
    assert (p.neuron_band[:128] == 0).all() and (p.neuron_band[128:] == 1).all()
    assert list(p.fanout) == [128, 128, 128, 128]
    np.testing.assert_array_equal(p.slot_src, np.stack([2 * p.neuron_band, 2 * p.neuron_band + 1]))
    s = p.synapse[0]
    assert (s[S_SIGN, 0] == -s[S_SIGN, 1]).all()  # one exc + one inh per neuron
    for band in (0, 1):  # half of each sub-population has UP excitatory
        assert (s[S_SIGN, 0, p.neuron_band == band] > 0).sum() == 64
    assert (s[S_IW, 0] == s[S_IW, 1]).all() and set(np.unique(s[S_IW])) == {1e-9, 2e-9}
    tau = p.tau_syn_s()[0] * KAPPA_EQ / 0.7  # the drawn (nominal) taus
    exc = np.where(s[S_SIGN] > 0, tau, 0).sum(0)
    inh = np.where(s[S_SIGN] < 0, tau, 0).sum(0)
    assert (exc >= 3e-3).all() and (exc <= 6e-3).all()
    assert ((exc - inh) >= 0.3e-3 - 1e-12).all() and ((exc - inh) <= 1e-3 + 1e-12).all()
    assert not np.array_equal(p.synapse[0], p.synapse[1])  # channels are different networks
    # mismatch: one seed = one chip; channel c does not depend on the channel count
    m = build_network(cfg, BANDS, 32)
    np.testing.assert_array_equal(m.synapse[:2], build_network(cfg, BANDS, 2).synapse)
    assert not np.array_equal(m.synapse, build_network(replace(cfg, seed=1), BANDS, 32).synapse)
    ratio = m.neuron[:, N_ITAU] / p.neuron[0, N_ITAU]
    assert (ratio > 0).all() and abs(ratio.std() - 0.2) < 0.02 and abs(ratio.mean() - 1) < 0.02


def test_ecog_topology_uses_fast_ripple_only():
    p = build_network(get_preset("burelo2021_ecog").network, ("fast_ripple",), 1)
    assert (p.n_hidden, p.n_synapses, p.n_streams) == (256, 512, 2)
    assert (p.neuron_band == 0).all() and list(p.fanout) == [256, 256]
    with pytest.raises(ValueError, match="ripple"):
        build_network(get_preset("hfo256").network, ("fast_ripple",), 1)


def test_hfo256_spreads_its_neurons_over_sub_bands():
    net = get_preset("hfo256").network
    names = ("ripple_lo", "ripple_hi", "fast_ripple_lo", "fast_ripple_hi", "artifact")
    kinds = ("ripple", "ripple", "fast_ripple", "fast_ripple", "artifact")
    p = build_network(net, names, 1, band_kinds=kinds)
    # 64 consecutive neurons per sub-band; none on the artifact band; each neuron's two
    # synapses are the UP and DN streams of its own sub-band
    np.testing.assert_array_equal(p.neuron_band, np.repeat([0, 1, 2, 3], 64))
    np.testing.assert_array_equal(p.slot_src, [2 * p.neuron_band, 2 * p.neuron_band + 1])
    assert list(p.fanout) == [64] * 8 + [0, 0]
    # each sub-band: first half UP excitatory / DN inhibitory, second half the reverse
    np.testing.assert_array_equal(p.synapse[0, S_SIGN, 0], np.tile(np.repeat([1, -1], 32), 4))
    # the same neurons (mismatch) as on two wide bands: only their inputs differ
    wide = build_network(net, ("ripple", "fast_ripple"), 1)
    np.testing.assert_array_equal(p.neuron, wide.neuron)
    np.testing.assert_array_equal(wide.neuron_band, np.repeat([0, 1], 128))
    with pytest.raises(ValueError, match="band kinds"):
        build_network(net, names, 1, band_kinds=kinds[:2])


def test_synaptic_event_counts():
    p = build_network(get_preset("hfo256").network, BANDS, 2)
    sp = SpikeTrains([0.1, 0.2, 0.3], [0, 0, 1], [0, 3, 2], 2)
    np.testing.assert_array_equal(synaptic_event_counts(p, sp), [256, 128])


# ----------------------------------------------------------------------------- dynamics


@pytest.mark.parametrize("w_na, tau_ms, expected", [
    (2.0, 4.5, 15), (2.0, 6.0, 12), (2.0, 3.0, 21), (1.0, 4.5, 22), (1.0, 6.0, 18), (1.0, 3.0, 36)])
def test_single_neuron_check(w_na, tau_ms, expected):
    """Spec 2.3/2.6 (7): input spikes in steps strictly before the first output spike's step."""
    t_in = np.arange(300) / 3000.0
    hidden, _ = run_network(single_neuron(w_na, tau_ms), drive(t_in), 0.0, 0.1)
    k_out = round(hidden.times[0] / 1e-4)
    assert (np.floor(t_in / 1e-4 + 1e-3) < k_out).sum() == expected


def test_euler_matches_brian2_single_neuron():
    ref = np.load(DATA / "brian2_single_neuron.npz", allow_pickle=True)
    t_in = np.arange(300) / float(ref["input_rate_hz"])
    for w, tau, times in zip(ref["weight_na"], ref["tau_ms"], ref["spike_times"]):
        hidden, _ = run_network(single_neuron(w, tau), drive(t_in), 0.0, float(ref["duration_s"]))
        assert hidden.times.size == len(times)
        np.testing.assert_allclose(hidden.times, times, atol=1e-4 * 0.01)


def test_euler_matches_brian2_faithful_network(reference_params):
    ref = np.load(DATA / "brian2_faithful_network.npz")
    p = build_network(get_preset("sharifhazileh2021").network, BANDS, 1)
    hidden, _ = run_network(p, drive(ref["input_times"], ref["input_source"]), 0.0,
                            float(ref["duration_s"]))
    assert len(hidden) == ref["spike_times"].size > 50
    brian = SpikeTrains(ref["spike_times"], np.zeros(len(hidden)), ref["spike_neuron"], 1)
    same, worst = per_neuron_match(hidden, brian)
    assert same and worst <= 1e-4 + 1e-9


def test_quiet_closed_form_matches_ode():
    """The exact sub-I_o relaxation used by `fast` against an accurate ODE solution."""
    tau_o = 1.5e-12 * 25e-3 / (KAPPA_EQ * 0.5e-12)
    for q, x0, elapsed in ((1.0, 0.0, 0.01), (1.0, 0.95, 0.05), (1.3, 0.2, 0.2), (1.0, 0.5, 1.0)):
        sol = solve_ivp(lambda t, x: (q - x - x * x) * (x + 1) / (tau_o * (x + 2)), (0, elapsed),
                        [x0], rtol=1e-12, atol=1e-14)
        assert quiet_solve(x0, elapsed, q, tau_o, 1e-12) == pytest.approx(sol.y[0, -1], rel=1e-8)


def _hfo256_drive(n_channels=3, duration=2.0, seed=3):
    """Sparse noise plus alternating UP/DN bursts in both bands (hand-made input trains)."""
    rng = np.random.default_rng(seed)
    t, ch, src = [], [], []
    for c in range(n_channels):
        for s, rate in enumerate((3, 3, 40, 40)):
            x = rng.uniform(0, duration, rng.poisson(rate * duration))
            t.append(x), ch.append(np.full(x.size, c)), src.append(np.full(x.size, s))
        for start in (0.3, 1.2):
            for band, f, n in ((1, 350.0, 15), (0, 150.0, 6)):
                k = np.arange(n)
                t += [start + k / f, start + (k + 0.5) / f]
                ch += [np.full(2 * n, c)]
                src += [np.full(n, 2 * band), np.full(n, 2 * band + 1)]
    return SpikeTrains(np.concatenate(t), np.concatenate(ch), np.concatenate(src),
                       n_channels).sort()


@pytest.mark.parametrize("integrator", ["euler", "fast", "lockstep"])
def test_chunked_run_equals_one_shot(integrator):
    sp = _hfo256_drive()
    p = build_network(get_preset("hfo256").network, BANDS, 3)
    whole, _ = run_network(p, sp, 0.0, 2.0, integrator=integrator)
    parts, state = [], None
    for a, b in zip([0.0, 0.31, 0.3173, 1.2, 1.5], [0.31, 0.3173, 1.2, 1.5, 2.0]):
        part, state = run_network(p, sp, a, b, state=state, integrator=integrator)
        assert ((part.times >= a - 1e-12) & (part.times < b)).all()
        parts.append(part)
    joined = SpikeTrains.concatenate(parts)
    assert len(whole) > 10
    np.testing.assert_array_equal(joined.times, whole.times)
    np.testing.assert_array_equal(joined.source, whole.source)
    np.testing.assert_array_equal(joined.channel, whole.channel)
    with pytest.raises(ValueError, match="state"):
        run_network(p, sp, 1.0, 2.0, state=state, integrator=integrator)


def _converged_check(params_at, sp, t_stop, dt_ref):
    """(fast vs reference, euler 0.1 ms vs reference) per-neuron comparisons."""
    ref, _ = run_network(params_at(dt_ref), sp, 0.0, t_stop, integrator="euler")
    fast, _ = run_network(params_at(1e-4), sp, 0.0, t_stop, integrator="fast")
    euler, _ = run_network(params_at(1e-4), sp, 0.0, t_stop, integrator="euler")
    return ref, per_neuron_match(fast, ref), per_neuron_match(euler, ref)


def test_fast_is_close_to_converged_single_neuron():
    t_in = np.arange(300) / 3000.0
    for w, tau in ((2.0, 4.5), (1.0, 3.0), (2.0, 6.0)):
        ref, (f_same, f_dt), (e_same, e_dt) = _converged_check(
            lambda dt: single_neuron(w, tau, dt), drive(t_in), 0.1, 1e-5)
        assert len(ref) > 5 and f_same and f_dt < 1e-4 and f_dt <= e_dt


def test_fast_is_close_to_converged_on_simulated_input():
    """hfo256 on hand-made trains. Some spikes here approach threshold slowly, so Euler itself
    converges slowly (at 10 us it still drops one spike and shifts another by 0.5 ms, measured):
    the converged references are Euler at 2 us (counts, readout events) and `fast` at
    rtol 1e-8 (times)."""
    from hfo_detect.readout import events_frame

    sp = _hfo256_drive(n_channels=1, duration=1.0)
    net = get_preset("hfo256").network
    at = lambda dt, rtol=1e-4: build_network(replace(net, dt_s=dt, fast_rtol=rtol), BANDS, 1)  # noqa: E731
    ref, (f_same, f_dt), (e_same, e_dt) = _converged_check(at, sp, 1.0, 2e-6)
    tight, _ = run_network(at(1e-4, 1e-8), sp, 0.0, 1.0, integrator="fast")
    fast, _ = run_network(at(1e-4), sp, 0.0, 1.0, integrator="fast")
    assert len(ref) > 50 and f_same and per_neuron_match(tight, ref)[0]
    assert not e_same or f_dt <= e_dt  # euler at 0.1 ms is further away than fast
    same, worst = per_neuron_match(fast, tight)
    assert same and worst < 1e-4
    cols = ["onset", "duration"]
    ev = lambda h: events_frame(h, 1.0, None, ["ch"], p.neuron_band, BANDS)[cols].to_numpy()  # noqa: E731
    p = at(1e-4)
    np.testing.assert_allclose(ev(fast), ev(ref))


# ------------------------------------------------------------------ lockstep (default engine)


def _tight(net, rtol=1e-8):
    """The converged reference of the lockstep tests: ``fast`` at rtol 1e-8."""
    return replace(net, fast_rtol=rtol, fast_atol=1e-16)


def test_lockstep_matches_converged_on_hfo256_drive():
    """Default engine vs `fast` at rtol 1e-8 (itself checked against Euler at 2 us above):
    same spike count on every neuron, every spike within 0.1 ms, same readout events."""
    from hfo_detect.readout import events_frame

    sp = _hfo256_drive(n_channels=2, duration=2.0, seed=5)
    net = get_preset("hfo256").network
    assert net.integrator == "lockstep"
    p = build_network(net, BANDS, 2)
    ref, _ = run_network(build_network(_tight(net), BANDS, 2), sp, 0.0, 2.0, integrator="fast")
    lock, _ = run_network(p, sp, 0.0, 2.0)
    assert len(ref) > 100
    for c in range(2):
        one = lambda h: SpikeTrains(h.times[h.channel == c], np.zeros(int((h.channel == c).sum())),  # noqa: E731
                                    h.source[h.channel == c], 1)
        same, worst = per_neuron_match(one(lock), one(ref))
        assert same and worst < 1e-4
    ev = lambda h: events_frame(h, 2.0, None, ["a", "b"], p.neuron_band, BANDS)[  # noqa: E731
        ["channel", "onset", "duration"]].to_numpy()
    np.testing.assert_array_equal(ev(lock), ev(ref))


def test_lockstep_absolute_tolerance_has_a_value_next_to_io_and_one_above():
    """``lockstep_atol`` rules above 2 I_o (the rise to threshold), ``lockstep_atol_io`` for a
    lane below 2 I_o at both ends of a step (where the right-hand side jumps at I_o): each acts
    in its own range, so the default (2e-15 / 1e-14 A) takes more steps than 1e-14 A everywhere
    and fewer than 2e-15 A everywhere, and keeps the converged spikes."""
    from hfo_detect.snn.lockstep import run_lockstep
    from hfo_detect.snn.simulate import initial_state

    sp = _hfo256_drive(n_channels=1, duration=2.0, seed=5)
    net = get_preset("hfo256").network
    assert (net.lockstep_atol, net.lockstep_atol_io) == (2e-15, 1e-14)
    ref, _ = run_network(build_network(_tight(net), BANDS, 1), sp, 0.0, 2.0, integrator="fast")
    steps = {}
    for name, atol, atol_io in (("loose", 1e-14, 1e-14), ("default", 2e-15, 1e-14),
                                ("tight", 2e-15, 2e-15)):
        p = build_network(replace(net, lockstep_atol=atol, lockstep_atol_io=atol_io), BANDS, 1)
        stats = np.zeros(4, np.int64)
        lock = run_lockstep(p, sp, 0.0, 2.0, initial_state(p, "lockstep"), stats)
        steps[name] = stats[0] + stats[1]
        if name == "default":
            same, worst = per_neuron_match(lock, ref)
            assert same and worst < 1e-4
    assert steps["loose"] < steps["default"] < steps["tight"], steps


def test_lockstep_step_rule_reads_log2_off_the_error_bits():
    """The kernel takes the largest error ratio of a step as the largest int32 bit pattern and
    its log2 from those bits: the same order as the floats and the same value as the float rule
    (``fast._log2_approx``), exactly, over the ratios a step can give."""
    from hfo_detect.snn.fast import _log2_approx
    from hfo_detect.snn.lockstep import LANE, _log2_bits

    ratios = np.concatenate([[1e-4, 0.5, 1.0, 1.5, 2.0, 3.0, 1e6],
                             10 ** np.random.default_rng(2).uniform(-4, 6, 500)]).astype(LANE)
    bits = ratios.view(np.int32)
    assert ratios[np.argmax(bits)] == ratios.max()
    assert np.array_equal(np.argsort(bits, kind="stable"), np.argsort(ratios, kind="stable"))
    for r, b in zip(ratios, bits):
        assert _log2_bits(int(b)) == _log2_approx(float(r))
    assert _log2_bits(int(np.float32(8.0).view(np.int32))) == 3.0


def test_lockstep_on_faithful_topology_and_single_neuron_groups():
    """Any small DPI topology: the paper's 4 x 85 all-to-all network (one group of 85) and an
    output-layer-like network (one neuron with 40 input streams, plus 3 neurons on private
    streams: groups of one) give the converged spikes."""
    rng = np.random.default_rng(11)
    net = get_preset("sharifhazileh2021").network
    cases = []
    faithful = replace(net, params_file=None)
    k = np.arange(45)
    bursts = [(0.1 + k / 3000, 0), (0.1 + k / 3000, 2), (0.5 + k / 3000, 1), (0.5 + k / 3000, 3),
              (0.52 + k / 3000, 0)]
    drive4 = SpikeTrains(np.concatenate([b for b, _ in bursts]), np.zeros(5 * k.size),
                         np.repeat([s for _, s in bursts], k.size), 1).sort()
    try:
        cases.append((faithful, lambda cfg: build_network(cfg, BANDS, 1), drive4))
    except NetworkParamsError:
        pass  # no ../shared: the custom case below still runs
    n_in = 40
    sign = np.ones((n_in, 4))
    sign[::3] = -1
    slot_src = np.empty((n_in, 4), int)
    slot_src[:, 0] = np.arange(n_in)  # the output neuron: every stream
    slot_src[:, 1:] = n_in + np.arange(3)  # three neurons, each on its own stream
    w = np.full((n_in, 4), 5.0)
    w[:, 1:] = 2.0
    taus = rng.uniform(3, 6, (n_in, 4))
    t = np.concatenate([rng.uniform(0, 1.0, 3000), 0.2 + np.arange(60) / 3000,
                        0.6 + np.arange(60) / 3000])
    src = np.concatenate([rng.integers(0, n_in + 3, 3000), np.full(60, n_in), np.full(60, n_in + 2)])
    custom = lambda cfg: custom_network(cfg, sign, w, taus, slot_src, n_streams=n_in + 3)  # noqa: E731
    cases.append((NetworkConfig(), custom, SpikeTrains(t, np.zeros(t.size), src, 1).sort()))
    for cfg, make, sp in cases:
        lock, _ = run_network(make(cfg), sp, 0.0, 1.0, integrator="lockstep")
        ref, _ = run_network(make(_tight(cfg)), sp, 0.0, 1.0, integrator="fast")
        assert np.unique(ref.source).size >= 2
        same, worst = per_neuron_match(lock, ref)
        assert same and worst < 1e-4


def test_lockstep_one_lane_group_skips_floored_slots_without_changing_spikes():
    """An output-like neuron (60 slots, a third inhibitory) runs as a group of one lane, which
    computes only its synapses above their floor; the same neuron twice in one group (two
    lanes: every slot computed) gives the same spikes, to rounding."""
    rng = np.random.default_rng(5)
    n_in = 60
    sign = np.where(np.arange(n_in) % 3 == 0, -1.0, 1.0)
    taus = rng.uniform(3, 6, n_in)
    # sparse background input (most slots on their floor most of the time), then two bursts
    t = np.concatenate([rng.uniform(0, 2.0, 400), 0.5 + rng.uniform(0, 0.02, 80),
                        1.3 + rng.uniform(0, 0.03, 120)])
    src = rng.integers(0, n_in, t.size)
    drive = SpikeTrains(t, np.zeros(t.size), src, 1).sort()

    def net(n_copies):
        col = np.ones((n_in, n_copies))
        return custom_network(NetworkConfig(), sign[:, None] * col, 5.0 * col,
                              taus[:, None] * col, np.arange(n_in)[:, None] * col.astype(int),
                              n_streams=n_in)

    from hfo_detect.snn.lockstep import run_lockstep
    from hfo_detect.snn.simulate import initial_state

    def run(n_copies):
        params, stats = net(n_copies), np.zeros(5, np.int64)
        spikes = run_lockstep(params, drive, 0.0, 2.0, initial_state(params, "lockstep"), stats)
        return spikes, stats

    one, st1 = run(1)
    two, st2 = run(2)
    assert one.times.size >= 5
    for lane in (0, 1):
        np.testing.assert_allclose(two.times[two.source == lane], one.times, atol=1e-7)
    # slot-steps: the one-lane group works on a fraction of its slots, the two-lane one on all
    assert st2[4] == n_in * st2[0]
    assert st1[4] < 0.5 * n_in * st1[0]


def test_lockstep_ignores_streams_no_neuron_hears():
    """Events of a stream without synapses (the artifact band's ADM streams) change nothing:
    the same spikes and state, bit for bit, as without them (they once indexed past the
    kernel's per-stream table and read stray memory)."""
    bands = BANDS + ("artifact",)
    p = build_network(get_preset("hfo256").network, bands, 2)
    assert p.n_streams > int(p.slot_src.max()) + 1
    heard = _hfo256_drive(n_channels=2, duration=1.0, seed=7)
    rng = np.random.default_rng(7)
    t = rng.uniform(0, 1.0, 400)
    extra = SpikeTrains(t, rng.integers(0, 2, t.size), rng.integers(4, 6, t.size), 2)
    both = SpikeTrains.concatenate([heard, extra]).sort()
    a, sa = run_network(p, heard, 0.0, 1.0)
    b, sb = run_network(p, both, 0.0, 1.0)
    assert len(a) > 50
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.source, b.source)
    np.testing.assert_array_equal(sa.imem, sb.imem)
    np.testing.assert_array_equal(sa.nrn_t, sb.nrn_t)


def test_lockstep_groups_share_input_streams():
    from hfo_detect.snn.lockstep import neuron_groups

    p = build_network(get_preset("hfo256").network, BANDS, 1)
    ptr, members = neuron_groups(p.slot_src)
    assert list(np.diff(ptr)) == [128, 128]
    assert (p.neuron_band[members[:128]] == p.neuron_band[0]).all()
    ptr, _ = neuron_groups(np.array([[0, 1, 0], [1, 0, 2]]))
    assert list(np.diff(ptr)) == [2, 1]  # {0,1} twice (slot order does not matter), {0,2}
    ptr, members = neuron_groups(p.slot_src, 48)  # split within a stream set, never across
    assert list(np.diff(ptr)) == [48, 48, 32] * 2
    for g in range(ptr.size - 1):
        assert np.unique(p.neuron_band[members[ptr[g]:ptr[g + 1]]]).size == 1
    assert p.cfg.lockstep_group_size == 32




def test_lockstep_holds_a_fast_membrane_on_io_while_its_input_slides(monkeypatch):
    """The artifact interneuron's case: a 2.5-ms membrane on two excitatory 5-ms synapses.
    With both synapses at their 0.5-pA floors the input (1.5 pA with I_const) lies where the
    two clipping regimes push I_mem onto I_o from both sides, so its rest is I_o itself. The
    kernel holds it there (the converged reference chatters within 1e-15 A of it) at a small
    fraction of the steps, with the converged spikes."""
    from hfo_detect.snn import lockstep
    from hfo_detect.snn.lockstep import pins_at_io, run_lockstep
    from hfo_detect.snn.simulate import initial_state

    def make(cfg, sign_b=1):
        return custom_network(cfg, [[1], [sign_b]], [[20.0], [20.0]], [[5.0], [5.0]],
                              [[0], [1]], n_streams=2, tau_mem_s=2.5e-3)

    cfg = NetworkConfig(integrator="lockstep", mismatch_cv=0.0)
    net, ref_net = make(cfg), make(_tight(cfg))
    # an excitatory and an inhibitory synapse (the hidden neurons): resting input clipped to I_o
    assert pins_at_io(net) and not pins_at_io(make(cfg, -1))
    burst = 1e-4 * np.arange(8)
    t = np.r_[0.2 + burst, 1.2 + burst]
    sp = SpikeTrains(t, np.zeros(t.size), np.arange(t.size) % 2, 1)
    io = net.neuron[0, N_IO, 0]
    _, state = run_network(net, sp, 0.0, 1.0)
    assert state.imem[0, 0] == lockstep.LANE(io)  # I_o in the lanes' float type
    _, ref_state = run_network(ref_net, sp, 0.0, 1.0, integrator="fast")
    assert abs(ref_state.imem[0, 0] - io) < 1e-15
    ref, _ = run_network(ref_net, sp, 0.0, 2.0, integrator="fast")
    assert len(ref) >= 2
    quiet_steps = []
    for pin in (True, False):
        monkeypatch.setattr(lockstep, "pins_at_io", lambda params, pin=pin: pin)
        lock = run_lockstep(net, sp, 0.0, 2.0, initial_state(net, "lockstep"))
        same, worst = per_neuron_match(lock, ref)
        assert same and worst < 1e-4
        # steps between the bursts (0.6-1.15 s: inputs on their floors, I_mem at rest on I_o)
        state, stats = initial_state(net, "lockstep"), np.zeros(4, np.int64)
        run_lockstep(net, sp, 0.0, 0.6, state)
        run_lockstep(net, sp, 0.6, 1.15, state, stats)
        quiet_steps.append(stats[0] + stats[1])
    assert quiet_steps[0] < quiet_steps[1] / 20, quiet_steps  # chattering across I_o at rest
