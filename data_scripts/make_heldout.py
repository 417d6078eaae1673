#!/usr/bin/env python
"""Held-out synthetic intracranial-EEG benchmark for HFO detectors.

Each seed gives a bipolar SEEG-like recording (microvolts) and a truth table of
ripples (80-250 Hz), fast ripples (250-500 Hz), interictal spikes and artifacts.

* Background: 1/f^beta activity (beta 1.5-2.5 per channel) plus a contact term
  shared by adjacent bipolar pairs, delta/theta/spindle bursts, a slow gain
  drift (periods 20-90 s), an amplifier noise floor, and 50 Hz mains with
  harmonics on some channels.
* HFOs: chirping sinusoids under Gaussian, Hann, skewed or irregular envelopes.
  Rates follow a spatial "epileptogenicity" profile along one electrode (and
  sometimes a weaker second focus), so a few neighbouring pairs are HFO-rich.
* Spikes: cusp-shaped transients (20-70 ms), optional pre-/after-deflection and
  slow wave, polyspikes and short trains, spreading to adjacent pairs.
* Artifacts: DC steps, pops and glitches act on one contact (so they show with
  opposite sign on the two pairs sharing it); EMG and movement/saturation are
  regional. Nothing overlaps within a channel except the labelled pairs
  ripple+fast ripple and ripple+spike.

``snr_db = 20 log10(rms(BP(hfo)) / rms(BP(background)))``: BP is a zero-phase
4th-order Butterworth band-pass for the event's band, the numerator is taken
over the labelled interval, the denominator over 2 s centred on the event, and
"background" is the continuous activity only (no labelled events), so a ripple
on a spike is rated against the background, not the spike. SNRs are drawn as
20 * Beta(1.4, 2.2) dB (mode ~5 dB, median ~7 dB): many events are marginal.

Usage: ``python make_heldout.py OUTDIR [--seeds 301 302 303] [--channels 8]
[--duration 120]``
"""
import argparse
import os

import mne
import numpy as np
import pandas as pd
from scipy import signal
from scipy.ndimage import gaussian_filter1d, uniform_filter1d

BANDS = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}
RAIL_UV = 3200.0  # amplifier/ADC clipping level; also the EDF physical range
SNR_WINDOW_S = 2.0  # window for the local background reference
EDGE_S = 1.0  # keep events this far from the ends (filter transients)
# Electrode prefixes in alphabetical order, so that sorting the truth table by
# channel name reproduces the montage order.
PREFIXES = ("AL", "CG", "HL", "HR", "IN", "OF", "PL", "TA", "TB", "TP") + tuple(
    "Z" + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _montage(rng, n_channels):
    """Split channels over depth electrodes of 3-5 pairs: names, electrode index,
    position along the electrode and (contact_a, contact_b) of every pair."""
    sizes = []
    while sum(sizes) < n_channels:
        sizes.append(int(rng.integers(3, 6)))
    sizes[-1] -= sum(sizes) - n_channels
    if len(sizes) > len(PREFIXES):
        raise ValueError("too many channels for the electrode name pool")
    prefixes = sorted(rng.choice(PREFIXES[:max(len(sizes), 10)], len(sizes), replace=False))
    names, elec, pos, pairs = [], [], [], []
    contact = 0
    for e, (p, size) in enumerate(zip(prefixes, sizes)):
        for k in range(size):
            names.append(f"{p}{k + 1}-{p}{k + 2}")
            elec.append(e)
            pos.append(k)
            pairs.append((contact + k, contact + k + 1))
        contact += size + 1
    return names, np.array(elec), np.array(pos), np.array(pairs)


def _powerlaw(rng, n, sfreq, beta, knee=0.5):
    """Unit-variance noise, PSD ~ (f^2 + knee^2)^(-beta/2); the knee mimics the high-pass."""
    f = np.fft.rfftfreq(n, 1.0 / sfreq)
    spec = rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)
    spec *= (f ** 2 + knee ** 2) ** (-beta / 4.0)
    spec[0] = 0.0
    x = np.fft.irfft(spec, n)
    return x / x.std()


