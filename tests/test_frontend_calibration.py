"""Threshold calibration: the authors' rule, streaming = one-shot, boundary samples, unit guard."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io as sio

from hfo_detect.config import CalibrationConfig, get_preset
from hfo_detect.errors import UnitError
from hfo_detect.frontend import FilterBank, ThresholdCalibrator, calibrate_thresholds, encode_array


def authors_rule(x, t, window, q_or_ratio, sf, ratio=False):
    """find_thresholds written out (the authors' code, find_thresholds): closed windows over arange(0, max(t), window)."""
    starts = np.arange(0, np.max(t), window)
    mx = np.array([x[(t >= s) & (t <= s + window)].max() for s in starts])
    mn = np.array([x[(t >= s) & (t <= s + window)].min() for s in starts])
    q = max(int(np.round(len(starts) * q_or_ratio)), 1) if ratio else q_or_ratio
    return sf * (np.mean(np.sort(mx)[:q]) + np.mean(np.sort(-mn)[:q]))


def band_noise(seed, fs=512.0):
    """Filtered-looking noise, (2 bands, 3 channels, 75 s + 3 samples), a level per row."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2, 3, int(75 * fs) + 3)) * rng.uniform(1, 20, (2, 3, 1))


def test_thresholds_of_the_real_snippet(snn_mat):
    """Spec App. A: whole rule 9 / 3, first-10-s rule 4 / 2."""
    x = sio.loadmat(snn_mat)["channels"].astype(float)
    filt = FilterBank(get_preset("sharifhazileh2021").filters, 2000.0, 1).process(x)
    t = np.arange(x.shape[1]) / 2000.0
    for rule, expect in (("whole", (9, 3)), ("first10s", (4, 2))):
        cfg = CalibrationConfig(rule=rule)
        got = [calibrate_thresholds(filt[b], 2000.0, sf, cfg)[0] for b, sf in ((0, 0.6), (1, 0.3))]
        assert got == list(expect)
    keep = t <= 10.0
    raw = authors_rule(filt[0, 0][keep], t[keep], 0.5, 1 / 6, 0.6, ratio=True)
    assert np.ceil(raw) == 4


def test_boundary_sample_counts_in_both_windows():
    """fs = 4 Hz, 1-s windows: the sample at t = 1.0 belongs to [0, 1] and [1, 2]."""
    x = np.array([[0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0]])  # t = 0 .. 2.5
    cal = ThresholdCalibrator(4.0, 1, 1, CalibrationConfig(min_signal_sd_uv=0), [1.0])
    cal.update(x[None], 0)
    wmax, wmin = cal.window_extrema()
    # windows from arange(0, 2.5, 1) = 0, 1, 2
    assert wmax[0, 0].tolist() == [10.0, 10.0, 0.0]
    assert wmin[0, 0].tolist() == [0.0, -1.0, -1.0]
    # 50 quietest of 3 = all: mean max 20/3, mean |min| 2/3 -> ceil(22/3) = 8
    assert cal.thresholds()[0, 0] == 8


@pytest.mark.parametrize("rule", ["whole", "first10s", "floor"])
def test_length_hint_allocates_once_and_changes_nothing(rule):
    fs, x = 512.0, band_noise(5)
    cfg = CalibrationConfig(rule=rule)
    plain = ThresholdCalibrator(fs, 3, 2, cfg, [0.6, 0.3])
    hinted = ThresholdCalibrator(fs, 3, 2, cfg, [0.6, 0.3], n_times=x.shape[2])
    size = hinted._wmax.shape[2]
    for pos in range(0, x.shape[2], 5000):
        for cal in (plain, hinted):
            cal.update(x[:, :, pos:pos + 5000], pos)
    assert hinted._wmax.shape[2] == size  # never regrown (each growth copied the arrays)
    np.testing.assert_array_equal(hinted.raw_thresholds(), plain.raw_thresholds())


@pytest.mark.parametrize("rule", ["whole", "first10s", "floor"])
def test_streaming_equals_one_shot_and_authors_rule(rule):
    """The authors' rules to the last bit; ``floor`` (float32 window extrema) within their
    rounding, 6e-8 relative."""
    fs, x = 512.0, band_noise(4)
    cfg = CalibrationConfig(rule=rule)
    one = ThresholdCalibrator(fs, 3, 2, cfg, [0.6, 0.3])
    one.update(x, 0)
    stream = ThresholdCalibrator(fs, 3, 2, cfg, [0.6, 0.3])
    pos = 0
    for n in [1, 2, 511, 512, 513, 5000] * 20:
        if pos >= x.shape[2]:
            break
        stream.update(x[:, :, pos:pos + n], pos)
        pos += n
    np.testing.assert_array_equal(stream.raw_thresholds(), one.raw_thresholds())
    t = np.arange(x.shape[2]) / fs
    for b, sf in enumerate((0.6, 0.3)):
        for c in range(3):
            if rule == "whole":
                ref = authors_rule(x[b, c], t, 1.0, 50, sf)
            elif rule == "floor":
                ref = authors_rule(x[b, c], t, 0.25, 1 / 6, sf, ratio=True)
            else:
                keep = t <= 10.0
                ref = authors_rule(x[b, c][keep], t[keep], 0.5, 1 / 6, sf, ratio=True)
            rel = 1e-7 if rule == "floor" else 1e-14
            assert one.raw_thresholds()[b, c] == pytest.approx(ref, rel=rel)
    assert one.thresholds().dtype == np.int64


def test_data_in_volts_raise_unit_error():
    rng = np.random.default_rng(5)
    volts = rng.standard_normal((2, 20000)) * 50e-6  # 50 uV noise stored in volts
    with pytest.raises(UnitError, match="volts"):
        encode_array(volts, 2000.0, get_preset("sharifhazileh2021"))
    # the same data in microvolts are fine
    res = encode_array(volts * 1e6, 2000.0, get_preset("sharifhazileh2021"))
    assert (res.thresholds > 1).all()


def test_flat_channels_are_left_to_the_flat_policy_not_the_unit_check():
    x = np.vstack([np.random.default_rng(6).standard_normal(20000) * 20.0, np.full(20000, 7.0)])
    cal = ThresholdCalibrator(2000.0, 2, 1, CalibrationConfig(rule="floor", resolution_uv=0.1),
                              [1.0])
    cal.update(x[None], 0)
    with pytest.raises(UnitError, match="or the channel is flat"):
        cal.thresholds()
    thr = cal.thresholds(flat=np.array([False, True]))
    assert thr[0, 0] > 1.0 and thr[0, 1] == pytest.approx(0.1)  # positive: encodable


# ---------------------------------------------------------------- tracked floor (track_s)
def _tracked(x, fs, track_s, rule="floor"):
    cal = ThresholdCalibrator(fs, x.shape[0], 1, CalibrationConfig(rule=rule, track_s=track_s),
                              [1.0])
    cal.update(x[None], 0)
    return cal


def test_tracked_floor_follows_a_background_that_doubles():
    fs = 1000.0
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 60_000))
    x[:, 30_000:] *= 2.0  # the second half twice as loud
    track = _tracked(x, fs, 10.0).floor_track()
    g = track.gains[0, 0]
    centres = (np.arange(g.size) + 0.5) * track.window_s
    # the whole-recording floor is the quiet half's, so gain 1 there and 1/2 once the span
    # lies in the loud half (span 10 s: from 5 s past the change)
    assert np.allclose(g[centres < 25], 1.0, atol=0.1)
    assert np.allclose(g[centres > 35], 0.5, atol=0.06)
    # the gain of a sample: linear between window centres, constant before the first
    at = track.apply(np.ones((1, 1, 60_000)), 0, fs)[0, 0]  # the gain of every sample
    k = int(round(centres[40] * fs))
    assert at[k] == pytest.approx(g[40], rel=1e-6)
    assert np.all(at[:int(centres[0] * fs)] == g[0])
    mid = int(round(0.5 * (centres[40] + centres[41]) * fs))
    assert at[mid] == pytest.approx(0.5 * (g[40] + g[41]), rel=1e-3)
    # overwrite: the same values, written into the caller's array (what detect's pass 2 asks,
    # to keep one block instead of two in memory); without it the input is left as it was
    y = x[None] * 3.0
    kept = y.copy()
    new = track.apply(y, 0, fs)
    assert np.array_equal(y, kept)
    same = track.apply(y, 0, fs, overwrite=True)
    assert same is y and np.array_equal(same, new)


def test_tracked_floor_is_off_for_recordings_within_the_span_and_bounded_on_flat_ones():
    fs = 1000.0
    x = np.random.default_rng(4).standard_normal((1, 9_000))
    assert _tracked(x, fs, 10.0).floor_track() is None  # 9 s <= 10 s: untracked thresholds
    assert _tracked(x, fs, None).floor_track() is None  # off
    long = np.random.default_rng(6).standard_normal((1, 30_000))
    assert _tracked(long, fs, 10.0).floor_track() is not None
    assert _tracked(long, fs, 10.0, rule="first10s").floor_track() is None  # stops at 10 s
    y = np.random.default_rng(5).standard_normal((1, 40_000))
    clean = _tracked(y, fs, None).raw_thresholds()[0, 0]
    y[:, 20_000:22_000] *= 1e-6  # a disconnected stretch: its floor is ~0
    cal = _tracked(y, fs, 5.0)
    track = cal.floor_track()
    g = track.gains[0, 0]
    centres = (np.arange(g.size) + 0.5) * track.window_s
    from hfo_detect.frontend.calibration import MAX_TRACK_GAIN

    assert g.max() == pytest.approx(MAX_TRACK_GAIN)  # next to the flat stretch: bounded
    # its windows pull the whole-recording floor down (a third of the quietest sixth);
    # away from it the tracked threshold is the noise's own again
    whole = cal.raw_thresholds()[0, 0]
    assert whole < 0.8 * clean
    assert np.allclose(whole / g[centres < 15], clean, rtol=0.1)
