"""Network parameters: topology, weights, time constants and device mismatch (the authors' code, Network_parameters.mat; Sharifhazileh et al. 2021, Methods, device mismatch).

Every channel is an independent network with the same *structure* (which input stream feeds which
synapse of which neuron) and its own *values* (weights, time constants, mismatch). Synapses are laid
out in ``n_slots`` rows of ``n_hidden``: synapse ``(slot, n)`` is the ``slot``-th input of neuron
``n``; its flat index is ``slot * n_hidden + n``. For ``sharifhazileh2021`` slot = input stream, so
the flat index is the file's ``85 * input + hidden``; for ``hfo256`` slot 0 is the UP and slot 1 the
DOWN synapse of the neuron's band. Neurons of one channel are contiguous in every array, so the
kernels' inner loops over neurons vectorize.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hfo_detect.config import NetworkConfig
from hfo_detect.errors import HFODetectError


# Rows of NetworkParams.neuron (per channel, per neuron).
(N_ITAU, N_ITH, N_ISPK, N_IRESET, N_IAGAIN, N_IATH, N_IANORM, N_ICA, N_ITAUAHP, N_ITHAHP,
 N_IO, N_CMEM, N_CAHP, N_ICONST, N_ISHUNT) = range(15)
N_NEURON_ROWS = 15
# Rows of NetworkParams.synapse (per channel, slot, neuron).
S_SIGN, S_IW, S_ITAU, S_ITH = range(4)
N_SYNAPSE_ROWS = 4

#: Bias currents multiplied by the mismatch factor (Sharifhazileh et al. 2021, Methods, device mismatch). Not mismatched: the leakage
#: floor I_o, the slope I_anorm (a thermal-voltage ratio, not a bias), I_const and I_shunt (both
#: at the I_o floor, where they are clipped anyway), capacitances, U_T and kappa.
MISMATCHED_NEURON_BIASES = ("Itau", "Ith", "Ispkthr", "Ireset", "Iagain", "Iath", "Ica",
                            "Itauahp", "Ithahp")
MISMATCHED_SYNAPSE_BIASES = ("I_tau", "I_th", "I_w")


class NetworkParamsError(HFODetectError):
    """The network parameter file is missing or malformed."""


@dataclass
class NetworkParams:
    """Everything the kernels need, for ``n_channels`` independent networks.

    Attributes
    ----------
    topology : str
    n_channels, n_hidden, n_slots, n_streams : int
    n_synapses : int
        Synapses per channel (``n_slots * n_hidden``).
    band_names : tuple of str
        Bands of the front end, in stream order (stream = 2*band + {0 UP, 1 DN}).
    neuron_band : ndarray of int, (n_hidden,)
        Band a neuron listens to, -1 if it listens to all bands.
    slot_src : ndarray of int32, (n_slots, n_hidden)
        Input stream of each synapse.
    stream_ptr, stream_syn : ndarray of int64
        CSR map stream -> flat synapse indices it drives.
    fanout : ndarray of int64, (n_streams,)
        Synapses driven by one event of each stream.
    synapse : ndarray of float64, (n_channels, 4, n_slots, n_hidden)
        Rows ``S_SIGN`` (+1/-1), ``S_IW`` (weight current, A, times w_plast), ``S_ITAU`` (A),
        ``S_ITH`` (gain current, A).
    neuron : ndarray of float64, (n_channels, 15, n_hidden)
        Neuron constants per neuron, rows ``N_*`` (currents in A, capacitances in F).
    syn_const : ndarray of float64, (5,)
        ``Io, C, Ut, kappa, I_init`` of the synapses (kappa = (kn+kp)/2 of the equations).
    neuron_kappa, neuron_ut : float
        kappa = (kn+kp)/2 and U_T of the neuron equations.
    refractory_s, dt_s : float
    imem_init, iahp_init : float
    """

    topology: str
    n_channels: int
    n_hidden: int
    n_slots: int
    n_streams: int
    band_names: tuple[str, ...]
    neuron_band: np.ndarray
    slot_src: np.ndarray
    stream_ptr: np.ndarray
    stream_syn: np.ndarray
    fanout: np.ndarray
    synapse: np.ndarray
    neuron: np.ndarray
    syn_const: np.ndarray
    neuron_kappa: float
    neuron_ut: float
    refractory_s: float
    dt_s: float
    imem_init: float
    iahp_init: float
    cfg: NetworkConfig

    @property
    def n_synapses(self) -> int:
        return self.n_slots * self.n_hidden

    def tau_syn_s(self) -> np.ndarray:
        """Realised synaptic time constants (n_channels, n_slots, n_hidden), kappa of the equations."""
        io, c, ut, kappa, _ = self.syn_const
        return c * ut / (kappa * self.synapse[:, S_ITAU])


def tau_to_current(tau_s, capacitance: float, ut: float, kappa: float):
    """Bias current of a DPI time constant, ``I = C*U_T/(kappa*tau)`` (getTauCurrent) [CODE]."""
    return capacitance * ut / (kappa * np.asarray(tau_s, dtype=float))


def _stream_csr(slot_src: np.ndarray, n_streams: int) -> tuple[np.ndarray, np.ndarray]:
    flat = slot_src.ravel()
    order = np.argsort(flat, kind="stable").astype(np.int64)
    counts = np.bincount(flat, minlength=n_streams)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, order


#: the released parameters, shipped with the package (exported from the authors' .mat files by
#: data_scripts/export_reference_params.py; source in the file)
PACKAGED_PARAMS = "sharifhazileh2021.json"


def packaged_reference() -> dict:
    """The package's copy of the released network and ADM parameters (JSON, with its source)."""
    import json
    from importlib.resources import files

    return json.loads(files("hfo_detect").joinpath("data", PACKAGED_PARAMS).read_text("utf-8"))


