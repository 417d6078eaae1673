"""``hfo-detect simulate`` writes a BIDS-like folder whose EDF+ reads back as simulated."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from hfo_detect.cli import cli
from hfo_detect.events import EventTable
from hfo_detect.simulate import default_channel_names, simulate_recording

STEM = "sub-sim01/ieeg/sub-sim01_task-sim_run-01"
ARGS = ["--seed", "3", "--duration", "20", "--channels", "8", "--snr-db", "2", "12", "--sfreq", "2048"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "bench"
    result = CliRunner().invoke(cli, ["simulate", "--out", str(out), *ARGS, "--line-noise", "50"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_cli_reports_what_it_wrote(written):
    out, output = written
    assert f"to {out}" in output
    assert "sub-sim01_task-sim_run-01_ieeg.edf" in output and "ripple" in output


def test_cli_edf_has_right_channels_duration_and_data(written):
    import mne

    out, _ = written
    raw = mne.io.read_raw_edf(out / f"{STEM}_ieeg.edf", infer_types=True, preload=True, verbose="error")
    assert raw.ch_names == default_channel_names(8)
    assert set(raw.get_channel_types()) == {"seeg"}
    assert raw.info["sfreq"] == 2048.0 and raw.n_times == 20 * 2048
    same = simulate_recording(20.0, 8, seed=(3, 0), snr_db=(2.0, 12.0), line_noise_hz=50.0)
    data = raw.get_data(units="uV")
    step = (same.data_uv.max(axis=1) - same.data_uv.min(axis=1)) / 65535  # 16-bit quantization
    assert (np.abs(data - same.data_uv).max(axis=1) <= step).all()
    # the EDF+ annotations carry the truth (kind[/fr_and_r] on each channel)
    from_edf = EventTable.from_annotations(raw.annotations)
    truth = EventTable.read(out / f"{STEM}_events.tsv")
    assert len(from_edf) == len(truth) > 0
    np.testing.assert_allclose(from_edf.onset, truth.onset, atol=1e-6)
    assert from_edf.df["kind"].tolist() == truth.df["kind"].tolist()
    assert from_edf.df["fr_and_r"].tolist() == truth.df["fr_and_r"].tolist()


def test_cli_edf_reads_through_the_project_reader(written):
    """The project's reader finds the BIDS tree and gives the bipolar channels unchanged."""
    from hfo_detect.io import read_recording

    out, _ = written
    raw = read_recording(out / f"{STEM}_ieeg.edf")
    assert raw.ch_names == default_channel_names(8)
    assert raw.n_times / raw.info["sfreq"] == pytest.approx(20.0)


def test_cli_truth_and_sidecars(written):
    out, _ = written
    truth = EventTable.read(out / f"{STEM}_events.tsv")
    assert set(truth.channels) <= set(default_channel_names(8))
    assert truth.df["snr_db"].dropna().between(2.0, 12.0).all()
    channels = (out / f"{STEM}_channels.tsv").read_text().splitlines()
    assert channels[0].split("\t")[:3] == ["name", "type", "units"]
    assert [line.split("\t")[0] for line in channels[1:]] == default_channel_names(8)
    assert (out / "dataset_description.json").is_file()


def test_cli_bad_set_and_impossible_rates(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["simulate", "--out", str(tmp_path / "x"), "--set", "nonsense=1"])
    assert bad.exit_code != 0 and "NAME=VALUE" in bad.output
    dense = runner.invoke(cli, ["simulate", "--out", str(tmp_path / "y"), "--duration", "5",
                                "--set", "ripple_rate_per_min=600"])
    assert dense.exit_code != 0 and "lower the rates" in dense.output
