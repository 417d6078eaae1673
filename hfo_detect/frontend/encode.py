"""One-call front end: wideband microvolts -> thresholds + ADM events (two streaming passes).

Pass 1 filters the recording and accumulates the calibration windows (the threshold rule
needs the whole recording, or its first 10 s); pass 2 filters again from zero state and runs
the ADM. Filtering twice costs less than keeping ``n_bands x n_ch x n`` filtered samples in
memory. Each incoming chunk is cut into blocks of ``block_samples`` so the working set stays
in cache; block boundaries do not change any result (state carries over exactly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
from numba import njit

from hfo_detect.config import PipelineConfig
from hfo_detect.errors import NonFiniteDataError
from hfo_detect.frontend.adm import ADMEncoder
from hfo_detect.frontend.calibration import FloorTrack, ThresholdCalibrator
from hfo_detect.frontend.filters import FilterBank, filter_zero_phase, usable_bands
from hfo_detect.spikes import SpikeTrains

#: Samples per internal block (32 ch x 2 bands x 8192 x 8 B = 4 MB working set).
BLOCK_SAMPLES = 8192


@dataclass
class EncodeResult:
    """Output of the front end.

    Attributes
    ----------
    spikes : SpikeTrains
        ADM events, ``source = 2*band + (0 UP, 1 DN)``, sorted by channel, time, source.
    thresholds : ndarray of float64 (whole microvolts at resolution 1), shape (n_bands, n_ch)
        ADM thresholds in microvolts (with ``CalibrationConfig.track_s``, at the
        whole-recording floor; the effective ones follow the local floor).
    band_names : tuple of str
    n_times : int
    sfreq : float
    track : FloorTrack or None
        The tracked floor the encoder applied (``CalibrationConfig.track_s``).
    """

    spikes: SpikeTrains
    thresholds: np.ndarray
    band_names: tuple[str, ...]
    n_times: int
    sfreq: float
    track: FloorTrack | None = None

    def threshold_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest effective threshold per band and channel, ``(n_bands, n_ch)``
        each: the threshold divided by the largest and the smallest gain of the tracked floor
        (both the threshold itself when untracked)."""
        if self.track is None:
            return self.thresholds, self.thresholds
        g = self.track.gains
        return self.thresholds / g.max(axis=2), self.thresholds / g.min(axis=2)

    @property
    def duration_s(self) -> float:
        return self.n_times / self.sfreq

    def counts(self) -> np.ndarray:
        """Event counts ``(n_ch, n_bands, 2)`` (last axis: UP, DN)."""
        n_b = len(self.band_names)
        return self.spikes.counts(2 * n_b).reshape(self.spikes.n_channels, n_b, 2)


def nominal_sfreq(sfreq: float, rtol: float) -> float:
    """``sfreq`` snapped to the nearest whole Hz when within ``rtol`` (relative) of it."""
    whole = float(round(sfreq))
    return whole if whole > 0 and abs(sfreq - whole) <= rtol * whole else float(sfreq)


def _blocks(chunks: Iterable[tuple[int, np.ndarray]]) -> Iterator[tuple[int, np.ndarray]]:
    """Cut (start, data) chunks into blocks of at most BLOCK_SAMPLES."""
    for start, data in chunks:
        data = np.asarray(data, dtype=np.float64)
        for off in range(0, data.shape[1], BLOCK_SAMPLES):
            yield start + off, data[:, off: off + BLOCK_SAMPLES]


def _filtered_blocks(fb: FilterBank, chunks, path) -> Iterator[tuple[int, np.ndarray]]:
    """Filter block by block. A NaN or Inf sample makes the filter state non-finite for good,
    so checking the tiny state after each block finds it at no cost (no pass over the data)."""
    for start, block in _blocks(chunks):
        out = fb.process(block)
        if not np.isfinite(fb.zi).all():
            raise NonFiniteDataError(
                f"NaN or Inf samples in samples {start}-{start + block.shape[1] - 1}", path)
        yield start, out


@njit(cache=True)
def _channel_major_order(ch, n_ch):
    """Permutation that groups events by channel, keeping block order: O(n), no sort."""
    total = np.zeros(n_ch + 1, np.int64)
    for i in range(ch.size):
        total[ch[i] + 1] += 1
    cursor = np.cumsum(total)[:n_ch]
    order = np.empty(ch.size, np.int64)
    for i in range(ch.size):  # blocks are consecutive, each already grouped by channel
        order[cursor[ch[i]]] = i
        cursor[ch[i]] += 1
    return order


def join_blocks(parts: list[SpikeTrains], n_ch: int, source_names) -> SpikeTrains:
    """Join consecutive blocks, each sorted by (channel, time, source), into one such train.

    A counting pass groups the events by channel keeping block (= time) order, O(n); a lexsort is the fallback for the rare tie of two
    bands' events at the very time of a block boundary.
    """
    if not parts:
        return SpikeTrains.empty(n_ch, tuple(source_names))
    t = np.concatenate([p.times for p in parts])
    ch = np.concatenate([p.channel for p in parts])
    src = np.concatenate([p.source for p in parts])
    order = _channel_major_order(ch, n_ch)
    t, ch, src = t[order], ch[order], src[order]
    same = ch[1:] == ch[:-1]
    bad = same & ((t[1:] < t[:-1]) | ((t[1:] == t[:-1]) & (src[1:] < src[:-1])))
    if bad.any():
        order = np.lexsort((src, t, ch))
        t, ch, src = t[order], ch[order], src[order]
    return SpikeTrains(t, ch, src, n_ch, tuple(source_names))


