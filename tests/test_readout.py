"""Readout rule (spec 2.5) on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hfo_detect.config import ReadoutConfig
from hfo_detect.errors import ConfigError
from hfo_detect.events import count_hfo
from hfo_detect.readout import StreamingReadout, border_bands, events_frame, spikes_to_events
from hfo_detect.spikes import SpikeTrains

FS = 2000.0
CFG = ReadoutConfig()


def trains(times, channels=None, sources=None, n_channels=1):
    times = np.asarray(times, float)
    channels = np.zeros(times.size, int) if channels is None else np.asarray(channels)
    sources = np.zeros(times.size, int) if sources is None else np.asarray(sources)
    return SpikeTrains(times, channels, sources, n_channels)


def reference_rule(spikes, n_times, sfreq=FS, window=0.05, step=0.01, extra=0.05):
    """The spec's loop, literally (slow; exact ties counted in, as the readout does)."""
    t = np.arange(n_times) / sfreq
    mark = np.zeros(n_times, bool)
    eps = 1e-9
    for s in np.arange(0, t[-1] + extra, step):
        if np.any((s <= spikes + eps) & (spikes <= s + window + eps)):
            mark[(t >= s - eps) & (t <= s + window + eps)] = True
    edges = np.diff(np.concatenate([[0], mark.astype(int), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(a / sfreq, (b - a) / sfreq) for a, b in zip(starts, stops)]


@pytest.mark.parametrize("s", [0.1234, 0.12, 0.3001, 1.0, 2.5678])
def test_isolated_spike_gives_the_closed_form_event(s):
    df = events_frame(trains([s]), 5.0, CFG, ["A"], sfreq=FS)
    assert len(df) == 1
    onset = math.ceil(round((s - 0.05) / 0.01, 9)) * 0.01
    offset = math.floor(round(s / 0.01, 9)) * 0.01 + 0.05
    assert df.onset[0] == pytest.approx(onset, abs=1e-12)
    assert df.onset[0] + df.duration[0] == pytest.approx(offset, abs=1e-12)
    assert 0.09 - 1e-12 <= df.duration[0] <= 0.10 + 1e-12
    assert df.kind[0] == "hfo" and not df.fr_and_r[0] and df.channel[0] == "A"
    assert df.n_spikes[0] == 1


def test_spike_at_0_1234_by_hand():
    # windows s = 0.08 .. 0.12 contain 0.1234 -> samples 0.08 .. 0.17 are marked
    df = events_frame(trains([0.1234]), 1.0, CFG, ["A"], sfreq=FS)
    assert df.onset[0] == pytest.approx(0.08)
    assert df.duration[0] == pytest.approx(0.09)


def test_two_close_spikes_merge_and_far_ones_do_not():
    # end of the first = 0.15; the second starts at ceil((x2-0.05)/0.01)*0.01 <= 0.1505 -> merged
    merged = events_frame(trains([0.1099, 0.2]), 1.0, CFG, ["A"], sfreq=FS)
    assert len(merged) == 1
    assert merged.onset[0] == pytest.approx(0.06)
    assert merged.onset[0] + merged.duration[0] == pytest.approx(0.25)
    assert merged.n_spikes[0] == 2
    apart = events_frame(trains([0.1, 0.2001]), 1.0, CFG, ["A"], sfreq=FS)
    assert len(apart) == 2
    assert list(apart.onset) == pytest.approx([0.05, 0.16])


def test_spikes_on_different_channels_stay_separate():
    df = events_frame(trains([0.5, 0.5, 0.52], channels=[1, 0, 1], n_channels=2), 2.0, CFG,
                      ["A", "B"], sfreq=FS)
    assert list(df.channel) == ["A", "B"]
    assert list(df.n_spikes) == [1, 2]
    assert list(df.onset) == pytest.approx([0.45, 0.45])
    assert list(df.onset + df.duration) == pytest.approx([0.55, 0.57])


def test_matches_the_literal_loop_on_random_spikes():
    rng = np.random.default_rng(3)
    for sfreq in (2000.0, 2048.0):
        n_times = int(3 * sfreq)
        spikes = np.sort(rng.uniform(-0.02, 3.05, 25))
        df = events_frame(trains(spikes), n_times / sfreq, CFG, ["A"], sfreq=sfreq)
        want = reference_rule(spikes, n_times, sfreq)
        assert len(df) == len(want)
        np.testing.assert_allclose(df.onset, [w[0] for w in want], atol=1e-12)
        np.testing.assert_allclose(df.duration, [w[1] for w in want], atol=1e-12)


def test_events_stop_at_the_last_sample_and_late_spikes_still_count():
    # spike after the last sample (t = 0.9995) but inside the extra 50 ms
    df = events_frame(trains([1.02]), 1.0, CFG, ["A"], sfreq=FS)
    assert len(df) == 1
    assert df.onset[0] == pytest.approx(0.97)
    assert df.onset[0] + df.duration[0] == pytest.approx(0.9995)
    # beyond T + window nothing is marked
    assert len(events_frame(trains([1.2]), 1.0, CFG, ["A"], sfreq=FS)) == 0


def test_window_and_step_are_parameters():
    cfg = ReadoutConfig(window_s=0.1, step_s=0.05)
    df = events_frame(trains([0.26]), 1.0, cfg, ["A"], sfreq=FS)
    # windows s = 0.2, 0.25 contain 0.26 -> [0.2, 0.35]
    assert df.onset[0] == pytest.approx(0.2)
    assert df.duration[0] == pytest.approx(0.15)
    with pytest.raises(ValueError):
        events_frame(trains([0.26]), 1.0, ReadoutConfig(window_s=0.01, step_s=0.05), ["A"])


def test_discard_startup_drops_early_events_only():
    spikes = trains([0.01, 1.0])
    assert len(events_frame(spikes, 2.0, CFG, ["A"], sfreq=FS)) == 2
    df = events_frame(spikes, 2.0, ReadoutConfig(discard_startup_s=0.1), ["A"], sfreq=FS)
    assert list(df.onset) == pytest.approx([0.95])


def test_each_band_reads_out_its_own_events_and_flags_co_occurrence():
    # neurons 0,1 -> ripple (band 0); 2,3 -> fast ripple (band 1); 4 -> all bands
    neuron_band = np.array([0, 0, 1, 1, -1])
    spikes = trains([0.5, 0.51, 1.5, 2.5, 2.52, 3.5], sources=[0, 1, 2, 0, 3, 4])
    df = events_frame(spikes, 5.0, CFG, ["A"], neuron_band=neuron_band,
                      band_names=["ripple", "fast_ripple"], sfreq=FS)
    rows = list(zip(np.round(df.onset, 4), df.kind, df.fr_and_r))
    # ripple run from 2.5 s: [2.45, 2.55]; fast-ripple run from 2.52 s: [2.47, 2.57] -> overlap
    assert rows == [(0.45, "ripple", False), (1.45, "fast_ripple", False),
                    (2.45, "ripple", True), (2.47, "fast_ripple", True), (3.45, "hfo", False)]
    assert list(count_hfo(df, ["A", "B"])) == [4, 0]


def test_sub_bands_of_one_kind_are_read_out_together():
    # output neurons of two ripple sub-bands (0, 1) and one fast-ripple band (2): spikes of the
    # two ripple sub-bands 40 ms apart make one ripple run, as one band's spikes would
    neuron_band = np.array([0, 1, 2])
    spikes = trains([0.50, 0.54, 1.5], sources=[0, 1, 2])
    df = events_frame(spikes, 5.0, CFG, ["A"], neuron_band=neuron_band,
                      band_names=["ripple", "ripple", "fast_ripple"], sfreq=FS)
    rows = list(zip(np.round(df.onset, 4), np.round(df.duration, 4), df.kind))
    assert rows == [(0.45, 0.14, "ripple"), (1.45, 0.1, "fast_ripple")]


def test_streaming_readout_equals_one_shot():
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 10, 40))
    chans = rng.integers(0, 3, 40)
    whole = events_frame(trains(times, chans, n_channels=3), 10.0, CFG, list("ABC"), sfreq=FS)
    stream = StreamingReadout(3)
    for lo in range(0, 10, 3):  # chunks of 3 s
        m = (times >= lo) & (times < lo + 3)
        stream.add(trains(times[m], chans[m], n_channels=3))
    chunked = events_frame(stream.spikes, 10.0, CFG, list("ABC"), sfreq=FS)
    assert whole.equals(chunked)
    assert len(whole) > 5


