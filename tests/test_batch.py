"""Batch runner: input discovery, manifest, resume, kill -9, local processes and Dask."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.io

from hfo_detect import __version__
from hfo_detect.batch import (append_record, find_recordings, params_hash, read_manifest,
                              resolved_params, run_batch)
from hfo_detect.errors import HFODetectError
from hfo_detect.events import EventTable

VENV_CLI = Path(sys.executable).with_name("hfo-detect")
CLI = [str(VENV_CLI)] if VENV_CLI.exists() else [sys.executable, "-m", "hfo_detect"]
ARGS = ["--montage", "as-is", "--seed", "1"]
OUTPUT_SUFFIXES = ("_events.tsv", "_counts.tsv")


def write_tiny_edf(path: Path, seed: int, duration_s: float = 3.0, n_channels: int = 2) -> Path:
    from hfo_detect.io import write_edf
    from hfo_detect.simulate import simulate_recording

    sim = simulate_recording(duration_s, n_channels, seed=seed, sfreq=2048.0)
    return write_edf(path, sim.data_uv, sim.sfreq, sim.ch_names)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Three tiny good EDFs (one in a sub-folder) and one garbage file named .edf."""
    root = tmp_path_factory.mktemp("corpus")
    for i in range(2):
        write_tiny_edf(root / f"rec{i}.edf", seed=i)
    (root / "nested").mkdir()
    write_tiny_edf(root / "nested" / "rec2.edf", seed=2)
    (root / "zz_garbage.edf").write_bytes(b"\x00not an edf at all" * 50)
    return root


def cli(*args, check=False, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, check=check, **kw)


def statuses(out: Path) -> dict[str, str]:
    """input file name -> status of its latest manifest record."""
    return {Path(r["input"]).name: r["status"] for r in read_manifest(out / "manifest.jsonl")}


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.name.endswith(OUTPUT_SUFFIXES)}


# --------------------------------------------------------------------------------------
# Pure parts
# --------------------------------------------------------------------------------------