def _encode_stream(make_chunks, n_ch: int, n_times: int, sfreq: float, cfg: PipelineConfig,
                   thresholds=None, ch_names=None, path=None) -> EncodeResult:
    """The two passes over ``make_chunks()`` (a fresh iterator of (start, data_uv) each call)."""
    sfreq = nominal_sfreq(sfreq, cfg.filters.sfreq_snap_rtol)
    bands = usable_bands(cfg.filters, sfreq, path)
    names = tuple(b.name for b in bands)
    track = None
    if thresholds is None:
        fb = FilterBank(cfg.filters, sfreq, n_ch, path)
        cal = ThresholdCalibrator(sfreq, n_ch, len(bands), cfg.calibration,
                                  [b.scale_factor for b in bands], ch_names=ch_names,
                                  band_names=names, path=path, n_times=n_times)
        for start, filt in _filtered_blocks(fb, make_chunks(), path):
            cal.update(filt, start)
            if cal.done:
                break
        thresholds, track = cal.thresholds(), cal.floor_track()
    thresholds = np.asarray(thresholds, dtype=np.float64).reshape(len(bands), n_ch)
    fb = FilterBank(cfg.filters, sfreq, n_ch, path)
    enc = ADMEncoder(cfg.adm, sfreq, thresholds, n_times, names, track)
    parts = [enc.process(filt, start) for start, filt in _filtered_blocks(fb, make_chunks(), path)]
    spikes = join_blocks(parts, n_ch, enc.source_names)
    return EncodeResult(spikes, thresholds, names, int(n_times), float(sfreq), track)


def encode_array(data_uv: np.ndarray, sfreq: float, cfg: PipelineConfig, thresholds=None, *,
                 ch_names=None, path=None) -> EncodeResult:
    """Filter, calibrate and ADM-encode an in-memory recording.

    Parameters
    ----------
    data_uv : ndarray, shape (n_ch, n_times)
        Wideband signals in microvolts.
    sfreq : float
        Sampling rate in Hz.
    cfg : PipelineConfig
        Uses ``cfg.filters``, ``cfg.calibration`` and ``cfg.adm``.
    thresholds : array_like (n_bands, n_ch), optional
        Given thresholds (microvolts) skip the calibration pass (and so the tracked floor of
        ``CalibrationConfig.track_s``: given thresholds hold for the whole recording).
    ch_names, path : optional
        Named in error messages.

    Returns
    -------
    EncodeResult
    """
    data = np.asarray(data_uv, dtype=np.float64)
    if data.ndim == 1:
        data = data[None]
    n_ch, n_times = data.shape
    if cfg.filters.mode == "zero-phase":
        return _encode_zero_phase(data, sfreq, cfg, thresholds, ch_names, path)
    return _encode_stream(lambda: iter([(0, data)]), n_ch, n_times, sfreq, cfg, thresholds,
                          ch_names, path)


def _encode_zero_phase(data, sfreq, cfg, thresholds, ch_names, path) -> EncodeResult:
    """Offline variant: ``sosfiltfilt`` on the whole array, then the same calibration and ADM."""
    sfreq = nominal_sfreq(sfreq, cfg.filters.sfreq_snap_rtol)
    if not np.isfinite(data).all():
        raise NonFiniteDataError("NaN or Inf samples", path)
    names = tuple(b.name for b in usable_bands(cfg.filters, sfreq, path))
    filt = filter_zero_phase(data, cfg.filters, sfreq)
    if thresholds is None:
        cal = ThresholdCalibrator(sfreq, data.shape[0], len(names), cfg.calibration,
                                  [b.scale_factor for b in usable_bands(cfg.filters, sfreq)],
                                  ch_names=ch_names, band_names=names, path=path,
                                  n_times=data.shape[1])
        cal.update(filt, 0)
        thresholds, track = cal.thresholds(), cal.floor_track()
    else:
        track = None
    thresholds = np.asarray(thresholds, dtype=np.float64).reshape(len(names), data.shape[0])
    enc = ADMEncoder(cfg.adm, sfreq, thresholds, data.shape[1], names, track)
    return EncodeResult(enc.process(filt, 0), thresholds, names, data.shape[1], float(sfreq),
                        track)


def encode_recording(recording, cfg: PipelineConfig, chunk_s: float = 10.0,
                     thresholds=None) -> EncodeResult:
    """Stream a :class:`hfo_detect.io.Recording` through the front end in two passes.

    Parameters
    ----------
    recording : hfo_detect.io.Recording
        Needs ``sfreq``, ``n_times``, ``ch_names`` and ``iter_chunks(chunk_s)`` yielding chunks
        with ``.start`` and ``.data_uv`` (n_ch, n) in microvolts.
    cfg : PipelineConfig
    chunk_s : float
        Seconds read per chunk (memory: n_ch x chunk_s x sfreq x 8 bytes).
    thresholds : array_like (n_bands, n_ch), optional
        Given thresholds skip the calibration pass (and the tracked floor).

    Returns
    -------
    EncodeResult
        Identical to :func:`encode_array` on the whole data.
    """
    path = getattr(recording, "path", None)
    ch_names = list(recording.ch_names)
    if cfg.filters.mode == "zero-phase":
        data = np.concatenate([c.data_uv for c in recording.iter_chunks(chunk_s)], axis=1)
        return _encode_zero_phase(data, recording.sfreq, cfg, thresholds, ch_names, path)

    def make_chunks():
        return ((c.start, c.data_uv) for c in recording.iter_chunks(chunk_s))

    return _encode_stream(make_chunks, len(ch_names), int(recording.n_times),
                          float(recording.sfreq), cfg, thresholds, ch_names, path)
