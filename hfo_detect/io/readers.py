"""Open a recording file as an MNE Raw (lazily where the format allows).

Formats: EDF/EDF+ (``.edf``), BDF (``.bdf``), BrainVision (``.vhdr``), FIF (``.fif``,
``.fif.gz``), a file inside a BIDS tree (or an ``mne_bids.BIDSPath``) read through
mne-bids, and the MATLAB layout of the authors' code (``.mat`` with ``times``,
``channels``, ``channel_labels``; older ``t``, ``chb``), which holds microvolts and is
converted to volts (x 1e-6) as MNE stores every format.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import numpy as np

from hfo_detect.errors import (
    CorruptFileError,
    EmptyFileError,
    HFODetectError,
    MissingFileError,
    TruncatedFileError,
    UnsupportedFormatError,
)
from hfo_detect.io.validate import check_edf_header, check_unique_names, clean_name

log = logging.getLogger(__name__)

#: extension -> format name
EXTENSIONS = {
    ".edf": "EDF",
    ".bdf": "BDF",
    ".vhdr": "BrainVision",
    ".fif": "FIF",
    ".fif.gz": "FIF",
    ".mat": "MAT",
}
_BIDS_NAME = re.compile(r"^sub-[A-Za-z0-9]+_.*_(ieeg|eeg|meg)\.[A-Za-z.]+$")
_DUP_WARNING = re.compile(r"Channel names are not unique, found duplicates for: (\{.*\})")


def _extension(path: Path) -> str:
    name = path.name.lower()
    return ".fif.gz" if name.endswith(".fif.gz") else path.suffix.lower()


def bids_root_of(path: Path) -> Path | None:
    """The BIDS root above ``path`` (folder with ``dataset_description.json``), if any."""
    if not _BIDS_NAME.match(path.name):
        return None
    for parent in path.resolve().parents:
        if (parent / "dataset_description.json").is_file():
            return parent
    return None


def _is_bids_path(obj) -> bool:
    return type(obj).__name__ == "BIDSPath" and hasattr(obj, "fpath")


def _mne_read(reader, path: Path, *args, **kwargs):
    """Run an MNE reader; wrap its failures and catch its silent duplicate renaming."""
    failure = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = reader(*args, **kwargs)
        except HFODetectError:
            raise
        except Exception as err:  # MNE raises many types for garbage input
            failure = err
    for w in caught:  # a duplicate warning explains a later failure too
        text = str(w.message)
        match = _DUP_WARNING.search(text)
        if match:
            raise DuplicateChannelFromWarning(match.group(1), path)
        log.debug("%s: MNE: %s", path, text)
    if failure is not None:
        msg = str(failure).splitlines()[0] if str(failure) else type(failure).__name__
        raise CorruptFileError(f"cannot be read ({type(failure).__name__}: {msg})", path) from failure
    return raw


_BV_BYTES = {"INT_16": 2, "UINT_16": 2, "INT_32": 4, "IEEE_FLOAT_32": 4}


def check_vhdr(path: Path) -> None:
    """Check a BrainVision header by hand where MNE is lenient.

    Duplicate channel names (MNE renames them, then may fail), a missing or empty data
    file, and a binary data file whose size is not a whole number of samples (cut off).
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise CorruptFileError(f"cannot be read ({err.strerror})", path) from None
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if "vision" not in first.lower():  # "Brain Vision Data Exchange ..." / "BrainVision Core ..."
        raise CorruptFileError("not a BrainVision header (first line)", path)
    section = text.split("[Channel Infos]", 1)
    if len(section) > 1:
        body = section[1].split("\n[", 1)[0]
        names = [m.group(1).strip() for m in re.finditer(r"^Ch\d+=([^,\r\n]*)", body, flags=re.M)]
        check_unique_names(names, path)
    fields = dict(re.findall(r"^(\w+)=([^\r\n]*)", text, flags=re.M))
    n_ch = _vhdr_number(fields, "NumberOfChannels", int, path)
    if n_ch is not None and n_ch <= 0:
        raise EmptyFileError(f"header lists {n_ch} channels (NumberOfChannels)", path)
    if n_ch is not None and len(section) > 1 and len(names) != n_ch:
        raise CorruptFileError(
            f"header says NumberOfChannels={n_ch} but [Channel Infos] lists {len(names)}", path)
    interval = _vhdr_number(fields, "SamplingInterval", float, path)
    if interval is not None and not (interval > 0 and np.isfinite(interval)):
        raise CorruptFileError(f"sampling interval is {interval:g} us (must be > 0)", path)
    data_file = fields.get("DataFile", "").strip()
    if not data_file:
        return  # MNE reports the malformed header
    data_path = path.parent / data_file
    if not data_path.is_file():
        raise CorruptFileError(f"data file {data_file} named in the header is missing", path)
    _check_bv_pairing(path, data_path, fields)
    size = data_path.stat().st_size
    if size == 0:
        raise EmptyFileError(f"data file {data_file} is empty", path)
    n_ch = n_ch or 0
    width = _BV_BYTES.get(fields.get("BinaryFormat", "").strip().upper())
    if fields.get("DataFormat", "BINARY").strip().upper() == "BINARY" and n_ch > 0 and width:
        if size % (n_ch * width):
            raise TruncatedFileError(
                f"truncated: data file {data_file} has {size} bytes, not a whole number of "
                f"{n_ch}-channel samples of {width} bytes",
                path,
            )
        _check_bv_markers(path, fields, size // (n_ch * width), data_file)


def _check_bv_markers(path: Path, fields: dict, n_samples: int, data_file: str) -> None:
    """Markers past the end of the data mean header, markers and data do not belong together
    (e.g. a data file of a shorter recording): refuse rather than read a wrong span."""
    marker = fields.get("MarkerFile", "").strip()
    if not marker or not (path.parent / marker).is_file():
        return
    try:
        text = (path.parent / marker).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    last = 0
    for m in re.finditer(r"^Mk\d+=[^,\r\n]*,[^,\r\n]*,\s*(\d+)\s*,\s*(\d+)", text, flags=re.M):
        last = max(last, int(m.group(1)) + max(int(m.group(2)), 1) - 1)  # positions are 1-based
    if last > n_samples:
        raise CorruptFileError(
            f"marker file {marker} has markers up to sample {last} but data file {data_file} "
            f"holds {n_samples} samples: they do not belong to the same recording", path)


def _vhdr_number(fields: dict, key: str, kind, path: Path):
    """A numeric field of a BrainVision header (``None`` when absent)."""
    value = fields.get(key)
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        raise CorruptFileError(f"{key}={value.strip()!r} is not a number", path) from None


def _check_bv_pairing(path: Path, data_path: Path, fields: dict) -> None:
    """The data file must belong to this header: the marker file (when it names a data file)
    must name the same one, and a data file named after another header beside it
    (``b.eeg`` with ``b.vhdr`` next to it, read through ``a.vhdr``) is another recording's."""
    marker = fields.get("MarkerFile", "").strip()
    if marker and (path.parent / marker).is_file():
        try:
            mtext = (path.parent / marker).read_text(encoding="utf-8", errors="replace")
        except OSError:
            mtext = ""
        named = re.search(r"^DataFile=([^\r\n]*)", mtext, flags=re.M)
        if named and named.group(1).strip() and named.group(1).strip() != data_path.name:
            raise CorruptFileError(
                f"header names data file {data_path.name} but its marker file {marker} names "
                f"{named.group(1).strip()}: the files belong to different recordings", path)
    if data_path.stem != path.stem:
        for ext in (".vhdr", ".ahdr"):
            owner = data_path.with_suffix(ext)
            if owner.is_file() and owner.resolve() != path.resolve():
                raise CorruptFileError(
                    f"data file {data_path.name} named in the header belongs to recording "
                    f"{owner.name}", path)


def DuplicateChannelFromWarning(names: str, path: Path):  # noqa: N802 (factory)
    """A DuplicateChannelError from MNE's 'not unique' warning text."""
    from hfo_detect.errors import DuplicateChannelError

    cleaned = ", ".join(sorted(n.strip(" '\"") for n in names.strip("{}").split(",")))
    return DuplicateChannelError(f"duplicate channel names: {cleaned}", path)


def check_fif_size(raw, path: Path) -> None:
    """A FIF file cut off after its directory was read: MNE opens it and fails only when the
    missing samples are read (a ``ValueError`` about buffer sizes). Compare the data buffers'
    end with the file size at once. Uses MNE's per-file buffer directory where it has one;
    anything unexpected there skips the check (the read still fails with one line)."""
    try:
        for extra in raw._raw_extras:
            name = Path(extra.get("filename") or path)
            if name.name.lower().endswith(".gz"):
                continue
            ends = [tag.pos + 16 + tag.size for tag in extra["ent"] if tag is not None]
            size = name.stat().st_size
            if ends and max(ends) > size:
                raise TruncatedFileError(
                    f"truncated: data buffers end at byte {max(ends)} but the file has {size} bytes",
                    path)
    except (AttributeError, KeyError, TypeError, OSError):
        return


def read_mat(path: Path):
    """Read the authors' MATLAB layout into a RawArray (volts, type ``seeg``).

    Variables: ``times`` (s) or ``t``, and ``channels`` or ``chb`` (channels x samples,
    microvolts), optional ``channel_labels`` (labels missing -> ``ch1``, ``ch2``, ...).
    The sampling rate is ``1 / median(diff(times))``, snapped to the nearest whole Hz when it is
    within 1 ppm of it (rounding in the stored time vector).
    """
    import mne
    import scipy.io

    try:
        mat = scipy.io.loadmat(path)
    except NotImplementedError:
        raise UnsupportedFormatError("MATLAB v7.3 (HDF5) files are not supported; save with -v7", path) from None
    except Exception as err:
        raise CorruptFileError(f"cannot be read as a MATLAB file ({type(err).__name__})", path) from err
    times = mat.get("times", mat.get("t"))
    data = mat.get("channels", mat.get("chb"))
    if times is None or data is None:
        keys = sorted(k for k in mat if not k.startswith("__"))
        raise UnsupportedFormatError(
            f"MATLAB file lacks 'times'/'channels' (or 't'/'chb'); it has {', '.join(keys) or 'nothing'}", path
        )
    times = np.asarray(times, dtype=np.float64).ravel()
    data = np.atleast_2d(np.asarray(data, dtype=np.float64))
    if data.shape[1] != times.size and data.shape[0] == times.size:
        data = data.T
    if times.size < 2 or data.size == 0:
        raise EmptyFileError("MATLAB file holds fewer than 2 samples", path)
    if data.shape[1] != times.size:
        raise CorruptFileError(f"'channels' is {data.shape} but 'times' has {times.size} samples", path)
    dt = float(np.median(np.diff(times)))
    if not dt > 0:
        raise CorruptFileError("'times' is not increasing", path)
    labels = _mat_labels(mat.get("channel_labels"), data.shape[0])
    check_unique_names(labels, path)
    sfreq = 1.0 / dt
    # a time vector stored as k*0.0005 gives 1999.9999999993 Hz: snap to the nominal rate
    if abs(sfreq - round(sfreq)) <= 1e-6 * sfreq:
        sfreq = float(round(sfreq))
    info = mne.create_info(labels, sfreq, ch_types="seeg")
    return mne.io.RawArray(data * 1e-6, info, verbose="error")


def _mat_labels(value, n_channels: int) -> list[str]:
    labels: list[str] = []
    if value is not None:
        for item in np.asarray(value, dtype=object).ravel():
            while isinstance(item, np.ndarray):  # cell arrays nest one level per cell
                item = item.ravel()[0] if item.size else ""
            labels.append(str(item).strip())
    if len(labels) != n_channels:
        labels = [f"ch{i + 1}" for i in range(n_channels)]
    return labels


def open_raw(path, *, preload: bool = False):
    """Open a recording without montage or channel selection.

    Parameters
    ----------
    path : str, Path or mne_bids.BIDSPath
        The recording.
    preload : bool
        Load the data now (``False`` keeps it on disk where the reader allows).

    Returns
    -------
    raw : mne.io.Raw
        As MNE reads it (volts).
    fmt : str
        "EDF", "EDF+", "BDF", "BrainVision", "FIF", "BIDS" or "MAT".
    path : Path
        The data file.
    """
    import mne

    if _is_bids_path(path):
        return _read_bids(path, Path(path.fpath), preload)
    path = Path(path)
    if not path.exists():
        raise MissingFileError("no such file", path)
    if path.is_dir():
        raise UnsupportedFormatError("is a folder; give a recording file (e.g. the .vhdr or .edf)", path)
    if not path.is_file():  # a FIFO or device would block or never end
        raise UnsupportedFormatError("is not a regular file (a pipe or device?)", path)
    ext = _extension(path)
    if ext not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UnsupportedFormatError(f"unknown file type '{ext or path.name}' (readable: {known})", path)
    if path.stat().st_size == 0:
        raise EmptyFileError("file is empty (0 bytes)", path)
    if bids_root_of(path) is not None and ext != ".mat":
        return _read_bids(None, path, preload)
    fmt = EXTENSIONS[ext]
    header = None
    if fmt in ("EDF", "BDF"):
        header = check_edf_header(path)
        if (header["format"] == "BDF") != (fmt == "BDF"):
            real, want = ("BDF", ".bdf") if header["format"] == "BDF" else ("EDF", ".edf")
            raise UnsupportedFormatError(
                f"is {'a' if real == 'BDF' else 'an'} {real} file (by its header) but named {ext}; rename it to {want}", path)
        fmt = header["format"]
        reader = mne.io.read_raw_bdf if fmt == "BDF" else mne.io.read_raw_edf
        raw = _mne_read(reader, path, path, preload=preload, infer_types=True, verbose="warning")
    elif fmt == "BrainVision":
        check_vhdr(path)
        raw = _mne_read(mne.io.read_raw_brainvision, path, path, preload=preload, verbose="warning")
    elif fmt == "FIF":
        raw = _mne_read(mne.io.read_raw_fif, path, path, preload=preload, verbose="warning")
        if not preload:
            check_fif_size(raw, path)
    else:
        raw = read_mat(path)
    if raw.n_times == 0:
        raise EmptyFileError("recording holds no samples", path)
    check_plausible_rate(raw.info["sfreq"], path)
    clean_channel_names(raw, path, utf8=header is not None)
    if header is not None:
        drop_upsampled(raw, header, path)
    return raw, fmt, path


#: highest sampling rate accepted (Hz) [CHOICE: research amplifiers reach 30-40 kHz; a header
#: saying more than 1 MHz is corrupt, and filtering at that rate would only waste memory]
MAX_SFREQ_HZ = 1e6


def check_plausible_rate(sfreq: float, path: Path) -> None:
    """Refuse a sampling rate no EEG amplifier records at (corrupt header fields)."""
    if not (np.isfinite(sfreq) and 0 < sfreq <= MAX_SFREQ_HZ):
        raise CorruptFileError(f"sampling rate {sfreq:g} Hz is implausible (header corrupt?)", path)


def clean_channel_names(raw, path: Path, *, utf8: bool = False) -> None:
    """Rename channels whose names hold control characters (NUL, BEL, ...) or, in EDF, UTF-8
    bytes that MNE decoded as Latin-1 (``HÃ¼1`` -> ``HÜ1``); a name left blank or duplicated
    by that is an error naming the file."""
    mapping, had_control = {}, False
    for name in raw.ch_names:
        new = name
        if utf8:
            try:
                new = name.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                new = name
        cleaned = clean_name(new)
        had_control = had_control or cleaned != new.strip()
        if cleaned != name:
            mapping[name] = cleaned
    if not mapping:
        return
    if any(not new for new in mapping.values()):
        raise CorruptFileError("a channel name is blank once control characters are removed", path)
    check_unique_names([mapping.get(n, n) for n in raw.ch_names], path)
    if had_control:
        log.warning("%s: control characters removed from channel names: %s", path,
                    ", ".join(mapping.values()))
    raw.rename_channels(mapping, verbose="error")


def native_rates(raw, header: dict) -> dict[str, float]:
    """Channel name (as MNE reads it) -> the rate it was recorded at (EDF/BDF header)."""
    rates = list(header["rates"].values())
    if len(rates) != len(raw.ch_names):  # MNE left a channel out: cannot pair them safely
        return {}
    return dict(zip(raw.ch_names, rates))


def drop_upsampled(raw, header: dict, path: Path) -> list[str]:
    """Leave out channels recorded below the file's highest rate, with a warning.

    MNE reads a file whose channels have different rates by upsampling every channel to the
    highest one; a 250-Hz channel interpolated to 4 kHz carries nothing above 125 Hz, yet the
    detectors would look for fast ripples in it [CHOICE: keep only the channels at the
    recording's rate, say which were left out and at which rates]."""
    rates = native_rates(raw, header)
    sfreq = float(raw.info["sfreq"])
    low = {n: r for n, r in rates.items() if r < sfreq - 1e-6}
    if not low:
        return []
    kept = [n for n in raw.ch_names if n not in low]
    listed = ", ".join(f"{n} {r:g} Hz" for n, r in list(low.items())[:8]) + (", ..." if len(low) > 8 else "")
    log.warning("%s: channels have different sampling rates; %d channel(s) recorded below %g Hz "
                "are left out (not upsampled): %s", path, len(low), sfreq, listed)
    if not kept:  # cannot happen (the highest rate is someone's), kept for safety
        raise CorruptFileError("no channel recorded at the file's sampling rate", path)
    raw.drop_channels(list(low))
    return list(low)


def mixed_rates(path) -> dict[str, float]:
    """Per-channel recording rates of an EDF/BDF file when they differ (else ``{}``)."""
    path = Path(path)
    if _extension(path) not in (".edf", ".bdf"):
        return {}
    try:
        rates = check_edf_header(path)["rates"]
    except HFODetectError:
        return {}
    return rates if len(set(rates.values())) > 1 else {}


def _read_bids(bids_path, path: Path, preload: bool):
    from mne_bids import get_bids_path_from_fname, read_raw_bids

    if bids_path is None:
        try:
            bids_path = get_bids_path_from_fname(path)
        except Exception as err:
            raise CorruptFileError(f"not a valid BIDS file name ({err})", path) from err
    if not path.exists():
        raise MissingFileError("no such file", path)
    extra = header = None
    if _extension(path) in (".edf", ".bdf"):
        header = check_edf_header(path)
        # our EDF writer stores the type in the label ("SEEG AHL1-AHL2"); infer it so the
        # names match channels.tsv
        extra = {"infer_types": True}
    raw = _mne_read(read_raw_bids, path, bids_path, extra_params=extra, verbose="warning")
    if preload:
        raw.load_data(verbose="error")
    if raw.n_times == 0:
        raise EmptyFileError("recording holds no samples", path)
    check_plausible_rate(raw.info["sfreq"], path)
    clean_channel_names(raw, path, utf8=header is not None)
    if header is not None:
        drop_upsampled(raw, header, path)
    return raw, "BIDS", path
