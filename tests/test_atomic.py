"""The one atomic writer: permissions follow the umask, no temporary file survives a failure."""

import os
import stat

import pytest

from hfo_detect.atomic import atomic_write, atomic_write_text
from hfo_detect.errors import OutputError


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_text_file_gets_umask_mode_not_0600(tmp_path, umask022):
    target = atomic_write_text(tmp_path / "sub" / "a_events.tsv", "onset\n1.0\n")
    assert target.read_text() == "onset\n1.0\n"
    assert _mode(target) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["a_events.tsv"]


def test_other_umask_is_honoured(tmp_path):
    old = os.umask(0o077)
    try:
        target = atomic_write_text(tmp_path / "x.json", "{}")
    finally:
        os.umask(old)
    assert _mode(target) == 0o600


def test_failing_writer_leaves_old_file_and_no_temp(tmp_path, umask022):
    target = atomic_write_text(tmp_path / "a.tsv", "old\n")

    def boom(tmp):
        tmp.write_text("half")
        raise ValueError("writer broke")

    with pytest.raises(ValueError, match="writer broke"):
        atomic_write(target, boom)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.tsv"]


def test_os_error_becomes_one_line_output_error(tmp_path):
    def full_disk(tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device") as info:
        atomic_write(tmp_path / "a.tsv", full_disk)
    assert str(tmp_path / "a.tsv") in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_detect_outputs_and_edf_readable_by_group(tmp_path, umask022):
    """The files of a real run (EDF, events, counts, detect.json) are 0644, not owner-only."""
    import numpy as np

    from hfo_detect.io import write_edf
    from hfo_detect.runner import detect_recording

    rng = np.random.default_rng(0)
    edf = write_edf(tmp_path / "r_ieeg.edf", rng.normal(0, 20, (2, 4000)), 2000.0, ["A1-A2", "B1-B2"])
    result = detect_recording(edf, tmp_path / "out", detector="rms", montage="as-is")
    assert _mode(edf) == 0o644
    for path in result["outputs"].values():
        assert _mode(__import__("pathlib").Path(path)) == 0o644


def test_kill_9_in_the_middle_of_a_write_leaves_nothing(tmp_path):
    """Content written from memory has no name until it is complete (O_TMPFILE): a writer
    killed half-way (as a worker is when its parent is killed) leaves no file at all, not even
    a temporary one; the old content of a replaced file stays."""
    import signal
    import subprocess
    import sys
    import time

    if not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE on this platform")
    (tmp_path / "old.tsv").write_text("old\n")
    script = (
        "import sys, time\n"
        "import hfo_detect.atomic as atomic\n"
        "real = atomic._write_all\n"
        "def slow(fd, data):\n"
        "    real(fd, data[:10])\n"
        "    print('half', flush=True)\n"
        "    time.sleep(60)\n"
        "atomic._write_all = slow\n"
        "atomic.atomic_write_text(sys.argv[1], 'x' * 100000)\n")
    for name in ("new.tsv", "old.tsv"):
        proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / name)],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "half"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        time.sleep(0.1)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["old.tsv"]
    assert (tmp_path / "old.tsv").read_text() == "old\n"


def test_in_memory_write_replaces_and_takes_the_umask_mode(tmp_path, umask022):
    path = tmp_path / "sub" / "a.tsv"
    atomic_write_text(path, "first\n")
    atomic_write_text(path, "second\n")
    assert path.read_text() == "second\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.tsv"]


def test_in_memory_write_falls_back_to_a_named_temporary_file(tmp_path, monkeypatch, umask022):
    """Where the unnamed file cannot be linked (no /proc), the named temporary file of
    :func:`atomic_write` does the work: same content, same mode, nothing left."""
    import hfo_detect.atomic as atomic

    monkeypatch.setattr(atomic, "_name_unnamed", lambda fd, name, folder: False)
    path = tmp_path / "a.tsv"
    atomic_write_text(path, "content\n")
    assert path.read_text() == "content\n"
    assert _mode(path) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tsv"]
