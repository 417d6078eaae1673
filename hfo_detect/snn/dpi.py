"""DPI synapse and DPI neuron equations (teili's DPI Synapse_model; teili's DPI Neuron_model), as numba functions shared by the kernels.

Written term by term as in the teili/Brian2 models so that the ``euler`` kernel reproduces
Brian2's forward Euler spike for spike. Currents in A, times in s.
"""

from __future__ import annotations

import math

from numba import njit

from hfo_detect.snn.params import (N_CAHP, N_CMEM, N_IAGAIN, N_IANORM, N_IATH, N_ICA, N_ICONST,
                                   N_IO, N_ISHUNT, N_ITAU, N_ITAUAHP, N_ITH, N_ITHAHP)

JIT = dict(cache=True, error_model="numpy", fastmath=False)


@njit(inline="always", **JIT)
def syn_derivative(i_syn, itau, ith, io, c, ut, kappa):
    """dI_syn/dt of the DPI synapse (both regimes)."""
    if i_syn <= io:
        i_gain = io
        itau_syn = io
        extra = 2.0 * io
    else:
        i_gain = ith
        itau_syn = itau
        extra = 0.0
    tausyn = c * ut / (kappa * itau_syn)
    return (-i_syn - i_gain + extra) / (tausyn * ((i_gain / i_syn) + 1.0))


@njit(inline="always", **JIT)
def syn_jump(i_syn, iw, itau, ith, io):
    """Increment of I_syn by one presynaptic spike (teili on_pre)."""
    if i_syn <= io:
        i_gain = io
        itau_syn = io
    else:
        i_gain = ith
        itau_syn = itau
    return iw * i_gain / (itau_syn * ((i_gain / i_syn) + 1.0))


@njit(inline="always", **JIT)
def imem_derivative(imem, iin, iahp, p, n, kappa, ut):
    """dI_mem/dt (not refractory) for neuron ``n`` with parameter rows ``p`` (15 x n_hidden).

    ``iin`` is the raw synaptic sum (signed); I_const is added and the result clipped here.
    """
    io = p[N_IO, n]
    iin_clip = iin + p[N_ICONST, n]
    if iin_clip < io:
        iin_clip = io
    elif iin_clip > 1.0:
        iin_clip = 1.0
    ishunt = p[N_ISHUNT, n]
    if ishunt < io:
        ishunt = io
    if ishunt > imem:
        ishunt = imem
    if imem > io:
        ia = p[N_IAGAIN, n] / (1.0 + math.exp(-(imem - p[N_IATH, n]) / p[N_IANORM, n]))
        iahp_c = iahp
        itau_c = p[N_ITAU, n]
        ith_c = p[N_ITH, n]
    else:
        ia = 2.0 * io
        iahp_c = io
        itau_c = io
        ith_c = io
    tau = p[N_CMEM, n] * ut / (kappa * itau_c)
    num = ((ith_c / itau_c) * (iin_clip + ia - ishunt - iahp_c)) - ith_c \
        - ((1.0 + ((ishunt + iahp_c - ia) / itau_c)) * imem)
    return num / (tau * ((ith_c / (imem + io)) + 1.0))


@njit(inline="always", **JIT)
def iahp_derivative(iahp, p, n, kappa, ut):
    """dI_ahp/dt."""
    io = p[N_IO, n]
    if iahp > io:
        ithahp_c = p[N_ITHAHP, n]
        extra = 0.0
    else:
        ithahp_c = io
        extra = 2.0 * io
    tauahp = p[N_CAHP, n] * ut / (kappa * p[N_ITAUAHP, n])
    return (-ithahp_c - iahp + extra) / (tauahp * (ithahp_c / iahp + 1.0))


@njit(inline="always", **JIT)
def iahp_jump(iahp, p, n):
    """I_ahp increment at a spike, ``Iahpmax = (Ica/Itauahp) * Ithahp_clip``."""
    ithahp_c = p[N_ITHAHP, n] if iahp > p[N_IO, n] else p[N_IO, n]
    return (p[N_ICA, n] / p[N_ITAUAHP, n]) * ithahp_c
