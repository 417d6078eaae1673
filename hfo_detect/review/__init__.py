"""Browser review of detections: accept, reject or add HFOs, saved back as BIDS events.

Modules: :mod:`~hfo_detect.review.run` (what a detection folder holds: the one place that reads a
run's outputs), :mod:`~hfo_detect.review.store` (the reviewer's decisions and their BIDS export),
:mod:`~hfo_detect.review.windows` (the signal windows shown, read from disk on demand) and
:mod:`~hfo_detect.review.server` (the Flask app). ``hfo-detect review`` starts it.
"""

from hfo_detect.review.store import ReviewStore

__all__ = ["ReviewStore"]
