"""HTML report: content, summary.json, and rendering in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfo_detect.events import EventTable
from hfo_detect.io import write_edf
from hfo_detect.reporting.build import ReportConfig, build_report, status_of

SFREQ = 2048.0
CHANNELS = ["A1-A2", "B1-B2"]


def _events(rows) -> EventTable:
    return EventTable(pd.DataFrame(rows, columns=["onset", "duration", "channel", "kind"]))


@pytest.fixture
def det_dir(tmp_path: Path) -> Path:
    """A detection folder written by hand: EDF source, events, counts, detect.json, reference.

    Reference: A1-A2 ripples at 0.5, 1.5, 2.5 s; B1-B2 one fast ripple at 1.0 s.
    Detections: A1-A2 at 0.52 and 1.55 (both overlap a mark) and 3.2 s (no mark).
    Pooled over channels: tp 2, fp 1, fn 2.
    """
    rng = np.random.default_rng(0)
    t = np.arange(int(4 * SFREQ)) / SFREQ
    data = rng.normal(0, 10, (2, t.size))
    burst = (t > 0.5) & (t < 0.6)
    data[0, burst] += 40 * np.sin(2 * np.pi * 150 * t[burst])
    src = tmp_path / "src" / "rec one.edf"
    write_edf(src, data, SFREQ, CHANNELS)
    out = tmp_path / "det"
    out.mkdir()
    _events([(0.52, 0.1, "A1-A2", "ripple"), (1.55, 0.1, "A1-A2", "ripple"),
             (3.2, 0.1, "A1-A2", "ripple")]).to_bids_tsv(out / "rec one_events.tsv")
    pd.DataFrame({"channel": CHANNELS, "adm_events": [4000, 400], "synaptic_events": [512000, 51200],
                  "hidden_spikes": [40, 0], "n_hfo": [3, 0], "hfo_per_min": [45.0, 0.0],
                  "duration_s": [4.0, 4.0], "n_hidden": [256, 256]}).to_csv(
        out / "rec one_counts.tsv", sep="\t", index=False)
    (out / "rec one_detect.json").write_text(json.dumps({
        "source": str(src), "detector": "snn", "montage": "as-is",
        "parameters": {"preset": "hfo256", "seed": 0, "chunk_s": 60.0},
        "software": {"name": "hfo-detect", "version": "0.1.0"}, "duration_s": 4.0, "sfreq": SFREQ,
        "channels": CHANNELS}))
    ref = tmp_path / "reference_events.tsv"
    _events([(0.5, 0.1, "A1-A2", "ripple"), (1.5, 0.1, "A1-A2", "ripple"),
             (2.5, 0.1, "A1-A2", "ripple"), (1.0, 0.05, "B1-B2", "fast_ripple")]).to_bids_tsv(ref)
    return out


def test_status_of_marks_overlaps():
    det = _events([(0.52, 0.1, "A1-A2", "ripple"), (3.2, 0.1, "A1-A2", "ripple"),
                   (1.0, 0.1, "B1-B2", "ripple")]).df
    ref = _events([(0.5, 0.1, "A1-A2", "ripple"), (3.0, 0.2, "A1-A2", "ripple")]).df
    assert list(status_of(det, ref)) == ["matched", "unmatched", "unmatched"]


def test_report_content_and_summary(det_dir: Path, tmp_path: Path):
    outcome = tmp_path / "outcome.tsv"
    pd.DataFrame({"participant_id": ["sub-01"], "outcome": ["S"], "predicted": [False]}).to_csv(
        outcome, sep="\t", index=False)
    sweep = tmp_path / "sweep.tsv"
    pd.DataFrame({"threshold": [0.5, 1.0, 2.0], "precision": [0.4, 0.6, 0.9],
                  "recall": [0.9, 0.6, 0.2]}).to_csv(sweep, sep="\t", index=False)
    summary = build_report(det_dir, reference=tmp_path / "reference_events.tsv", outcome=outcome,
                           sweep=sweep, cfg=ReportConfig(max_gallery=3))
    html = (det_dir / "report.html").read_text(encoding="utf-8")
    saved = json.loads((det_dir / "summary.json").read_text(encoding="utf-8"))

    pooled = {row["kind"]: row for row in saved["scores"]["pooled"]}
    both = pooled["pooled"]  # ripples and fast ripples together
    assert (both["tp"], both["fp"], both["fn"]) == (2, 1, 2)
    assert both["precision"] == pytest.approx(2 / 3)
    assert both["recall"] == pytest.approx(0.5)
    assert both["f1"] == pytest.approx(4 / 7)
    assert (pooled["ripple"]["tp"], pooled["ripple"]["fp"], pooled["ripple"]["fn"]) == (2, 1, 1)

    statuses = sorted(p["status"] for p in saved["gallery"])
    assert statuses.count("matched") >= 1 and statuses.count("unmatched") == 1
    assert "missed" in statuses  # the 2.5-s ripple and the B1-B2 fast ripple
    assert saved["recordings"][0]["mean_per_min"] == pytest.approx(22.5)
    assert saved["channel_rates_per_min"]["rec one"] == {"A1-A2": 45.0, "B1-B2": 0.0}
    assert saved["power"]["recordings"][0]["total_uw"] > 0
    assert saved["outcome"][0]["participant_id"] == "sub-01"
    assert saved["parameters"]["detector"] == "snn"
    for key in ("recording-rates", "channel-rates", "gallery", "pr-curves", "power"):
        assert key in saved["figures"]
        assert f'id="fig-{key}"' in html
    assert html.count("data:image/png;base64,") == len(saved["figures"])
    for section in ("rates", "accuracy", "pr", "gallery", "outcome", "power", "parameters"):
        assert f'<section id="{section}">' in html
    assert summary["html"] == str(det_dir / "report.html")


def test_report_without_reference_or_source(det_dir: Path, tmp_path: Path):
    meta = json.loads((det_dir / "rec one_detect.json").read_text())
    meta["source"] = str(tmp_path / "gone.edf")
    (det_dir / "rec one_detect.json").write_text(json.dumps(meta))
    out = tmp_path / "elsewhere" / "r.html"
    saved = build_report(det_dir, out)
    assert out.is_file() and (out.parent / "summary.json").is_file()
    assert "scores" not in saved and "gallery" not in saved["figures"]
    assert any("cannot open the source recording" in n for n in saved["notes"])


def test_report_cli_missing_folder_one_line(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "hfo_detect", "report", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "nope" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------
# Real browser
# --------------------------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


CHROMIUM_FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-extensions", "--virtual-time-budget=10000"]


def test_report_renders_in_headless_chromium(det_dir: Path, tmp_path: Path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium not installed (Debian: apt-get install chromium)")
    saved = build_report(det_dir, reference=tmp_path / "reference_events.tsv")
    url = (det_dir / "report.html").resolve().as_uri()
    profile = tmp_path / "profile"
    dom = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--enable-logging=stderr", "--v=0", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # every figure is in the DOM and was decoded by the browser (our load script marks it)
    imgs = re.findall(r"<img[^>]*>", dom.stdout)
    assert len(imgs) == len(saved["figures"]) >= 4
    assert all('data-decoded="1"' in tag for tag in imgs), imgs
    assert f"{len(imgs)} of {len(imgs)} figures rendered" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []

    shot = tmp_path / "shot.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                    f"--screenshot={shot}", "--window-size=1200,2000", url],
                   capture_output=True, text=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] == 2000 and pixels.shape[1] == 1200
    assert pixels[..., :3].std() > 0.05  # not a blank page


def test_scaled_params_multiply_the_adm_scale_factors():
    from hfo_detect.detectors import make_detector
    from hfo_detect.sweep_run import scaled_params

    params = scaled_params({"preset": "hfo256", "seed": 0, "keep_spikes": True}, 2.0)
    assert "keep_spikes" not in params
    from hfo_detect.config import get_preset

    bands = make_detector("snn", **params).make_config().filters.bands
    base = get_preset("hfo256").filters.bands
    assert [(b.name, b.scale_factor) for b in bands] == [
        (b.name, pytest.approx(2.0 * b.scale_factor)) for b in base]


def test_report_network_sweep(det_dir: Path, tmp_path: Path):
    from hfo_detect.sweep_run import sweep_run

    ref = tmp_path / "reference_events.tsv"
    saved = build_report(det_dir, reference=ref, sweep=sweep_run(det_dir, ref, (0.5, 8.0)),
                         cfg=ReportConfig(max_gallery=1))
    table = pd.DataFrame(saved["sweep"]["table"]).set_index("threshold")
    assert list(table.index) == [0.5, 8.0] and "pr-curves" in saved["figures"]
    # reference: 4 marks on the reviewed channels, whatever the threshold
    assert (table["tp"] + table["fn"] == 4).all()
    # a threshold 16 times higher cannot detect more
    assert table.loc[8.0, "tp"] + table.loc[8.0, "fp"] <= table.loc[0.5, "tp"] + table.loc[0.5, "fp"]


def test_report_tables_print_plain_numbers():
    """Power in uW reads 3280, not 3.28e+03; small values keep three significant digits."""
    from hfo_detect.reporting.html import Section, plain_number

    assert [plain_number(v) for v in (3280.1, 614.3, 12.345, 0.224211, float("nan"))] == [
        "3280", "614", "12.3", "0.224", "n/a"]
    html = Section("p", "P").table(pd.DataFrame({"total_uw": [3280.1, 123456.7]})).blocks[0]
    assert "e+" not in html and "123457" in html
