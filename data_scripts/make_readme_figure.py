"""Make the README picture: HFOs detected by the default network on a simulated trace.

Simulates one bipolar channel with known ripples and fast ripples, runs the default detector
(``hfo256``) with its spikes kept, and plots a 1.5-s window around the first simulated HFO that
the network found: wideband trace, the ripple and fast-ripple bands, the ADM UP/DOWN events of
every (sub-)band, hidden-layer spikes,
with simulated (truth) and detected events shaded.

Usage: ``python data_scripts/make_readme_figure.py [--out reports/figures/readme_detection.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.signal import butter, sosfilt  # noqa: E402

from hfo_detect.detector import NeuromorphicDetector  # noqa: E402
from hfo_detect.io import Recording  # noqa: E402
from hfo_detect.simulate import simulate_recording  # noqa: E402

COLORS = {"ripple": "tab:blue", "fast_ripple": "tab:red"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("reports/figures/readme_detection.png"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    sim = simulate_recording(60.0, 1, seed=args.seed, sfreq=2048.0, snr_db=(10.0, 15.0))
    rec = Recording.from_array(sim.data_uv, sim.sfreq, sim.ch_names)
    det = NeuromorphicDetector(seed=args.seed, keep_spikes=True)
    found = det.fit(rec).predict(rec).df
    truth = sim.events.df
    hfo = truth[truth.kind.isin(["ripple", "fast_ripple"])]
    hit = [t for t in hfo.itertuples() if ((found.onset <= t.onset + t.duration)
                                          & (found.onset + found.duration >= t.onset)).any()]
    centre = (hit[0].onset if hit else hfo.onset.iloc[0]) + 0.05
    t0, t1 = centre - 0.75, centre + 0.75
    fs = sim.sfreq
    k0, k1 = int(t0 * fs), int(t1 * fs)
    t = np.arange(k0, k1) / fs
    x = sim.data_uv[0]

    fig, axes = plt.subplots(5, 1, figsize=(9, 7.5), sharex=True,
                             gridspec_kw={"height_ratios": [2, 1.3, 1.3, 1, 1.4]})
    axes[0].plot(t, x[k0:k1], lw=0.6, color="k")
    axes[0].set_ylabel("iEEG (uV)")
    for ax, (name, lo, hi) in zip(axes[1:3], [("ripple", 80, 250), ("fast_ripple", 250, 500)]):
        y = sosfilt(butter(2, [lo, hi], "band", fs=fs, output="sos"), x)
        ax.plot(t, y[k0:k1], lw=0.6, color=COLORS[name])
        ax.set_ylabel(f"{lo}-{hi} Hz")
    adm = det.spikes_["adm"]
    m = (adm.times >= t0) & (adm.times < t1)
    names = adm.source_names or tuple(str(i) for i in range(4))
    kinds = det.band_kinds_  # stream s belongs to band s // 2 (sub-bands: their kind's colour)
    for s in range(len(names)):
        sel = m & (adm.source == s)
        axes[3].vlines(adm.times[sel], s + 0.1, s + 0.9, lw=0.6,
                       color=COLORS.get(kinds[s // 2], "gray"))
    axes[3].set_yticks(np.arange(len(names)) + 0.5, [n.replace("fast_ripple", "FR") for n in names],
                       fontsize=7)
    axes[3].set_ylabel("ADM")
    hid = det.spikes_["hidden"]
    m = (hid.times >= t0) & (hid.times < t1)
    band = det.network_.neuron_band[hid.source[m]]
    axes[4].scatter(hid.times[m], hid.source[m], s=4,
                    c=[COLORS.get(kinds[b], "gray") for b in band])
    axes[4].set_ylabel("hidden neuron")
    axes[4].set_ylim(-5, 260)
    for ax in axes:
        for row in truth.itertuples():
            if row.onset < t1 and row.onset + row.duration > t0 and row.kind in COLORS:
                ax.axvspan(row.onset, row.onset + row.duration, color=COLORS[row.kind], alpha=0.12)
    for row in found.itertuples():
        if row.onset < t1 and row.onset + row.duration > t0:
            axes[0].axvspan(row.onset, row.onset + row.duration, ymin=0.9, ymax=1.0,
                            color=COLORS.get(row.kind, "gray"), alpha=0.8)
    axes[0].set_title("hfo-detect: simulated HFOs (shaded) and the network's detections (bars on top)",
                      fontsize=10)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
