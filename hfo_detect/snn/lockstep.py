"""Lockstep integrator of the DPI equations (``integrator="lockstep"``), the default engine.

Same equations and the same numerical ideas as :mod:`hfo_detect.snn.fast` (exact floored
decay of synapses and I_ahp, adaptive Bogacki-Shampine 3(2) steps for I_mem on a geometric
step-size ladder with tabulated decay factors, I_a dropped far below threshold), but the unit
of work is a *group* of neurons, not a neuron:

* **Groups.** Neurons whose synapses listen to the same set of input streams receive their
  input events at the same times (``hfo256``: the 64 neurons of a sub-band; ``sharifhazileh2021``:
  all 85), split into groups of at most ``lockstep_group_size``. A group advances as one: one
  step size for all its neurons, chosen by the worst neuron's error estimate (so every neuron
  meets the same ``lockstep_rtol``/``lockstep_atol``), and
  every stage is a branch-free loop over the group's neurons that the compiler vectorizes
  (clipping regimes written as selects; contiguous per-group work arrays). A group of one
  neuron (an output neuron with many input streams) runs the same code without SIMD gain.
* **Group size** [CHOICE, ``lockstep_group_size`` = 32]. A set of neurons sharing their input
  streams is split into groups of at most 32 (consecutive neuron indices; four AVX-512
  vectors). The worst neuron sets a group's step, and the worst is nearly always one of the
  few neurons near threshold (in a group of 128, leaving out its single worst neuron would
  make the steps 2.5x longer, its 16 worst 5x), so smaller groups take fewer neuron-steps but
  pay the per-step control (~0.3 us) more often. Accepted neuron-steps and CPU time on the
  first 10 s of the input below, by group size: 8: 13.6 M, 0.81 s; 16: 16.5 M, 0.49 s; 32:
  21.0 M, 0.51 s; 64: 27.6 M, 0.63 s; 128: 41.0 M, 0.98 s. Each group meets the same
  tolerances, but a neuron is then integrated with less margin than in a larger group: on the
  eight fidelity inputs of ``bench_engine.py --quick`` (three real snippets) the share of
  neurons with the converged reference's spike count is >= 99.02 % at 32 (128: >= 99.02 %;
  four inputs have only 100-250 firing neurons: one neuron is 0.4-1 %) and >= 98.0 % at 16;
  spikes within 0.1 ms >= 99.78 % at all three.
* **Why steps, not events, are the cost.** Each input event of a band reaches its 128 neurons,
  and between events each neuron needs several steps. Per neuron the ``fast`` kernel pays
  ~100 ns per step for control flow (step control, branches, scalar bookkeeping); here the
  control is paid once per group step, and the arithmetic runs in SIMD lanes.
* **Cut points.** A step is computed over its full ladder size ``h``; input events, spikes and
  the ends of refractory periods that fall inside it are *cut points*: all neurons are moved to
  the first of them on the step's cubic Hermite interpolant (synapses and I_ahp by their exact
  decay), the spike, reset or input is applied there, and integration restarts. So the step
  sequence depends only on the state and the input, never on where a chunk ends: a chunk
  stops before a step that straddles its end unless a cut point inside the chunk falls in
  that step, and the next chunk recomputes the same step (chunked runs equal one-shot runs
  bit for bit). Cutting at the end of refractoriness keeps the frozen I_mem of a refractory
  neuron (spec 2.6 (4)) exact inside a shared step.
* **I_a.** The exponential of the positive feedback is computed only in steps where some
  stage value of some neuron of the group comes within ``IA_CUT_NORMS`` slopes of I_ath
  (checked after the cheap pass, which is redone with I_a if needed).
* **Rest.** A group whose neurons all sit exactly at their closed-form rest (inputs, I_ahp at
  their floors, I_mem at the sub-I_o fixed point of :func:`~hfo_detect.snn.fast.quiet_solve`)
  jumps to the next event in one step (its state does not change).

* **Active slots.** A group of one lane (an output neuron: one synapse slot per hidden neuron
  of its band, 65 in ``hfo256``) runs its slot loops, one scalar iteration per slot, only over
  the slots above their floor: a floored synapse adds exactly I_o,syn at every stage and
  stays there, so those slots enter as one constant share (their signs summed as integers,
  times the floor: the same value whatever the order in which they fell). The active list is
  kept in slot order and equal to "the slots above the floor" after every decay and input, so
  it is a function of the state and chunked runs still equal one-shot runs. After a burst
  most of an output neuron's 64 slots fall back to the floor within ~40 ms. Groups of several
  lanes keep every slot (a slot is floored only when all lanes are, which in the hidden layer's
  two slots is rare), and their sums are unchanged bit for bit. Measured (``bench_engine.py``,
  ``profile`` section, one whole ``detect`` of 32 ch x 600 s): output neurons + interneuron
  6.43 -> 3.44 s; the ``fidelity`` table unchanged.
* **Sliding at I_o.** The right-hand side jumps at I_mem = I_o (spec 2.3: the clipped currents
  switch). While the input lies between ~2 I_o and a few pA, the upper regime pulls I_mem
  down at I_o and the lower one pushes it up: the exact (Filippov) solution stays on I_o until
  the input leaves that range, and it leaves smoothly; an adaptive integrator instead chatters
  across I_o with tiny, mostly rejected steps. There a stage value that lands on the far side
  of I_o (or on it) is put on I_o with derivative 0. The artifact interneuron lives there: its
  two excitatory synapses at their 0.5-pA floors plus I_const put its resting input at 1.5 pA,
  so its rest is I_o itself (not the sub-I_o fixed point of the "Rest" rule). On the
  32 ch x 120 s ``detect`` workload (the ``stats`` counters of :func:`run_lockstep`) its 32
  interneurons took 7.0 M steps (61 % rejected, 1.1 s), 0.7 M with this (0.16 s; the
  ``profile`` section of ``bench_engine.py``: output neurons + interneuron 2.11 -> 1.13 s);
  same spikes, and ``bench_engine.py``'s fidelity table unchanged. The test costs every lane
  of every stage ~10 %, and the hidden (one excitatory,
  one inhibitory synapse: resting input clipped to I_o) and output layers (resting input
  ~30 pA) do not rest on I_o and almost never slide, so it runs only in networks where some
  neuron does (:func:`pins_at_io`).
* **Tolerances** [CHOICE, measured against ``fast`` at rtol 1e-8]: ``lockstep_rtol`` = 3e-5,
  ``lockstep_atol`` = 2e-15 A, and ``lockstep_atol_io`` = 1e-14 A (2 % of I_o) for a lane
  below 2 I_o at both ends of the step. The error of a lane is weighed against
  ``atol + rtol |I_mem|``, so below atol/rtol (~70 pA at 2e-15, ~330 pA at 1e-14) the
  absolute term rules. It used to be 1e-14 A everywhere, on the reasoning that the sub-pA
  relaxation around I_o has no bearing on when a neuron reaches 1 nA; but the rise from a few
  pA to threshold is nearly a dynamics of log I_mem, so an absolute error there is a relative
  one that the rise carries to threshold. Measured on the 300-s busy input of the
  ``bench_engine.py`` fidelity section (155,000 spikes, 488 firing neurons; scratch runs of the
  hidden layer alone): at 1e-14 A everywhere 6 neurons ended one spike apart from the
  reference, 5 of them one spike short, and a relative tolerance 30x tighter (1e-6) changed
  neither that nor the cost (3.0 vs 3.2 s); 1e-15 A everywhere: 3 neurons, 1.6x the CPU;
  1e-15, 2e-15 or 3e-15 A above 2 I_o with 1e-14 A below: 3, 3 and 4 neurons at about the
  same CPU on that input (3.1-3.5 s, single runs). On the throughput workload (32 ch x 600 s,
  the ``engine`` section of ``bench_engine.py``) the split at 2e-15 costs the hidden layer
  alone 546 -> 416 ch-s per CPU-s. Next to I_o the right-hand side
  jumps (the kink every decaying lane crosses), and a tight absolute tolerance there is what
  costs. Steps up to
  ``lockstep_h_max_s`` = 50 ms (5 ms: +50 % steps): a relaxing group is limited by its error,
  not by a cap. (Before the split, with 1e-14 A: on a busy 3 ch x 300 s recording the share of
  neurons with the reference's spike count was 98.4 % at (1e-4, 3e-14), 99.1 % for ``fast``
  and 99.5 % at (3e-5, 1e-14); group steps per channel-second on the throughput workload:
  2,800 at 1e-15 A, 650 at 1e-14 A, 406 at 3e-14 A.)
* **No function call per step.** The lane loops (:func:`_stage_inputs`, :func:`_step` with its
  :func:`_k`, :func:`_decay_full`, :func:`_move_to`) are inlined into the
  kernel (``inline="always"``): a call with array arguments costs numba's reference counting
  of every array, ~0.2 us per group step here, as much as the arithmetic of 16 lanes. Same
  arithmetic, bit for bit (the loops stay vectorized); 1.45x on the whole kernel at group size
  32 (0.72 -> 0.49 s, median of 3, same input as above); first compile ~26 s instead of 16 s
  (cached on disk afterwards).
* **No exp() call in the lanes.** numba vectorizes ``math.exp`` only with Intel's SVML, and the
  llvmlite wheels are not built for it (``llvmlite.binding.targets.has_svml()`` is False, so
  installing ``intel-cmplr-lib-rt`` changes nothing), so decays use :func:`vexp`
  (multiplications only, relative error 2e-13) and I_a :func:`vexp_lane` (the same in the
  lanes' float type): ~1.5x on the whole kernel over libm exp() (back-to-back runs).
* **Float32 lanes** [CHOICE, ``LANE``]. The lane loops run in float32: 16 lanes per AVX-512
  vector instead of 8, so a group of 32 neurons is two vectors. The currents (0.5 pA to 1 nA)
  lie well inside float32's range, and its rounding (6e-8 relative) is far below the step
  tolerance (3e-5). Time, step sizes, the decay tables (float64 exponentials rounded once),
  the interpolation to cut points and the spike search stay float64 (a float32 time would
  lose 0.1-ms resolution after 14 min), and so does the state kept between chunks (float32
  values round-trip exactly). Every constant in a lane loop is a ``LANE`` value: a float64
  literal would promote the lane, and the loop with it, back to float64. The synapses'
  decay over a full step is rounded in the same order as the stage inputs', so the first
  derivative of the next step (FSAL) equals a fresh one bit for bit and chunked runs stay
  equal to one-shot runs.
* **Lane loops without gathers or a second division.** Where both regimes of a constant are
  loaded from memory, a select between them compiled to gathers (four per 16 lanes), so
  :func:`_k` blends them by exact 0/1 weights; and I_a, whose sigmoid is a ratio, enters
  the right-hand side over one common denominator in the same loop (one division per lane
  and stage instead of two; ``with_ia`` is a literal in each of the step's two copies).
* Measured (``bench_engine.py --quick``, ``engine`` section: the hidden layer alone on
  4 ch x 60 s, one core): 319 ch-s per CPU-s before float32 lanes, 377-387 with them,
  511-520 with the two changes above as well; the group steps are the same to 0.01 %
  (``data_scripts/lockstep_census.py``: 7,435 per ch-s against 7,434), and the
  ``fidelity`` table on the eight inputs is unchanged but for the last digit of a few
  shifts and spike-time shares (same spike counts per neuron, HFO events identical).
* **No scalar pass per step.** The three maxima a step needs over its lanes (error ratio,
  closeness to the I_a cut, to threshold) were a scalar loop (the compiler vectorizes no
  float max reduction without reassociation flags), and the step-size rule's log2 called
  ``frexp``. The error ratios are >= 0, and non-negative float32 values order as their int32
  bit patterns: the largest pattern (an integer reduction, which vectorizes) is the largest
  ratio exactly, and its log2 is read off its exponent and mantissa bits; of the other two
  maxima only the signs are used (counts). Same steps and spikes bit for bit; the hidden
  layer alone (the ``engine`` section above) 511-520 -> 574 ch-s per CPU-s.

Where the time went in float64 lanes, on an earlier and busier input (ADM events of the
``throughput`` workload of ``data_scripts/bench_engine.py --quick``: hfo256, 4 ch x 60 s, 365
events and ~250 hidden spikes per channel-second; one core, ``taskset -c 0``, medians of 3 and 5
alternating runs on a machine loaded by other jobs): 70-78 ch-s per CPU-s (the kernel before
groups of 32 and inlining: 36-37; its ``engine`` section: 65-76 against 33-41), 270-310 ns per
neuron-event (590), 14.8 group steps per input event and group of 32 (30 per group of 128), 23 %
of them rejected. A group step costs ~0.3 us of control plus ~17 ns per neuron (four right-hand
sides and, in most steps, four I_a sigmoids: about the machine's arithmetic rate for that work).
The steps are set by neurons near threshold: in a group of 128 some neuron is above the I_a cut
in 89 % of the steps, and 62 % of the rejected steps are set by a neuron above 200 pA (spike
upswings), 15 % by one crossing I_o.

The limit of this design, measured on the first 10 s of the same input: each neuron on its own
step size (groups of 1) would take 9.7 M neuron-steps, 2.8x fewer than groups of 32 (27 M,
rejected ones included) and 5.7x fewer than groups of 128; 62 % of those own steps are taken
at 20-200 pA, 22 % at 2-20 pA, sub-threshold and far below the I_a cut, with steps of ~1 ms
(the input events of a band come every ~6 ms). Those are the steps an exponential integrator
between events (synaptic forcing and membrane decay exact, only the ``(x+I_o)/(x+I_o+I_th)``
factor approximated) would save; inside a shared group they save nothing while one neuron of
the group is near threshold, so that gain needs neurons stepping on their own (with the active
neurons compacted into SIMD lanes). Spike upswings bound it: ~250 spikes per channel-second x
~30 steps each.

Tried and dropped (measured): stages locked to the regime at the step start (more rejections,
shifts up to 0.8 ms); a looser tolerance only for lanes crossing I_o (10 % fewer steps, within
noise); unlimited step shrinking after a rejection (no change); a PI step controller (half the
rejections, 13 % more steps in all) or growth capped at 2x-3x per step (no change); one fused
loop for the whole step instead of a loop per stage (no gain once inlined); groups of 16 or 32
sorted by a static excitability proxy (slower than index order); an error tolerance widened by
``t_tol * |dI_mem/dt|`` (an error worth a time shift: 1e-6 s gives 27 % fewer steps but 98.4 %
of neurons with the reference's spike count instead of 99.5 %); groups of 16 (as fast as 32,
but 98.0 % and 98.7 % of neurons with the reference's spike count on two real snippets, where
32 and 128 give >= 99.0 %); Dormand-Prince 5(4) in place of BS3 (~3x fewer group steps, the
hidden layer 1.25x faster, but at the same tolerances 99.3 % of neurons with the reference's spike
count instead of 100 % on a busy input, and slower than BS3 at the absolute tolerance that mends
it: ``reports/etd_feasibility.md``, section 5). With float32 lanes and the split absolute
tolerance (2026-12-05; ``bench_engine.py --sections engine`` and ``--sections fidelity`` with
``--override network__lockstep_group_size=N``): groups of 64 or 128 make the hidden layer alone
~5 % faster on the full workload (453-458 against 434-435 ch-s per CPU-s; 48, i.e. groups of 48
and 16: 384), but the share of firing neurons with the reference's spike count falls on three
long inputs (at 64: busy 99.39 -> 99.18 %, throughput 99.63 -> 99.45 %, hfo-rich 99.76 ->
99.53 %), a thinner margin on the issue's 99 % for 5 %; 32 stays. A rejected step aimed just
before the earliest I_o crossing of its trial (linear crossing fraction; the error rule's
step when smaller): 20 % fewer rejections but 11 % more accepted steps, 6-13 % slower (scratch
runs on the ``engine`` workload of ``bench_engine.py --quick``).

Exponential integrator between events (measured, not built; ``reports/etd_feasibility.md``,
``data_scripts/lockstep_census.py`` and ``etd_accuracy.py``). On the ``engine`` workload of
``bench_engine.py --quick`` (170 ADM events and 25 hidden spikes per channel-second, unlike the
busier input above) the lane that sets a group step is crossing I_o in 33 % of the steps (61 %
of the rejections), at I_o-20 pA in 24 %, at 20-200 pA in 29 %, above 200 pA in 12 %. Leaving
the lanes that stay at 2-200 pA out of the step control (as if an exponential integrator
advanced them for free) leaves 89 % of the group steps; leaving out every lane below 200 pA and
every I_o crossing leaves 15 % (0.17 s instead of 0.76 s): only both together give several
times. Each neuron on its own steps (groups of 1) takes 2.3x fewer neuron-steps than groups of
32, at 5.4x the CPU time. And one exponential step is not long: at rtol 3e-5, sub-threshold, an
exponential Rosenbrock-Euler step with the synaptic forcing convolved exactly and F(I)
linearized needs steps under 1 ms (shorter than a BS3 step's 1-1.5 ms), a second-order
exponential step in G = I + I_th ln(I + I_o) (which takes F out of the forcing) 1.5-3 ms: the
error comes from F(I) and the I_ahp term varying within the step, which follow I(t) and so carry
the synaptic 4-ms time scale. Splitting a lane's step where it falls through I_o (upper formula
locked for the step, the rest on the sub-I_o branch with its own steps; commit 4c06295,
reverted) takes 25 % fewer group steps but costs ~0.27 us per crossing in scalar code: 4 %
slower.

"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from hfo_detect.snn.dpi import JIT, syn_jump
from hfo_detect.snn.euler import grow
from hfo_detect.snn.fast import hermite
from hfo_detect.snn.params import (N_CAHP, N_CMEM, N_IAGAIN, N_IANORM, N_IATH, N_ICA, N_ICONST,
                                   N_IO, N_IRESET, N_ISHUNT, N_ISPK, N_ITAU, N_ITAUAHP, N_ITH,
                                   N_ITHAHP, NetworkParams, S_ITAU, S_ITH, S_IW, S_SIGN)
from hfo_detect.spikes import SpikeTrains

LADDER_PER_OCTAVE = 8
IA_CUT_NORMS = 20.0  # below the cut I_a < I_again e^-20 ~ 1e-19 A
LOG2_SAFETY = math.log2(0.9)

# rows of the per-lane constant table
(L_IO, L_ITH, L_C1, L_INV_ITAU, L_INV_TAU, L_INV_TAU_O, L_ISH0, L_ICONST, L_IAGAIN, L_IATH,
 L_INV_IANORM, L_IA_CUT, L_SPK, L_RESET, L_AHP_GAIN, L_ITHAHP, L_INV_IO) = range(17)
N_L = 17
#: the lanes' float type; constants in the lane loops carry it (a float64 literal would promote
#: a float32 lane back to float64)
LANE = np.float32
F0, F1, F2, F3, F4 = (LANE(v) for v in (0.0, 1.0, 2.0, 3.0, 4.0))
F_HALF, F_3Q, F_9TH = LANE(0.5), LANE(0.75), LANE(1.0 / 9.0)
E1, E2, E3, E4 = LANE(-5.0 / 72.0), LANE(1.0 / 12.0), LANE(1.0 / 9.0), LANE(0.125)
X40 = LANE(40.0)
XC = tuple(LANE(1.0 / math.factorial(k)) for k in range(1, 12))
XL32 = LANE(1.0 / 32.0)
LOCK_JIT = dict(cache=True, error_model="numpy", fastmath=False, boundscheck=False)
#: the lane loops: no NaN/inf can occur there, and the max reductions only vectorize when the
#: compiler may assume so (no reassociation: results stay bit-reproducible)
VEC_JIT = dict(cache=True, error_model="numpy", fastmath={"nnan", "ninf", "nsz"},
               boundscheck=False)


def neuron_groups(slot_src: np.ndarray, size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Group neurons by the set of streams their synapses listen to.

    ``size``: split every such set into consecutive groups of at most ``size`` neurons (the
    last one shorter; see "Group size" in the module docstring); ``None`` keeps whole sets.
    Returns ``(ptr, members)``: group ``g`` is ``members[ptr[g]:ptr[g+1]]`` (ascending).
    """
    keys: dict[tuple, list[int]] = {}
    for n in range(slot_src.shape[1]):
        keys.setdefault(tuple(sorted(set(slot_src[:, n].tolist()))), []).append(n)
    members = []
    for v in keys.values():
        step = len(v) if size is None else int(size)
        members += [np.asarray(v[k:k + step], np.int64) for k in range(0, len(v), step)]
    ptr = np.concatenate([[0], np.cumsum([m.size for m in members])]).astype(np.int64)
    return ptr, np.concatenate(members) if members else np.zeros(0, np.int64)


