"""A lazy, montaged view of a recording that reads time spans on demand.

:class:`Recording` keeps the MNE Raw unloaded (where the format allows) and applies the
montage to whatever span is requested, so long files can be streamed in chunks
(:meth:`Recording.iter_chunks`) without ever holding the whole file in memory. All data
leave it in microvolts, float64.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hfo_detect.errors import CorruptFileError, EmptyFileError, NoUsableChannelsError
from hfo_detect.io.edf_write import CHANNEL_SEPARATOR, PAD_LABEL
from hfo_detect.io.montage import EEG_TYPES, resolve_montage
from hfo_detect.io.validate import check_amplitude, check_finite, check_unique_names, flat_channels, handle_flat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunk:
    """One time chunk of a recording.

    Attributes
    ----------
    start, stop : int
        Core span ``[start, stop)`` in samples. The cores of consecutive chunks tile the
        recording: every sample belongs to exactly one core.
    data_uv : ndarray, shape (n_channels, overlap + (stop - start) + overlap_after)
        Signals in microvolts, including the context samples on both sides.
    overlap : int
        Context samples before ``start`` included in ``data_uv`` (0 for the first chunk);
        e.g. to let a filter settle before the core begins.
    overlap_after : int
        Context samples after ``stop`` (only with ``symmetric=True``; 0 otherwise).
    """

    start: int
    stop: int
    data_uv: np.ndarray
    overlap: int
    overlap_after: int = 0

    @property
    def core_uv(self) -> np.ndarray:
        """The core part ``[start, stop)`` of ``data_uv``."""
        return self.data_uv[:, self.overlap : self.overlap + (self.stop - self.start)]

    @property
    def data_start(self) -> int:
        """Sample index of ``data_uv[:, 0]`` in the recording."""
        return self.start - self.overlap


class Recording:
    """Montaged, lazily read recording.

    Build it with :func:`open_recording`, :meth:`from_raw` or :meth:`from_array`.

    Attributes
    ----------
    path : Path or None
        Source file.
    format : str
        Reader used ("EDF+", "BrainVision", "array", ...).
    sfreq : float
        Sampling rate (Hz).
    n_times : int
        Number of samples.
    duration_s : float
        ``n_times / sfreq``.
    ch_names : list of str
        Output channel names after the montage (``"AHR1-AHR2"`` for bipolar pairs).
    ch_pairs : list of (str, str or None)
        Source channels of each output: anode, cathode (``None``: used as it is).
    """

    def __init__(self, raw, names, pairs, *, path=None, fmt="raw", n_times=None):
        self._raw = raw
        self.path = None if path is None else Path(path)
        self.format = fmt
        self.sfreq = float(raw.info["sfreq"])
        self.n_times = int(raw.n_times if n_times is None else n_times)
        self.ch_names = list(names)
        self.ch_pairs = [tuple(p) for p in pairs]
        if not self.ch_names:
            raise NoUsableChannelsError("no usable iEEG channels after the montage", self.path)
        check_unique_names(self.ch_names, self.path)
        sources = sorted({raw.ch_names.index(ch) for p in self.ch_pairs for ch in p if ch is not None})
        self._picks = sources  # channel indices in raw to read
        row = {raw.ch_names[idx]: i for i, idx in enumerate(sources)}
        self._anode = np.array([row[a] for a, _ in self.ch_pairs], dtype=int)
        cath = [(i, row[c]) for i, (_, c) in enumerate(self.ch_pairs) if c is not None]
        self._cath_out = np.array([i for i, _ in cath], dtype=int)
        self._cath_src = np.array([j for _, j in cath], dtype=int)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_raw(cls, raw, montage="as-is", *, path=None, fmt="raw") -> Recording:
        """Wrap an MNE Raw (loaded or not); ``montage`` as in :func:`read_recording`."""
        try:
            names, pairs = resolve_montage(montage, raw.ch_names, raw.get_channel_types())
        except ValueError as err:
            if isinstance(montage, str) and montage not in ("as-is", "bipolar"):
                raise
            raise NoUsableChannelsError(str(err), path) from None
        if montage == "bipolar":
            kept = [n for n, (a, c) in zip(names, pairs) if c is None]
            derived = [n for n, (a, c) in zip(names, pairs) if c is not None]
            if kept and derived:
                log.warning("%s: the file mixes monopolar and bipolar channels: %d pair(s) of "
                            "neighbouring contacts derived, %d bipolar channel(s) kept as recorded",
                            path, len(derived), len(kept))
        return cls(raw, names, pairs, path=path, fmt=fmt, n_times=_unpadded_length(raw))

    @classmethod
    def from_array(cls, data_uv, sfreq: float, ch_names: Sequence[str], path=None) -> Recording:
        """Wrap an in-memory array (microvolts, channels x samples) as it is."""
        import mne

        data = np.atleast_2d(np.asarray(data_uv, dtype=np.float64))
        check_unique_names(list(ch_names), path)
        if data.shape[1] == 0:
            raise EmptyFileError("recording holds no samples", path)
        info = mne.create_info(list(ch_names), float(sfreq), ch_types="seeg")
        raw = mne.io.RawArray(data * 1e-6, info, verbose="error")
        names = list(ch_names)
        return cls(raw, names, [(n, None) for n in names], path=path, fmt="array")

    # ------------------------------------------------------------------ properties
    @property
    def duration_s(self) -> float:
        return self.n_times / self.sfreq

    @property
    def n_channels(self) -> int:
        return len(self.ch_names)

    @property
    def annotations(self):
        """Annotations of the source (onsets relative to the first sample)."""
        return _relative_annotations(self._raw, set(self.ch_names), self.n_times)

    def __repr__(self) -> str:
        return (
            f"Recording({self.path.name if self.path else '<array>'}, {self.format}, "
            f"{self.n_channels} ch, {self.sfreq:g} Hz, {self.duration_s:.1f} s)"
        )

    # ------------------------------------------------------------------ data access
    def get_data_uv(self, start: int = 0, stop: int | None = None, *, check: bool = True) -> np.ndarray:
        """Samples ``[start, stop)`` of every output channel, microvolts, float64.

        Only that span is read from disk; the montage is applied to it. With ``check``
        NaN/Inf raise :class:`~hfo_detect.errors.NonFiniteDataError` (channel and time
        named).
        """
        stop = self.n_times if stop is None else min(int(stop), self.n_times)
        start = max(0, int(start))
        if stop <= start:
            return np.zeros((self.n_channels, 0))
        try:
            src = self._raw.get_data(picks=self._picks, start=start, stop=stop) * 1e6
        except (ValueError, OSError, EOFError, IndexError) as err:  # MNE on a cut or damaged file
            raise CorruptFileError(
                f"samples {start}-{stop} cannot be read (file truncated or damaged: "
                f"{type(err).__name__}: {' '.join(str(err).split())[:100]})", self.path) from None
        out = src[self._anode]
        if self._cath_out.size:
            out[self._cath_out] -= src[self._cath_src]
        if check:
            check_finite(out, self.ch_names, self.sfreq, start, self.path)
        return out

    def iter_chunks(self, chunk_s: float = 10.0, overlap_s: float = 0.0, *, symmetric: bool = False) -> Iterator[Chunk]:
        """Yield :class:`Chunk` objects whose cores tile the recording.

        Parameters
        ----------
        chunk_s : float
            Core length in seconds (the last chunk may be shorter).
        overlap_s : float
            Context added before each core (and after it with ``symmetric``); clipped at
            the recording's ends. The overlap is the caller's choice (e.g. a few filter
            time constants); neither the paper nor its code fixes one.
        symmetric : bool
            Also add ``overlap_s`` of context after the core (for non-causal processing).
        """
        chunk_n = max(1, int(round(chunk_s * self.sfreq)))
        overlap_n = max(0, int(round(overlap_s * self.sfreq)))
        for start in range(0, self.n_times, chunk_n):
            stop = min(start + chunk_n, self.n_times)
            before = min(overlap_n, start)
            after = min(overlap_n, self.n_times - stop) if symmetric else 0
            data = self.get_data_uv(start - before, stop + after)
            yield Chunk(start, stop, data, before, after)

    def ptp_uv(self, chunk_s: float = 10.0) -> np.ndarray:
        """Peak-to-peak amplitude per output channel, read chunk by chunk."""
        lo = np.full(self.n_channels, np.inf)
        hi = np.full(self.n_channels, -np.inf)
        for chunk in self.iter_chunks(chunk_s):
            lo = np.minimum(lo, chunk.data_uv.min(axis=1))
            hi = np.maximum(hi, chunk.data_uv.max(axis=1))
        return hi - lo

    def drop_flat(self, on_flat: str = "drop", tol_uv: float = 1e-6, chunk_s: float = 10.0) -> Recording:
        """Apply the flat-channel policy (see :func:`~hfo_detect.io.validate.handle_flat`).

        Reads the whole recording once (chunk by chunk); also finds NaN/Inf on the way.
        """
        if on_flat == "ignore":
            return self
        ptp = self.ptp_uv(chunk_s)
        if ptp.size and ptp.max() > 0:  # moving but tiny everywhere: a unit slip, not flat
            check_amplitude(ptp, self.path)
        keep = handle_flat(self.ch_names, flat_channels(ptp, tol_uv), on_flat, self.path)
        return self.subset(keep)

    def subset(self, names: Sequence[str]) -> Recording:
        """The same recording restricted to the output channels ``names`` (in that order)."""
        if list(names) == self.ch_names:
            return self
        pair = dict(zip(self.ch_names, self.ch_pairs))
        return Recording(
            self._raw, list(names), [pair[n] for n in names], path=self.path, fmt=self.format, n_times=self.n_times
        )

    def to_raw(self, preload: bool = True, data_uv: np.ndarray | None = None):
        """An MNE Raw (volts) of the montaged channels, with the source's annotations.

        Without a montage to apply and with ``preload=False`` the source Raw is picked
        lazily; otherwise the data are read (or ``data_uv``, already read with
        :meth:`get_data_uv`, is used) and a ``RawArray`` built.
        """
        import mne

        if data_uv is None and not preload and all(c is None for _, c in self.ch_pairs) and self.n_times == self._raw.n_times:
            raw = self._raw.copy().pick([a for a, _ in self.ch_pairs])
            if raw.ch_names != self.ch_names:
                raw.rename_channels(dict(zip(raw.ch_names, self.ch_names)))
            return raw
        types = self._raw.get_channel_types()
        ch_types = [types[self._raw.ch_names.index(a)] for a, _ in self.ch_pairs]
        ch_types = [t if t in EEG_TYPES else "seeg" for t in ch_types]
        info = mne.create_info(self.ch_names, self.sfreq, ch_types=ch_types)
        data = self.get_data_uv() if data_uv is None else data_uv
        raw = mne.io.RawArray(data * 1e-6, info, verbose="error")
        if self._raw.info["meas_date"] is not None:
            raw.set_meas_date(self._raw.info["meas_date"])
        raw.set_annotations(self.annotations, verbose="error")
        return raw


def iter_chunks(recording: Recording, chunk_s: float = 10.0, overlap_s: float = 0.0, *, symmetric: bool = False):
    """Function form of :meth:`Recording.iter_chunks`."""
    return recording.iter_chunks(chunk_s, overlap_s, symmetric=symmetric)


def _unpadded_length(raw) -> int:
    """``n_times`` without a trailing ``BAD_ACQ_SKIP`` pad (added by EDF writers)."""
    ann = raw.annotations
    if not len(ann):
        return raw.n_times
    onsets = ann.onset - (raw.first_time if ann.orig_time is not None else 0.0)
    sfreq = raw.info["sfreq"]
    for onset, duration, desc in zip(onsets, ann.duration, ann.description):
        if desc == PAD_LABEL and abs((onset + duration) * sfreq - raw.n_times) < 1.0:
            return max(1, int(round(onset * sfreq)))
    return raw.n_times


def _relative_annotations(raw, out_names: set[str], n_times: int):
    """Source annotations with onsets from the first sample and channels mapped.

    Channel names not among the outputs (e.g. monopolar contacts after a bipolar montage)
    are folded into the description as ``"description@@CHANNEL"``, the convention of
    :func:`~hfo_detect.io.write_edf`, so they are not lost.
    """
    import mne

    ann = raw.annotations
    onsets = ann.onset - (raw.first_time if ann.orig_time is not None else 0.0)
    sfreq = raw.info["sfreq"]
    rows = []
    for onset, duration, desc, chs in zip(onsets, ann.duration, ann.description, ann.ch_names):
        if desc == PAD_LABEL and onset * sfreq >= n_times - 0.5:  # the writer's pad, cropped
            continue
        base, sep, named = str(desc).rpartition(CHANNEL_SEPARATOR)
        if sep and named in out_names and not chs:  # channel kept in the text: restore it
            desc, chs = base, (named,)
        kept = tuple(c for c in chs if c in out_names)
        for lost in (c for c in chs if c not in out_names):
            rows.append((onset, duration, f"{desc}{CHANNEL_SEPARATOR}{lost}", ()))
        if kept or not chs:
            rows.append((onset, duration, desc, kept))
    if not rows:
        return mne.Annotations([], [], [])
    o, d, s, c = zip(*rows)
    return mne.Annotations(list(o), list(d), list(s), ch_names=list(c))
