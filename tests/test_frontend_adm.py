"""ADM encoders: the authors' exact counts, a literal re-run of their loop, streaming, reconstruction."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io as sio

from hfo_detect.config import ADMConfig, get_preset, with_overrides
from hfo_detect.errors import ConfigError
from hfo_detect.frontend import ADMEncoder, FilterBank, encode_array
from hfo_detect.frontend.adm import faithful_grid_size

FS = 2000.0
BANDS = ("ripple", "fast_ripple")


def literal_faithful(x, thr, fs, interp_hz=35000, t_ref=3e-4):
    """The authors' signal_to_spike_refractory, written out with a materialised grid (the authors' code, signal_to_spike_refractory)."""
    t = np.arange(x.size) / fs
    n_grid = round((t[-1] - t[0]) * interp_hz)
    tt = np.linspace(t[0], t[-1], n_grid)
    yy = np.interp(tt, t, x)
    up, dn, ref, i, skip = [], [], 0.0, 0, int(t_ref * interp_hz)
    while i < n_grid:
        if ref + thr < yy[i]:
            up.append(tt[i]); ref = yy[i]; i += skip
        elif ref - thr > yy[i]:
            dn.append(tt[i]); ref = yy[i]; i += skip
        else:
            i += 1
    return np.array(up), np.array(dn)


def snippet(snn_mat):
    return sio.loadmat(snn_mat)["channels"].astype(float)


def band_signal(seed=0, n=8000, fs=FS):
    """Smooth test signal: a few sinusoids in 80-250 Hz with waxing/waning amplitude (uV)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    x = np.zeros(n)
    for f in rng.uniform(80, 250, 6):
        x += rng.uniform(2, 8) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return x * (1 + 0.8 * np.sin(2 * np.pi * 1.3 * t))


@pytest.mark.parametrize("rule, thr, counts", [
    ("whole", (9, 3), (51, 55, 2639, 2638)),
    ("first10s", (4, 2), (394, 402, 7365, 7364)),
])
def test_reference_counts_of_the_paper_model(snn_mat, rule, thr, counts):
    """Spec App. A: thresholds and ADM counts of the authors' software on the 50-s snippet."""
    cfg = with_overrides(get_preset("sharifhazileh2021"), calibration__rule=rule)
    res = encode_array(snippet(snn_mat), FS, cfg)
    assert res.thresholds[:, 0].tolist() == list(thr)
    assert res.counts()[0].ravel().tolist() == list(counts)
    assert res.spikes.source_names == ("ripple_up", "ripple_dn", "fast_ripple_up", "fast_ripple_dn")


def test_faithful_equals_literal_loop_on_real_signal(snn_mat):
    """Event times identical to the materialised-grid loop (15 s of the snippet, both bands)."""
    x = snippet(snn_mat)[:, :30000]
    filt = FilterBank(get_preset("sharifhazileh2021").filters, FS, 1).process(x)
    thr = np.array([[4.0], [2.0]])
    sp = ADMEncoder(ADMConfig(), FS, thr, x.shape[1], BANDS).process(filt, 0)
    for b in range(2):
        up, dn = literal_faithful(filt[b, 0], thr[b, 0], FS)
        assert len(up) > 50
        np.testing.assert_array_equal(sp.times[sp.source == 2 * b], up)
        np.testing.assert_array_equal(sp.times[sp.source == 2 * b + 1], dn)


def test_grid_size_rounds_half_to_even():
    # (99999 / 2000) * 35000 = 1749982.5 -> 1749982 (as Brian2 runs the released code), not 1749983
    assert faithful_grid_size(100000, 2000.0, 35000) == 1749982


