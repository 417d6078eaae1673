"""Robustness corpus: bad inputs built here, each must give one clear line and a non-zero exit.

Every case runs the real ``hfo-detect`` console script in a subprocess. For a single bad input
stderr must be exactly one line that names the file, with no traceback; in one batch with good
files, the good ones are done and every bad one is recorded as failed.
"""

from __future__ import annotations

import json
import os
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


# ---- EDF header fields, BrainVision headers and data of the wrong unit (issue 13)

#: (offset in a signal's header block, width) of the per-signal EDF fields (EDF spec)
EDF_FIELDS = {"label": (0, 16), "physical_min": (104, 8), "physical_max": (112, 8),
              "digital_min": (120, 8), "digital_max": (128, 8), "samples": (216, 8)}


def patch_signal(path: Path, field: str, index: int, value: bytes | str) -> Path:
    """Overwrite one per-signal field of an EDF header (signal ``index``, 0-based)."""
    data = bytearray(path.read_bytes())
    n = int(data[252:256].decode("ascii"))
    start, width = EDF_FIELDS[field]
    offset = 256 + start * n + index * width  # fields are stored field by field, signal by signal
    raw = value.encode("ascii") if isinstance(value, str) else value
    data[offset:offset + width] = raw.ljust(width, b" ")
    path.write_bytes(bytes(data))
    return path


def edf_signals(path: Path) -> int:
    return int(path.read_bytes()[252:256].decode("ascii"))


def negative_samples_per_record(d):
    return patch_signal(good_edf(d / "neg_samples.edf"), "samples", 1, "-2048")


def record_duration_zero(d):
    return patch(good_edf(d / "record_0s.edf"), 244, "0", 8)


def digital_min_equals_max(d):
    p = good_edf(d / "digital_equal.edf")
    patch_signal(p, "digital_min", 0, "100")
    return patch_signal(p, "digital_max", 0, "100")


def digital_min_above_max(d):
    p = good_edf(d / "digital_swapped.edf")
    patch_signal(p, "digital_min", 0, "32767")
    return patch_signal(p, "digital_max", 0, "-32768")


def one_blank_label(d):
    p = good_edf(d / "blank_label.edf", names=("A1", "A2", "A3", "A4"))
    return patch_signal(p, "label", 1, "")


def all_blank_labels(d):
    p = good_edf(d / "all_blank.edf", names=("A1", "A2", "A3", "A4"))
    for i in range(4):
        patch_signal(p, "label", i, "")
    return p


def edf_named_bdf(d):
    p = good_edf(d / "edf_inside.edf")
    return p.rename(d / "edf_inside.bdf")


def edf_plus_only_annotations(d):
    """An EDF+ file whose only signal is 'EDF Annotations' (one empty TAL per record)."""
    p = d / "annotations_only.edf"
    tal = b"+0\x14\x14\x00".ljust(120, b"\x00")
    f = lambda s, w: str(s).ljust(w).encode("ascii")  # noqa: E731
    head = (f("0", 8) + f("X X X X", 80) + f("Startdate 01-JAN-2020 X X X", 80) + f("01.01.20", 8)
            + f("00.00.00", 8) + f(512, 8) + f("EDF+C", 44) + f(1, 8) + f(1, 8) + f(1, 4)
            + f("EDF Annotations", 16) + f("", 80) + f("", 8) + f(-1, 8) + f(1, 8)
            + f(-32768, 8) + f(32767, 8) + f("", 80) + f(60, 8) + f("", 32))
    p.write_bytes(head + tal)
    return p


def vhdr_zero_channels(d):
    p = vhdr(d / "no_channels.vhdr", "no_channels.eeg", n_channels=0)
    (d / "no_channels.eeg").write_bytes(np.zeros(100, np.float32).tobytes())
    return p


def vhdr_zero_interval(d):
    p = vhdr(d / "interval0.vhdr", "interval0.eeg")
    p.write_text(p.read_text(encoding="utf-8").replace(f"SamplingInterval={1e6 / SFREQ}",
                                                       "SamplingInterval=0"), encoding="utf-8")
    noise().T.astype("<f4").tofile(d / "interval0.eeg")
    return p


