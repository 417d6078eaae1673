"""Tell the user, once, when numba is about to compile the detector's kernels.

The kernels are compiled with ``cache=True``: the first run after an install compiles them (tens
of seconds with nothing else to show), later runs load the cache at once. :func:`compile_note`
looks for the cache index files of the main kernels without importing numba's internals beyond
the dispatcher's cache path.
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: option value -> (module, function) of the main kernel it needs; an absent name is skipped
KERNELS = {
    "continuous": ("hfo_detect.frontend.adm", "_continuous_kernel"),
    "faithful": ("hfo_detect.frontend.adm", "_faithful_kernel"),
    "fast": ("hfo_detect.snn.fast", "fast_kernel"),
    "euler": ("hfo_detect.snn.euler", "euler_kernel"),
}

_said = False


def _cached(dispatcher) -> bool:
    try:
        index = dispatcher._cache._cache_file._index_path
    except AttributeError:  # no cache (or another numba layout): nothing to say
        return True
    return Path(index).is_file()


def needs_compile(cfg=None) -> bool:
    """True when a kernel the run of ``cfg`` (a PipelineConfig; default: every kernel) needs has
    no on-disk cache yet, so the run will compile it first."""
    keys = list(KERNELS) if cfg is None else [cfg.adm.encoder, cfg.network.integrator]
    for module, name in (KERNELS[k] for k in keys if k in KERNELS):
        try:
            dispatcher = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if dispatcher is not None and not _cached(dispatcher):
            return True
    return False


def compile_note(cfg=None) -> str | None:
    """The one-time note for a first run (None when the kernels are cached or it was said)."""
    global _said
    if _said or not needs_compile(cfg):
        return None
    _said = True
    return ("note: first run after installing: numba compiles the network's kernels "
            "(about 20-60 s, once; later runs start at once)")
