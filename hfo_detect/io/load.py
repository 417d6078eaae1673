"""Entry points: :func:`open_recording` (lazy view) and :func:`read_recording` (MNE Raw)."""

from __future__ import annotations

import numpy as np

from hfo_detect.errors import NoUsableChannelsError
from hfo_detect.io.readers import mixed_rates, open_raw
from hfo_detect.io.recording import Recording
from hfo_detect.io.validate import flat_channels, handle_flat, validate_sampling_rate


def open_recording(
    path,
    *,
    montage="bipolar",
    on_low_fs: str = "error",
    min_fs_hz: float | None = None,
    on_flat: str = "drop",
    flat_tol_uv: float = 1e-6,
    preload: bool = False,
) -> Recording:
    """Open a recording as a lazy, montaged :class:`Recording`.

    Parameters
    ----------
    path : str, Path or mne_bids.BIDSPath
        EDF/EDF+/BDF, BrainVision ``.vhdr``, FIF, a file in a BIDS tree, or the authors'
        MATLAB ``.mat`` layout (microvolts).
    montage : {"bipolar", "as-is"} or list of (anode, cathode)
        ``"bipolar"``: neighbouring contacts of each electrode (``AHR1-AHR2``, ...),
        skipping gaps and non-iEEG channels; already-bipolar files stay as they are.
        ``"as-is"``: every EEG-type channel unchanged. A list: those pairs, anode minus
        cathode.
    on_low_fs : {"error", "drop", "warn"}
        What to do when the sampling rate is not above ``min_fs_hz``: raise
        :class:`~hfo_detect.errors.SamplingRateError` or only log a warning (the caller
        drops the bands it cannot carry).
    min_fs_hz : float or None
        Sampling rate the data must exceed (twice the highest band edge: 1000 Hz for fast
        ripples up to 500 Hz). ``None``: no check.
    on_flat : {"drop", "error", "ignore"}
        Flat (constant) output channels: drop with a logged warning, raise
        :class:`~hfo_detect.errors.FlatChannelError`, or keep. Checking reads the file once,
        chunk by chunk (which also finds NaN/Inf early); ``"ignore"`` skips that pass.
    flat_tol_uv : float
        Peak-to-peak amplitude (uV) at or below which a channel counts as flat [CHOICE].
    preload : bool
        Load the source into memory (faster repeated access, more memory).

    Returns
    -------
    Recording
    """
    raw, fmt, file_path = open_raw(path, preload=preload)
    if min_fs_hz is not None:
        validate_sampling_rate(raw.info["sfreq"], min_fs_hz / 2.0, file_path, on_low_fs)
    try:
        rec = Recording.from_raw(raw, montage, path=file_path, fmt=fmt)
    except NoUsableChannelsError as err:
        rates = mixed_rates(file_path)
        if not rates:
            raise
        low = ", ".join(f"{n} {r:g} Hz" for n, r in rates.items() if r < raw.info["sfreq"])
        raise NoUsableChannelsError(
            f"{err.problem}; channels recorded below {raw.info['sfreq']:g} Hz were left out "
            f"(the file mixes sampling rates: {low})", file_path) from None
    return rec.drop_flat(on_flat, flat_tol_uv)


def read_recording(
    path,
    *,
    montage="bipolar",
    on_low_fs: str = "error",
    min_fs_hz: float | None = None,
    preload: bool = True,
    on_flat: str = "drop",
    flat_tol_uv: float = 1e-6,
):
    """Read a recording into an MNE Raw with the montage applied and the data checked.

    Parameters are those of :func:`open_recording`. The Raw stores volts as MNE always
    does (``raw.get_data(units="uV")`` or ``* 1e6`` gives microvolts); the MATLAB layout
    holds microvolts and is converted (x 1e-6) on reading. Annotations of the source
    come along (onsets from the first sample; channel-specific ones keep ``ch_names``
    when the channel survives the montage, else ``"description@@CHANNEL"``).

    With ``preload=False`` and no derivation to compute (``"as-is"``, or an already
    bipolar file) the returned Raw stays on disk; a bipolar derivation always loads.

    Raises
    ------
    HFODetectError
        A subclass per problem, message ``"<file>: <problem>"``: UnsupportedFormatError,
        CorruptFileError, TruncatedFileError, EmptyFileError, SamplingRateError,
        NoUsableChannelsError, NonFiniteDataError, DuplicateChannelError, FlatChannelError.
    """
    rec = open_recording(
        path, montage=montage, on_low_fs=on_low_fs, min_fs_hz=min_fs_hz, on_flat="ignore", preload=preload
    )
    if not preload:
        return rec.drop_flat(on_flat, flat_tol_uv).to_raw(preload=False)
    data = rec.get_data_uv()  # also raises on NaN/Inf, naming channel and time
    if on_flat == "ignore":
        return rec.to_raw(data_uv=data)
    keep = handle_flat(rec.ch_names, flat_channels(np.ptp(data, axis=1), flat_tol_uv), on_flat, rec.path)
    rows = [rec.ch_names.index(n) for n in keep]
    return rec.subset(keep).to_raw(data_uv=data[rows])


def as_recording(X) -> Recording:
    """A :class:`Recording` from a Recording, an ``mne.io.BaseRaw`` or a path: what every
    detector's ``fit`` and ``predict`` accept.

    An MNE Raw is wrapped as it is (no montage); a path is opened with the default montage.

    Raises
    ------
    TypeError
        Anything else.
    """
    import os

    if isinstance(X, Recording):
        return X
    if isinstance(X, (str, os.PathLike)):
        return open_recording(X)
    import mne

    if isinstance(X, mne.io.BaseRaw):
        filenames = getattr(X, "filenames", None) or [None]
        return Recording.from_raw(X, "as-is", path=filenames[0])
    raise TypeError(f"expected a Recording, an mne Raw or a path, got {type(X).__name__}")