def vhdr_data_of_another_recording(d):
    """a.vhdr names b.eeg, the data of b.vhdr beside it (7 s, not its own 5 s)."""
    vhdr(d / "rec_b.vhdr", "rec_b.eeg")
    noise(2, 7.0).T.astype("<f4").tofile(d / "rec_b.eeg")
    noise(2, 5.0).T.astype("<f4").tofile(d / "rec_a.eeg")
    return vhdr(d / "rec_a.vhdr", "rec_b.eeg")


def truncated_fif(d):
    p = fif(d / "cut_raw.fif", noise(3, 10.0), "seeg")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2 + 3])
    return p


def picovolt_fif(d):  # a unit slip: samples of ~1e-11 V (20 pV), not ~20 uV
    return fif(d / "picovolt_raw.fif", noise(3, sd=20e-6), "seeg")


def name_too_long_for_outputs(d):  # fine as an input, but <stem>_detect.json exceeds 255 bytes
    return good_edf(d / "long_name.edf").rename(d / ("n" * 246 + ".edf"))


def fifo_named_edf(d):  # reading a pipe would block forever
    import os

    p = d / "pipe.edf"
    os.mkfifo(p)
    return p


def vhdr_absurd_rate(d):  # SamplingInterval in the wrong unit: 1e12 Hz
    p = vhdr(d / "terahertz.vhdr", "terahertz.eeg")
    p.write_text(p.read_text(encoding="utf-8").replace(f"SamplingInterval={1e6 / SFREQ}",
                                                       "SamplingInterval=0.000001"), encoding="utf-8")
    noise().T.astype("<f4").tofile(d / "terahertz.eeg")
    return p


def femtovolt_fif(d):  # so small that every channel also counts as flat
    return fif(d / "femtovolt_raw.fif", noise(3, sd=20e-12), "seeg")



BAD_INPUTS = [truncated_edf, header_lies_records, header_bad_signal_count, duplicate_names_edf,
              garbage_edf, text_named_edf, zero_length_edf, garbage_bdf, garbage_fif, low_fs_edf,
              nan_fif, inf_mat, flat_mat, saturated_fif, no_ieeg_fif, volts_mat, too_short_mat,
              mat_without_variables, mat_shape_mismatch, mat_times_not_increasing, mat_v73,
              vhdr_missing_eeg, vhdr_truncated_eeg, vhdr_not_brainvision, zero_length_vhdr,
              directory_named_edf, unknown_extension, missing_file,
              negative_samples_per_record, record_duration_zero, digital_min_equals_max,
              digital_min_above_max, one_blank_label, all_blank_labels, edf_named_bdf,
              edf_plus_only_annotations, vhdr_zero_channels, vhdr_zero_interval,
              vhdr_data_of_another_recording, truncated_fif, picovolt_fif, femtovolt_fif,
              name_too_long_for_outputs, fifo_named_edf, vhdr_absurd_rate]

#: what the one line must say about each (besides the file name)
EXPECTED_PROBLEM = {
    "negative_samples_per_record": "samples per data record is -2048",
    "record_duration_zero": "record duration is 0",
    "digital_min_equals_max": "digital minimum 100 equals digital maximum 100",
    "digital_min_above_max": "digital minimum 32767 is above digital maximum",
    "one_blank_label": "signal(s) 2 of",
    "all_blank_labels": "all 4 signals have no name",
    "edf_named_bdf": "rename it to .edf",
    "edf_plus_only_annotations": "only annotations",
    "vhdr_zero_channels": "0 channels",
    "vhdr_zero_interval": "sampling interval is 0",
    "vhdr_data_of_another_recording": "belongs to recording rec_b.vhdr",
    "truncated_fif": "truncated",
    # the network's calibration or the reader's amplitude check, whichever sees it first
    "picovolt_fif": ("implausibly small", "look like volts"),
    "femtovolt_fif": ("implausibly small", "look like volts"),
    "name_too_long_for_outputs": "file name too long for its outputs",
    "fifo_named_edf": "not a regular file",
    "vhdr_absurd_rate": "implausible",
}


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
    expected = EXPECTED_PROBLEM.get(build.__name__, "")
    assert any(e in proc.stderr for e in ((expected,) if isinstance(expected, str) else expected))
    record = read_manifest(tmp_path / "out" / "manifest.jsonl")[-1]
    assert record["status"] == "failed" and bad.name in record["error"]
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith((".", "manifest"))]
    assert leftovers == []  # a failed recording leaves no output file


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


