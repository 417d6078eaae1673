"""The layers after the hidden layer: output neurons and the artifact-rejection path
(Sharifhazileh et al. later code, kburel/snn-hfo-detection ``basic_network_creation.py``,
``artifact_filter.py``).

The network is feed-forward, so each layer is a further :class:`NetworkParams` simulated with
:func:`run_network` after the one that feeds it, chunk by chunk, each with its own state:

``artifact ADM (UP, DN)`` -> **interneurons** (excitatory, fast: they fire on a burst of
600-900 Hz events (hfo256), i.e. on a broadband transient);

``hidden neurons of band b`` (excitatory, w 5 nA, tau 5 ms) + ``interneurons`` (inhibitory,
slow) -> **output neuron b**.

Stream layout of the output layer: stream ``n`` < ``n_hidden`` is hidden neuron ``n``; stream
``n_hidden + k`` is interneuron ``k``. Synapse slots (rows) of output neuron ``b``: its band's
hidden neurons first (padded with zero-weight slots when the bands differ in size), then one
slot per interneuron. Mismatch (``NetworkConfig.mismatch_cv``) applies to these biases as to the
hidden layer's, drawn from ``(seed, channel, layer)`` so a chip channel is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hfo_detect.config import NetworkConfig, OutputConfig
from hfo_detect.snn.params import S_IW, NetworkParams, custom_network
from hfo_detect.snn.simulate import NetworkState, run_network
from hfo_detect.spikes import SpikeTrains

_LAYER_TAG = {"interneuron": 1, "output": 2}


def _layer(net_cfg: NetworkConfig, name: str, sign, weight_na, tau_ms, slot_src, n_streams: int,
           tau_mem_ms: float, n_channels: int, first_channel: int,
           neuron_band=None) -> NetworkParams:
    """A layer from (n_slots, n_neurons) arrays, with per-channel device mismatch."""
    return custom_network(net_cfg, sign, weight_na, tau_ms, slot_src, n_streams, n_channels,
                          tau_mem_s=tau_mem_ms * 1e-3, topology=name, neuron_band=neuron_band,
                          first_channel=first_channel, mismatch_tag=_LAYER_TAG[name])


def build_interneurons(out_cfg: OutputConfig, net_cfg: NetworkConfig, n_channels: int,
                       first_channel: int = 0, n_streams: int = 2) -> NetworkParams | None:
    """Artifact interneurons: every artifact stream (UP and DN of each artifact band) excites
    every interneuron (stream ``k`` = ``artifact_streams[k]``)."""
    n = int(out_cfg.n_interneurons)
    if n <= 0 or n_streams <= 0:
        return None
    slot_src = np.repeat(np.arange(n_streams)[:, None], n, axis=1)
    shape = (n_streams, n)
    return _layer(net_cfg, "interneuron", np.ones(shape), np.full(shape, out_cfg.art_weight_na),
                  np.full(shape, out_cfg.art_tau_syn_ms), slot_src, n_streams,
                  out_cfg.art_tau_mem_ms, n_channels, first_channel)


def build_output_layer(out_cfg: OutputConfig, hidden: NetworkParams, n_interneurons: int,
                       n_channels: int, first_channel: int = 0) -> NetworkParams:
    """One output neuron per band of the hidden layer (``neuron_band`` = that band)."""
    bands = [int(b) for b in np.unique(hidden.neuron_band) if b >= 0]
    if not bands:
        raise ValueError("an output layer needs hidden neurons labelled with a band")
    members = [np.flatnonzero(hidden.neuron_band == b) for b in bands]
    n_in = max(m.size for m in members)
    n_out, n_slots = len(bands), n_in + n_interneurons
    slot_src = np.zeros((n_slots, n_out), dtype=np.int32)
    sign = np.ones((n_slots, n_out))
    weight = np.zeros((n_slots, n_out))
    tau = np.full((n_slots, n_out), out_cfg.tau_syn_ms)
    w_out = np.broadcast_to(np.asarray(out_cfg.weight_na, dtype=float), (n_out,))
    for j, m in enumerate(members):
        slot_src[:m.size, j] = m
        weight[:m.size, j] = w_out[j]
        slot_src[m.size:n_in, j] = m[0]  # padding: zero weight
    for k in range(n_interneurons):
        slot_src[n_in + k] = hidden.n_hidden + k
        sign[n_in + k] = -1.0
        weight[n_in + k] = out_cfg.inh_weight_na
        tau[n_in + k] = out_cfg.inh_tau_ms
    return _layer(hidden.cfg, "output", sign, weight, tau, slot_src,
                  hidden.n_hidden + n_interneurons, out_cfg.tau_mem_ms, n_channels,
                  first_channel, neuron_band=bands)


@dataclass
class OutputStage:
    """Runs the interneurons and the output layer chunk after chunk (states carried).

    Parameters
    ----------
    out_cfg : OutputConfig
    hidden : NetworkParams
        The hidden layer feeding the outputs.
    artifact_streams : tuple of int or None
        ADM stream indices of the artifact bands (UP and DN of each); ``None`` or empty disables
        the artifact path.
    first_channel : int
        Chip index of the first channel (mismatch draws).
    keep_spikes : bool
        Keep the interneurons' spikes for :meth:`interneuron_spikes`; without it only their
        count per channel (``interneuron_counts``) is kept, so memory does not grow with the
        recording's length (~7 MB on 64 ch x 1 h of the scale workload, counted on its first 120 s).
    """

    out_cfg: OutputConfig
    hidden: NetworkParams
    artifact_streams: tuple[int, ...] | None = None
    first_channel: int = 0
    keep_spikes: bool = True

    def __post_init__(self):
        n_ch = self.hidden.n_channels
        streams = tuple(self.artifact_streams or ())
        self.inter = (build_interneurons(self.out_cfg, self.hidden.cfg, n_ch, self.first_channel,
                                         len(streams)) if streams else None)
        self._remap = np.full(max(streams, default=-1) + 2, -1, dtype=np.int64)
        self._remap[list(streams)] = np.arange(len(streams))
        n_int = 0 if self.inter is None else self.inter.n_hidden
        self.output = build_output_layer(self.out_cfg, self.hidden, n_int, n_ch,
                                         self.first_channel)
        self._inter_state: NetworkState | None = None
        self._out_state: NetworkState | None = None
        self.inter_spikes: list[SpikeTrains] = []
        self.interneuron_counts = np.zeros(n_ch, dtype=np.int64)
        self.artifact_events = np.zeros(n_ch, dtype=np.int64)

    @property
    def n_neurons(self) -> int:
        """Neurons added per channel (outputs + interneurons)."""
        return self.output.n_hidden + (0 if self.inter is None else self.inter.n_hidden)

    @property
    def n_synapses(self) -> int:
        """Synapses added per channel (only those with a nonzero weight count)."""
        w = self.output.synapse[0, S_IW]
        n = int(np.count_nonzero(w))
        return n + (0 if self.inter is None else self.inter.n_synapses)

    def step(self, hidden_spikes: SpikeTrains, adm: SpikeTrains, t_a: float,
             t_b: float) -> SpikeTrains:
        """Output spikes over ``[t_a, t_b)`` from that interval's hidden spikes and ADM events."""
        n_ch = self.hidden.n_channels
        inputs = [hidden_spikes]
        if self.inter is not None:
            k = self._remap[np.minimum(adm.source, self._remap.size - 1)]
            m = k >= 0
            art = SpikeTrains(adm.times[m], adm.channel[m], k[m].astype(np.int32), n_ch)
            self.artifact_events += np.bincount(art.channel, minlength=n_ch)[:n_ch]
            spk, self._inter_state = run_network(self.inter, art, t_a, t_b, self._inter_state)
            self.interneuron_counts += np.bincount(spk.channel, minlength=n_ch)[:n_ch]
            if self.keep_spikes:
                self.inter_spikes.append(spk)
            inputs.append(SpikeTrains(spk.times, spk.channel, spk.source + self.hidden.n_hidden,
                                      n_ch))
        inp = SpikeTrains(np.concatenate([s.times for s in inputs]),
                          np.concatenate([s.channel for s in inputs]),
                          np.concatenate([s.source for s in inputs]), n_ch).sort()
        out, self._out_state = run_network(self.output, inp, t_a, t_b, self._out_state)
        return out

    def interneuron_spikes(self) -> SpikeTrains:
        if not self.keep_spikes:
            raise ValueError("this output stage keeps only interneuron counts (keep_spikes=False)")
        n_ch = self.hidden.n_channels
        if not self.inter_spikes:
            return SpikeTrains.empty(n_ch)
        return SpikeTrains.concatenate(self.inter_spikes)
