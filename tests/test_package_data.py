"""The released parameters shipped with the package equal the authors' .mat files."""

from __future__ import annotations

import numpy as np
from scipy.io import loadmat

from hfo_detect.config import get_preset
from hfo_detect.snn.params import load_reference_params, packaged_reference, reference_params


def test_packaged_network_equals_network_parameters_mat(shared_data):
    mat = load_reference_params(shared_data / "reference_params" / "Network_parameters.mat")
    ours = reference_params(get_preset("sharifhazileh2021").network)  # no params_file: package copy
    assert ours["n_inputs"] == mat["n_inputs"] == 4 and ours["n_hidden"] == mat["n_hidden"] == 85
    np.testing.assert_array_equal(ours["weights_pa"], mat["weights_pa"])  # exact, all 340
    np.testing.assert_array_equal(ours["taus_ms"], mat["taus_ms"])
    assert ours["neuron_tau_ms"] == mat["neuron_tau_ms"]
    assert ours["refractory_s"] == mat["refractory_s"]


def test_packaged_adm_values_equal_adm_parameters_mat_and_the_preset(shared_data):
    mat = loadmat(shared_data / "reference_params" / "ADM_parameters.mat")
    adm = packaged_reference()["adm"]
    assert adm["interpfact_hz"] == int(np.ravel(mat["interpfact"])[0]) == 35000
    assert adm["refractory_s"] == float(np.ravel(mat["refractory"])[0])
    assert adm["ripple_scale_factor"] == float(np.ravel(mat["Ripple_sf"])[0])
    assert adm["fast_ripple_scale_factor"] == float(np.ravel(mat["FR_sf"])[0])
    cfg = get_preset("sharifhazileh2021")
    assert cfg.adm.interp_hz == adm["interpfact_hz"] and cfg.adm.refractory_s == adm["refractory_s"]
    assert [b.scale_factor for b in cfg.filters.bands] == [adm["ripple_scale_factor"],
                                                           adm["fast_ripple_scale_factor"]]


def test_packaged_file_names_its_source():
    assert "4179dda" in packaged_reference()["source"]