# ---- odd but readable inputs: accepted, and what was done is said (never silently wrong)


def raw_edf(path: Path, labels, samples_per_record, n_records=2, seed=0, label_bytes=None) -> Path:
    """A plain EDF written byte by byte (channels may have different rates), 1-s records."""
    n = len(labels)
    f = lambda s, w: str(s).ljust(w).encode("latin-1")[:w]  # noqa: E731
    names = label_bytes or [f(lb, 16) for lb in labels]
    head = (f("0", 8) + f("X X X X", 80) + f("Startdate X X X X", 80) + f("01.01.20", 8)
            + f("00.00.00", 8) + f(256 * (n + 1), 8) + f("", 44) + f(n_records, 8) + f(1, 8)
            + f(n, 4) + b"".join(x.ljust(16)[:16] for x in names) + f("", 80) * n + f("uV", 8) * n
            + f(-3200, 8) * n + f(3200, 8) * n + f(-32768, 8) * n + f(32767, 8) * n
            + f("", 80) * n + b"".join(f(s, 8) for s in samples_per_record) + f("", 32) * n)
    rng = np.random.default_rng(seed)
    body = b"".join(rng.normal(0, 300, s).astype("<i2").tobytes()
                    for _ in range(n_records) for s in samples_per_record)
    path.write_bytes(head + body)
    return path


def test_mixed_sampling_rates_are_not_upsampled_and_info_says_so(tmp_path):
    """2000/500/4000/250 Hz: MNE would upsample all to 4 kHz; only the 4-kHz channels are used."""
    src = raw_edf(tmp_path / "mixed.edf", ["A1", "A2", "A3", "A4", "B1"], [2000, 500, 4000, 250, 4000])
    info = run_cli("info", src, "--json", "--montage", "as-is")
    assert info.returncode == 0, info.stderr
    doc = json.loads(info.stdout)
    assert doc["recorded_rates_hz"] == {"A1": 2000.0, "A2": 500.0, "A3": 4000.0, "A4": 250.0, "B1": 4000.0}
    assert [c["name"] for c in doc["source_channels"]] == ["A3", "B1"]
    text = run_cli("info", src, "--montage", "as-is")
    assert "MIXED" in text.stdout and "A4 250 Hz" in text.stdout
    assert "left out" in text.stderr and "A4 250 Hz" in text.stderr
    proc = run_cli("detect", src, "--out", tmp_path / "out", "--montage", "as-is", "--detector", "rms")
    assert proc.returncode == 0, proc.stderr
    counts = (tmp_path / "out" / "mixed_counts.tsv").read_text()
    assert "A3" in counts and "A4" not in counts and "A1" not in counts


