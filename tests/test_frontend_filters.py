"""Filter bank: SOS equals the paper's lfilter(b, a); streaming equals one pass; low fs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io as sio
from scipy import signal

from hfo_detect.config import BandConfig, FilterBankConfig, get_preset
from hfo_detect.errors import SamplingRateError
from hfo_detect.frontend import FilterBank, design_filter_bank


def test_sos_equals_papers_lfilter_on_real_snippet(snn_mat):
    """The paper: butter(2, [lo/1000, hi/1000], 'band') + lfilter from zero state (the authors' code, filter bank)."""
    x = sio.loadmat(snn_mat)["channels"].astype(float)
    out = FilterBank(get_preset("sharifhazileh2021").filters, 2000.0, 1).process(x)
    assert out.shape == (2, 1, 100000)
    for k, (lo, hi) in enumerate([(80, 250), (250, 500)]):
        b, a = signal.butter(2, [lo / 1000, hi / 1000], btype="band")
        ref = signal.lfilter(b, a, x[0])
        assert np.abs(out[k, 0] - ref).max() <= 1e-12 * np.abs(ref).max()


def test_bit_identical_to_scipy_sosfilt_and_chunking_invisible():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3000)) * 50  # 5 channels: exercises the partial 4-channel block
    cfg = FilterBankConfig()
    sos = design_filter_bank(cfg, 2048.0)
    whole = FilterBank(cfg, 2048.0, 5).process(x)
    fb = FilterBank(cfg, 2048.0, 5)
    parts = np.concatenate([fb.process(x[:, i:i + n]) for i, n in
                            zip([0, 1, 3, 10, 1000], [1, 2, 7, 990, 2000])], axis=-1)
    for k in range(2):
        np.testing.assert_array_equal(whole[k], signal.sosfilt(sos[k], x, axis=-1))
    np.testing.assert_array_equal(parts, whole)


def test_other_orders_and_mixed_orders():
    cfg = FilterBankConfig(bands=(BandConfig("a", 80, 250, 3), BandConfig("b", 250, 500, 1)))
    x = np.random.default_rng(1).standard_normal((2, 500))
    out = FilterBank(cfg, 2000.0, 2).process(x)
    for k, band in enumerate(cfg.bands):
        sos = signal.butter(band.order, [band.low_hz, band.high_hz], "band", fs=2000.0, output="sos")
        np.testing.assert_array_equal(out[k], signal.sosfilt(sos, x, axis=-1))


def test_low_sampling_rate_error_or_drop():
    with pytest.raises(SamplingRateError, match="fast_ripple"):
        design_filter_bank(FilterBankConfig(), 800.0)
    with pytest.warns(UserWarning, match="dropped"):
        fb = FilterBank(FilterBankConfig(on_low_fs="drop"), 800.0, 3)
    assert [b.name for b in fb.bands] == ["ripple"]
    with pytest.raises(SamplingRateError, match="no frequency band"), pytest.warns(UserWarning):
        design_filter_bank(FilterBankConfig(on_low_fs="drop"), 100.0)
