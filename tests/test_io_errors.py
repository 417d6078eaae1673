"""Each kind of bad input raises its own HFODetectError subclass with a one-line message naming the file."""

from __future__ import annotations

import logging
import shutil

import mne
import numpy as np
import pytest
from edfio import Edf, EdfSignal

from hfo_detect import errors
from hfo_detect.io import Recording, open_recording, read_recording, validate_sampling_rate, write_edf

SFREQ = 2000.0


def _noise(n_ch, n=2000, seed=1):
    return np.random.default_rng(seed).normal(0.0, 50.0, (n_ch, n))


def _raises(exc, path, **kwargs):
    """Read ``path``; assert ``exc`` with a single-line message that names the file."""
    with pytest.raises(exc) as info:
        read_recording(path, **kwargs)
    message = str(info.value)
    assert path.name in message and "\n" not in message
    return message


@pytest.mark.parametrize("name", ["rec.xyz", "rec.csv", "noext"])
def test_unknown_extension(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"1,2,3\n")
    assert "unknown file type" in _raises(errors.UnsupportedFormatError, path)


@pytest.mark.parametrize("name", ["empty.edf", "empty.vhdr", "empty.fif", "empty.mat"])
def test_zero_length(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    _raises(errors.EmptyFileError, path)


@pytest.mark.parametrize("name", ["junk.edf", "junk.bdf", "junk.vhdr", "junk.fif", "junk.mat"])
def test_garbage_bytes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    _raises(errors.CorruptFileError, path)


def test_missing_file(tmp_path):
    msg = _raises(errors.HFODetectError, tmp_path / "absent.edf")
    assert "no such file" in msg


def test_truncated_edf(tmp_path):
    path = write_edf(tmp_path / "cut.edf", _noise(3, 4000), SFREQ, ["A1-A2", "A2-A3", "A3-A4"])
    raw_bytes = path.read_bytes()
    path.write_bytes(raw_bytes[: len(raw_bytes) - 1001])  # lose part of the last record
    msg = _raises(errors.TruncatedFileError, path)
    assert "records" in msg and str(len(raw_bytes) - 1001) in msg
    # the intact file reads
    path.write_bytes(raw_bytes)
    assert read_recording(path).n_times == 4000


def test_truncated_header_only(tmp_path):
    path = write_edf(tmp_path / "head.edf", _noise(2), SFREQ, ["A1-A2", "A2-A3"])
    path.write_bytes(path.read_bytes()[:300])
    _raises(errors.CorruptFileError, path)


def test_sampling_rate_too_low(tmp_path, caplog):
    path = write_edf(tmp_path / "slow.edf", _noise(2, 1000), 500.0, ["A1-A2", "A2-A3"])
    msg = _raises(errors.SamplingRateError, path, min_fs_hz=1000.0)
    assert "500 Hz" in msg
    with caplog.at_level(logging.WARNING):
        raw = read_recording(path, min_fs_hz=1000.0, on_low_fs="warn")
    assert raw.info["sfreq"] == 500.0 and "too low" in caplog.text
    assert read_recording(path, min_fs_hz=400.0).info["sfreq"] == 500.0


def test_validate_sampling_rate_edges():
    assert validate_sampling_rate(2000.0, 500.0, "x.edf") is True
    with pytest.raises(errors.SamplingRateError, match="x.edf: sampling rate 1000 Hz"):
        validate_sampling_rate(1000.0, 500.0, "x.edf")  # Nyquist equal to the edge is not enough
    assert validate_sampling_rate(1000.0, 500.0, "x.edf", on_low_fs="drop") is False
    assert validate_sampling_rate(1000.0, 250.0, "x.edf") is True


def test_no_usable_channels(tmp_path):
    only_bio = write_edf(tmp_path / "bio.edf", _noise(2), SFREQ, ["ECG", "EOG"], ch_types=["ecg", "eog"])
    _raises(errors.NoUsableChannelsError, only_bio)
    lonely = write_edf(tmp_path / "lonely.edf", _noise(2), SFREQ, ["A1", "B3"])  # no neighbours
    _raises(errors.NoUsableChannelsError, lonely)
    assert read_recording(lonely, montage="as-is").ch_names == ["A1", "B3"]
    msg = _raises(errors.NoUsableChannelsError, lonely, montage=[("A1", "Z9")])
    assert "Z9" in msg


def test_nan_samples_name_channel_and_time(tmp_path):
    data = _noise(3) * 1e-6
    data[1, 1500] = np.nan
    raw = mne.io.RawArray(data, mne.create_info(["B1", "B2", "B3"], SFREQ, "seeg"), verbose="error")
    path = tmp_path / "nan_raw.fif"
    raw.save(path, verbose="error")
    msg = _raises(errors.NonFiniteDataError, path, montage="as-is")
    assert "B2" in msg and "0.7500 s" in msg
    msg = _raises(errors.NonFiniteDataError, path)  # bipolar: both pairs touching B2 are bad
    assert "B1-B2" in msg and "0.7500 s" in msg


def test_inf_found_in_the_chunk_that_holds_it():
    data = _noise(2, 6000)
    data[0, 4500] = np.inf
    rec = Recording.from_array(data, SFREQ, ["A1-A2", "A2-A3"], path="mem.edf")
    chunks = rec.iter_chunks(chunk_s=1.0)
    assert next(chunks).stop == 2000 and next(chunks).stop == 4000  # clean chunks pass
    with pytest.raises(errors.NonFiniteDataError, match=r"mem.edf: .*A1-A2 at 2.2500 s"):
        next(chunks)


def test_duplicate_names_in_edf_header(tmp_path):
    # write the file with edfio directly: our writer would not produce duplicates
    signals = [EdfSignal(x, SFREQ, label=lb, physical_dimension="uV") for x, lb in zip(_noise(3), ["A1", "A2", "A1"])]
    path = tmp_path / "dup.edf"
    Edf(signals).write(path)
    assert "A1" in _raises(errors.DuplicateChannelError, path)


def test_duplicate_names_in_brainvision(tmp_path, crop_vhdr):
    # a copy of the real crop whose header names two channels AHR2 (MNE would rename them)
    for ext in (".eeg", ".vmrk"):
        shutil.copy(crop_vhdr.with_suffix(ext), tmp_path / crop_vhdr.with_suffix(ext).name)
    text = crop_vhdr.read_text(encoding="utf-8").replace("Ch13=AHR3,", "Ch13=AHR2,")
    path = tmp_path / crop_vhdr.name
    path.write_text(text, encoding="utf-8")
    assert "AHR2" in _raises(errors.DuplicateChannelError, path)


def test_duplicate_names_in_array():
    with pytest.raises(errors.DuplicateChannelError, match="arr.mat: duplicate channel names: X"):
        Recording.from_array(_noise(2), SFREQ, ["X", "X"], path="arr.mat")


def test_flat_channels(tmp_path, caplog):
    data = _noise(4)
    data[2] = 17.0  # a disconnected contact, constant
    names = ["A1-A2", "A2-A3", "A3-A4", "A4-A5"]
    path = write_edf(tmp_path / "flat.edf", data, SFREQ, names)
    with caplog.at_level(logging.WARNING):
        raw = read_recording(path)
    assert raw.ch_names == ["A1-A2", "A2-A3", "A4-A5"] and "A3-A4" in caplog.text
    assert "A3-A4" in _raises(errors.FlatChannelError, path, on_flat="error")
    assert len(read_recording(path, on_flat="ignore").ch_names) == 4
    assert open_recording(path).ch_names == ["A1-A2", "A2-A3", "A4-A5"]  # lazy view, same policy
    all_flat = write_edf(tmp_path / "allflat.edf", np.zeros((2, 2000)), SFREQ, ["A1-A2", "A2-A3"])
    _raises(errors.NoUsableChannelsError, all_flat)


def _copy_crop(crop_vhdr, dest):
    for ext in (".vhdr", ".eeg", ".vmrk"):
        shutil.copy(crop_vhdr.with_suffix(ext), dest / crop_vhdr.with_suffix(ext).name)
    return dest / crop_vhdr.name


def test_truncated_brainvision_data(tmp_path, crop_vhdr):
    path = _copy_crop(crop_vhdr, tmp_path)
    eeg = path.with_suffix(".eeg")
    eeg.chmod(0o644)
    eeg.write_bytes(eeg.read_bytes()[:-3])  # 50 ch x 4 bytes per sample: cut mid-sample
    assert "1999997 bytes" in _raises(errors.TruncatedFileError, path)


def test_brainvision_missing_data_file(tmp_path, crop_vhdr):
    path = _copy_crop(crop_vhdr, tmp_path)
    path.with_suffix(".eeg").unlink()
    assert "missing" in _raises(errors.CorruptFileError, path)
