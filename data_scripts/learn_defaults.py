"""Learn the shipped hfo256 defaults with ``NeuromorphicDetector.fit(X, y)`` on training data.

Training data (never a benchmark or test seed, never the real snippets):

* two recordings of this project's training generator (``data_scripts/make_training.py``,
  seeds 7 and 8: varied spike shapes, ripples on spikes, steps/pops/sharp/EMG artifacts,
  chirped Gaussian/Tukey HFOs at 0-20 dB, varied 1/f backgrounds);
* one recording of the package simulator (``hfo_detect.simulate``, seed 100, a seed no
  benchmark or test uses), so that no single generator's quirks decide.

Writes ``reports/learned_defaults.md`` (chosen values and the best rows of the search table);
the values are then copied into the ``hfo256`` preset (``hfo_detect/config.py``) by hand.

Usage::

    python data_scripts/learn_defaults.py [--channels 8] [--duration 60]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def training_set(n_ch: int, dur: float):
    import mne

    from hfo_detect.simulate import simulate_recording

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_training import SFREQ, training_recording

    recs, truths = [], []
    for seed in (7, 8):
        data, names, truth = training_recording(seed, n_ch, dur)
        raw = mne.io.RawArray(data * 1e-6, mne.create_info(names, SFREQ, ch_types="seeg"),
                              verbose="error")
        recs.append(raw)
        truths.append(truth)
    sim = simulate_recording(dur, n_ch, sfreq=2048.0, seed=100, snr_db=(0.0, 20.0),
                             spike_rate_per_min=6.0, artifact_rate_per_min=4.0)
    recs.append(sim.to_raw())
    truths.append(sim.events.df)
    return recs, truths


def main(argv=None) -> int:
    from hfo_detect.detector import NeuromorphicDetector
    from hfo_detect.learning import F1_TOLERANCE, MIN_SAVING

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=8)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "learned_defaults.md")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    recs, truths = training_set(a.channels, a.duration)
    det = NeuromorphicDetector(preset="hfo256")
    det.fit(recs, truths)
    res = det.learned_
    top = res.table.sort_values("f1", ascending=False).groupby(["band", "artifact_key"]).head(3)
    art = -1.0 if res.artifact_scale_factor is None else res.artifact_scale_factor
    chosen = res.table[[row.artifact_key == art
                        and row.scale_factor == res.scale_factors[row.band]
                        and row.weight_na == res.weight_na[row.band]
                        for row in res.table.itertuples()]]
    lines = [
        "# Learned hfo256 defaults (`data_scripts/learn_defaults.py`)", "",
        f"Training: 3 recordings x {a.channels} ch x {a.duration:g} s (make_training seeds 7, 8;"
        " simulate seed 100, 0-20 dB). Search: `hfo_detect.learning.DEFAULT_GRID`; "
        f"{time.perf_counter() - t0:.0f} s. Selection: best F1, or a setting within one "
        f"standard error of it (at least {F1_TOLERANCE}; `hfo_detect.learning`) with at least "
        f"{MIN_SAVING:.0%} fewer synaptic input events (`cost`: ADM events x neurons reached; "
        "`art_cost`: artifact-band events x interneurons).",
        "",
        f"- ADM scale factors: {res.scale_factors}",
        f"- artifact band scale factor: {res.artifact_scale_factor}",
        f"- hidden -> output weight (nA), per kind: {res.weight_na}; per sub-band after the "
        f"coordinate search: {res.band_weight_na}",
        f"- event bounds (lead, lag) in s, the median latencies of the detections' first and "
        f"last output spikes inside the reference events: {res.event_bounds_s}", "",
        "Best rows per band and artifact setting (artifact_key -1: no artifact path; "
        "tp/fp/fn summed over the training recordings):", "", "```",
        top.to_string(index=False), "```", "",
        "The rows chosen (each kind's shared setting, before the per-sub-band weights):", "",
        "```", chosen.to_string(index=False), "```", ""]
    a.out.write_text("\n".join(lines))
    print("\n".join(lines[:11]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
