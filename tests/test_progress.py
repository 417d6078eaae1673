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


def test_spikes_file_is_the_same_with_channels_split_over_processes(edf, tmp_path):
    """--keep-spikes with --jobs on one recording: the joined spikes equal a one-process run."""
    from hfo_detect.outputs import read_spikes

    one = detect_recording(edf, tmp_path / "one", montage="as-is",
                           params={"preset": "hfo256", "keep_spikes": True})
    two = detect_recording(edf, tmp_path / "two", montage="as-is",
                           params={"preset": "hfo256", "keep_spikes": True}, channel_jobs=2)
    a, b = read_spikes(one["outputs"]["spikes"]), read_spikes(two["outputs"]["spikes"])
    assert a.channels == b.channels == ["A1-A2", "B1-B2", "C1-C2"]
    for pop in ("adm", "hidden"):
        key = ["channel", "time_s", "source"]
        left = a.populations[pop].sort_values(key).reset_index(drop=True)
        right = b.populations[pop].sort_values(key).reset_index(drop=True)
        assert len(left) > 0 or pop == "hidden"  # noise: ADM events, maybe no hidden spike
        import pandas as pd

        pd.testing.assert_frame_equal(left, right)


FLOOD = '''
import sys, time
from hfo_detect import progress

def flood(_):
    while True:  # a worker reporting progress as fast as it can
        progress._emit("total", 1.0)

if __name__ == "__main__":
    with progress.reporting_to(lambda kind, value: None):
        try:
            with progress.process_pool(2) as pool:
                futures = [pool.submit(flood, i) for i in range(2)]
                time.sleep(1.0)
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
    sys.exit(130)
'''


def test_interrupted_pool_exits_even_if_a_killed_worker_held_the_progress_queue(tmp_path):
    """Workers killed mid-report can leave the progress queue's write lock taken; the parent
    must still exit at once (it used to hang at exit in two runs out of three)."""
    import subprocess
    import sys

    script = tmp_path / "flood.py"
    script.write_text(FLOOD)
    for _ in range(3):
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 130, run.stderr
