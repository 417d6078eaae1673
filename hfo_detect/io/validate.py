"""Checks on recordings; each failure is one specific :mod:`hfo_detect.errors` exception.

The EDF/BDF header check is done here by hand (and only the header: the data are read by
MNE) because MNE silently accepts a file cut off mid-record and duplicate labels.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hfo_detect.errors import (
    CorruptFileError,
    DuplicateChannelError,
    EmptyFileError,
    FlatChannelError,
    NonFiniteDataError,
    NoUsableChannelsError,
    SamplingRateError,
    TruncatedFileError,
    UnitError,
)

log = logging.getLogger(__name__)

_EDF_FIXED_HEADER = 256
#: bytes per signal in the variable header part before "samples per record":
#: label 16, transducer 80, physical dimension 8, physical min/max 8+8, digital min/max
#: 8+8, prefiltering 80 (EDF spec, Kemp et al. 1992)
_EDF_BYTES_BEFORE_NSAMP = 16 + 80 + 8 + 8 + 8 + 8 + 8 + 80
_EDF_BYTES_PER_SIGNAL = _EDF_BYTES_BEFORE_NSAMP + 8 + 32


def _ascii_int(raw: bytes, what: str, path: Path) -> int:
    try:
        return int(raw.decode("ascii", errors="strict").strip())
    except (UnicodeDecodeError, ValueError):
        raise CorruptFileError(f"not a valid EDF/BDF header ({what} field is {raw!r})", path) from None


def check_edf_header(path) -> dict:
    """Read and check an EDF/EDF+/BDF header against the file size.

    Parameters
    ----------
    path : str or Path
        The ``.edf``/``.bdf`` file.

    Returns
    -------
    dict
        ``format`` ("EDF", "EDF+" or "BDF"), ``n_records``, ``n_signals``, ``labels``,
        ``samples_per_record``, ``expected_bytes``.

    Raises
    ------
    EmptyFileError
        Zero bytes or zero data records.
    CorruptFileError
        Shorter than a header, or header fields that are not numbers.
    TruncatedFileError
        Fewer bytes than the header promises (a file cut off mid-record).
    DuplicateChannelError
        Two signals share a label (MNE would silently rename them ``X-0``, ``X-1``).
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("file is empty (0 bytes)", path)
    with open(path, "rb") as fh:
        fixed = fh.read(_EDF_FIXED_HEADER)
        if len(fixed) < _EDF_FIXED_HEADER:
            raise CorruptFileError(f"not an EDF/BDF file ({size} bytes, shorter than a header)", path)
        is_bdf = fixed[:8] == b"\xffBIOSEMI"
        if not is_bdf and fixed[:8] != b"0       ":
            raise CorruptFileError("not an EDF/BDF file (bad version field)", path)
        header_bytes = _ascii_int(fixed[184:192], "header size", path)
        n_records = _ascii_int(fixed[236:244], "number of records", path)
        n_signals = _ascii_int(fixed[252:256], "number of signals", path)
        if n_signals <= 0:
            raise EmptyFileError("EDF header lists no signals", path)
        variable = fh.read(n_signals * _EDF_BYTES_PER_SIGNAL)
    if len(variable) < n_signals * _EDF_BYTES_PER_SIGNAL or header_bytes != _EDF_FIXED_HEADER * (n_signals + 1):
        raise CorruptFileError("EDF header is inconsistent with its number of signals", path)
    labels = [decode_label(variable[i * 16 : (i + 1) * 16]) for i in range(n_signals)]
    is_annot = [lb.endswith("Annotations") for lb in labels]
    n_data = n_signals - sum(is_annot)
    if n_data == 0:
        raise EmptyFileError("EDF+ file holds only annotations, no signal channels", path)
    blank = [i + 1 for i, lb in enumerate(labels) if not lb]
    if blank:
        which = "all" if len(blank) == n_data else "signal(s) " + ", ".join(map(str, blank)) + " of"
        raise CorruptFileError(f"blank channel label: {which} {n_data} signals have no name", path)

    def field(offset: int, width: int, what: str, parse):
        out = []
        for i in range(n_signals):
            raw = variable[offset + i * width : offset + (i + 1) * width]
            try:
                out.append(parse(raw.decode("ascii").strip()))
            except (UnicodeDecodeError, ValueError):
                raise CorruptFileError(
                    f"not a valid EDF/BDF header ({what} of {labels[i]} is {raw!r})", path) from None
        return out

    base = n_signals * (16 + 80 + 8)
    pmin = field(base, 8, "physical minimum", float)
    pmax = field(base + n_signals * 8, 8, "physical maximum", float)
    dmin = field(base + n_signals * 16, 8, "digital minimum", float)  # integers by the standard;
    dmax = field(base + n_signals * 24, 8, "digital maximum", float)  # some writers add ".0"
    start = n_signals * _EDF_BYTES_BEFORE_NSAMP
    samples = [
        _ascii_int(variable[start + i * 8 : start + (i + 1) * 8], "samples per record", path)
        for i in range(n_signals)
    ]
    for i, lb in enumerate(labels):
        if samples[i] <= 0:
            raise CorruptFileError(f"channel {lb}: samples per data record is {samples[i]} (must be > 0)", path)
        if is_annot[i]:
            continue
        if dmin[i] >= dmax[i]:
            what = "equals" if dmin[i] == dmax[i] else "is above"
            raise CorruptFileError(
                f"channel {lb}: digital minimum {dmin[i]:g} {what} digital maximum {dmax[i]:g}; "
                "the samples cannot be scaled to physical units", path)
        if pmin[i] == pmax[i]:
            raise CorruptFileError(
                f"channel {lb}: physical minimum equals physical maximum ({pmin[i]:g}); "
                "the samples cannot be scaled to physical units", path)
    inverted = [lb for i, lb in enumerate(labels) if not is_annot[i] and pmin[i] > pmax[i]]
    if inverted:  # allowed by EDF+ (negative amplifier gain), but usually swapped fields: say it
        log.warning("%s: physical minimum > maximum for %s: the signal is read inverted "
                    "(negative gain)", path, ", ".join(inverted[:8]) + (", ..." if len(inverted) > 8 else ""))
    try:
        record_s = float(fixed[244:252].decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise CorruptFileError(f"not a valid EDF/BDF header (record duration field is {fixed[244:252]!r})",
                               path) from None
    if not (record_s > 0 and np.isfinite(record_s)):
        raise CorruptFileError(f"data record duration is {record_s:g} s (must be > 0)", path)
    bytes_per_sample = 3 if is_bdf else 2
    record_bytes = sum(samples) * bytes_per_sample
    if n_records == 0 or record_bytes == 0:
        raise EmptyFileError("EDF file holds no data records", path)
    if n_records < 0:  # -1: unknown (recording still open); MNE infers it from the size
        n_records = (size - header_bytes) // record_bytes
        if n_records == 0:
            raise EmptyFileError("EDF file holds no complete data record", path)
    expected = header_bytes + n_records * record_bytes
    if size < expected:
        raise TruncatedFileError(
            f"truncated: header says {n_records} records ({expected} bytes) but the file has {size} bytes",
            path,
        )
    if size - expected >= record_bytes:  # whole records beyond the header's count: MNE drops them
        log.warning("%s: %d bytes after the %d data records the header announces are ignored",
                    path, size - expected, n_records)
    check_unique_names([lb for lb, a in zip(labels, is_annot) if not a], path)
    reserved = fixed[192:236].decode("latin-1")
    fmt = "BDF" if is_bdf else ("EDF+" if reserved.startswith("EDF+") else "EDF")
    rates = {lb: samples[i] / record_s for i, lb in enumerate(labels) if not is_annot[i]}
    return {
        "format": fmt,
        "n_records": n_records,
        "n_signals": n_signals,
        "labels": labels,
        "samples_per_record": samples,
        "record_s": record_s,
        "rates": rates,
        "expected_bytes": expected,
    }


def decode_label(raw: bytes) -> str:
    """An EDF label: ASCII by the standard; valid UTF-8 (``HÜ1``) is taken as UTF-8, anything
    else as Latin-1. Control characters (NUL, BEL, ...) are removed: they must never reach an
    output table."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return clean_name(text)


def clean_name(name: str) -> str:
    """A channel name without control characters (C0/C1, DEL) and surrounding blanks."""
    import unicodedata

    return "".join(ch for ch in str(name) if unicodedata.category(ch) != "Cc").strip()


def check_unique_names(names: Sequence[str], path=None) -> None:
    """Raise :class:`DuplicateChannelError` when a name occurs twice."""
    seen: set[str] = set()
    dups = []
    for name in names:
        if name in seen and name not in dups:
            dups.append(name)
        seen.add(name)
    if dups:
        raise DuplicateChannelError(f"duplicate channel names: {', '.join(dups)}", path)


def validate_sampling_rate(sfreq: float, highest_band_hz: float, path=None, on_low_fs: str = "error") -> bool:
    """Check that ``sfreq`` can carry a band whose upper edge is ``highest_band_hz``.

    The Nyquist frequency must lie strictly above the band edge (fast ripples up to
    500 Hz need ``sfreq > 1000`` Hz).

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    highest_band_hz : float
        Upper edge of the highest band requested.
    path : str or Path or None
        File named in the message.
    on_low_fs : {"error", "drop", "warn"}
        ``"error"``: raise :class:`SamplingRateError`; ``"drop"``/``"warn"``: log a
        warning and return ``False`` (the caller drops the band).

    Returns
    -------
    bool
        ``True`` when the rate is sufficient.
    """
    if on_low_fs not in ("error", "drop", "warn"):
        raise ValueError(f"on_low_fs must be 'error', 'drop' or 'warn', not {on_low_fs!r}")
    if sfreq > 2.0 * highest_band_hz:
        return True
    problem = (
        f"sampling rate {sfreq:g} Hz is too low for a band up to {highest_band_hz:g} Hz "
        f"(needs more than {2 * highest_band_hz:g} Hz)"
    )
    if on_low_fs == "error":
        raise SamplingRateError(problem, path)
    log.warning("%s: %s", path, problem)
    return False


def check_finite(data: np.ndarray, ch_names: Sequence[str], sfreq: float, start: int = 0, path=None) -> None:
    """Raise :class:`NonFiniteDataError` naming the first channel and time with NaN/Inf.

    ``start`` is the sample index of ``data[:, 0]`` in the recording.
    """
    bad = ~np.isfinite(data)
    if not bad.any():
        return
    rows, cols = np.nonzero(bad)
    first = int(np.argmin(cols))  # earliest bad sample, reported with its channel
    t = (start + cols[first]) / sfreq
    n_bad = int(bad.sum())
    raise NonFiniteDataError(
        f"NaN/Inf samples: first on channel {ch_names[rows[first]]} at {t:.4f} s "
        f"({n_bad} in samples {start}-{start + data.shape[1]})",
        path,
    )


#: largest peak-to-peak amplitude (uV) below which no channel of a recording can be EEG
#: [CHOICE: iEEG spans tens to thousands of uV; a recording whose every channel stays under
#: 1 uV is in a wrong unit (data written in volts but labelled uV, or scaled by 1e-6 twice)]
MIN_PLAUSIBLE_PTP_UV = 1.0


def check_amplitude(ptp_uv: np.ndarray, path=None) -> None:
    """Raise :class:`UnitError` when every (non-flat) channel's peak-to-peak amplitude is
    implausibly small for EEG in microvolts: detection would silently find nothing."""
    ptp_uv = np.asarray(ptp_uv, dtype=float)
    if ptp_uv.size and float(ptp_uv.max()) < MIN_PLAUSIBLE_PTP_UV:
        raise UnitError(
            f"amplitudes implausibly small for EEG: largest peak-to-peak {ptp_uv.max():.3g} uV "
            f"(< {MIN_PLAUSIBLE_PTP_UV:g} uV on every channel); the unit in the file is probably "
            "wrong (e.g. volts stored as microvolts)", path)


def flat_channels(ptp_uv: np.ndarray, tol_uv: float = 1e-6) -> np.ndarray:
    """Boolean mask of channels whose peak-to-peak amplitude is at most ``tol_uv``."""
    return np.asarray(ptp_uv) <= tol_uv


def handle_flat(names: Sequence[str], flat: np.ndarray, on_flat: str, path=None) -> list[str]:
    """Apply the flat-channel policy; returns the names to keep.

    ``on_flat``: ``"drop"`` (log a warning, keep the rest), ``"error"`` (raise
    :class:`FlatChannelError` if any is flat) or ``"ignore"``. Dropping every channel raises
    :class:`NoUsableChannelsError`.
    """
    if on_flat not in ("drop", "error", "ignore"):
        raise ValueError(f"on_flat must be 'drop', 'error' or 'ignore', not {on_flat!r}")
    flat_names = [n for n, f in zip(names, flat) if f]
    if not flat_names or on_flat == "ignore":
        return list(names)
    if on_flat == "error":
        raise FlatChannelError(f"flat (constant) channels: {', '.join(flat_names)}", path)
    keep = [n for n, f in zip(names, flat) if not f]
    if not keep:
        raise NoUsableChannelsError(f"all {len(names)} channels are flat (constant)", path)
    log.warning("%s: dropping flat (constant) channels: %s", path, ", ".join(flat_names))
    return keep