def test_no_spikes_gives_an_empty_table():
    df = events_frame(SpikeTrains.empty(2), 10.0, CFG, ["A", "B"], sfreq=FS)
    assert len(df) == 0 and "onset" in df.columns
    assert list(count_hfo(df, ["A", "B"])) == [0, 0]


def test_spikes_to_events_returns_an_event_table():
    pytest.importorskip("hfo_detect.events")
    table = spikes_to_events(trains([0.5]), 2.0, CFG, ["A"], sfreq=FS)
    df = table.df if hasattr(table, "df") else table.to_frame()
    assert len(df) == 1 and df["detector"].iloc[0] == "snn"


def test_population_vote_needs_distinct_neurons_in_one_window():
    # neuron 0 fires three times at 1.00-1.02 s: one neuron, so a 2-neuron vote marks nothing;
    # neurons 1 and 2 fire at 3.00 and 3.03 s: both in the windows starting 2.99-3.00 s only
    spikes = trains([1.0, 1.01, 1.02, 3.0, 3.03], sources=[0, 0, 0, 1, 2])
    one = events_frame(spikes, 5.0, CFG, ["A"], sfreq=FS)
    two = events_frame(spikes, 5.0, ReadoutConfig(min_neurons=2), ["A"], sfreq=FS)
    assert len(one) == 2
    assert len(two) == 1
    # windows [s, s+0.05] holding both 3.00 and 3.03: s in {2.98, 2.99, 3.00} -> 2.98..3.05
    assert two.onset[0] == pytest.approx(2.98)
    assert two.onset[0] + two.duration[0] == pytest.approx(3.05)
    assert two.n_spikes[0] == 2
    three = events_frame(spikes, 5.0, ReadoutConfig(min_neurons=3), ["A"], sfreq=FS)
    assert len(three) == 0


