"""HFO event tables: one type for detections, reference marks and simulated ground truth.

:class:`EventTable` wraps a :class:`pandas.DataFrame` (``.df``) with one row per event:

=================  =====================================================================
``onset``          start in seconds from the first sample of the recording
``duration``       length in seconds (``offset = onset + duration``)
``channel``        channel name in canonical bipolar form (:func:`canonical_bipolar`)
``kind``           ``ripple`` (80-250 Hz), ``fast_ripple`` (250-500 Hz), ``hfo`` (band-less
                   detectors); simulated truth also has the NON-HFO kinds ``spike``
                   (interictal spike) and ``artifact`` (sharp transient): they are listed so
                   that false positives caused by them can be counted, and are never HFOs
``fr_and_r``       True when a ripple and a fast ripple co-occur (set on both rows)
``detector``       name of the detector that produced the row (``""`` for marks/truth)
optional           ``peak_amplitude`` (uV), ``peak_frequency`` (Hz), ``snr_db``
=================  =====================================================================

Any other column is kept. Conversions: BIDS-iEEG ``events.tsv`` (:meth:`EventTable.to_bids_tsv`,
:meth:`EventTable.read`), the Zurich ``trial_type`` naming (``ripple_AHR3-4``, ``fr_AHR3-4``,
``frandr_AHR3-4``), the truth TSVs of ``shared/data``, and :class:`mne.Annotations`
(:meth:`EventTable.to_annotations`, :meth:`EventTable.from_annotations`), which also carries
the table through EDF+ files written by :func:`hfo_detect.io.write_edf`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hfo_detect.atomic import atomic_write_text
from hfo_detect.channels import canonical_bipolar
from hfo_detect.errors import AnnotationError

log = logging.getLogger(__name__)

HFO_KINDS: tuple[str, ...] = ("ripple", "fast_ripple", "hfo")
#: kinds that only simulated truth carries: they are not HFOs (false-positive sources)
NON_HFO_KINDS: tuple[str, ...] = ("spike", "artifact")
KINDS: tuple[str, ...] = HFO_KINDS + NON_HFO_KINDS
CORE_COLUMNS: tuple[str, ...] = ("onset", "duration", "channel", "kind", "fr_and_r", "detector")
OPTIONAL_COLUMNS: tuple[str, ...] = ("peak_amplitude", "peak_frequency", "snr_db")

_KIND_ALIASES = {
    "fr": "fast_ripple",
    "fast_ripples": "fast_ripple",
    "fastripple": "fast_ripple",
    "ripples": "ripple",
    "r": "ripple",
    "hfos": "hfo",
    "spikes": "spike",
    "ied": "spike",
    "artefact": "artifact",
    "artifacts": "artifact",
    "fast_ripple": "fast_ripple",
}
#: Zurich trial_type naming of ds003498/ds004944: ``ripple_AHR3-4``, ``fr_AHR3-4``, ``frandr_AHR3-4``
_ZURICH = re.compile(r"^(?P<tag>ripple|fr|frandr)_(?P<channel>.+)$", re.IGNORECASE)
#: hierarchical MNE tag that marks a co-occurring ripple + fast ripple in annotation texts
FLAG_TAG = "fr_and_r"
#: separator of description and channel in EDF+ annotation texts (MNE's convention)
_CHANNEL_SEPARATOR = "@@"
_NA = "n/a"
#: largest onset + duration accepted (s) [CHOICE: ~300 years; anything beyond is a unit slip or
#: garbage, and float64 times lose sub-millisecond resolution there]
MAX_EVENT_TIME_S = 1e10
#: columns read as text whatever they look like (a channel named "18-19" or "1" stays a name)
_TEXT_COLUMNS = ("channel", "trial_type", "kind", "label", "detector")


def normalise_kind(kind: str) -> str:
    """Map a kind spelling to one of :data:`KINDS` (``"FR"`` -> ``"fast_ripple"``).

    Raises
    ------
    AnnotationError
        When the spelling is not a known kind.
    """
    key = re.sub(r"[\s\-]+", "_", str(kind).strip().lower())
    key = _KIND_ALIASES.get(key, key)
    if key not in KINDS:
        raise AnnotationError(f"unknown event kind {kind!r} (known: {', '.join(KINDS)})")
    return key


def _is_kind(kind: str) -> bool:
    try:
        normalise_kind(kind)
    except AnnotationError:
        return False
    return True


def _to_bool(values: pd.Series) -> pd.Series:
    """Parse True/False columns written by pandas, BIDS ``n/a``, 0/1."""
    if values.dtype == bool:
        return values
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "y"])


class EventTable:
    """A table of events (see the module docstring for the columns).

    Parameters
    ----------
    df : pandas.DataFrame or None
        Must have ``onset``, ``duration``, ``channel`` and ``kind``; ``fr_and_r`` defaults to
        False and ``detector`` to ``""``. Kinds are normalised (``"FR"`` -> ``"fast_ripple"``),
        channels canonicalised (``"AHR3-4"`` -> ``"AHR3-AHR4"``), rows sorted by channel,
        onset, duration and kind. The frame is copied.

    Raises
    ------
    AnnotationError
        Missing columns, non-finite onsets/durations, negative durations, unknown kinds or
        empty channel names.
    """

    def __init__(self, df: pd.DataFrame | None = None):
        if df is None:
            df = pd.DataFrame({c: [] for c in ("onset", "duration", "channel", "kind")})
        self.df = self._validate(pd.DataFrame(df).copy())

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _validate(df: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in ("onset", "duration", "channel", "kind") if c not in df.columns]
        if missing:
            raise AnnotationError(f"event table lacks column(s) {', '.join(missing)}")
        df = df.reset_index(drop=True)
        try:
            df["onset"] = pd.to_numeric(df["onset"]).astype(np.float64)
            df["duration"] = pd.to_numeric(df["duration"]).astype(np.float64)
        except (TypeError, ValueError) as err:
            raise AnnotationError(f"onset/duration must be numbers ({err})") from None
        if len(df):
            if not (np.isfinite(df["onset"]).all() and np.isfinite(df["duration"]).all()):
                raise AnnotationError("onset/duration contain NaN or Inf")
            if (df["duration"] < 0).any():
                raise AnnotationError("negative event duration")
            end = float((df["onset"].abs() + df["duration"]).max())
            if end > MAX_EVENT_TIME_S:
                raise AnnotationError(
                    f"event times up to {end:g} s are beyond {MAX_EVENT_TIME_S:g} s "
                    "(onsets and durations must be seconds)")
        # map the few distinct spellings, not every row (tables can hold 10^5 events)
        channels = df["channel"].astype(object)
        # control characters (NUL, BEL, ...) never reach a table or a message
        names = {c: ("" if _missing(c) else canonical_bipolar(_printable(str(c))))
                 for c in channels.unique()}
        df["channel"] = channels.map(names).astype(object)
        if (df["channel"] == "").any():
            raise AnnotationError("event without a channel name")
        kinds = df["kind"].astype(object)
        df["kind"] = kinds.map({k: normalise_kind(k) for k in kinds.unique()}).astype(object)
        df["fr_and_r"] = _to_bool(df["fr_and_r"]) if "fr_and_r" in df else False
        df["fr_and_r"] = df["fr_and_r"].astype(bool)
        if "detector" in df:
            df["detector"] = df["detector"].where(df["detector"].notna(), "").astype(str)
        else:
            df["detector"] = ""
        for col in OPTIONAL_COLUMNS:
            if col in df:
                df[col] = pd.to_numeric(df[col], errors="coerce").astype(np.float64)
        order = list(CORE_COLUMNS) + [c for c in OPTIONAL_COLUMNS if c in df]
        order += [c for c in df.columns if c not in order]
        df = df[order]
        df = df.sort_values(["channel", "onset", "duration", "kind"], kind="mergesort")
        return df.reset_index(drop=True)

    @classmethod
    def empty(cls) -> EventTable:
        """A table with no rows."""
        return cls()

    @classmethod
    def concat(cls, tables: Iterable[EventTable]) -> EventTable:
        """Stack tables (columns missing in some are filled with NaN)."""
        frames = [t.df for t in tables if len(t)]
        return cls(pd.concat(frames, ignore_index=True)) if frames else cls.empty()

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self.df)

    def __repr__(self) -> str:
        kinds = self.df["kind"].value_counts().to_dict() if len(self) else {}
        return f"<EventTable | {len(self)} events on {len(self.channels)} channels {kinds}>"

    @property
    def onset(self) -> np.ndarray:
        """Onsets in seconds."""
        return self.df["onset"].to_numpy()

    @property
    def duration(self) -> np.ndarray:
        """Durations in seconds."""
        return self.df["duration"].to_numpy()

    @property
    def offset(self) -> np.ndarray:
        """Ends in seconds (``onset + duration``)."""
        return (self.df["onset"] + self.df["duration"]).to_numpy()

    @property
    def channels(self) -> list[str]:
        """Sorted unique channel names."""
        return sorted(self.df["channel"].unique().tolist())

    def select(self, channel: str | Sequence[str] | None = None,
               kind: str | Sequence[str] | None = None) -> EventTable:
        """Rows of the given channel(s) and/or kind(s); names are matched canonically."""
        keep = np.ones(len(self), dtype=bool)
        if channel is not None:
            names = [channel] if isinstance(channel, str) else list(channel)
            keep &= self.df["channel"].isin([canonical_bipolar(c) for c in names]).to_numpy()
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            keep &= self.df["kind"].isin([normalise_kind(k) for k in kinds]).to_numpy()
        return EventTable(self.df[keep])

    def summary(self, duration_s: float | None = None) -> pd.DataFrame:
        """Per channel and kind: ``count``, ``mean_duration_s`` and, given the recording
        length, ``rate_per_min``."""
        cols = ["channel", "kind", "count", "mean_duration_s"]
        if not len(self):
            return pd.DataFrame(columns=cols + (["rate_per_min"] if duration_s else []))
        out = (
            self.df.groupby(["channel", "kind"], sort=True)["duration"]
            .agg(count="size", mean_duration_s="mean")
            .reset_index()
        )
        if duration_s:
            out["rate_per_min"] = out["count"] / (float(duration_s) / 60.0)
        return out

    def get_mask(self, sfreq: float, n_times: int, ch_names: Sequence[str],
                 kind: str | Sequence[str] | None = None) -> np.ndarray:
        """Boolean sample mask ``(n_channels, n_times)``: True inside events.

        Sample ``i`` (time ``i / sfreq``) is inside an event when
        ``round(onset*sfreq) <= i < round(offset*sfreq)``; every event covers at least one
        sample. Events on channels not in ``ch_names`` are ignored; names match canonically.
        """
        table = self.select(kind=kind) if kind is not None else self
        index = {canonical_bipolar(c): i for i, c in enumerate(ch_names)}
        mask = np.zeros((len(ch_names), n_times), dtype=bool)
        rows = table.df["channel"].map(index)
        ok = rows.notna().to_numpy()
        if not ok.any():
            return mask
        row = rows.to_numpy()[ok].astype(np.int64)
        start = np.clip(np.round(table.onset[ok] * sfreq).astype(np.int64), 0, n_times)
        stop = np.clip(np.round(table.offset[ok] * sfreq).astype(np.int64), 0, n_times)
        stop = np.maximum(stop, np.minimum(start + 1, n_times))
        # +1 at each start, -1 at each stop, running sum > 0 inside any event (overlaps fine)
        edges = np.zeros((len(ch_names), n_times + 1), dtype=np.int32)
        np.add.at(edges, (row, start), 1)
        np.add.at(edges, (row, stop), -1)
        return np.cumsum(edges[:, :n_times], axis=1) > 0

    def with_co_occurrence(self) -> EventTable:
        """Copy with ``fr_and_r`` recomputed: True for every ripple that overlaps (by any
        positive amount of time) a fast ripple on the same channel, and for that fast ripple.
        Other kinds get False. Existing flags are replaced, not combined."""
        df = self.df.copy()
        flag = np.zeros(len(df), dtype=bool)
        for _, rows in df.groupby("channel", sort=False).groups.items():
            sub = df.loc[rows]
            r = sub.index[sub["kind"] == "ripple"].to_numpy()
            f = sub.index[sub["kind"] == "fast_ripple"].to_numpy()
            if len(r) and len(f):
                flag[r] |= _overlaps_any(df, r, f)
                flag[f] |= _overlaps_any(df, f, r)
        df["fr_and_r"] = flag
        return EventTable(df)

    # ------------------------------------------------------------------ BIDS / TSV
    def to_bids_tsv(self, path: str | Path) -> Path:
        """Write a BIDS-iEEG ``events.tsv``: ``onset, duration, trial_type, channel`` (the
        kind is the ``trial_type``), then ``kind``, ``fr_and_r``, ``detector`` and the other
        columns; missing values as ``n/a``. Floats are written with full precision, so
        :meth:`read` gives the identical table. Written atomically (temporary file in the
        same folder, then ``os.replace``)."""
        path = Path(path)
        out = self.df.copy()
        out.insert(2, "trial_type", out["kind"])
        front = ["onset", "duration", "trial_type", "channel"]
        out = out[front + [c for c in out.columns if c not in front]]
        return atomic_write_text(path, out.to_csv(sep="\t", index=False, na_rep=_NA,
                                                  lineterminator="\n"))

    @classmethod
    def read(cls, path: str | Path, detector: str | None = None) -> EventTable:
        """Read an events file, detecting its layout from the columns.

        * our / BIDS-iEEG ``events.tsv``: ``onset, duration, trial_type, channel`` (``kind``
          is taken from a ``kind`` column when present, else from ``trial_type``);
        * Zurich naming (ds003498/ds004944): ``trial_type`` = ``ripple_AHR3-4`` /
          ``fr_AHR3-4`` / ``frandr_AHR3-4``, channel from the name. A ``frandr`` row is not an
          event: it sets ``fr_and_r`` on the ripple and fast-ripple rows with the same
          channel, onset and duration (if one of them is missing it is added, flagged, with a
          warning). The original text stays in a ``label`` column;
        * the truth TSVs of ``shared/data``: ``channel, kind, label, onset_s, duration_s,
          offset_s[, fr_and_r]``.

        Rows whose ``trial_type`` is neither a known kind nor Zurich naming (e.g. sleep
        stages) are skipped with a warning.

        Parameters
        ----------
        path : str or Path
            The ``.tsv`` file.
        detector : str or None
            Value for the ``detector`` column (default: the file's column, else ``""``).

        Raises
        ------
        AnnotationError
            Missing/unreadable file or an unknown layout (message names the file).
        """
        path = Path(path)
        try:
            raw = pd.read_csv(path, sep="\t", encoding="utf-8-sig", keep_default_na=False,
                              na_values=[_NA, ""], dtype={c: str for c in _TEXT_COLUMNS})
        except FileNotFoundError:
            raise AnnotationError("events file not found", path) from None
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise AnnotationError(f"cannot read events table ({err})", path) from None
        raw.columns = [c.strip() for c in raw.columns]
        try:
            if {"onset_s", "duration_s", "channel", "kind"} <= set(raw.columns):
                df = raw.drop(columns=["offset_s"], errors="ignore").rename(
                    columns={"onset_s": "onset", "duration_s": "duration"})
            elif {"onset", "duration", "trial_type"} <= set(raw.columns):
                df = _from_bids(raw)
            else:
                raise AnnotationError(
                    "unknown events layout: need onset, duration, trial_type[, channel] "
                    f"or a truth table; got columns {', '.join(raw.columns)}")
            if detector is not None:
                df["detector"] = detector
            table = cls(df)
            if len(table.df) and (table.df["onset"] < 0).any():  # a file, not our own detections
                raise AnnotationError(f"negative event onset ({table.df['onset'].min():g} s): "
                                      "onsets are seconds from the recording's first sample")
            return table
        except AnnotationError as err:
            raise AnnotationError(err.problem, path) from None

    # ------------------------------------------------------------------ MNE / EDF+
    def to_annotations(self, orig_time=None):
        """Convert to :class:`mne.Annotations`.

        ``description`` is the kind, with the hierarchical tag ``/fr_and_r`` when flagged
        (``"ripple/fr_and_r"``; MNE's ``epochs["ripple"]`` still selects it), ``ch_names``
        the channel. ``detector`` and the other columns travel in ``extras``, which MNE keeps
        in memory and FIF but not in EDF+; description and channel survive EDF+.
        """
        import mne

        desc = np.where(self.df["fr_and_r"], self.df["kind"] + "/" + FLAG_TAG, self.df["kind"])
        extra_cols = [c for c in self.df.columns if c not in ("onset", "duration", "channel", "kind", "fr_and_r")]
        extras = [
            {c: _plain(v) for c, v in zip(extra_cols, row) if not _missing(v)}
            for row in self.df[extra_cols].itertuples(index=False, name=None)
        ]
        return mne.Annotations(
            onset=self.onset, duration=self.duration, description=list(desc),
            orig_time=orig_time, ch_names=[(c,) for c in self.df["channel"]], extras=extras,
        )

    @classmethod
    def from_annotations(cls, annotations, detector: str | None = None) -> EventTable:
        """Build a table from :class:`mne.Annotations` (inverse of :meth:`to_annotations`).

        Understands descriptions ``"kind"``, ``"kind/fr_and_r"``, Zurich names
        (``"ripple_AHR3-4"``) and EDF+ texts that still hold the channel
        (``"ripple@@AHR3-AHR4"``). An annotation on several channels becomes one row per
        channel. Annotations whose description is no event kind (``BAD_ACQ_SKIP``, ...) or
        that name no channel are skipped (logged at INFO level).
        """
        rows = []
        chans = getattr(annotations, "ch_names", None)
        extras = getattr(annotations, "extras", None) or [None] * len(annotations)
        if chans is None:
            chans = [()] * len(annotations)
        skipped = 0
        for onset, duration, desc, chs, extra in zip(
            annotations.onset, annotations.duration, annotations.description, chans, extras
        ):
            parsed = _parse_description(str(desc))
            if parsed is None:
                skipped += 1
                continue
            kind, flag, channel_in_text = parsed
            names = list(chs) or ([channel_in_text] if channel_in_text else [])
            if not names:
                skipped += 1
                continue
            for name in names:
                row = dict(extra or {})
                row.update(onset=float(onset), duration=float(duration), channel=name,
                           kind=kind, fr_and_r=flag)
                if detector is not None:
                    row["detector"] = detector
                rows.append(row)
        if skipped:
            log.info("skipped %d annotation(s) that are not channel events", skipped)
        return cls(pd.DataFrame(rows)) if rows else cls.empty()


# ---------------------------------------------------------------------- intervals
def overlaps_any(a_on, a_off, b_on, b_off) -> np.ndarray:
    """For each interval ``[a_on, a_off)``: does any interval ``[b_on, b_off)`` overlap it by
    more than 0 s? (Vectorised; the one overlap test of the package for event tables.)"""
    a_on, a_off = np.asarray(a_on, dtype=float), np.asarray(a_off, dtype=float)
    b_on, b_off = np.asarray(b_on, dtype=float), np.asarray(b_off, dtype=float)
    out = np.zeros(a_on.size, dtype=bool)
    if b_on.size == 0 or a_on.size == 0:
        return out
    order = np.argsort(b_on, kind="mergesort")
    b_on, b_off = b_on[order], b_off[order]
    # others starting before a's end: a prefix of the sorted onsets; overlap iff the largest
    # end in that prefix lies after a's start
    n_before = np.searchsorted(b_on, a_off, side="left")
    max_end = np.maximum.accumulate(b_off)
    has = n_before > 0
    out[has] = max_end[n_before[has] - 1] > a_on[has]
    return out


def overlaps_by_channel(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """For each row of ``a`` (``channel, onset, duration``): does a row of ``b`` on the same
    channel overlap it?"""
    out = np.zeros(len(a), dtype=bool)
    if not len(a) or not len(b):
        return out
    a = a.reset_index(drop=True)
    by_ch = dict(tuple(b.groupby("channel")))
    for ch, rows in a.groupby("channel").groups.items():
        other = by_ch.get(ch)
        if other is None:
            continue
        ra = a.loc[rows]
        out[np.asarray(rows)] = overlaps_any(ra["onset"], ra["onset"] + ra["duration"], other["onset"],
                                             other["onset"] + other["duration"])
    return out


def merge_overlapping(df: pd.DataFrame) -> pd.DataFrame:
    """Union of overlapping (or touching) intervals per channel: ``onset, offset, channel, kind``
    with kind ``"hfo"``.

    This is what "an HFO" is everywhere (counts, rates, the pooled score): a ripple and a fast
    ripple that overlap on one channel (Zurich ``frandr``) are one oscillation. ``df`` needs
    ``onset``, ``channel`` and ``offset`` or ``duration``.
    """
    cols = ["onset", "offset", "channel", "kind"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("onset", "offset") else object)
                             for c in cols})
    if "offset" not in df.columns:
        df = df.assign(offset=df["onset"] + df["duration"])
    parts = []
    for channel, g in df.sort_values(["channel", "onset"]).groupby("channel", sort=True):
        on = g["onset"].to_numpy(dtype=float)
        off = g["offset"].to_numpy(dtype=float)
        running = np.maximum.accumulate(off)
        new = np.ones(len(on), dtype=bool)
        new[1:] = on[1:] > running[:-1]  # touching events (on == previous end) are merged
        starts = np.minimum.reduceat(on, np.flatnonzero(new))
        stops = np.maximum.reduceat(off, np.flatnonzero(new))
        parts.append(pd.DataFrame({"onset": starts, "offset": stops, "channel": channel, "kind": "hfo"}))
    return pd.concat(parts, ignore_index=True)


def count_hfo(df: pd.DataFrame, ch_names) -> np.ndarray:
    """HFOs per channel of ``ch_names``: HFO-kind events after :func:`merge_overlapping` (a ripple
    and a fast ripple that overlap count once). The one count behind ``n_hfo``, rates, the demo
    and the pooled score's ``n_detected`` / ``n_reference``."""
    ch_names = list(ch_names)
    if len(df) == 0:
        return np.zeros(len(ch_names), dtype=np.int64)
    hfos = merge_overlapping(df[df["kind"].isin(HFO_KINDS)])
    counts = hfos["channel"].value_counts()
    return np.array([int(counts.get(c, 0)) for c in ch_names], dtype=np.int64)


# ---------------------------------------------------------------------- helpers
def _overlaps_any(df: pd.DataFrame, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each interval in ``rows``: does any interval in ``others`` overlap it (> 0 s)?"""
    a_on = df.loc[rows, "onset"].to_numpy()
    b_on = df.loc[others, "onset"].to_numpy()
    return overlaps_any(a_on, a_on + df.loc[rows, "duration"].to_numpy(),
                        b_on, b_on + df.loc[others, "duration"].to_numpy())


def _parse_description(desc: str) -> tuple[str, bool, str | None] | None:
    """``"ripple/fr_and_r@@A1-A2"`` -> ``("ripple", True, "A1-A2")``; None if not an event."""
    text, _, channel = desc.partition(_CHANNEL_SEPARATOR)
    channel = channel or None
    tags = text.split("/")
    flag = FLAG_TAG in tags[1:]
    zurich = _ZURICH.match(tags[0])
    if zurich is not None:
        tag = zurich.group("tag").lower()
        channel = channel or zurich.group("channel")
        if tag == "frandr":  # a flag, not an event (its ripple and fr rows exist separately)
            return None
        return ("ripple" if tag == "ripple" else "fast_ripple"), flag, channel
    if not _is_kind(tags[0]):
        return None
    return normalise_kind(tags[0]), flag, channel


def _from_bids(raw: pd.DataFrame) -> pd.DataFrame:
    """BIDS / Zurich rows -> frame with onset, duration, channel, kind, fr_and_r."""
    df = raw.copy()
    if "channel" not in df:
        df["channel"] = np.nan
    trial = df["trial_type"].fillna("").astype(str).str.strip()
    zurich = trial.str.extract(_ZURICH)
    use_zurich = zurich["tag"].notna() & df["channel"].isna()
    has_kind_col = "kind" in df
    kind = df["kind"] if has_kind_col else trial
    known = kind.fillna("").map(_is_kind).astype(bool)  # an empty column maps to dtype object
    keep = use_zurich.astype(bool) | (known & df["channel"].notna())
    if len(df) and not keep.any():
        raise AnnotationError("no channel events: rows need a channel column and a kind as "
                              "trial_type, or Zurich names like ripple_AHR3-4")
    if (~keep).any():
        log.warning("skipped %d event row(s) that are no channel HFO events (e.g. %r)",
                    int((~keep).sum()), trial[~keep].iloc[0])
    if "fr_and_r" not in df:
        df["fr_and_r"] = False
    df["fr_and_r"] = _to_bool(df["fr_and_r"].fillna("false"))
    plain = df[keep & ~use_zurich].copy()
    plain["kind"] = kind[plain.index]
    out = [plain.drop(columns=["trial_type"])]
    if use_zurich.any():
        out.append(_zurich_rows(df[use_zurich], zurich[use_zurich]))
    return pd.concat(out, ignore_index=True)


def _zurich_rows(df: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """Zurich rows: ripple/fr become events, frandr rows set the flag on their partners."""
    df = df.drop(columns=["kind"], errors="ignore").copy()
    df["label"] = df["trial_type"]
    df = df.drop(columns=["trial_type"])
    tag = parts["tag"].str.lower()
    df["channel"] = [canonical_bipolar(c) for c in parts["channel"]]
    df["kind"] = tag.map({"ripple": "ripple", "fr": "fast_ripple", "frandr": "frandr"})
    # match on whole microseconds so that float text like 0.1 + 0.2 cannot spoil equality
    df["_on"] = np.round(pd.to_numeric(df["onset"]) * 1e6).astype(np.int64)
    df["_du"] = np.round(pd.to_numeric(df["duration"]) * 1e6).astype(np.int64)
    events = df[df["kind"] != "frandr"].copy()
    flags = df[df["kind"] == "frandr"].drop_duplicates(["channel", "_on", "_du"])
    key = ["channel", "_on", "_du"]
    events = events.merge(flags[key].assign(_flag=True), on=key, how="left")
    events["fr_and_r"] = events["_flag"].fillna(False).astype(bool) | events["fr_and_r"]
    # a frandr row without its ripple or fr partner: add the missing one (flagged)
    added = []
    for kind in ("ripple", "fast_ripple"):
        have = events.loc[events["kind"] == kind, key]
        lonely = flags.merge(have, on=key, how="left", indicator=True)
        lonely = lonely[lonely["_merge"] == "left_only"].drop(columns=["_merge"])
        if len(lonely):
            log.warning("%d frandr mark(s) without a %s row: added", len(lonely), kind)
            added.append(lonely.assign(kind=kind, fr_and_r=True))
    events = pd.concat([events, *added], ignore_index=True)
    return events.drop(columns=["_on", "_du", "_flag"], errors="ignore")


def _printable(text: str) -> str:
    """``text`` without control characters (Unicode category Cc)."""
    import unicodedata

    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _plain(value):
    """numpy scalars -> Python scalars (MNE extras accept only plain types)."""
    return value.item() if isinstance(value, np.generic) else value
