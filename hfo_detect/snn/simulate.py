"""Run the hidden layer of every channel over a time window, chunk by chunk.

:func:`run_network` takes ADM events (:class:`~hfo_detect.spikes.SpikeTrains`, source = stream)
and returns hidden spikes (source = neuron index) plus a :class:`NetworkState` to continue from.
Running ``[a, b)`` then ``[b, c)`` with the returned state gives exactly the spikes of one run over
``[a, c)`` (every integrator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from hfo_detect.snn.euler import euler_kernel
from hfo_detect.snn.params import N_IO, NetworkParams
from hfo_detect.spikes import SpikeTrains

INTEGRATORS = ("euler", "fast", "lockstep")


@dataclass
class NetworkState:
    """State of all channels' networks at time ``t`` (carried between chunks).

    Attributes
    ----------
    integrator : str
        The integrator that produced it (states do not transfer between integrators).
    t : float
        Time up to which the window has been simulated.
    step : int
        ``euler``: next grid step (``t = step*dt``).
    i_syn : (n_channels, n_slots, n_hidden)
        Synaptic currents (``fast``: value at the time ``nrn_t`` of the synapse's neuron).
    imem, iahp : (n_channels, n_hidden)
        Neuron currents (``fast``: at ``nrn_t``).
    lastspike : (n_channels, n_hidden) int64
        ``euler``: step of each neuron's last spike.
    nrn_t, ref_until, h : arrays or None
        ``fast`` and ``lockstep`` only (``lockstep``: equal within a group): time of each neuron's stored values (it lags behind ``t`` while the
        neuron is quiet or inside a step that straddles ``t``), end of refractoriness, and each
        neuron's current step size.
    """

    integrator: str
    t: float
    step: int
    i_syn: np.ndarray
    imem: np.ndarray
    iahp: np.ndarray
    lastspike: np.ndarray
    nrn_t: np.ndarray | None = None
    ref_until: np.ndarray | None = None
    h: np.ndarray | None = None

    def copy(self) -> "NetworkState":
        vals = {f.name: getattr(self, f.name) for f in fields(self)}
        return NetworkState(**{k: (v.copy() if isinstance(v, np.ndarray) else v)
                               for k, v in vals.items()})


def grid_step(t: float, dt: float) -> int:
    """Grid step of a window boundary (boundaries are rounded to the nearest step)."""
    return int(round(t / dt))


def initial_state(params: NetworkParams, integrator: str, t_start: float = 0.0) -> NetworkState:
    """Resting initial state (teili's DPI Neuron_model; as Brian2 runs the released code: I_mem = 0, I_ahp = I_o, I_syn = I_o)."""
    n_ch, n_sl, n_h = params.n_channels, params.n_slots, params.n_hidden
    io_syn, i_init = params.syn_const[0], params.syn_const[4]
    i_syn0 = i_init if integrator == "euler" else max(i_init, io_syn)
    iahp0 = params.iahp_init if integrator == "euler" else max(params.iahp_init,
                                                                float(params.neuron[0, N_IO, 0]))
    step = grid_step(t_start, params.dt_s)
    state = NetworkState(
        integrator=integrator, t=float(t_start), step=step,
        i_syn=np.full((n_ch, n_sl, n_h), i_syn0), imem=np.full((n_ch, n_h), params.imem_init),
        iahp=np.full((n_ch, n_h), iahp0),
        lastspike=np.full((n_ch, n_h), np.iinfo(np.int64).min // 4, dtype=np.int64))
    if integrator in ("fast", "lockstep"):
        # the fast integrator snaps sub-floor initial values onto I_o (documented in fast.py)
        state.iahp = np.maximum(state.iahp, params.neuron[:, N_IO, :])
        state.nrn_t = np.full((n_ch, n_h), float(t_start))
        state.ref_until = np.full((n_ch, n_h), -np.inf)
        state.h = np.full((n_ch, n_h), params.cfg.fast_h_min_s * 100)  # (lockstep: per group)
    return state


def _check_inputs(params: NetworkParams, adm: SpikeTrains) -> None:
    if adm.n_channels != params.n_channels:
        raise ValueError(f"ADM events have {adm.n_channels} channels, the network "
                         f"{params.n_channels}")
    if len(adm) and (adm.source.min() < 0 or adm.source.max() >= params.n_streams):
        raise ValueError(f"ADM source index outside 0..{params.n_streams - 1}")


def _channel_ptr(channel: np.ndarray, n_channels: int) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.bincount(channel, minlength=n_channels))]).astype(
        np.int64)


