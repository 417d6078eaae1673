"""``hfo-detect encode`` end to end on the authors' snippet: the exact reference counts."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from hfo_detect.cli import main



@pytest.mark.parametrize("rule, expect", [
    ("whole", [("ripple", 9, 51, 55), ("fast_ripple", 3, 2639, 2638)]),
    ("first10s", [("ripple", 4, 394, 402), ("fast_ripple", 2, 7365, 7364)]),
])
def test_reference_counts_through_cli(snn_mat, tmp_path, rule, expect):
    main(["encode", str(snn_mat), "--out", str(tmp_path), "--preset", "sharifhazileh2021",
          "--montage", "as-is", "--calibration", rule, "--events"])
    table = pd.read_csv(tmp_path / f"{snn_mat.stem}_adm.tsv", sep="\t")
    assert list(table.columns) == ["channel", "band", "threshold_uv", "threshold_min_uv",
                                   "threshold_max_uv", "n_up", "n_down", "rate_hz"]
    got = [(r.band, r.threshold_uv, r.n_up, r.n_down) for r in table.itertuples()]
    assert got == expect
    # the paper's rule keeps one threshold: its range is that threshold
    assert (table.threshold_min_uv == table.threshold_uv).all()
    assert (table.threshold_max_uv == table.threshold_uv).all()
    assert table.rate_hz.tolist() == pytest.approx([(u + d) / 50.0 for _, _, u, d in expect])
    ev = pd.read_csv(tmp_path / f"{snn_mat.stem}_adm_events.tsv", sep="\t")
    assert list(ev.columns) == ["channel", "band", "polarity", "time_s"]
    assert len(ev) == sum(u + d for _, _, u, d in expect)
    assert (ev[(ev.band == "ripple")].polarity == "up").sum() == expect[0][2]
    assert ev.time_s.between(0, 50).all()


def test_continuous_encoder_option(snn_mat, tmp_path):
    main(["encode", str(snn_mat), "--out", str(tmp_path), "--preset", "sharifhazileh2021",
          "--montage", "as-is", "--encoder", "continuous"])
    table = pd.read_csv(tmp_path / f"{snn_mat.stem}_adm.tsv", sep="\t")
    assert table.threshold_uv.tolist() == [9, 3]  # thresholds do not depend on the encoder
    assert table.n_up.tolist() != [51, 2639]


def test_bad_input_is_one_line_error(tmp_path):
    bad = tmp_path / "garbage.edf"
    bad.write_bytes(b"not an edf at all")
    proc = subprocess.run([sys.executable, "-m", "hfo_detect", "encode", str(bad), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "garbage.edf" in proc.stderr


def test_default_preset_thresholds_are_not_truncated(snn_mat, tmp_path):
    """The floor calibration works in 0.1-uV steps: the table shows the encoder's thresholds."""
    from hfo_detect.detector import NeuromorphicDetector
    from hfo_detect.io import open_recording

    main(["encode", str(snn_mat), "--out", str(tmp_path), "--montage", "as-is"])
    table = pd.read_csv(tmp_path / f"{snn_mat.stem}_adm.tsv", sep="\t")
    det = NeuromorphicDetector().fit(open_recording(snn_mat, montage="as-is"))
    expected = det.thresholds_.to_numpy()[0]  # one channel: its threshold per band
    assert table.threshold_uv.tolist() == pytest.approx(list(expected))
    assert any(t != int(t) for t in table.threshold_uv)  # sub-microvolt steps survive
    # the 50-s snippet is tracked (10-s spans): the threshold moves with the floor around it
    gains = det.floor_track_.gains[:, 0]  # (bands, windows)
    assert table.threshold_min_uv.tolist() == pytest.approx(list(expected / gains.max(axis=1)))
    assert table.threshold_max_uv.tolist() == pytest.approx(list(expected / gains.min(axis=1)))
    assert (table.threshold_min_uv < table.threshold_uv).all()
    assert (table.threshold_max_uv > table.threshold_uv).all()
