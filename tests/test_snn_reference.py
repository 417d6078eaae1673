"""Appendix A reference numbers on the authors' 50-s snippet (faithful ADM -> euler network)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.io import loadmat

from hfo_detect.config import get_preset, with_overrides
from hfo_detect.frontend.encode import encode_array
from hfo_detect.snn import build_network, run_network, synaptic_event_counts
from hfo_detect.spikes import SpikeTrains


@pytest.fixture(scope="module")
def snippet(snn_mat):
    if not snn_mat.is_file():
        pytest.skip(f"{snn_mat} missing")
    mat = loadmat(snn_mat)
    return mat["channels"].ravel(), mat["times"].ravel()


def encoded(snippet, rule):
    x, t = snippet
    cfg = with_overrides(get_preset("sharifhazileh2021"), calibration__rule=rule)
    res = encode_array(x[None], 2000.0, cfg)
    return cfg, res, t.max() + 0.05


@pytest.mark.parametrize("rule, n_spikes, neurons", [
    ("whole", 7, [46, 54, 62, 70, 71, 78, 82]),
    ("first10s", 40, 35),
])
def test_reference_hidden_spikes(snippet, reference_params, rule, n_spikes, neurons):
    cfg, res, t_stop = encoded(snippet, rule)
    params = build_network(cfg.network, res.band_names, 1)
    hidden, _ = run_network(params, res.spikes, 0.0, t_stop, integrator="euler")
    assert len(hidden) == n_spikes
    if isinstance(neurons, list):
        assert sorted(hidden.source.tolist()) == neurons
    else:
        assert np.unique(hidden.source).size == neurons
    np.testing.assert_array_equal(synaptic_event_counts(params, res.spikes), [85 * len(res.spikes)])


def test_reference_events_first10s(snippet, reference_params):
    """Spec App. A: HFOs at 0.00-0.06, 10.62-10.71 and 17.42-17.51 s; `fast` gives the same."""
    from hfo_detect.readout import events_frame

    cfg, res, t_stop = encoded(snippet, "first10s")
    params = build_network(cfg.network, res.band_names, 1)
    for integrator in ("euler", "fast"):
        hidden, _ = run_network(params, res.spikes, 0.0, t_stop, integrator=integrator)
        ev = events_frame(hidden, snippet[0].size / 2000.0, cfg.readout, ["AHR4-AHR3"],
                          params.neuron_band, res.band_names)
        onset = ev["onset"].to_numpy()
        offset = onset + ev["duration"].to_numpy()
        np.testing.assert_allclose(onset, [0.0, 10.62, 17.42], atol=6e-3)
        np.testing.assert_allclose(offset, [0.06, 10.71, 17.51], atol=6e-3)


def test_fast_close_to_converged_on_snippet(snippet, reference_params):
    """Start-up burst (first 0.1 s, 37 spikes): `fast` vs Euler at 1 us within 0.1 ms, and closer
    than Euler at 0.1 ms. (Euler at 10 us is not yet converged here: one spike of neuron 75 moves
    by 0.19 ms between 10 and 1 us; see reports/snn_convergence.md.)"""
    cfg, res, _ = encoded(snippet, "first10s")
    keep = res.spikes.times < 0.1
    sp = SpikeTrains(res.spikes.times[keep], res.spikes.channel[keep], res.spikes.source[keep], 1)
    runs = {}
    for label, integ, dt in (("ref", "euler", 1e-6), ("fast", "fast", 1e-4),
                             ("euler", "euler", 1e-4)):
        params = build_network(replace(cfg.network, dt_s=dt), res.band_names, 1)
        runs[label], _ = run_network(params, sp, 0.0, 0.1, integrator=integ)
    ref = runs["ref"]
    assert len(ref) == 37

    def worst(h):  # inf when some neuron's spike count differs
        if not all((h.source == n).sum() == (ref.source == n).sum() for n in np.unique(ref.source)):
            return np.inf
        return max(np.abs(np.sort(h.times[h.source == n]) - np.sort(ref.times[ref.source == n])).max()
                   for n in np.unique(ref.source))

    assert worst(runs["fast"]) < 1e-4
    assert worst(runs["fast"]) <= worst(runs["euler"])  # Euler at 0.1 ms: a spike count differs here
