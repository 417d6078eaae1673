"""``hfo-detect detect`` and :func:`hfo_detect.runner.detect_recording` end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hfo_detect.cli import cli
from hfo_detect.events import EventTable
from hfo_detect.outputs import output_stem
from hfo_detect.runner import detect_recording

REF_ARGS = ["--montage", "as-is", "--preset", "sharifhazileh2021", "--integrator", "euler"]
COUNT_COLUMNS = ["channel", "adm_events", "synaptic_events", "hidden_spikes", "n_hfo",
                 "hfo_per_min"]


def spans(table):
    return [(round(o, 2), round(o + d, 2)) for o, d in zip(table.onset, table.duration)]


def invoke(args):
    return CliRunner().invoke(cli, ["detect", *args], catch_exceptions=False)


@pytest.mark.parametrize("rule, want", [
    ("whole", [(0.0, 0.06)]),
    ("first10s", [(0.0, 0.06), (10.62, 10.71), (17.42, 17.51)]),
])
def test_cli_reproduces_the_reference(snn_mat, tmp_path, rule, want):
    res = invoke([str(snn_mat), "--out", str(tmp_path), *REF_ARGS, "--calibration", rule])
    assert res.exit_code == 0, res.output
    stem = snn_mat.stem
    assert f"{len(want)} HFO(s)" in res.output
    events = EventTable.read(tmp_path / f"{stem}_events.tsv")
    assert spans(events) == want
    raw_tsv = pd.read_csv(tmp_path / f"{stem}_events.tsv", sep="\t")
    assert list(raw_tsv.columns[:4]) == ["onset", "duration", "trial_type", "channel"]
    counts = pd.read_csv(tmp_path / f"{stem}_counts.tsv", sep="\t")
    assert set(COUNT_COLUMNS) <= set(counts.columns) and len(counts) == 1
    assert counts.hidden_spikes[0] == (7 if rule == "whole" else 40)
    assert counts.n_hfo[0] == len(want)
    # the file stores the label "AL1-2": every output names the channel the same way
    assert counts.channel.tolist() == ["AL1-AL2"]
    assert set(raw_tsv.channel) <= {"AL1-AL2"}
    record = json.loads((tmp_path / f"{stem}_detect.json").read_text())
    assert record["detector"] == "snn" and record["sfreq"] == 2000.0
    assert record["parameters"]["calibration"] == rule
    assert record["config"]["network"]["topology"] == "sharifhazileh2021"
    assert record["totals"]["hidden_spikes"] == counts.hidden_spikes[0]
    assert record["duration_s"] == pytest.approx(50.0)
    assert record["software"]["version"]
    # nothing half-written left behind (the batch runner may add its manifest.jsonl)
    names = {p.name for p in tmp_path.iterdir()} - {"manifest.jsonl"}
    assert names == {f"{stem}_{s}" for s in ("events.tsv", "counts.tsv", "detect.json")}


def test_runner_api_summary(snn_mat, tmp_path):
    out = detect_recording(snn_mat, tmp_path / "new" / "dir", montage="as-is",
                           params={"preset": "sharifhazileh2021", "integrator": "euler",
                                   "calibration": "first10s"}, chunk_s=12.5)
    assert out["status"] == "done" and out["n_hfo"] == 3 and out["n_channels"] == 1
    assert out["duration_s"] == pytest.approx(50.0)
    for p in out["outputs"].values():
        assert (tmp_path / "new" / "dir").joinpath(p.split("/")[-1]).is_file()
    record = json.loads(open(out["outputs"]["json"]).read())
    assert record["parameters"]["chunk_s"] == 12.5


def test_bad_file_fails_alone(snn_mat, tmp_path):
    bad = tmp_path / "broken.edf"
    bad.write_bytes(b"this is not an EDF file at all" * 10)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["detect", str(bad), str(snn_mat), "--out", str(out),
                                   *REF_ARGS, "--calibration", "whole"])
    assert res.exit_code == 1
    err_lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(err_lines) == 1 and "broken.edf" in err_lines[0]
    assert (out / f"{snn_mat.stem}_events.tsv").is_file()
    assert not any(p.name.startswith(("broken", ".")) for p in out.iterdir())


def test_edf_input_with_the_default_network(tmp_path):
    from hfo_detect.io import write_edf

    rng = np.random.default_rng(2)
    sfreq, n = 2000.0, 16000
    data = rng.normal(0, 5.0, (3, n))
    t = np.arange(n) / sfreq
    m = (t >= 4.0) & (t < 4.06)
    data[0, m] += 80 * np.hanning(m.sum()) * np.sin(2 * np.pi * 150 * (t[m] - 4.0))
    path = write_edf(tmp_path / "sub-01_run-01_ieeg.edf", data, sfreq, ["AHR1", "AHR2", "AHR3"])
    res = invoke([str(path), "--out", str(tmp_path / "out"), "--seed", "3", "--min-neurons", "2",
                  "--mismatch-cv", "0.1"])
    assert res.exit_code == 0, res.output
    counts = pd.read_csv(tmp_path / "out" / "sub-01_run-01_counts.tsv", sep="\t")
    assert counts.channel.tolist() == ["AHR1-AHR2", "AHR2-AHR3"]  # bipolar montage
    assert (counts.n_hidden == 256).all() and "adm_ripple_lo_up" in counts.columns
    record = json.loads((tmp_path / "out" / "sub-01_run-01_detect.json").read_text())
    assert record["parameters"]["seed"] == 3 and record["config"]["network"]["seed"] == 3
    assert record["config"]["readout"]["min_neurons"] == 2
    assert record["config"]["network"]["mismatch_cv"] == 0.1


def test_floor_span_option(tmp_path):
    # a 30-s recording whose background doubles halfway: hfo256 follows the floor over 10 s by
    # default; --floor-span 0 keeps one threshold per channel (the paper's rule) and then
    # flags the loud half's noise
    from hfo_detect.io import write_edf

    rng = np.random.default_rng(7)
    data = rng.normal(0, 5.0, (2, 60000))
    data[:, 30000:] *= 2.0
    path = write_edf(tmp_path / "loud_ieeg.edf", data, 2000.0, ["A1-A2", "B1-B2"])
    runs = {}
    for span in ("0", "10"):
        out = tmp_path / f"out{span}"
        res = invoke([str(path), "--out", str(out), "--montage", "as-is", "--floor-span", span])
        assert res.exit_code == 0, res.output
        record = json.loads((out / "loud_detect.json").read_text())
        assert record["config"]["calibration"]["track_s"] == (None if span == "0" else 10.0)
        runs[span] = EventTable.read(out / "loud_events.tsv").df
    # from 21 s on the whole 10-s span lies in the loud half
    loud = {k: int((v.onset > 21).sum()) for k, v in runs.items()}
    assert loud["0"] >= 20 and loud["10"] <= loud["0"] / 10, loud
    res = CliRunner().invoke(cli, ["detect", str(path), "--out", "o", "--floor-span", "-1"])
    assert res.exit_code == 2 and "floor-span" in res.output


def test_options_for_the_network_only():
    res = CliRunner().invoke(cli, ["detect", "x.edf", "--out", "o", "--detector", "rms",
                                   "--preset", "hfo256"])
    assert res.exit_code != 0 and "only apply to --detector snn" in res.output
    res = CliRunner().invoke(cli, ["detect", "x.edf", "--out", "o", "--preset", "nope"])
    assert res.exit_code != 0 and "nope" in res.output


def test_output_stem_drops_the_bids_suffix(tmp_path):
    assert output_stem("a/sub-01_ses-x_run-02_ieeg.vhdr") == "sub-01_ses-x_run-02"
    assert output_stem("rec.edf") == "rec"
    assert output_stem("snn_ieeg_I1_AHR4-AHR3_50s.mat") == "snn_ieeg_I1_AHR4-AHR3_50s"


def test_baseline_detector_gets_a_counts_table(tmp_path):
    pytest.importorskip("hfo_detect.baselines.rms")
    from hfo_detect.io import write_edf

    rng = np.random.default_rng(5)
    sfreq, n = 2000.0, 20000
    data = rng.normal(0, 5.0, (2, n))
    t = np.arange(n) / sfreq
    m = (t >= 5.0) & (t < 5.05)
    data[0, m] += 60 * np.hanning(m.sum()) * np.sin(2 * np.pi * 120 * (t[m] - 5.0))
    path = write_edf(tmp_path / "rec.edf", data, sfreq, ["A1", "B1"])
    out = detect_recording(path, tmp_path / "out", detector="rms", montage="as-is")
    counts = pd.read_csv(out["outputs"]["counts"], sep="\t")
    assert list(counts.columns) == ["channel", "n_hfo", "hfo_per_min", "duration_s"]
    events = EventTable.read(out["outputs"]["events"])
    per_channel = events.df.drop_duplicates(["channel", "onset"]).groupby("channel").size()
    assert counts.set_index("channel")["n_hfo"].to_dict() == {
        c: int(per_channel.get(c, 0)) for c in counts.channel}
    assert counts.duration_s.tolist() == [10.0, 10.0]
    record = json.loads(open(out["outputs"]["json"]).read())
    assert record["detector"] == "rms" and record["config"] is None