def reference_params(net_cfg: NetworkConfig) -> dict[str, np.ndarray]:
    """Released S1 parameters: ``net_cfg.params_file`` (a ``Network_parameters.mat``) when set,
    else the package's copy, so the ``sharifhazileh2021`` preset runs from any install."""
    if net_cfg.params_file is not None:
        path = Path(net_cfg.params_file)
        if not path.is_file():
            raise NetworkParamsError("network parameter file not found", path)
        return load_reference_params(path)
    net = packaged_reference()["network"]
    n_in, n_h = int(net["input_neurons"]), int(net["hidden_neurons"])
    weights = np.asarray(net["synapse_weights_pa"], dtype=float)
    taus = np.asarray(net["synapse_taus_ms"], dtype=float)
    if weights.size != n_in * n_h or taus.size != n_in * n_h:
        raise NetworkParamsError(f"expected {n_in}x{n_h} synapses, got {weights.size}", PACKAGED_PARAMS)
    return dict(n_inputs=n_in, n_hidden=n_h, weights_pa=weights, taus_ms=taus,
                neuron_tau_ms=float(net["neuron_taus_ms"]),
                refractory_s=float(net["neuron_refractory_s"]))


def load_reference_params(path: Path) -> dict[str, np.ndarray]:
    """Read the released S1 parameters (weights in pA, taus in ms) and check their shapes."""
    from scipy.io import loadmat

    try:
        mat = loadmat(path)
    except Exception as exc:  # scipy raises several types for garbage files
        raise NetworkParamsError(f"cannot read parameter file ({exc})", path) from None
    try:
        n_in = int(np.ravel(mat["input_neurons"])[0])
        n_h = int(np.ravel(mat["hidden_neurons"])[0])
        weights = np.ravel(mat["synapse_weights"]).astype(float)
        taus = np.ravel(mat["synapse_taus"]).astype(float)
        neuron_tau_ms = float(np.ravel(mat["neuron_taus"])[0])
        refractory = float(np.ravel(mat["neuron_refractory"])[0])
    except KeyError as exc:
        raise NetworkParamsError(f"parameter file lacks {exc}", path) from None
    if weights.size != n_in * n_h or taus.size != n_in * n_h:
        raise NetworkParamsError(f"expected {n_in}x{n_h} synapses, got {weights.size}", path)
    return dict(n_inputs=n_in, n_hidden=n_h, weights_pa=weights, taus_ms=taus,
                neuron_tau_ms=neuron_tau_ms, refractory_s=refractory)