@njit(inline="always", **VEC_JIT)
def _stage_inputs(v, sign, dec, io_s, i0, i2, i3, i4, a, a2, a3, a4, io, act, n_act, fl):
    """Synaptic sums at t, t+h/2, t+3h/4, t+h (decay factors b^2, b^3, b^4; floored) and the
    floored I_ahp at the same stages. (Row views: 2-D indexing in the lane loops would keep
    them from vectorizing.) Only the active slots ``act[:n_act]`` are summed, on top of ``fl``,
    the floored slots' constant share (see "Active slots" in the module docstring)."""
    n_slots, n_g = v.shape
    for j in range(n_g):
        i0[j] = fl[j]
        i2[j] = fl[j]
        i3[j] = fl[j]
        i4[j] = fl[j]
    for q in range(n_act):
        sl = act[q]
        vr = v[sl]
        dr = dec[sl]
        sr = sign[sl]
        for j in range(n_g):
            x = vr[j]
            b = dr[j]
            b2 = b * b
            x2 = x * b2
            x3 = x2 * b
            x4 = x2 * b2
            sg = sr[j]
            i0[j] += sg * x
            i2[j] += sg * max(x2, io_s)
            i3[j] += sg * max(x3, io_s)
            i4[j] += sg * max(x4, io_s)
    dr = dec[n_slots]
    for j in range(n_g):
        b = dr[j]
        b2 = b * b
        y2 = a[j] * b2
        a2[j] = max(y2, io[j])
        a3[j] = max(y2 * b, io[j])
        a4[j] = max(y2 * b2, io[j])


