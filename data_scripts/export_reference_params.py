"""Export the authors' released parameter files to the package's plain JSON copy.

Reads ``../shared/data/reference_params/{Network,ADM}_parameters.mat`` (released with
Sharifhazileh et al., Nat Commun 12:3095, 2021: github.com/kburel/SNN_HFO_iEEG, commit 4179dda,
``Parameters/*.mat``) and writes ``hfo_detect/data/sharifhazileh2021.json``, which the
``sharifhazileh2021`` preset reads after any install. Floats are written with ``repr`` precision,
so the JSON holds exactly the released numbers (``tests/test_package_data.py`` checks this).

Usage: ``python data_scripts/export_reference_params.py [SHARED_DIR]``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.io import loadmat

ROOT = Path(__file__).resolve().parents[1]


def main(shared: Path) -> Path:
    folder = shared / "data" / "reference_params"
    net = loadmat(folder / "Network_parameters.mat")
    adm = loadmat(folder / "ADM_parameters.mat")

    def scalar(m, key):
        return np.ravel(m[key])[0].item()

    doc = {
        "source": ("Sharifhazileh, Burelo, Sarnthein & Indiveri, Nat Commun 12:3095 (2021); released "
                   "code github.com/kburel/SNN_HFO_iEEG, commit 4179dda (2021-04-19), "
                   "Parameters/Network_parameters.mat and Parameters/ADM_parameters.mat"),
        "layout": "synapse index = hidden_neurons * input + hidden (presynaptic-major); inputs "
                  "R_UP, R_DN, FR_UP, FR_DN",
        "network": {
            "input_neurons": int(scalar(net, "input_neurons")),
            "hidden_neurons": int(scalar(net, "hidden_neurons")),
            "neuron_taus_ms": float(scalar(net, "neuron_taus")),
            "neuron_refractory_s": float(scalar(net, "neuron_refractory")),
            "synapse_weights_pa": [float(v) for v in np.ravel(net["synapse_weights"])],
            "synapse_taus_ms": [float(v) for v in np.ravel(net["synapse_taus"])],
        },
        "adm": {
            "interpfact_hz": int(scalar(adm, "interpfact")),
            "refractory_s": float(scalar(adm, "refractory")),
            "ripple_scale_factor": float(scalar(adm, "Ripple_sf")),
            "fast_ripple_scale_factor": float(scalar(adm, "FR_sf")),
        },
    }
    out = ROOT / "hfo_detect" / "data" / "sharifhazileh2021.json"
    out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"))
