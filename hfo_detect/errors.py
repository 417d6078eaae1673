"""Exceptions with one-line messages that name the offending file.

Every error a user can trigger with bad input derives from :class:`HFODetectError`. The CLI
catches this base class and prints ``str(err)`` as a single line (no traceback) and exits
non-zero; the batch runner records the same line in its manifest and goes on.
"""

from __future__ import annotations

from pathlib import Path


class HFODetectError(Exception):
    """Base class: a problem with the user's input, reported as one line.

    Parameters
    ----------
    message : str
        What is wrong (one line, no trailing period needed).
    path : str | Path | None
        The file concerned; prefixed to the message when given.
    """

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = None if path is None else str(path)
        self.problem = one_line(message)
        where = one_line(self.path, keep_spaces=True) if self.path else ""
        super().__init__(f"{where}: {self.problem}" if where else self.problem)


def one_line(text, *, keep_spaces: bool = False) -> str:
    """``text`` as one printable line: runs of whitespace become one space (unless
    ``keep_spaces``, for file names), other control characters (BEL, ESC, ...) and a newline
    in a file name are shown escaped (``\\x07``), never sent to the terminal or a table."""
    text = str(text)
    if not keep_spaces:
        text = " ".join(text.split())
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


class MissingFileError(HFODetectError):
    """The input path does not exist."""


class UnsupportedFormatError(HFODetectError):
    """The file extension or layout is not one we can read."""


class CorruptFileError(HFODetectError):
    """The file exists but cannot be parsed (garbage bytes, bad header)."""


class TruncatedFileError(CorruptFileError):
    """The file is shorter than its header says (e.g. an EDF cut off mid-record)."""


class EmptyFileError(CorruptFileError):
    """The file has zero bytes or zero samples."""


class SamplingRateError(HFODetectError):
    """The sampling rate is too low for the requested frequency bands."""


class NoUsableChannelsError(HFODetectError):
    """No channel is left after type selection, montage and exclusions."""


class NonFiniteDataError(HFODetectError):
    """NaN or Inf samples in the data."""


class DuplicateChannelError(HFODetectError):
    """Two channels carry the same name."""


class FlatChannelError(HFODetectError):
    """A channel is constant (disconnected contact) where a signal is required."""


class UnitError(HFODetectError):
    """Amplitudes are implausible for microvolts (e.g. data stored in volts)."""


class AnnotationError(HFODetectError):
    """An annotation/events file is malformed or does not match the recording."""


class OutputError(HFODetectError):
    """An output folder or file cannot be written."""


class ConfigError(HFODetectError, ValueError):
    """A configuration value is not allowed (unknown option, value out of range)."""
