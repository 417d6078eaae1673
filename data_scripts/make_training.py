"""Training recordings for learning the hfo256 defaults (issue 12): a generator design of its own.

The benchmark generator (``hfo_detect.simulate``, Roehri-like Hann bursts, triangle spikes) is
used for *testing*; training data must not share its quirks, so this generator varies what the
benchmark fixes and adds what it lacks:

* **backgrounds**: 1/f^a with ``a`` in 1.5-2.5 and a random high-frequency floor, or random
  pieces of a real recording (``--background FILE``, e.g. the 5-s crop; its own unmarked HFOs
  then only add label noise, so it is used for a minority of channels);
* **HFOs**: Gaussian- or Tukey-windowed sinusoids with a frequency chirp (+-15 %), 3-20 cycles,
  80-500 Hz, SNR 0-20 dB against the band-limited background (the simulator's definition);
* **interictal spikes**: Gaussian, triangular or biphasic (derivative-of-Gaussian) shapes of
  10-120 ms, 3-15 background SDs, with or without a slow wave;
* **ripples on spikes**: a ripple (true HFO, in the truth) centred on a spike's peak;
* **artifacts**: steps (a lasting offset with a slow drift back), pops, sharp transients
  (1-8 ms) and EMG-like broadband bursts (30-300 ms of white noise);

Events never overlap except a ripple riding on its spike. Truth: an :class:`EventTable` with
kinds ``ripple``, ``fast_ripple``, ``spike``, ``artifact`` and the ``snr_db`` of each HFO.

Usage::

    python data_scripts/make_training.py --out train_data --seed 7 --channels 12 --duration 90
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal

SFREQ = 2000.0


def _band_rms(x, sfreq, band, centre, half):
    sos = signal.butter(4, band, "bandpass", fs=sfreq, output="sos")
    y = signal.sosfiltfilt(sos, x)
    lo, hi = max(centre - half, 0), min(centre + half, x.size)
    return float(np.sqrt(np.mean(y[lo:hi] ** 2)))


def _hfo(rng, sfreq, freq, n_cycles):
    n = max(int(round(n_cycles / freq * sfreq)), 4)
    t = np.arange(n) / sfreq
    chirp = freq * (1 + rng.uniform(-0.15, 0.15) * (t / t[-1] - 0.5))
    phase = 2 * np.pi * np.cumsum(chirp) / sfreq + rng.uniform(0, 2 * np.pi)
    if rng.random() < 0.5:
        env = np.exp(-0.5 * ((t - t.mean()) / (t[-1] / 5)) ** 2)
    else:
        env = signal.windows.tukey(n, rng.uniform(0.3, 0.8))
    w = env * np.sin(phase)
    return w / np.sqrt(np.mean(w ** 2))


def _spike(rng, sfreq, sd):
    width = rng.uniform(0.01, 0.12)
    n = int(round(width * sfreq))
    k = np.arange(n) - n / 2
    shape = rng.choice(["gauss", "triangle", "biphasic"])
    if shape == "gauss":
        w = np.exp(-0.5 * (k / (n / 6)) ** 2)
    elif shape == "triangle":
        w = 1 - np.abs(k) / (n / 2)
    else:
        w = -k / (n / 6) * np.exp(-0.5 * (k / (n / 6)) ** 2) * 1.65
    if rng.random() < 0.6:
        m = int(rng.uniform(0.15, 0.35) * sfreq)
        w = np.concatenate([w, -rng.uniform(0.2, 0.5) * np.sin(np.pi * np.arange(m) / m)])
    return w * rng.uniform(3, 15) * sd * rng.choice([-1, 1]), shape


def _artifact(rng, sfreq, sd):
    kind = rng.choice(["step", "pop", "sharp", "emg"])
    amp = rng.uniform(5, 25) * sd * rng.choice([-1, 1])
    if kind == "step":
        n = int(rng.uniform(0.3, 0.8) * sfreq)
        w = amp * np.exp(-np.arange(n) / (n / 3))  # lasting offset, slow return
    elif kind == "pop":
        tau = rng.uniform(0.005, 0.04) * sfreq
        w = amp * np.exp(-np.arange(int(tau * 4.6)) / tau)
    elif kind == "sharp":
        n = max(int(rng.uniform(0.001, 0.008) * sfreq), 3)
        w = amp * np.sin(2 * np.pi * np.arange(n) / n)
    else:
        n = int(rng.uniform(0.03, 0.3) * sfreq)
        w = rng.standard_normal(n) * signal.windows.tukey(n, 0.3) * abs(amp) / 4
    return w, kind


def training_recording(seed: int, n_channels: int = 12, duration_s: float = 90.0,
                       sfreq: float = SFREQ, real_background: np.ndarray | None = None,
                       real_share: float = 0.25):
    """(data_uv (n_ch, n), ch_names, truth DataFrame) of one training recording."""
    from hfo_detect.simulate import SimulationConfig, pink_background, tiled_background

    root = np.random.SeedSequence(seed)
    n = int(round(duration_s * sfreq))
    data = np.zeros((n_channels, n))
    names = [f"TR{c + 1}-TR{c + 2}" for c in range(n_channels)]
    rows = []
    base = SimulationConfig()
    for c, seq in enumerate(root.spawn(n_channels)):
        rng = np.random.default_rng(seq)
        if real_background is not None and rng.random() < real_share:
            x = tiled_background(real_background, n, rng, segment=int(sfreq))
        else:
            x = pink_background(n, sfreq, rng, exponent=rng.uniform(1.5, 2.5), knee_hz=1.0,
                                sd_uv=rng.uniform(40, 160), hf_rms_uv=rng.uniform(0.6, 2.5),
                                crossover_hz=base.hf_crossover_hz, ripple_band_hz=(80, 250))
        sd = float(x.std())
        add = np.zeros(n)
        slot = int(0.6 * sfreq)
        slots = rng.permutation(np.arange(2, n // slot - 2))
        kinds = rng.choice(["ripple", "fast_ripple", "spike", "spike_ripple", "artifact"],
                           size=slots.size, p=[0.25, 0.2, 0.2, 0.1, 0.25])
        keep = rng.random(slots.size) < 0.55  # leave background between events
        for s, kind in zip(slots[keep], kinds[keep]):
            start = s * slot + int(rng.integers(0, slot // 3))
            if kind in ("ripple", "fast_ripple", "spike_ripple"):
                band = (80, 250) if kind != "fast_ripple" else (250, 500)
                freq = rng.uniform(90, 240) if kind != "fast_ripple" else rng.uniform(260, 490)
                w = _hfo(rng, sfreq, freq, rng.uniform(3, 20))
                snr = rng.uniform(0, 20)
                ref = _band_rms(x, sfreq, band, start + w.size // 2, int(0.5 * sfreq))
                w = w * ref * 10 ** (snr / 20)
                if kind == "spike_ripple":
                    sp, shape = _spike(rng, sfreq, sd)
                    peak = int(np.argmax(np.abs(sp[: int(0.12 * sfreq)])))
                    s0 = start + max(w.size // 2 - peak, 0)
                    add[s0:s0 + sp.size] += sp[: n - s0]
                add[start:start + w.size] += w[: n - start]
                rows.append(dict(channel=names[c], onset=start / sfreq, duration=w.size / sfreq,
                                 kind="ripple" if kind != "fast_ripple" else "fast_ripple",
                                 snr_db=snr, peak_frequency=freq,
                                 waveform="on_spike" if kind == "spike_ripple" else "chirp"))
            elif kind == "spike":
                w, shape = _spike(rng, sfreq, sd)
                add[start:start + w.size] += w[: n - start]
                rows.append(dict(channel=names[c], onset=start / sfreq, duration=w.size / sfreq,
                                 kind="spike", waveform=shape))
            else:
                w, shape = _artifact(rng, sfreq, sd)
                add[start:start + w.size] += w[: n - start]
                rows.append(dict(channel=names[c], onset=start / sfreq, duration=w.size / sfreq,
                                 kind="artifact", waveform=shape))
        data[c] = x + add
    truth = pd.DataFrame(rows)
    truth["fr_and_r"] = False
    return data, names, truth


def main(argv=None) -> int:
    from hfo_detect.events import EventTable
    from hfo_detect.io import write_edf

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--channels", type=int, default=12)
    p.add_argument("--duration", type=float, default=90.0)
    p.add_argument("--background", type=Path, default=None,
                   help="real recording whose pieces make part of the backgrounds")
    a = p.parse_args(argv)
    bg = None
    if a.background is not None:
        from hfo_detect.io import read_recording

        bg = read_recording(a.background, montage="bipolar").get_data(units="uV")
    data, names, truth = training_recording(a.seed, a.channels, a.duration, real_background=bg)
    a.out.mkdir(parents=True, exist_ok=True)
    write_edf(a.out / "train.edf", data, SFREQ, names)
    EventTable(truth).write(a.out / "train_events.tsv")
    print(f"{a.out}: {a.channels} ch x {a.duration:g} s, {len(truth)} truth rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