@njit(inline="always", **VEC_JIT)
def vexp(y):
    """exp(y) for |y| <= 40 (clamped there) with only multiplications and additions, so that
    loops calling it vectorize (numba vectorizes ``math.exp`` only with Intel's SVML, which
    the llvmlite wheels lack: ``llvmlite.binding.targets.has_svml()`` is False). Scaling and
    squaring: a degree-8 Taylor polynomial at y/1024 (truncation < 1e-18) squared 10 times;
    relative error ~1e-13 (rounding, doubled by each squaring), far below the integrator's
    tolerances. Below -40 the result (< 5e-18) only ever multiplies currents that then sit on
    their I_o floor."""
    t = min(max(y, -40.0), 40.0) * (1.0 / 1024.0)
    p = 1.0 + t * (1.0 + t * (0.5 + t * (1.0 / 6.0 + t * (1.0 / 24.0 + t * (
        1.0 / 120.0 + t * (1.0 / 720.0 + t * (1.0 / 5040.0 + t * (1.0 / 40320.0))))))))
    for _ in range(10):
        p = p * p
    return p


@njit(inline="always", **VEC_JIT)
def vexp_lane(y):
    """:func:`vexp` in the lanes' float type (float32: 5 squarings of a degree-11 Taylor
    polynomial at y/32, evaluated by Estrin's scheme for a short dependency chain; the
    squarings double float32's rounding errors five times: relative error < 6e-6 for |y| <= 5,
    where the I_a sigmoid turns, < 1.2e-5 up to the clamp; a shift of I_a that small moves a
    spike by nanoseconds)."""
    t = min(max(y, -X40), X40) * XL32
    t2 = t * t
    t4 = t2 * t2
    t8 = t4 * t4
    q0 = F1 + t * XC[0] + t2 * (XC[1] + t * XC[2])
    q1 = XC[3] + t * XC[4] + t2 * (XC[5] + t * XC[6])
    q2 = XC[7] + t * XC[8] + t2 * (XC[9] + t * XC[10])
    p = q0 + t4 * q1 + t8 * q2
    for _ in range(5):
        p = p * p
    return p


