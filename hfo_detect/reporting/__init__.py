"""Reports of a detection run: figures, HTML and ``summary.json``.

The run's outputs are read through :mod:`hfo_detect.outputs`; the figure and HTML modules import
matplotlib (Agg) when used.
"""