def _rhythms(rng, n, sfreq, level):
    """Waxing-waning bursts: delta slow waves, theta, alpha/sigma spindles."""
    x = np.zeros(n)
    minutes = n / sfreq / 60.0
    # (f range Hz, burst length s, bursts/min, amplitude in units of `level`)
    specs = [((0.5, 2.0), (2.0, 6.0), (1.0, 6.0), (0.8, 2.5)),
             ((4.0, 8.0), (1.0, 3.0), (1.0, 5.0), (0.4, 1.2)),
             ((9.0, 15.0), (0.5, 2.0), (1.0, 8.0), (0.3, 0.9))]
    for (flo, fhi), (dlo, dhi), (rlo, rhi), (alo, ahi) in specs:
        for _ in range(rng.poisson(rng.uniform(rlo, rhi) * minutes)):
            m = min(int(rng.uniform(dlo, dhi) * sfreq), n - 1)
            i0 = int(rng.integers(0, n - m))
            u = np.arange(m) / m
            f = rng.uniform(flo, fhi) * (1.0 + rng.uniform(-0.1, 0.1) * (u - 0.5))
            ph = 2 * np.pi * np.cumsum(f) / sfreq + rng.uniform(0, 2 * np.pi)
            x[i0:i0 + m] += rng.uniform(alo, ahi) * level * np.hanning(m) * np.sin(ph)
    return x


def _background(rng, pairs, n, sfreq):
    """Continuous activity of every bipolar channel, in microvolts."""
    t = np.arange(n) / sfreq
    contacts = [_powerlaw(rng, n, sfreq, 2.0) for _ in range(pairs.max() + 1)]
    out = np.empty((len(pairs), n))
    for ch, (a, b) in enumerate(pairs):
        rho = rng.uniform(0.15, 0.4)  # share of the contact-level term
        x = (np.sqrt(1 - rho) * _powerlaw(rng, n, sfreq, rng.uniform(1.5, 2.5))
             + np.sqrt(rho) * (contacts[a] - contacts[b]) / np.sqrt(2))
        level = np.exp(rng.uniform(np.log(12.0), np.log(36.0)))  # factor 3 spread
        x = level * x + _rhythms(rng, n, sfreq, level)
        # slow non-stationarity (vigilance/sleep-stage like), periods 20-90 s
        drift = sum(np.sin(2 * np.pi * t / rng.uniform(20, 90) + rng.uniform(0, 2 * np.pi))
                    for _ in range(3)) / np.sqrt(1.5)
        x *= np.exp(rng.uniform(0.1, 0.3) * drift)
        x += rng.uniform(0.4, 1.0) * rng.standard_normal(n)  # amplifier floor
        if rng.random() < 0.4:  # mains pickup on some channels only
            a50 = rng.uniform(0.5, 4.0) * (1 + 0.2 * np.sin(2 * np.pi * t / rng.uniform(5, 30)))
            for k in range(1, 10):
                gain = 1.0 if k == 1 else rng.uniform(0.02, 0.3) / np.sqrt(k)
                x += gain * a50 * np.sin(2 * np.pi * 50.0 * k * t + rng.uniform(0, 2 * np.pi))
        out[ch] = x
    return out


class _Timeline:
    """Occupied intervals per channel, so that events do not overlap."""

    def __init__(self, n_ch, duration):
        self.busy, self.duration = [[] for _ in range(n_ch)], duration

    def free(self, ch, t0, t1, guard):
        inside = EDGE_S <= t0 and t1 <= self.duration - EDGE_S
        return inside and all(t1 + guard <= a or t0 - guard >= b for a, b in self.busy[ch])