@njit(inline="always", **VEC_JIT)
def _k(s, x0, iraw, ahp, kc, fr, pin, with_ia, out):
    """dI_mem/dt of spec 2.3 for every lane, both clipping regimes written as selects or, where
    both alternatives are loaded from memory, as exact 0/1 blends (no branch, and 1-D row views
    of the constants, so that the loop vectorizes; a select between two loads compiles to
    gathers: four per 16 lanes cost the hidden layer ~20 %); ``fr`` = 0 freezes a refractory
    neuron.

    ``with_ia`` (a literal at each call site): include the positive feedback I_a (0 below its
    cut, where it is < I_again e^-20, i.e. < 1e-9 of I_mem). The numerator is linear in I_a,
    ``A + I_a B``, and I_a = I_again / E is a ratio, so the right-hand side is written over
    one common denominator: one division per lane and stage instead of two, in one loop.

    ``pin``: handle sliding at I_o (see "Sliding at I_o" in the module docstring): where the
    upper regime pulls I_mem down at I_o and the lower one pushes it up, a stage value on the
    far side of I_o from the step's start ``x0`` (or on it) is put on I_o (written back into
    ``s``) with derivative 0. (Two loops, so that each vectorizes.)"""
    io_ = kc[L_IO]
    ic = kc[L_ICONST]
    c1r = kc[L_C1]
    ish0 = kc[L_ISH0]
    ith = kc[L_ITH]
    iit = kc[L_INV_ITAU]
    iio = kc[L_INV_IO]
    itau = kc[L_INV_TAU]
    itauo = kc[L_INV_TAU_O]
    gain = kc[L_IAGAIN]
    ath = kc[L_IATH]
    inv = kc[L_INV_IANORM]
    cut = kc[L_IA_CUT]
    for j in range(s.shape[0]):
        x = max(s[j], F0)  # a trial stage may overshoot below 0 (I_mem >= 0): keep it finite
        io = io_[j]
        iin = min(max(iraw[j] + ic[j], io), F1)
        up = x > io
        c1 = c1r[j] if up else F1
        ish = min(ish0[j], x)
        aa = ahp[j] if up else io
        th = ith[j] if up else io
        upf = F1 if up else F0
        invt = upf * iit[j] + (F1 - upf) * iio[j]
        invtau = upf * itau[j] + (F1 - upf) * itauo[j]
        num_a = c1 * (iin - ish - aa) - th - (F1 + (ish + aa) * invt) * x
        num_b = c1 + invt * x
        g = F0 if up else F2 * io  # below I_o the I_a term is 2 I_o
        e = F1
        if with_ia:
            on = up & (x >= cut[j])
            e = (F1 + vexp_lane(-(x - ath[j]) * inv[j])) if on else F1
            g = gain[j] if on else g
        out[j] = fr[j] * invtau * (x + io) * (num_a * e + g * num_b) / (e * (th + x + io))
    if pin:
        for j in range(s.shape[0]):
            io = io_[j]
            x = max(s[j], F0)
            iin = min(max(iraw[j] + ic[j], io), F1)
            ia = F0
            if with_ia:
                ia = gain[j] / (F1 + vexp_lane(-(x - ath[j]) * inv[j])) if x >= cut[j] else F0
            slide = (_slides_at_io(iin, ia, ahp[j], io, ish0[j], c1r[j], ith[j], iit[j])
                     & ((x0[j] - io) * (s[j] - io) <= F0))
            s[j] = io if slide else s[j]
            out[j] = F0 if slide else out[j]


