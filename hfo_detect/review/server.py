"""The review web app (Flask): event lists, signal windows and decisions over a small JSON API.

Security model (as Jupyter's): the server binds to 127.0.0.1 unless told otherwise, and every
request must carry the random token printed in the URL (``?token=``; the page then keeps it in a
same-site cookie, the API calls also send it in the ``X-Review-Token`` header). It serves only
its package's page and scripts, plotly's bundled ``plotly.min.js``, files inside the results
folder (``/files/...``, resolved with Werkzeug's ``safe_join``) and the recordings the run names;
nothing else on the disk can be reached.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import numpy as np
import pandas as pd
from flask import Flask, abort, jsonify, render_template, request, send_file, send_from_directory

from hfo_detect.errors import HFODetectError
from hfo_detect.events import HFO_KINDS, EventTable
from hfo_detect.review.run import RunRecording, read_spikes
from hfo_detect.review.store import REVIEW_DIR, ReviewStore
from hfo_detect.review.windows import WindowReader

COOKIE = "hfo_review_token"


def _plotly_js() -> Path:
    """plotly.js as shipped inside the plotly wheel (no CDN: the review works offline)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def read_reference(path: str | Path | None, stem: str) -> EventTable | None:
    """Reference marks of recording ``stem``: the file itself, or the folder's file of that name."""
    if path is None:
        return None
    from hfo_detect.outputs import list_event_files, recording_key

    path = Path(path)
    if path.is_dir():
        files = {recording_key(f): f for f in list_event_files(path)}
        if stem not in files:
            return None
        path = files[stem]
    table = EventTable.read(path)
    return EventTable(table.df[table.df["kind"].isin(HFO_KINDS)])


def matched_flags(detected: pd.DataFrame, reference: EventTable | None) -> tuple[list, list]:
    """Whether each detection and each reference mark is matched, by the project's scoring
    (optimal one-to-one matching per channel and kind, rule ``overlap``; ``hfo`` detections
    against the pooled bands)."""
    if reference is None:
        return [None] * len(detected), []
    from hfo_detect.evaluation import score_events

    ref = reference.df
    if not len(detected) or not len(ref):
        return [False] * len(detected), [False] * len(ref)
    res = score_events(EventTable(detected[["onset", "duration", "channel", "kind"]]), reference, kinds="all",
                       rule="overlap", channels="all")
    m = res.matches

    def keys(df, on, off, kind_col=True):
        return set(zip(df["kind"] if kind_col else ["pooled"] * len(df), df["channel"],
                       np.round(df[on], 6), np.round(df[off], 6)))

    det_keys = keys(m, "det_onset", "det_offset")
    ref_keys = keys(m, "ref_onset", "ref_offset")
    pooled = m[m["kind"] == "pooled"]

    def flag(kind, ch, on, off, side_keys, on_col, off_col):
        if (kind, ch, round(on, 6), round(off, 6)) in side_keys:
            return True
        p = pooled[pooled["channel"] == ch]
        return bool(((p[on_col] <= on + 1e-9) & (p[off_col] >= off - 1e-9)).any())

    det_flags = [flag(r.kind, r.channel, r.onset, r.onset + r.duration, det_keys, "det_onset", "det_offset")
                 for r in detected.itertuples()]
    ref_flags = [flag(r.kind, r.channel, r.onset, r.onset + r.duration, ref_keys, "ref_onset", "ref_offset")
                 for r in ref.itertuples()]
    return det_flags, ref_flags


