"""Reports of a detection folder: reading its outputs, figures, HTML and ``summary.json``.

Kept import-light: :mod:`hfo_detect.reporting.results` needs only pandas; the figure and
HTML modules import matplotlib (Agg) when used.
"""

from hfo_detect.reporting.results import DetectionResult, read_detection_dir

__all__ = ["DetectionResult", "read_detection_dir"]