@njit(inline="always", **VEC_JIT)
def _slides_at_io(iin, ia, ahp, io, ish0, c1, ith, inv_itau):
    """At I_mem = I_o, does the upper regime pull I_mem down and the lower one push it up?
    (The two numerators of spec 2.3 at I_o; their other factors are positive. The lower one
    reduces to ``iin - 2 I_shunt``.)"""
    ish = min(ish0, io)
    f_up = c1 * (iin + ia - ish - ahp) - ith - (1.0 + (ish + ahp - ia) * inv_itau) * io
    return (f_up < 0.0) & (iin > 2.0 * ish)


@njit(**LOCK_JIT)
def _rests_on_io(nrn, sign_sum, io_syn):
    """Whether some neuron's resting input (every synapse at its floor ``io_syn``, plus
    I_const; I_ahp on its floor, I_a ~ 0) slides at I_o."""
    for c in range(nrn.shape[0]):
        p = nrn[c]
        for n in range(nrn.shape[2]):
            io = p[N_IO, n]
            iin = min(max(io_syn * sign_sum[c, n] + p[N_ICONST, n], io), 1.0)
            if _slides_at_io(iin, 0.0, io, io, max(p[N_ISHUNT, n], io), p[N_ITH, n] / p[N_ITAU, n],
                             p[N_ITH, n], 1.0 / p[N_ITAU, n]):
                return True
    return False


@njit(inline="always", **VEC_JIT)
def _step(x, k1, fsal_ok, i0, i2, i3, i4, a, a2, a3, a4, kc, fr, h, with_ia, k2, k3, x1, k4,
          s2, s3, wk, wki, rtol, atol, atol_io, pin):
    """One Bogacki-Shampine 3(2) step of every lane, stage by stage (each stage a vectorized
    loop over lanes). Returns (the float32 bit pattern of the max error ratio, max over lanes
    and stages of I_mem minus the I_a cut, max over non-refractory lanes of I_mem(t+h) minus
    threshold; of the last two only the sign is returned: 0 or -1, 1 or -1). ``wki`` is an
    int32 view of ``wk``. The absolute tolerance is ``atol_io`` for a lane below twice its
    I_o at both ends of the step, ``atol`` elsewhere."""
    n_g = x.shape[0]
    io_row = kc[L_IO]
    cut = kc[L_IA_CUT]
    spk = kc[L_SPK]
    h2 = F_HALF * h
    h3 = F_3Q * h
    h9 = F_9TH * h
    if not fsal_ok:
        _k(x, x, i0, a, kc, fr, pin, with_ia, k1)
    for j in range(n_g):
        s2[j] = x[j] + h2 * k1[j]
    _k(s2, x, i2, a2, kc, fr, pin, with_ia, k2)
    for j in range(n_g):
        s3[j] = x[j] + h3 * k2[j]
    _k(s3, x, i3, a3, kc, fr, pin, with_ia, k3)
    for j in range(n_g):
        x1[j] = x[j] + h9 * (F2 * k1[j] + F3 * k2[j] + F4 * k3[j])
    _k(x1, x, i4, a4, kc, fr, pin, with_ia, k4)
    for j in range(n_g):
        err = abs(h * (k1[j] * E1 + k2[j] * E2 + k3[j] * E3 - k4[j] * E4))
        mag = max(abs(x[j]), abs(x1[j]))
        wk[0, j] = err / ((atol_io if mag < F2 * io_row[j] else atol) + rtol * mag)
        wk[1, j] = max(max(s2[j], s3[j]), max(x[j], x1[j])) - cut[j]
        wk[2, j] = fr[j] * (x1[j] - spk[j])
    # The reductions as integer ones, which vectorize (a float max reduction does not): the
    # error ratios are >= 0, and non-negative float32 values order as their int32 bit
    # patterns, so the largest pattern is the largest ratio, exactly; of the other two
    # maxima only the signs are used.
    e_bits = wki[0]
    w1 = wk[1]
    w2 = wk[2]
    worst_bits = 0
    n_near = 0
    n_above = 0
    for j in range(n_g):
        worst_bits = max(worst_bits, e_bits[j])
        n_near += 1 if w1[j] >= F0 else 0
        n_above += 1 if w2[j] > F0 else 0
    return worst_bits, (0.0 if n_near > 0 else -1.0), (1.0 if n_above > 0 else -1.0)


@njit(inline="always", **VEC_JIT)
def _decay_full(v, dec, io_s, act, n_act):
    """Active synapses over one full step (decay factor b^4, floored)."""
    for q in range(n_act):
        sl = act[q]
        vr = v[sl]
        dr = dec[sl]
        for j in range(v.shape[1]):
            b2 = dr[j] * dr[j]
            vr[j] = max(vr[j] * b2 * b2, io_s)  # as x4 of _stage_inputs: FSAL k1 exact


@njit(inline="always", **JIT)
def _log2_bits(bits):
    """:func:`~hfo_detect.snn.fast._log2_approx` of a positive normal float32 given by its bit
    pattern (exponent and mantissa read off the bits: the same value, without a frexp call)."""
    u = (bits & 0x7FFFFF) * (1.0 / 8388608.0)
    return ((bits >> 23) - 127) + u * (1.3466 - 0.3466 * u)


