"""Where the benchmark runs: machine description, GNU time, the peers' own environment."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

#: peers, installed only in the benchmark's environment (never project dependencies).
#: epycom 0.3 pins numpy < 1.27 but runs on current numpy: installed with --no-deps, then its
#: light run-time needs by hand (numba for the CS detector).
PEER_PACKAGES = ["mne", "mne-hfo==0.2", "scikit-learn", "pandas", "scipy", "tqdm", "joblib", "numba"]
PEER_NODEPS = ["epycom==0.3"]
PEER_IMPORT_CHECK = "import mne, mne_hfo, epycom.event_detection.hfo, numba"

#: one thread everywhere: each tool is measured on one core
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}


def git_head(repo: Path) -> str:
    """Short hash of the checkout's HEAD (``?`` outside git): the commit a benchmark measured."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def single_thread_env() -> dict[str, str]:
    """The current environment with every thread pool limited to one thread."""
    env = dict(os.environ)
    env.update(SINGLE_THREAD_ENV)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def gnu_time() -> str | None:
    """Path of GNU time (``/usr/bin/time`` with ``-v``), or None with the reason printed."""
    path = "/usr/bin/time"
    if not os.path.exists(path):
        print("note: GNU time (/usr/bin/time) is missing; install it with "
              "`apt-get install -y time` (falling back to resource.getrusage)", file=sys.stderr)
        return None
    probe = subprocess.run([path, "-v", "true"], capture_output=True, text=True)
    if "Maximum resident set size" not in probe.stderr:
        print("note: /usr/bin/time is not GNU time (no -v); install `time` with apt-get",
              file=sys.stderr)
        return None
    return path


def taskset() -> str | None:
    """Path of ``taskset`` (util-linux) if it can pin to core 0 here."""
    path = shutil.which("taskset")
    if path and subprocess.run([path, "-c", "0", "true"], capture_output=True).returncode == 0:
        return path
    return None


def ensure_peers_venv(venv: Path, create: bool = True) -> tuple[Path | None, str]:
    """Return the peers' Python (creating the environment when missing) and a status line.

    The environment is reused when its import check passes. Otherwise (and if ``create``) it
    is made with ``python -m venv`` and pip; any failure gives ``(None, reason)`` so the
    benchmark can go on without peers.
    """
    venv = Path(venv)
    py = venv / "bin" / "python"

    def works() -> bool:
        if not py.exists():
            return False
        r = subprocess.run([str(py), "-c", PEER_IMPORT_CHECK], capture_output=True, text=True,
                           env=single_thread_env())
        return r.returncode == 0

    if works():
        return py, f"reused {venv}"
    if not create:
        return None, f"no working peers environment at {venv}"
    try:
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           capture_output=True)
        pip = [str(py), "-m", "pip", "install", "-q"]
        subprocess.run(pip + PEER_PACKAGES, check=True, capture_output=True, text=True)
        subprocess.run(pip + ["--no-deps"] + PEER_NODEPS, check=True, capture_output=True,
                       text=True)
    except subprocess.CalledProcessError as err:
        tail = (err.stderr or "").strip().splitlines()[-1:] or [str(err)]
        return None, f"could not create peers environment at {venv}: {tail[0]}"
    except OSError as err:
        return None, f"could not create peers environment at {venv}: {err}"
    if works():
        return py, f"created {venv}"
    return None, f"peers environment at {venv} does not import ({PEER_IMPORT_CHECK})"


def package_versions(python: str | Path, packages: list[str]) -> dict[str, str]:
    """Installed versions of ``packages`` in the environment of ``python``."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for p in sys.argv[1:]:\n"
        "    try: out[p] = m.version(p)\n"
        "    except m.PackageNotFoundError: out[p] = 'not installed'\n"
        "print(json.dumps(out))\n"
    )
    import json

    r = subprocess.run([str(python), "-c", code, *packages], capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {p: "unknown" for p in packages}


def machine_info() -> dict[str, object]:
    """CPU model, cores, RAM, OS and Python of this machine."""
    info: dict[str, object] = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        info["cpu_model"] = fields.get("Model name", "").strip()
        info["cpus"] = fields.get("CPU(s)", "").strip()
        info["threads_per_core"] = fields.get("Thread(s) per core", "").strip()
        info["hypervisor"] = fields.get("Hypervisor vendor", "").strip() or "none"
    except OSError:
        info["cpu_model"] = platform.processor()
        info["cpus"] = str(os.cpu_count())
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        info["ram_gib"] = round(kb / 1024**2, 1)
    except (OSError, StopIteration, ValueError):
        info["ram_gib"] = None
    try:
        info["load_at_start"] = os.getloadavg()[0]
    except OSError:
        pass
    return info
