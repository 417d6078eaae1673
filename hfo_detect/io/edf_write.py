"""Write recordings as EDF+ files (through edfio), atomically.

Conventions (the read side, :func:`hfo_detect.io.read_recording`, undoes all of them):

- Amplitudes are given in microvolts and stored with physical dimension ``uV``; MNE reads
  them back as volts (x 1e-6), as for any EDF. The physical range is per channel
  (data min..max, widened to 8-character header numbers), the digital range the full 16 bits,
  so the quantization step is ``(max - min) / 65535`` uV per channel.
- Channel types are stored as the EDF+ label prefix (``"SEEG AHR1-AHR2"``), which MNE turns
  back into types with ``infer_types=True``. Labels that would exceed the 16-character EDF
  limit with the prefix are written bare (read back as type ``eeg``).
- Channel-specific annotations use MNE's own EDF+ convention: one TAL entry per channel with
  the text ``"<description>@@<channel>"``; MNE's EDF reader splits it back into
  ``Annotations.description`` and ``Annotations.ch_names`` when the channel exists in the
  file. A channel that does not exist in the file is kept verbatim in the description text
  (``"ripple@@AHR3-AHR4"``) so that nothing is lost; callers can split on ``"@@"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hfo_detect.atomic import atomic_write

#: separator between description and channel name in EDF+ annotation texts (MNE's choice)
CHANNEL_SEPARATOR = "@@"
_EDF_LABEL_LEN = 16
#: annotation marking samples appended to fill the last EDF record (MNE's convention)
PAD_LABEL = "BAD_ACQ_SKIP"


def _fit_8_chars(value: float, direction: str) -> float:
    """Round ``value`` outward (``"down"``/``"up"``) until ``str()`` fits an 8-char EDF field."""
    rounder = math.floor if direction == "down" else math.ceil
    for decimals in range(7, -1, -1):
        scale = 10.0**decimals
        steps = rounder(value * scale)
        # value * scale can round in binary onto a whole number (56.111200000000004 * 1e5 ->
        # 5611120.0): take one more step outward so the range still holds the value
        if direction == "up" and steps / scale < value:
            steps += 1
        elif direction == "down" and steps / scale > value:
            steps -= 1
        candidate = steps / scale
        if candidate == int(candidate):
            candidate = int(candidate)
        if len(str(candidate)) <= 8:
            return float(candidate)
    raise ValueError(f"value {value} cannot be written in an 8-character EDF header field")


def _duration_fits(samples: int, sfreq: float) -> bool:
    duration = samples / sfreq
    text = str(int(duration)) if float(duration).is_integer() else str(duration)
    return len(text) <= 8 and float(text) * sfreq == samples


def _record_samples(n_times: int, sfreq: float) -> tuple[int, int]:
    """Samples per data record and number of padding samples.

    EDF needs a whole number of equal records whose duration fits the 8-character header
    field. Preferred: the largest divisor of ``n_times`` up to 1 s of data, so the file
    holds exactly ``n_times`` samples (no padding) and short records keep partial reads
    cheap. When no divisor has a representable duration (e.g. 10000 samples at 2048 Hz),
    the longest representable record up to 1 s is used and the end is padded. [CHOICE]
    """
    limit = max(1, int(math.floor(sfreq)))
    for d in range(min(limit, n_times), 0, -1):
        if n_times % d == 0 and _duration_fits(d, sfreq):
            return d, 0
    for d in range(limit, 0, -1):
        if _duration_fits(d, sfreq):
            return d, (-n_times) % d
    raise ValueError(f"cannot split {n_times} samples at {sfreq} Hz into EDF records")


def _labels(ch_names: Sequence[str], ch_types: Sequence[str]) -> list[str]:
    labels = []
    for name, kind in zip(ch_names, ch_types):
        if len(name) > _EDF_LABEL_LEN:
            raise ValueError(f"channel name {name!r} is longer than the 16 characters EDF allows")
        typed = f"{kind.upper()} {name}"
        labels.append(typed if len(typed) <= _EDF_LABEL_LEN else name)
    return labels


def _edf_annotations(annotations, ch_names: Sequence[str]):
    from edfio import EdfAnnotation

    out = []
    if annotations is None:
        return out
    chans = getattr(annotations, "ch_names", None)
    if chans is None:
        chans = [()] * len(annotations)
    for onset, duration, desc, chs in zip(
        annotations.onset, annotations.duration, annotations.description, chans
    ):
        dur = float(duration) if duration else None
        if len(chs) == 0:
            out.append(EdfAnnotation(float(onset), dur, str(desc)))
        for ch in chs:
            out.append(EdfAnnotation(float(onset), dur, f"{desc}{CHANNEL_SEPARATOR}{ch}"))
    return out


def write_edf(
    path,
    data_uv,
    sfreq: float,
    ch_names: Sequence[str],
    *,
    annotations=None,
    ch_types: str | Sequence[str] = "seeg",
) -> Path:
    """Write an EDF+ file atomically (temporary file in the same folder, then ``os.replace``).

    Parameters
    ----------
    path : str or Path
        Output file (``.edf``). Parent folders are created.
    data_uv : array_like, shape (n_channels, n_times)
        Signals in microvolts; must be finite.
    sfreq : float
        Sampling rate in Hz.
    ch_names : sequence of str
        Channel names, at most 16 characters each (EDF limit), e.g. ``"AHR1-AHR2"``.
    annotations : mne.Annotations or None
        Written as EDF+ annotations (onsets relative to the first sample). Channel-specific
        ones (``ch_names``) are written MNE's way, one entry per channel with the text
        ``"description@@CHANNEL"``; :func:`read_recording` returns them as
        ``raw.annotations`` with ``ch_names`` set again. Channels that are not among
        ``ch_names`` stay inside the description text (``"ripple@@X1-X2"``).
    ch_types : str or sequence of str
        MNE channel type(s), stored as the label prefix (``"SEEG AHR1-AHR2"``).

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Quantization: 16-bit per channel over the channel's own min..max (``uV``), i.e. a step
    of ``(max - min) / 65535`` uV. Records are as long as possible up to 1 s while dividing
    ``n_times`` exactly, so the file holds exactly the samples given. Only when no such
    record length fits the EDF header (rare sampling rates like 2048 Hz with odd lengths)
    the last record is padded with the final value and marked ``BAD_ACQ_SKIP``;
    :func:`read_recording` crops that pad off again.
    """
    from edfio import Edf, EdfAnnotation, EdfSignal

    path = Path(path)
    data = np.atleast_2d(np.asarray(data_uv, dtype=np.float64))
    n_ch, n_times = data.shape
    if len(ch_names) != n_ch:
        raise ValueError(f"{len(ch_names)} channel names for {n_ch} data rows")
    if n_times == 0:
        raise ValueError("cannot write an EDF with zero samples")
    if not np.all(np.isfinite(data)):
        raise ValueError("data contain NaN or Inf; EDF cannot store them")
    if len(set(ch_names)) != n_ch:
        raise ValueError(f"duplicate channel names: {sorted({n for n in ch_names if list(ch_names).count(n) > 1})}")
    types = [ch_types] * n_ch if isinstance(ch_types, str) else list(ch_types)
    labels = _labels(list(ch_names), types)

    per_record, n_pad = _record_samples(n_times, float(sfreq))
    record_s = per_record / float(sfreq)
    edf_annotations = _edf_annotations(annotations, ch_names)
    if n_pad:
        # Repeat the last value and mark the pad the way MNE's exporter does; the reader
        # crops a trailing BAD_ACQ_SKIP pad away again.
        data = np.pad(data, ((0, 0), (0, n_pad)), mode="edge")
        edf_annotations.append(EdfAnnotation(n_times / float(sfreq), n_pad / float(sfreq), PAD_LABEL))
    signals = []
    for row, label in zip(data, labels):
        lo = _fit_8_chars(float(row.min()), "down")
        hi = _fit_8_chars(float(row.max()), "up")
        if hi <= lo:  # flat channel: any non-empty range represents it exactly
            hi = _fit_8_chars(lo + 1.0, "up")
        signals.append(
            EdfSignal(
                row,
                sampling_frequency=float(sfreq),
                label=label,
                physical_dimension="uV",
                physical_range=(lo, hi),
            )
        )
    edf = Edf(
        signals,
        data_record_duration=record_s,
        annotations=edf_annotations,
    )
    return atomic_write(path, lambda tmp: edf.write(tmp))
