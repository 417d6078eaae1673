"""Command-line interface: the ``hfo-detect`` click group.

Sub-commands live in :mod:`hfo_detect.commands` (one module each) and are imported only when
invoked, so ``hfo-detect --help`` stays fast even though MNE and numba are heavy imports.
Any :class:`~hfo_detect.errors.HFODetectError` becomes one line on stderr and exit code 1,
never a traceback (``-v`` shows the traceback for debugging).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import signal
import sys

import click

from hfo_detect import __version__
from hfo_detect.errors import HFODetectError

#: command name -> (module under hfo_detect.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "Make a synthetic EDF, detect HFOs in it, write events and a report."),
    "simulate": ("simulate", "Write a synthetic benchmark data set with exact HFO ground truth."),
    "info": ("info", "Show channels, sampling rate, duration and bipolar pairs of a recording."),
    "encode": ("encode", "Filter bank + ADM: write per-channel UP/DOWN event counts."),
    "detect": ("detect", "Detect HFOs in recordings (neuromorphic network or a baseline)."),
    "score": ("score", "Score detected events against reference annotations."),
    "outcome": ("outcome", "Predict post-surgical outcome from the HFO area."),
    "report": ("report", "Build an HTML accuracy report from a detection folder."),
    "power": ("power", "Estimate the chip's power from the counts of a detection run."),
    "review": ("review", "Review detections in the browser: accept, reject or add HFOs."),
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [
            name
            for name, (mod, _) in COMMANDS.items()
            if importlib.util.find_spec(f"hfo_detect.commands.{mod}") is not None
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        mod_name, _ = COMMANDS[cmd_name]
        if importlib.util.find_spec(f"hfo_detect.commands.{mod_name}") is None:
            return None
        module = importlib.import_module(f"hfo_detect.commands.{mod_name}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the static help lines so that --help does not import every command module.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hfo-detect")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug, tracebacks).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Neuromorphic HFO detection in intracranial EEG (Sharifhazileh et al. 2021, re-created)."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    try:  # keep MNE quiet unless asked
        import mne

        mne.set_log_level("WARNING" if verbose < 2 else "INFO")
    except ImportError:  # pragma: no cover
        pass


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM in the console script; a BaseException so that click does not
    turn it into "Aborted!" and no ``except Exception`` swallows it; cleanup code still runs."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the group, turn input errors into one line."""
    verbose = any(a in ("-v", "-vv", "--verbose") for a in (argv or sys.argv[1:]))
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): keep Python's
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
    try:
        cli.main(args=argv, prog_name="hfo-detect", standalone_mode=False)
    except HFODetectError as err:
        if verbose:
            raise
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except (Interrupted, KeyboardInterrupt) as err:  # one line; workers are stopped
        signum = getattr(err, "signum", signal.SIGINT)
        what = "terminated" if signum == signal.SIGTERM else "interrupted"
        click.echo(f"error: {what}; recordings finished so far are kept (rerun to resume)",
                   err=True)
        sys.exit(128 + int(signum))
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as err:  # bad option value: one line, the command named
        where = err.ctx.command_path if err.ctx is not None else "hfo-detect"
        click.echo(f"error: {where}: {' '.join(err.format_message().split())}", err=True)
        sys.exit(err.exit_code)
    except click.ClickException as err:
        click.echo(f"error: {' '.join(err.format_message().split())}", err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