def _support(w, frac):
    """First and one-past-last sample where |w| reaches `frac` of its peak."""
    idx = np.flatnonzero(np.abs(w) >= frac * np.abs(w).max())
    return int(idx[0]), int(idx[-1]) + 1


def _hfo(rng, kind, sfreq, max_dur=np.inf):
    """Unit-scale HFO waveform and its labelled span (envelope >= 5 % of peak)."""
    if kind == "ripple":
        f0 = float(np.clip(rng.lognormal(np.log(125.0), 0.25), 90.0, 220.0))
        dur = float(np.clip(rng.lognormal(np.log(0.055), 0.4), 0.025, 0.150))
    else:
        f0 = float(np.clip(rng.lognormal(np.log(330.0), 0.15), 275.0, 450.0))
        dur = float(np.clip(rng.lognormal(np.log(0.025), 0.4), 0.010, 0.060))
    dur = max(min(dur, max_dur), 5.0 / f0)  # at least five cycles
    shape = rng.choice(["gauss", "hann", "skew", "irregular"], p=[0.35, 0.3, 0.2, 0.15])
    # Hann-type envelopes exceed 5 % over ~86 % of their support; stretch them
    # so the labelled duration is the drawn one.
    m = int(round(dur * sfreq / (1.0 if shape == "gauss" else 0.856)))
    u = (np.arange(m) + 0.5) / m
    if shape == "gauss":
        env = np.exp(-0.5 * ((u - 0.5) / 0.204) ** 2)  # 5 % at the support edges
    elif shape == "hann":
        env = np.sin(np.pi * u) ** 2
    elif shape == "skew":  # fast rise/slow decay or the reverse
        r = rng.uniform(0.15, 0.35) if rng.random() < 0.5 else rng.uniform(0.65, 0.85)
        env = np.where(u < r, np.sin(np.pi * u / (2 * r)) ** 2,
                       np.cos(np.pi * (u - r) / (2 * (1 - r))) ** 2)
    else:  # irregular amplitude modulation (beating, several lobes)
        mod = sum(rng.standard_normal() * np.cos(2 * np.pi * k * u + rng.uniform(0, 6.3))
                  for k in (1, 2, 3))
        env = np.sin(np.pi * u) ** 2 * np.clip(1 + 0.5 * mod / np.std(mod), 0.2, None)
    freq = f0 * (1 + rng.uniform(-0.12, 0.12) * (u - 0.5)  # chirp up or down
                 + 0.03 * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * u + rng.uniform(0, 6.3)))
    w = env * np.sin(2 * np.pi * np.cumsum(freq) / sfreq + rng.uniform(0, 2 * np.pi))
    lab = np.flatnonzero(env >= 0.05 * env.max())
    return w, (int(lab[0]), int(lab[-1]) + 1)


def _spike(rng, sfreq, polarity, n_sharp=1):
    """Unit-peak interictal discharge; returns waveform and sharp-peak index."""
    ms = sfreq / 1000.0
    w = np.zeros(int(0.8 * sfreq))
    start = first = int(50 * ms)  # room for a preceding deflection
    peaks = []
    for j in range(n_sharp):
        d = rng.uniform(20, 70) if n_sharp == 1 else rng.uniform(20, 45)
        m = int(d * ms)
        u = np.arange(m) / m
        r = rng.uniform(0.3, 0.5)  # rise usually faster than fall
        v = np.where(u < r, (r - u) / r, (u - r) / (1 - r))
        w[start:start + m] += (1.0 if j == 0 else rng.uniform(0.5, 1.0)) * (1 - v) ** rng.uniform(1.3, 2.2)
        peaks.append(start + int(r * m))
        end = start + m
        start += int(m * rng.uniform(0.7, 1.0))
    t = np.arange(w.size)
    if rng.random() < 0.35:  # small opposite deflection before the spike
        w -= rng.uniform(0.1, 0.2) * np.exp(-0.5 * ((t - first + 5 * ms) / (rng.uniform(4, 8) * ms)) ** 2)
    if rng.random() < 0.4:  # triphasic: opposite after-dip
        w -= rng.uniform(0.15, 0.3) * np.exp(-0.5 * ((t - end) / (rng.uniform(5, 10) * ms)) ** 2)
    if rng.random() < 0.75:  # aftergoing slow wave, either sign
        m = int(rng.uniform(150, 300) * ms)
        s0 = end - int(5 * ms)
        sign = 1.0 if rng.random() < 0.55 else -1.0
        w[s0:s0 + m] += sign * rng.uniform(0.2, 0.5) * np.sin(np.pi * np.arange(m) / m) ** 1.5
    # finite sharpness; smaller sigma = sharper cusp = more ringing in HFO bands
    w = gaussian_filter1d(w, rng.uniform(0.8, 2.5) * ms)
    a, b = _support(w, 0.02)
    return polarity * w[a:b] / np.abs(w).max(), peaks[0] - a


