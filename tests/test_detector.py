"""NeuromorphicDetector: the paper's reference numbers (Appendix A), streaming, sklearn API."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from hfo_detect.detector import NeuromorphicDetector
from hfo_detect.errors import SamplingRateError


@pytest.fixture(scope="module")
def snn_recording(snn_mat):
    from hfo_detect.io import open_recording

    return open_recording(snn_mat, montage="as-is")


def faithful(**kw):
    return NeuromorphicDetector(preset="sharifhazileh2021", integrator="euler", keep_spikes=True, **kw)


def spans(events):
    return [(round(o, 2), round(o + d, 2)) for o, d in zip(events.onset, events.duration)]


@pytest.fixture(scope="module")
def whole_run(snn_recording):
    det = faithful(calibration="whole")
    events = det.fit_predict(snn_recording)
    return det, events


@pytest.fixture(scope="module")
def first10s_run(snn_recording):
    det = faithful(calibration="first10s")
    events = det.fit_predict(snn_recording)
    return det, events


def test_whole_rule_reproduces_appendix_a(whole_run):
    det, events = whole_run
    assert det.thresholds_.loc[:, ["ripple", "fast_ripple"]].to_numpy().tolist() == [[9, 3]]
    c = det.counts_.iloc[0]
    assert (c.adm_ripple_up, c.adm_ripple_dn, c.adm_fast_ripple_up, c.adm_fast_ripple_dn) == (
        51, 55, 2639, 2638)
    hidden = det.spikes_["hidden"]
    assert len(hidden) == 7
    assert sorted(hidden.source.tolist()) == [46, 54, 62, 70, 71, 78, 82]
    assert spans(events) == [(0.0, 0.06)]
    assert list(events.df["kind"]) == ["hfo"]
    assert list(events.df["detector"]) == ["snn"]


def test_first10s_rule_reproduces_appendix_a(first10s_run):
    det, events = first10s_run
    assert det.thresholds_.to_numpy().tolist() == [[4, 2]]
    c = det.counts_.iloc[0]
    assert (c.adm_ripple_up, c.adm_ripple_dn, c.adm_fast_ripple_up, c.adm_fast_ripple_dn) == (
        394, 402, 7365, 7364)
    hidden = det.spikes_["hidden"]
    assert len(hidden) == 40
    assert np.unique(hidden.source).size == 35
    assert spans(events) == [(0.0, 0.06), (10.62, 10.71), (17.42, 17.51)]


def test_counts_table(first10s_run):
    det, events = first10s_run
    c = det.counts_.iloc[0]
    assert c.channel == "AL1-AL2"  # the file's label "AL1-2", canonical as in the events
    assert c.adm_events == 394 + 402 + 7365 + 7364
    # all-to-all: every ADM event reaches all 85 hidden neurons
    assert c.synaptic_events == 85 * c.adm_events
    assert c.hidden_spikes == 40 and c.n_hfo == 3
    assert c.duration_s == pytest.approx(50.0)
    assert c.hfo_per_min == pytest.approx(3 / (50.0 / 60.0))
    assert (c.n_hidden, c.n_synapses) == (85, 340)


@pytest.mark.parametrize("chunk_s", [7.3, 10.0, 0.97])
def test_chunked_predict_equals_one_shot(snn_recording, first10s_run, chunk_s):
    ref_det, ref_events = first10s_run
    det = faithful(calibration="first10s", chunk_s=chunk_s)
    events = det.fit_predict(snn_recording)
    np.testing.assert_array_equal(det.thresholds_.to_numpy(), ref_det.thresholds_.to_numpy())
    assert events.df.equals(ref_events.df)
    np.testing.assert_array_equal(det.spikes_["hidden"].times, ref_det.spikes_["hidden"].times)
    np.testing.assert_array_equal(det.spikes_["hidden"].source, ref_det.spikes_["hidden"].source)
    assert det.counts_.equals(ref_det.counts_)


def test_mne_raw_input_gives_the_same_events(snn_recording, whole_run):
    raw = snn_recording.to_raw()
    det = faithful(calibration="whole")
    events = det.fit(raw).predict(raw)
    assert spans(events) == spans(whole_run[1])


def _bursts(sfreq=2000.0, seconds=12.0, seed=1):
    """Two channels of noise with strong ripple (150 Hz) and fast-ripple (380 Hz) bursts."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sfreq)
    t = np.arange(n) / sfreq
    data = rng.normal(0, 5.0, (2, n))
    plan = {0: [(3.0, 150.0), (7.0, 380.0)], 1: [(5.0, 150.0), (9.0, 380.0)]}
    for ch, items in plan.items():
        for onset, f in items:
            m = (t >= onset) & (t < onset + 0.06)
            win = np.hanning(m.sum())
            data[ch, m] += 80.0 * win * np.sin(2 * np.pi * f * (t[m] - onset))
    return data, sfreq, plan


