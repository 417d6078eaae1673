"""``hfo-detect info``: text and JSON output on the real crop, one-line errors on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from hfo_detect.cli import cli
from hfo_detect.errors import CorruptFileError
from hfo_detect.io import write_edf


def test_info_text_on_crop(crop_vhdr):
    result = CliRunner().invoke(cli, ["info", str(crop_vhdr)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "BrainVision" in out and "2000 Hz" in out and "5.000 s (10000 samples)" in out
    assert "50 in file" in out and "bipolar -> 43 channels" in out
    assert "AHR3-AHR4  (AHR3 minus AHR4)" in out


def test_info_json_and_montage(crop_vhdr):
    result = CliRunner().invoke(cli, ["info", str(crop_vhdr), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["sfreq_hz"] == 2000.0 and info["n_times"] == 10000 and info["duration_s"] == 5.0
    assert info["n_source_channels"] == 50 and info["n_channels"] == 43
    assert ["PHR1", "PHR2"] in info["pairs"] and "PHR1-PHR2" in info["channels"]
    as_is = json.loads(CliRunner().invoke(cli, ["info", str(crop_vhdr), "--json", "--montage", "as-is"]).output)
    assert as_is["n_channels"] == 50 and as_is["channels"][:2] == ["IAR1", "IAR2"]


def test_info_edf_written_by_us(tmp_path):
    data = np.random.default_rng(0).normal(0.0, 50.0, (3, 3000))
    path = write_edf(tmp_path / "x.edf", data, 2000.0, ["AHR1", "AHR2", "AHR4"])  # gap at AHR3
    info = json.loads(CliRunner().invoke(cli, ["info", str(path), "--json"]).output)
    assert info["format"] == "EDF+" and info["channels"] == ["AHR1-AHR2"] and info["duration_s"] == 1.5


def test_info_bad_file_raises_input_error_in_runner(tmp_path):
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"not an edf at all" * 40)
    result = CliRunner().invoke(cli, ["info", str(bad)])
    assert isinstance(result.exception, CorruptFileError)  # main() turns it into one line


def test_console_script_bad_file_one_line_exit_1(tmp_path):
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"not an edf at all" * 40)
    script = Path(sys.executable).parent / "hfo-detect"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "hfo_detect"]
    proc = subprocess.run([*cmd, "info", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.edf" in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""
