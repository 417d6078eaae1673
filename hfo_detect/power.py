"""Event-count power model of the neuromorphic HFO chip (Sharifhazileh et al. 2021, power figures).

The chip of Sharifhazileh et al. (2021) draws **614.3 uW** on average during the detection task
(0.18 um CMOS, 8 analog headstage channels and 4 SNN cores) [PAPER]. No per-block breakdown was
published, so this module estimates power from what a detection run counted::

    P = n_chips * (P_bias + P_periphery)                 # static, shared per chip
      + n_channels * (P_lna + n_bands * (P_filter + P_adm_static))  # static, per channel
      + r_adm * E_adm_event                              # ADM events/s
      + r_adm * E_broadcast                              # each input event broadcast once in its core
      + r_syn * E_synaptic                               # synaptic events/s (input events x fan-out)
      + r_spk * (E_spike + E_route)                      # hidden spikes/s, each routed off the core

Event rates come from the ``*_counts.tsv`` table a detection run writes (one row per channel:
``adm_events``, ``synaptic_events``, ``hidden_spikes``, ``n_hfo``, ``duration_s``).

What is measured and what is not
--------------------------------
* The per-event energies are DYNAP-SE figures **recalled, not verified** (Sharifhazileh et al. 2021, power figures, [RECALL]).
* The static split is a **calibration**, not a measurement: the components are chosen so that an
  8-channel chip at the activity of the authors' test channel (Sharifhazileh et al. 2021, power figures: ~311 ADM events/s, 85
  hidden neurons, ~0.8 hidden spikes/s) lands near the paper's 614.3 uW total (see
  :func:`reference_chip_power`). Only the 614.3 uW total is a published number.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfo_detect.errors import HFODetectError

#: Whole-chip average power during the detection task [PAPER S1 abstract].
PAPER_CHIP_TOTAL_UW = 614.3

#: Parts of the estimate, in the order of the stacked bar of the report.
STATIC_PARTS = ("bias_uw", "periphery_uw", "headstage_uw")
DYNAMIC_PARTS = ("adm_uw", "broadcast_uw", "synaptic_uw", "spike_uw")
PARTS = STATIC_PARTS + DYNAMIC_PARTS

_NJ_TO_UJ = 1e-3  # nJ -> uJ, so that events/s * nJ * 1e-3 = uW


@dataclass(frozen=True)
class PowerConfig:
    """Every constant of the power model, with its source.

    Per-event energies (nJ)
    -----------------------
    spike_nj : float
        Spike generation of a hidden neuron, ~0.9 nJ. DYNAP-SE, Moradi et al. 2018 (TBioCAS 12:106)
        [RECALL, unverified].
    broadcast_nj : float
        Broadcast of one input event to the neurons of a core, ~6.8 nJ. DYNAP-SE [RECALL, unverified].
    route_nj : float
        Routing an event to another core, ~0.36 nJ; paid once per hidden spike leaving its core.
        DYNAP-SE [RECALL, unverified].
    synaptic_nj : float
        Pulse extender = one synaptic event, ~0.32 nJ. DYNAP-SE [RECALL, unverified].
    adm_event_nj : float
        One ADM event (comparator + asynchronous handshake). No figure was found [CHOICE,
        unverified]: taken equal to ``spike_nj`` since both generate one address-event.

    Static power (uW)
    -----------------
    lna_uw : float
        Low-noise amplifier per headstage channel. Corradi & Indiveri 2015 (TBioCAS 9:699) report
        90 uW for their bio-amplifier; 8 x 90 uW alone would exceed the chip's 614.3 uW, so the
        newer headstage must draw less. 40 uW is a **calibration** [CHOICE, unverified].
    filter_band_uw : float
        One band-pass filter of a channel, 6 uW [CHOICE, calibration]; a channel pays one per
        band of its front end (the paper's ripple + fast ripple: 12 uW; ``hfo256``'s four HFO
        sub-bands and artifact band: 30 uW).
    adm_band_uw : float
        One ADM (comparators and reference; bias, not events) per band of a channel, 2 uW
        [CHOICE, calibration].
    n_bands : int
        Front-end bands per channel when the counts table has no ``n_bands`` column (the
        paper's two).
    bias_uw : float
        Bias generators of one chip [CHOICE, calibration].
    periphery_uw : float
        AER/digital periphery, configuration memories and pads of one chip; the remainder that
        makes the 8-channel reference land near 614.3 uW [CHOICE, calibration].

    Chip geometry
    -------------
    channels_per_chip : int
        Analog headstage channels per chip, 8 [PAPER S2 Fig. 4 legend].
    neurons_per_chip : int
        Neurons per chip: 4 cores x 256 [PAPER S2 Fig. 4 legend; DYNAP-SE core size]. A recording
        needs ``max(ceil(n_ch / channels_per_chip), ceil(n_ch * n_hidden / neurons_per_chip))``
        chips; each pays ``bias_uw + periphery_uw``. Unused headstage channels are taken as
        powered down [CHOICE].
    """

    spike_nj: float = 0.9
    broadcast_nj: float = 6.8
    route_nj: float = 0.36
    synaptic_nj: float = 0.32
    adm_event_nj: float = 0.9
    lna_uw: float = 40.0
    filter_band_uw: float = 6.0
    adm_band_uw: float = 2.0
    n_bands: int = 2
    bias_uw: float = 60.0
    periphery_uw: float = 19.5
    channels_per_chip: int = 8
    neurons_per_chip: int = 1024

    #: fields that are calibrations or recalled values, listed in every JSON output
    UNVERIFIED = ("spike_nj", "broadcast_nj", "route_nj", "synaptic_nj", "adm_event_nj",
                  "lna_uw", "filter_band_uw", "adm_band_uw", "bias_uw", "periphery_uw")

    def headstage_uw(self, n_bands=None):
        """Static power of one headstage channel: LNA, and a filter and an ADM per band
        (``n_bands``: a number or an array of them; default :attr:`n_bands`)."""
        n = self.n_bands if n_bands is None else n_bands
        return self.lna_uw + n * (self.filter_band_uw + self.adm_band_uw)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class PowerEstimate:
    """Result of :func:`estimate_power`.

    Attributes
    ----------
    channels : DataFrame
        One row per (recording, channel): event rates, the per-channel parts in uW
        (``headstage_uw`` and the dynamic parts), ``channel_uw``, ``n_hfo`` and
        ``energy_per_hfo_uj`` (channel energy over the recording / its HFOs; NaN without HFOs).
    recordings : DataFrame
        One row per recording: ``n_chips``, every part of :data:`PARTS`, ``static_uw``,
        ``dynamic_uw``, ``total_uw``, ``chip_8ch_uw`` (one full chip at this recording's mean
        per-channel activity, comparable to the paper's figure), ``n_hfo``, ``energy_per_hfo_uj``.
    config : PowerConfig
    """

    channels: pd.DataFrame
    recordings: pd.DataFrame
    config: PowerConfig

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; every power figure is a key ending in ``_uw``."""
        return {
            "paper_chip_total_uw": PAPER_CHIP_TOTAL_UW,
            "recordings": _records(self.recordings),
            "channels": _records(self.channels),
            "config": self.config.to_dict(),
            "unverified": list(PowerConfig.UNVERIFIED),
            "note": ("event energies are recalled DYNAP-SE figures (unverified); the static split is "
                     "a calibration to the paper's 614.3 uW total, not a measurement"),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (float, np.floating)):
                v = None if not math.isfinite(float(v)) else float(v)
            clean[k] = v
        out.append(clean)
    return out


REQUIRED_COLUMNS = ("channel", "adm_events", "synaptic_events", "hidden_spikes")


def _dynamic_parts(adm_rate, syn_rate, spk_rate, cfg: PowerConfig) -> dict[str, Any]:
    """Dynamic power parts (uW) from event rates (events/s)."""
    return {
        "adm_uw": adm_rate * cfg.adm_event_nj * _NJ_TO_UJ,
        "broadcast_uw": adm_rate * cfg.broadcast_nj * _NJ_TO_UJ,
        "synaptic_uw": syn_rate * cfg.synaptic_nj * _NJ_TO_UJ,
        "spike_uw": spk_rate * (cfg.spike_nj + cfg.route_nj) * _NJ_TO_UJ,
    }


def _numbers(counts: pd.DataFrame, column: str, recording: str) -> np.ndarray:
    """A counts-table column as floats; anything else is one error naming the column."""
    try:
        return counts[column].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise HFODetectError(f"counts table column {column!r} holds non-numbers",
                             recording) from None


def n_chips_needed(n_channels: int, n_hidden: int, cfg: PowerConfig) -> int:
    """Chips needed for ``n_channels`` networks of ``n_hidden`` neurons (at least one)."""
    by_channels = math.ceil(n_channels / cfg.channels_per_chip)
    by_neurons = math.ceil(n_channels * max(n_hidden, 0) / cfg.neurons_per_chip)
    return max(1, by_channels, by_neurons)


def estimate_power(counts: pd.DataFrame, duration_s: float | None = None,
                   cfg: PowerConfig | None = None, *, recording: str = "recording",
                   n_hidden: int | None = None) -> PowerEstimate:
    """Estimate the chip's power for one recording from its per-channel counts.

    Parameters
    ----------
    counts : DataFrame
        The ``<stem>_counts.tsv`` table: one row per channel with ``channel``, ``adm_events``,
        ``synaptic_events``, ``hidden_spikes`` and optionally ``n_hfo``, ``duration_s``, ``n_hidden``.
    duration_s : float or None
        Recorded duration in s; ``None`` takes the table's ``duration_s`` column (per row).
    cfg : PowerConfig or None
        Constants (defaults: :class:`PowerConfig`).
    recording : str
        Name put in the ``recording`` column.
    n_hidden : int or None
        Hidden neurons per channel (for the chip count); default: the ``n_hidden`` column, else 0.

    Returns
    -------
    PowerEstimate

    Raises
    ------
    HFODetectError
        Missing columns, no rows, or no positive duration.
    """
    cfg = cfg or PowerConfig()
    missing = [c for c in REQUIRED_COLUMNS if c not in counts.columns]
    if missing:
        raise HFODetectError(f"counts table lacks column(s) {', '.join(missing)}", recording)
    if len(counts) == 0:
        raise HFODetectError("counts table has no channels", recording)
    if duration_s is not None:
        dur = np.full(len(counts), float(duration_s))
    elif "duration_s" in counts.columns:
        dur = _numbers(counts, "duration_s", recording)
    else:
        raise HFODetectError("no duration: give duration_s or a duration_s column", recording)
    if not np.all(np.isfinite(dur) & (dur > 0)):
        raise HFODetectError("duration must be positive", recording)

    ch = pd.DataFrame({"recording": recording, "channel": counts["channel"].astype(str).to_numpy()})
    ch["duration_s"] = dur
    ch["adm_rate_hz"] = _numbers(counts, "adm_events", recording) / dur
    ch["synaptic_rate_hz"] = _numbers(counts, "synaptic_events", recording) / dur
    ch["spike_rate_hz"] = _numbers(counts, "hidden_spikes", recording) / dur
    n_bands = (_numbers(counts, "n_bands", recording) if "n_bands" in counts.columns
               else np.full(len(counts), float(cfg.n_bands)))
    ch["n_bands"] = n_bands
    ch["headstage_uw"] = cfg.headstage_uw(n_bands)
    for key, val in _dynamic_parts(ch["adm_rate_hz"], ch["synaptic_rate_hz"],
                                   ch["spike_rate_hz"], cfg).items():
        ch[key] = val
    ch["dynamic_uw"] = ch[list(DYNAMIC_PARTS)].sum(axis=1)
    ch["channel_uw"] = ch["headstage_uw"] + ch["dynamic_uw"]
    n_hfo = (_numbers(counts, "n_hfo", recording) if "n_hfo" in counts.columns
             else np.full(len(counts), np.nan))
    ch["n_hfo"] = n_hfo
    with np.errstate(divide="ignore", invalid="ignore"):
        ch["energy_per_hfo_uj"] = np.where(n_hfo > 0, ch["channel_uw"] * dur / n_hfo, np.nan)

    if n_hidden is None:
        # every neuron of a channel's network takes a place on the chip (output layer and
        # artifact interneurons included, column n_neurons)
        col = "n_neurons" if "n_neurons" in counts.columns else "n_hidden"
        n_hidden = int(counts[col].max()) if col in counts.columns else 0
    n_ch = len(ch)
    n_chips = n_chips_needed(n_ch, n_hidden, cfg)
    rec_dur = float(dur.max())
    rec: dict[str, Any] = {"recording": recording, "n_channels": n_ch, "n_hidden": n_hidden,
                           "n_chips": n_chips, "duration_s": rec_dur,
                           "bias_uw": n_chips * cfg.bias_uw,
                           "periphery_uw": n_chips * cfg.periphery_uw,
                           "headstage_uw": float(ch["headstage_uw"].sum())}
    for key in DYNAMIC_PARTS:
        rec[key] = float(ch[key].sum())
    rec["static_uw"] = sum(rec[k] for k in STATIC_PARTS)
    rec["dynamic_uw"] = sum(rec[k] for k in DYNAMIC_PARTS)
    rec["total_uw"] = rec["static_uw"] + rec["dynamic_uw"]
    rec["chip_8ch_uw"] = (cfg.bias_uw + cfg.periphery_uw
                          + cfg.channels_per_chip * (float(ch["headstage_uw"].mean())
                                                     + float(ch["dynamic_uw"].mean())))
    rec["paper_chip_total_uw"] = PAPER_CHIP_TOTAL_UW
    total_hfo = float(np.nansum(n_hfo)) if np.isfinite(n_hfo).any() else float("nan")
    rec["n_hfo"] = total_hfo
    rec["energy_per_hfo_uj"] = (rec["total_uw"] * rec_dur / total_hfo
                                if total_hfo > 0 else float("nan"))
    return PowerEstimate(ch, pd.DataFrame([rec]), cfg)


def combine(estimates: list[PowerEstimate]) -> PowerEstimate:
    """Stack the estimates of several recordings (same config) into one."""
    if not estimates:
        raise ValueError("no estimates to combine")
    return PowerEstimate(pd.concat([e.channels for e in estimates], ignore_index=True),
                         pd.concat([e.recordings for e in estimates], ignore_index=True),
                         estimates[0].config)


def reference_chip_power(cfg: PowerConfig | None = None, *, adm_rate_hz: float = 311.0,
                         fanout: int = 85, spike_rate_hz: float = 0.8) -> dict[str, float]:
    """Power of one full chip with every channel at the reference activity of the authors' test channel.

    The defaults are the authors' test channel with 10-s calibration (Sharifhazileh et al. 2021, power figures: ~16 + 295 ADM
    events/s, 85 hidden neurons, ~0.8 hidden spikes/s). With the default :class:`PowerConfig`
    the total is ~614 uW **by construction** (the static split is calibrated to it).
    """
    cfg = cfg or PowerConfig()
    per_ch = _dynamic_parts(adm_rate_hz, adm_rate_hz * fanout, spike_rate_hz, cfg)
    n = cfg.channels_per_chip
    out = {"bias_uw": cfg.bias_uw, "periphery_uw": cfg.periphery_uw,
           "headstage_uw": n * cfg.headstage_uw()}
    out.update({k: n * v for k, v in per_ch.items()})
    out["static_uw"] = sum(out[k] for k in STATIC_PARTS)
    out["dynamic_uw"] = sum(out[k] for k in DYNAMIC_PARTS)
    out["total_uw"] = out["static_uw"] + out["dynamic_uw"]
    out["paper_chip_total_uw"] = PAPER_CHIP_TOTAL_UW
    return out


def estimate_recordings(recordings, cfg: PowerConfig | None = None) -> PowerEstimate:
    """Estimate power for several recordings and combine them.

    Parameters
    ----------
    recordings : iterable of (str, DataFrame, float or None)
        ``(name, counts table, duration_s)`` per recording (a run's ``<stem>_counts.tsv`` and the
        recording's duration; ``None`` takes the table's ``duration_s`` column).
    cfg : PowerConfig or None

    Raises
    ------
    HFODetectError
        No recording, or a counts table :func:`estimate_power` refuses.
    """
    estimates = [estimate_power(counts, duration_s, cfg, recording=name)
                 for name, counts, duration_s in recordings]
    if not estimates:
        raise HFODetectError("no counts table to estimate power from")
    return combine(estimates)


def chip_rule(cfg: PowerConfig | None = None, n_hidden: int | None = None) -> str:
    """One sentence stating how channels are mapped onto chips."""
    cfg = cfg or PowerConfig()
    text = (f"chips per recording = max(ceil(channels / {cfg.channels_per_chip} headstage channels), "
            f"ceil(channels x neurons per channel / {cfg.neurons_per_chip} neurons per chip))")
    if n_hidden:
        per_chip = max(1, min(cfg.channels_per_chip, cfg.neurons_per_chip // max(int(n_hidden), 1)))
        text += f"; with {int(n_hidden)} neurons per channel one chip holds {per_chip} channels"
    return text