def _truncated_factors(rng: np.random.Generator, cv: float, shape) -> np.ndarray:
    """Mismatch factors ``1 + cv*z``, z standard normal, redrawn until positive."""
    f = 1.0 + cv * rng.standard_normal(shape)
    bad = f <= 0
    while bad.any():
        f[bad] = 1.0 + cv * rng.standard_normal(int(bad.sum()))
        bad = f <= 0
    return f


def _neuron_rows(net_cfg: NetworkConfig, tau_mem_s: float, n_hidden: int) -> np.ndarray:
    n = net_cfg.neuron
    kappa_conv = net_cfg.kappa_conv
    rows = np.empty((N_NEURON_ROWS, n_hidden))
    rows[N_ITAU] = tau_to_current(tau_mem_s, n.Cmem, n.Ut, kappa_conv)
    rows[N_ITH] = n.Ith
    rows[N_ISPK] = n.Ispkthr
    rows[N_IRESET] = n.Ireset
    rows[N_IAGAIN] = n.Iagain
    rows[N_IATH] = n.Iath
    rows[N_IANORM] = n.Ianorm
    rows[N_ICA] = n.Ica
    rows[N_ITAUAHP] = n.Itauahp
    rows[N_ITHAHP] = n.Ithahp
    rows[N_IO] = n.Io
    rows[N_CMEM] = n.Cmem
    rows[N_CAHP] = n.Cahp
    rows[N_ICONST] = n.Iconst
    rows[N_ISHUNT] = n.Ishunt
    return rows


_MISMATCH_NEURON_ROWS = (N_ITAU, N_ITH, N_ISPK, N_IRESET, N_IAGAIN, N_IATH, N_ICA, N_ITAUAHP,
                         N_ITHAHP)


def _random_channel(net_cfg: NetworkConfig, channel: int, neuron_band: np.ndarray,
                    up_exc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw one channel's network (two-synapse topologies): weights, taus, then mismatch.

    The generator is seeded with ``(seed, channel)`` so channel ``c`` of a chip does not depend on
    how many channels are simulated.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(net_cfg.seed), int(channel)]))
    sc = net_cfg.synapse
    n_h = neuron_band.size
    strong = rng.random(n_h) < net_cfg.p_strong
    w_na = np.where(strong, net_cfg.weights_na[1], net_cfg.weights_na[0])
    tau_exc = rng.uniform(*net_cfg.tau_exc_ms, size=n_h) * 1e-3
    tau_inh = tau_exc - rng.uniform(*net_cfg.tau_delta_ms, size=n_h) * 1e-3
    syn = np.empty((N_SYNAPSE_ROWS, 2, n_h))
    sign_up = np.where(up_exc, 1.0, -1.0)
    syn[S_SIGN, 0], syn[S_SIGN, 1] = sign_up, -sign_up
    syn[S_IW] = w_na * 1e3 * sc.baseweight * sc.w_plast  # nA -> multiples of baseweight (1 pA)
    tau_up = np.where(up_exc, tau_exc, tau_inh)
    tau_dn = np.where(up_exc, tau_inh, tau_exc)
    syn[S_ITAU, 0] = tau_to_current(tau_up, sc.C, sc.Ut, net_cfg.kappa_conv)
    syn[S_ITAU, 1] = tau_to_current(tau_dn, sc.C, sc.Ut, net_cfg.kappa_conv)
    syn[S_ITH] = sc.I_th
    nrn = _neuron_rows(net_cfg, net_cfg.neuron.tau_mem_s, n_h)
    if net_cfg.mismatch_cv > 0:
        for row in (S_IW, S_ITAU, S_ITH):
            syn[row] *= _truncated_factors(rng, net_cfg.mismatch_cv, (2, n_h))
        for row in _MISMATCH_NEURON_ROWS:
            nrn[row] *= _truncated_factors(rng, net_cfg.mismatch_cv, n_h)
    return syn, nrn


