"""Event-driven integrator of the same DPI equations (``integrator="fast"``).

What is exact, what is approximated, and what costs nothing:

* **Synapses and I_ahp** are exact. Above I_o the DPI synapse obeys ``dI/dt = -I/tau`` exactly
  (spec 2.2), and below I_o its drift points up, so I_o is an attracting floor that the
  continuous-time solution reaches in finite time and stays on: ``I(t) = max(I0*exp(-t/tau), I_o)``.
  The same holds for I_ahp with tau_ahp. Every synapse belongs to exactly one neuron, so a
  neuron's synapses and I_ahp are stored at the neuron's own time stamp and moved with it; a
  presynaptic event applies the on_pre increment to the exact current value. (Values below I_o,
  as a start at 0 would give, are snapped onto I_o.)
* **I_mem** is advanced by adaptive Bogacki-Shampine 3(2) steps (error control with
  ``fast_rtol``/``fast_atol``, FSAL). Step sizes are taken from a geometric ladder
  ``h_min * 2**(l/LADDER_PER_OCTAVE)`` [CHOICE], so the decay factors of the synapses and I_ahp
  over a step (``exp(-h/(4 tau))`` and its powers for the stages at h/2, 3h/4 and h) come from a
  small per-neuron table instead of exp() calls. Input events are taken at their exact times: when
  an event falls inside a step the step is still taken in full and I_mem at the event time comes
  from its cubic Hermite interpolant, so the step sequence never depends on where a chunk ends
  (chunked runs equal one-shot runs bit for bit). Threshold crossings are located on the same
  interpolant.
* **The positive feedback** ``I_a = I_again/(1+exp(-(I_mem-I_ath)/I_anorm))`` is taken as 0 while
  ``I_mem < I_ath - IA_CUT_NORMS*I_anorm``: it is then below ``I_again*exp(-40) ~ 2e-28 A``, at
  the rounding level (~1e-15 relative) of every term it enters (no exp() far below threshold).
* **Quiet neurons are closed form.** A neuron with no excitatory synapse above the floor, I_ahp on
  its floor, not refractory and I_mem <= I_o sees a constant clipped input ``q*I_o`` and follows
  ``dx/dt = (q - x - x^2)(x + 1) / (tau_o (x + 2))`` (x = I_mem/I_o, tau_o = C U_T/(kappa I_o)),
  solved exactly by partial fractions and one Newton solve; once within ``fast_rest_tol`` of its
  resting value ``x* = (sqrt(1+4q) - 1)/2`` it is snapped there. Quiet neurons are only touched
  when one of their synapses receives an event, and a neuron already at rest then costs only the
  decay of its synapses.
* Refractory: I_mem is frozen for ``refP`` after the spike time; I_ahp keeps decaying.

Performance layout (results do not depend on it): the neurons that one input event reaches are
advanced in rounds, one step of each neuron per round, so that the CPU overlaps their independent
dependency chains (about 1.7x over one neuron at a time); the hot loop calls no function with an
array argument and grows no array (numba reference-counts arrays passed or re-bound there, which
cost more than the arithmetic).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from hfo_detect.snn.dpi import JIT, syn_jump
from hfo_detect.snn.euler import grow
from hfo_detect.snn.params import (N_CAHP, N_CMEM, N_IAGAIN, N_IANORM, N_IATH, N_ICA, N_ICONST,
                                   N_IO, N_IRESET, N_ISHUNT, N_ISPK, N_ITAU, N_ITAUAHP, N_ITH,
                                   N_ITHAHP, NetworkParams, S_ITAU, S_ITH, S_IW, S_SIGN)
from hfo_detect.spikes import SpikeTrains

#: Step-size ladder resolution: 8 sizes per factor 2 (rounding a step down to the ladder costs
#: ~4 % more steps on average) [CHOICE].
LADDER_PER_OCTAVE = 8
#: I_a is dropped below ``I_ath - IA_CUT_NORMS * I_anorm`` (I_a < I_again * e^-40 there).
IA_CUT_NORMS = 40.0
LOG2_SAFETY = math.log2(0.9)

# columns of the per-neuron constant table used by _imem_rhs
(K_IO, K_ITH, K_C1, K_INV_ITAU, K_INV_TAU, K_INV_TAU_O, K_ISH0, K_ICONST, K_IAGAIN, K_IATH,
 K_INV_IANORM, K_IA_CUT) = range(12)
N_K = 12


@njit(inline="always", **JIT)
def _imem_rhs(imem, iin_raw, iahp, cn):
    """dI_mem/dt of spec 2.3 (not refractory) of one neuron from its constants.

    Same equation as :func:`hfo_detect.snn.dpi.imem_derivative`, with the clipping regimes
    written out and the divisions by constants precomputed (scalars only: array arguments
    would cost reference counting on every call): ``cn`` is the tuple ``(I_o, I_th, I_th/I_tau,
    1/I_tau, 1/tau, 1/tau_o, max(I_shunt, I_o), I_const, I_again, I_ath, 1/I_anorm, I_a cut)``.
    """
    io, ith, c1, inv_itau, inv_tau, inv_tau_o, ish0, iconst, iagain, iath, inv_ianorm, ia_cut = cn
    iin = iin_raw + iconst
    if iin < io:
        iin = io
    elif iin > 1.0:
        iin = 1.0
    if imem > io:
        ishunt = ish0
        if ishunt > imem:
            ishunt = imem
        if imem < ia_cut:
            ia = 0.0
        else:
            ia = iagain / (1.0 + math.exp(-(imem - iath) * inv_ianorm))
        num = c1 * (iin + ia - ishunt - iahp) - ith \
            - (1.0 + (ishunt + iahp - ia) * inv_itau) * imem
        return num * inv_tau * (imem + io) / (ith + imem + io)
    # all clipped to I_o: I_shunt -> I_mem, I_a -> 2 I_o, I_ahp = I_tau = I_th -> I_o
    num = iin - imem - imem * imem / io
    return num * inv_tau_o * (imem + io) / (2.0 * io + imem)


@njit(inline="always", **JIT)
def _log2_approx(x):
    """log2(x) within 0.01 (frexp plus a quadratic): enough to pick a step on the ladder."""
    m, ex = math.frexp(x)  # x = m * 2**ex, m in [0.5, 1)
    u = 2.0 * m - 1.0
    return ex - 1 + u * (1.3466 - 0.3466 * u)


@njit(inline="always", **JIT)
def hermite(y0, m0, y1, m1, h, u):
    """Cubic Hermite interpolant of a step (values y0, y1 and slopes m0, m1 at its ends, size
    h) at the fraction u of the step; the dense output of both adaptive kernels."""
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


@njit(inline="always", **JIT)
def _decayed(v, dt, rate, floor):
    """Exact floored decay of a synapse or I_ahp over ``dt`` (module doc)."""
    if v <= floor:
        return floor
    v = v * math.exp(-dt * rate)
    return v if v > floor else floor


@njit(**JIT)
def _channel_constants(s, p, syn_const, kappa, ut, rate, sign, kc, dec, quiet_any_inh, q_quiet,
                       quiet_ok, tau_o):
    """Per-neuron constants of one channel (synapse rows ``s``, neuron rows ``p``) into the
    work arrays; marks the decay table ``dec`` as empty."""
    io_s, c_s, ut_s, kappa_s = syn_const[0], syn_const[1], syn_const[2], syn_const[3]
    n_slots, n_h = s.shape[1], s.shape[2]
    n_lev = dec.shape[1]
    for n in range(n_h):
        io = p[N_IO, n]
        total = p[N_ICONST, n]
        for sl in range(n_slots):
            rate[n, sl] = kappa_s * s[S_ITAU, sl, n] / (c_s * ut_s)
            sign[n, sl] = s[S_SIGN, sl, n]
            total += s[S_SIGN, sl, n] * io_s
        rate[n, n_slots] = kappa * p[N_ITAUAHP, n] / (p[N_CAHP, n] * ut)
        for lv in range(n_lev):
            dec[n, lv, 0] = -1.0
        k = kc[n]
        k[K_IO] = io
        k[K_ITH] = p[N_ITH, n]
        k[K_C1] = p[N_ITH, n] / p[N_ITAU, n]
        k[K_INV_ITAU] = 1.0 / p[N_ITAU, n]
        k[K_INV_TAU] = kappa * p[N_ITAU, n] / (p[N_CMEM, n] * ut)
        k[K_INV_TAU_O] = kappa * io / (p[N_CMEM, n] * ut)
        k[K_ISH0] = max(p[N_ISHUNT, n], io)
        k[K_ICONST] = p[N_ICONST, n]
        k[K_IAGAIN] = p[N_IAGAIN, n]
        k[K_IATH] = p[N_IATH, n]
        k[K_INV_IANORM] = 1.0 / p[N_IANORM, n]
        k[K_IA_CUT] = p[N_IATH, n] - IA_CUT_NORMS * p[N_IANORM, n]
        # clipped input of a quiet neuron; if it sits on the I_o clip, inhibitory synapses
        # above their floor cannot change it and need not be at rest
        quiet_any_inh[n] = total <= io
        if total < io:
            total = io
        q_quiet[n] = total / io
        quiet_ok[n] = 0.5 * (math.sqrt(1.0 + 4.0 * q_quiet[n]) - 1.0) < 1.0 - 1e-9
        tau_o[n] = p[N_CMEM, n] * ut / (kappa * io)


@njit(**JIT)
def fast_kernel(t_stop, ev_ptr, ev_time, ev_src, stream_ptr, stream_syn, syn, nrn, syn_const,
                kappa, ut, refp, rtol, atol, h_min, h_max, rest_tol,
                i_syn, imem, nrn_t, iahp, ref_until, hstep, stats):
    """Advance every channel to ``t_stop`` through its events (times sorted per channel).

    State arrays (shapes as in :class:`~hfo_detect.snn.simulate.NetworkState`; synapses and I_ahp
    at each neuron's time ``nrn_t``) are updated in place. ``stats`` (int64, 4) accumulates
    accepted steps, rejected steps, closed-form quiet updates and neuron advances (work counters
    for the benchmark). Returns spike times, channels and neuron indices (unsorted).
    """
    n_ch, _, n_slots, n_h = syn.shape
    io_s = syn_const[0]
    out_t = np.empty(1024)
    out_ch = np.empty(1024, np.int32)
    out_n = np.empty(1024, np.int32)
    n_out = 0
    n_acc = 0  # work counters (locals: a counter in memory would chain the neurons' steps)
    n_rej = 0
    n_quiet = 0
    # step-size ladder
    n_lev = int(math.floor(LADDER_PER_OCTAVE * math.log2(h_max / h_min) + 1e-9)) + 1
    hl = np.empty(n_lev)
    for lv in range(n_lev):
        hl[lv] = h_min * 2.0 ** (lv / LADDER_PER_OCTAVE)
    inv_log_step = LADDER_PER_OCTAVE / math.log(2.0)
    max_up = int(math.floor(LADDER_PER_OCTAVE * math.log2(5.0)))  # growth/shrink at most ~5x
    n_rates = n_slots + 1  # synapse slots, then I_ahp
    rate = np.empty((n_h, n_rates))
    dec = np.empty((n_h, n_lev, n_rates))  # exp(-h_l * rate / 4), filled lazily (-1 = not yet)
    kc = np.empty((n_h, N_K))
    sign = np.empty((n_h, n_slots))
    level = np.empty(n_h, np.int64)
    q_quiet = np.empty(n_h)
    quiet_any_inh = np.empty(n_h, np.bool_)
    quiet_ok = np.empty(n_h, np.bool_)
    tau_o = np.empty(n_h)
    fsal = np.empty(n_h)
    fsal_ok = np.zeros(n_h, np.bool_)
    act = np.empty(n_h, np.int64)
    round_sp = np.empty(n_h, np.int64)
    mark = np.empty(n_h, np.int64)
    for c in range(n_ch):
        mark[:] = -1
        s = syn[c]
        p = nrn[c]
        isy = i_syn[c]
        im = imem[c]
        nt = nrn_t[c]
        ah = iahp[c]
        ru = ref_until[c]
        hs = hstep[c]
        _channel_constants(s, p, syn_const, kappa, ut, rate, sign, kc, dec, quiet_any_inh,
                           q_quiet, quiet_ok, tau_o)
        for n in range(n_h):
            fsal_ok[n] = False
            lv = int(round(math.log(hs[n] / h_min) * inv_log_step))
            level[n] = min(max(lv, 0), n_lev - 1)
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
            # neurons of this event; several are advanced in turn, one step each, so that the
            # CPU overlaps their (independent) dependency chains
            n_act = 0
            for j in range(j_lo, j_hi):
                n = j if final else stream_syn[j] % n_h
                if mark[n] != e:  # a neuron with two synapses on this stream: once
                    mark[n] = e
                    act[n_act] = n
                    n_act += 1
            stats[3] += n_act
            while n_act > 0:
                m = 0
                n_sp = 0
                for i in range(n_act):
                    n = act[i]
                    while True:  # one piece of work on neuron n (exits by break, r = outcome)
                        if nt[n] >= t_target:
                            r = 0
                            break
                        io = kc[n, K_IO]
                        t = nt[n]
                        if t < ru[n]:  # refractory: I_mem frozen
                            if final and ru[n] > t_target:
                                r = 0  # (a one-shot run would not stop here either)
                                break
                            t_new = ru[n] if ru[n] < t_target else t_target
                            for q in range(n_slots):
                                isy[q, n] = _decayed(isy[q, n], t_new - t, rate[n, q], io_s)
                            ah[n] = _decayed(ah[n], t_new - t, rate[n, n_slots], io)
                            nt[n] = t_new
                            fsal_ok[n] = False
                            r = 1
                            break
                        x_mem = im[n]
                        a0 = ah[n]
                        quiet = quiet_ok[n] and x_mem <= io and a0 <= io
                        if quiet:
                            for q in range(n_slots):
                                if (sign[n, q] > 0 or not quiet_any_inh[n]) and isy[q, n] > io_s:
                                    quiet = False
                        if quiet:
                            if not final:  # lazily: only when an input needs the value
                                n_quiet += 1
                                im[n] = io * quiet_solve(x_mem / io, t_target - t, q_quiet[n],
                                                         tau_o[n], rest_tol)
                                for q in range(n_slots):
                                    isy[q, n] = _decayed(isy[q, n], t_target - t, rate[n, q], io_s)
                                ah[n] = _decayed(ah[n], t_target - t, rate[n, n_slots], io)
                                nt[n] = t_target
                                fsal_ok[n] = False
                            r = 0
                            break
                        cn = (io, kc[n, K_ITH], kc[n, K_C1], kc[n, K_INV_ITAU], kc[n, K_INV_TAU],
                              kc[n, K_INV_TAU_O], kc[n, K_ISH0], kc[n, K_ICONST], kc[n, K_IAGAIN],
                              kc[n, K_IATH], kc[n, K_INV_IANORM], kc[n, K_IA_CUT])
                        lv = level[n]
                        h = hl[lv]
                        if dec[n, lv, 0] < 0.0:
                            for rr in range(n_rates):
                                dec[n, lv, rr] = math.exp(-0.25 * h * rate[n, rr])
                        # stage inputs at t, t+h/2, t+3h/4, t+h (decay factors b^2, b^3, b^4)
                        i0 = 0.0
                        i2 = 0.0
                        i3 = 0.0
                        i4 = 0.0
                        for q in range(n_slots):
                            v = isy[q, n]
                            b = dec[n, lv, q]
                            b2 = b * b
                            v2 = v * b2
                            v3 = v2 * b
                            v4 = v2 * b2
                            sg = sign[n, q]
                            i0 += sg * v
                            i2 += sg * (v2 if v2 > io_s else io_s)
                            i3 += sg * (v3 if v3 > io_s else io_s)
                            i4 += sg * (v4 if v4 > io_s else io_s)
                        b = dec[n, lv, n_slots]
                        b2 = b * b
                        a2 = a0 * b2
                        a3 = a2 * b
                        a4 = a2 * b2
                        a2 = a2 if a2 > io else io
                        a3 = a3 if a3 > io else io
                        a4 = a4 if a4 > io else io
                        if fsal_ok[n]:
                            k1 = fsal[n]
                        else:
                            k1 = _imem_rhs(x_mem, i0, a0, cn)
                            fsal[n] = k1
                            fsal_ok[n] = True
                        k2 = _imem_rhs(x_mem + 0.5 * h * k1, i2, a2, cn)
                        k3 = _imem_rhs(x_mem + 0.75 * h * k2, i3, a3, cn)
                        x1 = x_mem + h * (2.0 * k1 + 3.0 * k2 + 4.0 * k3) * (1.0 / 9.0)
                        k4 = _imem_rhs(x1, i4, a4, cn)
                        err = abs(h * (k1 * (-5.0 / 72.0) + k2 * (1.0 / 12.0) + k3 * (1.0 / 9.0)
                                       - k4 * 0.125))
                        tol = atol + rtol * max(abs(x_mem), abs(x1))
                        # next step 0.9*ratio^(-1/3) times this one, within [1/5, 5], rounded
                        # down on the ladder (in ladder levels: LADDER_PER_OCTAVE*log2 of that)
                        ratio = err / tol
                        if ratio < 1e-4:
                            dl = max_up
                        else:
                            dl = int(math.floor(LADDER_PER_OCTAVE * (LOG2_SAFETY
                                                                     - _log2_approx(ratio) / 3.0)))
                            dl = min(max_up, max(-max_up, dl))
                        if ratio > 1.0 and lv > 0:
                            level[n] = max(0, lv + min(dl, -1))
                            n_rej += 1
                            r = 1
                            break
                        n_acc += 1
                        lv_next = min(n_lev - 1, max(0, lv + dl))
                        t_end = t + h
                        thr = p[N_ISPK, n]
                        if x1 > thr:
                            lo = 0.0
                            hi = 1.0
                            for _ in range(60):
                                mid = 0.5 * (lo + hi)
                                if hermite(x_mem, k1, x1, k4, h, mid) > thr:
                                    hi = mid
                                else:
                                    lo = mid
                            t_sp = t + hi * h
                            if t_sp < t_target:
                                for q in range(n_slots):
                                    isy[q, n] = _decayed(isy[q, n], t_sp - t, rate[n, q], io_s)
                                ah[n] = _decayed(ah[n], t_sp - t, rate[n, n_slots], io)
                                a_now = ah[n]
                                # iahp_jump of dpi.py, written out (no array argument here)
                                ah[n] = a_now + (p[N_ICA, n] / p[N_ITAUAHP, n]) * (
                                    p[N_ITHAHP, n] if a_now > io else io)
                                im[n] = p[N_IRESET, n]
                                nt[n] = t_sp
                                ru[n] = t_sp + refp
                                level[n] = lv_next
                                fsal_ok[n] = False
                                r = 2  # spike at nt[n]
                                break
                        if t_end <= t_target:
                            im[n] = x1
                            nt[n] = t_end
                            level[n] = lv_next
                            fsal[n] = k4
                            for q in range(n_slots):
                                b = dec[n, lv, q]
                                b2 = b * b
                                v4 = isy[q, n] * (b2 * b2)
                                isy[q, n] = v4 if v4 > io_s else io_s
                            ah[n] = a4
                            r = 1
                            break
                        if final:  # leave the straddling step to the next chunk (same step there)
                            r = 0
                            break
                        im[n] = hermite(x_mem, k1, x1, k4, h, (t_target - t) / h)
                        for q in range(n_slots):
                            isy[q, n] = _decayed(isy[q, n], t_target - t, rate[n, q], io_s)
                        ah[n] = _decayed(ah[n], t_target - t, rate[n, n_slots], io)
                        nt[n] = t_target
                        fsal_ok[n] = False
                        r = 1
                        break
                    if r == 2:  # (at most one spike per neuron and round)
                        round_sp[n_sp] = n
                        n_sp += 1
                    if r != 0:
                        act[m] = n
                        m += 1
                n_act = m
                if n_sp > 0:  # outside the hot loop: growing arrays there costs refcounting
                    out_t = grow(out_t, n_out + n_sp)
                    out_ch = grow(out_ch, n_out + n_sp)
                    out_n = grow(out_n, n_out + n_sp)
                    for i in range(n_sp):
                        out_t[n_out] = nt[round_sp[i]]
                        out_ch[n_out] = c
                        out_n[n_out] = round_sp[i]
                        n_out += 1
            # ---- the synapses receive the event (their values are already at t_target) ----
            if not final:
                for j in range(j_lo, j_hi):
                    flat = stream_syn[j]
                    sl = flat // n_h
                    n = flat - sl * n_h
                    v = isy[sl, n]
                    isy[sl, n] = v + syn_jump(v, s[S_IW, sl, n], s[S_ITAU, sl, n],
                                              s[S_ITH, sl, n], io_s)
                    fsal_ok[n] = False
            if final:
                break
            e += 1
        for n in range(n_h):
            hs[n] = hl[level[n]]
    stats[0] += n_acc
    stats[1] += n_rej
    stats[2] += n_quiet
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
        cfg.fast_rest_tol, state.i_syn, state.imem, state.nrn_t, state.iahp, state.ref_until,
        state.h, stats)
    return SpikeTrains(out_t, out_ch, out_n, params.n_channels).sort()
