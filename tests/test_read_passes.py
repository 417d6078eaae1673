"""One read pass: detect reads a recording once to calibrate and once to detect, no more."""

from __future__ import annotations

import numpy as np
import pytest

from hfo_detect.io import write_edf
from hfo_detect.io.recording import Recording
from hfo_detect.runner import detect_recording


@pytest.fixture(params=[5, 15, 30], ids=["5s", "15s-tracked-floor", "30s"])
def edf(tmp_path, request):
    # 15 s: longer than hfo256's 10-s floor-tracking span, whose per-channel gains must follow
    # the flat channel's removal; 30 s: the flat channel's filtered SD falls below the unit
    # check's 0.01 uV, which must leave it to the flat-channel policy (it stopped detect)
    rng = np.random.default_rng(5)
    data = rng.normal(0, 20, (3, 2000 * request.param))
    data[1] = 7.0  # a flat channel: dropped, found without a pass of its own
    return write_edf(tmp_path / "r_ieeg.edf", data, 2000.0, ["A1-A2", "B1-B2", "C1-C2"])


def _count_reads(monkeypatch):
    calls = {"iter_chunks": 0, "get_data_uv": 0}
    inside = []
    iter_chunks, get_data_uv = Recording.iter_chunks, Recording.get_data_uv

    def counted_iter(self, *a, **k):
        calls["iter_chunks"] += 1
        inside.append(1)
        try:
            yield from iter_chunks(self, *a, **k)
        finally:
            inside.pop()

    def counted_get(self, start=0, stop=None, *a, **k):
        if not inside and start == 0 and (stop is None or stop >= self.n_times):
            calls["get_data_uv"] += 1  # a whole read outside a chunked pass
        return get_data_uv(self, start, stop, *a, **k)

    monkeypatch.setattr(Recording, "iter_chunks", counted_iter)
    monkeypatch.setattr(Recording, "get_data_uv", counted_get)
    return calls


def test_network_reads_twice_and_drops_the_flat_channel(edf, tmp_path, monkeypatch):
    calls = _count_reads(monkeypatch)
    out = detect_recording(edf, tmp_path / "o", montage="as-is", params={"preset": "hfo256"})
    assert calls["iter_chunks"] == 2 and calls["get_data_uv"] == 0
    assert out["n_channels"] == 2  # B1-B2 is flat


def test_baseline_reads_the_signal_once_for_fit_and_predict(edf, tmp_path, monkeypatch):
    calls = _count_reads(monkeypatch)
    detect_recording(edf, tmp_path / "o", detector="rms", montage="as-is")
    # one pass for the reader's flat check, one full read shared by fit and predict
    assert calls["iter_chunks"] + calls["get_data_uv"] <= 2