def _emg_noise(rng, m, sfreq):
    """Unit-RMS muscle-like noise: 20 Hz up to a 350-900 Hz corner."""
    sos = signal.butter(2, [20.0, min(rng.uniform(350, 900), 0.45 * sfreq)],
                        "bandpass", fs=sfreq, output="sos")
    w = signal.sosfilt(sos, rng.standard_normal(m + 512))[512:]
    return w / w.std()


def _artifact(rng, kind, sfreq):
    """Unit-scale artifact waveform (per-channel gain applied by the caller)."""
    ms = sfreq / 1000.0
    if kind in ("dc_step", "pop"):
        # AC-coupled amplifier: abrupt (step) or fast (pop) offset that then
        # decays exponentially; a cosine taper ends it without a new edge
        tau = rng.uniform(0.15, 0.8) if kind == "dc_step" else rng.uniform(0.02, 0.25)
        tt = np.arange(int(5 * tau * sfreq)) / sfreq
        w = np.exp(-tt / tau) * np.where(tt < 3.5 * tau, 1.0,
                                         0.5 + 0.5 * np.cos(np.pi * (tt - 3.5 * tau) / (1.5 * tau)))
        if kind == "pop":
            r = int(rng.uniform(0.5, 3.0) * ms) + 1
            w = np.r_[0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r), w]
        return w
    if kind == "glitch":  # one or two corrupt samples, labelled as a 5 ms window
        w = np.zeros(int(5 * ms))
        w[int(2 * ms):int(2 * ms) + 2] = 1.0, (rng.uniform(-0.8, 0.8) if rng.random() < 0.3 else 0.0)
        return w
    m = int(rng.uniform(0.1, 0.8 if kind == "emg" else 1.5) * sfreq)
    if kind == "emg":  # envelope is applied by the caller (shared across pairs)
        return _emg_noise(rng, m, sfreq)
    # movement: large slow swing; the RAIL clip later flattens its peaks
    sos = signal.butter(2, rng.uniform(2.0, 8.0), fs=sfreq, output="sos")
    w = signal.sosfiltfilt(sos, rng.standard_normal(m + 2048))[1024:-1024]
    return w / np.abs(w).max() * signal.windows.tukey(m, 0.2)


def _place(rng, tl, chans, length_s, guard, tries=40):
    """Random start time (s) where `length_s` fits on all `chans`, else None."""
    if tl.duration - 2 * EDGE_S <= length_s:
        return None
    for _ in range(tries):
        t0 = rng.uniform(EDGE_S, tl.duration - EDGE_S - length_s)
        if all(tl.free(c, t0, t0 + length_s, guard) for c in chans):
            return t0
    return None


