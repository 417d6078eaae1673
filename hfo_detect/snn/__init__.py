"""The spiking network: DPI synapses and neurons, topologies, three integrators.

Public API: :func:`build_network` -> :class:`NetworkParams`; :func:`run_network` (chunked, with a
:class:`NetworkState`); :func:`synaptic_event_counts`.
"""

from hfo_detect.snn.params import NetworkParams, NetworkParamsError, build_network, custom_network
from hfo_detect.snn.simulate import (INTEGRATORS, NetworkState, initial_state, run_network,
                                     synaptic_event_counts)

__all__ = ["INTEGRATORS", "NetworkParams", "NetworkParamsError", "NetworkState", "build_network",
           "custom_network", "initial_state", "run_network", "synaptic_event_counts"]
