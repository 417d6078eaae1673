"""Progress of long runs in channel-seconds of signal, for one recording or many.

Stages report the signal they have processed with :func:`advance` (channel-seconds); the runner
announces each recording's size with :func:`recording`. Whoever shows the progress installs a
*sink* with :func:`reporting_to` (the batch runner: a tqdm bar). Without a sink every call is a
no-op, so library use stays silent and costs nothing.

Worker processes forward their progress to the parent's sink through a queue
(:func:`process_pool`), so a bar moves while one long recording, or its channel groups, run in
other processes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator

#: sink(kind, channel_seconds) with kind "total" (more work announced) or "advance" (work done)
Sink = Callable[[str, float], None]

_sink: Sink | None = None
_left: list[float] = []  # work announced but not yet reported, per open recording


def _emit(kind: str, value: float) -> None:
    if _sink is not None and value > 0:
        _sink(kind, float(value))


def advance(channel_seconds: float) -> None:
    """Report ``channel_seconds`` of signal processed (clipped to the open recording's size)."""
    if _sink is None:
        return
    if _left:
        channel_seconds = min(channel_seconds, _left[-1])
        _left[-1] -= channel_seconds
    _emit("advance", channel_seconds)


@contextlib.contextmanager
def recording(channel_seconds: float) -> Iterator[None]:
    """Announce one recording of ``channel_seconds``; whatever its stages did not report is
    reported when it ends (detectors that report nothing, errors), so the bar ends full."""
    _emit("total", channel_seconds)
    _left.append(float(channel_seconds))
    try:
        yield
    finally:
        _emit("advance", _left.pop())


@contextlib.contextmanager
def reporting_to(sink: Sink | None) -> Iterator[None]:
    """Send progress to ``sink`` inside the block (``None``: keep silent)."""
    global _sink
    old, _sink = _sink, sink
    try:
        yield
    finally:
        _sink = old


def _install_queue(queue) -> None:
    """Worker initializer: forward this process's progress to the parent through ``queue``."""
    global _sink
    _sink = lambda kind, value: queue.put((kind, value))  # noqa: E731


@contextlib.contextmanager
def process_pool(max_workers: int) -> Iterator[ProcessPoolExecutor]:
    """A :class:`ProcessPoolExecutor` whose workers' progress reaches the current sink.

    Its workers die with this process and leave Ctrl-C to it; an exception or interrupt in
    the ``with`` body stops them at once (see :mod:`hfo_detect.workers`)."""
    from hfo_detect.workers import stopping, worker_pool

    if _sink is None:
        with stopping(worker_pool(max_workers)) as pool:
            yield pool
        return
    ctx = multiprocessing.get_context()
    queue = ctx.Queue()
    sink = _sink

    def drain() -> None:
        for kind, value in iter(queue.get, None):
            if kind == "advance":
                advance(value)  # clipped to the parent's open recording, if any
            else:
                sink(kind, value)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    finished = False
    try:
        with stopping(worker_pool(max_workers, mp_context=ctx, initializer=_install_queue,
                                  initargs=(queue,))) as pool:
            yield pool
        finished = True
    finally:
        if finished:
            queue.put(None)
            thread.join(timeout=5)
        else:
            # The workers were killed (interrupt, error): one may have died holding the queue's
            # write lock, and then anything this process writes to the queue (and the flush of
            # it that Python waits for at exit) would wait forever: the run would never exit.
            queue.cancel_join_thread()
        queue.close()


class ChannelSecondsBar:
    """A tqdm bar in channel-seconds whose total grows as recordings are opened; its
    :meth:`sink` goes to :func:`reporting_to`. Shown only when stderr is a terminal."""

    def __init__(self, enabled: bool = True, desc: str = "detect"):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=0, desc=desc, disable=None if enabled else True,
                         dynamic_ncols=True,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} "
                                    "channel-seconds [{elapsed}<{remaining}]")

    def sink(self, kind: str, value: float) -> None:
        if kind == "total":
            self._bar.total += value
            self._bar.refresh()
        else:
            self._bar.update(value)

    def external_write_mode(self):
        """Context in which lines printed go above the bar, not onto it."""
        return self._bar.external_write_mode()

    def close(self) -> None:
        self._bar.close()