def heldout_recording(seed: int, n_channels: int = 8, duration_s: float = 120.0,
                      sfreq: float = 2048.0) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    """Generate one held-out recording.

    Parameters
    ----------
    seed : int
        Seed of the ``numpy.random.Generator``; output is deterministic per seed.
    n_channels : int
        Number of bipolar channels.
    duration_s : float
        Recording length in seconds (at least ~10 s is sensible).
    sfreq : float
        Sampling rate in Hz; must exceed 1.1 kHz so fast ripples are resolvable.

    Returns
    -------
    data : ndarray, shape (n_channels, n_samples)
        Signal in microvolts, clipped at +/- RAIL_UV like a saturating amplifier.
    names : list of str
        Bipolar channel names such as ``"HL1-HL2"``.
    truth : DataFrame
        Columns onset, duration (s), channel, kind (ripple, fast_ripple, spike,
        artifact) and snr_db (HFO rows only, NaN otherwise), sorted by
        channel then onset.
    """
    if sfreq < 1100:
        raise ValueError("sfreq must exceed 1.1 kHz for the 250-500 Hz band")
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sfreq))
    minutes = n / sfreq / 60.0
    names, elec, pos, pairs = _montage(rng, n_channels)
    n_ch = len(names)
    data = _background(rng, pairs, n, sfreq)
    level = data.std(axis=1)
    sos = {k: signal.butter(4, b, "bandpass", fs=sfreq, output="sos") for k, b in BANDS.items()}
    ref = {k: np.sqrt(uniform_filter1d(signal.sosfiltfilt(sos[k], data, axis=-1) ** 2,
                                       int(SNR_WINDOW_S * sfreq), axis=-1))
           for k in BANDS}
    tl = _Timeline(n_ch, n / sfreq)
    rows = []

    def add(ch, t0, w, span, kind, snr=np.nan):
        """Add waveform `w` starting at time t0; label samples span[0]:span[1]."""
        i0 = int(round(t0 * sfreq))
        data[ch, i0:i0 + w.size] += w[:max(0, n - i0)]
        rows.append(((i0 + span[0]) / sfreq, (span[1] - span[0]) / sfreq, names[ch], kind, snr))
        tl.busy[ch].append((i0 / sfreq, (i0 + w.size) / sfreq))

    def hfo_at(ch, kind, t0, w, span):
        """Scale unit HFO `w` to a drawn SNR against the local background."""
        snr = 20.0 * rng.beta(1.4, 2.2)  # mode ~5 dB: many events near threshold
        i0 = int(round(t0 * sfreq))
        pad = int(0.1 * sfreq)
        bp = signal.sosfiltfilt(sos[kind], np.pad(w, pad))[pad + span[0]:pad + span[1]]
        target = 10 ** (snr / 20) * ref[kind][ch, i0 + (span[0] + span[1]) // 2]
        add(ch, t0, w * target / np.sqrt(np.mean(bp ** 2)), span, kind, snr)

    # Spatial "epileptogenicity": one focus (sometimes a second, weaker one)
    # decaying along its electrode, plus small baseline everywhere.
    z = 0.12 * rng.beta(1.0, 3.0, n_ch)
    for peak in (0.95, 0.5 if rng.random() < 0.5 else 0.0):
        f = int(rng.integers(n_ch))
        z += np.where(elec == elec[f], peak * np.exp(-np.abs(pos - pos[f]) / 1.2), 0.0)
    z = np.clip(z, 0.0, 1.0)
    phys = np.where(rng.random(n_ch) < 0.6, rng.lognormal(0.0, 0.8, n_ch), 0.1)
    rate_r = phys + 25.0 * z ** 1.2  # ripples/min; physiological + pathological
    rate_fr = 0.05 + 10.0 * z ** 2  # fast ripples/min, essentially SOZ only
    rate_sp = np.where(z > 0.2, 4.0 * z ** 1.3, 0.0)  # spike sources/min (+ spread)

    # Artifacts first: they need free time on several channels at once.
    prone = rng.lognormal(0.0, 1.0, n_ch)
    for _ in range(rng.poisson(rng.uniform(1.5, 3.0) * n_ch * minutes / 1.8)):
        kind = rng.choice(["dc_step", "pop", "emg", "glitch", "movement"],
                          p=[0.15, 0.25, 0.3, 0.15, 0.15])
        c = int(rng.choice(n_ch, p=prone / prone.sum()))
        if kind in ("dc_step", "pop"):  # one contact -> both pairs, opposite sign
            k = pairs[c][int(rng.integers(2))]
            hit = [(ch, 1.0 if pairs[ch][0] == k else -1.0)
                   for ch in range(n_ch) if k in pairs[ch]]
            amp = np.exp(rng.uniform(np.log(150), np.log(1200 if kind == "dc_step" else 2500)))
        elif kind == "glitch":
            same = np.flatnonzero(elec == elec[c]) if rng.random() < 0.3 else [c]
            hit = [(ch, rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0)) for ch in same]
            amp = np.exp(rng.uniform(np.log(150), np.log(2500)))
        else:  # regional: neighbouring pairs of the same electrode
            span = int(rng.integers(0, 3))
            same = np.flatnonzero((elec == elec[c]) & (np.abs(pos - pos[c]) <= span))
            hit = [(ch, rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.0)) for ch in same]
            amp = (np.exp(rng.uniform(np.log(8), np.log(60))) if kind == "emg"
                   else np.exp(rng.uniform(np.log(1000), np.log(6000))))
        base = _artifact(rng, kind, sfreq)
        t0 = _place(rng, tl, [h[0] for h in hit], base.size / sfreq, guard=0.2)
        if t0 is None:
            continue
        env = signal.windows.tukey(base.size, rng.uniform(0.3, 0.8))
        for ch, g in hit:
            w = base
            if kind == "emg":  # partly shared muscle source, partly local
                w = env * (np.sqrt(0.6) * base + np.sqrt(0.4) * _emg_noise(rng, base.size, sfreq))
            span = (0, w.size) if kind == "glitch" else _support(w, 0.02)
            add(ch, t0, g * amp * w, span, "artifact")

    # Interictal spikes: single, polyspike or a short spike-wave train (each
    # complex its own row); spread to adjacent pairs; singles may carry a
    # labelled riding ripple on the source channel.
    pol = np.where(rng.random(n_ch) < 0.5, 1.0, -1.0)  # channel's usual polarity
    for c in range(n_ch):
        for _ in range(rng.poisson(rate_sp[c] * minutes)):
            train, offs = [], [0.0]
            for _ in range(int(rng.integers(3, 6)) if rng.random() < 0.1 else 1):
                sign = pol[c] if rng.random() < 0.85 else -pol[c]
                train.append(_spike(rng, sfreq, sign, 1 if rng.random() > 0.12 else int(rng.integers(2, 5))))
                offs.append(offs[-1] + train[-1][0].size / sfreq + rng.uniform(0.01, 0.15))
            nbrs = [ch for ch in np.flatnonzero((elec == elec[c]) & (np.abs(pos - pos[c]) == 1))
                    if rng.random() < 0.5]
            t0 = _place(rng, tl, [c] + nbrs, offs[-1], guard=0.15)
            if t0 is None:
                continue
            amp = min(level[c] * np.clip(rng.lognormal(np.log(5.0), 0.35), 3.0, 12.0), 900.0)
            gains = {ch: rng.uniform(0.3, 0.9) * (-1 if rng.random() < 0.3 else 1) for ch in nbrs}
            for (w, ipk), off in zip(train, offs):
                add(c, t0 + off, amp * w, (0, w.size), "spike")
                for ch in nbrs:  # field spread, small propagation lag
                    add(ch, t0 + off + rng.uniform(0.0, 0.008), gains[ch] * amp * w, (0, w.size), "spike")
                if len(train) == 1 and rng.random() < 0.2 + 0.4 * z[c]:
                    r, rs = _hfo(rng, "ripple", sfreq)
                    centre = t0 + off + ipk / sfreq + rng.uniform(-0.005, 0.02)
                    hfo_at(c, "ripple", centre - (rs[0] + rs[1]) / 2 / sfreq, r, rs)

    # Ripples, then fast ripples (about a quarter on top of an isolated ripple).
    for c in range(n_ch):
        solo = []
        for _ in range(rng.poisson(rate_r[c] * minutes)):
            w, span = _hfo(rng, "ripple", sfreq)
            t0 = _place(rng, tl, [c], w.size / sfreq, guard=0.1)
            if t0 is not None:
                hfo_at(c, "ripple", t0, w, span)
                solo.append((t0 + span[0] / sfreq, (span[1] - span[0]) / sfreq))
        for _ in range(rng.poisson(rate_fr[c] * minutes)):
            if solo and rng.random() < 0.25:
                on, d = solo.pop(int(rng.integers(len(solo))))
                w, span = _hfo(rng, "fast_ripple", sfreq, max_dur=0.7 * d)
                if (span[1] - span[0]) / sfreq <= 0.8 * d:
                    lab = (span[1] - span[0]) / sfreq
                    t0 = on + rng.uniform(0.1, 0.9) * (d - lab) - span[0] / sfreq
                    hfo_at(c, "fast_ripple", t0, w, span)
                    continue
            w, span = _hfo(rng, "fast_ripple", sfreq)
            t0 = _place(rng, tl, [c], w.size / sfreq, guard=0.1)
            if t0 is not None:
                hfo_at(c, "fast_ripple", t0, w, span)

    np.clip(data, -RAIL_UV, RAIL_UV, out=data)  # amplifier saturation
    truth = pd.DataFrame(rows, columns=["onset", "duration", "channel", "kind", "snr_db"])
    truth = truth.sort_values(["channel", "onset"], kind="mergesort").reset_index(drop=True)
    return data, names, truth