@njit(inline="always", **LOCK_JIT)
def _move_to(v, a, x, k1, x1, k4, rate, kc, h, dt, io_s, act, n_act):
    """All lanes from t to t + dt (dt inside the step just computed): I_mem on the Hermite
    interpolant, active synapses and I_ahp by their exact floored decay."""
    n_slots, n_g = v.shape
    u = dt / h
    for j in range(n_g):
        x[j] = hermite(x[j], k1[j], x1[j], k4[j], h, u)
    _decay(v, a, rate, kc[L_IO], dt, io_s, act, n_act)


@njit(inline="always", **VEC_JIT)
def _fill_dec(d, rate, dt):
    for r in range(rate.shape[0]):
        dr = d[r]
        rr = rate[r]
        for j in range(rate.shape[1]):
            dr[j] = vexp(-dt * rr[j])


@njit(inline="always", **VEC_JIT)
def _decay(v, a, rate, io, dt, io_s, act, n_act):
    """Active synapses and I_ahp over ``dt``: exact floored decay (values never sit below their
    floor, so ``max`` with the floor is the whole rule)."""
    n_slots = v.shape[0]
    for q in range(n_act):
        sl = act[q]
        vr = v[sl]
        rr = rate[sl]
        for j in range(v.shape[1]):
            vr[j] = max(vr[j] * vexp(-dt * rr[j]), io_s)
    rr = rate[n_slots]
    for j in range(a.shape[0]):
        a[j] = max(a[j] * vexp(-dt * rr[j]), io[j])


@njit(inline="always", **LOCK_JIT)
def _all_slots_active(v, sign, io_l, track, act, fl, cnt):
    """Active slots from the state: for a tracked group (one lane), the slots above their floor
    (``cnt[0]`` is the sum of the others' signs, an integer, so it does not depend on the order
    in which slots fell to the floor, and ``fl`` their constant share, ``cnt[0]`` times the
    floor); otherwise every slot, ``fl`` = 0. Returns the number of active slots."""
    n_slots, n_g = v.shape
    if not track:
        for sl in range(n_slots):
            act[sl] = sl
        for j in range(n_g):
            fl[j] = F0
        return n_slots
    n_act = 0
    c = 0.0
    for sl in range(n_slots):
        if v[sl, 0] > io_l:
            act[n_act] = sl
            n_act += 1
        else:
            c += sign[sl, 0]
    cnt[0] = c
    fl[0] = LANE(c) * io_l
    return n_act


@njit(inline="always", **LOCK_JIT)
def _drop_floored(v, sign, io_l, act, n_act, fl, cnt):
    """Remove from the (tracked, one-lane) active slots those that decayed onto their floor
    (order kept); returns the new count."""
    m = 0
    c = 0.0
    for q in range(n_act):
        sl = act[q]
        if v[sl, 0] > io_l:
            act[m] = sl
            m += 1
        else:
            c += sign[sl, 0]
    if m < n_act:
        cnt[0] += c
        fl[0] = LANE(cnt[0]) * io_l
    return m


@njit(inline="always", **LOCK_JIT)
def _activate(sl, sign, io_l, act, n_act, fl, cnt):
    """Insert slot ``sl`` (tracked group, just lifted off its floor) into the active slots in
    ascending order; returns the new count."""
    q = n_act
    while q > 0 and act[q - 1] > sl:
        act[q] = act[q - 1]
        q -= 1
    act[q] = sl
    cnt[0] -= sign[sl, 0]
    fl[0] = LANE(cnt[0]) * io_l
    return n_act + 1


@njit(**LOCK_JIT)
def _group_setup(c, idx, syn, nrn, syn_const, kappa, ut, v, sign, rate, iw, itau, ith, kc,
                 i_syn, imem, iahp, ref_until, x, a, ru):
    c_s, ut_s, kappa_s = syn_const[1], syn_const[2], syn_const[3]
    n_slots = v.shape[0]
    for j in range(idx.size):
        n = idx[j]
        for sl in range(n_slots):
            v[sl, j] = i_syn[c, sl, n]
            sign[sl, j] = syn[c, S_SIGN, sl, n]
            rate[sl, j] = kappa_s * syn[c, S_ITAU, sl, n] / (c_s * ut_s)
            iw[sl, j] = syn[c, S_IW, sl, n]
            itau[sl, j] = syn[c, S_ITAU, sl, n]
            ith[sl, j] = syn[c, S_ITH, sl, n]
        p = nrn[c]
        rate[n_slots, j] = kappa * p[N_ITAUAHP, n] / (p[N_CAHP, n] * ut)
        io = p[N_IO, n]
        kc[L_IO, j] = io
        kc[L_ITH, j] = p[N_ITH, n]
        kc[L_C1, j] = p[N_ITH, n] / p[N_ITAU, n]
        kc[L_INV_ITAU, j] = 1.0 / p[N_ITAU, n]
        kc[L_INV_TAU, j] = kappa * p[N_ITAU, n] / (p[N_CMEM, n] * ut)
        kc[L_INV_TAU_O, j] = kappa * io / (p[N_CMEM, n] * ut)
        kc[L_ISH0, j] = max(p[N_ISHUNT, n], io)
        kc[L_ICONST, j] = p[N_ICONST, n]
        kc[L_IAGAIN, j] = p[N_IAGAIN, n]
        kc[L_IATH, j] = p[N_IATH, n]
        kc[L_INV_IANORM, j] = 1.0 / p[N_IANORM, n]
        kc[L_IA_CUT, j] = p[N_IATH, n] - IA_CUT_NORMS * p[N_IANORM, n]
        kc[L_SPK, j] = p[N_ISPK, n]
        kc[L_RESET, j] = p[N_IRESET, n]
        kc[L_AHP_GAIN, j] = p[N_ICA, n] / p[N_ITAUAHP, n]
        kc[L_ITHAHP, j] = p[N_ITHAHP, n]
        kc[L_INV_IO, j] = 1.0 / io
        x[j] = imem[c, n]
        a[j] = iahp[c, n]
        ru[j] = ref_until[c, n]