def test_bipolar_montage_keeps_channels_recorded_bipolar(tmp_path):
    src = good_edf(tmp_path / "mono_bi.edf", names=("A1", "A2", "A3", "B1-B2", "B2-B3"))
    proc = run_cli("info", src, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["channels"] == ["A1-A2", "A2-A3", "B1-B2", "B2-B3"]
    assert "mixes monopolar and bipolar" in proc.stderr


def test_utf8_labels_and_control_bytes_in_labels(tmp_path):
    src = raw_edf(tmp_path / "labels.edf", ["x", "y", "z"], [2048] * 3,
                  label_bytes=["HÜ1".encode(), "HÜ2".encode(), b"H\x07\x003"])
    proc = run_cli("detect", src, "--out", tmp_path / "out", "--montage", "as-is", "--detector", "rms")
    assert proc.returncode == 0, proc.stderr
    assert "control characters removed" in proc.stderr
    table = (tmp_path / "out" / "labels_counts.tsv").read_bytes()
    assert "HÜ1".encode() in table and "HÃ".encode() not in table
    assert not any(b < 32 and b not in (9, 10, 13) for b in table)  # no NUL/BEL copied


def test_physical_range_inverted_is_said(tmp_path):
    src = good_edf(tmp_path / "inverted.edf")
    n = edf_signals(src)
    for i in range(n):
        patch_signal(src, "physical_min", i, "3200")
        patch_signal(src, "physical_max", i, "-3200")
    proc = run_cli("info", src)
    assert proc.returncode == 0 and "read inverted" in proc.stderr


# ---- option values: checked before any work, one line, exit 2


@pytest.mark.parametrize("args", [
    ["score", "D", "R", "--iou", "5"], ["score", "D", "R", "--iou", "-1"],
    ["score", "D", "R", "--iou", "0"], ["score", "D", "R", "--tolerance", "-1"],
    ["score", "D", "R", "--bin", "0"], ["score", "D", "R", "--bin", "-1"],
    ["score", "D", "R", "--bin", "1e308"],
    ["detect", "X.edf", "--out", "O", "--mismatch-cv", "1e6"],
    ["detect", "X.edf", "--out", "O", "--mismatch-cv", "-0.1"],
    ["detect", "X.edf", "--out", "O", "--chunk-s", "0"],
    ["detect", "X.edf", "--out", "O", "--scheduler", "notanaddress"],
    ["encode", "X.edf", "--out", "O", "--chunk-s", "0"],
    ["power", "O", "--set", "synaptic_nj=-1"], ["power", "O", "--set", "synaptic_nj=nan"],
    ["power", "O", "--set", "channels_per_chip=0"],
    ["detect", "X.edf", "--out", "O", "--seed", "-1"], ["score", "D", "R", "--iou", "nan"],
    ["detect", "X.edf", "--out", "O", "--mismatch-cv", "nan"], ["score", "D", "R", "--bin", "inf"], ["demo", "--out", "O", "--seed", "-1"],
    ["demo", "--out", "O", "--duration", "1e9"], ["simulate", "--out", "O", "--seed", "-1"],
    ["simulate", "--out", "O", "--line-noise", "-5"], ["simulate", "--out", "O", "--line-noise", "5000"],
    ["simulate", "--out", "O", "--snr-db", "5", "nan"],
    ["simulate", "--out", "O", "--set", "ripple_rate_per_min=-5"],
    ["simulate", "--out", "O", "--set", "ripple_freq_hz=230,90"],
    ["simulate", "--out", "O", "--channels", "1000", "--duration", "86400"],
    ["outcome", "--events", "O", "--participants", "D", "--resected", "R", "--ilae-cut", "9"],
    ["outcome", "--events", "O", "--participants", "D", "--resected", "R", "--dwell", "2"],
], ids=lambda a: " ".join(a[:1] + a[-2:]))
def test_option_out_of_range_is_one_line(args, tmp_path):
    proc = run_cli(*[str(tmp_path / a) if a in ("D", "R", "X.edf", "O") else a for a in args], timeout=60)
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: hfo-detect ") and "Invalid value" in lines[0], lines
    assert not (tmp_path / "O").exists()  # refused before any work


def _events(path: Path, rows) -> Path:
    path.write_text("onset\tduration\ttrial_type\tchannel\n"
                    + "".join(f"{o}\t{d}\tripple\tA1-A2\n" for o, d in rows))
    return path


@pytest.mark.parametrize("detector", ["rms", "morphology"])
def test_unit_slip_is_refused_by_the_baselines_too(tmp_path, detector):
    bad = picovolt_fif(tmp_path)
    proc = run_cli("detect", bad, "--out", tmp_path / "out", "--montage", "as-is", "--detector", detector)
    assert_one_line_about(proc, bad.name)
    assert "implausibly small" in proc.stderr


def test_score_cost_follows_events_not_time_span(tmp_path):
    """Marks at 1e9 s (or onsets in ms) must not allocate a bin per 10 ms of the span."""
    det = _events(tmp_path / "det_events.tsv", [(1.0, 0.1), (2.5e6, 0.1)])
    ref = _events(tmp_path / "ref.tsv", [(1.0, 0.1), (1e9, 0.1)])
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen([*CLI, "score", str(det), str(ref), "--json"], stdout=fo,
                                stderr=fe)
        try:
            # this child's own peak RSS (RUSAGE_CHILDREN would be the largest child of the
            # whole test session: a first-run numba compile elsewhere reaches ~0.9 GB)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            proc.returncode = 0  # reaped above: Popen must not wait for it again
    assert os.waitstatus_to_exitcode(status) == 0, err.read_text()
    ripple = json.loads(out.read_text())["kinds"]["ripple"]
    assert (ripple["tp"], ripple["fp"], ripple["fn"]) == (1, 1, 1)
    # 1e11 bins would be ~100 GB; the run stays far below 1 GB
    assert usage.ru_maxrss < 1_000_000  # kB


def test_score_refuses_absurd_durations_and_empty_channel(tmp_path):
    det = _events(tmp_path / "det_events.tsv", [(1.0, 0.1)])
    ref = _events(tmp_path / "huge.tsv", [(1.0, 1e308)])
    assert_one_line_about(run_cli("score", det, ref), "huge.tsv")
    bad = tmp_path / "nochan.tsv"
    bad.write_text("onset\tduration\ttrial_type\tchannel\n1\t0.1\tripple\t\n")
    proc = run_cli("score", det, bad)
    assert_one_line_about(proc, "nochan.tsv")


def test_report_sweep_and_outcome_tables_checked(tmp_path):
    src = good_edf(tmp_path / "rec.edf")
    out = tmp_path / "out"
    assert run_cli("detect", src, "--out", out, "--montage", "as-is", "--detector", "rms").returncode == 0
    sweep = tmp_path / "sweep.csv"
    sweep.write_text("a,b\n1,2\n")
    assert_one_line_about(run_cli("report", out, "--sweep", sweep), "sweep.csv")
    binary = tmp_path / "outcome.tsv"
    binary.write_bytes(bytes(range(256)) * 20)
    assert_one_line_about(run_cli("report", out, "--outcome", binary), "outcome.tsv")


def test_brainvision_markers_beyond_the_data_are_refused(tmp_path):
    """Header and markers of a 7-s recording, data of a 5-s one (copied over its .eeg)."""
    src = vhdr(tmp_path / "rec.vhdr", "rec.eeg")
    src.write_text(src.read_text(encoding="utf-8").replace(
        "DataFormat=", "MarkerFile=rec.vmrk\nDataFormat="), encoding="utf-8")
    (tmp_path / "rec.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=rec.eeg\n[Marker Infos]\nMk1=New Segment,,1,1,0\n"
        f"Mk2=Stimulus,S  1,{int(6.5 * SFREQ)},1,0\n", encoding="utf-8")
    noise(2, 5.0).T.astype("<f4").tofile(tmp_path / "rec.eeg")
    proc = run_cli("info", src)
    assert_one_line_about(proc, "rec.vhdr")
    assert "markers up to sample" in proc.stderr


def test_control_characters_in_a_file_name_stay_on_one_line(tmp_path):
    bad = tmp_path / "two\nlines\x07.edf"
    bad.write_bytes(b"x")
    proc = run_cli("detect", bad, "--out", tmp_path / "out", *DETECT_ARGS)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"error: {tmp_path}/two\\nlines\\x07.edf: not an EDF/BDF file "
                                        "(1 bytes, shorter than a header)"]
    assert "\x07" not in proc.stderr
