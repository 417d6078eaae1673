"""One-call front end: streaming a Recording equals encoding the array; zero-phase; early stop."""

from __future__ import annotations

import numpy as np
import pytest

from hfo_detect.config import get_preset, with_overrides
from hfo_detect.frontend import encode_array, encode_recording
from hfo_detect.frontend.encode import nominal_sfreq
from hfo_detect.io import Recording


def noisy(n_ch=3, seconds=70.0, fs=2000.0, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    x = np.cumsum(rng.standard_normal((n_ch, n)), axis=1) * 2 + rng.standard_normal((n_ch, n)) * 5
    t = np.arange(n) / fs
    x[1] += 40 * np.sin(2 * np.pi * 120 * t) * (np.abs(t - 30) < 0.05)  # one ripple-like burst
    return x


@pytest.mark.parametrize("encoder", ["faithful", "continuous"])
@pytest.mark.parametrize("rule", ["whole", "first10s"])
def test_recording_stream_equals_array(encoder, rule):
    x = noisy()
    cfg = with_overrides(get_preset("hfo256"), adm__encoder=encoder, calibration__rule=rule)
    rec = Recording.from_array(x, 2000.0, ["A1-A2", "A2-A3", "A3-A4"])
    # the Recording stores volts (MNE): compare with its own microvolts, equal to x within ulps
    ref = encode_array(rec.get_data_uv(), 2000.0, cfg)
    got = encode_recording(rec, cfg, chunk_s=3.7)
    np.testing.assert_array_equal(got.thresholds, ref.thresholds)
    np.testing.assert_array_equal(got.spikes.times, ref.spikes.times)
    np.testing.assert_array_equal(got.spikes.source, ref.spikes.source)
    np.testing.assert_array_equal(got.spikes.channel, ref.spikes.channel)
    assert len(ref.spikes) > 100 and ref.band_names == (
        "ripple_lo", "ripple_hi", "fast_ripple_lo", "fast_ripple_hi", "artifact")
    # the burst channel fires more ripple events (streams 0-3: both ripple sub-bands) around
    # t = 30 s than the others
    sp = ref.spikes
    near = (np.abs(sp.times - 30) < 0.05) & (sp.source < 4)
    assert np.bincount(sp.channel[near], minlength=3).argmax() == 1


def test_given_thresholds_skip_calibration_and_zero_phase_runs():
    x = noisy(2, 20.0)
    cfg = get_preset("hfo256")
    thr = np.array([[5, 6], [5, 6], [2, 3], [2, 3], [4, 4]])  # 2 ripple, 2 fast-ripple sub-bands, artifact
    res = encode_array(x, 2000.0, cfg, thresholds=thr)
    np.testing.assert_array_equal(res.thresholds, thr)
    zp = encode_array(x, 2000.0, with_overrides(cfg, filters__mode="zero-phase"), thresholds=thr)
    assert zp.spikes.n_channels == 2 and len(zp.spikes) > 0
    assert not np.array_equal(zp.counts(), res.counts())  # a different filter, other events


def test_sampling_rate_snapped_only_when_float_noise():
    assert nominal_sfreq(1999.9999999993322, 1e-9) == 2000.0
    assert nominal_sfreq(2048.0, 1e-9) == 2048.0
    assert nominal_sfreq(1999.9, 1e-9) == 1999.9


def test_nan_sample_is_reported():
    from hfo_detect.errors import NonFiniteDataError

    x = noisy(2, 10.0)
    x[1, 12345] = np.nan
    with pytest.raises(NonFiniteDataError, match="NaN"):
        encode_array(x, 2000.0, get_preset("hfo256"), path="rec.edf")
    with pytest.raises(NonFiniteDataError, match="rec.edf"):
        encode_array(x, 2000.0, get_preset("hfo256"), thresholds=[[5, 5]] * 2 + [[2, 2]] * 2 + [[3, 3]],
                     path="rec.edf")


def test_join_blocks_orders_a_tie_on_a_block_boundary():
    """Two bands firing at the same instant, one at the end of a block, one at the start of the
    next: the joined train is ordered by (channel, time, source) like a one-shot encode."""
    from hfo_detect.frontend.encode import join_blocks
    from hfo_detect.spikes import SpikeTrains

    a = SpikeTrains(np.array([0.1, 0.5, 0.2]), np.array([0, 0, 1]), np.array([0, 2, 1]), 2)
    b = SpikeTrains(np.array([0.5, 0.7, 0.6]), np.array([0, 0, 1]), np.array([1, 3, 0]), 2)
    j = join_blocks([a, b], 2, ())
    assert j.times.tolist() == [0.1, 0.5, 0.5, 0.7, 0.2, 0.6]
    assert j.source.tolist() == [0, 1, 2, 3, 1, 0]
    assert j.channel.tolist() == [0, 0, 0, 0, 1, 1]
