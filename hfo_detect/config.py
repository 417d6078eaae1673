"""All parameters of the pipeline, as frozen dataclasses, and the named presets.

One place for every number. Each stage takes the part of :class:`PipelineConfig` it needs
(``cfg.filters``, ``cfg.adm``, ...), so a stage is testable alone. Values marked *[CODE]*
come from the authors' released code (kburel/SNN_HFO_iEEG @ 4179dda) and parameter files in
``shared/data/reference_params``; *[PAPER]* from Sharifhazileh et al. (2021), Table 4;
*[CHOICE]* are our own design choices (kept as parameters).

Presets
-------
``sharifhazileh2021``
    The paper's software model exactly: 4 inputs -> 85 hidden DPI neurons, released weights and
    time constants, faithful 35 kHz ADM, whole-interval threshold rule, Euler at 0.1 ms.
``hfo256`` (default)
    The published device: 256 hidden neurons and 512 synapses with one-bit weights, matched E/I
    time constants and device mismatch (CV 0.2); ripple and fast-ripple sub-populations so each
    HFO gets a band label. Continuous ADM and the ``lockstep`` integrator for throughput. A second
    layer (one DPI output neuron per band, as in the authors' later code) and an artifact path (600-900 Hz ADM ->
    inhibitory interneuron); the noise-floor calibration ``floor``; ADM scale factors and output
    weights learned by ``NeuromorphicDetector.fit(X, y)`` (``data_scripts/learn_defaults.py``).
``burelo2021_ecog``
    The intraoperative ECoG network (Burelo et al. 2021): 256 neurons fed by the fast-ripple pair.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from hfo_detect.errors import ConfigError

# --------------------------------------------------------------------------------------
# Front end
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Validation at construction (MNE's ``_check_option`` style): a bad value fails when the config
# is built, before any pass over a recording.
# --------------------------------------------------------------------------------------


def _check_option(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ConfigError(f"invalid value for the {name!r} parameter: allowed values are {options}, "
                          f"but got {value!r} instead")


def _check_range(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
                 lo_open: bool = False, none_ok: bool = False, integer: bool = False) -> None:
    if value is None and none_ok:
        return
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"the {name!r} parameter must be a number, got {value!r}") from None
    ok = v == v and (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or v <= hi)
    if integer and ok:
        ok = v == int(v)
    if not ok:
        lo_txt = "-inf" if lo is None else f"{lo:g}"
        hi_txt = "inf" if hi is None else f"{hi:g}"
        span = f"{'(' if lo_open or lo is None else '['}{lo_txt}, {hi_txt}{']' if hi is not None else ')'}"
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"the {name!r} parameter must be {kind} in {span}, got {value!r}")



@dataclass(frozen=True)
class BandConfig:
    """One band of the filter bank.

    Parameters
    ----------
    name : str
        ``"ripple"`` or ``"fast_ripple"`` (names used in event tables and ADM streams).
    low_hz, high_hz : float
        Pass band edges [CODE: 80-250 Hz and 250-500 Hz].
    order : int
        Butterworth order *per edge* as given to ``scipy.signal.butter`` (2 -> 4 poles) [CODE].
    scale_factor : float
        ADM threshold scale factor for this band [CODE ADM_parameters.mat: 0.6 R, 0.3 FR].
    role : {"hfo", "artifact"}
        ``hfo``: a band the hidden layer listens to (events are labelled with its name).
        ``artifact``: a band above the HFO bands whose ADM drives the artifact-rejection path
        only (the authors' later 500-900 Hz "advanced artifact filter", kburel/snn-hfo-detection
        ``advanced_artifact_filter.py``); a sampling
        rate that cannot carry it drops it (and the rejection) with a warning, whatever
        ``on_low_fs`` says.
    kind : str
        Event kind of an ``hfo`` band when it is one of several sub-bands of a kind (e.g.
        ``"ripple"`` for the sub-band ``ripple_lo``); empty: the band's name. Events of all
        sub-bands of a kind are read out together and labelled with the kind.
    """

    name: str
    low_hz: float
    high_hz: float
    order: int = 2
    scale_factor: float = 0.6
    role: str = "hfo"
    kind: str = ""

    @property
    def event_kind(self) -> str:
        """Kind of the events this band marks (``kind``, else ``name``)."""
        return self.kind or self.name

    def __post_init__(self) -> None:
        _check_option("role", self.role, ("hfo", "artifact"))
        _check_range("low_hz", self.low_hz, 0.0, lo_open=True)
        _check_range("high_hz", self.high_hz, self.low_hz, lo_open=True)
        _check_range("order", self.order, 1, integer=True)
        _check_range("scale_factor", self.scale_factor, 0.0, lo_open=True)



RIPPLE = BandConfig("ripple", 80.0, 250.0, 2, 0.6)
FAST_RIPPLE = BandConfig("fast_ripple", 250.0, 500.0, 2, 0.3)
#: Sub-bands of the hfo256 front end [CHOICE]: each HFO band split in two at its geometric
#: centre (80-141-250 Hz, 250-354-500 Hz). The background of iEEG falls as 1/f^a, so most of
#: a wide band's noise sits at its low edge, and a narrow-band HFO competes only with the noise
#: of its own sub-band: an HFO of a given SNR (against its whole band) stands higher above its
#: sub-band's calibrated ADM threshold. Measured on training data (make_training seeds 7, 8,
#: band envelope over 20 ms, threshold at 1 % false alarms per 100 ms of background;
#: data_scripts/subband_diagnostic.py): recall of 0-6 dB ripples 0.38 -> 0.82 (6-10 dB 0.75 ->
#: 0.99), of 0-6 dB fast ripples 0.52 -> 0.66; three or four sub-bands add little.
RIPPLE_SUBBANDS = (BandConfig("ripple_lo", 80.0, 141.4, 2, 0.6, kind="ripple"),
                   BandConfig("ripple_hi", 141.4, 250.0, 2, 0.6, kind="ripple"))
FAST_RIPPLE_SUBBANDS = (BandConfig("fast_ripple_lo", 250.0, 353.6, 2, 0.3, kind="fast_ripple"),
                        BandConfig("fast_ripple_hi", 353.6, 500.0, 2, 0.3, kind="fast_ripple"))
#: The authors' scalp artifact band [CODE S3 HEAD stages/filter.py: 500-900 Hz, order 2].
ARTIFACT = BandConfig("artifact", 500.0, 900.0, 2, 1.0, role="artifact")
#: The hfo256 artifact band [CHOICE]: 600-900 Hz, order 4. The authors' 2nd-order 500-900 Hz
#: filter is only 5 dB down at 450 Hz, so a strong fast ripple (up to 500 Hz) leaks into it
#: and its own artifact path silences it; 600 Hz and order 4 put 450 Hz 22 dB down (480 Hz:
#: 18 dB) while a broadband transient keeps its 600-900 Hz content. Measured on training data
#: (make_training seeds 7, 8; simulate seed 100): fast-ripple F1 0.54 -> 0.61 at the old
#: settings, recall of >= 14 dB fast ripples no longer below that of 10-14 dB ones.
ARTIFACT_SHARP = BandConfig("artifact", 600.0, 900.0, 4, 1.0, role="artifact")
#: A second, high-threshold ADM on the ripple band: its events mean a ripple-band swing far
#: above any HFO, the ringing of a spike's sharp edge [CHOICE; the amplitude test of the
#: Morphology detector (Burnos et al. 2016) as an ADM].
RIPPLE_HIGH = BandConfig("ripple_high", 80.0, 250.0, 2, 3.0, role="artifact")


@dataclass(frozen=True)
class FilterBankConfig:
    """Band-pass filter bank.

    Parameters
    ----------
    bands : tuple of BandConfig
        Bands in stream order (stream index = 2*band + {0: UP, 1: DN}).
    mode : {"causal", "zero-phase"}
        ``causal`` = single-pass ``sosfilt`` from zero initial state, what the chip and the
        paper's software do [CODE]. ``zero-phase`` (``sosfiltfilt``) exists for offline users only
        and cannot stream.
    on_low_fs : {"error", "drop"}
        What to do when the sampling rate cannot carry a band (``high_hz >= fs/2``): raise
        :class:`~hfo_detect.errors.SamplingRateError`, or drop the band with a warning.
    sfreq_snap_rtol : float
        A sampling rate within this relative distance of a whole number of Hz is taken as that
        number (e.g. 1999.9999999993 Hz derived from a stored time vector -> 2000 Hz), so that
        the sample times ``i / fs`` and the faithful ADM grid are the authors' [CHOICE]. 0 disables.
    """

    bands: tuple[BandConfig, ...] = (RIPPLE, FAST_RIPPLE)
    mode: str = "causal"
    on_low_fs: str = "error"
    sfreq_snap_rtol: float = 1e-9

    def __post_init__(self) -> None:
        _check_option("mode", self.mode, ("causal", "zero-phase"))
        _check_option("on_low_fs", self.on_low_fs, ("error", "drop"))
        _check_range("sfreq_snap_rtol", self.sfreq_snap_rtol, 0.0, 1e-3)
        if not self.bands:
            raise ConfigError("the 'bands' parameter needs at least one band")



@dataclass(frozen=True)
class CalibrationConfig:
    """ADM threshold calibration (noise-floor rule) per channel and band.

    ``delta = ceil(scale_factor * (mean of quietest maxima + mean of quietest |minima|))``.

    Parameters
    ----------
    rule : {"whole", "first10s", "floor"}
        ``whole``: the S1 rule, 1-s windows over the whole interval, 50 quietest [CODE 4179dda].
        ``first10s``: the later rule, first 10 s only, 0.5-s windows, quietest sixth (>= 1)
        [CODE PR #72].
        ``floor``: the same statistic on short windows (0.25 s) over the whole recording, mean
        of the quietest ``quiet_fraction`` of them [CHOICE]. ``whole`` takes 50 windows
        whatever the length, so on a 5-s or 50-s file it averages every window, HFOs included,
        and the threshold rises with the HFO rate; a fixed fraction of short windows stays on
        the noise floor at any length (a 5-s file still has 20 windows, 3 quietest).
    window_s : float or None
        Window length; ``None`` takes the rule's own (1.0, 0.5 or 0.25 s).
    n_quiet : int or None
        Number of quietest windows (``whole``: 50).
    quiet_fraction : float
        Fraction of windows for ``first10s`` (1/6).
    duration_s : float or None
        Calibration span for ``first10s`` (10 s).
    resolution_uv : float
        Thresholds are rounded up to a multiple of this: 1 uV is the authors' ``ceil``; the
        chip's threshold is an analog bias, so a finer step is a [CHOICE] (the ceil to whole
        microvolts raises a 1.4-uV fast-ripple threshold by 40 %).
    min_signal_sd_uv : float
        Unit guard: a channel whose filtered SD is below this (while its threshold rounds up to 1)
        is taken for data in volts, not microvolts, and raises
        :class:`~hfo_detect.errors.UnitError` [CHOICE].
    track_s : float or None
        [CHOICE; None = one threshold per channel and band for the whole recording, the
        paper; hfo256: 10 s] The threshold follows the noise floor: the same statistic over
        the windows of a ``track_s`` span centred on each window (shifted to lie inside the
        recording; the rule's quiet fraction of its windows), so the effective threshold is
        the channel's threshold times (local floor / whole-recording floor), interpolated
        linearly between window centres. On the chip this is the host re-programming the ADM
        threshold bias as the background changes (or a gain stage ahead of the ADM). Why: the
        background of real iEEG changes with vigilance and sleep stage over tens of seconds; a
        floor taken from the quietest stretch of the whole recording sets thresholds that the
        noise alone crosses once the background is 1.5-2x louder (measured on
        ``data_scripts/make_heldout.py``, whose background drifts: most false detections fell
        where the local floor was 1.5-2.3x the quietest). A recording no longer than the span
        keeps the untracked thresholds exactly, and so does a rule that stops early
        (``first10s``, or a ``duration_s``): it sees no later floor to follow. See
        :class:`~hfo_detect.frontend.calibration.FloorTrack`.
    """

    rule: str = "whole"
    window_s: float | None = None
    n_quiet: int | None = None
    quiet_fraction: float = 1.0 / 6.0
    duration_s: float | None = None
    resolution_uv: float = 1.0
    min_signal_sd_uv: float = 0.01
    track_s: float | None = None

    def __post_init__(self) -> None:
        _check_option("rule", self.rule, ("whole", "first10s", "floor"))
        _check_range("track_s", self.track_s, 0.0, lo_open=True, none_ok=True)
        _check_range("resolution_uv", self.resolution_uv, 0.0, lo_open=True)
        _check_range("window_s", self.window_s, 0.0, lo_open=True, none_ok=True)
        _check_range("n_quiet", self.n_quiet, 1, none_ok=True, integer=True)
        _check_range("quiet_fraction", self.quiet_fraction, 0.0, 1.0, lo_open=True)
        _check_range("duration_s", self.duration_s, 0.0, lo_open=True, none_ok=True)
        _check_range("min_signal_sd_uv", self.min_signal_sd_uv, 0.0)



@dataclass(frozen=True)
class ADMConfig:
    """Asynchronous delta modulator.

    Parameters
    ----------
    encoder : {"faithful", "continuous"}
        ``faithful``: the paper's software model (linear interpolation onto a 35 kHz grid,
        reference reset to the current value, refractory skip) [CODE]. ``continuous``: exact
        threshold-crossing times of the piecewise-linear signal [CHOICE].
    interp_hz : float
        Interpolation rate of the faithful encoder [CODE interpfact = 35000].
    refractory_s : float
        Refractory period after each event [CODE 0.0003 s].
    reference : {"held", "tracks"}
        The reference during the refractory period (``continuous`` only). ``held``: set to the
        input at the event and held (the authors' software, and every preset). ``tracks``: it
        follows the input until the period ends (a reset pulse as long as the refractory
        period), so the next event counts from where the input is then. Measured: with
        ``held`` a free-running event leaves the reference exactly one threshold from the last,
        so between fast swings it moves on a grid whose offset is set by the past, and the
        background event rate depends on that offset (random initial references change a
        channel's background rate of the real 5-s crop with a median CV of 0.49; ``tracks``
        makes the events a function of the signal alone). ``tracks`` with relearned defaults
        scored lower on held-out data (F1 0.76 / 0.77 against 0.79 / 0.79 on the simulator /
        training generator; crop 0.34 against 0.40), so the presets keep ``held``
        (``data_scripts/variant_study.py adm-phase`` and ``learn``).
    """

    encoder: str = "faithful"
    interp_hz: float = 35000.0
    refractory_s: float = 3e-4
    reference: str = "held"

    def __post_init__(self) -> None:
        _check_option("encoder", self.encoder, ("faithful", "continuous"))
        _check_option("reference", self.reference, ("held", "tracks"))
        if self.encoder == "faithful" and self.reference != "held":
            raise ConfigError("the 'reference' parameter 'tracks' needs encoder='continuous' "
                              "(the faithful encoder is the authors' held reference)")
        _check_range("interp_hz", self.interp_hz, 0.0, lo_open=True)
        _check_range("refractory_s", self.refractory_s, 0.0)



# --------------------------------------------------------------------------------------
# Spiking network
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynapseConfig:
    """DPI synapse constants (teili ``Synapse_model``) [CODE]. Currents in A, capacitance in F."""

    Io: float = 0.5e-12
    kn: float = 0.75
    kp: float = 0.66
    Ut: float = 25e-3
    C: float = 1.5e-12
    I_th: float = 10e-12
    I_init: float = 0.5e-12
    baseweight: float = 1e-12
    w_plast: float = 1.0


@dataclass(frozen=True)
class NeuronConfig:
    """DPI neuron constants (teili ``Neuron_model``) [CODE]. Currents in A, times in s."""

    tau_mem_s: float = 15.3e-3  # converted with kappa_conv -> Itau = 3.5 pA
    refractory_s: float = 3e-4
    Ith: float = 0.9e-12
    Ispkthr: float = 1e-9
    Ireset: float = 0.6e-12
    Io: float = 0.5e-12
    Cmem: float = 1.5e-12
    Ut: float = 25e-3
    kn: float = 0.75
    kp: float = 0.66
    Iconst: float = 0.5e-12
    Ishunt: float = 0.5e-12
    Iagain: float = 50e-12
    Iath: float = 0.5e-9
    Ianorm: float = 10e-12
    Ica: float = 2e-12
    Itauahp: float = 1e-12
    Ithahp: float = 1e-12
    Cahp: float = 1e-12
    Iahp_init: float = 0.5e-12  # as Brian2 runs the released code: Io, not 0
    Imem_init: float = 0.0


@dataclass(frozen=True)
class NetworkConfig:
    """Topology, weights, time constants, mismatch and integrator of the hidden layer.

    Parameters
    ----------
    topology : {"sharifhazileh2021", "hfo256", "burelo2021_ecog"}
        ``sharifhazileh2021``: parameters read from ``Network_parameters.mat`` (4 x 85 all-to-all).
        ``hfo256``: 256 neurons split between the ripple and the fast-ripple bands (evenly over
        the sub-bands of each: 4 x 64 in the preset), one UP and one DN synapse per neuron from
        its own band's ADM (512 synapses) [CHOICE]. ``burelo2021_ecog``: 256 neurons on the
        fast-ripple pair only.
    n_hidden : int
        Hidden neurons per channel.
    ripple_fraction : float
        Share of the hidden neurons wired to the ripple band(s) (``hfo256``) [CHOICE].
    weights_na : tuple of float
        One-bit weight amplitudes [PAPER: 1 or 2 nA], drawn with probability ``p_strong`` for
        the larger one.
    tau_exc_ms, tau_delta_ms : tuple of float
        ``tau_exc ~ U(lo, hi)``; ``tau_inh = tau_exc - U(lo, hi)`` [CODE S4].
    kappa_conv : float
        kappa used to convert tau -> bias current (getTauCurrent uses 0.7, the equations 0.705;
        as Brian2 runs the released code: keep 0.7).
    mismatch_cv : float
        Coefficient of variation of the multiplicative Gaussian mismatch applied to every bias
        current of every neuron and synapse (truncated positive) [INF Sharifhazileh et al. 2021, Methods, device mismatch].
    seed : int
        Seed of weights, taus and mismatch: one seed = one simulated chip.
    integrator : {"euler", "fast", "lockstep"}
        ``euler``: forward Euler at ``dt`` (the paper's). ``fast``: event-driven exact synapse decay
        and adaptive neuron steps, one neuron at a time. ``lockstep``: the same equations and
        ideas, but neurons that share their input streams (a band's sub-population) advance
        together with one step size, vectorized (``hfo_detect/snn/lockstep.py``).
    dt_s : float
        Euler step [CODE 0.1 ms].
    params_file : str or None
        A ``Network_parameters.mat`` for ``sharifhazileh2021``; default: the released parameters
        shipped with the package (``hfo_detect/data/sharifhazileh2021.json``).
    input_time_shift : float
        Input spike times are put on the Euler grid as ``floor(t/dt + shift)`` (as Brian2 runs the released code);
        the shift of 1e-3 steps is Brian2's ``SpikeGeneratorGroup`` rule, so a time that is a
        multiple of ``dt`` up to rounding lands in its own step [CODE brian2 2.9].
    fast_rtol, fast_atol : float
        Error tolerances of the ``fast`` integrator's adaptive Bogacki-Shampine 3(2) steps for
        I_mem (relative, and absolute in A) [CHOICE].
    fast_h_min_s, fast_h_max_s : float
        Bounds of the ``fast`` integrator's step size [CHOICE].
    lockstep_rtol, lockstep_atol, lockstep_atol_io : float
        Error tolerances of ``lockstep``'s steps (relative; absolute in A; absolute in A while
        I_mem stays below twice I_o). The worst of a group's neurons sets the step, so the
        relative tolerance is tighter than ``fast_rtol`` (3e-5). Below atol/rtol (~70 pA) the
        absolute tolerance rules, and a DPI neuron's rise from a few pA to threshold carries a
        relative error along (the dynamics there are nearly those of log I_mem), so
        ``lockstep_atol`` is 2e-15 A; only next to I_o, where the right-hand side jumps and the
        sub-pA relaxation has no bearing on when a neuron reaches 1 nA, is it
        ``lockstep_atol_io`` = 1e-14 A (2 % of I_o; 1e-15 A there too cost 1.6x the CPU on a
        busy input). Measured against a converged reference in ``reports/bench_engine.md`` and
        the module docstring [CHOICE].
    lockstep_h_max_s : float
        Largest ``lockstep`` step: a relaxing group after an event may take steps up to 50 ms
        (the error control, not this bound, limits them) [CHOICE].
    lockstep_group_size : int
        Most neurons that ``lockstep`` advances with one step size: a set of neurons sharing
        their input streams (``hfo256``: 128 per band) is split into groups of this many. The
        worst neuron of a group sets its step, and usually a few neurons near threshold are
        the worst, so smaller groups take fewer neuron-steps but pay the per-step control more
        often: 32 (four AVX-512 vectors) and 16 measured fastest of 8-128 (2x faster than 128
        with the kernel's other changes), and 16 integrates a neuron with less margin (spike
        counts off the converged reference on 2 % of the neurons of a real snippet, against
        1 % at 32 and 128); module docstring of ``hfo_detect/snn/lockstep.py`` [CHOICE].
    fast_rest_tol : float
        A quiet neuron (no excitatory synapse, AHP or refractory activity; I_mem below I_o) whose
        I_mem is within this fraction of I_o from its resting value is snapped onto it and then
        costs no work until an excitatory input arrives [CHOICE].
    """

    topology: str = "hfo256"
    n_hidden: int = 256
    ripple_fraction: float = 0.5
    weights_na: tuple[float, float] = (1.0, 2.0)
    p_strong: float = 0.5
    tau_exc_ms: tuple[float, float] = (3.0, 6.0)
    tau_delta_ms: tuple[float, float] = (0.3, 1.0)
    kappa_conv: float = 0.7
    mismatch_cv: float = 0.2
    seed: int = 0
    integrator: str = "lockstep"
    dt_s: float = 1e-4
    params_file: str | None = None
    input_time_shift: float = 1e-3
    fast_rtol: float = 1e-4
    fast_atol: float = 1e-15
    fast_h_min_s: float = 1e-7
    fast_h_max_s: float = 5e-3
    fast_rest_tol: float = 1e-6
    lockstep_rtol: float = 3e-5
    lockstep_atol: float = 2e-15
    lockstep_atol_io: float = 1e-14
    lockstep_h_max_s: float = 0.05
    lockstep_group_size: int = 32
    synapse: SynapseConfig = field(default_factory=SynapseConfig)
    neuron: NeuronConfig = field(default_factory=NeuronConfig)

    def __post_init__(self) -> None:
        _check_option("topology", self.topology, ("sharifhazileh2021", "hfo256", "burelo2021_ecog"))
        _check_option("integrator", self.integrator, ("euler", "fast", "lockstep"))
        _check_range("n_hidden", self.n_hidden, 1, integer=True)
        _check_range("ripple_fraction", self.ripple_fraction, 0.0, 1.0)
        _check_range("p_strong", self.p_strong, 0.0, 1.0)
        _check_range("kappa_conv", self.kappa_conv, 0.0, 1.0, lo_open=True)
        _check_range("mismatch_cv", self.mismatch_cv, 0.0, 1.0)
        _check_range("seed", self.seed, 0, integer=True)
        _check_range("dt_s", self.dt_s, 0.0, 1e-2, lo_open=True)
        for name in ("fast_rtol", "fast_atol", "lockstep_rtol", "lockstep_atol",
                     "lockstep_atol_io"):
            _check_range(name, getattr(self, name), 0.0, lo_open=True)
        _check_range("lockstep_h_max_s", self.lockstep_h_max_s, self.fast_h_min_s, lo_open=True)
        _check_range("lockstep_group_size", self.lockstep_group_size, 1, integer=True)
        for name in ("weights_na", "tau_exc_ms", "tau_delta_ms"):
            lo, hi = getattr(self, name)
            _check_range(f"{name}[0]", lo, 0.0)
            _check_range(f"{name}[1]", hi, lo)



@dataclass(frozen=True)
class ReadoutConfig:
    """Hidden spikes -> HFO events (the authors' code, detect_HFO).

    Any hidden spike marks every ``window_s`` window (stepped by ``step_s``) that contains it;
    each maximal run of marked samples is one HFO. ``extra_time_s`` is simulated past the last
    sample [CODE]. ``discard_startup_s`` drops events that end before this time (the causal filter's
    start-up transient); 0 keeps them, as the paper did.

    ``min_neurons`` generalises "any spike" to a population vote: a window is marked only when
    spikes of at least this many *distinct* hidden neurons of the channel fall in it [CHOICE].
    1 is the paper's rule. With device mismatch a few outlier neurons of a 256-neuron layer fire
    on background noise alone, while a real oscillation recruits many; the later code of the
    authors reached the same end with one output neuron fed by every hidden neuron (the authors' code, detect_HFO).

    ``border_merge_ratio`` [CHOICE; 0 = off, hfo256: 1.5]: with sub-bands, one oscillation near
    the 250-Hz border between the kinds (a 200-240-Hz ripple, a 260-300-Hz fast ripple) drives
    the two sub-bands that meet there, and so became a ripple *and* a fast ripple, flagged as
    co-occurring. When every output spike behind touching ripple and fast-ripple runs comes
    from those two border sub-bands alone, and one of them spiked at least this many times as
    often as the other, they are read as one event (their union) of that one's kind; a true
    co-occurrence (a fast ripple on a slower ripple, or one above 354 Hz) involves another
    sub-band and keeps its two rows, and so does a close call. Measured with
    ``python data_scripts/variant_study.py border`` (README, accuracy section).

    ``event_bounds_s`` [CHOICE; None = the window rule's extent, the paper; hfo256: learned]:
    ``(lead, lag)``: the window rule with shorter windows at the edges, an event running from
    the first window start at or after its first spike minus ``lead`` to ``lag`` after the last
    window start at or before its last spike (``lead = lag = window_s`` is the window rule;
    never beyond its run, which still decides what is one event). The
    window rule pads every event by up to a window on both sides (an isolated spike gives
    90-100 ms, the median HFO lasts ~45 ms), while the chain from the signal to an output spike
    (causal filters, ADM, two layers) makes the first spike come a few tens of ms after the
    HFO starts and the last near its end. ``NeuromorphicDetector.fit(X, y)`` learns both as the
    median latencies of its detections against the reference events, in whole steps
    (:func:`hfo_detect.learning.event_latencies`): with whole steps an event's bounds are its
    window-rule bounds moved by fixed amounts, so they change with the spike times exactly
    when those do.
    """

    window_s: float = 0.05
    step_s: float = 0.01
    extra_time_s: float = 0.05
    discard_startup_s: float = 0.0
    min_neurons: int = 1
    border_merge_ratio: float = 0.0
    event_bounds_s: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        _check_range("window_s", self.window_s, 0.0, lo_open=True)
        _check_range("step_s", self.step_s, 0.0, self.window_s, lo_open=True)
        _check_range("extra_time_s", self.extra_time_s, 0.0)
        _check_range("discard_startup_s", self.discard_startup_s, 0.0)
        _check_range("min_neurons", self.min_neurons, 1, integer=True)
        _check_range("border_merge_ratio", self.border_merge_ratio, 0.0)
        if self.event_bounds_s is not None:
            bounds = self.event_bounds_s
            if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or len(bounds) != 2:
                raise ConfigError("the 'event_bounds_s' parameter must be None or (lead, lag) in "
                                  f"seconds, got {bounds!r}")
            for name, v in zip(("lead", "lag"), bounds):
                _check_range(f"event_bounds_s {name}", v, 0.0, self.window_s)
            object.__setattr__(self, "event_bounds_s", tuple(float(v) for v in bounds))



@dataclass(frozen=True)
class OutputConfig:
    """Second layer of the device: one DPI output neuron per HFO band, and the artifact path.

    The authors' later code (kburel/snn-hfo-detection ``basic_network_creation.py``) adds one output neuron (same DPI model) fed by every hidden
    neuron with w = 5 nA, tau = 5 ms, and runs the window rule on its spikes. Here each band's
    sub-population has its own output neuron (so events keep their band label) [CHOICE].

    Artifact and spike rejection [CHOICE after the authors' ``artifact_filter.py`` / ``advanced_artifact_filter.py``]: interictal spikes, pops and sharp
    transients are broadband, HFOs narrow-band. The artifact band (a ``role="artifact"``
    band of the filter bank, with its own ADM; hfo256: 600-900 Hz) drives ``n_interneurons`` DPI interneurons through
    excitatory UP and DN synapses; each interneuron spike inhibits every output neuron through a
    slow inhibitory synapse, so an output neuron cannot fire while a broadband transient rings
    through the HFO bands. A ripple that outlasts the spike (a ripple riding on a spike) still
    drives its output neuron once the inhibition has decayed.

    Parameters
    ----------
    weight_na : float or tuple of float
        Hidden -> output weight [CODE S3 HEAD: 5000 pA = 5 nA]; a tuple gives one per output
        neuron (HFO bands in filter-bank order).
    tau_syn_ms : float
        Hidden -> output synaptic time constant [CODE: 5 ms].
    tau_mem_ms : float
        Output neuron membrane time constant (the hidden neurons' 15.3 ms [CODE]).
    art_weight_na : float
        Artifact ADM (UP and DN) -> interneuron weight [CODE ECoG input->interneuron 3000 pA].
    art_tau_syn_ms : float
        Its time constant [CODE: 5 ms].
    art_tau_mem_ms : float
        Interneuron membrane time constant [CODE ECoG interneuron 2.5 ms].
    n_interneurons : int
        Interneurons per channel (0 disables the artifact path).
    inh_weight_na : float
        Interneuron -> output inhibitory weight [CHOICE; the scalp code's output->output
        inhibition is 100 nA].
    inh_tau_ms : float
        Inhibitory time constant: how long one broadband transient silences the outputs
        [CHOICE; ECoG code 20 ms]. hfo256 takes 10 ms: on training data (make_training seeds
        7, 8; simulate seed 100; output weights 0.4 nA) F1 is the same at 7-20 ms
        (0.745-0.750), while 10 ms keeps 0.55 of the ripples riding on spikes (20 ms: 0.43),
        which outlast the spike's ringing.
    """

    weight_na: float | tuple[float, ...] = 5.0
    tau_syn_ms: float = 5.0
    tau_mem_ms: float = 15.3
    art_weight_na: float = 20.0
    art_tau_syn_ms: float = 5.0
    art_tau_mem_ms: float = 2.5
    n_interneurons: int = 1
    inh_weight_na: float = 20.0
    inh_tau_ms: float = 20.0

    def __post_init__(self) -> None:
        for name in ("tau_syn_ms", "tau_mem_ms", "art_tau_syn_ms", "art_tau_mem_ms", "inh_tau_ms"):
            _check_range(name, getattr(self, name), 0.0, lo_open=True)
        for w in np.atleast_1d(self.weight_na):
            _check_range("weight_na", w, 0.0)
        _check_range("art_weight_na", self.art_weight_na, 0.0)
        _check_range("inh_weight_na", self.inh_weight_na, 0.0)
        _check_range("n_interneurons", self.n_interneurons, 0, integer=True)


# --------------------------------------------------------------------------------------
# Whole pipeline
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the neuromorphic detector needs, from filters to readout."""

    name: str = "hfo256"
    filters: FilterBankConfig = field(default_factory=FilterBankConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    adm: ADMConfig = field(default_factory=ADMConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    readout: ReadoutConfig = field(default_factory=ReadoutConfig)
    output: OutputConfig | None = None  # None: the window rule reads the hidden layer (S1)

    def to_dict(self) -> dict[str, Any]:
        """Nested plain-dict view (for manifests, reports and parameter hashes)."""
        return dataclasses.asdict(self)


PRESETS: dict[str, PipelineConfig] = {
    "sharifhazileh2021": PipelineConfig(
        name="sharifhazileh2021",
        adm=ADMConfig(encoder="faithful"),
        calibration=CalibrationConfig(rule="whole"),
        network=NetworkConfig(
            topology="sharifhazileh2021",
            n_hidden=85,
            mismatch_cv=0.0,
            integrator="euler",
        ),
    ),
    # hfo256 design choices [CHOICE]. Front end: each HFO band split into two sub-bands
    # (RIPPLE_SUBBANDS, FAST_RIPPLE_SUBBANDS: a narrow-band HFO competes only with its sub-band's
    # share of the 1/f background), 64 hidden neurons and one output neuron each. Learned with
    # fit(X, y) on training data only
    # (data_scripts/learn_defaults.py -> reports/learned_defaults.md: 2 recordings of the
    # project's training generator + 1 of the simulator, seed 100; never a benchmark or test
    # seed, never the real snippets): ADM scale 0.55 (ripple sub-bands) / 0.85 (fast-ripple
    # sub-bands), artifact band 1.0, hidden -> output weight 1.6 (ripple) / 2.0 (fast ripple) nA
    # (64 inputs per output neuron instead of 128); ties within one standard error of the best
    # F1 (at least 0.01) go to the setting with fewer input events. Fixed choices: the output neuron's tau 5 ms (authors'
    # later code), the artifact band 600-900 Hz at order 4 (ARTIFACT_SHARP: a strong fast ripple
    # does not leak into it), the interneuron (2.5 ms membrane, 20-nA inputs: one or two
    # artifact-band events fire it) and its inhibition (20 nA, 10 ms: the ringing of a transient
    # through the HFO filters; a ripple riding on a spike outlasts it). The "floor" calibration (quietest sixth of 0.25-s windows, 0.1-uV steps) sees the
    # noise floor at any length, and the thresholds follow it over 10-s spans (track_s: a
    # background that grows with vigilance or sleep stage does not cross them). Events ending in the first 0.1 s (the causal filters' start-up
    # transient) are dropped; the faithful preset keeps them. A ripple and a fast ripple driven
    # only by the two sub-bands that meet at 250 Hz, one clearly ahead, are one event
    # (ReadoutConfig.border_merge_ratio). An event runs from its first output spike minus 30 ms
    # to its last (ReadoutConfig.event_bounds_s, learned with the values above: the median
    # latencies of the detections inside the reference events).
    "hfo256": PipelineConfig(
        name="hfo256",
        filters=FilterBankConfig(bands=(
            *(replace(b, scale_factor=0.55) for b in RIPPLE_SUBBANDS),
            *(replace(b, scale_factor=0.85) for b in FAST_RIPPLE_SUBBANDS),
            replace(ARTIFACT_SHARP, scale_factor=1.0))),
        readout=ReadoutConfig(min_neurons=1, discard_startup_s=0.1,
                              border_merge_ratio=1.5, event_bounds_s=(0.03, 0.0)),
        output=OutputConfig(weight_na=(1.6, 1.6, 2.0, 2.0), inh_tau_ms=10.0),
        adm=ADMConfig(encoder="continuous"),
        calibration=CalibrationConfig(rule="floor", resolution_uv=0.1, track_s=10.0),
        network=NetworkConfig(topology="hfo256", n_hidden=256, mismatch_cv=0.2,
                              integrator="lockstep"),
    ),
    "burelo2021_ecog": PipelineConfig(
        name="burelo2021_ecog",
        filters=FilterBankConfig(bands=(replace(FAST_RIPPLE, scale_factor=0.5),)),  # S4: sf_FR 0.5
        readout=ReadoutConfig(min_neurons=5),
        adm=ADMConfig(encoder="continuous"),
        calibration=CalibrationConfig(rule="whole", window_s=0.5, n_quiet=50),
        network=NetworkConfig(
            topology="burelo2021_ecog", n_hidden=256, mismatch_cv=0.2, integrator="lockstep"
        ),
    ),
}

DEFAULT_PRESET = "hfo256"


def get_preset(name: str = DEFAULT_PRESET) -> PipelineConfig:
    """Return the named preset.

    Raises
    ------
    ValueError
        If ``name`` is not a preset; the message lists the valid names.
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}") from None


def with_overrides(cfg: Any, **overrides: Any) -> Any:
    """Copy a (nested) frozen config with dotted overrides, e.g. ``network__seed=3``.

    ``with_overrides(cfg, network__seed=3, calibration__rule="first10s")`` replaces the fields of
    the nested dataclasses; unknown names raise ``ValueError``.
    """
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    names = {f.name for f in fields(cfg)}
    for key, value in overrides.items():
        head, _, rest = key.partition("__")
        if head not in names:
            raise ValueError(f"{type(cfg).__name__} has no parameter {head!r}")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            direct[head] = value
    for head, sub in nested.items():
        direct[head] = with_overrides(getattr(cfg, head), **sub)
    return replace(cfg, **direct)
