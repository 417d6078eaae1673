"""Power model (Sharifhazileh et al. 2021, power figures): hand-computed numbers, folder reading and the ``power`` CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hfo_detect.errors import HFODetectError
from hfo_detect.power import (PAPER_CHIP_TOTAL_UW, PowerConfig, estimate_power,
                              n_chips_needed, reference_chip_power)

HFO_DETECT = [sys.executable, "-m", "hfo_detect"]


def two_channel_counts() -> pd.DataFrame:
    # channel A: 100 ADM ev/s, 8500 synaptic ev/s (fan-out 85), 1 spike/s over 10 s; B is silent
    return pd.DataFrame({"channel": ["A", "B"], "adm_events": [1000, 0],
                         "synaptic_events": [85000, 0], "hidden_spikes": [10, 0],
                         "n_hfo": [2, 0], "hfo_per_min": [12.0, 0.0], "duration_s": [10.0, 10.0],
                         "n_hidden": [85, 85]})


def test_per_channel_parts_hand_computed():
    est = estimate_power(two_channel_counts())
    a = est.channels.set_index("channel").loc["A"]
    # uW = events/s * nJ * 1e-3
    assert a["adm_uw"] == pytest.approx(100 * 0.9e-3)
    assert a["broadcast_uw"] == pytest.approx(100 * 6.8e-3)
    assert a["synaptic_uw"] == pytest.approx(8500 * 0.32e-3)
    assert a["spike_uw"] == pytest.approx(1 * (0.9 + 0.36) * 1e-3)
    assert a["dynamic_uw"] == pytest.approx(3.49126)
    assert a["headstage_uw"] == pytest.approx(40 + 12 + 4)
    assert a["channel_uw"] == pytest.approx(59.49126)
    assert a["energy_per_hfo_uj"] == pytest.approx(59.49126 * 10 / 2)
    b = est.channels.set_index("channel").loc["B"]
    assert b["dynamic_uw"] == 0.0 and b["channel_uw"] == pytest.approx(56.0)
    assert math.isnan(b["energy_per_hfo_uj"])


def test_headstage_pays_a_filter_and_an_adm_per_band():
    counts = two_channel_counts().assign(n_bands=[5, 2])
    ch = estimate_power(counts).channels.set_index("channel")
    assert ch.loc["A", "headstage_uw"] == pytest.approx(40 + 5 * (6 + 2))
    assert ch.loc["B", "headstage_uw"] == pytest.approx(40 + 2 * (6 + 2))


def test_per_recording_totals_hand_computed():
    rec = estimate_power(two_channel_counts(), recording="r1").recordings.iloc[0]
    assert rec["n_chips"] == 1
    assert rec["bias_uw"] == 60.0 and rec["periphery_uw"] == 19.5
    assert rec["headstage_uw"] == pytest.approx(112.0)
    assert rec["static_uw"] == pytest.approx(191.5)
    assert rec["dynamic_uw"] == pytest.approx(3.49126)
    assert rec["total_uw"] == pytest.approx(194.99126)
    assert rec["energy_per_hfo_uj"] == pytest.approx(194.99126 * 10 / 2)
    # one full chip at the mean per-channel activity: 79.5 + 8 * (56 + 3.49126 / 2)
    assert rec["chip_8ch_uw"] == pytest.approx(541.46504)
    assert rec["paper_chip_total_uw"] == PAPER_CHIP_TOTAL_UW == 614.3


def test_duration_argument_overrides_column_and_constants_are_parameters():
    cfg = PowerConfig(synaptic_nj=1.0, bias_uw=0.0, periphery_uw=0.0, lna_uw=0.0,
                      filter_band_uw=0.0, adm_band_uw=0.0, adm_event_nj=0.0, broadcast_nj=0.0,
                      spike_nj=0.0, route_nj=0.0)
    rec = estimate_power(two_channel_counts(), duration_s=100.0, cfg=cfg).recordings.iloc[0]
    assert rec["total_uw"] == pytest.approx(850 * 1.0e-3)  # 85000 events / 100 s * 1 nJ


@pytest.mark.parametrize("n_ch, n_hidden, chips", [(2, 85, 1), (8, 85, 1), (9, 0, 2),
                                                    (8, 256, 2), (12, 85, 2), (1, 0, 1)])
def test_chip_count(n_ch, n_hidden, chips):
    assert n_chips_needed(n_ch, n_hidden, PowerConfig()) == chips


def test_reference_chip_is_calibrated_to_paper_total():
    ref = reference_chip_power()
    # Sharifhazileh et al. 2021, power figures order of magnitude: 311 ev/s x 85 -> ~8.5 uW synaptic and ~2.1 uW broadcast per channel
    assert ref["synaptic_uw"] / 8 == pytest.approx(311 * 85 * 0.32e-3)
    assert ref["broadcast_uw"] / 8 == pytest.approx(311 * 6.8e-3)
    assert ref["static_uw"] == pytest.approx(60 + 19.5 + 8 * 56)
    assert ref["total_uw"] == pytest.approx(614.339, abs=1e-3)
    assert abs(ref["total_uw"] - PAPER_CHIP_TOTAL_UW) < 0.5
    assert ref["static_uw"] > 5 * ref["dynamic_uw"]  # Sharifhazileh et al. 2021, power figures: static power dominates


def test_bad_tables_raise_one_line_errors():
    with pytest.raises(HFODetectError, match="synaptic_events"):
        estimate_power(pd.DataFrame({"channel": ["A"], "adm_events": [1], "hidden_spikes": [0]}), 1.0)
    with pytest.raises(HFODetectError, match="duration"):
        estimate_power(two_channel_counts().drop(columns="duration_s"))
    with pytest.raises(HFODetectError, match="positive"):
        estimate_power(two_channel_counts(), duration_s=0.0)


def write_detection_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    two_channel_counts().to_csv(folder / "rec1_counts.tsv", sep="\t", index=False)
    # second recording: duration only in the metadata, 20 s
    c2 = two_channel_counts().drop(columns="duration_s")
    c2.to_csv(folder / "rec2_counts.tsv", sep="\t", index=False)
    (folder / "rec2_detect.json").write_text(json.dumps({"duration_s": 20.0, "detector": "snn"}))


def test_estimate_dir_reads_counts_and_metadata(tmp_path):
    write_detection_dir(tmp_path)
    from hfo_detect.commands.power import estimate_run_folder

    est = estimate_run_folder(tmp_path)
    recs = est.recordings.set_index("recording")
    assert list(recs.index) == ["rec1", "rec2"]
    assert recs.loc["rec1", "dynamic_uw"] == pytest.approx(3.49126)
    assert recs.loc["rec2", "dynamic_uw"] == pytest.approx(3.49126 / 2)


def test_power_cli_json(tmp_path):
    write_detection_dir(tmp_path)
    proc = subprocess.run(HFO_DETECT + ["power", str(tmp_path), "--json"], capture_output=True,
                          text=True, check=True)
    data = json.loads(proc.stdout)
    assert data["paper_chip_total_uw"] == 614.3
    rec = data["recordings"][0]
    for key in ("total_uw", "static_uw", "dynamic_uw", "adm_uw", "broadcast_uw", "synaptic_uw",
                "spike_uw", "bias_uw", "periphery_uw", "headstage_uw", "chip_8ch_uw"):
        assert key in rec
    assert rec["total_uw"] == pytest.approx(194.99126)
    assert data["channels"][1]["energy_per_hfo_uj"] is None  # no HFO on B
    assert "synaptic_nj" in data["unverified"]


def test_power_cli_text_and_override(tmp_path):
    write_detection_dir(tmp_path)
    proc = subprocess.run(HFO_DETECT + ["power", str(tmp_path), "--set", "bias_uw=0"],
                          capture_output=True, text=True, check=True)
    assert "614.3" in proc.stdout and "rec1" in proc.stdout
    assert " 135.0 " in proc.stdout.splitlines()[1]  # 194.99 - 60 bias


def test_power_cli_names_units_chip_rule_and_demo_layout(tmp_path):
    """Full recording names, plain uW numbers, the chips rule stated; DIR/detections is found."""
    run = tmp_path / "detections"
    run.mkdir()
    long_a = "sub-01_ses-preimplant_task-rest_acq-seeg_run-01"
    long_b = "sub-01_ses-preimplant_task-rest_acq-seeg_run-02"
    for stem in (long_a, long_b):
        counts = pd.concat([two_channel_counts()] * 22, ignore_index=True).iloc[:43]
        counts["channel"] = [f"C{i}-C{i + 1}" for i in range(43)]
        counts["n_hidden"] = 256
        counts["adm_events"] = 4e6  # busy channels: a total in the thousands of uW
        counts.to_csv(run / f"{stem}_counts.tsv", sep="\t", index=False)
    proc = subprocess.run(HFO_DETECT + ["power", str(tmp_path)], capture_output=True, text=True,
                          check=True)
    out = proc.stdout
    assert long_a in out and long_b in out
    assert "e+" not in out
    row = next(line for line in out.splitlines() if line.startswith(long_a)).split()
    assert row[1] == "43" and row[2] == "11"  # 43 x 256 neurons on 1024-neuron chips
    assert "one chip holds 4 channels" in out and "ceil(channels / 8" in out


def test_power_cli_empty_folder_is_one_line_error(tmp_path):
    proc = subprocess.run(HFO_DETECT + ["power", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and str(tmp_path) in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("column", ["n_bands", "adm_events"])
def test_a_non_number_in_the_counts_table_is_one_error_naming_the_column(column):
    from hfo_detect.errors import HFODetectError

    counts = two_channel_counts().assign(n_bands=[5, 5])
    counts[column] = ["abc", "5"]
    with pytest.raises(HFODetectError, match=f"r1: counts table column '{column}' holds non-numbers"):
        estimate_power(counts, recording="r1")