def test_hfo256_labels_ripples_and_fast_ripples():
    from hfo_detect.io import Recording

    data, sfreq, plan = _bursts()
    rec = Recording.from_array(data, sfreq, ["A1", "A2"])
    det = NeuromorphicDetector(seed=0, discard_startup_s=0.5)
    events = det.fit_predict(rec)
    assert det.counts_["n_hidden"].tolist() == [256, 256]
    assert det.counts_["n_synapses"].tolist() == [512, 512]
    # output layer: 4 output neurons, one per sub-band (64 hidden synapses each) + 1 artifact
    # interneuron (UP and DN of the 600-900 Hz band) inhibiting every output
    assert det.counts_["n_neurons"].tolist() == [261, 261]
    assert det.counts_["n_synapses_total"].tolist() == [512 + 256 + 4 + 2] * 2
    assert det.counts_["n_bands"].tolist() == [5, 5]  # 4 HFO sub-bands + the artifact band
    df = events.df
    assert set(df["kind"]) <= {"ripple", "fast_ripple"}
    for ch, items in plan.items():
        name = ["A1", "A2"][ch]
        for onset, f in items:
            hit = df[(df.channel == name) & (df.onset <= onset + 0.06) & (df.onset + df.duration >= onset)]
            kinds = set(hit["kind"])
            want = "ripple" if f < 250 else "fast_ripple"
            assert want in kinds, (name, onset, f, df)
    # n_hfo counts oscillations, not rows: two bursts per channel, nothing else
    assert det.counts_.set_index("channel")["n_hfo"].to_dict() == {"A1": 2, "A2": 2}


def test_sklearn_params_clone_and_config():
    det = NeuromorphicDetector(preset="sharifhazileh2021", calibration="first10s", chunk_s=5.0)
    params = det.get_params()
    assert params["preset"] == "sharifhazileh2021" and params["calibration"] == "first10s"
    assert params["seed"] is None and params["chunk_s"] == 5.0
    twin = clone(det)
    assert twin is not det and twin.get_params() == params
    det.set_params(integrator="fast", seed=4)
    cfg = det.make_config()
    assert cfg.network.integrator == "fast" and cfg.network.seed == 4
    assert cfg.calibration.rule == "first10s" and cfg.network.topology == "sharifhazileh2021"
    # None keeps the preset's value
    base = NeuromorphicDetector().make_config()
    assert base.network.integrator == "lockstep" and base.network.n_hidden == 256
    assert NeuromorphicDetector(overrides={"network__dt_s": 5e-5}).make_config().network.dt_s == 5e-5


def test_predict_before_fit_and_low_sampling_rate():
    from sklearn.exceptions import NotFittedError

    from hfo_detect.io import Recording

    rec = Recording.from_array(np.random.default_rng(0).normal(0, 5, (1, 8000)), 800.0, ["A1"])
    with pytest.raises(NotFittedError):
        NeuromorphicDetector().predict(rec)
    with pytest.raises(SamplingRateError):
        NeuromorphicDetector().fit(rec)


@pytest.mark.parametrize("chunk_s", [0.7, 3.0])
def test_hfo256_fast_integrator_chunked_equals_one_shot(chunk_s):
    from hfo_detect.io import Recording

    data, sfreq, _ = _bursts(seconds=6.0, seed=4)
    rec = Recording.from_array(data, sfreq, ["A1", "A2"])
    one = NeuromorphicDetector(seed=1, keep_spikes=True, chunk_s=60.0)
    ref = one.fit_predict(rec)
    det = NeuromorphicDetector(seed=1, keep_spikes=True, chunk_s=chunk_s)
    events = det.fit_predict(rec)
    assert len(one.spikes_["hidden"]) > 0
    np.testing.assert_array_equal(det.spikes_["hidden"].times, one.spikes_["hidden"].times)
    np.testing.assert_array_equal(det.spikes_["hidden"].source, one.spikes_["hidden"].source)
    assert events.df.equals(ref.df)
    assert det.counts_.equals(one.counts_)


def test_tracked_floor_chunked_on_fewer_channels_and_only_for_its_recording():
    # hfo256 tracks the noise floor over 10-s spans: a 14-s recording is tracked
    from hfo_detect.io import Recording

    data, sfreq, _ = _bursts(seconds=14.0, seed=6)
    data = np.vstack([data, 0.5 * data[0]])
    data[0, int(8 * sfreq):] *= 2.0  # a louder background from 8 s on
    rec = Recording.from_array(data, sfreq, ["A1", "A2", "A3"])
    one = NeuromorphicDetector(seed=1, chunk_s=60.0).fit(rec)
    assert one.floor_track_ is not None and one.floor_track_.gains.shape[1] == 3
    ref = one.predict(rec)
    det = NeuromorphicDetector(seed=1, chunk_s=1.7).fit(rec)
    assert det.predict(rec).df.equals(ref.df) and det.counts_.equals(one.counts_)
    # dropping a channel keeps the others' floors, as fitting on them alone gives
    sub = rec.subset(["A1", "A3"])
    kept = NeuromorphicDetector(seed=1).fit(rec).keep_channels(["A1", "A3"])
    alone = NeuromorphicDetector(seed=1).fit(sub)
    np.testing.assert_array_equal(kept.floor_track_.gains, alone.floor_track_.gains)
    assert len(kept.predict(sub).df) > 0
    # the track belongs to the recording fit saw
    with pytest.raises(ValueError, match="tracked noise floor"):
        one.predict(Recording.from_array(data[:, :int(12 * sfreq)], sfreq, ["A1", "A2", "A3"]))
