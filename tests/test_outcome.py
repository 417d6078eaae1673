"""Patient level: Clopper-Pearson digits of the paper, HFO area, outcome CLI on a BIDS folder."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hfo_detect.evaluation import (
    binary_metrics,
    channel_resected,
    clopper_pearson,
    hfo_area,
    hfo_rates,
    parse_outcome,
    predict_recurrence_post,
    rate_correlation,
)


def pct(metrics, name):
    row = metrics.loc[name]
    return tuple(int(round(100 * row[c])) for c in ("value", "ci_low", "ci_high"))


def test_paper_table_morphology_digits():
    m = binary_metrics(tp=0, tn=6, fp=0, fn=3)  # Sharifhazileh et al. 2021, Table 3, Morphology column
    assert pct(m, "accuracy") == (67, 30, 93)
    assert pct(m, "specificity") == (100, 54, 100)
    assert pct(m, "sensitivity") == (0, 0, 71)
    assert pct(m, "npv") == (67, 30, 93)
    assert m.loc["ppv", "n"] == 0 and np.isnan(m.loc["ppv", "value"])


def test_paper_table_snn_digits():
    m = binary_metrics(tp=1, tn=6, fp=0, fn=2)  # Sharifhazileh et al. 2021, Table 3, SNN columns
    assert pct(m, "accuracy") == (78, 40, 97)
    assert pct(m, "sensitivity") == (33, 1, 91)
    assert pct(m, "specificity") == (100, 54, 100)
    assert pct(m, "npv") == (75, 35, 97)
    assert pct(m, "ppv") == (100, 3, 100)


def test_clopper_pearson_edges():
    assert clopper_pearson(0, 0)[0] != clopper_pearson(0, 0)[0]  # NaN for n = 0
    v, lo, hi = clopper_pearson(8, 8)  # ECoG: 100 % (63-100) on 8 patients
    assert (round(100 * v), round(100 * lo), round(100 * hi)) == (100, 63, 100)


def test_hfo_area_dwell_and_trt_by_hand():
    rates = pd.DataFrame({"A1-A2": [3.0, 2.0, 0.0, 0.0], "B1-B2": [1.0, 1.0, 4.0, 0.0]})
    area = hfo_area(rates)  # last interval all zero -> ignored; A max in 2 of 3
    assert area.channels == ["A1-A2"]
    assert area.n_nonempty == 3
    assert area.dwell["A1-A2"] == pytest.approx(2 / 3) and area.dwell["B1-B2"] == pytest.approx(1 / 3)
    u = np.array([[3, 1], [2, 1], [0, 4]], float)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    assert area.trt == pytest.approx(np.mean([u[0] @ u[1], u[0] @ u[2], u[1] @ u[2]]))
    tie = hfo_area(pd.DataFrame({"A1-A2": [1.0, 1.0], "B1-B2": [1.0, 0.0]}))
    assert tie.channels == ["A1-A2", "B1-B2"]  # ties share the maximum
    assert not hfo_area(pd.DataFrame({"A1-A2": [0.0]})).defined


def test_bipolar_resected_needs_both_contacts():
    assert channel_resected("AHR1-AHR2", ["AHR1", "AHR2", "AHR3"])
    assert not channel_resected("AHR3-AHR4", ["AHR1", "AHR2", "AHR3"])
    assert channel_resected("AHR3-4", ["ahr3-ahr4"])  # bipolar name listed, any spelling
    assert channel_resected("AHR4-AHR3", ["AHR3-AHR4"])


def test_parse_outcome():
    assert parse_outcome("S") is False and parse_outcome("F") is True
    assert parse_outcome("1") is False and parse_outcome(3) is True
    assert parse_outcome("ILAE 2", ilae_cut=2) is False
    assert parse_outcome("NR") is None and parse_outcome("n/a") is None


def test_rates_and_spearman():
    df = pd.DataFrame(dict(onset=[1, 2, 3, 1], duration=0.05, channel=["A1-A2"] * 3 + ["B1-B2"], kind="ripple"))
    r = hfo_rates(df, duration_s=120.0, kind="ripple", channels=["A1-A2", "B1-B2", "C1-C2"])
    assert r.tolist() == [1.5, 0.5, 0.0]
    corr = rate_correlation(r, r * 2)
    assert corr["rho"] == pytest.approx(1.0) and corr["n_channels"] == 3


def test_ecog_post_rule():
    assert predict_recurrence_post(pd.Series({"1-2": 0.5, "2-3": 1.0}))
    assert not predict_recurrence_post(pd.Series({"1-2": 0.5}), threshold_per_min=1.0)


# ------------------------------------------------------------------ CLI on a real BIDS folder
def _write_interval(folder, sub, run, hot_channel, n_frandr=3, extra_channel="AHR3-4"):
    """Zurich-named events: ``n_frandr`` FR&R on the hot channel, 1 lone ripple elsewhere."""
    rows = []
    for i in range(n_frandr):
        on = 10.0 + i
        for tag in ("ripple", "fr", "frandr"):
            rows.append(dict(onset=on, duration=0.05, trial_type=f"{tag}_{hot_channel}"))
    rows.append(dict(onset=50.0, duration=0.06, trial_type=f"ripple_{extra_channel}"))
    path = folder / f"sub-{sub}" / "ieeg" / f"sub-{sub}_ses-interictalsleep_run-{run:02d}_events.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    (path.parent / path.name.replace("_events.tsv", "_ieeg.json")).write_text(json.dumps({"RecordingDuration": 300}))


def _cohort(tmp_path):
    """9 patients as in the paper's SNN column: 6 S resected (TN), 1 F unresected (TP), 2 F resected (FN)."""
    ev = tmp_path / "events"
    parts, resected = [], []
    for i in range(1, 10):
        sub = f"{i:02d}"
        outcome = "S" if i <= 6 else "F"
        for run in (1, 2, 3):
            _write_interval(ev, sub, run, "AHR1-2")
        parts.append(dict(participant_id=f"sub-{sub}", outcome=outcome))
        resected += [dict(participant_id=f"sub-{sub}", channel=c) for c in ("AHR1", "AHR2")]
        if i == 7:  # only one contact of the HFO-area channel resected -> area not fully resected
            resected = [r for r in resected if not (r["participant_id"] == "sub-07" and r["channel"] == "AHR2")]
    parts.append(dict(participant_id="sub-10", outcome="NR"))
    _write_interval(ev, "10", 1, "AHR1-2")
    pd.DataFrame(parts).to_csv(tmp_path / "participants.tsv", sep="\t", index=False)
    pd.DataFrame(resected).to_csv(tmp_path / "resected.tsv", sep="\t", index=False)
    return ev


