"""Synthetic benchmark generator: truth where the signal says, SNR as defined, reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from hfo_detect.events import EventTable
from hfo_detect.simulate import (
    SimulationConfig,
    default_channel_names,
    simulate_recording,
    write_benchmark,
)

BANDS = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}


@pytest.fixture(scope="module")
def rec():
    return simulate_recording(60.0, 8, seed=11)


def _band_power(data: np.ndarray, sfreq: float, band) -> np.ndarray:
    # order 3 on purpose: not the generator's own filter
    sos = signal.butter(3, band, btype="bandpass", fs=sfreq, output="sos")
    return signal.sosfiltfilt(sos, data, axis=-1) ** 2


def _mean_in(power_row: np.ndarray, start: int, n: int) -> float:
    return float(power_row[start:start + n].mean())


def test_reproducible_from_seed(rec):
    again = simulate_recording(60.0, 8, seed=11)
    np.testing.assert_array_equal(again.data_uv, rec.data_uv)
    assert again.events.df.equals(rec.events.df)
    other = simulate_recording(60.0, 8, seed=12)
    assert not np.array_equal(other.data_uv, rec.data_uv)
    # channel i does not depend on which other channels are simulated
    part = simulate_recording(60.0, 8, seed=11, channels=[5])
    np.testing.assert_array_equal(part.data_uv[0], rec.data_uv[5])
    assert part.events.df.drop(columns="channel").reset_index(drop=True).equals(
        rec.events.select(channel=rec.ch_names[5]).df.drop(columns="channel").reset_index(drop=True))


def test_layout_names_and_amplitude(rec):
    assert rec.data_uv.shape == (8, int(60 * 2048))
    assert rec.ch_names == default_channel_names(8)
    assert rec.ch_names[:2] == ["AHL1-AHL2", "AHL2-AHL3"] and rec.ch_names[7] == "AHR1-AHR2"
    assert set(rec.events.channels) <= set(rec.ch_names)
    assert set(rec.events.df["kind"]) == {"ripple", "fast_ripple", "spike", "artifact"}
    # background wideband SD 50-150 uV (events add little to it)
    sd = rec.data_uv.std(axis=1)
    assert (sd > 45).all() and (sd < 180).all()


def test_events_do_not_overlap_and_stay_inside(rec):
    df = rec.events.df
    assert df["onset"].min() >= 1.0 and (df["onset"] + df["duration"]).max() <= 59.0  # edge_s = 1
    for _, ev in df.groupby("channel"):
        # a co-occurring FR lies inside its ripple; otherwise events are >= min_gap_s apart
        spans = ev[~((ev["kind"] == "fast_ripple") & ev["fr_and_r"])].sort_values("onset")
        gaps = spans["onset"].to_numpy()[1:] - (spans["onset"] + spans["duration"]).to_numpy()[:-1]
        assert (gaps >= 0.2 - 1e-9).all()
    hfo = df[df["kind"].isin(["ripple", "fast_ripple"])]
    cycles = hfo["duration"] * hfo["peak_frequency"]
    assert cycles.min() >= 3.9 and cycles.max() <= 15.1
    assert hfo.loc[hfo["kind"] == "ripple", "peak_frequency"].between(80, 250).all()
    assert hfo.loc[hfo["kind"] == "fast_ripple", "peak_frequency"].between(250, 500).all()
    assert hfo["snr_db"].between(0, 15).all()
    assert df.loc[~df["kind"].isin(["ripple", "fast_ripple"]), "snr_db"].isna().all()


def test_co_occurrences_flag_both_rows(rec):
    df = rec.events.df
    flagged = df[df["fr_and_r"]]
    assert len(flagged) > 0 and set(flagged["kind"]) == {"ripple", "fast_ripple"}
    ripples = flagged[flagged["kind"] == "ripple"]
    frs = flagged[flagged["kind"] == "fast_ripple"]
    assert len(ripples) == len(frs)
    # each flagged FR lies inside a flagged ripple of its channel
    for fr in frs.itertuples():
        host = ripples[(ripples["channel"] == fr.channel) & (ripples["onset"] <= fr.onset)
                       & (ripples["onset"] + ripples["duration"] >= fr.onset + fr.duration - 1e-9)]
        assert len(host) == 1
    # the flags are exactly the ripple/FR overlaps of the table
    np.testing.assert_array_equal(rec.events.with_co_occurrence().df["fr_and_r"], df["fr_and_r"])


@pytest.mark.parametrize("kind", ["ripple", "fast_ripple"])
def test_band_energy_at_truth_events_exceeds_random_windows(rec, kind):
    power = _band_power(rec.data_uv, rec.sfreq, BANDS[kind])
    events = rec.events.select(kind=kind).df
    rng = np.random.default_rng(0)
    at_event, random = [], []
    for row in events.itertuples():
        ch = rec.ch_names.index(row.channel)
        start, n = int(round(row.onset * rec.sfreq)), int(round(row.duration * rec.sfreq))
        at_event.append(_mean_in(power[ch], start, n))
        for s in rng.integers(0, power.shape[1] - n, 5):
            random.append(_mean_in(power[ch], s, n))
    # SNR 0-15 dB (median 7.5 dB): in-band power at events ~ (1 + 10**0.75) = 6.6x the background
    assert len(at_event) >= 20
    assert np.median(at_event) > 3.0 * np.median(random)
    assert np.percentile(at_event, 10) > np.median(random)


def test_snr_definition_on_isolated_events():
    """SNR = RMS(event) / RMS(band-passed background): measure it from the parts."""
    quiet = dict(both_rate_per_min=0.0, spike_rate_per_min=0.0, artifact_rate_per_min=0.0)
    full = simulate_recording(60.0, 2, seed=5, snr_db=(0, 15), ripple_rate_per_min=6.0,
                              fast_ripple_rate_per_min=6.0, **quiet)
    background = simulate_recording(60.0, 2, seed=5, ripple_rate_per_min=0.0,
                                    fast_ripple_rate_per_min=0.0, **quiet)
    added = full.data_uv - background.data_uv
    errors = []
    for kind, band in BANDS.items():
        # reference: band RMS of the whole background channel (generator: 1-s window)
        ref = np.sqrt(_band_power(background.data_uv, full.sfreq, band).mean(axis=1))
        for row in full.events.select(kind=kind).df.itertuples():
            ch = full.ch_names.index(row.channel)
            start, n = int(round(row.onset * full.sfreq)), int(round(row.duration * full.sfreq))
            rms = np.sqrt(np.mean(added[ch, start:start + n] ** 2))
            errors.append(20 * np.log10(rms / ref[ch]) - row.snr_db)
    assert len(errors) >= 10
    assert np.max(np.abs(errors)) < 1.0
    # nothing outside the truth intervals
    mask = full.events.get_mask(full.sfreq, added.shape[1], full.ch_names)
    assert not added[~mask].any()


def test_spikes_and_artifacts_ring_through_the_ripple_filter(rec):
    """The non-HFO events are large and raise ripple-band power (false-positive sources)."""
    power = _band_power(rec.data_uv, rec.sfreq, BANDS["ripple"])
    baseline = np.median(power, axis=1)
    for kind in ("spike", "artifact"):
        peaks = []
        for row in rec.events.select(kind=kind).df.itertuples():
            ch = rec.ch_names.index(row.channel)
            start, n = int(round(row.onset * rec.sfreq)), int(round(row.duration * rec.sfreq))
            peaks.append(power[ch, start:start + n].max() / baseline[ch])
            assert row.peak_amplitude > 4 * 50  # >= 4 background SDs of >= 50 uV
        assert len(peaks) > 0 and np.median(peaks) > 10.0


def test_line_noise_peak():
    no_events = dict(ripple_rate_per_min=0, fast_ripple_rate_per_min=0, both_rate_per_min=0,
                     spike_rate_per_min=0, artifact_rate_per_min=0)
    rec = simulate_recording(8.0, 1, seed=2, line_noise_hz=50.0, **no_events)
    plain = simulate_recording(8.0, 1, seed=2, **no_events)
    line = rec.data_uv[0] - plain.data_uv[0]
    freqs = np.fft.rfftfreq(line.size, 1 / rec.sfreq)
    spectrum = np.abs(np.fft.rfft(line))
    assert freqs[np.argmax(spectrum)] == pytest.approx(50.0, abs=0.2)
    assert spectrum[np.argmin(np.abs(freqs - 150))] > 0  # 3rd harmonic
    assert 5.0 < np.abs(line).max() < 10.0 * 1.5 * (1 + 1 / 2 + 1 / 3)
    assert len(rec.events) == 0


def test_real_background_from_the_crop(crop_vhdr):
    from hfo_detect.io import read_recording

    raw = read_recording(crop_vhdr)  # 5 s, bipolar pairs of the 50 contacts
    source = raw.get_data(units="uV")
    rec = simulate_recording(12.0, 3, seed=4, background=source, background_sfreq=raw.info["sfreq"],
                             ripple_rate_per_min=10, fast_ripple_rate_per_min=5, both_rate_per_min=0,
                             spike_rate_per_min=0, artifact_rate_per_min=0)
    assert rec.data_uv.shape == (3, int(12 * 2048))
    assert np.isfinite(rec.data_uv).all() and len(rec.events) > 0
    # overlap-added pieces keep the source's typical amplitude
    ratio = rec.data_uv.std(axis=1) / source[:3].std(axis=1)  # channel i from source row i
    assert (ratio > 0.7).all() and (ratio < 1.4).all()


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="lower the rates or slot_s"):
        simulate_recording(10.0, 1, ripple_rate_per_min=60.0)
    with pytest.raises(ValueError, match="fast ripples"):
        simulate_recording(10.0, 1, sfreq=1000.0)
    with pytest.raises(ValueError, match="does not fit"):
        simulate_recording(20.0, 1, seed=1, config=SimulationConfig(slot_s=0.3), ripple_rate_per_min=30,
                           fast_ripple_rate_per_min=0, both_rate_per_min=0, spike_rate_per_min=5,
                           artifact_rate_per_min=0)


def test_write_benchmark_deterministic_bids_folder(tmp_path):
    kw = dict(seed=7, n_subjects=2, duration_s=20.0, n_channels=4, snr_db=(5.0, 10.0))
    a = write_benchmark(tmp_path / "a", **kw)
    b = write_benchmark(tmp_path / "b", **kw)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    stem = "sub-sim02/ieeg/sub-sim02_task-sim_run-01"
    for name in ("dataset_description.json", "participants.tsv", f"{stem}_ieeg.edf",
                 f"{stem}_events.tsv", f"{stem}_channels.tsv", f"{stem}_ieeg.json"):
        assert any(str(f) == name for f in files), name
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    truth = EventTable.read(a / f"{stem}_events.tsv")
    same = simulate_recording(20.0, 4, seed=(7, 1), snr_db=(5.0, 10.0)).events
    pd.testing.assert_frame_equal(truth.df, same.df)  # subject i = seed (seed, i), TSV is lossless
    assert truth.df["snr_db"].dropna().between(5, 10).all()
    header = (a / f"{stem}_events.tsv").read_text().splitlines()[0].split("\t")
    assert header[:4] == ["onset", "duration", "trial_type", "channel"]
    assert {"kind", "snr_db", "fr_and_r"} <= set(header)
    assert (a / "participants.tsv").read_text().split() == ["participant_id", "sub-sim01", "sub-sim02"]


def test_short_recordings_keep_a_subset_of_events():
    """3 s leave one 1-s slot per channel (1-s edges): at most one event each, never an error."""
    for seed in range(8):
        rec = simulate_recording(3.0, 2, seed=seed)
        df = rec.events.df
        slots_used = df[~((df["kind"] == "fast_ripple") & df["fr_and_r"])]  # nested FR shares its ripple's slot
        assert (slots_used.groupby("channel").size() <= 1).all()
