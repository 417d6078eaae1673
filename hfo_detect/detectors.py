"""Registry of detectors selectable with ``hfo-detect detect --detector NAME``.

Every detector follows one estimator interface (scikit-learn style): all settings in
``__init__``; ``fit(recording)`` calibrates on a recording and returns ``self``;
``predict(recording)`` returns an :class:`~hfo_detect.events.EventTable`. ``recording`` is an
:class:`hfo_detect.io.Recording` (or an ``mne.io.Raw``, wrapped as-is).
"""

from __future__ import annotations

import importlib
from typing import Any

#: name -> "module:ClassName" (imported lazily: numba kernels are compiled only when used)
DETECTORS: dict[str, str] = {
    "snn": "hfo_detect.detector:NeuromorphicDetector",
    "morphology": "hfo_detect.baselines.morphology:MorphologyDetector",
    "rms": "hfo_detect.baselines.rms:RMSDetector",
    "linelength": "hfo_detect.baselines.linelength:LineLengthDetector",
}


def get_detector_class(name: str) -> type:
    """Return the detector class registered under ``name``."""
    try:
        target = DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r}; choose one of {sorted(DETECTORS)}") from None
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)


def make_detector(name: str, **params: Any):
    """Instantiate the detector ``name`` with keyword parameters."""
    return get_detector_class(name)(**params)
