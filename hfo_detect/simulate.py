"""Synthetic iEEG with exact HFO ground truth (the design of Roehri et al. 2017, PLoS One 12:e0174702).

Each channel is an independent bipolar derivation of a depth electrode (named ``AHL1-AHL2``,
``AHL2-AHL3``, ...; the recording is already bipolar, so the ``bipolar`` montage of
:mod:`hfo_detect.io` leaves the names alone and the truth channel is that name). A channel is

``background + ripples + fast ripples + ripple&FR co-occurrences + spikes + artifacts [+ line noise]``

* **background**: Gaussian noise with power spectrum ``1/f^a`` (flat below ``knee_hz`` so there
  is no huge drift), scaled to a wideband SD drawn per channel from ``background_sd_uv``; or a
  real recording (e.g. the 5-s crop): channel ``i`` is made of random 2-s pieces of source
  channel ``i mod n_src``, overlap-added with sine windows (variance preserving), so that
  no step appears at the joins. Real background
  carries its own, unmarked HFOs: the truth then only lists the added events.
* **ripples / fast ripples**: Hann-windowed sinusoids of ``n_cycles`` cycles (uniform in
  ``n_cycles``) at a uniform random frequency in ``ripple_freq_hz`` / ``fast_ripple_freq_hz``,
  random phase. The truth interval is the full support of the window.
* **ripple + FR** (``both``): a ripple with a fast ripple of its own cycles and frequency
  nested at a random place inside it (clipped to the ripple's length); both truth rows carry
  ``fr_and_r = True`` (they overlap, the rule of :meth:`EventTable.with_co_occurrence`).
* **interictal spikes** (kind ``spike``, NOT an HFO): a sharp triangle of 20-70 ms (its
  1/f^2 spectrum rings through HFO band-passes, the classic false positive) followed by a
  slow wave of opposite sign; the truth row spans spike and slow wave.
* **artifacts** (kind ``artifact``, NOT an HFO): an electrode "pop" (instant step with
  exponential decay; the row spans it until it falls below 1 % of its peak) or a "sharp"
  biphasic transient of 2-6 ms.

SNR definition (``snr_db`` column)
    ``20 log10(RMS(event waveform over its truth interval) / RMS(background band-passed into
    the event's band, in a window of snr_window_s centred on the event))``; the band filter is
    a zero-phase Butterworth (``snr_filter_order``) of 80-250 Hz for ripples and 250-500 Hz for
    fast ripples; "background" excludes line noise and the other events. Each event's SNR is
    uniform in ``snr_db``.

Placement: the time axis (minus ``edge_s`` at both ends) is cut into slots of ``slot_s``;
every event takes its own slot at a random position with at least ``min_gap_s`` to the slot
borders, so events never overlap on one channel. Counts per channel and kind are Poisson with
the given rates (rates summing to more than ``60 / slot_s`` per minute are refused; when a
short recording draws more events than it has slots, a random subset is kept). Randomness: one :class:`numpy.random.SeedSequence` per call, spawned into one
child per channel (and per part of it), so channel ``i`` is the same whatever ``n_channels``.

Choices not fixed by the paper or its code are fields of :class:`SimulationConfig` and marked [CHOICE].
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path

import logging

import numpy as np
import pandas as pd
from scipy import signal

from hfo_detect.events import EventTable

log = logging.getLogger(__name__)

#: electrode names used for simulated depth contacts (Zurich-like: A=amygdala, AH/PH=anterior/
#: posterior hippocampus, EC=entorhinal cortex, L/R=left/right)
ELECTRODES = ("AHL", "AHR", "PHL", "PHR", "AL", "AR", "ECL", "ECR", "TBL", "TBR")


@dataclass(frozen=True)
class SimulationConfig:
    """Every number of the generator. Defaults marked [CHOICE] are ours.

    Parameters
    ----------
    snr_db : (float, float)
        Range of the per-event SNR in dB (definition in the module docstring).
    ripple_rate_per_min, fast_ripple_rate_per_min, both_rate_per_min, spike_rate_per_min, artifact_rate_per_min : float
        Mean number per channel and minute of isolated ripples, isolated fast ripples,
        ripple+FR co-occurrences, interictal spikes and artifacts [CHOICE; Zurich sleep data
        have ~1-30 ripples/min on marked channels].
    aperiodic_exponent : float
        ``a`` of the ``1/f^a`` background power spectrum [CHOICE: 2.0; the real 5-s crop of
        ds003498 has a median log-log slope of -1.9 over 20-450 Hz. With ``a = 1`` and a
        100-uV SD the 80-250 Hz band alone would carry ~39 uV RMS, far above real data].
    knee_hz : float
        Below this frequency the background spectrum is flat (no drift dominating) [CHOICE].
    hf_floor_rms_uv : (float, float) or None
        Range of the per-channel RMS of the background in the 80-250 Hz band. Real bipolar depth
        recordings have a high-frequency floor far below what a single power law scaled to the
        wideband SD predicts (the 50-s ds003498 snippet: 1.3 uV RMS at 80-250 Hz and 0.9 uV at
        250-500 Hz under a 114-uV wideband SD), and the ADM's integer-uV thresholds make the
        event rate depend on that absolute level. Above ``hf_crossover_hz`` the background is
        rescaled to a draw from this range; ``None`` keeps the plain power law [CHOICE].
    hf_crossover_hz : (float, float)
        Smooth (raised-cosine) transition band of that rescaling [CHOICE: 40-80 Hz].
    background_sd_uv : (float, float)
        Range of the per-channel wideband SD of the synthetic background [CHOICE: 50-150 uV,
        typical of bipolar depth recordings].
    ripple_freq_hz, fast_ripple_freq_hz : (float, float)
        Range of event frequencies [CHOICE: inside 80-250 / 250-500 Hz with a margin, so a
        short burst's spectral main lobe stays mostly in its own band and the kind is
        unambiguous].
    n_cycles : (float, float)
        Range of cycles per event (4-15, Roehri et al. 2017).
    spike_duration_s, spike_amplitude_sd, slow_wave_duration_s, slow_wave_ratio : (float, float)
        Spike width, peak in units of the channel's background SD, slow-wave length and its
        amplitude relative to the spike [CHOICE].
    artifact_amplitude_sd, artifact_decay_s, sharp_artifact_s : (float, float)
        Artifact peak (background SDs), decay constant of a pop, width of a sharp transient [CHOICE].
    artifact_pop_fraction : float
        Share of pops among artifacts (the rest are sharp transients) [CHOICE].
    line_noise_uv : float
        Amplitude of the line-noise fundamental (harmonic ``h`` has ``1/h`` of it) [CHOICE].
    line_noise_harmonics : int
        Number of line-noise components (fundamental included) below Nyquist.
    snr_window_s : float
        Window around each event over which the band-limited background RMS is taken [CHOICE].
    snr_filter_order : int
        Butterworth order per edge of the SNR reference filters [CHOICE].
    ripple_band_hz, fast_ripple_band_hz : (float, float)
        Bands of the SNR reference (the front end's bands, 80-250 / 250-500 Hz).
    slot_s, min_gap_s, edge_s : float
        Placement grid: slot length, minimum distance of an event to its slot's borders
        (so >= ``min_gap_s`` between events), event-free margin at both ends [CHOICE].
    """

    snr_db: tuple[float, float] = (0.0, 15.0)
    ripple_rate_per_min: float = 6.0
    fast_ripple_rate_per_min: float = 3.0
    both_rate_per_min: float = 2.0
    spike_rate_per_min: float = 2.0
    artifact_rate_per_min: float = 1.0
    aperiodic_exponent: float = 2.0
    knee_hz: float = 1.0
    hf_floor_rms_uv: tuple[float, float] | None = (0.8, 1.6)
    hf_crossover_hz: tuple[float, float] = (40.0, 80.0)
    background_sd_uv: tuple[float, float] = (50.0, 150.0)
    ripple_freq_hz: tuple[float, float] = (90.0, 230.0)
    fast_ripple_freq_hz: tuple[float, float] = (280.0, 460.0)
    n_cycles: tuple[float, float] = (4.0, 15.0)
    spike_duration_s: tuple[float, float] = (0.02, 0.07)
    spike_amplitude_sd: tuple[float, float] = (4.0, 10.0)
    slow_wave_duration_s: tuple[float, float] = (0.15, 0.3)
    slow_wave_ratio: tuple[float, float] = (0.3, 0.6)
    artifact_amplitude_sd: tuple[float, float] = (5.0, 20.0)
    artifact_decay_s: tuple[float, float] = (0.005, 0.03)
    sharp_artifact_s: tuple[float, float] = (0.002, 0.006)
    artifact_pop_fraction: float = 0.5
    line_noise_uv: float = 10.0
    line_noise_harmonics: int = 3
    snr_window_s: float = 1.0
    snr_filter_order: int = 4
    slot_s: float = 1.0
    min_gap_s: float = 0.2
    edge_s: float = 1.0
    ripple_band_hz: tuple[float, float] = (80.0, 250.0)
    fast_ripple_band_hz: tuple[float, float] = (250.0, 500.0)

    def band(self, kind: str) -> tuple[float, float]:
        """SNR reference band of ``"ripple"`` or ``"fast_ripple"``."""
        return self.ripple_band_hz if kind == "ripple" else self.fast_ripple_band_hz


@dataclass
class SimulatedRecording:
    """Output of :func:`simulate_recording`.

    Attributes
    ----------
    data_uv : ndarray, shape (n_channels, n_times)
        Signals in microvolts.
    sfreq : float
        Sampling rate in Hz.
    ch_names : list of str
        Bipolar channel names (``"AHL1-AHL2"``, ...), also the truth's ``channel``.
    events : EventTable
        Ground truth, including the non-HFO kinds ``spike`` and ``artifact``.
    seed : int or tuple of int
        The seed it was made from.
    """

    data_uv: np.ndarray
    sfreq: float
    ch_names: list[str]
    events: EventTable
    seed: int | tuple[int, ...] = 0

    @property
    def duration_s(self) -> float:
        return self.data_uv.shape[1] / self.sfreq

    def to_raw(self):
        """An :class:`mne.io.RawArray` (volts, sEEG) with the truth as annotations."""
        import mne

        info = mne.create_info(self.ch_names, self.sfreq, ch_types="seeg")
        raw = mne.io.RawArray(self.data_uv * 1e-6, info, verbose="error")
        raw.set_annotations(self.events.to_annotations())
        return raw


def default_channel_names(n_channels: int, contacts_per_electrode: int = 8) -> list[str]:
    """Bipolar names of neighbouring contacts: ``AHL1-AHL2 .. AHL7-AHL8, AHR1-AHR2, ...``.

    After the ten electrodes of :data:`ELECTRODES`, further ones are called ``E11``, ``E12``...
    """
    names: list[str] = []
    k = 0
    while len(names) < n_channels:
        elec = ELECTRODES[k] if k < len(ELECTRODES) else f"E{k + 1}"
        names += [f"{elec}{i}-{elec}{i + 1}" for i in range(1, contacts_per_electrode)]
        k += 1
    return names[:n_channels]


# ---------------------------------------------------------------------- background
def pink_background(n_times: int, sfreq: float, rng: np.random.Generator, *, exponent: float,
                    knee_hz: float, sd_uv: float, hf_rms_uv: float | None = None,
                    crossover_hz: tuple[float, float] = (40.0, 80.0),
                    ripple_band_hz: tuple[float, float] = (80.0, 250.0)) -> np.ndarray:
    """Gaussian noise with power spectrum ``1/max(f, knee)^exponent``, no DC, SD ``sd_uv``.

    With ``hf_rms_uv``, the part above ``crossover_hz`` is rescaled (raised-cosine transition)
    so that the RMS inside ``ripple_band_hz`` equals ``hf_rms_uv`` (computed from the spectrum,
    i.e. an ideal band-pass), keeping the power-law shape within the high band.
    """
    spectrum = np.fft.rfft(rng.standard_normal(n_times))
    freqs = np.fft.rfftfreq(n_times, 1.0 / sfreq)
    gain = np.maximum(freqs, knee_hz) ** (-exponent / 2.0)
    gain[0] = 0.0
    spectrum *= gain
    x = np.fft.irfft(spectrum, n_times)
    spectrum *= sd_uv / x.std()
    if hf_rms_uv is not None:
        lo, hi = crossover_hz
        ramp = np.clip((freqs - lo) / (hi - lo), 0.0, 1.0)
        ramp = 0.5 - 0.5 * np.cos(np.pi * ramp)  # 0 below lo, 1 above hi
        in_band = (freqs >= ripple_band_hz[0]) & (freqs <= ripple_band_hz[1])
        # Parseval: RMS of the ideal band-passed signal from the one-sided spectrum
        band_rms = np.sqrt(2.0 * np.sum(np.abs(spectrum[in_band]) ** 2)) / n_times
        scale = hf_rms_uv / band_rms if band_rms > 0 else 1.0
        spectrum *= 1.0 + (scale - 1.0) * ramp
    return np.fft.irfft(spectrum, n_times)


def tiled_background(source_uv: np.ndarray, n_times: int, rng: np.random.Generator,
                     segment: int) -> np.ndarray:
    """Random pieces of a real recording overlap-added with sine windows (50 % overlap).

    ``sin^2 + cos^2 = 1`` keeps the variance of independent pieces and leaves no step at the
    joins (steps would ring through HFO filters). Each piece comes from a random channel and
    position of ``source_uv`` (n_src, n_src_times) with a random sign.
    """
    n_src, n_src_times = source_uv.shape
    segment = min(segment, n_src_times) // 2 * 2
    hop = segment // 2
    n_seg = n_times // hop + 2
    window = np.sin(np.pi * (np.arange(segment) + 0.5) / segment)
    chans = rng.integers(0, n_src, n_seg)
    starts = rng.integers(0, n_src_times - segment + 1, n_seg)
    signs = rng.choice([-1.0, 1.0], n_seg)
    pieces = source_uv[chans[:, None], starts[:, None] + np.arange(segment)] * window * signs[:, None]
    blocks = np.zeros((n_seg + 1, hop))
    blocks[:-1] += pieces[:, :hop]
    blocks[1:] += pieces[:, hop:]
    # drop the first half-block (only one window there), keep n_times samples
    return blocks.ravel()[hop:hop + n_times]


def _resample(data: np.ndarray, sfreq_in: float, sfreq_out: float) -> np.ndarray:
    if sfreq_in == sfreq_out:
        return data
    ratio = Fraction(sfreq_out / sfreq_in).limit_denominator(1000)
    return signal.resample_poly(data, ratio.numerator, ratio.denominator, axis=-1)


# ---------------------------------------------------------------------- events
def _padded(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample index matrix (n, max_len) and its validity mask for events of given lengths."""
    k = np.arange(int(lengths.max()) if len(lengths) else 0)[None, :]
    return np.broadcast_to(k, (len(lengths), k.shape[1])), k < lengths[:, None]


def _window_rms(x: np.ndarray, centre: np.ndarray, half: int) -> np.ndarray:
    """RMS of ``x`` over ``[centre - half, centre + half)`` (clipped to the signal)."""
    csum = np.concatenate([[0.0], np.cumsum(x * x)])
    lo = np.clip(centre - half, 0, len(x))
    hi = np.clip(centre + half, 0, len(x))
    return np.sqrt((csum[hi] - csum[lo]) / np.maximum(hi - lo, 1))


def _hfo_waves(n: np.ndarray, freq: np.ndarray, sfreq: float, rng: np.random.Generator):
    """Unit-amplitude Hann-windowed sinusoids (rows), mask, and their RMS over the support."""
    k, valid = _padded(n)
    phase = rng.uniform(0, 2 * np.pi, len(n))[:, None]
    hann = np.sin(np.pi * (k + 0.5) / n[:, None]) ** 2
    wave = np.where(valid, hann * np.sin(2 * np.pi * freq[:, None] * k / sfreq + phase), 0.0)
    rms = np.sqrt((wave**2).sum(axis=1) / n)
    return wave, valid, rms


def _add(sig: np.ndarray, onsets: np.ndarray, wave: np.ndarray, valid: np.ndarray) -> None:
    """Add event rows at their onsets (events of one call never overlap)."""
    k = np.arange(wave.shape[1])[None, :]
    sig[(onsets[:, None] + k)[valid]] += wave[valid]


def _simulate_channel(name: str, n_times: int, sfreq: float, cfg: SimulationConfig,
                      seq: np.random.SeedSequence, background: np.ndarray | None,
                      line: np.ndarray | None) -> tuple[np.ndarray, pd.DataFrame]:
    """One channel: background, then events scaled against it, then line noise; its truth rows.

    Three independent random streams (background, events, line amplitude), so the background
    is the same whatever the event rates (tests rely on that to measure the SNR).
    """
    bg_seq, ev_seq, amp_seq = seq.spawn(3)
    bg_rng, rng = np.random.default_rng(bg_seq), np.random.default_rng(ev_seq)
    if background is None:
        sd = bg_rng.uniform(*cfg.background_sd_uv)
        hf = None if cfg.hf_floor_rms_uv is None else bg_rng.uniform(*cfg.hf_floor_rms_uv)
        sig = pink_background(n_times, sfreq, bg_rng, exponent=cfg.aperiodic_exponent,
                              knee_hz=cfg.knee_hz, sd_uv=sd, hf_rms_uv=hf,
                              crossover_hz=cfg.hf_crossover_hz, ripple_band_hz=cfg.ripple_band_hz)
    else:
        sig = tiled_background(background, n_times, bg_rng, segment=int(round(2.0 * sfreq)))
    bg_sd = float(sig.std())
    duration_s = n_times / sfreq

    # ---- counts and slots
    kinds = ("ripple", "fast_ripple", "both", "spike", "artifact")
    rates = (cfg.ripple_rate_per_min, cfg.fast_ripple_rate_per_min, cfg.both_rate_per_min,
             cfg.spike_rate_per_min, cfg.artifact_rate_per_min)
    counts = rng.poisson(np.asarray(rates) * duration_s / 60.0)
    slot = int(round(cfg.slot_s * sfreq))
    edge = int(round(cfg.edge_s * sfreq))
    gap = int(round(cfg.min_gap_s * sfreq / 2))
    n_slots = max((n_times - 2 * edge) // slot, 0)
    if counts.sum() > n_slots:
        # short recordings: the Poisson draw can exceed the grid; keep a random subset
        labels = rng.permutation(np.repeat(np.arange(len(kinds)), counts))[:n_slots]
        counts = np.bincount(labels, minlength=len(kinds))
        log.info("%s: only %d event slots in %g s; extra events dropped", name, n_slots, duration_s)
    slots = rng.permutation(n_slots)[: counts.sum()]
    slot_of = dict(zip(kinds, np.split(slots, np.cumsum(counts)[:-1])))

    def place(kind: str, n: np.ndarray) -> np.ndarray:
        """Random onset sample of each event inside its own slot."""
        free = slot - 2 * gap - n
        if (free < 0).any():
            raise ValueError(f"a {kind} of {n.max() / sfreq:.3f} s does not fit a slot of "
                             f"{cfg.slot_s} s with gaps of {cfg.min_gap_s} s: raise slot_s")
        return edge + slot_of[kind] * slot + gap + rng.integers(0, free + 1)

    rows: list[pd.DataFrame] = []
    bands = {b: signal.butter(cfg.snr_filter_order, cfg.band(b), btype="bandpass", fs=sfreq,
                              output="sos") for b in ("ripple", "fast_ripple")}
    band_bg = {}
    half = int(round(cfg.snr_window_s * sfreq / 2))

    def band_rms(kind: str, centre: np.ndarray) -> np.ndarray:
        if kind not in band_bg:
            band_bg[kind] = signal.sosfiltfilt(bands[kind], sig)
        return _window_rms(band_bg[kind], centre, half)

    additions: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def hfo(kind: str, onset: np.ndarray, n: np.ndarray, freq: np.ndarray, fr_and_r: bool):
        wave, valid, unit_rms = _hfo_waves(n, freq, sfreq, rng)
        snr = rng.uniform(*cfg.snr_db, len(n))
        ref = band_rms(kind, onset + n // 2)
        amp = 10 ** (snr / 20.0) * ref / unit_rms
        wave *= amp[:, None]
        additions.append((onset, wave, valid))
        rows.append(pd.DataFrame({
            "onset": onset / sfreq, "duration": n / sfreq, "kind": kind, "fr_and_r": fr_and_r,
            "peak_amplitude": np.abs(wave).max(axis=1), "peak_frequency": freq, "snr_db": snr,
            "n_cycles": n * freq / sfreq, "waveform": "hann_sinusoid"}))

    for kind in ("ripple", "fast_ripple"):
        m = counts[kinds.index(kind)]
        f_range = cfg.ripple_freq_hz if kind == "ripple" else cfg.fast_ripple_freq_hz
        freq = rng.uniform(*f_range, m)
        n = np.maximum(np.round(rng.uniform(*cfg.n_cycles, m) / freq * sfreq).astype(np.int64), 2)
        if m:
            hfo(kind, place(kind, n), n, freq, False)

    m = counts[kinds.index("both")]
    if m:
        f_r = rng.uniform(*cfg.ripple_freq_hz, m)
        f_fr = rng.uniform(*cfg.fast_ripple_freq_hz, m)
        n = np.maximum(np.round(rng.uniform(*cfg.n_cycles, m) / f_r * sfreq).astype(np.int64), 2)
        n_fr = np.minimum(np.round(rng.uniform(*cfg.n_cycles, m) / f_fr * sfreq).astype(np.int64), n)
        onset = place("both", n)
        shift = rng.integers(0, n - n_fr + 1)
        hfo("ripple", onset, n, f_r, True)
        hfo("fast_ripple", onset + shift, n_fr, f_fr, True)

    m = counts[kinds.index("spike")]
    if m:
        n_spk = np.maximum(np.round(rng.uniform(*cfg.spike_duration_s, m) * sfreq).astype(np.int64), 3)
        n_rise = np.maximum((n_spk * rng.uniform(0.3, 0.5, m)).astype(np.int64), 1)
        n_slow = np.round(rng.uniform(*cfg.slow_wave_duration_s, m) * sfreq).astype(np.int64)
        n = n_spk + n_slow
        amp = rng.uniform(*cfg.spike_amplitude_sd, m) * bg_sd * rng.choice([-1.0, 1.0], m)
        ratio = rng.uniform(*cfg.slow_wave_ratio, m)
        k, valid = _padded(n)
        rise = k / n_rise[:, None]
        fall = (n_spk[:, None] - k) / (n_spk - n_rise)[:, None]
        slow = -ratio[:, None] * np.sin(np.pi * (k - n_spk[:, None]) / n_slow[:, None])
        shape = np.where(k < n_rise[:, None], rise, np.where(k < n_spk[:, None], fall, slow))
        wave = np.where(valid, shape * amp[:, None], 0.0)
        onset = place("spike", n)
        additions.append((onset, wave, valid))
        rows.append(pd.DataFrame({
            "onset": onset / sfreq, "duration": n / sfreq, "kind": "spike", "fr_and_r": False,
            "peak_amplitude": np.abs(amp), "waveform": "triangle+slow_wave"}))

    m = counts[kinds.index("artifact")]
    if m:
        pop = rng.random(m) < cfg.artifact_pop_fraction
        tau = rng.uniform(*cfg.artifact_decay_s, m) * sfreq
        n_sharp = np.maximum(np.round(rng.uniform(*cfg.sharp_artifact_s, m) * sfreq), 4)
        n = np.where(pop, np.ceil(tau * np.log(100.0)), n_sharp).astype(np.int64)
        amp = rng.uniform(*cfg.artifact_amplitude_sd, m) * bg_sd * rng.choice([-1.0, 1.0], m)
        k, valid = _padded(n)
        shape = np.where(pop[:, None], np.exp(-k / tau[:, None]), np.sin(2 * np.pi * k / n[:, None]))
        wave = np.where(valid, shape * amp[:, None], 0.0)
        onset = place("artifact", n)
        additions.append((onset, wave, valid))
        rows.append(pd.DataFrame({
            "onset": onset / sfreq, "duration": n / sfreq, "kind": "artifact", "fr_and_r": False,
            "peak_amplitude": np.abs(wave).max(axis=1), "waveform": np.where(pop, "pop", "sharp")}))

    for onset, wave, valid in additions:  # after all SNR references were taken from the background
        _add(sig, onset, wave, valid)
    if line is not None:
        sig += line * np.random.default_rng(amp_seq).uniform(0.5, 1.5)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["onset", "duration", "kind", "fr_and_r"])
    table["channel"] = name
    return sig, table


def simulate_recording(
    duration_s: float,
    n_channels: int,
    *,
    sfreq: float = 2048.0,
    seed: int | Sequence[int] = 0,
    snr_db: tuple[float, float] | None = None,
    ripple_rate_per_min: float | None = None,
    fast_ripple_rate_per_min: float | None = None,
    both_rate_per_min: float | None = None,
    spike_rate_per_min: float | None = None,
    artifact_rate_per_min: float | None = None,
    aperiodic_exponent: float | None = None,
    background: str | np.ndarray = "pink",
    background_sfreq: float | None = None,
    line_noise_hz: float | None = None,
    ch_names: Sequence[str] | None = None,
    config: SimulationConfig | None = None,
    dtype=np.float64,
    channels: Sequence[int] | None = None,
) -> SimulatedRecording:
    """Simulate a bipolar iEEG recording with exact HFO ground truth.

    Parameters
    ----------
    duration_s : float
        Length in seconds.
    n_channels : int
        Number of bipolar channels.
    sfreq : float
        Sampling rate in Hz (fast ripples need > 1000 Hz).
    seed : int or sequence of int
        Seed of :class:`numpy.random.SeedSequence`; the same seed gives identical output.
    snr_db, ripple_rate_per_min, fast_ripple_rate_per_min, both_rate_per_min, spike_rate_per_min, artifact_rate_per_min, aperiodic_exponent
        Override the fields of ``config`` (see :class:`SimulationConfig`); ``None`` keeps them.
    background : "pink" or ndarray
        ``"pink"``: synthetic ``1/f^a`` noise (``a = aperiodic_exponent``, 2 by default:
        the name stands for "coloured", not for a = 1). An array (n_src, n_src_times) in uV: real
        background; channel ``i`` is tiled from random pieces of source row ``i % n_src``
        (see :func:`tiled_background`), so each channel keeps one real channel's character.
    background_sfreq : float or None
        Sampling rate of a real ``background`` (resampled to ``sfreq``); default ``sfreq``.
    line_noise_hz : float or None
        Add line noise at this frequency and its harmonics (same phase on all channels,
        per-channel amplitude 0.5-1.5 x ``config.line_noise_uv``).
    ch_names : sequence of str or None
        Channel names; default :func:`default_channel_names`.
    config : SimulationConfig or None
        All other parameters.
    dtype : numpy dtype
        dtype of ``data_uv`` (float32 halves the memory of long recordings).
    channels : sequence of int or None
        Simulate only these channel indices of the ``n_channels`` (identical to the same rows
        of the full simulation): lets long recordings be made in channel blocks.

    Returns
    -------
    SimulatedRecording
    """
    cfg = config or SimulationConfig()
    overrides = dict(snr_db=snr_db, ripple_rate_per_min=ripple_rate_per_min,
                     fast_ripple_rate_per_min=fast_ripple_rate_per_min,
                     both_rate_per_min=both_rate_per_min, spike_rate_per_min=spike_rate_per_min,
                     artifact_rate_per_min=artifact_rate_per_min,
                     aperiodic_exponent=aperiodic_exponent)
    cfg = replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
    total_rate = (cfg.ripple_rate_per_min + cfg.fast_ripple_rate_per_min + cfg.both_rate_per_min
                  + cfg.spike_rate_per_min + cfg.artifact_rate_per_min)
    if total_rate * cfg.slot_s > 60.0:
        raise ValueError(f"event rates sum to {total_rate:g}/min but slots of slot_s = {cfg.slot_s} s "
                         f"hold at most {60.0 / cfg.slot_s:g}/min: lower the rates or slot_s")
    if cfg.snr_db[0] > cfg.snr_db[1]:
        raise ValueError(f"snr_db range {cfg.snr_db} is reversed")
    if (cfg.fast_ripple_rate_per_min or cfg.both_rate_per_min) and sfreq <= 2 * cfg.fast_ripple_band_hz[1]:
        raise ValueError(f"sfreq {sfreq} Hz cannot carry fast ripples (needs > "
                         f"{2 * cfg.fast_ripple_band_hz[1]:g} Hz); set their rates to 0")
    n_times = int(round(duration_s * sfreq))
    names = list(ch_names) if ch_names is not None else default_channel_names(n_channels)
    if len(names) != n_channels:
        raise ValueError(f"{len(names)} channel names for {n_channels} channels")
    root = np.random.SeedSequence(list(seed) if isinstance(seed, (list, tuple)) else seed)
    line_seq, *ch_seqs = root.spawn(n_channels + 1)

    source = None
    if not isinstance(background, str):
        source = np.atleast_2d(np.asarray(background, dtype=np.float64))
        source = _resample(source - source.mean(axis=1, keepdims=True),
                           float(background_sfreq or sfreq), float(sfreq))
    elif background != "pink":
        raise ValueError(f"background must be 'pink' or an array, not {background!r}")

    line = None
    if line_noise_hz:
        t = np.arange(n_times) / sfreq
        phases = np.random.default_rng(line_seq).uniform(0, 2 * np.pi, cfg.line_noise_harmonics)
        line = np.zeros(n_times)
        for h in range(1, cfg.line_noise_harmonics + 1):
            if h * line_noise_hz < sfreq / 2:
                line += cfg.line_noise_uv / h * np.sin(2 * np.pi * h * line_noise_hz * t + phases[h - 1])

    picks = list(range(n_channels)) if channels is None else list(channels)
    data = np.empty((len(picks), n_times), dtype=dtype)
    tables = []
    for row, i in enumerate(picks):
        own = None if source is None else source[i % len(source)][None, :]
        data[row], table = _simulate_channel(names[i], n_times, float(sfreq), cfg, ch_seqs[i], own, line)
        tables.append(table)
    frames = [t for t in tables if len(t)]
    events = EventTable(pd.concat(frames, ignore_index=True)) if frames else EventTable.empty()
    return SimulatedRecording(data, float(sfreq), [names[i] for i in picks], events,
                              tuple(seed) if isinstance(seed, (list, tuple)) else seed)


# ---------------------------------------------------------------------- BIDS-like folder
def subject_label(index: int) -> str:
    """``sub-sim01`` style label of subject ``index`` (0-based)."""
    return f"sim{index + 1:02d}"


def write_benchmark(
    out_dir: str | Path,
    *,
    seed: int,
    n_subjects: int = 1,
    duration_s: float,
    n_channels: int,
    snr_db: tuple[float, float] = (0.0, 15.0),
    sfreq: float = 2048.0,
    progress: bool = False,
    edf_annotations: bool = True,
    **kwargs,
) -> Path:
    """Write a BIDS-like data set of simulated recordings with their truth.

    Layout::

        out_dir/dataset_description.json, participants.tsv, README
        out_dir/sub-simXX/ieeg/sub-simXX_task-sim_run-01_ieeg.edf     (EDF+, uV, bipolar)
        out_dir/sub-simXX/ieeg/sub-simXX_task-sim_run-01_ieeg.json
        out_dir/sub-simXX/ieeg/sub-simXX_task-sim_run-01_channels.tsv
        out_dir/sub-simXX/ieeg/sub-simXX_task-sim_run-01_events.tsv   (truth)

    Subject ``i`` is simulated from the seed ``(seed, i)``, so the same ``seed`` gives
    identical files. The truth events.tsv has ``onset, duration, trial_type (= kind),
    channel, kind, fr_and_r, ..., snr_db``; spikes and artifacts are in it as non-HFO kinds.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created).
    seed, n_subjects, duration_s, n_channels, snr_db, sfreq
        As in :func:`simulate_recording`.
    progress : bool
        Show a tqdm progress bar over subjects.
    edf_annotations : bool
        Also store the truth as EDF+ annotations (``kind[/fr_and_r]@@channel``).
    **kwargs
        Passed to :func:`simulate_recording` (rates, ``line_noise_hz``, ``config``, ...).

    Returns
    -------
    Path
        ``out_dir``.
    """
    from tqdm.auto import tqdm

    from hfo_detect import __version__
    from hfo_detect.io import write_edf

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = dict(seed=seed, n_subjects=n_subjects, duration_s=duration_s, n_channels=n_channels,
                  snr_db=list(snr_db), sfreq=sfreq,
                  **{k: (asdict(v) if isinstance(v, SimulationConfig) else v) for k, v in kwargs.items()})
    _write_text(out / "dataset_description.json", json.dumps({
        "Name": "hfo-detect synthetic HFO benchmark",
        "BIDSVersion": "1.9.0",
        "DatasetType": "raw",
        "License": "CC0",
        "GeneratedBy": [{"Name": "hfo-detect simulate", "Version": __version__,
                         "Description": json.dumps(params, sort_keys=True)}],
    }, indent=2) + "\n")
    _write_text(out / "README", (
        "Synthetic bipolar iEEG with exact HFO ground truth, made by `hfo-detect simulate` "
        "(design of Roehri et al. 2017, PLoS One). Truth per recording in *_events.tsv; kinds "
        "spike and artifact are NOT HFOs. SNR definition: see hfo_detect/simulate.py.\n"))
    labels = [subject_label(i) for i in range(n_subjects)]
    _write_text(out / "participants.tsv", "participant_id\n" + "".join(f"sub-{s}\n" for s in labels))
    for i in tqdm(range(n_subjects), desc="subjects", unit="sub", disable=not progress):
        rec = simulate_recording(duration_s, n_channels, sfreq=sfreq, seed=(seed, i), snr_db=tuple(snr_db), **kwargs)
        folder = out / f"sub-{labels[i]}" / "ieeg"
        stem = f"sub-{labels[i]}_task-sim_run-01"
        annotations = rec.events.to_annotations() if edf_annotations else None
        write_edf(folder / f"{stem}_ieeg.edf", rec.data_uv, rec.sfreq, rec.ch_names, annotations=annotations)
        rec.events.to_bids_tsv(folder / f"{stem}_events.tsv")
        _write_text(folder / f"{stem}_ieeg.json", json.dumps({
            "TaskName": "sim", "SamplingFrequency": rec.sfreq,
            "PowerLineFrequency": kwargs.get("line_noise_hz") or "n/a",
            "SoftwareFilters": "n/a", "iEEGReference": "bipolar (simulated derivations)",
            "SEEGChannelCount": len(rec.ch_names), "RecordingDuration": rec.duration_s,
        }, indent=2) + "\n")
        channels = pd.DataFrame({
            "name": rec.ch_names, "type": "SEEG", "units": "uV", "low_cutoff": "n/a",
            "high_cutoff": "n/a", "sampling_frequency": rec.sfreq, "status": "good",
        })
        _write_text(folder / f"{stem}_channels.tsv", channels.to_csv(sep="\t", index=False, lineterminator="\n"))
    return out


def _write_text(path: Path, text: str) -> None:
    from hfo_detect.atomic import atomic_write_text

    atomic_write_text(path, text)