def _bands_of(kinds: tuple[str, ...], band_names, kind: str, topology: str) -> list[int]:
    """Indices of the bands of one event kind (at least one)."""
    idx = [i for i, k in enumerate(kinds) if k == kind]
    if not idx:
        raise ValueError(f"topology {topology!r} needs a {kind!r} band; the front end has "
                         f"{list(band_names)}")
    return idx


def _spread(out: np.ndarray, bands: list[int]) -> None:
    """Fill ``out`` (consecutive neurons) with ``bands`` in equal consecutive blocks."""
    for part, b in zip(np.array_split(np.arange(out.size), len(bands)), bands):
        out[part] = b


def build_network(net_cfg: NetworkConfig, band_names: tuple[str, ...],
                  n_channels: int, first_channel: int = 0,
                  band_kinds: tuple[str, ...] | None = None) -> NetworkParams:
    """Build the per-channel networks of a topology (the authors' code, Network_parameters.mat; Sharifhazileh et al. 2021, Methods, device mismatch).

    Parameters
    ----------
    net_cfg : NetworkConfig
    band_names : tuple of str
        Front-end bands in stream order (``("ripple", "fast_ripple")`` or ``("fast_ripple",)``).
    n_channels : int
    first_channel : int
        Chip index of the first channel: channel ``c`` here is network ``first_channel + c`` of
        the chip, so a recording split into channel groups (parallel workers) draws the same
        networks as a whole run.
    band_kinds : tuple of str, optional
        Event kind of each band (:attr:`~hfo_detect.config.BandConfig.event_kind`); default: the
        band names. ``hfo256`` spreads its ripple neurons evenly over the bands of kind
        ``ripple`` and the rest over those of kind ``fast_ripple`` (sub-bands).

    Returns
    -------
    NetworkParams

    Notes
    -----
    ``hfo256`` [CHOICE, our design]: neurons ``0 .. round(ripple_fraction*n_hidden)-1`` listen to
    the ripple UP/DN pair, the rest to the fast-ripple pair; in each sub-population the first half
    has UP excitatory / DN inhibitory, the second half the reverse (as in the released file).
    ``|w|`` in ``weights_na`` (strong with probability ``p_strong``) is shared by the neuron's two
    synapses; ``tau_exc ~ U(tau_exc_ms)``, ``tau_inh = tau_exc - U(tau_delta_ms)``. Mismatch
    multiplies the bias currents in :data:`MISMATCHED_SYNAPSE_BIASES` and
    :data:`MISMATCHED_NEURON_BIASES` by independent truncated-Gaussian factors ``1 + cv*z``.
    ``burelo2021_ecog``: the same with all neurons on the fast-ripple pair.
    """
    n_streams = 2 * len(band_names)
    sc, nc = net_cfg.synapse, net_cfg.neuron
    syn_const = np.array([sc.Io, sc.C, sc.Ut, 0.5 * (sc.kn + sc.kp), sc.I_init])
    topology = net_cfg.topology
    refractory = nc.refractory_s
    if topology == "sharifhazileh2021":
        if tuple(band_names) != ("ripple", "fast_ripple"):
            raise ValueError("sharifhazileh2021 needs the bands ('ripple', 'fast_ripple'), got "
                             f"{list(band_names)}")
        ref = reference_params(net_cfg)
        n_h, n_slots = ref["n_hidden"], ref["n_inputs"]
        if n_slots != n_streams:
            raise NetworkParamsError(f"file has {n_slots} inputs, the front end {n_streams}")
        refractory = ref["refractory_s"]
        w = ref["weights_pa"].reshape(n_slots, n_h)
        syn1 = np.empty((N_SYNAPSE_ROWS, n_slots, n_h))
        syn1[S_SIGN] = np.sign(w)
        syn1[S_IW] = np.abs(w) * sc.baseweight * sc.w_plast
        syn1[S_ITAU] = tau_to_current(ref["taus_ms"].reshape(n_slots, n_h) * 1e-3, sc.C, sc.Ut,
                                      net_cfg.kappa_conv)
        syn1[S_ITH] = sc.I_th
        nrn1 = _neuron_rows(net_cfg, ref["neuron_tau_ms"] * 1e-3, n_h)
        synapse = np.repeat(syn1[None], n_channels, axis=0)
        neuron = np.repeat(nrn1[None], n_channels, axis=0)
        if net_cfg.mismatch_cv > 0:  # off in the preset; allowed for experiments
            for c in range(n_channels):  # seeded per chip channel, like the random topologies
                rng = np.random.default_rng(
                    np.random.SeedSequence([int(net_cfg.seed), int(first_channel + c)]))
                for row in (S_IW, S_ITAU, S_ITH):
                    synapse[c, row] *= _truncated_factors(rng, net_cfg.mismatch_cv, (n_slots, n_h))
                for row in _MISMATCH_NEURON_ROWS:
                    neuron[c, row] *= _truncated_factors(rng, net_cfg.mismatch_cv, n_h)
        slot_src = np.repeat(np.arange(n_slots, dtype=np.int32)[:, None], n_h, axis=1)
        neuron_band = np.full(n_h, -1, dtype=np.int64)
    elif topology in ("hfo256", "burelo2021_ecog"):
        n_h, n_slots = int(net_cfg.n_hidden), 2
        kinds = tuple(band_kinds) if band_kinds is not None else tuple(band_names)
        if len(kinds) != len(band_names):
            raise ValueError(f"{len(kinds)} band kinds for {len(band_names)} bands")
        fr = _bands_of(kinds, band_names, "fast_ripple", topology)
        neuron_band = np.empty(n_h, dtype=np.int64)
        n_r = 0
        if topology == "hfo256":
            n_r = int(round(net_cfg.ripple_fraction * n_h))
            _spread(neuron_band[:n_r], _bands_of(kinds, band_names, "ripple", topology))
        _spread(neuron_band[n_r:], fr)
        up_exc = np.zeros(n_h, dtype=bool)
        for b in np.unique(neuron_band):
            idx = np.flatnonzero(neuron_band == b)
            up_exc[idx[: (idx.size + 1) // 2]] = True
        slot_src = np.stack([2 * neuron_band, 2 * neuron_band + 1]).astype(np.int32)
        synapse = np.empty((n_channels, N_SYNAPSE_ROWS, n_slots, n_h))
        neuron = np.empty((n_channels, N_NEURON_ROWS, n_h))
        for c in range(n_channels):
            synapse[c], neuron[c] = _random_channel(net_cfg, first_channel + c, neuron_band,
                                                    up_exc)
    else:
        raise ValueError(f"unknown topology {topology!r}; choose sharifhazileh2021, hfo256 or "
                         "burelo2021_ecog")
    ptr, syn_idx = _stream_csr(slot_src, n_streams)
    return NetworkParams(
        topology=topology, n_channels=int(n_channels), n_hidden=n_h, n_slots=n_slots,
        n_streams=n_streams, band_names=tuple(band_names), neuron_band=neuron_band,
        slot_src=np.ascontiguousarray(slot_src, dtype=np.int32), stream_ptr=ptr,
        stream_syn=syn_idx, fanout=np.diff(ptr), synapse=np.ascontiguousarray(synapse),
        neuron=np.ascontiguousarray(neuron), syn_const=syn_const,
        neuron_kappa=0.5 * (nc.kn + nc.kp), neuron_ut=nc.Ut, refractory_s=float(refractory),
        dt_s=float(net_cfg.dt_s), imem_init=nc.Imem_init, iahp_init=nc.Iahp_init, cfg=net_cfg)


def custom_network(net_cfg: NetworkConfig, sign, weight_na, tau_ms, slot_src, n_streams: int,
                   n_channels: int = 1, *, tau_mem_s: float | None = None,
                   topology: str = "custom", neuron_band=None, first_channel: int = 0,
                   mismatch_tag: int | None = None) -> NetworkParams:
    """A network from explicit arrays (slots x neurons): tests, checks and the later layers.

    ``sign``, ``weight_na``, ``tau_ms`` and ``slot_src`` have shape (n_slots, n_hidden).
    ``tau_mem_s`` defaults to the neuron config's. Device mismatch (``net_cfg.mismatch_cv``)
    is applied only with a ``mismatch_tag``: channel ``c`` draws from
    ``(seed, first_channel + c, mismatch_tag)``, so each layer of a chip channel is reproducible.
    """
    sc, nc = net_cfg.synapse, net_cfg.neuron
    slot_src = np.ascontiguousarray(np.atleast_2d(slot_src), dtype=np.int32)
    n_slots, n_h = slot_src.shape
    syn1 = np.empty((N_SYNAPSE_ROWS, n_slots, n_h))
    syn1[S_SIGN] = np.sign(sign)
    syn1[S_IW] = np.asarray(weight_na, float) * 1e3 * sc.baseweight * sc.w_plast
    syn1[S_ITAU] = tau_to_current(np.asarray(tau_ms, float) * 1e-3, sc.C, sc.Ut, net_cfg.kappa_conv)
    syn1[S_ITH] = sc.I_th
    nrn1 = _neuron_rows(net_cfg, nc.tau_mem_s if tau_mem_s is None else tau_mem_s, n_h)
    synapse = np.repeat(syn1[None], n_channels, axis=0)
    neuron = np.repeat(nrn1[None], n_channels, axis=0)
    if mismatch_tag is not None and net_cfg.mismatch_cv > 0:
        for c in range(n_channels):
            rng = np.random.default_rng(np.random.SeedSequence(
                [int(net_cfg.seed), int(first_channel + c), int(mismatch_tag)]))
            for row in (S_IW, S_ITAU, S_ITH):
                synapse[c, row] *= _truncated_factors(rng, net_cfg.mismatch_cv, (n_slots, n_h))
            for row in _MISMATCH_NEURON_ROWS:
                neuron[c, row] *= _truncated_factors(rng, net_cfg.mismatch_cv, n_h)
    ptr, syn_idx = _stream_csr(slot_src, n_streams)
    band = (np.full(n_h, -1, dtype=np.int64) if neuron_band is None
            else np.asarray(neuron_band, dtype=np.int64))
    return NetworkParams(
        topology=topology, n_channels=int(n_channels), n_hidden=n_h, n_slots=n_slots,
        n_streams=n_streams, band_names=(), neuron_band=band, slot_src=slot_src,
        stream_ptr=ptr, stream_syn=syn_idx, fanout=np.diff(ptr),
        synapse=np.ascontiguousarray(synapse), neuron=np.ascontiguousarray(neuron),
        syn_const=np.array([sc.Io, sc.C, sc.Ut, 0.5 * (sc.kn + sc.kp), sc.I_init]),
        neuron_kappa=0.5 * (nc.kn + nc.kp), neuron_ut=nc.Ut, refractory_s=nc.refractory_s,
        dt_s=float(net_cfg.dt_s), imem_init=nc.Imem_init, iahp_init=nc.Iahp_init, cfg=net_cfg)
