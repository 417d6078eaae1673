"""The one atomic file writer of the package.

Every output file (events, counts, run records, EDF recordings, reports, power tables, review
decisions) is written through :func:`atomic_write`: the content goes to a hidden temporary name
in the target's folder, gets the permissions a plain ``open()`` would give (``0666`` less the
process umask, i.e. ``0644`` under the usual umask ``022``; ``mkstemp`` alone gives ``0600``,
which hides results from colleagues on a shared server), and is then renamed over the target
with :func:`os.replace`. A crash, a full disk or a kill therefore never leaves a half-written
file under the target name, and the temporary file is removed on any failure.

Content held in memory (:func:`atomic_write_text`, :func:`atomic_write_bytes`: events, counts,
run records) goes one step further where the kernel allows it (Linux ``O_TMPFILE``): it is
written to a file that has no name until it is complete and then linked under the target name,
so even a ``kill -9`` in the middle of the write (a worker dies with its killed parent) leaves
nothing behind, not even a temporary file. An existing target is replaced through a hidden
name (link, then rename: a window of two system calls instead of the whole write).

This module imports nothing from the rest of the package except the error classes, so every
stage can use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from hfo_detect.errors import OutputError

__all__ = ["atomic_write", "atomic_write_text", "atomic_write_bytes", "default_file_mode"]


def default_file_mode() -> int:
    """Mode of a new file under the current umask (``0o644`` under umask ``022``)."""
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask. Linux reports it in /proc (read-only, safe with threads); elsewhere
    it can only be read by setting it, so it is set back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object], *,
                 mode: int | None = None) -> Path:
    """Write ``path`` atomically: ``write(tmp)`` fills a temporary file, then it is renamed.

    Parameters
    ----------
    path : path-like
        The target file. Its folder is created when missing.
    write : callable
        Called with the temporary :class:`~pathlib.Path` (same folder, same suffix as ``path``,
        so writers that look at the extension behave); it must write the whole content there.
    mode : int, optional
        Permission bits of the result; default: ``0666`` less the umask, like ``open()``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The folder or file cannot be written (one line naming ``path``); the temporary file is
        removed. Exceptions raised by ``write`` itself (other than ``OSError``) pass through
        unchanged, also after removing the temporary file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix,
                                        dir=path.parent)
    except OSError as err:
        raise OutputError(f"cannot write ({err.strerror or err})", path) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, default_file_mode() if mode is None else mode)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write ({err.strerror or err})", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8",
                      mode: int | None = None) -> Path:
    """Write ``text`` to ``path`` atomically (``\\n`` line endings as given, on every
    platform); see :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically: through an unnamed file where the kernel has
    ``O_TMPFILE`` (nothing left behind by any kill), else as :func:`atomic_write`."""
    path = Path(path)
    mode = default_file_mode() if mode is None else mode
    if not _write_unnamed(path, data, mode):
        atomic_write(path, lambda tmp: tmp.write_bytes(data), mode=mode)
    return path


def _write_unnamed(path: Path, data: bytes, mode: int) -> bool:
    """Write ``data`` into an unnamed file in ``path``'s folder and link it as ``path``; False
    (nothing written) where ``O_TMPFILE`` or ``/proc`` is missing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise OutputError(f"cannot write ({err.strerror or err})", path) from None
    try:
        try:
            fd = os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o600, dir_fd=folder)
        except (AttributeError, OSError):  # not on this platform or file system
            return False
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)
            return _name_unnamed(fd, path.name, folder)
        except OSError as err:
            raise OutputError(f"cannot write ({err.strerror or err})", path) from None
        finally:
            os.close(fd)  # an unnamed file that was never linked vanishes here
    finally:
        os.close(folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _name_unnamed(fd: int, name: str, folder: int) -> bool:
    """Link the complete unnamed file ``fd`` as ``name`` in ``folder`` (replacing a file of
    that name). ``/proc/self/fd`` with ``AT_SYMLINK_FOLLOW`` is the unprivileged way (open(2));
    False where ``/proc`` is not mounted."""
    src = f"/proc/self/fd/{fd}"
    if not os.path.exists(src):
        return False
    try:
        os.link(src, name, dst_dir_fd=folder, follow_symlinks=True)
        return True
    except FileExistsError:
        pass
    tmp = f".{name}.{os.urandom(4).hex()}.tmp"
    os.link(src, tmp, dst_dir_fd=folder, follow_symlinks=True)
    try:
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        os.unlink(tmp, dir_fd=folder)
        raise
    return True