class Review:
    """Everything the app serves for one recording: detections, decisions, reference, windows."""

    def __init__(self, run: RunRecording, reviewer: str, reference=None):
        self.run = run
        self.store = ReviewStore(run.folder / REVIEW_DIR, run.stem, run.events, reviewer)
        channels = run.channels or sorted(set(run.events["channel"]))
        self.windows = WindowReader(run.source, run.montage, channels)
        self.reference = read_reference(reference, run.stem)
        self.matched, self.ref_matched = matched_flags(run.events, self.reference)
        self._spikes = None  # the run's kept spikes, read on the first window that shows them

    def spikes(self, channel: str, t0: float, t1: float) -> dict | None:
        """The run's ADM events (per stream) and hidden/output spikes of ``channel`` in [t0, t1)."""
        if self.run.spikes is None:
            return None
        if self._spikes is None:
            self._spikes = read_spikes(self.run.spikes)
        out = {}
        for pop in self._spikes.populations:
            df = self._spikes.of(pop, channel, t0, t1)
            if pop == "adm":  # one list of times per stream (ripple_up, ...): drawn on its band
                out["adm"] = {str(name): np.round(g["time_s"].to_numpy(), 5).tolist()
                              for name, g in df.groupby("source_name")}
            else:  # neuron index against time: a raster
                out[pop] = {"t": np.round(df["time_s"].to_numpy(), 5).tolist(), "i": df["source"].astype(int).tolist()}
        return out

    def events(self) -> list[dict]:
        """Detections (with decisions and edits) and added events, sorted by onset."""
        out = []
        for row, matched in zip(self.run.events.to_dict("records"), self.matched):
            ev = {"id": row["event_id"], "onset": row["onset"], "duration": row["duration"],
                  "channel": row["channel"], "kind": row["kind"], "decision": "pending",
                  "matched": matched, "origin": "detector"}
            dec = self.store.rows.get(row["event_id"])
            if dec:
                ev.update(decision=dec["decision"], onset=dec["onset"], duration=dec["duration"], kind=dec["kind"])
            out.append(ev)
        for dec in self.store.rows.values():
            if dec["origin"] == "reviewer":
                out.append({"id": dec["event_id"], "onset": dec["onset"], "duration": dec["duration"],
                            "channel": dec["channel"], "kind": dec["kind"], "decision": dec["decision"],
                            "matched": None, "origin": "reviewer"})
        out.sort(key=lambda e: (e["onset"], e["channel"], e["id"]))
        return out

    def resume_id(self, events: list[dict]) -> str | None:
        """Where the reviewer stopped: the first undecided event after the latest decision."""
        if not events:
            return None
        decided = sorted(self.store.rows.values(), key=lambda r: str(r["time"]))
        start = 0
        if decided:
            ids = [e["id"] for e in events]
            last = decided[-1]["event_id"]
            start = ids.index(last) + 1 if last in ids else 0
        order = events[start:] + events[:start]
        pending = [e for e in order if e["decision"] == "pending"]
        return (pending[0] if pending else events[min(start, len(events) - 1)])["id"]

    def reference_marks(self) -> list[dict]:
        if self.reference is None:
            return []
        return [{"onset": r.onset, "duration": r.duration, "channel": r.channel, "kind": r.kind, "matched": m}
                for r, m in zip(self.reference.df.itertuples(), self.ref_matched)]