@njit(**LOCK_JIT)
def lockstep_kernel(t_stop, ev_ptr, ev_time, ev_src, grp_ptr, grp_nrn, slot_src, syn, nrn,
                    syn_const, kappa, ut, refp, rtol, atol, atol_io, h_min, h_max, pin,
                    i_syn, imem, nrn_t, iahp, ref_until, hstep, stats):
    """Advance every channel's groups to ``t_stop`` through their input events.

    State arrays as in :class:`~hfo_detect.snn.simulate.NetworkState` (all neurons of a group
    share ``nrn_t`` and ``hstep``), updated in place. ``stats`` (int64, 4 or 5) accumulates group
    steps accepted, rejected, cut points, neuron-steps (accepted steps x group size) and, if
    it has a fifth entry, slot-steps (active synapse slots summed over accepted steps; see
    "Active slots").
    Returns spike times, channels and neuron indices (unsorted).
    """
    n_ch, _, n_slots, n_h = syn.shape
    n_streams = 0
    for n in range(n_h):
        for sl in range(n_slots):
            n_streams = max(n_streams, slot_src[sl, n] + 1)
    for e in range(ev_src.size):  # streams no neuron listens to (the artifact band's) too:
        n_streams = max(n_streams, ev_src[e] + 1)  # in_grp is indexed by every event's stream
    io_s = syn_const[0]
    io_l = LANE(io_s)
    rtol_l = LANE(rtol)
    atol_l = LANE(atol)
    atol_io_l = LANE(atol_io)
    out_t = np.empty(1024)
    out_ch = np.empty(1024, np.int32)
    out_n = np.empty(1024, np.int32)
    n_out = 0
    n_lev = int(math.floor(LADDER_PER_OCTAVE * math.log2(h_max / h_min) + 1e-9)) + 1
    hl = np.empty(n_lev)
    for lv in range(n_lev):
        hl[lv] = h_min * 2.0 ** (lv / LADDER_PER_OCTAVE)
    inv_log_step = LADDER_PER_OCTAVE / math.log(2.0)
    max_up = int(math.floor(LADDER_PER_OCTAVE * math.log2(5.0)))
    n_acc = 0
    n_rej = 0
    n_cut = 0
    n_lane = 0
    n_slot = 0
    for g in range(grp_ptr.size - 1):
        idx = grp_nrn[grp_ptr[g]:grp_ptr[g + 1]]
        n_g = idx.size
        in_grp = np.zeros(n_streams, np.bool_)
        lane_src = np.empty((n_slots, n_g), np.int64)
        for j in range(n_g):
            for sl in range(n_slots):
                lane_src[sl, j] = slot_src[sl, idx[j]]
                in_grp[slot_src[sl, idx[j]]] = True
        v = np.empty((n_slots, n_g), LANE)
        sign = np.empty((n_slots, n_g), LANE)
        rate = np.empty((n_slots + 1, n_g))
        iw = np.empty((n_slots, n_g), LANE)
        itau = np.empty((n_slots, n_g), LANE)
        ith = np.empty((n_slots, n_g), LANE)
        kc = np.empty((N_L, n_g), LANE)
        dec = np.empty((n_lev, n_slots + 1, n_g), LANE)
        filled = np.zeros(n_lev, np.bool_)
        x = np.empty(n_g, LANE)
        a = np.empty(n_g, LANE)
        ru = np.empty(n_g)
        fr = np.empty(n_g, LANE)
        k1 = np.empty(n_g, LANE)
        k2 = np.empty(n_g, LANE)
        k3 = np.empty(n_g, LANE)
        k4 = np.empty(n_g, LANE)
        x1 = np.empty(n_g, LANE)
        i0 = np.empty(n_g, LANE)
        i2 = np.empty(n_g, LANE)
        i3 = np.empty(n_g, LANE)
        i4 = np.empty(n_g, LANE)
        a2 = np.empty(n_g, LANE)
        a3 = np.empty(n_g, LANE)
        a4 = np.empty(n_g, LANE)
        s2 = np.empty(n_g, LANE)
        s3 = np.empty(n_g, LANE)
        wk = np.empty((3, n_g), LANE)
        wki = wk.view(np.int32)
        one_f = np.empty(1, LANE)
        one_bits = one_f.view(np.int32)
        with_ia = False
        io = np.empty(n_g, LANE)
        # "Active slots": a one-lane group (an output neuron, with a slot per hidden neuron)
        # computes only its synapses above their floor
        track = n_g == 1
        act = np.empty(n_slots, np.int64)
        fl = np.empty(n_g, LANE)
        cnt = np.zeros(1)
        for c in range(n_ch):
            _group_setup(c, idx, syn, nrn, syn_const, kappa, ut, v, sign, rate, iw, itau, ith, kc,
                         i_syn, imem, iahp, ref_until, x, a, ru)
            for j in range(n_g):
                io[j] = kc[L_IO, j]
            n_act = _all_slots_active(v, sign, io_l, track, act, fl, cnt)
            filled[:] = False
            t = nrn_t[c, idx[0]]
            lv = int(round(math.log(hstep[c, idx[0]] / h_min) * inv_log_step))
            lv = min(max(lv, 0), n_lev - 1)
            fsal_ok = False
            ref_last = -np.inf  # latest end of refractoriness among the lanes
            for j in range(n_g):
                ref_last = max(ref_last, ru[j])
            fr_dirty = True
            e = ev_ptr[c]
            e_end = ev_ptr[c + 1]
            while True:
                while e < e_end and not in_grp[ev_src[e]]:
                    e += 1
                final = e >= e_end
                t_target = t_stop if final else ev_time[e]
                # ---- integrate the group from t to t_target ----
                while t < t_target:
                    # refractory lanes (frozen for the whole step: refractory ends are cuts)
                    next_ref = np.inf
                    if t < ref_last:  # some lane may be refractory (else fr stays all 1)
                        for j in range(n_g):
                            frozen = ru[j] > t
                            fr[j] = F0 if frozen else F1
                            if frozen:
                                next_ref = min(next_ref, ru[j])
                    elif fr_dirty:
                        fr[:] = F1
                        fr_dirty = False
                    h = hl[lv]
                    if not filled[lv]:
                        _fill_dec(dec[lv], rate, 0.25 * h)
                        filled[lv] = True
                    h_l = LANE(h)
                    _stage_inputs(v, sign, dec[lv], io_l, i0, i2, i3, i4, a, a2, a3, a4, io, act,
                                  n_act, fl)
                    # the cheap pass without I_a is redone with it when some stage value came
                    # near the cut; one call site per copy of the step (with_ia a literal in
                    # each: every copy is compiled code, and memory, at the first run)
                    fs = fsal_ok
                    redo = False
                    while True:
                        if with_ia:
                            worst_bits, near, above = _step(
                                x, k1, fs, i0, i2, i3, i4, a, a2, a3, a4, kc, fr, h_l, True, k2,
                                k3, x1, k4, s2, s3, wk, wki, rtol_l, atol_l, atol_io_l, pin)
                        else:
                            worst_bits, near, above = _step(
                                x, k1, fs, i0, i2, i3, i4, a, a2, a3, a4, kc, fr, h_l, False, k2,
                                k3, x1, k4, s2, s3, wk, wki, rtol_l, atol_l, atol_io_l, pin)
                        if near >= 0.0 and not with_ia:
                            with_ia = True
                            fs = False
                            redo = True
                            continue
                        break
                    if near < 0.0 and with_ia and not redo:
                        with_ia = False
                    fsal_ok = True  # k1 holds the derivative at (t, state) until the state moves
                    one_bits[0] = worst_bits
                    worst = one_f[0]
                    if worst < 1e-4:
                        dl = max_up
                    else:
                        dl = int(math.floor(LADDER_PER_OCTAVE * (LOG2_SAFETY
                                                                 - _log2_bits(worst_bits) / 3.0)))
                        dl = min(max_up, max(-max_up, dl))
                    if worst > 1.0 and lv > 0:
                        lv = max(0, lv + min(dl, -1))
                        n_rej += 1
                        continue
                    n_acc += 1
                    n_lane += n_g
                    n_slot += n_act
                    t_end = t + h
                    # first cut point inside (t, t_end]: spike, end of refractoriness, event
                    t_cut = t_end
                    sp_lane = -1
                    for j in range(n_g if above > 0.0 else 0):
                        if fr[j] > 0.0 and x1[j] > kc[L_SPK, j]:
                            thr = kc[L_SPK, j]
                            lo = 0.0
                            hi = 1.0
                            for _ in range(60):
                                mid = 0.5 * (lo + hi)
                                if hermite(x[j], k1[j], x1[j], k4[j], h, mid) > thr:
                                    hi = mid
                                else:
                                    lo = mid
                            t_sp = t + hi * h
                            if t_sp < t_cut or (t_sp == t_cut and sp_lane < 0):
                                t_cut = t_sp
                                sp_lane = j
                    if next_ref < t_cut:
                        t_cut = next_ref
                        sp_lane = -1
                    if t_target < t_cut and not final:
                        t_cut = t_target
                        sp_lane = -1
                    if final and t_end > t_target and t_cut >= t_target:
                        break  # the straddling step belongs to the next chunk
                    if t_cut >= t_end and sp_lane < 0:
                        # full step
                        for j in range(n_g):
                            x[j] = x1[j]
                            k1[j] = k4[j]
                        _decay_full(v, dec[lv], io_l, act, n_act)
                        if track:
                            n_act = _drop_floored(v, sign, io_l, act, n_act, fl, cnt)
                        for j in range(n_g):
                            a[j] = a4[j]
                        t = t_end
                        lv = min(n_lev - 1, max(0, lv + dl))
                        continue
                    n_cut += 1
                    _move_to(v, a, x, k1, x1, k4, rate, kc, h, t_cut - t, io_s, act, n_act)
                    if track:
                        n_act = _drop_floored(v, sign, io_l, act, n_act, fl, cnt)
                    t = t_cut
                    fsal_ok = False
                    if sp_lane >= 0:
                        j = sp_lane
                        aj = a[j]
                        a[j] = aj + kc[L_AHP_GAIN, j] * (kc[L_ITHAHP, j] if aj > kc[L_IO, j]
                                                          else kc[L_IO, j])
                        x[j] = kc[L_RESET, j]
                        ru[j] = t + refp
                        ref_last = max(ref_last, ru[j])
                        fr_dirty = True
                        out_t = grow(out_t, n_out + 1)
                        out_ch = grow(out_ch, n_out + 1)
                        out_n = grow(out_n, n_out + 1)
                        out_t[n_out] = t
                        out_ch[n_out] = c
                        out_n[n_out] = idx[j]
                        n_out += 1
                if final:
                    break
                # ---- the event's synapses jump (values are at t = event time) ----
                s = ev_src[e]
                for sl in range(n_slots):
                    for j in range(n_g):
                        if lane_src[sl, j] == s:
                            val = v[sl, j]
                            v[sl, j] = val + syn_jump(val, iw[sl, j], itau[sl, j], ith[sl, j],
                                                      io_s)
                            if track and val <= io_l and v[sl, j] > io_l:
                                n_act = _activate(sl, sign, io_l, act, n_act, fl, cnt)
                fsal_ok = False
                e += 1
            # ---- scatter the group's state back ----
            for j in range(n_g):
                n = idx[j]
                for sl in range(n_slots):
                    i_syn[c, sl, n] = v[sl, j]
                imem[c, n] = x[j]
                iahp[c, n] = a[j]
                ref_until[c, n] = ru[j]
                nrn_t[c, n] = t
                hstep[c, n] = hl[lv]
    stats[0] += n_acc
    stats[1] += n_rej
    stats[2] += n_cut
    stats[3] += n_lane
    if stats.size > 4:
        stats[4] += n_slot
    return out_t[:n_out], out_ch[:n_out], out_n[:n_out]


