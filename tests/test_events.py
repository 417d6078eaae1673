"""EventTable: construction, selection, masks, co-occurrence and every format it converts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfo_detect.channels import canonical_bipolar, pair_key, split_contact
from hfo_detect.errors import AnnotationError
from hfo_detect.events import EventTable


def _table(**extra) -> EventTable:
    df = pd.DataFrame({
        "onset": [1.0, 0.5, 2.0, 1.05, 3.0],
        "duration": [0.1, 0.05, 0.2, 0.03, 0.01],
        "channel": ["AHR3-4", "AHR3-AHR4", "A1-A2", "AHR3-AHR4", "A1-A2"],
        "kind": ["ripple", "FR", "ripple", "fast_ripple", "hfo"],
        **extra,
    })
    return EventTable(df)


# ---------------------------------------------------------------------- channel names
@pytest.mark.parametrize("name, canon", [
    ("AHR3-4", "AHR3-AHR4"),
    ("AHR3-AHR4", "AHR3-AHR4"),
    (" AHR3 - 4 ", "AHR3-AHR4"),
    ("AHR4-AHR3", "AHR4-AHR3"),
    ("AHR10-11", "AHR10-AHR11"),
    ("18-19", "18-19"),
    ("AHR3", "AHR3"),
    (" ECG ", "ECG"),
])
def test_canonical_bipolar(name, canon):
    assert canonical_bipolar(name) == canon


def test_split_contact_and_pair_key():
    assert split_contact("AHR3") == ("AHR", 3)
    assert split_contact("TBL12") == ("TBL", 12)
    assert split_contact("18") == ("", 18)
    assert split_contact("ECG") == ("ECG", None)
    assert pair_key("AHR4-AHR3") == pair_key("AHR3-4")
    assert pair_key("AHR3-4") != pair_key("AHR3-AHR5")


# ---------------------------------------------------------------------- table basics
def test_construction_canonicalises_and_sorts():
    t = _table()
    assert list(t.df.columns[:6]) == ["onset", "duration", "channel", "kind", "fr_and_r", "detector"]
    assert t.df["channel"].tolist() == ["A1-A2", "A1-A2", "AHR3-AHR4", "AHR3-AHR4", "AHR3-AHR4"]
    assert t.df["onset"].tolist() == [2.0, 3.0, 0.5, 1.0, 1.05]
    assert t.df["kind"].tolist() == ["ripple", "hfo", "fast_ripple", "ripple", "fast_ripple"]
    assert not t.df["fr_and_r"].any() and (t.df["detector"] == "").all()
    np.testing.assert_allclose(t.offset, [2.2, 3.01, 0.55, 1.1, 1.08])
    assert t.channels == ["A1-A2", "AHR3-AHR4"]
    assert len(EventTable.empty()) == 0 and len(EventTable()) == 0


@pytest.mark.parametrize("df, problem", [
    (pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": ["A1-A2"]}), "lacks column"),
    (pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": ["A1-A2"], "kind": ["gamma"]}), "unknown event kind"),
    (pd.DataFrame({"onset": [1.0], "duration": [-0.1], "channel": ["A1-A2"], "kind": ["ripple"]}), "negative"),
    (pd.DataFrame({"onset": [np.nan], "duration": [0.1], "channel": ["A1-A2"], "kind": ["ripple"]}), "NaN"),
    (pd.DataFrame({"onset": [1.0], "duration": [0.1], "channel": [None], "kind": ["ripple"]}), "channel"),
])
def test_invalid_tables_raise(df, problem):
    with pytest.raises(AnnotationError, match=problem):
        EventTable(df)


def test_select_concat_summary():
    t = _table()
    assert len(t.select(channel="AHR3-4")) == 3  # short name matches the long one
    assert len(t.select(kind="ripple")) == 2
    assert len(t.select(channel=["A1-A2"], kind=["ripple", "hfo"])) == 2
    assert len(t.select(kind="fr")) == 2
    both = EventTable.concat([t.select(kind="ripple"), t.select(kind="fast_ripple"), EventTable.empty()])
    assert len(both) == 4
    s = t.summary(duration_s=120.0).set_index(["channel", "kind"])
    assert s.loc[("AHR3-AHR4", "fast_ripple"), "count"] == 2
    assert s.loc[("AHR3-AHR4", "fast_ripple"), "rate_per_min"] == pytest.approx(1.0)  # 2 in 2 min
    assert s.loc[("AHR3-AHR4", "fast_ripple"), "mean_duration_s"] == pytest.approx(0.04)
    assert "rate_per_min" not in t.summary().columns


def test_get_mask_hand_computed():
    t = _table()
    mask = t.get_mask(sfreq=100.0, n_times=400, ch_names=["AHR3-4", "A1-A2", "X1-X2"], kind="ripple")
    assert mask.shape == (3, 400)
    assert np.flatnonzero(mask[0]).tolist() == list(range(100, 110))  # 1.0-1.1 s
    assert np.flatnonzero(mask[1]).tolist() == list(range(200, 220))  # 2.0-2.2 s
    assert not mask[2].any()
    full = t.get_mask(100.0, 400, ["AHR3-AHR4", "A1-A2"])
    assert np.flatnonzero(full[0]).tolist() == list(range(50, 55)) + list(range(100, 110))  # FR 105-108 inside ripple
    assert np.flatnonzero(full[1]).tolist() == list(range(200, 220)) + [300]  # 10 ms at 100 Hz: one sample


def test_with_co_occurrence_any_overlap():
    df = pd.DataFrame({
        "onset": [1.0, 1.05, 2.0, 2.1, 5.0, 5.0],
        "duration": [0.1, 0.02, 0.1, 0.1, 0.1, 0.1],
        "channel": ["A1-A2", "A1-A2", "A1-A2", "A1-A2", "A1-A2", "B1-B2"],
        "kind": ["ripple", "fast_ripple", "ripple", "fast_ripple", "ripple", "fast_ripple"],
        "fr_and_r": [False, False, True, True, True, False],
    })
    flags = EventTable(df).with_co_occurrence().df.set_index(["channel", "onset", "kind"])["fr_and_r"]
    assert flags[("A1-A2", 1.0, "ripple")] and flags[("A1-A2", 1.05, "fast_ripple")]
    # touching (2.0-2.1 and 2.1-2.2) is no overlap; a stale flag is cleared
    assert not flags[("A1-A2", 2.0, "ripple")] and not flags[("A1-A2", 2.1, "fast_ripple")]
    # same time on another channel is no co-occurrence
    assert not flags[("A1-A2", 5.0, "ripple")] and not flags[("B1-B2", 5.0, "fast_ripple")]


# ---------------------------------------------------------------------- round trips
def _rich_table() -> EventTable:
    return _table(
        fr_and_r=[True, False, False, True, False],
        detector=["snn", "snn", "rms", "snn", ""],
        snr_db=[3.5, np.nan, 1.0 / 3.0, 12.25, np.nan],
        peak_frequency=[120.0, 300.0, 95.5, 410.0, np.nan],
        label=["a", "b", "c", "d", "e"],
    )


def test_bids_tsv_round_trip_identical(tmp_path):
    t = _rich_table()
    path = t.to_bids_tsv(tmp_path / "sub-01_task-x_events.tsv")
    header = path.read_text().splitlines()[0].split("\t")
    assert header[:4] == ["onset", "duration", "trial_type", "channel"]
    rows = pd.read_csv(path, sep="\t", keep_default_na=False)
    assert (rows["trial_type"] == rows["kind"]).all()
    assert "n/a" in rows["snr_db"].astype(str).tolist()
    pd.testing.assert_frame_equal(EventTable.read(path).df, t.df)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_annotations_round_trip_identical():
    t = _rich_table()
    annot = t.to_annotations()
    got = sorted(zip(annot.onset, (c[0] for c in annot.ch_names), annot.description))
    assert got[1] == (1.0, "AHR3-AHR4", "ripple/fr_and_r")
    assert sorted(c for c in annot.ch_names) == sorted((c,) for c in t.df["channel"])
    pd.testing.assert_frame_equal(EventTable.from_annotations(annot).df, t.df)


def test_edf_plus_round_trip(tmp_path):
    from hfo_detect.io import read_recording, write_edf

    t = _rich_table()
    names = ["AHR3-AHR4", "A1-A2", "B1-B2"]
    sfreq = 512.0
    data = np.random.default_rng(0).normal(0, 50, (3, int(5 * sfreq)))
    path = write_edf(tmp_path / "rec.edf", data, sfreq, names, annotations=t.to_annotations())
    raw = read_recording(path, montage="as-is")
    back = EventTable.from_annotations(raw.annotations)
    core = ["onset", "duration", "channel", "kind", "fr_and_r"]
    # EDF+ keeps description and channel, not the extras (detector, snr_db, ...)
    pd.testing.assert_frame_equal(back.df[core], t.df[core], atol=1e-6, rtol=0)


def test_from_annotations_understands_other_spellings():
    import mne

    annot = mne.Annotations([0.5, 1.0, 2.0, 3.0], [0.1, 0.1, 0.1, 0.0],
                            ["ripple_AHR3-4", "fr@@X1-X2", "BAD_ACQ_SKIP", "frandr_AHR3-4"])
    t = EventTable.from_annotations(annot, detector="zurich")
    assert t.df[["channel", "kind"]].values.tolist() == [["AHR3-AHR4", "ripple"], ["X1-X2", "fast_ripple"]]
    assert (t.df["detector"] == "zurich").all()


# ---------------------------------------------------------------------- real files
def test_read_truth_tsvs(shared_data):
    crop = EventTable.read(shared_data / "ieeg_fedele2017" / "truth_crop5s_all_channels.tsv")
    assert len(crop) == 67 and len(crop.channels) == 20
    assert crop.df["kind"].value_counts().to_dict() == {"ripple": 60, "fast_ripple": 7}
    snn = EventTable.read(shared_data / "ieeg_fedele2017" / "truth_snn_AHR3-AHR4_0-50s.tsv")
    assert len(snn) == 17 and snn.channels == ["AHR3-AHR4"]
    assert snn.df["kind"].value_counts().to_dict() == {"ripple": 13, "fast_ripple": 4}
    assert snn.df["fr_and_r"].sum() == 2  # one frandr mark at 6.4365 s flags two rows
    assert snn.df.loc[snn.df["fr_and_r"], "onset"].tolist() == [6.4365, 6.4365]
    ecog = EventTable.read(shared_data / "ecog_boran2019" / "truth_sub-01_SITUATION1A_ch18-19_0-75s.tsv")
    assert len(ecog) == 9 and ecog.channels == ["18-19"] and (ecog.df["kind"] == "fast_ripple").all()


def test_zurich_crop_events_match_truth(shared_data):
    folder = shared_data / "ieeg_fedele2017"
    truth = EventTable.read(folder / "truth_crop5s_all_channels.tsv").df
    zurich = EventTable.read(folder / "crop5s_brainvision" / "sub-01_ses-interictalsleep_run-01_events.tsv").df
    cols = ["onset", "channel", "kind", "fr_and_r", "label"]
    pd.testing.assert_frame_equal(zurich[cols], truth[cols])
    assert zurich["fr_and_r"].sum() == 2  # the one frandr row flags ripple and FR on PHR2-PHR3
    assert set(zurich.loc[zurich["fr_and_r"], "channel"]) == {"PHR2-PHR3"}
    # the crop's file cuts the last mark at the 5-s end; the truth keeps its full length
    offset = np.minimum(truth["onset"] + truth["duration"], 5.0)
    np.testing.assert_allclose(zurich["duration"], offset - truth["onset"], atol=1e-9)
    assert (zurich["duration"] != truth["duration"]).sum() == 1


def test_zurich_full_run_frandr_is_a_flag(shared_data):
    path = (shared_data / "ieeg_fedele2017" / "ds003498_sidecars_sub-01_run-01"
            / "sub-01_ses-interictalsleep_run-01_events.tsv")
    t = EventTable.read(path)
    # 4,223 rows = 3,644 ripple + 443 fr + 136 frandr (data README); frandr adds no event
    assert t.df["kind"].value_counts().to_dict() == {"ripple": 3644, "fast_ripple": 443}
    assert t.df["fr_and_r"].sum() == 2 * 136
    assert len(t.channels) == 23
    # here every Zurich frandr is exactly an overlap of a ripple and a fast ripple
    np.testing.assert_array_equal(t.with_co_occurrence().df["fr_and_r"], t.df["fr_and_r"])


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(AnnotationError, match="missing.tsv: events file not found"):
        EventTable.read(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n")
    with pytest.raises(AnnotationError, match="bad.tsv: unknown events layout"):
        EventTable.read(bad)
    no_channel = tmp_path / "nochan.tsv"
    no_channel.write_text("onset\tduration\ttrial_type\n1.0\t0.1\tripple\n")
    with pytest.raises(AnnotationError, match="nochan.tsv: no channel events"):
        EventTable.read(no_channel)


def test_header_only_events_file_reads_as_empty(tmp_path):
    path = tmp_path / "none_events.tsv"
    path.write_text("onset\tduration\ttrial_type\tchannel\n")
    table = EventTable.read(path)
    assert len(table) == 0
    assert {"onset", "duration", "channel", "kind"} <= set(table.df.columns)
