"""Whole-process timing on one core: wall, CPU (user + sys) and peak RSS.

Each command runs as ``taskset -c 0 /usr/bin/time -v -o FILE cmd ...`` with every thread pool
limited to one thread (:data:`bench.env.SINGLE_THREAD_ENV`), so tools that spawn threads or
processes cannot borrow a second core. GNU time's report goes to its own file, not mixed with
the tool's output. Without GNU time, :func:`resource.getrusage` of the children gives the same
three numbers (peak RSS is then the largest child's).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.env import gnu_time, single_thread_env, taskset


@dataclass
class Timed:
    """One run: seconds and peak resident memory in MB (10^6 bytes)."""

    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    returncode: int
    stderr_tail: str = ""

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cpu_s"] = self.cpu_s
        return d


def _parse_gnu_time(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key == "User time (seconds)":
            out["user_s"] = float(value)
        elif key == "System time (seconds)":
            out["sys_s"] = float(value)
        elif key == "Maximum resident set size (kbytes)":
            out["peak_rss_mb"] = int(value) * 1024 / 1e6
        elif key.startswith("Elapsed (wall clock) time"):
            parts = [float(p) for p in value.split(":")]
            secs = 0.0
            for p in parts:
                secs = secs * 60 + p
            out["wall_s"] = secs
    return out


def run_timed(cmd: list[str], log: Path, pin: bool = True, timeout: float | None = None) -> Timed:
    """Run ``cmd`` as one process pinned to core 0 and measure it.

    Parameters
    ----------
    cmd : list of str
        The command.
    log : Path
        Where the command's stdout/stderr go (``.time`` next to it holds GNU time's report).
    pin : bool
        Pin to core 0 with ``taskset`` (when available).
    timeout : float or None
        Stop the command after this many seconds (coreutils ``timeout`` inside GNU time, so
        the report still comes: return code 124 (137 if it had to be killed), CPU time and
        peak RSS up to that moment).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    prefix: list[str] = []
    ts = taskset() if pin else None
    if ts:
        prefix += [ts, "-c", "0"]
    gt = gnu_time()
    time_file = log.with_suffix(".time")
    if gt:
        prefix += [gt, "-v", "-o", str(time_file)]
    if timeout and shutil.which("timeout"):
        # TERM first (timeout then reaps the command, so GNU time sees its rusage), KILL 10 s later
        prefix += [shutil.which("timeout"), "-k", "10", f"{timeout:.0f}"]
        timeout = timeout + 60  # the outer limit only guards against a hang of the wrapper
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        try:
            rc = subprocess.run(prefix + cmd, stdout=fh, stderr=subprocess.STDOUT,
                                env=single_thread_env(), timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = -9
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
    if gt and time_file.exists():
        vals = _parse_gnu_time(time_file.read_text())
        if {"user_s", "sys_s", "peak_rss_mb", "wall_s"} <= set(vals):
            return Timed(vals["wall_s"], vals["user_s"], vals["sys_s"], vals["peak_rss_mb"], rc, tail)
    return Timed(wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime,
                 after.ru_maxrss * 1024 / 1e6, rc, tail)


def median_runs(runs: list[Timed]) -> dict:
    """Median wall, CPU and peak RSS over successful runs (plus the raw runs)."""
    ok = [r for r in runs if r.returncode == 0]
    out = {"n_runs": len(runs), "n_ok": len(ok), "runs": [r.to_dict() for r in runs]}
    if ok:
        out.update(
            wall_s=statistics.median(r.wall_s for r in ok),
            cpu_s=statistics.median(r.cpu_s for r in ok),
            peak_rss_mb=statistics.median(r.peak_rss_mb for r in ok),
        )
    else:
        out["error"] = runs[-1].stderr_tail if runs else "not run"
    return out
