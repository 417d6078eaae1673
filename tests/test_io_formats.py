"""Reading every supported format: shape, sampling rate, units, montage, annotations."""

from __future__ import annotations

import csv

import mne
import numpy as np
import pytest

from hfo_detect.io import bipolar_pairs, open_recording, read_recording, write_edf

SFREQ = 2000.0


def _signal(n_ch=4, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 80.0, (n_ch, n))


def _step(data):
    """EDF quantization step per channel: physical range over 65535 digital steps (+ header rounding)."""
    return (data.max(axis=1) - data.min(axis=1) + 2e-3) / 65535


def test_edf_round_trip_values_units_and_types(tmp_path):
    data = _signal()
    names = ["A1-A2", "A2-A3", "B1-B2", "ECG"]
    path = write_edf(tmp_path / "rec.edf", data, SFREQ, names, ch_types=["seeg"] * 3 + ["ecg"])
    raw = mne.io.read_raw_edf(path, infer_types=True, verbose="error")
    assert raw.get_channel_types() == ["seeg", "seeg", "seeg", "ecg"]
    assert raw.ch_names == names

    out = read_recording(path)  # bipolar montage keeps already-bipolar names, drops ECG
    assert out.ch_names == ["A1-A2", "A2-A3", "B1-B2"]
    assert out.info["sfreq"] == SFREQ and out.n_times == 4000
    got_uv = out.get_data() * 1e6  # MNE holds volts
    err = np.abs(got_uv - data[:3]).max(axis=1)
    assert np.all(err <= _step(data[:3]))
    # quantization really is 16 bit: not exact, but far below a microvolt
    assert err.max() > 0 and err.max() < 0.02
    assert not list(tmp_path.glob(".*tmp"))  # atomic write left no temporary file


def test_edf_bipolar_montage_values(tmp_path):
    data = _signal(n_ch=3)
    path = write_edf(tmp_path / "mono.edf", data, SFREQ, ["HL1", "HL2", "HL3"])
    raw = read_recording(path)
    assert raw.ch_names == ["HL1-HL2", "HL2-HL3"]
    expected = np.vstack([data[0] - data[1], data[1] - data[2]])
    tol = _step(data).max() * 2
    np.testing.assert_allclose(raw.get_data() * 1e6, expected, atol=tol)
    as_is = read_recording(path, montage="as-is")
    assert as_is.ch_names == ["HL1", "HL2", "HL3"]
    explicit = read_recording(path, montage=[("HL3", "HL1")])
    assert explicit.ch_names == ["HL3-HL1"]
    np.testing.assert_allclose(explicit.get_data()[0] * 1e6, data[2] - data[0], atol=tol)


def test_edf_annotations_keep_channels(tmp_path):
    ann = mne.Annotations(
        onset=[0.25, 1.0, 1.5],
        duration=[0.05, 0.1, 0.0],
        description=["ripple", "fast_ripple", "note"],
        ch_names=[("A1-A2",), ("A1-A2", "A2-A3"), ()],
    )
    path = write_edf(tmp_path / "ann.edf", _signal(2), SFREQ, ["A1-A2", "A2-A3"], annotations=ann)
    got = read_recording(path).annotations
    rows = sorted(zip(got.onset.round(6), got.description, got.ch_names))
    assert rows == [
        (0.25, "ripple", ("A1-A2",)),
        (1.0, "fast_ripple", ("A1-A2", "A2-A3")),
        (1.5, "note", ()),
    ]
    np.testing.assert_allclose(sorted(got.duration), [0.0, 0.05, 0.1])


def test_edf_odd_length_is_padded_and_cropped_back(tmp_path):
    # 4001 samples at 2048 Hz: no record length divides it with an 8-char duration
    data = _signal(n_ch=2, n=4001)
    path = write_edf(tmp_path / "odd.edf", data, 2048.0, ["X1-X2", "X2-X3"])
    raw = read_recording(path)
    assert raw.n_times == 4001 and raw.info["sfreq"] == 2048.0
    assert "BAD_ACQ_SKIP" not in raw.annotations.description
    assert np.abs(raw.get_data() * 1e6 - data).max() <= _step(data).max()


def test_bdf_reads(tmp_path):
    data = _signal(n_ch=2)
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(["C1", "C2"], SFREQ, "seeg"), verbose="error")
    path = tmp_path / "rec.bdf"
    mne.export.export_raw(path, raw, fmt="bdf", physical_range="channelwise", verbose="error")
    out = read_recording(path)
    assert out.ch_names == ["C1-C2"]
    # 24 bit: error well below the 16-bit step
    np.testing.assert_allclose(out.get_data()[0] * 1e6, data[0] - data[1], atol=1e-3)


def test_fif_reads(tmp_path):
    data = _signal(n_ch=3)
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(["P1", "P2", "P3"], SFREQ, "ecog"), verbose="error")
    path = tmp_path / "rec_raw.fif"
    raw.save(path, verbose="error")
    out = read_recording(path, montage="as-is")
    assert out.get_channel_types() == ["ecog"] * 3
    np.testing.assert_allclose(out.get_data() * 1e6, data, rtol=1e-6)  # FIF stores float32