def test_continuous_ramp_hand_computed():
    """0 -> 10 uV in 1 ms, delta 2, t_ref 0.3 ms: crossing at 0.2 ms, then refractory-end
    events at 0.5 and 0.8 ms (signal already 3 uV past the reference), then nothing (10 is not > 8 + 2)."""
    x = np.array([[[0.0, 10.0, 10.0, 10.0]]])
    enc = ADMEncoder(ADMConfig(encoder="continuous"), 1000.0, [[2.0]], 4, ("ripple",))
    sp = enc.process(x, 0)
    np.testing.assert_allclose(sp.times, [2e-4, 5e-4, 8e-4], atol=1e-15)
    assert sp.source.tolist() == [0, 0, 0]
    np.testing.assert_allclose(enc.ref, [[8.0]])


@pytest.mark.parametrize("reference, times, ref_end", [
    ("held", [2e-3, 4e-3, 6e-3, 8e-3], 8.0),       # the reference steps by delta: 2, 4, 6, 8 uV
    ("tracks", [2e-3, 4.3e-3, 6.6e-3, 8.9e-3], 9.2)])  # it follows the input for 0.3 ms
def test_continuous_slow_ramp_reference_held_or_tracking(reference, times, ref_end):
    """0 -> 10 uV over 10 ms, delta 2, t_ref 0.3 ms: no event is due at a refractory end."""
    x = np.concatenate([np.arange(11.0), [10.0, 10.0]])[None, None]
    enc = ADMEncoder(ADMConfig(encoder="continuous", reference=reference), 1000.0, [[2.0]], 13,
                     ("ripple",))
    sp = enc.process(x, 0)
    np.testing.assert_allclose(sp.times, times, atol=1e-12)
    assert sp.source.tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(enc.ref, [[ref_end]], atol=1e-12)


def test_tracking_reference_forgets_the_initial_reference():
    """With a held reference the background event rate depends on where the reference sat
    (it moves on a grid of delta from its start until a fast swing resets it); tracking the
    input through each refractory period makes the events a function of the signal alone."""
    rng = np.random.default_rng(5)
    from scipy import signal as sps

    sos = sps.butter(2, [80, 141], "band", fs=2000.0, output="sos")
    x = sps.sosfilt(sos, rng.standard_normal(10000))[None, None] * 10.0
    thr = [[2.2 * x.std()]]

    def counts(reference, ref0):
        enc = ADMEncoder(ADMConfig(encoder="continuous", reference=reference), 2000.0, thr,
                         x.shape[2], ("ripple",))
        enc.ref[:] = ref0
        sp = enc.process(x, 0)
        return np.sort(sp.times[sp.times > 0.5])

    starts = np.linspace(-0.5, 0.5, 5) * thr[0][0]
    held = [counts("held", r).size for r in starts]
    assert max(held) > 1.2 * min(held), held
    tracked = [counts("tracks", r) for r in starts]
    for t in tracked[1:]:
        np.testing.assert_array_equal(t, tracked[0])
    with pytest.raises(ConfigError, match="continuous"):
        ADMConfig(encoder="faithful", reference="tracks")

def test_initial_reference_is_zero_both_encoders():
    """A first sample beyond +-delta fires at t = 0 (reference starts at 0)."""
    x = np.array([[[-5.0, -5.0, -5.0]]])
    for name in ("faithful", "continuous"):
        sp = ADMEncoder(ADMConfig(encoder=name), 1000.0, [[2.0]], 3, ("ripple",)).process(x, 0)
        assert sp.times.tolist() == [0.0] and sp.source.tolist() == [1]


@pytest.mark.parametrize("encoder", ["faithful", "continuous", "continuous-tracks"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1001])
def test_chunked_equals_one_shot(encoder, chunk):
    """Chunks shorter than the refractory period (1-2 samples = 0.5-1 ms ... 0.3 ms) included."""
    rng = np.random.default_rng(1)
    x = np.stack([np.stack([band_signal(s, 3000), 3 * rng.standard_normal(3000)]) for s in range(2)])
    x = x.transpose(1, 0, 2).copy()  # (n_bands=2, n_ch=2, n)
    thr = np.array([[2.0, 3.0], [1.0, 4.0]])
    name, _, reference = encoder.partition("-")
    cfg = ADMConfig(encoder=name, reference=reference or "held")
    whole = ADMEncoder(cfg, FS, thr, x.shape[2], BANDS).process(x, 0)
    enc = ADMEncoder(cfg, FS, thr, x.shape[2], BANDS)
    parts = [enc.process(x[:, :, i:i + chunk], i) for i in range(0, x.shape[2], chunk)]
    from hfo_detect.spikes import SpikeTrains
    joined = SpikeTrains.concatenate(parts)
    assert len(whole) > 100
    np.testing.assert_array_equal(joined.times, whole.times)
    np.testing.assert_array_equal(joined.channel, whole.channel)
    np.testing.assert_array_equal(joined.source, whole.source)


