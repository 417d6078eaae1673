"""Shared fixtures. Real data come from ../shared/data beside the checkout (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HFO_SHARED", REPO.parent / "shared"))
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips the test with a clear reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA} (set HFO_SHARED)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def snn_mat(shared_data: Path) -> Path:
    """The 50-s bipolar iEEG snippet of the authors' test (AHR4-AHR3, uV)."""
    return shared_data / "ieeg_fedele2017" / "snn_ieeg_I1_AHR4-AHR3_50s.mat"


@pytest.fixture(scope="session")
def crop_vhdr(shared_data: Path) -> Path:
    """The real 5-s, 50-contact BrainVision crop."""
    return shared_data / "ieeg_fedele2017" / "crop5s_brainvision" / "sub-01_ses-interictalsleep_run-01_ieeg.vhdr"


@pytest.fixture(scope="session")
def ecog_mat(shared_data: Path) -> Path:
    """The 75-s bipolar intraoperative ECoG snippet."""
    return shared_data / "ecog_boran2019" / "snn_ecog_I1_sub-01_SITUATION1A_ch18-19_75s.mat"


@pytest.fixture(scope="session")
def reference_params(shared_data: Path) -> Path:
    return shared_data / "reference_params"