def synaptic_event_counts(params: NetworkParams, adm_spikes: SpikeTrains) -> np.ndarray:
    """Synaptic events per channel: each input event times the fan-out of its stream."""
    _check_inputs(params, adm_spikes)
    out = np.zeros(params.n_channels, dtype=np.int64)
    np.add.at(out, adm_spikes.channel, params.fanout[adm_spikes.source])
    return out


def run_network(params: NetworkParams, adm_spikes: SpikeTrains, t_start: float, t_stop: float,
                state: NetworkState | None = None,
                integrator: str | None = None) -> tuple[SpikeTrains, NetworkState]:
    """Simulate every channel's network over ``[t_start, t_stop)``.

    Parameters
    ----------
    params : NetworkParams
    adm_spikes : SpikeTrains
        Input events (source = stream); only those inside the window are used (``euler``: whose
        grid step ``floor(t/dt + input_time_shift)`` lies in the window's steps).
    t_start, t_stop : float
        Window in seconds (``euler`` rounds both to the grid).
    state : NetworkState or None
        State at ``t_start`` from the previous chunk; ``None`` starts from rest.
    integrator : {"euler", "fast", "lockstep"} or None
        Defaults to ``params.cfg.integrator``.

    Returns
    -------
    hidden : SpikeTrains
        Hidden spikes, source = neuron index, sorted by channel and time.
    state : NetworkState
        State at ``t_stop`` (a new object; the one passed in is not modified).
    """
    integrator = integrator or params.cfg.integrator
    if integrator not in INTEGRATORS:
        raise ValueError(f"unknown integrator {integrator!r}; choose one of {INTEGRATORS}")
    _check_inputs(params, adm_spikes)
    if state is None:
        state = initial_state(params, integrator, t_start)
    else:
        if state.integrator != integrator:
            raise ValueError(f"state comes from the {state.integrator!r} integrator, not "
                             f"{integrator!r}")
        if not math.isclose(state.t, t_start, rel_tol=0, abs_tol=1e-9):
            raise ValueError(f"state is at t = {state.t} s, the window starts at {t_start} s")
        state = state.copy()
    adm = adm_spikes.sort()
    if integrator == "euler":
        hidden = _run_euler(params, adm, t_start, t_stop, state)
    elif integrator == "lockstep":
        from hfo_detect.snn.lockstep import run_lockstep

        hidden = run_lockstep(params, adm, t_start, t_stop, state)
    else:
        from hfo_detect.snn.fast import run_fast

        hidden = run_fast(params, adm, t_start, t_stop, state)
    state.t = float(t_stop)
    return hidden, state


def _run_euler(params: NetworkParams, adm: SpikeTrains, t_start: float, t_stop: float,
               state: NetworkState) -> SpikeTrains:
    dt = params.dt_s
    k0 = state.step
    k1 = grid_step(t_stop, dt)
    steps = np.floor(adm.times / dt + params.cfg.input_time_shift).astype(np.int64)
    keep = (steps >= k0) & (steps < k1)
    steps, ch, src = steps[keep], adm.channel[keep], adm.source[keep]
    order = np.lexsort((steps, ch))  # stable: same-step events keep their time order
    steps, ch, src = steps[order], ch[order], src[order]
    ref_steps = int((params.refractory_s + 1e-3 * dt) / dt)  # Brian2 timestep()
    out_step, out_ch, out_nrn = euler_kernel(
        k0, k1, dt, ref_steps, _channel_ptr(ch, params.n_channels), steps, src,
        params.stream_ptr, params.stream_syn, params.synapse, params.neuron, params.syn_const,
        params.neuron_kappa, params.neuron_ut, state.i_syn, state.imem, state.iahp,
        state.lastspike)
    state.step = k1
    hidden = SpikeTrains(out_step * dt, out_ch, out_nrn, params.n_channels)
    return hidden.sort()
