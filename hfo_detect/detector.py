"""The neuromorphic HFO detector as a scikit-learn estimator.

:class:`NeuromorphicDetector` strings the stages together, streaming the recording in chunks:

``fit``     pass 1: filter bank -> per-channel ADM threshold calibration (the authors' code, find_thresholds).
``predict`` pass 2: filter bank -> ADM -> spiking network (state carried between chunks) ->
            readout (the authors' code, detect_HFO) -> :class:`~hfo_detect.events.EventTable`.

Chunk boundaries. The recording is read in chunks of ``chunk_s`` and filtered/encoded in blocks
of ``BLOCK_SAMPLES``; after each block the network is advanced over ``[t_a, t_b)`` with exactly the
ADM events that fall in that interval (by the integrator's own rule, see :func:`_cut`). ``t_b`` is
at the block's last sample (``euler``: that sample's grid step); later events are held back for
the next call, so events produced from the next block never fall in an interval already simulated. After the
last chunk the network runs on to ``t_last + extra_time_s`` (as Brian2 runs the released code). Hidden spikes are
collected and read out once at the end (:class:`~hfo_detect.readout.StreamingReadout`), so a
chunked run gives exactly the events of a one-shot run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from hfo_detect import progress
from hfo_detect.config import PipelineConfig, get_preset, with_overrides
from hfo_detect.events import count_hfo
from hfo_detect.readout import StreamingReadout, border_bands
from hfo_detect.spikes import SpikeTrains

#: estimator parameter -> dotted config override (``None`` keeps the preset's value)
_OVERRIDES = {
    "seed": "network__seed",
    "calibration": "calibration__rule",
    "encoder": "adm__encoder",
    "integrator": "network__integrator",
    "mismatch_cv": "network__mismatch_cv",
    "n_hidden": "network__n_hidden",
    "window_s": "readout__window_s",
    "min_neurons": "readout__min_neurons",
    "step_s": "readout__step_s",
    "discard_startup_s": "readout__discard_startup_s",
    "on_low_fs": "filters__on_low_fs",
}


def as_recording(X):
    """See :func:`hfo_detect.io.as_recording` (the input rule shared by every detector)."""
    from hfo_detect.io import as_recording as _as_recording

    return _as_recording(X)


def _canonical(ch_names) -> list[str]:
    """Channel names as the event tables write them ("AL1-2" -> "AL1-AL2"), so counts, thresholds
    and events of one run join on the same names."""
    from hfo_detect.channels import canonical_bipolar

    return [canonical_bipolar(c) for c in ch_names]


def _stream_names(band_names) -> list[str]:
    return [f"{b}_{d}" for b in band_names for d in ("up", "dn")]


class NeuromorphicDetector(BaseEstimator):
    """Filter bank + ADM + DPI spiking network + window readout (Sharifhazileh et al. 2021).

    Every parameter left at ``None`` takes the preset's value.

    Parameters
    ----------
    preset : str
        ``hfo256`` (default: 256 neurons in four sub-populations, one per ripple or fast-ripple
        sub-band, mismatch, output layer and artifact path), ``sharifhazileh2021`` (the paper's
        software model), ``burelo2021_ecog``.
    seed : int or None
        Seed of weights, taus and mismatch (one seed = one simulated chip).
    calibration : {"whole", "first10s"} or None
        ADM threshold rule.
    floor_span_s : float or None
        Span over which the thresholds follow the noise floor (``CalibrationConfig.track_s``);
        0 = one threshold per channel and band for the whole recording (the paper's rule);
        None keeps the preset's (hfo256: 10 s).
    encoder : {"faithful", "continuous"} or None
        ADM encoder.
    integrator : {"euler", "fast", "lockstep"} or None
        Network integrator.
    mismatch_cv : float or None
        Coefficient of variation of the device mismatch.
    n_hidden : int or None
        Hidden neurons per channel (``hfo256``/``burelo2021_ecog``).
    window_s, step_s : float or None
        Readout window and step (the authors' code, detect_HFO: 0.05 and 0.01 s).
    discard_startup_s : float or None
        Drop events ending before this time (the filter's start-up transient); preset: 0.
    first_channel : int
        Chip index of the recording's first channel (channel ``c`` runs on network
        ``first_channel + c``); the runner sets it when it splits a recording's channels over
        processes, so the split run equals the whole run.
    min_neurons : int or None
        Population vote of the readout: distinct hidden neurons needed in a window (1 = the
        paper's "any spike").
    on_low_fs : {"error", "drop"} or None
        A band the sampling rate cannot carry: raise ``SamplingRateError`` or drop the band.
    chunk_s : float
        Streaming chunk length in seconds (results do not depend on it).
    keep_spikes : bool
        Keep the ADM and hidden spike trains in ``spikes_`` after ``predict``.
    overrides : dict or None
        Further dotted config overrides, e.g. ``{"network__dt_s": 5e-5}``.
    search_grid : dict or None
        Grid of ``fit(X, y)`` (keys of :data:`hfo_detect.learning.DEFAULT_GRID`).

    Attributes
    ----------
    config_ : PipelineConfig
        The resolved configuration.
    thresholds_ : pandas.DataFrame
        ADM thresholds (uV), index = channel, columns = band names (after ``fit``).
    ptp_uv_ : ndarray or None
        Peak-to-peak amplitude per channel seen by the calibration pass (for the flat-channel
        check without another pass); None when the pass stopped early (``first10s``).
    events_ : EventTable
        Events of the last ``predict``.
    counts_ : pandas.DataFrame
        One row per channel (after ``predict``): ``channel, adm_events, adm_<stream>...,
        synaptic_events, hidden_spikes, n_hfo, hfo_per_min, duration_s, n_hidden, n_synapses``.
        ``n_hfo`` counts distinct events (a ripple + fast-ripple pair is one HFO);
        ``hfo_per_min`` divides by the recording duration ``n_times / sfreq``.
    spikes_ : dict
        ``{"adm": SpikeTrains, "hidden": SpikeTrains}`` when ``keep_spikes``.
    network_ : NetworkParams
        The network simulated in the last ``predict``.
    """

    def __init__(self, preset="hfo256", seed=None, calibration=None, encoder=None,
                 integrator=None, mismatch_cv=None, n_hidden=None, window_s=None, step_s=None,
                 discard_startup_s=None, on_low_fs=None, chunk_s=10.0, keep_spikes=False,
                 overrides=None, min_neurons=None, first_channel=0, search_grid=None,
                 floor_span_s=None):
        self.preset = preset
        self.seed = seed
        self.calibration = calibration
        self.encoder = encoder
        self.integrator = integrator
        self.mismatch_cv = mismatch_cv
        self.n_hidden = n_hidden
        self.window_s = window_s
        self.step_s = step_s
        self.discard_startup_s = discard_startup_s
        self.on_low_fs = on_low_fs
        self.chunk_s = chunk_s
        self.keep_spikes = keep_spikes
        self.overrides = overrides
        self.min_neurons = min_neurons
        self.first_channel = first_channel
        self.search_grid = search_grid
        self.floor_span_s = floor_span_s

    # ------------------------------------------------------------------ configuration
    def make_config(self) -> PipelineConfig:
        """The pipeline configuration these parameters select."""
        if getattr(self, "_config", None) is not None:
            return self._config
        cfg = get_preset(self.preset)
        over = {key: getattr(self, name) for name, key in _OVERRIDES.items()
                if getattr(self, name) is not None}
        if self.floor_span_s is not None:  # 0: no tracking (the config's None)
            over["calibration__track_s"] = self.floor_span_s or None
        over.update(self.overrides or {})
        return with_overrides(cfg, **over) if over else cfg

    def _clone_with(self, cfg: PipelineConfig) -> "NeuromorphicDetector":
        """A copy of this estimator that runs exactly ``cfg`` (for the learning search)."""
        from sklearn.base import clone

        sub = clone(self)
        sub._config = cfg
        return sub

    # ------------------------------------------------------------------ pass 1
    def fit(self, X, y=None):
        """Calibrate the ADM thresholds per channel and band (one streaming pass); with
        reference events ``y``, first learn what the chip lets a user set.

        Parameters
        ----------
        X : Recording, mne.io.Raw or path, or a list of them (with ``y``)
        y : None, or reference events (EventTable, DataFrame or TSV path; a list for a list X)
            ``None``: calibration only (the preset's values). Otherwise the ADM scale factors
            per band, the artifact band's scale factor and each output neuron's input weight
            are searched on a grid (``search_grid``, see :mod:`hfo_detect.learning`) for the
            best F1 against ``y`` (overlap rule); they are kept in ``learned_`` and used by
            every later ``fit``/``predict`` of this estimator. The last recording is then
            calibrated as usual.

        Returns
        -------
        self

        Raises
        ------
        SamplingRateError
            The sampling rate cannot carry a band (``on_low_fs="error"``).
        UnitError
            The data look like volts, not microvolts.
        """
        from hfo_detect.frontend import FilterBank, ThresholdCalibrator
        from hfo_detect.frontend.encode import nominal_sfreq
        from hfo_detect.frontend.filters import usable_bands
        from hfo_detect.io.validate import flat_channels

        if y is not None:
            from hfo_detect.learning import as_truth, grid_search, learned_config

            recs = [as_recording(x) for x in (X if isinstance(X, (list, tuple)) else [X])]
            ys = list(y) if isinstance(X, (list, tuple)) else [y]
            if len(ys) != len(recs):
                raise ValueError(f"{len(recs)} recordings but {len(ys)} reference tables")
            self._config = None
            res = grid_search(self, recs, [as_truth(t) for t in ys], self.search_grid)
            self.learned_ = res
            self._config = learned_config(self.make_config(), res)
            X = recs[-1]
        rec = as_recording(X)
        cfg = self.make_config()
        path = None if rec.path is None else str(rec.path)
        sfreq = nominal_sfreq(rec.sfreq, cfg.filters.sfreq_snap_rtol)
        bands = usable_bands(cfg.filters, sfreq, path)
        band_names = [b.name for b in bands]
        n_ch = len(rec.ch_names)
        bank = FilterBank(cfg.filters, sfreq, n_ch, path)
        cal = ThresholdCalibrator(sfreq, n_ch, len(bands), cfg.calibration,
                                  [b.scale_factor for b in bands], ch_names=list(rec.ch_names),
                                  band_names=band_names, path=path, n_times=rec.n_times)
        # progress: each of the two passes is half of the recording's channel-seconds
        half_cs = 0.5 * n_ch / sfreq
        done = 0
        lo, hi = np.full(n_ch, np.inf), np.full(n_ch, -np.inf)  # flat-channel check, same pass
        for start, block in _blocks(rec, self.chunk_s):
            cal.update(bank.process(block), start)
            lo, hi = np.minimum(lo, block.min(axis=1)), np.maximum(hi, block.max(axis=1))
            progress.advance(half_cs * block.shape[1])
            done += block.shape[1]
            if cal.done:  # first10s: later samples cannot change the thresholds
                break
        progress.advance(half_cs * (rec.n_times - done))
        # peak-to-peak per channel when the pass saw every sample (else None: not known)
        self.ptp_uv_ = hi - lo if done >= rec.n_times else None
        self.config_ = cfg
        self.band_names_ = band_names
        self.band_kinds_ = [b.event_kind for b in bands]
        self.border_bands_ = border_bands(self.band_kinds_, [(b.low_hz, b.high_hz) for b in bands])
        self.ch_names_ = list(rec.ch_names)
        self.sfreq_ = sfreq
        # constant channels go to the flat-channel policy (the runner drops them by default),
        # not to the unit check, which would take them for data in volts; when every channel
        # is that small the unit is the likelier problem, and the unit check says so
        flat = flat_channels(hi - lo) if done else None
        if flat is not None and flat.all():
            flat = None
        self.thresholds_ = pd.DataFrame(np.asarray(cal.thresholds(flat)).T, index=pd.Index(
            _canonical(self.ch_names_), name="channel"), columns=self.band_names_)
        # the tracked floor belongs to this recording: predict checks it gets the same length
        self.floor_track_ = cal.floor_track()
        self.n_times_ = int(rec.n_times)
        return self

    # ------------------------------------------------------------------ pass 2
    def predict(self, X):
        """Detect HFOs; return an :class:`~hfo_detect.events.EventTable` (``detector="snn"``).

        The recording must have the channels and sampling rate seen by :meth:`fit`; with a
        tracked noise floor (``calibration.track_s``, hfo256) it must be that recording.
        """
        from hfo_detect.frontend import ADMEncoder, FilterBank
        from hfo_detect.frontend.encode import nominal_sfreq
        from hfo_detect.readout import spikes_to_events
        from hfo_detect.snn import build_network, run_network

        self._check_fitted()
        rec = as_recording(X)
        cfg = self.config_
        sfreq = nominal_sfreq(rec.sfreq, cfg.filters.sfreq_snap_rtol)
        if list(rec.ch_names) != self.ch_names_ or sfreq != self.sfreq_:
            raise ValueError("predict needs the channels and sampling rate seen by fit "
                             f"({len(self.ch_names_)} channels at {self.sfreq_:g} Hz)")
        if self.floor_track_ is not None and rec.n_times != self.n_times_:
            raise ValueError("with a tracked noise floor (calibration track_s) predict needs the "
                             f"recording fit saw ({self.n_times_} samples, got {rec.n_times}): "
                             "fit it first")
        path = None if rec.path is None else str(rec.path)
        n_ch = len(self.ch_names_)
        thresholds = self.thresholds_.to_numpy().T  # (n_bands, n_ch)
        bank = FilterBank(cfg.filters, sfreq, n_ch, path)
        encoder = ADMEncoder(cfg.adm, sfreq, thresholds, rec.n_times, self.band_names_,
                             self.floor_track_)
        params = build_network(cfg.network, tuple(self.band_names_), n_ch,
                               first_channel=int(self.first_channel),
                               band_kinds=tuple(self.band_kinds_))
        streams = list(encoder.source_names)
        n_streams = len(streams)
        integrator = cfg.network.integrator

        stage = self._output_stage(cfg, params)
        readout = StreamingReadout(n_ch)
        # hidden spikes are many (hundreds per channel-second on busy input): keep running counts,
        # and the spikes themselves only when asked (keep_spikes), so memory stays bounded
        hidden_parts: list[SpikeTrains] | None = [] if self.keep_spikes else None
        hidden_per_ch = np.zeros(n_ch, dtype=np.int64)
        adm_counts = np.zeros((n_ch, n_streams), dtype=np.int64)
        adm_kept: list[SpikeTrains] = []
        pending = SpikeTrains.empty(n_ch, tuple(streams))
        state = None
        t_a = 0.0
        for start, block in _blocks(rec, self.chunk_s):
            adm = encoder.process(bank.process(block), start, overwrite=True)
            progress.advance(0.5 * n_ch * block.shape[1] / sfreq)
            adm_counts += adm.counts(n_streams)
            if self.keep_spikes:
                adm_kept.append(adm)
            pending = _join(pending, adm)
            t_last = (start + block.shape[1] - 1) / sfreq
            t_b, now, pending = _cut(pending, t_last, params, integrator)
            if t_b <= t_a:
                pending = _join(now, pending)
                continue
            hidden, state = run_network(params, now, t_a, t_b, state)
            hidden_per_ch += np.bincount(hidden.channel, minlength=n_ch)[:n_ch]
            self._read(stage, readout, hidden_parts, hidden, now, t_a, t_b)
            t_a = t_b
        t_end = (rec.n_times - 1) / sfreq + cfg.readout.extra_time_s  # as Brian2 runs the released code
        hidden, state = run_network(params, pending, t_a, t_end, state)
        hidden_per_ch += np.bincount(hidden.channel, minlength=n_ch)[:n_ch]
        self._read(stage, readout, hidden_parts, hidden, pending, t_a, t_end)

        read_band = params.neuron_band if stage is None else stage.output.neuron_band
        events = spikes_to_events(readout.spikes, rec.n_times / sfreq, cfg.readout,
                                  self.ch_names_, neuron_band=np.asarray(read_band),
                                  band_names=self.band_kinds_, sfreq=sfreq, detector="snn",
                                  border=self.border_bands_)
        self.network_ = params
        self.output_stage_ = stage
        self.events_ = events
        self.counts_ = self._counts(adm_counts, hidden_per_ch, events, params, streams,
                                    rec.n_times / sfreq, stage, readout.spikes)
        if self.keep_spikes:
            adm_all = (SpikeTrains.concatenate(adm_kept) if adm_kept
                       else SpikeTrains.empty(n_ch, tuple(streams)))
            hidden_all = (SpikeTrains.concatenate(hidden_parts) if stage is not None
                          else readout.spikes)
            self.spikes_ = {"adm": adm_all, "hidden": hidden_all}
            if stage is not None:
                self.spikes_["output"] = readout.spikes
                self.spikes_["interneuron"] = stage.interneuron_spikes()
        return events

    def _output_stage(self, cfg, params):
        """The output layer and artifact path of ``cfg.output`` (``None``: hidden readout)."""
        from hfo_detect.snn.layers import OutputStage

        if cfg.output is None:
            return None
        roles = {b.name: b.role for b in cfg.filters.bands}
        art = [i for i, name in enumerate(self.band_names_) if roles.get(name) == "artifact"]
        streams = tuple(s for a in art for s in (2 * a, 2 * a + 1))
        streams = streams if streams and cfg.output.n_interneurons > 0 else None
        return OutputStage(cfg.output, params, streams, int(self.first_channel),
                           keep_spikes=bool(self.keep_spikes))

    @staticmethod
    def _read(stage, readout, hidden_parts, hidden, adm_now, t_a, t_b):
        """Feed one interval's hidden spikes to the readout (through the output layer)."""
        if stage is None:
            readout.add(hidden)
            return
        if hidden_parts is not None:
            hidden_parts.append(hidden)
        readout.add(stage.step(hidden, adm_now, t_a, t_b))

    def score(self, X, y) -> float:
        """F1 (overlap rule, ripples and fast ripples pooled) of the detections on ``X``
        against the reference events ``y``; a list ``X`` (with a list ``y``) is scored as one
        set, each recording calibrated on itself. Reviewed channels: all channels of ``X``.

        With :meth:`fit` this makes the estimator work in ``sklearn.model_selection.GridSearchCV``.
        """
        from hfo_detect.evaluation import score_events
        from hfo_detect.learning import as_truth

        many = isinstance(X, (list, tuple))
        recs = [as_recording(x) for x in (X if many else [X])]
        ys = list(y) if many else [y]
        tp = fp = fn = 0.0
        for rec, ref in zip(recs, ys):
            sub = self._clone_with(self.make_config())
            events = sub.fit(rec).predict(rec)
            res = score_events(events.df, as_truth(ref), kinds=["pooled"], rule="overlap",
                               channels=_canonical(rec.ch_names))
            row = res.summary().iloc[0]
            tp, fp, fn = tp + row["tp"], fp + row["fp"], fn + row["fn"]
        return float(2 * tp / max(2 * tp + fp + fn, 1.0))

    def keep_channels(self, names) -> "NeuromorphicDetector":
        """Restrict a fitted detector to the channels ``names`` (e.g. without flat ones); each
        channel's thresholds are its own, so this equals fitting on those channels alone."""
        self._check_fitted()
        idx = [self.ch_names_.index(n) for n in names]
        self.ch_names_ = [self.ch_names_[i] for i in idx]
        self.thresholds_ = self.thresholds_.iloc[idx]
        if self.floor_track_ is not None:  # each channel's floor is its own too
            self.floor_track_ = replace(self.floor_track_,
                                        gains=self.floor_track_.gains[:, idx])
        if getattr(self, "ptp_uv_", None) is not None:
            self.ptp_uv_ = self.ptp_uv_[idx]
        return self

    def fit_predict(self, X, y=None):
        """:meth:`fit` then :meth:`predict` on the same recording."""
        return self.fit(X).predict(X)

    # ------------------------------------------------------------------ helpers
    def _check_fitted(self) -> None:
        if not hasattr(self, "thresholds_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("call fit(recording) before predict (or use fit_predict)")

    def _counts(self, adm_counts, hidden_per_ch, events, params, streams, duration_s,
                stage=None, output=None) -> pd.DataFrame:
        n_ch = len(self.ch_names_)
        fanout = np.asarray(params.fanout, dtype=np.int64)
        syn = adm_counts @ fanout
        spikes = hidden_per_ch.copy()
        extra_neurons = extra_synapses = 0
        if stage is not None:
            # every spike of a layer is a synaptic event at each of its targets (power model)
            inter_ch = stage.interneuron_counts
            out_ch = np.bincount(output.channel, minlength=n_ch)[:n_ch]
            n_int = 0 if stage.inter is None else stage.inter.n_hidden
            syn = syn + hidden_per_ch + inter_ch * stage.output.n_hidden
            if stage.inter is not None:
                syn = syn + stage.artifact_events * n_int
            spikes = spikes + inter_ch + out_ch
            extra_neurons, extra_synapses = stage.n_neurons, stage.n_synapses
        names = _canonical(self.ch_names_)  # EventTable writes canonical names: count by those
        n_hfo_ch = count_hfo(events.df, names)
        out = pd.DataFrame({"channel": names,
                            "adm_events": adm_counts.sum(axis=1)})
        for j, name in enumerate(streams):
            out[f"adm_{name}"] = adm_counts[:, j]
        out["synaptic_events"] = syn
        out["hidden_spikes"] = spikes  # all layers' spikes (each is generated and routed)
        out["n_hfo"] = n_hfo_ch
        out["hfo_per_min"] = n_hfo_ch / (duration_s / 60.0)
        out["duration_s"] = duration_s
        out["n_bands"] = len(self.band_names_)  # a filter and an ADM each (power model)
        out["n_hidden"] = int(params.n_hidden)
        out["n_synapses"] = int(params.n_synapses)
        # with the output layer and artifact path: every neuron and synapse of the channel
        out["n_neurons"] = int(params.n_hidden) + extra_neurons
        out["n_synapses_total"] = int(params.n_synapses) + extra_synapses
        return out


def _join(a: SpikeTrains, b: SpikeTrains) -> SpikeTrains:
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    return SpikeTrains.concatenate([a, b])


def _blocks(rec, chunk_s: float):
    """(start_sample, data_uv) blocks of at most ``BLOCK_SAMPLES`` samples, read chunk by chunk
    (the filter's working set stays small whatever ``chunk_s`` and the channel count)."""
    from hfo_detect.frontend.encode import BLOCK_SAMPLES

    for chunk in rec.iter_chunks(chunk_s):
        data = chunk.data_uv[:, chunk.overlap:chunk.overlap + (chunk.stop - chunk.start)]
        for off in range(0, data.shape[1], BLOCK_SAMPLES):
            yield chunk.start + off, data[:, off:off + BLOCK_SAMPLES]


def _subset(spikes: SpikeTrains, mask) -> SpikeTrains:
    return SpikeTrains(spikes.times[mask], spikes.channel[mask], spikes.source[mask],
                       spikes.n_channels, spikes.source_names)


def _cut(pending: SpikeTrains, t_last: float, params, integrator: str):
    """Where to stop the network after a block whose last sample is at ``t_last``.

    Later blocks only produce ADM events after ``t_last``. ``euler`` assigns an event to step
    ``floor(t/dt + shift)`` and simulates whole steps, so the cut is the step of ``t_last``
    itself; ``fast`` and ``lockstep`` take events with ``t < t_stop``, so the cut is ``t_last``. Returns the cut
    time, the events before it (to simulate now) and the rest (held back).
    """
    if integrator == "euler":
        dt = params.dt_s
        shift = params.cfg.input_time_shift
        k_b = int(np.floor(t_last / dt + shift))
        now = np.floor(pending.times / dt + shift).astype(np.int64) < k_b
        return k_b * dt, _subset(pending, now), _subset(pending, ~now)
    now = pending.times < t_last
    return t_last, _subset(pending, now), _subset(pending, ~now)
