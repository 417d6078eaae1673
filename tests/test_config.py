"""Config values are validated when a config is built (MNE _check_option style)."""

from __future__ import annotations

import pytest


# ---------------------------------------------------------------- validation at construction
@pytest.mark.parametrize("override, word", [
    ({"network__integrator": "rk4"}, "integrator"),
    ({"network__topology": "mesh"}, "topology"),
    ({"adm__encoder": "sigma-delta"}, "encoder"),
    ({"calibration__rule": "median"}, "rule"),
    ({"filters__mode": "acausal"}, "mode"),
    ({"network__mismatch_cv": 1.5}, "mismatch_cv"),
    ({"network__mismatch_cv": -0.1}, "mismatch_cv"),
    ({"network__n_hidden": 0}, "n_hidden"),
    ({"readout__window_s": 0.0}, "window_s"),
    ({"readout__step_s": 0.5}, "step_s"),
    ({"readout__min_neurons": 0}, "min_neurons"),
    ({"network__lockstep_atol": 0.0}, "lockstep_atol"),
    ({"network__lockstep_atol_io": -1e-14}, "lockstep_atol_io"),
    ({"calibration__track_s": 0.0}, "track_s"),
])
def test_bad_values_fail_when_the_config_is_built(override, word):
    from hfo_detect.config import get_preset, with_overrides
    from hfo_detect.errors import ConfigError

    with pytest.raises(ConfigError, match=word):
        with_overrides(get_preset("hfo256"), **override)


def test_bad_integrator_fails_before_any_pass_over_the_file(monkeypatch):
    """fit refuses rk4 at once: the recording is never read."""
    import numpy as np

    from hfo_detect.detectors import make_detector
    from hfo_detect.errors import ConfigError
    from hfo_detect.io import Recording

    rec = Recording.from_array(np.zeros((1, 4000)), 2000.0, ["A1-A2"])
    monkeypatch.setattr(type(rec), "iter_chunks", lambda *a, **k: pytest.fail("data were read"))
    with pytest.raises(ConfigError, match="'rk4'"):
        make_detector("snn", integrator="rk4").fit(rec)


def test_presets_are_valid():
    from hfo_detect.config import PRESETS, with_overrides

    for cfg in PRESETS.values():
        assert with_overrides(cfg, network__seed=1).network.seed == 1