def create_app(runs: list[RunRecording], *, token: str | None = None, reviewer: str = "",
               reference=None) -> Flask:
    """The Flask app serving the review of ``runs`` (``app.config["TOKEN"]`` holds the token)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    app.json.sort_keys = False
    app.url_map.merge_slashes = False  # "/files//etc/passwd" is a 404, not a redirect
    reviews = {run.stem: Review(run, reviewer, reference) for run in runs}
    app.extensions["hfo_review"] = reviews  # stem -> Review (Flask's place for such state)
    results_dir = runs[0].folder.resolve()

    def review_of(stem: str | None) -> Review:
        if stem not in reviews:
            abort(404)
        return reviews[stem]

    def cookie_name() -> str:
        # cookies do not tell ports apart: one name per port, so two review servers do not mix tokens
        return f"{COOKIE}_{request.host.rsplit(':', 1)[-1]}"

    @app.before_request
    def check_token():
        sent = (request.args.get("token") or request.headers.get("X-Review-Token")
                or request.cookies.get(cookie_name()) or "")
        if not secrets.compare_digest(str(sent), app.config["TOKEN"]):
            abort(403)

    @app.after_request
    def keep_token(response):
        if request.args.get("token") == app.config["TOKEN"]:
            response.set_cookie(cookie_name(), app.config["TOKEN"], httponly=True, samesite="Strict")
        if request.endpoint in ("plotly_js", "static"):
            response.headers["Cache-Control"] = "private, max-age=86400"  # 4.6 MB parsed once a day
        else:
            response.headers["Cache-Control"] = "no-store"  # decisions change under the same URLs
        return response

    @app.errorhandler(HFODetectError)
    def bad_input(err):
        return jsonify(error=str(err)), 400

    @app.get("/")
    def index():
        return render_template("review.html", stems=list(reviews), reviewer=reviewer)

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.get("/plotly.min.js")
    def plotly_js():
        return send_file(_plotly_js(), mimetype="application/javascript")

    @app.get("/files/<path:name>")
    def files(name):
        return send_from_directory(results_dir, name)  # safe_join: 404 outside the folder

    @app.get("/recording/<stem>")
    def recording(stem):
        return send_file(review_of(stem).run.source.resolve(), as_attachment=True)

    @app.get("/api/recordings")
    def recordings():
        return jsonify([{"stem": s, "n_events": len(r.run.events), "n_decided": len(r.store.rows),
                         "channels": r.windows.channels, "duration_s": r.windows.duration_s,
                         "sfreq": r.windows.sfreq, "source": r.run.source.name,
                         "reference": r.reference is not None, "spikes": r.run.spikes is not None,
                         "review_table": f"{REVIEW_DIR}/{r.store.table_path.name}",
                         "reviewed_events": f"{REVIEW_DIR}/{r.store.events_path.name}"}
                        for s, r in reviews.items()])

    @app.get("/api/events/<stem>")
    def events(stem):
        rev = review_of(stem)
        evs = rev.events()
        return jsonify(events=evs, resume=rev.resume_id(evs), reference=rev.reference_marks())

    @app.get("/api/window/<stem>")
    def window(stem):
        rev = review_of(stem)
        channel = request.args.get("channel", "")
        try:
            t0, t1 = float(request.args["t0"]), float(request.args["t1"])
            n = min(int(request.args.get("neighbours", 0)), 8)
            channels = rev.windows.neighbours(channel, n)
        except (KeyError, ValueError):
            abort(400)
        if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0:
            abort(400)
        out = rev.windows.window(channels, t0, t1)
        out["focus"] = channel
        out["spikes"] = rev.spikes(channel, t0, t1)
        return jsonify(out)

    @app.post("/api/decide/<stem>")
    def decide(stem):
        rev = review_of(stem)
        body = request.get_json(force=True, silent=True) or {}
        if "id" not in body:
            abort(400)
        row = rev.store.decide(str(body["id"]), body.get("decision"), onset=body.get("onset"),
                               duration=body.get("duration"), kind=body.get("kind"))
        return jsonify(ok=True, row=row)

    @app.post("/api/add/<stem>")
    def add(stem):
        rev = review_of(stem)
        body = request.get_json(force=True, silent=True) or {}
        channel = body.get("channel")
        if channel not in rev.windows.channels:
            abort(400)
        try:
            onset, duration = float(body["onset"]), float(body["duration"])
        except (KeyError, TypeError, ValueError):
            abort(400)
        if onset + duration > rev.windows.duration_s + 1e-9:
            abort(400)
        return jsonify(ok=True, row=rev.store.add(channel, onset, duration, body.get("kind") or "ripple"))

    @app.post("/api/delete/<stem>")
    def delete(stem):
        rev = review_of(stem)
        body = request.get_json(force=True, silent=True) or {}
        rev.store.delete(str(body.get("id")))
        return jsonify(ok=True)

    return app