def pins_at_io(params: NetworkParams) -> bool:
    """Whether the kernel handles sliding at I_o for this network (see "Sliding at I_o" in the
    module docstring): where some neuron rests on I_o, i.e. its resting input (every synapse at
    its floor, plus I_const) lies where the two clipping regimes meet at I_o."""
    return bool(_rests_on_io(params.neuron, params.synapse[:, S_SIGN].sum(axis=1),
                             float(params.syn_const[0])))


def run_lockstep(params: NetworkParams, adm: SpikeTrains, t_start: float, t_stop: float,
                 state, stats: np.ndarray | None = None) -> SpikeTrains:
    """Run :func:`lockstep_kernel` on the events of ``[t_start, t_stop)`` (``adm`` sorted)."""
    keep = (adm.times >= t_start) & (adm.times < t_stop)
    times, ch, src = adm.times[keep], adm.channel[keep], adm.source[keep]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(ch, minlength=params.n_channels))])
    cfg = params.cfg
    grp_ptr, grp_nrn = neuron_groups(params.slot_src, cfg.lockstep_group_size)
    stats = np.zeros(5, np.int64) if stats is None else stats
    out_t, out_ch, out_n = lockstep_kernel(
        float(t_stop), ptr.astype(np.int64), times, src.astype(np.int64), grp_ptr, grp_nrn,
        params.slot_src.astype(np.int64), params.synapse, params.neuron, params.syn_const,
        params.neuron_kappa, params.neuron_ut, params.refractory_s, cfg.lockstep_rtol,
        cfg.lockstep_atol, cfg.lockstep_atol_io, cfg.fast_h_min_s, cfg.lockstep_h_max_s,
        pins_at_io(params),
        state.i_syn, state.imem,
        state.nrn_t, state.iahp, state.ref_until, state.h, stats)
    return SpikeTrains(out_t, out_ch, out_n, params.n_channels).sort()
