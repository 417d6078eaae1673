"""Smoke test of the benchmark harness: ``bench_all.py --quick`` end to end into a temp folder.

It runs the real harness (simulated EDFs, whole-process timed runs of ``hfo-detect detect``,
scoring, figures, markdown) on the quick workloads with a reduced tool list, and checks that
the report's headline table is there with numbers in it. Peers (mne-hfo, epycom) take part
when a working peers environment exists already (``HFO_BENCH_VENV`` or the harness default);
the test never creates one (that needs the network and minutes), it passes ``--no-peers``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH_ALL = REPO / "data_scripts" / "bench_all.py"

pytestmark = pytest.mark.slow


def _peers_venv() -> Path | None:
    sys.path.insert(0, str(BENCH_ALL.parent))
    try:
        from bench import env
    finally:
        sys.path.pop(0)
    venv = Path(os.environ.get("HFO_BENCH_VENV",
                               Path.home() / ".cache" / "hfo-detect" / "bench-venv"))
    py, _ = env.ensure_peers_venv(venv, create=False)
    return venv if py is not None else None


def _headline_rows(md: str) -> list[list[str]]:
    block = md.split("## Headline", 1)[1].split("\n\n", 2)[1]
    lines = [ln for ln in block.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:]]


def test_bench_all_quick_writes_headline_table(tmp_path):
    venv = _peers_venv()
    tools = "hfo_detect,ours_rms" + (",epycom_rms" if venv else "")
    cmd = [sys.executable, str(BENCH_ALL), "--quick", "--out", str(tmp_path / "reports"),
           "--work", str(tmp_path / "work"), "--repeats", "1", "--seeds", "2",
           "--tools", tools, "--sections", "throughput,accuracy,mismatch", "--run-timeout", "240"]
    cmd += ["--peers-venv", str(venv)] if venv else ["--no-peers"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    md = (tmp_path / "reports" / "benchmarks.md").read_text()
    assert md.startswith("# Benchmarks")
    rows = _headline_rows(md)
    labels = [r[0] for r in rows]
    assert any("hfo-detect (hfo256 network)" in lab for lab in labels)
    assert any("--detector rms" in lab for lab in labels)
    number = re.compile(r"^-?[\d,]+(\.\d+)?$")
    for row in rows:
        # throughput (ch-s per CPU-s), peak RSS and default F1 are measured for every tool
        assert number.match(row[1]), row
        assert number.match(row[3]), row
        assert number.match(row[4]), row
        assert float(row[1].replace(",", "")) > 0
        assert 0.0 <= float(row[4]) <= 1.0
    if venv:  # the reference of the ratios is in the run: its ratio is exactly 1
        ref = next(r for r in rows if r[0] == "epycom RMS")
        assert ref[2] == "1.00"
    figures = {p.name for p in (tmp_path / "reports" / "figures").glob("bench_*.png")}
    assert {"bench_throughput.png", "bench_pr_curves.png", "bench_mismatch.png"} <= figures
