"""Recording I/O: read any supported format, apply a montage, stream in chunks, write EDF+.

Public API::

    read_recording(path, *, montage="bipolar", on_low_fs="error", min_fs_hz=None, preload=True) -> mne.io.Raw
    open_recording(path, *, montage="bipolar", ...) -> Recording   # lazy, chunked, microvolts
    Recording.from_raw(raw, montage="as-is"), Recording.from_array(data_uv, sfreq, ch_names, path=None)
    iter_chunks(recording, chunk_s, overlap_s) -> iterator of Chunk(start, stop, data_uv, overlap)
    write_edf(path, data_uv, sfreq, ch_names, *, annotations=None, ch_types="seeg") -> Path
    validate_sampling_rate(sfreq, highest_band_hz, path, on_low_fs) -> bool
    bipolar_pairs(ch_names, ch_types=None) -> list of (anode, cathode)

Units: microvolts everywhere in the pipeline; MNE Raw objects hold volts (x 1e-6).
"""

from hfo_detect.io.edf_write import CHANNEL_SEPARATOR, write_edf
from hfo_detect.io.load import as_recording, open_recording, read_recording
from hfo_detect.io.montage import bipolar_pairs, resolve_montage
from hfo_detect.io.recording import Chunk, Recording, iter_chunks
from hfo_detect.io.validate import check_edf_header, validate_sampling_rate

__all__ = [
    "CHANNEL_SEPARATOR",
    "Chunk",
    "Recording",
    "as_recording",
    "bipolar_pairs",
    "check_edf_header",
    "iter_chunks",
    "open_recording",
    "read_recording",
    "resolve_montage",
    "validate_sampling_rate",
    "write_edf",
]
