"""Event-level scoring on hand-made cases with known answers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hfo_detect.evaluation import match_intervals, pr_auc, score_events, threshold_sweep
from hfo_detect.errors import AnnotationError
from hfo_detect.outputs import recording_key
from hfo_detect.evaluation.scoring import bin_labels


def ev(rows, kind="ripple"):
    """rows of (onset, offset, channel[, kind])."""
    out = []
    for r in rows:
        on, off, ch = r[:3]
        out.append(dict(onset=on, duration=off - on, channel=ch, kind=r[3] if len(r) > 3 else kind))
    return pd.DataFrame(out, columns=["onset", "duration", "channel", "kind"])


def counts(result, kind="ripple"):
    row = result.summary().loc[kind]
    return int(row["tp"]), int(row["fp"]), int(row["fn"])


def test_partial_overlap_under_each_rule():
    det = ev([(0.10, 0.20, "A1-A2")])
    ref = ev([(0.15, 0.30, "A1-A2")])  # IoU = 0.05 / 0.20 = 0.25, onset distance 0.05 s
    assert counts(score_events(det, ref, rule="overlap")) == (1, 0, 0)
    assert counts(score_events(det, ref, rule="iou", iou_threshold=0.2)) == (1, 0, 0)
    assert counts(score_events(det, ref, rule="iou", iou_threshold=0.3)) == (0, 1, 1)
    assert counts(score_events(det, ref, rule="onset", tolerance_s=0.05)) == (1, 0, 0)
    assert counts(score_events(det, ref, rule="onset", tolerance_s=0.04)) == (0, 1, 1)


def test_touching_intervals_do_not_overlap():
    res = score_events(ev([(0.0, 0.1, "A1-A2")]), ev([(0.1, 0.2, "A1-A2")]))
    assert counts(res) == (0, 1, 1)


def test_one_detection_covering_two_events_matches_one():
    det = ev([(1.0, 2.0, "A1-A2")])
    ref = ev([(1.1, 1.2, "A1-A2"), (1.5, 1.6, "A1-A2")])
    res = score_events(det, ref)
    assert counts(res) == (1, 0, 1)
    row = res.summary().loc["ripple"]
    assert row["precision"] == 1.0 and row["recall"] == 0.5
    assert row["f1"] == pytest.approx(2 / 3)


def test_assignment_is_optimal_not_greedy():
    # greedy (best overlap first) pairs A-X and leaves B and Y unmatched; optimal pairs A-Y, B-X
    det_on, det_off = [0.0, 0.25], [0.3, 0.35]
    ref_on, ref_off = [0.2, 0.05], [0.3, 0.1]
    di, ri = match_intervals(det_on, det_off, ref_on, ref_off)
    assert sorted(zip(di.tolist(), ri.tolist())) == [(0, 1), (1, 0)]


def test_events_on_unreviewed_channels_are_ignored():
    det = ev([(0.1, 0.2, "A1-A2"), (0.5, 0.6, "B1-B2"), (0.8, 0.9, "B1-B2")])
    ref = ev([(0.1, 0.2, "A1-A2")])
    assert counts(score_events(det, ref)) == (1, 0, 0)  # B1-B2 has no mark: not reviewed
    listed = score_events(det, ref, channels=["A1-A2", "B1-B2"])
    assert counts(listed) == (1, 2, 0)
    assert listed.reviewed_channels == ["A1-A2", "B1-B2"]
    per = listed.per_channel("ripple").set_index("channel")
    assert per.loc["B1-B2", "fp"] == 2 and per.loc["A1-A2", "tp"] == 1


def test_matching_is_per_channel():
    det = ev([(0.1, 0.2, "B1-B2")])
    ref = ev([(0.1, 0.2, "A1-A2"), (0.5, 0.6, "B1-B2")])
    assert counts(score_events(det, ref)) == (0, 1, 2)


def test_channel_spellings_are_canonicalised():
    res = score_events(ev([(0.1, 0.2, "AHR3-AHR4")]), ev([(0.12, 0.2, "AHR3-4")]))
    assert counts(res) == (1, 0, 0)


def test_empty_inputs():
    res = score_events(None, None)
    row = res.summary().loc["pooled"]
    assert (row["tp"], row["fp"], row["fn"]) == (0, 0, 0)
    assert np.isnan(row["precision"]) and np.isnan(row["recall"]) and np.isnan(row["f1"])
    res = score_events(None, ev([(0.1, 0.2, "A1-A2")]))
    row = res.summary().loc["ripple"]
    assert (row["tp"], row["fp"], row["fn"]) == (0, 0, 1)
    assert np.isnan(row["precision"]) and row["recall"] == 0.0 and row["f1"] == 0.0
    res = score_events(ev([(0.1, 0.2, "A1-A2")]), None)
    assert counts(res) == (0, 0, 0)  # no reference mark -> no reviewed channel
    assert res.notes


def test_kinds_are_scored_separately_and_pooled():
    det = ev([(0.1, 0.2, "A1-A2", "ripple"), (0.5, 0.52, "A1-A2", "ripple")])
    ref = ev([(0.1, 0.2, "A1-A2", "ripple"), (0.5, 0.52, "A1-A2", "fast_ripple")])
    res = score_events(det, ref)
    assert counts(res, "ripple") == (1, 1, 0)
    assert counts(res, "fast_ripple") == (0, 0, 1)
    assert counts(res, "pooled") == (2, 0, 0)


def test_frandr_pair_is_one_event_in_pooled_score():
    ref = ev([(0.1, 0.2, "A1-A2", "ripple"), (0.1, 0.2, "A1-A2", "fast_ripple")])
    det = ev([(0.12, 0.18, "A1-A2", "hfo")])
    res = score_events(det, ref)
    assert list(res.summary().index) == ["pooled"]  # band-less detector: pooled only
    assert counts(res, "pooled") == (1, 0, 0)
    assert any("no band" in n for n in res.notes)


def test_non_hfo_kinds_are_ignored():
    ref = ev([(0.1, 0.2, "A1-A2", "ripple"), (0.4, 0.5, "A1-A2", "spike")])
    det = ev([(0.1, 0.2, "A1-A2", "ripple")])
    assert counts(score_events(det, ref)) == (1, 0, 0)


def test_kappa_on_time_bins_by_hand():
    ref = ev([(0.0, 0.2, "A1-A2")])
    det = ev([(0.1, 0.3, "A1-A2")])
    assert bin_labels([0.0], [0.2], 0.0, 1.0, 0.1).tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    res = score_events(det, ref, bin_s=0.1, stop_s=1.0)
    # observed agreement 0.8, chance 0.2*0.2 + 0.8*0.8 = 0.68 -> kappa 0.12 / 0.32
    assert res.summary().loc["ripple", "kappa"] == pytest.approx(0.375)
    assert res.bin_confusion["ripple"].tolist() == [[7, 1], [1, 1]]


def test_to_dict_is_json_ready_and_states_rule():
    res = score_events(ev([(0.1, 0.2, "A1-A2")]), ev([(0.1, 0.2, "A1-A2")]), rule="iou", iou_threshold=0.5)
    doc = json.loads(json.dumps(res.to_dict()))
    assert "intersection-over-union >= 0.5" in doc["rule"]
    assert doc["kinds"]["ripple"]["tp"] == 1 and doc["kinds"]["ripple"]["f1"] == 1.0


def test_many_events_scale():
    on = np.arange(5000) * 0.1
    det = pd.DataFrame(dict(onset=on + 0.01, duration=0.05, channel="A1-A2", kind="ripple"))
    ref = pd.DataFrame(dict(onset=on, duration=0.05, channel="A1-A2", kind="ripple"))
    assert counts(score_events(det, ref, kinds="ripple")) == (5000, 0, 0)


def test_pr_auc_and_sweep():
    assert pr_auc([0.5, 1.0], [1.0, 0.5]) == pytest.approx(0.75)
    assert pr_auc([1.0, 0.5], [0.4, 0.2]) == pytest.approx(0.4)  # envelope: P(0.5) <- 0.4
    ref = ev([(0.1, 0.2, "A1-A2"), (0.5, 0.6, "A1-A2")])
    candidates = [(0.1, 0.2, 3.0), (0.5, 0.6, 2.0), (0.8, 0.9, 1.0)]  # (on, off, strength)

    def detect(threshold):
        return ev([(a, b, "A1-A2") for a, b, s in candidates if s > threshold])

    sweep = threshold_sweep(detect, ref, thresholds=[0.5, 1.5, 2.5], kind="ripple")
    assert sweep.curve["recall"].tolist() == [1.0, 1.0, 0.5]
    assert sweep.curve["precision"].tolist() == pytest.approx([2 / 3, 1.0, 1.0])
    assert sweep.auc == pytest.approx(1.0)
    assert sweep.best()["threshold"] == 1.5


def test_recording_key_strips_suffixes():
    assert recording_key("sub-01_ses-x_run-01_desc-snn_events.tsv") == "sub-01_ses-x_run-01"
    assert recording_key("sub-01_ses-x_run-01_ieeg_events.tsv") == "sub-01_ses-x_run-01"


def test_score_cli_folders_json(tmp_path):
    from hfo_detect.cli import cli

    det_dir, ref_dir = tmp_path / "det", tmp_path / "ref"
    det_dir.mkdir()
    ref_dir.mkdir()
    ref = pd.DataFrame(dict(onset=[0.1, 0.5], duration=[0.1, 0.05], trial_type=["ripple_AHR1-2", "fr_AHR1-2"]))
    ref.to_csv(ref_dir / "sub-01_run-01_events.tsv", sep="\t", index=False)
    det = pd.DataFrame(dict(onset=[0.12, 0.9], duration=[0.05, 0.05], trial_type=["ripple", "ripple"],
                            channel=["AHR1-AHR2", "AHR1-AHR2"]))
    det.to_csv(det_dir / "sub-01_run-01_desc-snn_events.tsv", sep="\t", index=False)
    out = CliRunner().invoke(cli, ["score", str(det_dir), str(ref_dir), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert (doc["kinds"]["ripple"]["tp"], doc["kinds"]["ripple"]["fp"], doc["kinds"]["ripple"]["fn"]) == (1, 1, 0)
    assert (doc["kinds"]["fast_ripple"]["tp"], doc["kinds"]["fast_ripple"]["fn"]) == (0, 1)
    assert set(doc["kinds"]["pooled"]) >= {"tp", "fp", "fn", "precision", "recall", "f1", "kappa"}
    text = CliRunner().invoke(cli, ["score", str(det_dir), str(ref_dir), "--match", "onset"])
    assert text.exit_code == 0 and "onsets within 0.05 s" in text.output


def test_score_cli_missing_file_is_one_line(tmp_path, capsys):
    from hfo_detect.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(tmp_path / "nope.tsv"), str(tmp_path)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "nope.tsv" in err and len(err.splitlines()) == 1


def test_one_file_on_each_side_pairs_whatever_the_names(tmp_path):
    from hfo_detect.outputs import pair_files

    det_dir = tmp_path / "det"
    det_dir.mkdir()
    (det_dir / "sub-01_run-01_events.tsv").write_text("onset\tduration\ttrial_type\tchannel\n")
    (det_dir / "sub-01_run-01_counts.tsv").write_text("channel\n")
    ref = tmp_path / "truth_crop.tsv"
    ref.write_text("onset\tduration\ttrial_type\tchannel\n")
    pairs, notes = pair_files(det_dir, ref)
    assert [(p[1].name, p[2].name) for p in pairs] == [("sub-01_run-01_events.tsv", "truth_crop.tsv")]
    assert notes == []
    (det_dir / "sub-02_run-01_events.tsv").write_text("onset\tduration\ttrial_type\tchannel\n")
    with pytest.raises(AnnotationError):  # two recordings: names must pair
        pair_files(det_dir, ref)
