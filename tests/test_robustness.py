"""Robustness corpus: bad inputs built here, each must give one clear line and a non-zero exit.

Every case runs the real ``hfo-detect`` console script in a subprocess. For a single bad input
stderr must be exactly one line that names the file, with no traceback; in one batch with good
files, the good ones are done and every bad one is recorded as failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from hfo_detect.batch import read_manifest

VENV_CLI = Path(sys.executable).with_name("hfo-detect")
CLI = [str(VENV_CLI)] if VENV_CLI.exists() else [sys.executable, "-m", "hfo_detect"]
SFREQ = 2048.0
DETECT_ARGS = ["--montage", "as-is", "--seed", "1"]


def run_cli(*args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def noise(n_channels=2, duration_s=2.0, sfreq=SFREQ, seed=0, sd=20.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, sd, (n_channels, int(duration_s * sfreq)))


def good_edf(path: Path, duration_s=2.0, sfreq=SFREQ, names=("A1-A2", "B1-B2")) -> Path:
    from hfo_detect.io import write_edf

    return write_edf(path, noise(len(names), duration_s, sfreq), sfreq, list(names))


def authors_mat(path: Path, channels, times, labels="A1-A2") -> Path:
    scipy.io.savemat(path, {"channels": channels, "times": times, "channel_labels": labels})
    return path


def fif(path: Path, data_uv, ch_types) -> Path:
    import mne

    info = mne.create_info([f"C{i}" for i in range(len(data_uv))], SFREQ, ch_types=ch_types)
    mne.io.RawArray(np.asarray(data_uv) * 1e-6, info, verbose="error").save(
        path, overwrite=True, verbose="error")
    return path


def patch(path: Path, offset: int, text: str, width: int) -> Path:
    """Overwrite one fixed-width ASCII field of a file header."""
    data = bytearray(path.read_bytes())
    data[offset:offset + width] = text.ljust(width).encode("ascii")
    path.write_bytes(bytes(data))
    return path


def vhdr(path: Path, data_file: str, n_channels=2) -> Path:
    chans = "\n".join(f"Ch{i + 1}=A{i + 1},,1,µV" for i in range(n_channels))
    path.write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        f"DataFile={data_file}\nDataFormat=BINARY\nDataOrientation=MULTIPLEXED\n"
        f"NumberOfChannels={n_channels}\nSamplingInterval={1e6 / SFREQ}\n"
        f"[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n[Channel Infos]\n{chans}\n", encoding="utf-8")
    return path


# ---- builders: tmp folder -> the bad input (each name unique: outputs share one folder)


def truncated_edf(d):
    p = good_edf(d / "truncated.edf")
    p.write_bytes(p.read_bytes()[: int(p.stat().st_size * 0.6)])
    return p


def header_lies_records(d):  # header claims 999 data records
    return patch(good_edf(d / "lying_header.edf"), 236, "999", 8)


def header_bad_signal_count(d):
    return patch(good_edf(d / "bad_ns_field.edf"), 252, "ab", 4)


def duplicate_names_edf(d):
    p = good_edf(d / "duplicates.edf")
    data = bytearray(p.read_bytes())
    data[256 + 16:256 + 32] = data[256:272]  # second label := first label
    p.write_bytes(bytes(data))
    return p


def garbage_edf(d):
    p = d / "garbage.edf"
    p.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    return p


def text_named_edf(d):
    p = d / "table_as.edf"
    p.write_text("time,ch1\n0,1\n1,2\n")
    return p


def zero_length_edf(d):
    p = d / "empty.edf"
    p.write_bytes(b"")
    return p


def garbage_bdf(d):
    p = d / "garbage24.bdf"
    p.write_bytes(b"\xff" + b"BIOSEMI" + b"\x00" * 300)
    return p


def garbage_fif(d):
    p = d / "garbage_raw.fif"
    p.write_bytes(b"\x00\x01\x02" * 400)
    return p


def low_fs_edf(d):  # 500 Hz cannot carry fast ripples (250-500 Hz)
    return good_edf(d / "fs500.edf", duration_s=4.0, sfreq=500.0)


def nan_fif(d):
    x = noise()
    x[0, 1000:1010] = np.nan
    return fif(d / "nan_raw.fif", x, "seeg")


def inf_mat(d):
    x = noise(1)
    x[0, 500] = np.inf
    return authors_mat(d / "inf.mat", x, np.arange(x.shape[1])[None, :] / SFREQ)


def flat_mat(d):
    x = np.full((1, int(2 * SFREQ)), 12.5)
    return authors_mat(d / "flat.mat", x, np.arange(x.shape[1])[None, :] / SFREQ)


def saturated_fif(d):  # every channel pinned at the amplifier rail
    return fif(d / "saturated_raw.fif", np.full((2, int(2 * SFREQ)), 3276.7), "seeg")


def no_ieeg_fif(d):
    return fif(d / "no_ieeg_raw.fif", noise(2), ["ecg", "misc"])


def volts_mat(d):  # amplitudes of a signal stored in volts, not microvolts
    x = noise(1, sd=2e-5)
    return authors_mat(d / "volts.mat", x, np.arange(x.shape[1])[None, :] / SFREQ)


def too_short_mat(d):
    return authors_mat(d / "one_sample.mat", np.zeros((1, 1)), np.zeros((1, 1)))


def mat_without_variables(d):
    scipy.io.savemat(d / "no_vars.mat", {"weights": np.ones(3)})
    return d / "no_vars.mat"


def mat_shape_mismatch(d):
    return authors_mat(d / "mismatch.mat", noise(1), np.arange(100)[None, :] / SFREQ)


def mat_times_not_increasing(d):
    x = noise(1)
    return authors_mat(d / "time_reversed.mat", x, np.arange(x.shape[1])[None, ::-1] / SFREQ)


def mat_v73(d):  # the 128-byte header of a MATLAB 7.3 (HDF5) file
    p = d / "hdf5_v73.mat"
    head = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    p.write_bytes(head.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02IM" + b"\x89HDF\r\n\x1a\n" + b"\x00" * 400)
    return p


def vhdr_missing_eeg(d):
    return vhdr(d / "lost_data.vhdr", "lost_data.eeg")


def vhdr_truncated_eeg(d):
    p = vhdr(d / "short_data.vhdr", "short_data.eeg")
    (d / "short_data.eeg").write_bytes(np.zeros(1001, np.float32).tobytes()[:-2])  # odd byte count
    return p


def vhdr_not_brainvision(d):
    p = d / "not_bv.vhdr"
    p.write_text("hello\nworld\n")
    return p


def zero_length_vhdr(d):
    p = d / "empty_header.vhdr"
    p.write_bytes(b"")
    return p


def directory_named_edf(d):
    p = d / "folder.edf"
    p.mkdir()
    return p


def unknown_extension(d):
    p = d / "signal.txt"
    p.write_text("1 2 3\n")
    return p


def missing_file(d):
    return d / "never_written.edf"


BAD_INPUTS = [truncated_edf, header_lies_records, header_bad_signal_count, duplicate_names_edf,
              garbage_edf, text_named_edf, zero_length_edf, garbage_bdf, garbage_fif, low_fs_edf,
              nan_fif, inf_mat, flat_mat, saturated_fif, no_ieeg_fif, volts_mat, too_short_mat,
              mat_without_variables, mat_shape_mismatch, mat_times_not_increasing, mat_v73,
              vhdr_missing_eeg, vhdr_truncated_eeg, vhdr_not_brainvision, zero_length_vhdr,
              directory_named_edf, unknown_extension, missing_file]


def assert_one_line_about(proc: subprocess.CompletedProcess, name: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert name in lines[0], lines[0]


@pytest.mark.parametrize("build", BAD_INPUTS, ids=lambda f: f.__name__)
def test_single_bad_input_one_line(build, tmp_path):
    bad = build(tmp_path)
    proc = run_cli("detect", bad, "--out", tmp_path / "out", *DETECT_ARGS)
    assert_one_line_about(proc, bad.name)
    record = read_manifest(tmp_path / "out" / "manifest.jsonl")[-1]
    assert record["status"] == "failed" and bad.name in record["error"]


def test_unwritable_output_folder(tmp_path):
    src = good_edf(tmp_path / "fine.edf")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_cli("detect", src, "--out", blocker / "out", *DETECT_ARGS)
    assert_one_line_about(proc, "a_file")


def test_reference_channels_not_in_detections(tmp_path):
    from hfo_detect.events import EventTable
    import pandas as pd

    det = tmp_path / "det_events.tsv"
    ref = tmp_path / "ref_events.tsv"
    EventTable(pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": ["A1-A2"],
                             "kind": ["ripple"]})).to_bids_tsv(det)
    EventTable(pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": ["Q7-Q8"],
                             "kind": ["ripple"]})).to_bids_tsv(ref)
    proc = run_cli("score", det, ref)
    assert_one_line_about(proc, "ref_events.tsv")


def test_path_with_spaces_and_non_ascii_works(tmp_path):
    folder = tmp_path / "Pätiënt 01 – nuit"
    src = good_edf(folder / "récording ü 1.edf")
    out = tmp_path / "sortie été"
    proc = run_cli("detect", src, "--out", out, *DETECT_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert (out / "récording ü 1_events.tsv").is_file()
    assert (out / "récording ü 1_counts.tsv").is_file()
    record = read_manifest(out / "manifest.jsonl")[-1]
    assert record["status"] == "done" and record["input"].endswith("récording ü 1.edf")


def test_batch_goes_on_past_every_bad_input(tmp_path):
    good = [good_edf(tmp_path / f"good{i}.edf") for i in range(2)]
    bad = [build(tmp_path) for build in BAD_INPUTS]
    out = tmp_path / "out"
    proc = run_cli("detect", good[0], *bad, good[1], "--out", out, *DETECT_ARGS, "--jobs", "2",
                   timeout=600)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    records = read_manifest(out / "manifest.jsonl")
    status = {Path(r["input"]).name: r["status"] for r in records}
    assert status["good0.edf"] == status["good1.edf"] == "done"
    for p in bad:
        assert status[p.name] == "failed", p.name
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(bad) == len(proc.stderr.splitlines())
    assert f"2 done, {len(bad)} failed, 0 skipped" in proc.stdout
    assert len(BAD_INPUTS) + 2 >= 25  # the corpus size asked for (with the two cases above)
    assert json.loads((out / "manifest.jsonl").read_text().splitlines()[0])  # plain JSON lines


def test_reference_channels_not_in_the_recording(tmp_path):
    """With the run's detect.json beside the events, every reference channel must exist."""
    import json

    from hfo_detect.events import EventTable
    import pandas as pd

    det = tmp_path / "rec_events.tsv"
    (tmp_path / "rec_detect.json").write_text(json.dumps({"channels": ["A1-A2", "A2-A3"]}))
    ref = tmp_path / "rec_truth.tsv"
    EventTable(pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": ["A1-A2"],
                             "kind": ["ripple"]})).to_bids_tsv(det)
    EventTable(pd.DataFrame({"onset": [1.0, 2.0], "duration": [0.1, 0.1],
                             "channel": ["A1-2", "Q7-Q8"], "kind": ["ripple", "ripple"]})).to_bids_tsv(ref)
    proc = run_cli("score", det, ref)
    assert_one_line_about(proc, "rec_truth.tsv")
    assert "Q7-Q8" in proc.stderr