def write_edf(path, data, names, sfreq):
    """Write microvolt ``data`` as EDF through MNE."""
    info = mne.create_info(list(names), sfreq, ch_types="seeg")
    raw = mne.io.RawArray(data * 1e-6, info, verbose="error")
    # Fixed +/-3.2 mV range (data are clipped there): 16-bit steps of ~0.1 uV.
    mne.export.export_raw(str(path), raw, fmt="edf", physical_range=(-RAIL_UV, RAIL_UV),
                          overwrite=True, verbose="error")


def write_seed(outdir, seed, n_channels, duration_s, sfreq=2048.0):
    """Write ``heldout-<seed>.edf`` and ``heldout-<seed>_events.tsv``; return summary."""
    data, names, truth = heldout_recording(seed, n_channels, duration_s, sfreq)
    write_edf(os.path.join(outdir, f"heldout-{seed}.edf"), data, names, sfreq)
    truth.to_csv(os.path.join(outdir, f"heldout-{seed}_events.tsv"), sep="\t",
                 index=False, na_rep="n/a")
    counts = truth["kind"].value_counts()
    q = np.nanpercentile(truth["snr_db"].to_numpy(float), [25, 50, 75])
    return (f"seed {seed}: {len(names)} ch x {duration_s:g} s | "
            + " ".join(f"{k}={counts.get(k, 0)}" for k in ("ripple", "fast_ripple", "spike", "artifact"))
            + f" | HFO snr_db q25/q50/q75 = {q[0]:.1f}/{q[1]:.1f}/{q[2]:.1f}")


def main(argv=None):
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir")
    p.add_argument("--seeds", type=int, nargs="+", default=[301, 302, 303])
    p.add_argument("--channels", type=int, default=8)
    p.add_argument("--duration", type=float, default=120.0)
    args = p.parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    for seed in args.seeds:
        print(write_seed(args.outdir, seed, args.channels, args.duration), flush=True)


if __name__ == "__main__":
    main()
