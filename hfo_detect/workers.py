"""Worker processes that never outlive their parent and never print a Ctrl-C traceback.

Every process pool of the package (recordings in :mod:`hfo_detect.batch`, channel groups in
:mod:`hfo_detect.runner`) is made by :func:`worker_pool`. Each worker, when it starts:

* asks the Linux kernel to SIGKILL it when its parent dies (``prctl(PR_SET_PDEATHSIG)``), so a
  ``kill -9`` or SIGTERM of the parent alone takes the workers with it at once;
* runs a watchdog thread that exits the worker when its parent process id changes (the same
  guarantee where ``prctl`` is missing, within :data:`WATCHDOG_S`);
* ignores SIGINT: Ctrl-C in a terminal reaches the whole process group, and only the parent
  handles it (one line, then :func:`stop_pool` ends the workers); SIGTERM gets its default
  action back (a forked worker inherits the parent's handler).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: seconds between two checks of the watchdog thread [CHOICE]
WATCHDOG_S = 0.5
_PR_SET_PDEATHSIG = 1


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(WATCHDOG_S)
        if os.getppid() != parent_pid:
            os._exit(1)  # the parent is gone: nobody will ever read what this worker makes


def bind_to_parent(parent_pid: int, initializer=None, initargs: tuple = ()) -> None:
    """Pool initializer: die with the parent ``parent_pid``; leave SIGINT to the parent; then
    run the caller's own ``initializer(*initargs)`` if any."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's one-line handler (forked)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc / no prctl: the watchdog still works
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog",
                     daemon=True).start()
    with contextlib.suppress(AttributeError, ValueError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if initializer is not None:
        initializer(*initargs)


def worker_pool(jobs: int, *, mp_context=None, initializer=None,
                initargs: tuple = ()) -> ProcessPoolExecutor:
    """A process pool whose workers are bound to this process (see the module docstring);
    ``initializer(*initargs)`` runs in each worker after that."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context, initializer=bind_to_parent,
                               initargs=(os.getpid(), initializer, initargs))


@contextlib.contextmanager
def sigint_blocked():
    """Block SIGINT while workers are forked, so none can die of a Ctrl-C before its
    initializer ignores it (they inherit the mask; the initializer unblocks it)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError):  # not the main thread / no pthread_sigmask
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def stopping(pool: ProcessPoolExecutor):
    """Use ``pool`` in a ``with`` block: shut down normally at the end, but on any exception or
    interrupt (Ctrl-C, SIGTERM, a full disk) drop the queued work and kill the workers now."""
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool now: drop queued work and kill running workers (on Ctrl-C or an error)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)
