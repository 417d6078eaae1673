"""Progress in channel-seconds: one recording moves the bar during its passes, and ends full."""

from __future__ import annotations

import numpy as np
import pytest

from hfo_detect import progress
from hfo_detect.io import write_edf
from hfo_detect.runner import detect_recording


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("p") / "rec_ieeg.edf"
    return write_edf(path, rng.normal(0, 20, (3, 2000 * 6)), 2000.0, ["A1-A2", "B1-B2", "C1-C2"])


@pytest.mark.parametrize("channel_jobs", [1, 2])
def test_network_run_reports_channel_seconds_while_it_runs(edf, tmp_path, channel_jobs):
    calls = []
    with progress.reporting_to(lambda kind, value: calls.append((kind, value))):
        detect_recording(edf, tmp_path, montage="as-is", params={"preset": "hfo256"},
                         chunk_s=2.0, channel_jobs=channel_jobs)
    totals = [v for k, v in calls if k == "total"]
    steps = [v for k, v in calls if k == "advance"]
    assert totals == [pytest.approx(3 * 6.0)]
    assert sum(steps) == pytest.approx(18.0)
    assert len(steps) >= 6  # several steps per pass, not one jump at the end


def test_baseline_without_reports_still_ends_full_and_silent_without_sink(edf, tmp_path):
    calls = []
    with progress.reporting_to(lambda kind, value: calls.append((kind, value))):
        detect_recording(edf, tmp_path, detector="rms", montage="as-is")
    assert sum(v for k, v in calls if k == "advance") == pytest.approx(18.0)
    progress.advance(5.0)  # no sink: nothing happens, nothing raises
