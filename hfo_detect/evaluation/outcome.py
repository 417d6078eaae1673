"""HFO area and post-surgical outcome prediction (Fedele et al. 2017, HFO area; Burelo et al. 2021).

HFO area (Fedele et al. 2017, HFO area, reconstruction; the exact thresholds of the source papers were not retrieved)
-------------------------------------------------------------------------------------------------
1. Per patient, interval ``k`` and channel ``c``: rate ``r[k, c]`` (events/min) of the chosen kind,
   by default ripples co-occurring with fast ripples (FR&R, Burnos et al. 2016).
2. Per interval the channel(s) with the maximal rate (ties: all of them); intervals whose rates are
   all zero are skipped.
3. Dwell time of ``c`` = fraction of the non-empty intervals in which ``c`` holds the maximum.
4. HFO area = channels with dwell time >= ``dwell_min`` (0.5). No such channel (or no events at
   all) -> the area is *undefined*.
5. Test-retest reliability is reported both ways: the dwell time of the area, and TRT = mean over
   pairs of non-empty intervals of the normalised scalar product of their rate vectors (Fedele
   2017, recalled; "valid if TRT > 0.5"). ``validity="trt"`` additionally requires TRT > ``trt_min``.

Prediction
----------
Positive class = seizure recurrence. Recurrence is predicted iff the HFO area is not entirely inside
the resected channels. A bipolar channel counts as resected iff *both* of its contacts are listed as
resected (or the bipolar name itself is listed); one resected contact is not enough [CHOICE, spec
4.2 step 5]. An undefined area is handled by ``undefined``: ``"free"`` (default: no unresected HFO
area -> predict seizure freedom), ``"recurrence"`` or ``"exclude"``.

ECoG rule (Burelo et al. 2021)
---------------------------------
With pre- and post-resection recordings: recurrence predicted when the fast-ripple rate of any
channel of the post-resection recording is >= ``threshold_per_min`` (default 1/min).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from hfo_detect.evaluation._frames import canonical_channel
from hfo_detect.evaluation.stats import binary_metrics, confusion_counts

UNDEFINED_POLICIES = ("free", "recurrence", "exclude")


@dataclass
class HFOArea:
    """HFO area of one patient.

    Attributes
    ----------
    channels : list of str
        Channels with dwell time >= the threshold (empty = undefined area).
    dwell : Series
        Dwell time per channel (fraction of non-empty intervals where it holds the maximum).
    trt : float
        Mean normalised scalar product of the rate vectors over interval pairs (NaN with < 2).
    n_intervals, n_nonempty : int
    """

    channels: list[str]
    dwell: pd.Series
    trt: float
    n_intervals: int
    n_nonempty: int

    @property
    def defined(self) -> bool:
        return bool(self.channels)


def hfo_area(rates: pd.DataFrame, dwell_min: float = 0.5) -> HFOArea:
    """HFO area from a rate matrix (rows = intervals, columns = channels, events/min).

    Missing values count as rate 0.
    """
    r = rates.fillna(0.0).astype(float)
    values = r.to_numpy()
    nonempty = values.max(axis=1, initial=0.0) > 0 if values.size else np.zeros(len(r), bool)
    n_ok = int(nonempty.sum())
    if n_ok == 0:
        return HFOArea([], pd.Series(0.0, index=r.columns), np.nan, len(r), 0)
    v = values[nonempty]
    is_max = v >= v.max(axis=1, keepdims=True)
    dwell = pd.Series(is_max.mean(axis=0), index=r.columns)
    area = [c for c in r.columns if dwell[c] >= dwell_min - 1e-12]
    trt = np.nan
    if n_ok >= 2:
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        sims = [float(unit[i] @ unit[j]) for i, j in itertools.combinations(range(n_ok), 2)]
        trt = float(np.mean(sims))
    return HFOArea(area, dwell, trt, len(r), n_ok)


def channel_resected(channel: str, resected: Iterable[str]) -> bool:
    """True iff the bipolar ``channel`` is resected: its name is listed, or both contacts are.

    Comparison is case-insensitive and uses canonical bipolar names (``AHR1-2`` = ``AHR1-AHR2``).
    """
    listed = {canonical_channel(x).upper() for x in resected}
    canon = canonical_channel(channel).upper()
    if canon in listed:
        return True
    parts = canon.split("-")
    if len(parts) == 2:
        rev = f"{parts[1]}-{parts[0]}"
        if rev in listed:
            return True
        return parts[0] in listed and parts[1] in listed
    return False


def predict_recurrence(area: HFOArea, resected: Iterable[str]) -> bool | None:
    """True (recurrence) iff some area channel is not resected; None when the area is undefined."""
    if not area.defined:
        return None
    resected = list(resected)
    return not all(channel_resected(c, resected) for c in area.channels)


def predict_recurrence_post(post_rates: pd.Series, threshold_per_min: float = 1.0) -> bool:
    """ECoG rule: recurrence iff any channel's post-resection FR rate >= ``threshold_per_min``."""
    return bool(len(post_rates) and float(np.max(post_rates.to_numpy())) >= threshold_per_min)


