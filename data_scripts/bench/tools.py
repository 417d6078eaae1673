"""The detectors compared, as whole-process command lines and as threshold sweeps.

Every tool reads the same EDF with its channels as they are (``--montage as-is`` for ours:
the workloads are already bipolar) and writes a BIDS-style events TSV that
:meth:`hfo_detect.events.EventTable.read` understands.

Ours run from the project's environment (the ``hfo-detect`` script next to ``sys.executable``);
peers run ``data_scripts/bench_peers.py`` with the peers' Python.
"""

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.env import single_thread_env

HERE = Path(__file__).resolve().parent
PEER_RUNNER = HERE.parent / "bench_peers.py"


def hfo_detect_cmd() -> list[str]:
    """``hfo-detect`` of this environment (script next to the interpreter, else ``-m``)."""
    script = Path(sys.executable).with_name("hfo-detect")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hfo_detect"]


@dataclass(frozen=True)
class Tool:
    """A detector in the comparison.

    ``ident`` names files and table rows; ``detector`` is our registry name (ours) or the
    peer runner's tool name (peers); ``threshold_name`` says what its sweep varies.
    """

    ident: str
    label: str
    family: str  # "ours" | "peer"
    detector: str
    threshold_name: str = ""
    default_threshold: float = np.nan
    sweep: tuple[float, ...] = ()

    @property
    def sweep_cost(self) -> int:
        """Sweep cost in whole runs (mne-hfo re-thresholds its stored statistic: ~1 run)."""
        if not self.sweep:
            return 0
        return 1 if self.ident.startswith("mnehfo") else len(self.sweep)

    def command(self, edf: Path, out_dir: Path, peers_python: Path | None) -> list[str]:
        if self.family == "ours":
            cmd = hfo_detect_cmd() + ["detect", str(edf), "--out", str(out_dir), "--montage", "as-is"]
            if self.detector != "snn":
                cmd += ["--detector", self.detector]
            return cmd
        if peers_python is None:
            raise RuntimeError("peers environment not available")
        return [str(peers_python), str(PEER_RUNNER), self.detector, str(edf), str(out_dir)]


TOOLS: list[Tool] = [
    Tool("hfo_detect", "hfo-detect (hfo256 network)", "ours", "snn",
         "ADM scale-factor multiplier", 1.0, (0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)),
    Tool("ours_morphology", "hfo-detect --detector morphology", "ours", "morphology"),
    Tool("ours_rms", "hfo-detect --detector rms", "ours", "rms",
         "k SD", 5.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("ours_linelength", "hfo-detect --detector linelength", "ours", "linelength",
         "k SD", 5.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("mnehfo_rms", "mne-hfo RMS", "peer", "mnehfo_rms",
         "k SD", 3.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("mnehfo_ll", "mne-hfo line length", "peer", "mnehfo_ll",
         "k SD", 3.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("epycom_rms", "epycom RMS", "peer", "epycom_rms",
         "k SD", 3.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("epycom_ll", "epycom line length", "peer", "epycom_ll",
         "k SD", 3.0, (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)),
    Tool("epycom_cs", "epycom CS", "peer", "epycom_cs",
         "CS probability", 0.1, (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)),
]
REFERENCE_TOOL = "epycom_rms"  # throughput ratios are against this one, measured in the same run
NETWORK_TOOL = "hfo_detect"


def by_ident(ident: str) -> Tool:
    return next(t for t in TOOLS if t.ident == ident)


def find_events(out_dir: Path) -> Path | None:
    """The one events TSV a tool wrote into ``out_dir``."""
    found = sorted(out_dir.glob("*_events.tsv"))
    return found[0] if found else None


def read_events(path: Path | None):
    """EventTable of a tool's output (empty table when there is no file)."""
    from hfo_detect.events import EventTable

    if path is None or not Path(path).exists():
        return EventTable.empty()
    with open(path) as fh:  # header only: no events (EventTable.read may refuse an empty table)
        if sum(1 for line in fh if line.strip()) <= 1:
            return EventTable.empty()
    return EventTable.read(path)


def run_once(tool: Tool, edf: Path, out_dir: Path, peers_python: Path | None,
             timeout: float | None = None) -> tuple[Path | None, str]:
    """Run a tool untimed (accuracy runs); returns (events path, error or "")."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log = out_dir.parent / f"{out_dir.name}.log"
    with open(log, "w") as fh:
        try:
            rc = subprocess.run(tool.command(edf, out_dir, peers_python), stdout=fh,
                                stderr=subprocess.STDOUT, env=single_thread_env(),
                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = -9
    if rc != 0:
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-2:])
        return None, f"exit {rc}: {tail}"
    return find_events(out_dir), ""


# ------------------------------------------------------------------ threshold sweeps
def _scaled_bands(multiplier: float, preset: str = "hfo256"):
    from hfo_detect.config import get_preset

    bands = get_preset(preset).filters.bands
    return tuple(replace(b, scale_factor=b.scale_factor * multiplier) for b in bands)


def _baseline_threshold_param(detector: str) -> str | None:
    """Name of the k-SD parameter of our RMS / line-length baselines (found by introspection)."""
    from hfo_detect.detectors import get_detector_class

    cls = get_detector_class(detector)
    params = inspect.signature(cls.__init__).parameters
    for name in ("k", "k_sd", "threshold_sd", "n_sd", "threshold", "rms_k", "ll_k"):
        if name in params:
            return name
    return None


def sweep_ours(tool_ident: str, edf: str, values: list[float]) -> list[tuple[float, object]]:
    """In-process sweep of one of our detectors; returns [(threshold, events DataFrame)].

    The network: ADM threshold scale factors of both bands multiplied by each value (the
    paper's knob: a larger threshold gives fewer ADM events, fewer hidden spikes, fewer HFOs).
    RMS / line length: the k of their mean + k SD threshold.
    """
    from hfo_detect.detectors import make_detector
    from hfo_detect.io import open_recording

    tool = by_ident(tool_ident)
    rec = open_recording(edf, montage="as-is")
    out = []
    if tool.detector == "snn":
        for m in values:
            est = make_detector("snn", overrides={"filters__bands": _scaled_bands(m)})
            out.append((m, est.fit(rec).predict(rec).df))
        return out
    name = _baseline_threshold_param(tool.detector)
    if name is None:
        return []
    for k in values:
        est = make_detector(tool.detector, **{name: k})
        out.append((k, est.fit(rec).predict(rec).df))
    return out


def sweep_peer(tool_ident: str, edf: str, values: list[float], out_dir: str,
               peers_python: str) -> list[tuple[float, object]]:
    """One peer process computing all thresholds; returns [(threshold, events DataFrame)]."""
    tool = by_ident(tool_ident)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cmd = [peers_python, str(PEER_RUNNER), tool.detector, edf, str(out),
           "--thresholds", ",".join(f"{v:g}" for v in values), "--tag", "sweep"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=single_thread_env())
    if r.returncode != 0:
        raise RuntimeError(f"{tool_ident} sweep failed: {r.stderr.strip().splitlines()[-1:]}")
    stem = Path(edf).name.rsplit(".", 1)[0]
    res = []
    for v in values:
        name = f"{stem}_sweep_events.tsv" if len(values) == 1 else f"{stem}_sweep_k{v:g}_events.tsv"
        res.append((v, read_events(out / name).df))
    return res