def test_find_recordings_folders_bids_and_mat(tmp_path):
    plain = tmp_path / "plain"
    (plain / "a" / "b").mkdir(parents=True)
    for name in ("x.edf", "a/y.BDF", "a/b/z.vhdr", "a/b/z.eeg", "a/b/z.vmrk", "notes.txt", "w.fif"):
        (plain / name).write_bytes(b"")
    scipy.io.savemat(plain / "authors.mat", {"channels": np.zeros((1, 4)), "times": np.zeros((1, 4))})
    scipy.io.savemat(plain / "a" / "old_layout.mat", {"chb": np.zeros((1, 4)), "t": np.zeros((1, 4))})
    scipy.io.savemat(plain / "params.mat", {"weights": np.zeros(3)})  # not a recording
    found = [p.relative_to(plain).as_posix() for p in find_recordings([plain])]
    assert found == sorted(["a/b/z.vhdr", "a/old_layout.mat", "a/y.BDF", "authors.mat", "w.fif",
                            "x.edf"])

    bids = tmp_path / "bids"
    ieeg = bids / "sub-01" / "ses-1" / "ieeg"
    ieeg.mkdir(parents=True)
    (bids / "dataset_description.json").write_text("{}")
    for name in ("sub-01_ses-1_run-01_ieeg.vhdr", "sub-01_ses-1_run-01_ieeg.eeg",
                 "sub-01_ses-1_run-01_events.tsv", "sub-01_ses-1_run-02_ieeg.edf",
                 "sub-01_ses-1_run-01_ieeg.json"):
        (ieeg / name).write_bytes(b"")
    (bids / "derivatives" / "x" / "sub-01").mkdir(parents=True)
    (bids / "derivatives" / "x" / "sub-01" / "sub-01_run-09_ieeg.edf").write_bytes(b"")
    found = [p.name for p in find_recordings([bids])]
    assert found == ["sub-01_ses-1_run-01_ieeg.vhdr", "sub-01_ses-1_run-02_ieeg.edf"]

    # explicit files are kept whatever their name; duplicates are dropped; missing inputs raise
    assert find_recordings([plain / "notes.txt", plain / "x.edf", plain / "x.edf"]) == [
        plain / "notes.txt", plain / "x.edf"]
    with pytest.raises(HFODetectError, match="no such file"):
        find_recordings([tmp_path / "missing.edf"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(HFODetectError, match="no recording"):
        find_recordings([tmp_path / "empty"])


def test_params_hash_is_sha256_of_resolved_parameters():
    params = resolved_params("snn", {"seed": 2})
    blob = json.dumps({"detector": "snn", "params": params, "montage": "bipolar",
                       "version": __version__}, sort_keys=True, default=str)
    assert params_hash("snn", {"seed": 2}, "bipolar") == hashlib.sha256(blob.encode()).hexdigest()
    assert params["config"]["network"]["seed"] == 2 and "chunk_s" not in params
    base = params_hash("snn", {}, "bipolar")
    assert base == params_hash("snn", {"preset": "hfo256"}, "bipolar")  # the default preset
    assert base == params_hash("snn", {"chunk_s": 5.0}, "bipolar")  # results do not depend on it
    assert base != params_hash("snn", {"seed": 2}, "bipolar")
    assert base != params_hash("snn", {}, "as-is")
    assert base != params_hash("snn", {}, "bipolar", version="9.9")


def test_manifest_lines_survive_a_torn_write(tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    append_record(manifest, {"input": "a", "status": "done"})
    append_record(manifest, {"input": "b", "status": "failed", "error": "b: bad"})
    with open(manifest, "a") as fh:
        fh.write('{"input": "c", "sta')  # a writer killed mid-line
    assert [r["input"] for r in read_manifest(manifest)] == ["a", "b"]
    # the next record starts on a line of its own instead of being glued to the torn one
    append_record(manifest, {"input": "d", "status": "done"})
    assert [r["input"] for r in read_manifest(manifest)] == ["a", "b", "d"]


def test_unwritable_output_folder_is_one_error(tmp_path, corpus):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HFODetectError, match="cannot create output folder"):
        run_batch([corpus / "rec0.edf"], blocker / "out", progress=False)


# --------------------------------------------------------------------------------------
# End to end through the CLI
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_run(corpus, tmp_path_factory) -> Path:
    """An uninterrupted --jobs 1 run over the corpus."""
    out = tmp_path_factory.mktemp("reference_run")
    proc = cli("detect", corpus, "--out", out, *ARGS, "--jobs", "1")
    assert proc.returncode == 1, proc.stderr  # the garbage file fails
    return out


def test_batch_records_good_and_bad(reference_run, corpus):
    st = statuses(reference_run)
    assert st == {"rec0.edf": "done", "rec1.edf": "done", "rec2.edf": "done",
                  "zz_garbage.edf": "failed"}
    records = read_manifest(reference_run / "manifest.jsonl")
    bad = next(r for r in records if r["status"] == "failed")
    assert "zz_garbage.edf" in bad["error"] and "\n" not in bad["error"]
    good = [r for r in records if r["status"] == "done"]
    for rec in good:
        assert rec["version"] == __version__ and len(rec["params_hash"]) == 64
        assert set(rec["outputs"]) == {f"{rec['stem']}{s}" for s in
                                       ("_events.tsv", "_counts.tsv", "_detect.json")}
        assert rec["counts"]["n_channels"] == 2 and rec["duration_s"] == pytest.approx(3.0)
    assert len({r["params_hash"] for r in good}) == 1


def test_rerun_skips_done_and_force_redoes(reference_run, corpus, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(reference_run, out)
    before = outputs(out)
    proc = cli("detect", corpus, "--out", out, *ARGS)
    assert proc.returncode == 1
    last = read_manifest(out / "manifest.jsonl")[-4:]
    assert sorted(r["status"] for r in last) == ["failed"] + ["skipped"] * 3
    assert "3 skipped" in proc.stdout and "1 failed" in proc.stdout
    assert outputs(out) == before
    # a deleted output makes that recording run again
    (out / "rec1_events.tsv").unlink()
    cli("detect", corpus, "--out", out, *ARGS)
    last = {Path(r["input"]).name: r["status"] for r in read_manifest(out / "manifest.jsonl")[-4:]}
    assert last["rec1.edf"] == "done" and last["rec0.edf"] == "skipped"
    # other parameters, or --force, redo everything
    cli("detect", corpus, "--out", out, *ARGS, "--force")
    assert sorted(r["status"] for r in read_manifest(out / "manifest.jsonl")[-4:]) == \
        ["done"] * 3 + ["failed"]
    assert outputs(out) == before


def test_single_bad_file_is_one_line_and_exit_1(tmp_path, corpus):
    proc = cli("detect", corpus / "zz_garbage.edf", "--out", tmp_path / "o", *ARGS)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "zz_garbage.edf" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "0 done, 1 failed" in proc.stdout


def test_jobs_2_gives_the_same_results(reference_run, corpus, tmp_path):
    out = tmp_path / "j2"
    proc = cli("detect", corpus, "--out", out, *ARGS, "--jobs", "2")
    assert proc.returncode == 1
    assert statuses(out) == statuses(reference_run)
    assert outputs(out) == outputs(reference_run)
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("3 done, 1 failed, 0 skipped;") and "real-time factor" in summary


def test_kill_9_then_resume_equals_uninterrupted(reference_run, corpus, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([*CLI, "detect", str(corpus), "--out", str(out), *ARGS, "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(r["status"] == "done" for r in read_manifest(manifest)):
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    n_done_at_kill = sum(r["status"] == "done" for r in read_manifest(manifest))
    assert 1 <= n_done_at_kill < 3
    # no half-written result: every output is whole (written under a temporary name, then
    # renamed); outputs no done record vouches for can only be those of the one recording in
    # flight, when the kill landed between its renames and its manifest line: the rerun redoes it
    listed = {o for r in read_manifest(manifest) for o in r.get("outputs", [])}
    unlisted = set(outputs(out)) - listed
    assert len({name.rsplit("_", 1)[0] for name in unlisted}) <= 1, unlisted

    rerun = cli("detect", corpus, "--out", out, *ARGS, "--jobs", "1")
    assert rerun.returncode == 1
    assert f"{n_done_at_kill} skipped" in rerun.stdout
    st = statuses(out)
    assert st.pop("zz_garbage.edf") == "failed"
    assert sorted(st.values()) == ["done"] * (3 - n_done_at_kill) + ["skipped"] * n_done_at_kill
    assert outputs(out) == outputs(reference_run)


def test_dask_local_cluster_gives_the_same_events(reference_run, corpus, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        proc = cli("detect", corpus, "--out", out, *ARGS, "--scheduler", cluster.scheduler_address,
                   timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert statuses(out) == statuses(reference_run)
    assert outputs(out) == outputs(reference_run)


def test_unreachable_scheduler_is_one_error(tmp_path, corpus):
    pytest.importorskip("dask.distributed")
    with pytest.raises(HFODetectError, match="cannot connect to the Dask scheduler"):
        run_batch([corpus / "rec0.edf"], tmp_path / "o", scheduler="tcp://127.0.0.1:9",
                  connect_timeout_s=1.0, progress=False)


def test_one_recording_splits_its_channels_over_jobs(tmp_path):
    """--jobs 3 on one recording runs channel groups in parallel; outputs equal --jobs 1."""
    import pandas as pd

    from hfo_detect.io import write_edf
    from hfo_detect.simulate import simulate_recording

    sim = simulate_recording(8.0, 5, seed=4, sfreq=2048.0, snr_db=(10.0, 15.0))
    src = write_edf(tmp_path / "five.edf", sim.data_uv, sim.sfreq, sim.ch_names)
    params = {"seed": 2, "min_neurons": 2}
    one = run_batch([src], tmp_path / "one", montage="as-is", params=params, jobs=1, progress=False)
    three = run_batch([src], tmp_path / "three", montage="as-is", params=params, jobs=3,
                      progress=False)
    assert one.n_done == three.n_done == 1
    for name in ("five_events.tsv", "five_counts.tsv"):
        a = (tmp_path / "one" / name).read_text()
        b = (tmp_path / "three" / name).read_text()
        assert a == b, name
    counts = pd.read_csv(tmp_path / "one" / "five_counts.tsv", sep="\t")
    assert counts.channel.tolist() == sim.ch_names and counts.hidden_spikes.sum() > 0
    groups = [json.loads((tmp_path / d / "five_detect.json").read_text())["channel_groups"]
              for d in ("one", "three")]
    assert groups == [1, 3]


# --------------------------------------------------------------------------------------
# Faults: the parent killed alone, Ctrl-C, two runs into one folder, a full disk
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_corpus(tmp_path_factory) -> Path:
    """Recordings long enough that a run with two workers is still busy when it is hit."""
    root = tmp_path_factory.mktemp("slow")
    for i in range(6):
        write_tiny_edf(root / f"long{i}.edf", seed=10 + i, duration_s=60.0, n_channels=4)
    return root


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_busy_run(corpus: Path, out: Path, jobs: int = 2) -> tuple[subprocess.Popen, list[int]]:
    """A detect run with ``jobs`` workers, returned once its workers exist."""
    proc = subprocess.Popen([*CLI, "detect", str(corpus), "--out", str(out), *ARGS, "--jobs", str(jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    if jobs == 1:  # in-process: wait until the run holds its folder and computes
        while time.monotonic() < deadline and not (out / ".hfo-detect.lock").exists():
            time.sleep(0.05)
        time.sleep(3.0)
        assert proc.poll() is None, "the run ended before it could be hit"
        return proc, []
    while time.monotonic() < deadline and len(_children(proc.pid)) < jobs and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)  # let the workers import and start on a recording
    workers = _children(proc.pid)
    assert proc.poll() is None and len(workers) >= jobs, "the run ended before it could be hit"
    return proc, workers


def _assert_all_gone(pids: list[int], within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    left = [p for p in pids if _alive(p)]
    for p in left:  # do not leak them into the rest of the suite, but fail
        os.kill(p, signal.SIGKILL)
    assert not left, f"workers outlived their parent: {left}"


def _assert_every_output_recorded(out: Path, gone_at: float | None = None) -> None:
    """Every output is in the manifest, and no temporary file is left. With ``gone_at``
    (``time.time()`` once the killed parent has been reaped): an output may also be unrecorded
    if it was complete by then (a worker had written it, the parent died before recording it:
    a rerun redoes that recording; the kill itself cannot reach a worker in the same instant),
    but nothing may be written afterwards (a worker that outlived its parent, a cancelled
    cluster task finishing)."""
    records = read_manifest(out / "manifest.jsonl")
    listed = {o for r in records if r["status"] in ("done", "skipped") for o in r.get("outputs", [])}
    files = {p.name for p in out.iterdir() if not p.name.startswith(".") and p.name != "manifest.jsonl"}
    unlisted = files - listed
    if gone_at is not None:
        for name in sorted(unlisted):
            path = out / name
            assert path.stat().st_mtime <= gone_at, f"{name} written after the parent was gone"
            if name.endswith(".json"):
                json.loads(path.read_text())  # complete, not torn
            else:
                EventTable.read(path) if name.endswith("_events.tsv") else pd.read_csv(path, sep="\t")
        unlisted = set()
    assert not unlisted, unlisted
    assert not list(out.glob(".*.tmp*")), "temporary files left behind"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "SIGTERM"])
def test_workers_die_with_their_parent(slow_corpus, tmp_path, sig):
    out = tmp_path / "out"
    proc, workers = _start_busy_run(slow_corpus, out)
    try:
        os.kill(proc.pid, sig)  # the parent only, not its process group
        _, err = proc.communicate(timeout=60)
        gone_at = time.time()
        if sig == signal.SIGKILL:
            assert proc.returncode == -sig
        else:  # SIGTERM is handled: workers stopped, one line, exit 128 + 15
            assert proc.returncode == 143
            assert err.splitlines() == [
                "error: terminated; recordings finished so far are kept (rerun to resume)"]
        _assert_all_gone(workers)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(0.5)
    _assert_every_output_recorded(out, gone_at)  # nothing written after the parent died, nothing torn


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_is_one_line_and_stops_the_workers(slow_corpus, tmp_path, jobs):
    """Also in one process, where Ctrl-C may land inside numba-compiled code."""
    out = tmp_path / "out"
    proc, workers = _start_busy_run(slow_corpus, out, jobs)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        _, err = proc.communicate(timeout=60)
        gone_at = time.time()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.splitlines() == ["error: interrupted; recordings finished so far are kept (rerun to resume)"]
    _assert_all_gone(workers)
    _assert_every_output_recorded(out, gone_at)


def test_second_run_into_the_same_folder_is_refused(slow_corpus, tmp_path):
    out = tmp_path / "out"
    proc, workers = _start_busy_run(slow_corpus, out)
    try:
        second = cli("detect", slow_corpus, "--out", out, "--montage", "as-is", "--detector", "rms")
        assert second.returncode == 1
        assert second.stderr.splitlines() == [
            f"error: {out} is in use by PID {proc.pid} (another hfo-detect run writes there); "
            "wait for it to finish or choose another --out"]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    _assert_all_gone(workers)
    # the kernel dropped the dead run's lock: the folder is usable again at once
    third = cli("detect", slow_corpus / "long0.edf", "--out", out, "--montage", "as-is", "--detector", "rms")
    assert third.returncode == 0, third.stderr


def test_full_disk_gives_one_line_and_no_unrecorded_output(corpus, tmp_path):
    """A real full file system (a tiny tmpfs in a private mount namespace)."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1) to mount a small tmpfs")
    fs = tmp_path / "fs"
    fs.mkdir()
    script = tmp_path / "full.sh"
    script.write_text(
        'mount -t tmpfs -o size=96k none "$1" || exit 77\n'
        # fill it up, leaving a few 4-KiB pages: a recording or two fit, then writes fail
        'head -c $(( $(stat -f -c "%a*%S" "$1") - $2 * 4096 )) /dev/zero > "$1/filler"\n'
        'shift 2\n"$@" > "$OUT/stdout" 2> "$OUT/stderr"\necho $? > "$OUT/rc"\n'
        'cp -a "$FS/out" "$OUT/copy" 2>/dev/null\nexit 0\n')
    seen_manifest_error = False
    for pages in (1, 2, 4, 5, 7):
        result = tmp_path / f"pages{pages}"
        result.mkdir()
        env = {**os.environ, "OUT": str(result), "FS": str(fs)}
        run = subprocess.run(["unshare", "-rm", "sh", str(script), str(fs), str(pages),
                              *CLI, "detect", str(corpus), "--out", str(fs / "out"),
                              "--montage", "as-is", "--detector", "rms"], env=env, capture_output=True, text=True,
                             timeout=300)
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({run.stderr.strip()[:80]})")
        rc = int((result / "rc").read_text())
        err = (result / "stderr").read_text()
        assert rc == 1, err
        assert "Traceback" not in err
        lines = err.splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), err
        seen_manifest_error |= "cannot write the manifest (No space left on device)" in err
        if (result / "copy").is_dir():
            _assert_every_output_recorded(result / "copy")
    assert seen_manifest_error  # at least one size hit the manifest itself


def test_dask_tasks_of_a_dead_run_write_nothing(slow_corpus, tmp_path):
    """A Dask worker is not our child: when the run that sent it work is killed, the task may
    finish, but it must drop its result instead of writing outputs with no manifest record."""
    distributed = pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster.scheduler_address) as watcher:
        proc = subprocess.Popen([*CLI, "detect", str(slow_corpus), "--out", str(out), *ARGS,
                                 "--scheduler", cluster.scheduler_address],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(watcher.processing().values()):
            time.sleep(0.1)
        assert any(watcher.processing().values()), "no task reached the cluster"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        gone_at = time.time()
        deadline = time.monotonic() + 180  # until the cancelled tasks have really finished

        def busy() -> int:
            return sum(watcher.run(lambda dask_worker: len(dask_worker.state.tasks)).values())

        while time.monotonic() < deadline and busy():
            time.sleep(0.2)
        assert not busy()
        time.sleep(0.5)
    _assert_every_output_recorded(out, gone_at)


def test_power_report_encode_on_a_full_disk_leave_no_empty_file(reference_run, corpus, tmp_path):
    """Every writer goes through the atomic writer: on a full disk, one line and no 0-byte file."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1) to mount a small tmpfs")
    fs = tmp_path / "fs"
    fs.mkdir()
    script = tmp_path / "full.sh"
    script.write_text(
        'mount -t tmpfs -o size=64k none "$1" || exit 77\n'
        'head -c 100000000 /dev/zero > "$1/filler" 2>/dev/null\n'  # fill it completely
        'shift\nfor cmd in power report encode; do\n'
        '  case $cmd in\n'
        '    power) "$@" power "$RUN" --out "$FS/power.json" ;;\n'
        '    report) "$@" report "$RUN" --out "$FS/report.html" ;;\n'
        '    encode) "$@" encode "$REC" --out "$FS/enc" --montage as-is ;;\n'
        '  esac > /dev/null 2> "$OUT/$cmd.err"; echo $? > "$OUT/$cmd.rc"\n'
        'done\nls -A "$FS" > "$OUT/files"; ls -A "$FS/enc" >> "$OUT/files" 2>/dev/null\nexit 0\n')
    env = {**os.environ, "OUT": str(tmp_path), "FS": str(fs), "RUN": str(reference_run),
           "REC": str(corpus / "rec0.edf")}
    run = subprocess.run(["unshare", "-rm", "sh", str(script), str(fs), *CLI], env=env,
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({run.stderr.strip()[:80]})")
    for cmd in ("power", "report", "encode"):
        err = (tmp_path / f"{cmd}.err").read_text()
        assert int((tmp_path / f"{cmd}.rc").read_text()) == 1, (cmd, err)
        assert len(err.splitlines()) == 1 and "No space left on device" in err, (cmd, err)
    # nothing else (no 0-byte result, no temp file); encode's empty output folder may stay
    assert (tmp_path / "files").read_text().split() in (["filler"], ["enc", "filler"])


def test_outputs_left_without_a_record_are_cleared_before_a_rerun(tmp_path, corpus):
    """A kill -9 between writing a recording's files and its manifest line leaves files no
    record vouches for; a rerun must not keep them if that recording now fails."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "zz_garbage_events.tsv").write_text("onset\tduration\n")  # as if killed mid-commit
    (out / "zz_garbage_counts.tsv").write_text("channel\n")
    proc = cli("detect", corpus / "zz_garbage.edf", "--out", out, *ARGS)
    assert proc.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["manifest.jsonl"]