def parse_outcome(value: Any, ilae_cut: int = 1) -> bool | None:
    """Recurrence (True), seizure freedom (False) or unknown (None) from an outcome cell.

    ``S`` = seizure-free, ``F`` = recurrence (Fedele/ds003498); ILAE class 1-6 (also ``ILAE 2``,
    ``2a``...): class <= ``ilae_cut`` is seizure-free, above it recurrence (default cut 1: only
    ILAE 1 is seizure-free). ``NR`` (no resection), ``n/a`` and empty cells give None.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    s = str(value).strip().upper().replace("ILAE", "").strip()
    if s in ("S", "SF", "SEIZURE-FREE", "SEIZURE FREE"):
        return False
    if s in ("F", "R", "RECURRENCE"):
        return True
    digits = "".join(ch for ch in s if ch.isdigit())
    if digits and s[0].isdigit():
        cls = int(digits[0])
        if 1 <= cls <= 6:
            return cls > ilae_cut
    return None


@dataclass
class OutcomeResult:
    """Cohort outcome prediction.

    Attributes
    ----------
    patients : DataFrame
        One row per patient: ``participant_id, outcome, recurrence, predicted, included, note``
        plus rule-specific columns (area, dwell, TRT or max post rate).
    counts : dict
        ``tp, tn, fp, fn``.
    metrics : DataFrame
        :func:`~hfo_detect.evaluation.stats.binary_metrics` of the included patients.
    notes : list of str
    """

    patients: pd.DataFrame
    counts: dict[str, int]
    metrics: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def clean(v):
            if isinstance(v, (np.bool_,)):
                return bool(v)
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (float, np.floating)):
                return None if np.isnan(v) else float(v)
            return v

        met = {name: {k: clean(v) for k, v in row.items()} for name, row in self.metrics.iterrows()}
        pts = [{k: clean(v) for k, v in row.items()} for row in self.patients.to_dict("records")]
        return dict(counts=self.counts, metrics=met, patients=pts, notes=list(self.notes))


def summarise_predictions(table: pd.DataFrame, notes: list[str] | None = None) -> OutcomeResult:
    """Counts and metrics from a table with ``recurrence``, ``predicted``, ``included`` columns."""
    inc = table[table["included"]]
    counts = confusion_counts(inc["recurrence"].astype(bool), inc["predicted"].astype(bool))
    return OutcomeResult(table, counts, binary_metrics(**counts), list(notes or []))


def evaluate_hfo_area(
    rates: Mapping[str, pd.DataFrame],
    outcomes: Mapping[str, Any],
    resected: Mapping[str, Iterable[str]],
    dwell_min: float = 0.5,
    undefined: str = "free",
    validity: str = "dwell",
    trt_min: float = 0.5,
    ilae_cut: int = 1,
) -> OutcomeResult:
    """Predict outcome per patient from the HFO area and compare with the observed outcome.

    Parameters
    ----------
    rates : mapping participant_id -> DataFrame (intervals x channels, events/min)
    outcomes : mapping participant_id -> outcome cell (``S``/``F``/ILAE/``NR``)
    resected : mapping participant_id -> resected channel or contact names
    dwell_min : float
        Dwell-time threshold of the area (0.5).
    undefined : {"free", "recurrence", "exclude"}
        Prediction when the area is undefined (see module docstring).
    validity : {"dwell", "trt"}
        ``trt`` also treats the area as undefined when TRT <= ``trt_min``.
    ilae_cut : int
        ILAE classes above this are recurrence.
    """
    if undefined not in UNDEFINED_POLICIES:
        raise ValueError(f"undefined must be one of {UNDEFINED_POLICIES}")
    rows, notes = [], []
    for pid in sorted(set(rates) | set(outcomes)):
        rec = parse_outcome(outcomes.get(pid), ilae_cut)
        row: dict[str, Any] = dict(participant_id=pid, outcome=outcomes.get(pid), recurrence=rec)
        if pid not in rates:
            row.update(predicted=None, included=False, note="no events files")
            rows.append(row)
            continue
        area = hfo_area(rates[pid], dwell_min)
        defined = area.defined and (validity != "trt" or (not np.isnan(area.trt) and area.trt > trt_min))
        res = list(resected.get(pid, []))
        pred = predict_recurrence(area, res) if defined else None
        note = ""
        if pred is None:
            note = "HFO area undefined"
            pred = {"free": False, "recurrence": True, "exclude": None}[undefined]
        if rec is None:
            note = (note + "; " if note else "") + f"outcome {outcomes.get(pid)!r} unknown/NR: excluded"
        if pid not in resected:
            note = (note + "; " if note else "") + "no resected channels listed"
        row.update(
            area=",".join(area.channels), dwell=float(area.dwell.max()) if len(area.dwell) else np.nan,
            trt=area.trt, n_intervals=area.n_intervals, n_nonempty=area.n_nonempty,
            predicted=pred, included=rec is not None and pred is not None, note=note,
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    excluded = table[~table["included"]]
    if len(excluded):
        notes.append(f"excluded: {', '.join(excluded['participant_id'])}")
    return summarise_predictions(table, notes)