def test_outcome_cli_reproduces_paper_digits(tmp_path):
    from hfo_detect.cli import cli

    ev = _cohort(tmp_path)
    args = ["outcome", "--events", str(ev), "--participants", str(tmp_path / "participants.tsv"),
            "--resected", str(tmp_path / "resected.tsv")]
    out = CliRunner().invoke(cli, [*args, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["counts"] == dict(tp=1, tn=6, fp=0, fn=2)
    acc = doc["metrics"]["accuracy"]
    assert (round(100 * acc["value"]), round(100 * acc["ci_low"]), round(100 * acc["ci_high"])) == (78, 40, 97)
    p10 = [p for p in doc["patients"] if p["participant_id"] == "10"][0]
    assert p10["included"] is False and "NR" in p10["note"]
    areas = {p["participant_id"]: p["area"] for p in doc["patients"]}
    assert areas["01"] == "AHR1-AHR2"  # FR&R rate, not the lone ripple channel
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0
    assert "78 % (40-97)" in text.output and "TP 1  TN 6  FP 0  FN 2" in text.output


def test_outcome_cli_ilae_cut_and_kind(tmp_path):
    from hfo_detect.cli import cli

    ev = tmp_path / "ev"
    for run in (1, 2):
        _write_interval(ev, "01", run, "AHR1-2", extra_channel="AHR5-6")
        _write_interval(ev, "02", run, "AHR1-2")
    pd.DataFrame(dict(participant_id=["sub-01", "sub-02"], outcome=["2", "1"])).to_csv(
        tmp_path / "p.tsv", sep="\t", index=False)
    pd.DataFrame(dict(participant_id=["sub-01", "sub-01", "sub-02", "sub-02"],
                      channel=["AHR1", "AHR2", "AHR1", "AHR2"])).to_csv(tmp_path / "r.tsv", sep="\t", index=False)
    base = ["outcome", "--events", str(ev), "--participants", str(tmp_path / "p.tsv"),
            "--resected", str(tmp_path / "r.tsv"), "--json"]
    strict = json.loads(CliRunner().invoke(cli, base).output)
    assert strict["counts"] == dict(tp=0, tn=1, fp=0, fn=1)  # ILAE 2 = recurrence with cut 1
    lenient = json.loads(CliRunner().invoke(cli, [*base, "--ilae-cut", "2"]).output)
    assert lenient["counts"] == dict(tp=0, tn=2, fp=0, fn=0)
    fr_only = json.loads(CliRunner().invoke(cli, [*base, "--kind", "fast_ripple"]).output)
    assert fr_only["counts"]["tn"] + fr_only["counts"]["fn"] == 2


def test_outcome_cli_bad_participants_is_one_line(tmp_path, capsys):
    from hfo_detect.cli import main

    ev = tmp_path / "ev"
    _write_interval(ev, "01", 1, "AHR1-2")
    (tmp_path / "p.tsv").write_text("participant_id\tage\nsub-01\t3\n")
    (tmp_path / "r.tsv").write_text("participant_id\tchannel\nsub-01\tAHR1\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["outcome", "--events", str(ev), "--participants", str(tmp_path / "p.tsv"),
              "--resected", str(tmp_path / "r.tsv")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "p.tsv" in err and "outcome" in err and len(err.splitlines()) == 1
