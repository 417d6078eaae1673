"""The contract every registered detector keeps (network and baselines alike).

Same inputs (a path, a Recording, an MNE Raw), the same output (an EventTable with the core
columns, kinds among the HFO kinds, channels of the recording), and the same refusals.
"""

from __future__ import annotations

import mne
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from hfo_detect.detectors import DETECTORS, make_detector
from hfo_detect.errors import HFODetectError, MissingFileError
from hfo_detect.events import CORE_COLUMNS, HFO_KINDS, EventTable
from hfo_detect.io import open_recording, read_recording, write_edf

FS = 2000.0
CHANNELS = ["A1-A2", "B1-B2"]
FAST = {"snn": {"preset": "hfo256"}}


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    rng = np.random.default_rng(11)
    t = np.arange(int(6 * FS)) / FS
    data = rng.normal(0, 8, (2, t.size))
    for centre in (1.5, 3.0, 4.5):
        burst = np.abs(t - centre) < 0.05
        data[:, burst] += 80 * np.sin(2 * np.pi * 180 * t[burst]) * np.hanning(burst.sum())
    return write_edf(tmp_path_factory.mktemp("contract") / "c_ieeg.edf", data, FS, CHANNELS)


def _frame(events: EventTable) -> pd.DataFrame:
    return events.df.sort_values(["channel", "onset"]).reset_index(drop=True)


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_same_inputs_same_output(name, edf):
    est = make_detector(name, **FAST.get(name, {}))
    from_path = est.fit(str(edf)).predict(str(edf))
    rec = open_recording(edf, montage="as-is")
    from_rec = clone(est).fit(rec).predict(rec)
    raw = read_recording(edf, montage="as-is")  # an mne.io.Raw
    from_raw = clone(est).fit(raw).predict(raw)
    assert isinstance(raw, mne.io.BaseRaw)
    for events in (from_path, from_rec, from_raw):
        assert isinstance(events, EventTable)
        assert list(events.df.columns[:len(CORE_COLUMNS)]) == list(CORE_COLUMNS)
        assert set(events.df["kind"]) <= set(HFO_KINDS)
        assert set(events.df["channel"]) <= set(CHANNELS)
        assert (events.df["detector"] == name).all()
    pd.testing.assert_frame_equal(_frame(from_rec), _frame(from_raw))
    pd.testing.assert_frame_equal(_frame(from_rec), _frame(from_path))


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_same_refusals(name, edf, tmp_path):
    est = make_detector(name, **FAST.get(name, {}))
    with pytest.raises(NotFittedError):
        est.predict(str(edf))
    with pytest.raises(MissingFileError):
        est.fit(str(tmp_path / "missing.edf"))
    with pytest.raises(TypeError):
        est.fit(np.zeros((2, 100)))
    garbage = tmp_path / "bad.edf"
    garbage.write_bytes(b"not an edf at all" * 20)
    with pytest.raises(HFODetectError):
        est.fit(str(garbage))
