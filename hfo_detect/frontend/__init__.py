"""Neuromorphic front end: band-pass filter bank, threshold calibration and ADM (the authors' code: filters, ``find_thresholds``, ``signal_to_spike_refractory``).

Public API::

    design_filter_bank(filters_cfg, sfreq) -> list of SOS arrays
    FilterBank(filters_cfg, sfreq, n_channels).process(chunk_uv) -> (n_bands, n_ch, n)
    calibrate_thresholds(filtered, sfreq, scale_factor, cal_cfg) -> int (n_ch,)
    ThresholdCalibrator(sfreq, n_channels, n_bands, cal_cfg, scale_factors)
        .update(filtered, start_sample); .thresholds() -> int (n_bands, n_ch)
    ADMEncoder(adm_cfg, sfreq, thresholds, n_times_total, band_names)
        .process(filtered, start_sample) -> SpikeTrains
    encode_array(data_uv, sfreq, cfg, thresholds=None) -> EncodeResult
    encode_recording(recording, cfg, chunk_s=10.0) -> EncodeResult
"""

from hfo_detect.frontend.adm import ADMEncoder, stream_names
from hfo_detect.frontend.calibration import ThresholdCalibrator, calibrate_thresholds
from hfo_detect.frontend.encode import EncodeResult, encode_array, encode_recording
from hfo_detect.frontend.filters import FilterBank, design_filter_bank, filter_zero_phase

__all__ = [
    "ADMEncoder",
    "EncodeResult",
    "FilterBank",
    "ThresholdCalibrator",
    "calibrate_thresholds",
    "design_filter_bank",
    "encode_array",
    "encode_recording",
    "filter_zero_phase",
    "stream_names",
]
