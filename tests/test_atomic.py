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
