"""Forward-Euler kernel at a fixed step (the paper's Brian2 scheme, spec 2.6).

Within step ``k`` (time ``k*dt``) the order is Brian2's: (a) sum the synaptic currents into each
neuron (signed); (b) one Euler step of synapses, I_mem (frozen while refractory) and I_ahp from the
values at the start of the step; (c) threshold ``I_mem > I_spkthr`` unless refractory -> spike at
``k*dt``; (d) this step's input events increment their synapses; (e) reset of the neurons that spiked.
Refractoriness is Brian2's ``timestep(t - lastspike) >= timestep(refP)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hfo_detect.snn.dpi import (JIT, iahp_derivative, iahp_jump, imem_derivative, syn_derivative,
                                syn_jump)
from hfo_detect.snn.params import N_IRESET, N_ISPK, S_IW, S_ITAU, S_ITH, S_SIGN


@njit(**JIT)
def grow(a, n):
    """Return ``a`` with room for at least ``n`` elements (doubling)."""
    if n <= a.size:
        return a
    b = np.empty(max(n, 2 * a.size), a.dtype)
    b[: a.size] = a
    return b


@njit(**JIT)
def euler_kernel(k0, k1, dt, ref_steps, ev_ptr, ev_step, ev_src, stream_ptr, stream_syn,
                 syn, nrn, syn_const, kappa, ut, i_syn, imem, iahp, lastspike):
    """Simulate steps ``k0 .. k1-1`` of every channel; state arrays are updated in place.

    Parameters
    ----------
    ev_ptr : (n_channels+1,) int64
        Events of channel ``c`` are ``ev_ptr[c]:ev_ptr[c+1]``, sorted by step.
    ev_step, ev_src : int64 / int32
        Grid step and stream of each input event.
    syn : (n_channels, 4, n_slots, n_hidden) ; nrn : (n_channels, 15, n_hidden)
    i_syn : (n_channels, n_slots, n_hidden) ; imem, iahp : (n_channels, n_hidden)
    lastspike : (n_channels, n_hidden) int64, step of each neuron's last spike.

    Returns
    -------
    out_step, out_ch, out_nrn : arrays of the hidden spikes, and their number.
    """
    n_ch, _, n_slots, n_h = syn.shape
    io_s, c_s, ut_s, kappa_s = syn_const[0], syn_const[1], syn_const[2], syn_const[3]
    out_step = np.empty(1024, np.int64)
    out_ch = np.empty(1024, np.int32)
    out_nrn = np.empty(1024, np.int32)
    n_out = 0
    iin = np.empty(n_h)
    spiked = np.empty(n_h, np.bool_)
    for c in range(n_ch):
        s = syn[c]
        p = nrn[c]
        isy = i_syn[c]
        im = imem[c]
        ah = iahp[c]
        last = lastspike[c]
        e = ev_ptr[c]
        e_end = ev_ptr[c + 1]
        for k in range(k0, k1):
            # (a) input current from the synapse states at the start of the step
            for n in range(n_h):
                iin[n] = 0.0
            for sl in range(n_slots):
                for n in range(n_h):
                    iin[n] += isy[sl, n] * s[S_SIGN, sl, n]
            # (b) Euler step of synapses and neurons
            for sl in range(n_slots):
                for n in range(n_h):
                    isy[sl, n] += dt * syn_derivative(isy[sl, n], s[S_ITAU, sl, n], s[S_ITH, sl, n],
                                                      io_s, c_s, ut_s, kappa_s)
            any_spike = False
            for n in range(n_h):
                not_ref = (k - last[n]) >= ref_steps
                d_ahp = iahp_derivative(ah[n], p, n, kappa, ut)
                if not_ref:
                    im[n] += dt * imem_derivative(im[n], iin[n], ah[n], p, n, kappa, ut)
                ah[n] += dt * d_ahp
                # (c) threshold
                sp = not_ref and im[n] > p[N_ISPK, n]
                spiked[n] = sp
                any_spike |= sp
            # (d) this step's input events
            while e < e_end and ev_step[e] < k:
                e += 1  # events before the window are the caller's error; skip safely
            while e < e_end and ev_step[e] == k:
                src = ev_src[e]
                for j in range(stream_ptr[src], stream_ptr[src + 1]):
                    flat = stream_syn[j]
                    sl = flat // n_h
                    n = flat - sl * n_h
                    isy[sl, n] += syn_jump(isy[sl, n], s[S_IW, sl, n], s[S_ITAU, sl, n],
                                           s[S_ITH, sl, n], io_s)
                e += 1
            # (e) reset
            if any_spike:
                for n in range(n_h):
                    if spiked[n]:
                        im[n] = p[N_IRESET, n]
                        ah[n] += iahp_jump(ah[n], p, n)
                        last[n] = k
                        out_step = grow(out_step, n_out + 1)
                        out_ch = grow(out_ch, n_out + 1)
                        out_nrn = grow(out_nrn, n_out + 1)
                        out_step[n_out] = k
                        out_ch[n_out] = c
                        out_nrn[n_out] = n
                        n_out += 1
    return out_step[:n_out], out_ch[:n_out], out_nrn[:n_out]