@pytest.mark.filterwarnings("ignore:No events found")
def test_bids_folder_reads(tmp_path):
    mne_bids = pytest.importorskip("mne_bids")
    data = _signal(n_ch=3, n=6000)
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(["AHR1", "AHR2", "AHR3"], SFREQ, "seeg"), verbose="error")
    raw.info["line_freq"] = 50.0
    root = tmp_path / "bids"
    bp = mne_bids.BIDSPath(subject="01", session="night", task="sleep", run="01", datatype="ieeg", root=root)
    mne_bids.write_raw_bids(raw, bp, format="EDF", allow_preload=True, verbose=False)
    files = sorted((root / "sub-01").rglob("*_ieeg.edf"))
    assert len(files) == 1
    out = read_recording(files[0])  # a file inside a BIDS tree -> read through mne-bids
    assert out.ch_names == ["AHR1-AHR2", "AHR2-AHR3"]
    expected = np.vstack([data[0] - data[1], data[1] - data[2]])
    np.testing.assert_allclose(out.get_data() * 1e6, expected, atol=2 * _step(data).max())
    assert open_recording(files[0]).format == "BIDS"
    rec = open_recording(bp.copy().update(suffix="ieeg", extension=".edf"))
    assert rec.format == "BIDS" and rec.n_times == 6000


def test_real_brainvision_crop_bipolar_names(crop_vhdr, shared_data):
    raw = read_recording(crop_vhdr)
    assert raw.info["sfreq"] == 2000.0 and raw.n_times == 10000
    with open(shared_data / "ieeg_fedele2017" / "truth_crop5s_all_channels.tsv") as fh:
        marked = {row["channel"] for row in csv.DictReader(fh, delimiter="\t")}
    assert len(marked) == 20
    assert marked <= set(raw.ch_names)
    # 50 contacts on 7 electrodes (6 + 4 + 5 x 8) -> 50 - 7 = 43 neighbouring pairs
    assert len(raw.ch_names) == 43
    # AHR3-AHR4 is contact 3 minus contact 4 (volts in the Raw, microvolts out)
    mono = mne.io.read_raw_brainvision(crop_vhdr, verbose="error")
    expected = (mono.get_data(picks=["AHR3"]) - mono.get_data(picks=["AHR4"]))[0]
    np.testing.assert_allclose(raw.get_data(picks=["AHR3-AHR4"])[0], expected)
    # real iEEG amplitude in microvolts: tens to hundreds
    sd_uv = np.std(raw.get_data(picks=["AHR3-AHR4"])[0] * 1e6)
    assert 10 < sd_uv < 1000


def test_real_mat_reads_as_microvolts(snn_mat, crop_vhdr):
    raw = read_recording(snn_mat, min_fs_hz=1000.0)
    assert raw.info["sfreq"] == 2000.0  # snapped: the stored time vector gives 1999.9999999993
    assert raw.n_times == 100000 and raw.ch_names == ["AL1-2"]  # label stored in the file
    x_uv = raw.get_data()[0] * 1e6
    # README: it is AHR4 minus AHR3 of the crop over the shared first 5 s (SD ~114 uV)
    crop = read_recording(crop_vhdr).get_data(picks=["AHR3-AHR4"])[0] * 1e6
    np.testing.assert_allclose(x_uv[:10000], -crop, atol=1e-3)
    assert 50 < np.std(x_uv) < 300


def test_bipolar_pairs_skip_gaps_and_non_ieeg():
    names = ["AHR1", "AHR2", "AHR4", "AHR5", "ECG1", "EOG2", "Cz", "X10", "X11", "REF", "EMG1"]
    types = ["seeg"] * 4 + ["seeg", "eog", "eeg", "seeg", "seeg", "seeg", "emg"]
    assert bipolar_pairs(names, types) == [("AHR1", "AHR2"), ("AHR4", "AHR5"), ("X10", "X11")]
    # a channel of non-EEG type is skipped even with a contact-like name
    assert bipolar_pairs(["A1", "A2", "A3"], ["seeg", "misc", "seeg"]) == []


def test_bipolar_annotations_on_monopolar_edf_come_back_after_montage(tmp_path):
    # marks name bipolar channels; the file stores contacts: the channel rides in the text
    ann = mne.Annotations([0.5], [0.08], ["ripple"], ch_names=[("AHR2-AHR3",)])
    path = write_edf(tmp_path / "mono.edf", _signal(3), SFREQ, ["AHR1", "AHR2", "AHR3"], annotations=ann)
    as_is = read_recording(path, montage="as-is").annotations
    assert list(as_is.description) == ["ripple@@AHR2-AHR3"] and as_is.ch_names[0] == ()
    bip = read_recording(path).annotations
    assert list(bip.description) == ["ripple"] and bip.ch_names[0] == ("AHR2-AHR3",)
    assert bip.onset[0] == pytest.approx(0.5) and bip.duration[0] == pytest.approx(0.08)


def test_write_edf_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError, match="duplicate"):
        write_edf(tmp_path / "d.edf", _signal(2), SFREQ, ["A1", "A1"])
    bad = _signal(2)
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        write_edf(tmp_path / "n.edf", bad, SFREQ, ["A1", "A2"])
    with pytest.raises(ValueError, match="16 characters"):
        write_edf(tmp_path / "l.edf", _signal(1), SFREQ, ["X" * 17])
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_edf_range_holds_extremes_that_round_onto_a_header_value(tmp_path):
    # 56.111200000000004 * 1e5 is exactly 5611120.0 in binary: the header's rounded-up maximum
    # must still be >= the true maximum (edfio refuses the signal otherwise)
    data = _signal(n_ch=1)
    data[0, 10], data[0, 20] = 56.111200000000004, -86.67860000000001
    data = np.clip(data, -86.67860000000001, 56.111200000000004)
    path = write_edf(tmp_path / "rec.edf", data, SFREQ, ["A1-A2"])
    got = read_recording(path).get_data()[0] * 1e6
    assert abs(got.max() - 56.1112) < 0.01 and abs(got.min() + 86.6786) < 0.01