def test_border_bands_are_the_sub_bands_meeting_between_the_kinds():
    kinds = ["ripple", "ripple", "fast_ripple", "fast_ripple", "artifact"]
    edges = [(80, 141), (141, 250), (250, 354), (354, 500), (600, 900)]
    assert border_bands(kinds, edges) == (1, 2)
    # one band per kind: every co-occurrence would come from "the border bands": no rule
    assert border_bands(["ripple", "fast_ripple"], [(80, 250), (250, 500)]) is None
    # sub-bands that do not meet
    assert border_bands(kinds, [(80, 141), (141, 230), (260, 354), (354, 500), (600, 900)]) is None


def test_border_merge_reads_one_oscillation_at_the_border_as_one_event():
    # output neurons of four sub-bands: ripple 0 (80-141), 1 (141-250); fast ripple 2, 3
    neuron_band = np.array([0, 1, 2, 3])
    kinds = ["ripple", "ripple", "fast_ripple", "fast_ripple"]
    times = [0.50, 0.51, 0.52, 0.53,   # A: border ripple sub-band x3, border FR x1 -> ripple
             1.50, 1.51, 1.52,         # A: border ripple x1, border FR x2 -> fast ripple
             2.50, 2.52,               # A: ripple 80-141 Hz + border FR: a co-occurrence
             3.50, 3.51, 3.52,         # A: border pair + FR 354-500 Hz: a co-occurrence
             0.50, 0.50]               # B: one spike each: a close call, two rows
    sources = [1, 1, 1, 2, 1, 2, 2, 0, 2, 1, 2, 3, 1, 2]
    chans = [0] * 12 + [1] * 2
    spikes = trains(times, chans, sources, n_channels=2)
    on = events_frame(spikes, 5.0, ReadoutConfig(border_merge_ratio=1.5), ["A", "B"],
                      neuron_band=neuron_band, band_names=kinds, sfreq=FS, border=(1, 2))
    rows = list(zip(on.channel, np.round(on.onset, 4), np.round(on.duration, 4), on.kind,
                    on.fr_and_r, on.n_spikes))
    assert rows == [("A", 0.45, 0.13, "ripple", False, 4),
                    ("A", 1.45, 0.12, "fast_ripple", False, 3),
                    ("A", 2.45, 0.10, "ripple", True, 1), ("A", 2.47, 0.10, "fast_ripple", True, 1),
                    ("A", 3.45, 0.10, "ripple", True, 1), ("A", 3.46, 0.11, "fast_ripple", True, 2),
                    ("B", 0.45, 0.10, "fast_ripple", True, 1), ("B", 0.45, 0.10, "ripple", True, 1)]
    # off (the default), or without border bands: every pair keeps its two rows
    off = events_frame(spikes, 5.0, CFG, ["A", "B"], neuron_band=neuron_band, band_names=kinds,
                       sfreq=FS, border=(1, 2))
    assert len(off) == 10 and off.fr_and_r.all()
    none = events_frame(spikes, 5.0, ReadoutConfig(border_merge_ratio=1.5), ["A", "B"],
                        neuron_band=neuron_band, band_names=kinds, sfreq=FS)
    assert none.equals(off)


