"""``hfo-detect review``: review detections in the browser (accept, reject, add HFOs)."""

from __future__ import annotations

import getpass
import ipaddress
import logging
import socket

import click

#: first port tried when --port is not given (as Jupyter's 8888, the next free one is taken)
DEFAULT_PORT = 8750


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (bound here, so that a taken port is one clear line)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart reuses the port at once
        sock.bind(address)
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def _server(host: str, port: int | None, app):
    """A threaded WSGI server on ``host:port`` (no ``port``: 8750, else the next free ones)."""
    from werkzeug.serving import make_server

    from hfo_detect.errors import HFODetectError

    tries = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + 20)) + [0]
    for p in tries:
        try:
            sock = _listen(host, p)
        except socket.gaierror as err:
            raise HFODetectError(f"cannot listen on {host!r} (unknown host: {err.strerror})") from None
        except OSError as err:
            if port is not None:
                raise HFODetectError(f"cannot listen on {host}:{port} ({err.strerror}); "
                                     "choose another --port") from None
            continue
        server = make_server(host, p, app, threaded=True, fd=sock.fileno())
        server._listening_socket = sock  # keep it alive as long as the server
        return server
    raise HFODetectError(f"no free port on {host}")


@click.command("review")
@click.argument("results_dir", type=click.Path(path_type=str))
@click.option("--recording", type=click.Path(path_type=str), default=None,
              help="The recording file, when it is no longer where the run recorded it.")
@click.option("--reference", type=click.Path(path_type=str), default=None,
              help="Reference marks (events file, or folder of files named by recording) drawn and matched.")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help=f"Port (default: {DEFAULT_PORT} or the next free one; 0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Other than loopback, anyone who can reach it and has the token "
                   "can change the review.")
@click.option("--reviewer", default=None, help="Name saved with each decision (default: the login name).")
@click.option("--browser/--no-browser", default=False, show_default=True,
              help="Open the page in the default web browser.")
def command(results_dir, recording, reference, port, host, reviewer, browser):
    """Review the detections of RESULTS_DIR in a web browser.

    Keys: a accept, r reject, j / k (or arrows) next / previous, u undo, + / - zoom, n neighbouring
    channels; drag on a trace to add a missed HFO, drag an event's edges to adjust it. Decisions are
    saved at once in RESULTS_DIR/review/ (<stem>_review.tsv, and <stem>_desc-reviewed_events.tsv,
    a BIDS events file that `hfo-detect score` takes as reference marks).
    """
    from hfo_detect.review.run import read_run
    from hfo_detect.review.server import create_app
    from hfo_detect.review.store import REVIEW_DIR

    if reviewer is None:
        try:
            reviewer = getpass.getuser()
        except (KeyError, OSError):
            reviewer = ""
    if reference is not None:
        from pathlib import Path

        from hfo_detect.errors import MissingFileError

        if not Path(reference).exists():
            raise MissingFileError("reference marks not found", reference)
    runs = read_run(results_dir, recording)
    app = create_app(runs, reviewer=reviewer, reference=reference)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = _server(host, port, app)
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    url = f"http://{shown}:{server.port}/?token={app.config['TOKEN']}"
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}, not only on this computer: anyone who reaches it "
                   "with the token can read the recordings and change the review", err=True)
    n = sum(len(r.events) for r in runs)
    click.echo(f"reviewing {n} detections of {len(runs)} recording(s) in {results_dir}")
    click.echo(f"decisions are saved in {runs[0].folder / REVIEW_DIR}")
    click.echo(f"open this address in a web browser (Ctrl-C stops the server):\n    {url}", nl=True)
    if browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
