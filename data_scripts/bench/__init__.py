"""Benchmark harness of hfo-detect (driven by ``data_scripts/bench_all.py``).

Modules
-------
env        machine description, GNU time check, the peers' virtual environment
timing     whole-process runs pinned to one core, timed with ``/usr/bin/time -v``
workloads  simulated EDF workloads (accuracy, throughput, scale) and the real snippets as EDF
tools      the detectors compared: command lines and in-process threshold sweeps
accuracy   scoring per kind / SNR bin, PR curves, equal-precision comparison
mismatch   F1 of the hfo256 network over simulated chips and mismatch levels
figures    matplotlib figures (reports/figures/bench_*.png)
report     reports/benchmarks.md
"""
