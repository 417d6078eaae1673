"""The reviewer's decisions on one recording, saved at once and exported as BIDS events.

Files, in ``RESULTS_DIR/review/`` (the detector's own outputs are never rewritten):

``<stem>_review.tsv``
    The review table: one row per decided event (``event_id, decision, kind, onset, duration,
    channel, reviewer, time, origin``). ``decision`` is ``accept`` or ``reject``; ``origin`` is
    ``detector`` (an ``e…`` id = row of the detector's events file) or ``reviewer`` (an ``a…`` id:
    an HFO the detector missed). Onset/duration are the reviewed edges.
``<stem>_desc-reviewed_events.tsv`` + ``.json``
    BIDS events of the confirmed HFOs (accepted and added), with a ``channel`` column and a
    ``review`` column (``accepted``, ``adjusted``, ``added``) described in the JSON sidecar. It is
    a reference for ``hfo-detect score``.

Every change rewrites both files atomically (temporary file + rename), so a killed server or a
reloaded page never loses a saved decision, and a reopened review resumes from the table.
"""

from __future__ import annotations

import io
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from hfo_detect.atomic import atomic_write_text
from hfo_detect.errors import AnnotationError, HFODetectError, OutputError
from hfo_detect.events import HFO_KINDS, EventTable, normalise_kind

DECISIONS = ("accept", "reject")
COLUMNS = ["event_id", "decision", "kind", "onset", "duration", "channel", "reviewer", "time", "origin"]
REVIEW_DIR = "review"

SIDECAR = {
    "onset": {"Description": "Start of the HFO from the first sample of the recording", "Units": "s"},
    "duration": {"Description": "Length of the HFO", "Units": "s"},
    "trial_type": {"Description": "HFO kind", "Levels": {
        "ripple": "ripple, 80-250 Hz", "fast_ripple": "fast ripple, 250-500 Hz",
        "hfo": "HFO of a band-less detector"}},
    "channel": {"Description": "Channel (bipolar derivation 'A1-A2' or a single contact) of the HFO"},
    "kind": {"Description": "Same as trial_type (hfo-detect's column)"},
    "review": {"Description": "Outcome of the visual review in hfo-detect review; only confirmed HFOs are "
                              "listed, rejected detections are in <stem>_review.tsv",
               "Levels": {"accepted": "detection confirmed by the reviewer, edges as detected",
                          "adjusted": "detection confirmed, edges changed by the reviewer",
                          "added": "HFO missed by the detector, marked by the reviewer"}},
    "event_id": {"Description": "Id in the review table (e = row of the detector's events file, "
                                "a = added by the reviewer)"},
    "reviewer": {"Description": "Who decided"},
}


def _tsv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, sep="\t", index=False, na_rep="n/a", lineterminator="\n")
    return buf.getvalue()