def test_border_merge_ratio_is_checked_at_construction():
    with pytest.raises(ConfigError, match="border_merge_ratio"):
        ReadoutConfig(border_merge_ratio=-1.0)


def test_event_bounds_follow_the_spikes_within_the_window_rule():
    # spikes at 0.503 and 0.524: the window rule marks [0.46, 0.57] (window starts 0.46 ..
    # 0.52, plus 50 ms); bounds (30 ms, 0): first start >= 0.473 is 0.48, last start <= 0.524
    # is 0.52 -> [0.48, 0.52]; an isolated spike at 1.0: [0.97, 1.0]; at 2.006: [1.98, 2.0]
    spikes = trains([0.503, 0.524, 1.0, 2.006])
    df = events_frame(spikes, 5.0, ReadoutConfig(event_bounds_s=(0.03, 0.0)), ["A"], sfreq=FS)
    assert list(zip(np.round(df.onset, 4), np.round(df.duration, 4), df.n_spikes)) == [
        (0.48, 0.04, 2), (0.97, 0.03, 1), (1.98, 0.02, 1)]
    # lead = lag = window is the window rule itself
    wide = events_frame(spikes, 5.0, ReadoutConfig(event_bounds_s=(0.05, 0.05)), ["A"], sfreq=FS)
    window_rule = events_frame(spikes, 5.0, CFG, ["A"], sfreq=FS)
    assert wide.equals(window_rule)
    # whole steps: the bounds are the window rule's moved by fixed amounts
    assert np.allclose(df.onset, window_rule.onset + 0.02)
    assert np.allclose(df.onset + df.duration, window_rule.onset + window_rule.duration - 0.05)


@pytest.mark.parametrize("bounds", [(0.1, 0.0), (-0.01, 0.0), (0.01,), "0.03", 0.03])
def test_event_bounds_are_checked_at_construction(bounds):
    with pytest.raises(ConfigError, match="event_bounds_s"):
        ReadoutConfig(event_bounds_s=bounds)


def test_event_bounds_from_a_list_become_a_tuple():
    assert ReadoutConfig(event_bounds_s=[0.03, 0]).event_bounds_s == (0.03, 0.0)
