"""Event-driven integrator of the same DPI equations (``integrator="fast"``).

What is exact, what is approximated, and what costs nothing:

* **Synapses and I_ahp** are exact. Above I_o the DPI synapse obeys ``dI/dt = -I/tau`` exactly
  (spec 2.2), and below I_o its drift points up, so I_o is an attracting floor that the
  continuous-time solution reaches in finite time and stays on: ``I(t) = max(I0*exp(-t/tau), I_o)``.
  The same holds for I_ahp with tau_ahp. Values are stored with their time stamp and evaluated
  lazily; a presynaptic event applies the on_pre increment to the exact current value. (Values
  below I_o, as a start at 0 would give, are snapped onto I_o.)
* **I_mem** is advanced by adaptive Bogacki-Shampine 3(2) steps (error control with
  ``fast_rtol``/``fast_atol``, FSAL). Input events are taken at their exact times: when an event
  falls inside a step the step is still taken in full and I_mem at the event time comes from its
  cubic Hermite interpolant, so the step sequence never depends on where a chunk ends (chunked runs
  equal one-shot runs bit for bit). Threshold crossings are located on the same interpolant.
* **Quiet neurons are closed form.** A neuron with no excitatory synapse above the floor, I_ahp on
  its floor, not refractory and I_mem <= I_o sees a constant clipped input ``q*I_o`` and follows
  ``dx/dt = (q - x - x^2)(x + 1) / (tau_o (x + 2))`` (x = I_mem/I_o, tau_o = C U_T/(kappa I_o)),
  solved exactly by partial fractions and one Newton solve; once within ``fast_rest_tol`` of its
  resting value ``x* = (sqrt(1+4q) - 1)/2`` it is snapped there and costs nothing at all. Quiet
  neurons are only touched when one of their synapses receives an event.
* Refractory: I_mem is frozen for ``refP`` after the spike time; I_ahp keeps decaying.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from hfo_detect.snn.dpi import JIT, iahp_jump, imem_derivative, syn_jump
from hfo_detect.snn.euler import grow
from hfo_detect.snn.params import (N_CAHP, N_CMEM, N_ICONST, N_IO, N_IRESET, N_ISPK, N_ITAUAHP,
                                   NetworkParams, S_ITAU, S_ITH, S_IW, S_SIGN)
from hfo_detect.spikes import SpikeTrains


@njit(inline="always", **JIT)
def _floor_decay(v0, t0, t, inv_tau, io):
    if v0 <= io:
        return io
    v = v0 * math.exp(-(t - t0) * inv_tau)
    return v if v > io else io


@njit(**JIT)
def _rhs(n, t, imem, s, p, isy, syt, inv_tau, ah, aht, inv_tauahp, io_s, kappa, ut):
    n_slots = isy.shape[0]
    iin = 0.0
    for sl in range(n_slots):
        iin += s[S_SIGN, sl, n] * _floor_decay(isy[sl, n], syt[sl, n], t, inv_tau[sl, n], io_s)
    iahp = _floor_decay(ah[n], aht[n], t, inv_tauahp[n], p[N_IO, n])
    return imem_derivative(imem, iin, iahp, p, n, kappa, ut)


@njit(inline="always", **JIT)
def _hermite(y0, m0, y1, m1, h, u):
    u2 = u * u
    u3 = u2 * u
    return ((2 * u3 - 3 * u2 + 1) * y0 + (u3 - 2 * u2 + u) * h * m0
            + (-2 * u3 + 3 * u2) * y1 + (u3 - u2) * h * m1)


@njit(**JIT)
def quiet_solve(x0, elapsed, q, tau_o, rest_tol):
    """Exact I_mem/I_o of a quiet neuron after ``elapsed`` seconds from ``x0`` (see module doc)."""
    root = math.sqrt(1.0 + 4.0 * q)
    a = 0.5 * (root - 1.0)
    b = 0.5 * (-root - 1.0)
    d0 = x0 - a
    if abs(d0) <= rest_tol:
        return a
    sgn = 1.0 if d0 > 0 else -1.0
    ca = 1.0 / q
    cb = -(2.0 + a) / ((a + 1.0) * (a - b))
    cc = -(2.0 + b) / ((b + 1.0) * (b - a))
    f0 = ca * math.log(x0 + 1.0) + cb * math.log(abs(d0)) + cc * math.log(abs(x0 - b))
    target = f0 + elapsed / tau_o
    y = math.log(abs(d0)) + (elapsed / tau_o) / cb
    for _ in range(50):
        e = math.exp(y)
        if e <= rest_tol:
            return a
        x = a + sgn * e
        g = ca * math.log(x + 1.0) + cb * y + cc * math.log(abs(x - b)) - target
        dg = (ca / (x + 1.0) + cc / (x - b)) * sgn * e + cb
        step = g / dg
        y -= step
        if abs(step) < 1e-13:
            break
    e = math.exp(y)
    if e <= rest_tol:
        return a
    return a + sgn * e


@njit(**JIT)
def fast_kernel(t_stop, ev_ptr, ev_time, ev_src, stream_ptr, stream_syn, syn, nrn, syn_const,
                kappa, ut, refp, rtol, atol, h_min, h_max, rest_tol,
                i_syn, syn_t, imem, nrn_t, iahp, ahp_t, ref_until, hstep, stats):
    """Advance every channel to ``t_stop`` through its events (times sorted per channel).

    State arrays (shapes as in :class:`~hfo_detect.snn.simulate.NetworkState`) are updated in
    place. ``stats`` (int64, 4) accumulates accepted steps, rejected steps, closed-form quiet
    updates and neuron advances (work counters for the benchmark). Returns spike times, channels
    and neuron indices (unsorted).
    """
    n_ch, _, n_slots, n_h = syn.shape
    io_s, c_s, ut_s, kappa_s = syn_const[0], syn_const[1], syn_const[2], syn_const[3]
    out_t = np.empty(1024)
    out_ch = np.empty(1024, np.int32)
    out_n = np.empty(1024, np.int32)
    n_out = 0
    inv_tau = np.empty((n_slots, n_h))
    inv_tauahp = np.empty(n_h)
    q_quiet = np.empty(n_h)
    quiet_any_inh = np.empty(n_h, np.bool_)
    quiet_ok = np.empty(n_h, np.bool_)
    tau_o = np.empty(n_h)
    fsal = np.empty(n_h)
    fsal_ok = np.zeros(n_h, np.bool_)
    for c in range(n_ch):
        s = syn[c]
        p = nrn[c]
        isy = i_syn[c]
        syt = syn_t[c]
        im = imem[c]
        nt = nrn_t[c]
        ah = iahp[c]
        aht = ahp_t[c]
        ru = ref_until[c]
        hs = hstep[c]
        for n in range(n_h):
            io = p[N_IO, n]
            total = p[N_ICONST, n]
            for sl in range(n_slots):
                inv_tau[sl, n] = kappa_s * s[S_ITAU, sl, n] / (c_s * ut_s)
                total += s[S_SIGN, sl, n] * io_s
            inv_tauahp[n] = kappa * p[N_ITAUAHP, n] / (p[N_CAHP, n] * ut)
            # clipped input of a quiet neuron; if it sits on the I_o clip, inhibitory synapses
            # above their floor cannot change it and need not be at rest
            quiet_any_inh[n] = total <= io
            if total < io:
                total = io
            q_quiet[n] = total / io
            quiet_ok[n] = 0.5 * (math.sqrt(1.0 + 4.0 * q_quiet[n]) - 1.0) < 1.0 - 1e-9
            tau_o[n] = p[N_CMEM, n] * ut / (kappa * io)
            fsal_ok[n] = False
        e = ev_ptr[c]
        e_end = ev_ptr[c + 1]
        # one pass over the events, then a final pass to t_stop (target index == e_end)
        while True:
            final = e >= e_end
            if final:
                t_target = t_stop
                j_lo = 0
                j_hi = n_h
            else:
                t_target = ev_time[e]
                src = ev_src[e]
                j_lo = stream_ptr[src]
                j_hi = stream_ptr[src + 1]
            for j in range(j_lo, j_hi):
                if final:
                    n = j
                    sl = -1
                else:
                    flat = stream_syn[j]
                    sl = flat // n_h
                    n = flat - sl * n_h
                io = p[N_IO, n]
                stats[3] += 1
                # ---- advance neuron n to t_target ----
                while nt[n] < t_target:
                    t = nt[n]
                    if t < ru[n]:  # refractory: I_mem frozen
                        nt[n] = ru[n] if ru[n] < t_target else t_target
                        fsal_ok[n] = False
                        continue
                    x_mem = im[n]
                    quiet = quiet_ok[n] and x_mem <= io and \
                        _floor_decay(ah[n], aht[n], t, inv_tauahp[n], io) <= io
                    if quiet:
                        for k in range(n_slots):
                            if s[S_SIGN, k, n] > 0 or not quiet_any_inh[n]:
                                if _floor_decay(isy[k, n], syt[k, n], t, inv_tau[k, n],
                                                io_s) > io_s:
                                    quiet = False
                    if quiet:
                        if not final:  # lazily: only when an input needs the value
                            stats[2] += 1
                            im[n] = io * quiet_solve(x_mem / io, t_target - t, q_quiet[n],
                                                     tau_o[n], rest_tol)
                            nt[n] = t_target
                            fsal_ok[n] = False
                        break
                    h = hs[n]
                    if fsal_ok[n]:
                        k1 = fsal[n]
                    else:
                        k1 = _rhs(n, t, x_mem, s, p, isy, syt, inv_tau, ah, aht, inv_tauahp,
                                  io_s, kappa, ut)
                        fsal[n] = k1
                        fsal_ok[n] = True
                    k2 = _rhs(n, t + 0.5 * h, x_mem + 0.5 * h * k1, s, p, isy, syt, inv_tau, ah,
                              aht, inv_tauahp, io_s, kappa, ut)
                    k3 = _rhs(n, t + 0.75 * h, x_mem + 0.75 * h * k2, s, p, isy, syt, inv_tau,
                              ah, aht, inv_tauahp, io_s, kappa, ut)
                    x1 = x_mem + h * (2.0 * k1 + 3.0 * k2 + 4.0 * k3) / 9.0
                    k4 = _rhs(n, t + h, x1, s, p, isy, syt, inv_tau, ah, aht, inv_tauahp, io_s,
                              kappa, ut)
                    err = abs(h * (-5.0 * k1 / 72.0 + k2 / 12.0 + k3 / 9.0 - k4 / 8.0))
                    tol = atol + rtol * max(abs(x_mem), abs(x1))
                    ratio = err / tol
                    if ratio > 1.0 and h > h_min:
                        fac = 0.9 * ratio ** (-1.0 / 3.0)
                        hs[n] = max(h_min, h * max(0.2, fac))
                        stats[1] += 1
                        continue
                    stats[0] += 1
                    fac = 5.0 if ratio < 1e-4 else min(5.0, 0.9 * ratio ** (-1.0 / 3.0))
                    h_next = min(h_max, max(h_min, h * fac))
                    t_end = t + h
                    thr = p[N_ISPK, n]
                    if x1 > thr:
                        lo = 0.0
                        hi = 1.0
                        for _ in range(60):
                            mid = 0.5 * (lo + hi)
                            if _hermite(x_mem, k1, x1, k4, h, mid) > thr:
                                hi = mid
                            else:
                                lo = mid
                        t_sp = t + hi * h
                        if t_sp < t_target:
                            out_t = grow(out_t, n_out + 1)
                            out_ch = grow(out_ch, n_out + 1)
                            out_n = grow(out_n, n_out + 1)
                            out_t[n_out] = t_sp
                            out_ch[n_out] = c
                            out_n[n_out] = n
                            n_out += 1
                            a_now = _floor_decay(ah[n], aht[n], t_sp, inv_tauahp[n], io)
                            ah[n] = a_now + iahp_jump(a_now, p, n)
                            aht[n] = t_sp
                            im[n] = p[N_IRESET, n]
                            nt[n] = t_sp
                            ru[n] = t_sp + refp
                            hs[n] = h_next
                            fsal_ok[n] = False
                            continue
                    if t_end <= t_target:
                        im[n] = x1
                        nt[n] = t_end
                        hs[n] = h_next
                        fsal[n] = k4
                        continue
                    if final:  # leave the straddling step to the next chunk (same step there)
                        break
                    im[n] = _hermite(x_mem, k1, x1, k4, h, (t_target - t) / h)
                    nt[n] = t_target
                    fsal_ok[n] = False
                # ---- the synapse receives the event ----
                if not final:
                    v = _floor_decay(isy[sl, n], syt[sl, n], t_target, inv_tau[sl, n], io_s)
                    isy[sl, n] = v + syn_jump(v, s[S_IW, sl, n], s[S_ITAU, sl, n],
                                              s[S_ITH, sl, n], io_s)
                    syt[sl, n] = t_target
                    fsal_ok[n] = False
            if final:
                break
            e += 1
    return out_t[:n_out], out_ch[:n_out], out_n[:n_out]


def run_fast(params: NetworkParams, adm: SpikeTrains, t_start: float, t_stop: float,
             state, stats: np.ndarray | None = None) -> SpikeTrains:
    """Run :func:`fast_kernel` on the events of ``[t_start, t_stop)`` (``adm`` sorted).

    ``stats``: optional int64 array of 4 work counters (see :func:`fast_kernel`).
    """
    keep = (adm.times >= t_start) & (adm.times < t_stop)
    times, ch, src = adm.times[keep], adm.channel[keep], adm.source[keep]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(ch, minlength=params.n_channels))])
    cfg = params.cfg
    stats = np.zeros(4, np.int64) if stats is None else stats
    out_t, out_ch, out_n = fast_kernel(
        float(t_stop), ptr.astype(np.int64), times, src, params.stream_ptr, params.stream_syn,
        params.synapse, params.neuron, params.syn_const, params.neuron_kappa, params.neuron_ut,
        params.refractory_s, cfg.fast_rtol, cfg.fast_atol, cfg.fast_h_min_s, cfg.fast_h_max_s,
        cfg.fast_rest_tol, state.i_syn, state.syn_t, state.imem, state.nrn_t, state.iahp,
        state.ahp_t, state.ref_until, state.h, stats)
    return SpikeTrains(out_t, out_ch, out_n, params.n_channels).sort()
