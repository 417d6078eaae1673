"""Local error of exponential (integrating-factor) steps of the hfo256 neuron between input
events, sub-threshold: the measurement behind "Exponential integrator between events" in the
docstring of ``hfo_detect/snn/lockstep.py``.

One neuron with the median ``hfo256`` constants (I_th 0.88 pA, I_tau 3.39 pA: tau_m 15.7 ms;
synaptic tau 4.15 / 4.3 ms, tau_ahp 35 ms), I_a negligible, I_mem > I_o: ::

    dI/dt = F(I) (a(t) - b(t) I) / tau_m,  F(I) = (I + I_o) / (I + I_o + I_th),

with a(t), b(t) known sums of exponentials (synapses and I_ahp decaying above their floors). From
a few states (I_mem, excitatory and inhibitory synapse, I_ahp), one step of length h is compared
with a converged solution (DOP853, rtol 1e-12):

* ``bs3``: one Bogacki-Shampine 3 step (what ``lockstep`` takes), for comparison.
* ``rosenbrock``: exponential Rosenbrock-Euler, the right-hand side linearized in I at the step
  start (Jacobian J), the time-dependent forcing F(I_0) (a(t) - b(t) I_0) / tau_m convolved with
  exp(J (h - s)) exactly (here by quadrature), i.e. the "F(I) as a small correction" design.
* ``g_etd2``: the variable G = I + I_th ln((I + I_o) / (I_0 + I_o)), which takes F out of the
  forcing (dG/dt = (a(t) - b(t) I(G)) / tau_m exactly); linear part -b(0) F(I_0) G / tau_m,
  the rest N(s, G) convolved with G linear in s between the ends (2nd order, three Picard passes,
  I(G) by Newton).

The tolerance ``lockstep`` meets is rtol 3e-5 per step.

A second table compares a higher-order pair with the step ``lockstep`` takes: Bogacki-Shampine
3(2) and Dormand-Prince 5(4) (the tableau of SciPy's ``RK45``), each with its error estimate
(what the step control sees), and the error of Dormand-Prince's 4th-order dense output inside
the step (what a cut point inside a step would get).
Usage: ``python data_scripts/etd_accuracy.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import RK45, quad, solve_ivp

IO, ITH, ITAU, CMEM, UT, KAPPA = 5e-13, 8.8e-13, 3.39e-12, 1.5e-12, 0.025, 0.705
TAU = CMEM * UT / (KAPPA * ITAU)
C1, ISH, ICONST = ITH / ITAU, 5e-13, 5e-13
STATES = ((50e-12, 100e-12, 30e-12, 3e-12), (20e-12, 30e-12, 5e-12, 1e-12),
          (150e-12, 200e-12, 50e-12, 5e-12), (5e-12, 20e-12, 2e-12, 0.5e-12),
          (80e-12, 0.5e-12, 0.5e-12, 2e-12))
STEPS = (6e-3, 3e-3, 1.5e-3)


def neuron(ve, vi, a0, te=4.15e-3, ti=4.3e-3, ta=35e-3):
    iin = lambda t: min(max(ve * np.exp(-t / te) - vi * np.exp(-t / ti) + ICONST, IO), 1.0)
    ahp = lambda t: max(a0 * np.exp(-t / ta), IO)
    a = lambda t: C1 * (iin(t) - ISH - ahp(t)) - ITH
    b = lambda t: 1 + (ISH + ahp(t)) / ITAU
    F = lambda i: (i + IO) / (i + IO + ITH)
    return a, b, F, lambda t, i: F(i) * (a(t) - b(t) * i) / TAU


def converged(f, i0, h):
    return solve_ivp(lambda t, y: [f(t, y[0])], (0, h), [i0], rtol=1e-12, atol=1e-22,
                     method="DOP853").y[0, -1]


def _conv(lam, fn, h):
    return quad(lambda s: np.exp(-lam * (h - s)) * fn(s), 0, h, epsabs=0, epsrel=1e-13,
                limit=200)[0]


def rosenbrock(a, b, F, f, i0, h):
    eps = i0 * 1e-7
    jac = (f(0, i0 + eps) - f(0, i0 - eps)) / (2 * eps)
    return i0 + _conv(-jac, lambda s: F(i0) * (a(s) - b(s) * i0) / TAU, h)


def g_etd2(a, b, F, f, i0, h, passes=3):
    def i_of(g):
        i = g
        for _ in range(50):
            i -= (i + ITH * np.log((i + IO) / (i0 + IO)) - g) / (1 + ITH / (i + IO))
        return i

    lam = b(0) * F(i0) / TAU
    rest = lambda s, g: (a(s) - b(s) * i_of(g)) / TAU + lam * g
    g1 = np.exp(-lam * h) * i0 + _conv(lam, lambda s: rest(s, i0), h)
    for _ in range(passes - 1):
        g1 = np.exp(-lam * h) * i0 + _conv(lam, lambda s: rest(s, i0 + (g1 - i0) * s / h), h)
    return i_of(g1)


def bs3_with_estimate(f, i0, h):
    """One Bogacki-Shampine 3(2) step (what ``lockstep`` takes) and its error estimate (FSAL
    stage included)."""
    k1 = f(0, i0)
    k2 = f(h / 2, i0 + h / 2 * k1)
    k3 = f(3 * h / 4, i0 + 3 * h / 4 * k2)
    i1 = i0 + h * (2 * k1 + 3 * k2 + 4 * k3) / 9
    k4 = f(h, i1)
    return i1, abs(h * (-5 / 72 * k1 + k2 / 12 + k3 / 9 - k4 / 8))


def dp5_with_estimate(f, i0, h):
    """One Dormand-Prince 5(4) step (SciPy's RK45 tableau), its error estimate, and its dense
    output as a function of the fraction u of the step."""
    k = np.zeros(RK45.n_stages + 1)
    for s in range(RK45.n_stages):
        k[s] = f(RK45.C[s] * h, i0 + h * (RK45.A[s, :s] @ k[:s]))
    i1 = i0 + h * (RK45.B @ k[:-1])
    k[-1] = f(h, i1)
    dense = lambda u: i0 + h * (k @ (RK45.P @ u ** np.arange(1, RK45.P.shape[1] + 1)))  # noqa: E731
    return i1, abs(h * (RK45.E @ k)), dense


def _table(columns: str, cell) -> list[str]:
    """One row per state, one column per step length h: ``cell(a, b, F, f, i0, h, r)`` with
    ``r`` the converged I_mem after h."""
    lines = ["| I_mem, I_exc, I_inh, I_ahp (pA) | " + " | ".join(
        f"h = {h * 1e3:g} ms: {columns}" for h in STEPS) + " |", "|---|" + "---|" * len(STEPS)]
    for i0, ve, vi, a0 in STATES:
        a, b, F, f = neuron(ve, vi, a0)
        cells = [cell(a, b, F, f, i0, h, converged(f, i0, h)) for h in STEPS]
        lines.append(f"| {i0 * 1e12:g}, {ve * 1e12:g}, {vi * 1e12:g}, {a0 * 1e12:g} | "
                     + " | ".join(cells) + " |")
    return lines


def _exponential_cell(a, b, F, f, i0, h, r) -> str:
    return (f"{abs(bs3_with_estimate(f, i0, h)[0] - r) / r:.1e} / "
            f"{abs(rosenbrock(a, b, F, f, i0, h) - r) / r:.1e} / "
            f"{abs(g_etd2(a, b, F, f, i0, h) - r) / r:.1e}")


def _order_cell(a, b, F, f, i0, h, r) -> str:
    """Relative error (and estimate) of one step of each pair, and the dense output's largest
    error at u = 1/4, 1/2, 3/4 of the Dormand-Prince step."""
    b3, e3 = bs3_with_estimate(f, i0, h)
    d5, e5, dense = dp5_with_estimate(f, i0, h)
    worst = max(abs(dense(u) - converged(f, i0, u * h)) / r for u in (0.25, 0.5, 0.75))
    return (f"{abs(b3 - r) / r:.1e} ({e3 / r:.1e}) / {abs(d5 - r) / r:.1e} ({e5 / r:.1e}) / "
            f"{worst:.1e}")


def main() -> list[str]:
    lines = (_table("bs3 / rosenbrock / g_etd2", _exponential_cell) + [""]
             + _table("bs3 (est) / dp5 (est) / dp5 dense", _order_cell))
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
