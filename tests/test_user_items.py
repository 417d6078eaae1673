"""What a new user hits, run as a user runs it (the CLI in a subprocess).

One test per item of the "rough edges" list: report pairing, the report's spikes come from the run,
one HFO count and one scored span, umask, demo --preset, skip-all rerun, encode names, power on a
demo folder, score --rename.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfo_detect.events import EventTable
from hfo_detect.io import write_edf
from hfo_detect.outputs import read_spikes

HFO_DETECT = [sys.executable, "-m", "hfo_detect"]
FS = 2000.0


def run(args, cwd=None, check=True):
    proc = subprocess.run(HFO_DETECT + [str(a) for a in args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _recording(path: Path, channels: list[str], seed: int, seconds: float = 4.0) -> Path:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * FS)) / FS
    data = rng.normal(0, 10, (len(channels), t.size))
    for k in range(len(channels)):
        for centre in (1.0, 2.5):
            burst = np.abs(t - centre) < 0.04
            data[k, burst] += 60 * np.sin(2 * np.pi * 150 * t[burst])
    return write_edf(path, data, FS, channels)


def _reference(path: Path, channel: str) -> Path:
    EventTable(pd.DataFrame({"onset": [0.97, 2.47], "duration": [0.06, 0.06],
                             "channel": channel, "kind": "ripple"})).to_bids_tsv(path)
    return path


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    """Three recordings (run-1, run-10 and an ECoG one) detected with the RMS baseline."""
    root = tmp_path_factory.mktemp("three")
    src = root / "src"
    src.mkdir()
    _recording(src / "sub-01_run-1_ieeg.edf", ["A1-A2"], 0)
    _recording(src / "sub-01_run-10_ieeg.edf", ["A1-A2"], 1)
    _recording(src / "sub-02_ecog_ieeg.edf", ["G1-G2"], 2)
    run(["detect", src, "--out", root / "out", "--detector", "rms", "--montage", "as-is"])
    return root


def test_report_scores_only_the_recording_the_reference_names(three_runs, tmp_path):
    refs = tmp_path / "refs"
    refs.mkdir()
    _reference(refs / "sub-01_run-10_events.tsv", "A1-A2")
    run(["report", three_runs / "out", "--reference", refs, "--out", tmp_path / "r.html",
         "--gallery", "0"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary["scores"]["recordings"]) == ["sub-01_run-10"]  # not run-1 (prefix), not ECoG
    pooled = {row["kind"]: row for row in summary["scores"]["pooled"]}
    assert pooled["pooled"]["n_reference"] == 2  # not tripled
    assert any("no reference for sub-01_run-1 " in n for n in summary["notes"])


def test_report_refuses_a_reference_on_channels_the_recording_lacks(three_runs, tmp_path):
    _reference(tmp_path / "sub-02_ecog_events.tsv", "A1-A2")  # names the iEEG channel
    proc = run(["report", three_runs / "out", "--reference", tmp_path / "sub-02_ecog_events.tsv",
                "--out", tmp_path / "r.html"], check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "sub-02_ecog_events.tsv" in proc.stderr and "A1-A2" in proc.stderr


def test_outputs_follow_the_umask(three_runs):
    old = os.umask(0o022)
    os.umask(old)
    if old != 0o022:
        pytest.skip(f"test process umask is {old:o}, not 022")
    for path in (three_runs / "out").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def test_rerun_that_skips_everything_prints_no_speed(three_runs):
    proc = run(["detect", three_runs / "src", "--out", three_runs / "out", "--detector", "rms",
                "--montage", "as-is"])
    assert "3 skipped" in proc.stdout and "real-time factor" not in proc.stdout


def test_demo_with_an_unknown_preset_is_one_line_and_writes_nothing(tmp_path):
    proc = run(["demo", "--preset", "foo", "--out", tmp_path / "d"], check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "'foo' is not one of" in proc.stderr and "hfo256" in proc.stderr
    assert not (tmp_path / "d").exists()


def test_encode_names_outputs_like_detect(tmp_path):
    edf = _recording(tmp_path / "sub-01_run-01_ieeg.edf", ["A1-A2"], 3, seconds=2.0)
    run(["encode", edf, "--out", tmp_path / "enc", "--montage", "as-is", "--events"])
    assert sorted(p.name for p in (tmp_path / "enc").iterdir()) == [
        "sub-01_run-01_adm.tsv", "sub-01_run-01_adm_events.tsv"]


def test_score_rename_on_the_authors_50s_file(snn_mat, shared_data, tmp_path):
    """The .mat carries the placeholder label AL1-AL2; its marks are on AHR3-AHR4."""
    run(["detect", snn_mat, "--out", tmp_path / "r", "--montage", "as-is", "--preset",
         "sharifhazileh2021", "--integrator", "euler"])
    truth = shared_data / "ieeg_fedele2017" / "truth_snn_AHR3-AHR4_0-50s.tsv"
    proc = run(["score", tmp_path / "r", truth], check=False)
    assert proc.returncode == 1 and "AHR3-AHR4" in proc.stderr
    proc = run(["score", tmp_path / "r", truth, "--rename", "AL1-AL2=AHR3-AHR4", "--json"])
    pooled = json.loads(proc.stdout)["kinds"]["pooled"]
    # 17 marks, one ripple + fast-ripple pair among them: 16 HFOs; the run finds the first
    assert pooled["tp"] == 1 and pooled["tp"] + pooled["fn"] == 16


def test_score_rename_maps_a_placeholder_reference_channel(three_runs, tmp_path):
    ref = _reference(tmp_path / "marks.tsv", "Label")
    det = three_runs / "out" / "sub-01_run-10_events.tsv"
    proc = run(["score", det, ref, "--json"], check=False)
    assert proc.returncode == 1 and "Label" in proc.stderr  # refused: not a channel of the run
    proc = run(["score", det, ref, "--rename", "Label=A1-A2", "--json"])
    pooled = json.loads(proc.stdout)["kinds"]["pooled"]
    assert pooled["tp"] + pooled["fn"] == 2  # both marks scored on A1-A2


@pytest.mark.slow
def test_demo_counts_spikes_power_agree(tmp_path):
    """The demo's printed counts, counts.tsv, scores.json and summary.json tell one story; the
    report's raster shows the run's own spikes; power finds DIR/detections."""
    out = tmp_path / "demo"
    proc = run(["demo", "--out", out, "--duration", "20", "--channels", "2"])
    det = out / "detections"
    counts = pd.read_csv(det / "demo_counts.tsv", sep="\t")
    scores = json.loads((out / "scores.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    n_det = int(counts["n_hfo"].sum())
    line = next(l for l in proc.stdout.splitlines() if "HFOs detected" in l)
    assert line.startswith(f"{n_det} HFOs detected")
    assert scores["kinds"]["pooled"]["n_detected"] == n_det
    n_sim = int(line.split(", ")[1].split()[0])
    assert scores["kinds"]["pooled"]["n_reference"] == n_sim
    pooled = next(r for r in summary["scores"]["pooled"] if r["kind"] == "pooled")
    assert pooled["kappa"] == pytest.approx(scores["kinds"]["pooled"]["kappa"], abs=5e-7)  # json: 6 decimals

    spikes = read_spikes(det / "demo_spikes.npz")
    per_channel = spikes.populations["adm"].groupby("channel").size()
    assert per_channel.to_dict() == dict(zip(counts["channel"], counts["adm_events"]))
    assert "raster" in summary["figures"]
    html = (out / "report.html").read_text()
    assert "as the detection run produced them" in html

    power = run(["power", out])
    assert "demo" in power.stdout and "e+" not in power.stdout


def test_terminal_bar_counts_channel_seconds_and_lines_go_above_it(three_runs, tmp_path):
    """On a terminal: a bar in channel-seconds, and each result line on a line of its own."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # child: a 120-column terminal, as a user has
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
        os.execvp(sys.executable, HFO_DETECT + ["detect", str(three_runs / "src"), "--out",
                                                str(tmp_path / "o"), "--detector", "rms",
                                                "--montage", "as-is"])
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    lines = [l for l in b"".join(chunks).decode(errors="replace").replace("\r", "\n").split("\n") if l.strip()]
    assert any(l.startswith("detect:") and "/12 channel-seconds" in l for l in lines)  # 3 x 4 s
    results = [l for l in lines if "HFO(s) in" in l]
    assert len(results) == 3 and all(l.startswith(str(three_runs / "src")) for l in results)
