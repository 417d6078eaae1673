"""The lazy Recording view and its chunk iterator."""

from __future__ import annotations

import mne
import numpy as np
import pytest

from hfo_detect.io import Recording, iter_chunks, open_recording, read_recording, write_edf

SFREQ = 1000.0


def _ramp_recording(n_times: int, n_ch: int = 2) -> Recording:
    """Sample k of channel c holds c * 1e6 + k, so every sample says where it came from.

    (Through the Raw's volts the values come back to ~1e-10 uV, far below the 1.0 spacing.)
    """
    data = np.arange(n_times, dtype=np.float64)[None, :] + 1e6 * np.arange(n_ch)[:, None]
    return Recording.from_array(data, SFREQ, [f"C{i}" for i in range(n_ch)])


@pytest.mark.parametrize("chunk_s", [1.0, 0.7, 0.333, 2.5, 10.0])
@pytest.mark.parametrize("overlap_s", [0.0, 0.05, 0.4])
def test_chunk_cores_cover_every_sample_once(chunk_s, overlap_s):
    n_times = 2503  # divisible by none of the chunk sizes
    rec = _ramp_recording(n_times)
    counts = np.zeros(n_times, dtype=int)
    previous_stop = 0
    for chunk in iter_chunks(rec, chunk_s, overlap_s):
        assert chunk.start == previous_stop  # cores are consecutive
        previous_stop = chunk.stop
        counts[chunk.start : chunk.stop] += 1
        # the data carry the core plus the overlap before it, clipped at the start
        assert chunk.overlap == min(round(overlap_s * SFREQ), chunk.start)
        expected = np.arange(chunk.data_start, chunk.stop, dtype=float)
        np.testing.assert_allclose(chunk.data_uv[0], expected, rtol=0, atol=1e-6)
        np.testing.assert_allclose(chunk.core_uv[1], 1e6 + np.arange(chunk.start, chunk.stop), rtol=0, atol=1e-6)
    assert previous_stop == n_times
    np.testing.assert_array_equal(counts, 1)


def test_symmetric_overlap_adds_context_after():
    rec = _ramp_recording(1000)
    chunks = list(rec.iter_chunks(chunk_s=0.3, overlap_s=0.05, symmetric=True))
    assert [(c.start, c.stop) for c in chunks] == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    assert [(c.overlap, c.overlap_after) for c in chunks] == [(0, 50), (50, 50), (50, 50), (50, 0)]
    for c in chunks:
        np.testing.assert_allclose(c.data_uv[0], np.arange(c.start - c.overlap, c.stop + c.overlap_after), atol=1e-6)
        np.testing.assert_allclose(c.core_uv[0], np.arange(c.start, c.stop), atol=1e-6)


def test_recording_from_edf_reads_spans_lazily(tmp_path):
    rng = np.random.default_rng(3)
    data = rng.normal(0.0, 40.0, (3, 7000))
    path = write_edf(tmp_path / "long.edf", data, SFREQ, ["D1", "D2", "D3"])
    rec = open_recording(path)
    assert not rec._raw.preload  # nothing loaded up front
    assert rec.ch_names == ["D1-D2", "D2-D3"] and rec.ch_pairs == [("D1", "D2"), ("D2", "D3")]
    assert (rec.n_times, rec.sfreq, rec.duration_s) == (7000, SFREQ, 7.0)
    step = (data.max(axis=1) - data.min(axis=1)).max() / 65535 * 2 + 1e-3
    span = rec.get_data_uv(1234, 2345)
    assert span.dtype == np.float64 and span.shape == (2, 1111)
    np.testing.assert_allclose(span, data[:2, 1234:2345] - data[1:, 1234:2345], atol=step)
    # chunks glued back together equal one whole read
    whole = rec.get_data_uv()
    glued = np.hstack([c.core_uv for c in rec.iter_chunks(chunk_s=1.3, overlap_s=0.2)])
    np.testing.assert_array_equal(glued, whole)
    # and the Raw from the same file agrees
    np.testing.assert_allclose(read_recording(path).get_data() * 1e6, whole)


def test_recording_from_raw_and_to_raw():
    data = np.random.default_rng(4).normal(0.0, 30.0, (3, 500))
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(["E1", "E2", "E3"], SFREQ, "ecog"), verbose="error")
    as_is = Recording.from_raw(raw)
    np.testing.assert_allclose(as_is.get_data_uv(), data)
    bip = Recording.from_raw(raw, montage="bipolar")
    back = bip.to_raw()
    assert back.ch_names == ["E1-E2", "E2-E3"] and back.get_channel_types() == ["ecog", "ecog"]
    np.testing.assert_allclose(back.get_data() * 1e6, data[:2] - data[1:])
    assert as_is.to_raw(preload=False).ch_names == ["E1", "E2", "E3"]