class ReviewStore:
    """Decisions on the detections of one recording.

    Parameters
    ----------
    review_dir : Path
        Folder of the review files (``RESULTS_DIR/review``).
    stem : str
        Recording stem.
    detections : DataFrame
        The detector's events with ``event_id`` (see :func:`hfo_detect.review.run.read_run`).
    reviewer : str
        Name written with each decision.
    """

    def __init__(self, review_dir: str | Path, stem: str, detections: pd.DataFrame, reviewer: str = ""):
        self.folder = Path(review_dir)
        self.stem = stem
        self.reviewer = reviewer
        self.detections = detections.set_index("event_id", drop=False)
        self._lock = threading.Lock()
        self.rows: dict[str, dict] = {}
        try:  # a folder we cannot write is said now, not at the first decision
            self.folder.mkdir(parents=True, exist_ok=True)
            writable = os.access(self.folder, os.W_OK)
        except OSError as err:
            raise OutputError(f"cannot create the review folder ({err.strerror})", self.folder) from None
        if not writable:
            raise OutputError("review folder is not writable", self.folder)
        if self.table_path.is_file():
            self._load()
            self._check_same_run()

    # ------------------------------------------------------------------ paths
    @property
    def table_path(self) -> Path:
        return self.folder / f"{self.stem}_review.tsv"

    @property
    def events_path(self) -> Path:
        return self.folder / f"{self.stem}_desc-reviewed_events.tsv"

    def _load(self) -> None:
        try:
            df = pd.read_csv(self.table_path, sep="\t", dtype={"event_id": str, "channel": str, "reviewer": str},
                             keep_default_na=False, na_values=["n/a", ""])
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise HFODetectError(f"cannot read the review table ({type(err).__name__})", self.table_path) from None
        missing = [c for c in ("event_id", "decision", "onset", "duration", "channel", "kind") if c not in df.columns]
        if missing:
            raise HFODetectError(f"review table lacks column(s) {', '.join(missing)}", self.table_path)
        for row in df.to_dict("records"):
            row = {c: row.get(c) for c in COLUMNS}
            row["reviewer"] = "" if pd.isna(row["reviewer"]) else row["reviewer"]
            row["origin"] = row["origin"] if isinstance(row["origin"], str) else (
                "reviewer" if str(row["event_id"]).startswith("a") else "detector")
            self.rows[str(row["event_id"])] = row

    def _check_same_run(self) -> None:
        """Refuse a review table made on other detections (``detect`` rerun with other settings):
        its ``e…`` ids would point at other events."""
        for eid, row in self.rows.items():
            if row["origin"] != "detector":
                continue
            if eid not in self.detections.index or self.detections.loc[eid, "channel"] != row["channel"]:
                raise HFODetectError(
                    f"review of other detections (event {eid} is not on {row['channel']} in today's "
                    f"{self.stem} events; was detect rerun?): move the review folder away to start anew",
                    self.table_path)

    # ------------------------------------------------------------------ changes
    def _now(self) -> str:
        return datetime.now(timezone.utc).isoformat(timespec="milliseconds")

    def decide(self, event_id: str, decision: str | None, onset: float | None = None,
               duration: float | None = None, kind: str | None = None) -> dict | None:
        """Record (or, with ``decision=None``, withdraw) the decision on an event; saves at once.

        Returns the event's row, or None when withdrawn. ``onset``/``duration`` change its edges.
        """
        with self._lock:
            if decision is None:
                if event_id in self.rows and self.rows[event_id]["origin"] == "reviewer":
                    raise AnnotationError(f"added event {event_id} cannot be undecided; delete it")
                self.rows.pop(event_id, None)
                self._save()
                return None
            if decision not in DECISIONS:
                raise AnnotationError(f"unknown decision {decision!r} (known: {', '.join(DECISIONS)})")
            if event_id in self.rows:
                row = dict(self.rows[event_id])
            elif event_id in self.detections.index:
                det = self.detections.loc[event_id]
                row = {"event_id": event_id, "kind": det["kind"], "onset": float(det["onset"]),
                       "duration": float(det["duration"]), "channel": det["channel"], "origin": "detector"}
            else:
                raise AnnotationError(f"no event {event_id!r} in {self.stem}")
            row.update(decision=decision, reviewer=self.reviewer, time=self._now())
            self._edges(row, onset, duration, kind)
            self.rows[event_id] = row
            self._save()
            return row

    @staticmethod
    def _edges(row: dict, onset, duration, kind) -> None:
        if onset is not None:
            row["onset"] = float(onset)
        if duration is not None:
            row["duration"] = float(duration)
        if kind is not None:
            row["kind"] = normalise_kind(kind)
        if not (row["onset"] >= 0 and row["duration"] > 0):
            raise AnnotationError(f"event needs onset >= 0 and duration > 0 (got {row['onset']}, {row['duration']})")
        if row["kind"] not in HFO_KINDS:
            raise AnnotationError(f"kind {row['kind']!r} is not an HFO kind ({', '.join(HFO_KINDS)})")

    def add(self, channel: str, onset: float, duration: float, kind: str = "ripple") -> dict:
        """Add an HFO the detector missed (accepted); saves at once."""
        with self._lock:
            n = 1 + max([int(k[1:]) for k in self.rows if k.startswith("a") and k[1:].isdigit()] or [0])
            row = {"event_id": f"a{n:05d}", "decision": "accept", "kind": "ripple", "onset": 0.0,
                   "duration": 0.0, "channel": str(channel), "reviewer": self.reviewer, "time": self._now(),
                   "origin": "reviewer"}
            self._edges(row, onset, duration, kind)
            self.rows[row["event_id"]] = row
            self._save()
            return row

    def delete(self, event_id: str) -> None:
        """Remove an event the reviewer added (undo of an addition); saves at once."""
        with self._lock:
            if event_id not in self.rows or self.rows[event_id]["origin"] != "reviewer":
                raise AnnotationError(f"no added event {event_id!r} in {self.stem}")
            del self.rows[event_id]
            self._save()

    # ------------------------------------------------------------------ files
    def table(self) -> pd.DataFrame:
        """The review table, rows in decision order."""
        df = pd.DataFrame(list(self.rows.values()), columns=COLUMNS)
        return df.sort_values(["time", "event_id"], kind="stable").reset_index(drop=True)

    def reviewed_events(self) -> pd.DataFrame:
        """Confirmed HFOs as a BIDS events frame (see the module docstring)."""
        rows = []
        for r in self.rows.values():
            if r["decision"] != "accept":
                continue
            if r["origin"] == "reviewer":
                review = "added"
            else:
                det = self.detections.loc[r["event_id"]]
                same = abs(det["onset"] - r["onset"]) < 1e-9 and abs(det["duration"] - r["duration"]) < 1e-9
                review = "accepted" if same else "adjusted"
            rows.append({"onset": r["onset"], "duration": r["duration"], "trial_type": r["kind"],
                         "channel": r["channel"], "kind": r["kind"], "review": review,
                         "event_id": r["event_id"], "reviewer": r["reviewer"]})
        df = pd.DataFrame(rows, columns=list(SIDECAR))
        return df.sort_values(["channel", "onset", "event_id"], kind="stable").reset_index(drop=True)

    def _save(self) -> None:
        # table first: it is what a reopened review resumes from; the export follows from it
        atomic_write_text(self.table_path, _tsv(self.table()))
        atomic_write_text(self.events_path, _tsv(self.reviewed_events()))
        sidecar = self.events_path.with_suffix(".json")
        if not sidecar.is_file():
            atomic_write_text(sidecar, json.dumps(SIDECAR, indent=2) + "\n")

    def as_reference(self) -> EventTable:
        """The confirmed HFOs as an :class:`EventTable` (what ``score`` reads from the export)."""
        return EventTable(self.reviewed_events().drop(columns="trial_type"))