@pytest.mark.parametrize("encoder", ["faithful", "continuous"])
def test_reconstruction_tracks_signal(encoder):
    """(cumulative UP - DN) x delta stays within delta + the signal's largest change over t_ref
    of the signal, at every sample.

    Taken below slope overload (the signal changes by less than delta per t_ref), the regime a
    delta modulator is designed for: beyond it, events at the end of a refractory period reset
    the reference past the lattice and (UP - DN) x delta drifts from the reference.
    """
    rng = np.random.default_rng(3)
    t = np.arange(20000) / FS
    x = sum(rng.uniform(1.0, 1.5) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
            for f in rng.uniform(80, 120, 4))
    x = x * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t))
    thr = 3.0
    sp = ADMEncoder(ADMConfig(encoder=encoder), FS, [[thr]], x.size, ("ripple",)).process(
        x[None, None], 0)
    sign = np.where(sp.source == 0, 1, -1)
    after = np.searchsorted(sp.times, t, side="right")
    recon = np.concatenate([[0], np.cumsum(sign)])[after] * thr
    # largest change of the piecewise-linear signal within t_ref (< one 0.5-ms sample step)
    slack = np.abs(np.diff(x)).max() * 3e-4 * FS
    err = np.abs(x - recon)
    assert len(sp) > 1000
    assert err.max() <= thr + slack
    assert np.median(err) < thr  # a tracking code, not only a loose bound


def test_fine_grid_faithful_converges_to_continuous(snn_mat):
    """Refining the faithful grid approaches the exact-crossing counts (documented in adm.py)."""
    x = snippet(snn_mat)[:, :20000]
    filt = FilterBank(get_preset("sharifhazileh2021").filters, FS, 1).process(x)
    thr = np.array([[9.0], [3.0]])
    cont = ADMEncoder(ADMConfig(encoder="continuous"), FS, thr, x.shape[1], BANDS).process(filt, 0)
    fine = ADMEncoder(ADMConfig(interp_hz=3.5e7), FS, thr, x.shape[1], BANDS).process(filt, 0)
    c, f = cont.counts(4)[0], fine.counts(4)[0]
    assert c.sum() > 50
    assert np.abs(c - f).max() <= max(3, 0.05 * c.max())


def test_preset_equals_authors_parameter_file(reference_params):
    p = sio.loadmat(reference_params / "ADM_parameters.mat")
    cfg = get_preset("sharifhazileh2021")
    assert cfg.adm.interp_hz == float(p["interpfact"].squeeze())
    assert cfg.adm.refractory_s == float(p["refractory"].squeeze())
    assert cfg.adm.encoder == "faithful"
    sf = {b.name: b.scale_factor for b in cfg.filters.bands}
    assert sf["ripple"] == float(p["Ripple_sf"].squeeze())
    assert sf["fast_ripple"] == float(p["FR_sf"].squeeze())


def test_bad_thresholds_and_gaps_rejected():
    with pytest.raises(ValueError, match="> 0"):
        ADMEncoder(ADMConfig(), FS, [[0.0]], 10, ("ripple",))
    enc = ADMEncoder(ADMConfig(), FS, [[1.0]], 10, ("ripple",))
    with pytest.raises(ValueError, match="contiguous"):
        enc.process(np.zeros((1, 1, 3)), 2)
