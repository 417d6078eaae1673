"""Build the HTML report and ``summary.json`` of a detection folder.

Sections: HFO rates (per recording, per channel), a gallery of detected events (raw and
band-filtered traces; matched / unmatched / missed marked when a reference is given), a raster
of the run's own ADM events and hidden-layer spikes around one event (``detect --keep-spikes``),
accuracy tables (precision, recall, F1, kappa) and precision-recall curves when a reference is
given, the outcome table when outcome data are given, the chip power estimate, and the
parameters and software version.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from hfo_detect import __version__
from hfo_detect.atomic import atomic_write_text
from hfo_detect.errors import HFODetectError
from hfo_detect.reporting import figures
from hfo_detect.reporting.html import Section, page
from hfo_detect.outputs import DetectionResult, find_run_folder, read_run, references_for_run

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportConfig:
    """Choices of the report [CHOICE: none of these is fixed by the paper or its code].

    Parameters
    ----------
    max_gallery : int
        Detected events shown in the gallery (half matched, half unmatched with a reference).
    max_missed : int
        Missed reference marks added to the gallery (reference only).
    pad_s : float
        Signal shown before and after each event.
    display_band_hz : (float, float)
        Band of the filtered trace (zero-phase 4th-order Butterworth, display only).
    raster_segment_s : float
        Length of the stretch of the run's spikes shown around the raster event.
    score_rule : str
        Matching rule passed to :func:`hfo_detect.evaluation.score_events`.
    """

    max_gallery: int = 6
    max_missed: int = 3
    pad_s: float = 0.15
    display_band_hz: tuple[float, float] = (80.0, 500.0)
    raster_segment_s: float = 4.0
    score_rule: str = "overlap"


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


def rate_tables(results: list[DetectionResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-recording rates, recordings x channels rate matrix), HFOs per minute."""
    rows, mat = [], {}
    for res in results:
        counts = res.counts
        if counts is None or "hfo_per_min" not in counts.columns:
            continue
        per_ch = pd.Series(counts["hfo_per_min"].to_numpy(dtype=float),
                           index=counts["channel"].astype(str))
        mat[res.stem] = per_ch
        rows.append({"recording": res.stem, "n_channels": len(per_ch),
                     "n_hfo": int(counts["n_hfo"].fillna(0).sum()) if "n_hfo" in counts else 0,
                     "duration_s": res.duration_s,
                     "mean_per_min": float(per_ch.mean()) if len(per_ch) else np.nan,
                     "max_per_min": float(per_ch.max()) if len(per_ch) else np.nan,
                     "top_channel": str(per_ch.idxmax()) if len(per_ch) and per_ch.notna().any() else ""})
    rec = pd.DataFrame(rows, columns=["recording", "n_channels", "n_hfo", "duration_s",
                                      "mean_per_min", "max_per_min", "top_channel"])
    matrix = pd.DataFrame(mat).T if mat else pd.DataFrame()
    return rec, matrix


def _events(res: DetectionResult):
    return res.event_table()


def status_of(det: pd.DataFrame, ref: pd.DataFrame) -> np.ndarray:
    """'matched' when a detection overlaps a reference HFO mark on the same channel."""
    from hfo_detect.events import overlaps_by_channel

    return np.where(overlaps_by_channel(det, ref), "matched", "unmatched").astype(object)


# --------------------------------------------------------------------------------------
# Signal-based figures
# --------------------------------------------------------------------------------------


class _Sources:
    """Opens each source recording once; ``None`` when it cannot be opened."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self.problems: list[str] = []

    def get(self, res: DetectionResult):
        if res.stem in self._cache:
            return self._cache[res.stem]
        rec = None
        if not res.source:
            self.problems.append(f"{res.stem}: the detection record names no source recording")
        else:
            try:
                from hfo_detect.io import open_recording

                # a few windows are read; the run already checked the channels (no flat pass)
                rec = open_recording(res.source, montage=res.meta.get("montage") or "bipolar",
                                     on_flat="ignore")
            except (HFODetectError, OSError) as err:
                self.problems.append(f"{res.stem}: cannot open the source recording ({err})")
        self._cache[res.stem] = rec
        return rec


def _window(rec, channel: str, start_s: float, stop_s: float, band) -> dict | None:
    from scipy.signal import butter, sosfiltfilt

    if channel not in rec.ch_names:
        return None
    fs = rec.sfreq
    extra = 0.5  # filter padding, cropped after filtering
    a = max(0, int(round((start_s - extra) * fs)))
    b = min(rec.n_times, int(round((stop_s + extra) * fs)))
    if b - a < 16:
        return None
    data = np.asarray(rec.get_data_uv(a, b))[rec.ch_names.index(channel)]
    hi = min(band[1], 0.45 * fs)
    sos = butter(4, [band[0], hi], btype="band", fs=fs, output="sos")
    filt = sosfiltfilt(sos, data - data.mean())
    t = (a + np.arange(b - a)) / fs
    keep = (t >= start_s) & (t <= stop_s)
    return {"t": t[keep], "raw": data[keep], "filtered": filt[keep]}


def _pick_gallery(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """Evenly spaced events, half of each status when both exist."""
    if len(table) <= n:
        return table
    groups = [g for _, g in table.groupby("status")]
    share = max(1, n // len(groups))
    picks = []
    for g in groups:
        idx = np.unique(np.linspace(0, len(g) - 1, min(share, len(g))).round().astype(int))
        picks.append(g.iloc[idx])
    return pd.concat(picks).sort_values(["stem", "onset"]).head(n)


def gallery_panels(results, sources, det_tables, ref_tables, cfg: ReportConfig) -> list[dict]:
    rows = []
    for res in results:
        det = det_tables.get(res.stem)
        if det is not None and len(det):
            rows.append(det.assign(stem=res.stem))
    if not rows:
        return []
    table = pd.concat(rows, ignore_index=True)
    chosen = _pick_gallery(table, cfg.max_gallery)
    missed = []
    for stem, ref in ref_tables.items():
        det = det_tables.get(stem, pd.DataFrame(columns=["channel", "onset", "duration"]))
        if len(ref):
            flag = status_of(ref, det)
            missed.append(ref[flag == "unmatched"].assign(stem=stem, status="missed"))
    if missed:
        chosen = pd.concat([chosen, pd.concat(missed).head(cfg.max_missed)], ignore_index=True)
    by_stem = {r.stem: r for r in results}
    panels = []
    for ev in chosen.itertuples():
        rec = sources.get(by_stem[ev.stem])
        if rec is None:
            continue
        off = ev.onset + ev.duration
        win = _window(rec, ev.channel, ev.onset - cfg.pad_s, off + cfg.pad_s, cfg.display_band_hz)
        if win is None:
            continue
        ref = ref_tables.get(ev.stem)
        refs = []
        if ref is not None:
            near = ref[(ref["channel"] == ev.channel) & (ref["onset"] < off + cfg.pad_s)
                       & (ref["onset"] + ref["duration"] > ev.onset - cfg.pad_s)]
            refs = list(zip(near["onset"], near["onset"] + near["duration"]))
        panels.append(dict(win, onset=ev.onset, offset=off, status=ev.status, refs=refs,
                           stem=ev.stem, channel=ev.channel, kind=getattr(ev, "kind", "hfo"),
                           title=f"{ev.stem} {ev.channel} {ev.onset:.2f} s {getattr(ev, 'kind', '')}"))
    return panels


def raster_figure(res: DetectionResult, panel: dict, cfg: ReportConfig) -> tuple[bytes, str] | None:
    """ADM events and hidden spikes of the run itself around one event, from the run's
    ``<stem>_spikes.npz`` (``detect --keep-spikes``); None when the run kept no spikes."""
    spikes = res.spikes()
    if spikes is None:
        return None
    ch = panel["channel"]
    centre = 0.5 * (panel["onset"] + panel["offset"])
    start = max(0.0, centre - cfg.raster_segment_s / 2)
    stop = start + cfg.raster_segment_s
    adm = spikes.of("adm", ch, start, stop)
    hidden = spikes.of("hidden", ch, start, stop)
    names = spikes.source_names.get("adm", [])
    adm_times = {n: adm["time_s"].to_numpy()[adm["source_name"].to_numpy() == n] for n in names}
    png = figures.spike_raster(adm_times, hidden["time_s"].to_numpy(), hidden["source"].to_numpy(),
                               panel["onset"], panel["offset"],
                               f"{res.stem} {ch}: ADM events and hidden spikes around {panel['onset']:.2f} s")
    caption = (f"ADM events (top) and hidden-layer spikes (bottom) of {ch} from {start:.2f} to "
               f"{stop:.2f} s around the event at {panel['onset']:.2f} s (shaded), as the detection "
               f"run produced them ({len(adm)} ADM events, {len(hidden)} hidden spikes).")
    return png, caption


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _read_table(path: Path, numeric: Sequence[str] = ()) -> pd.DataFrame:
    """A TSV/CSV/JSON table; any failure, or a missing/non-numeric column of ``numeric``, is
    one :class:`HFODetectError` naming the file (binary files, wrong columns, bad JSON)."""
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                lists = [data[k] for k in ("patients", "table", "rows") if isinstance(data.get(k), list)]
                table = pd.DataFrame(lists[0]) if lists else pd.DataFrame([data])
            else:
                table = pd.DataFrame(data)
        else:
            table = pd.read_csv(path, sep="\t" if path.suffix.lower() in (".tsv", ".txt") else ",",
                                encoding="utf-8")
    except FileNotFoundError:
        raise HFODetectError("table not found", path) from None
    except (OSError, ValueError, TypeError, UnicodeDecodeError, pd.errors.ParserError) as err:
        reason = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else " ".join(str(err).split())[:120]
        raise HFODetectError(f"cannot read table ({reason})", path) from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in numeric if c not in table.columns]
    if missing:
        raise HFODetectError(f"table lacks column(s) {', '.join(missing)} (has: "
                             f"{', '.join(map(str, table.columns[:8]))})", path)
    for col in numeric:
        values = pd.to_numeric(table[col], errors="coerce")
        if values.isna().any() or not np.isfinite(values).all():
            raise HFODetectError(f"column {col!r} must hold finite numbers", path)
        table[col] = values
    if not len(table):
        raise HFODetectError("table has no rows", path)
    return table


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def build_report(det_dir: str | os.PathLike, out: str | os.PathLike | None = None, *,
                 reference: str | os.PathLike | None = None,
                 outcome: str | os.PathLike | None = None,
                 sweep: str | os.PathLike | pd.DataFrame | None = None,
                 cfg: ReportConfig = ReportConfig()) -> dict[str, Any]:
    """Write ``report.html`` and ``summary.json`` for a detection folder.

    Parameters
    ----------
    det_dir : path
        Output folder of ``hfo-detect detect``.
    out : path or None
        HTML file (default ``det_dir/report.html``); ``summary.json`` goes beside it.
    reference : path or None
        Reference events: one file for all recordings, or a folder with ``<stem>*events.tsv``.
    outcome : path or None
        An outcome table (TSV/CSV, or the JSON of ``hfo-detect outcome``) shown as it is.
    sweep : path, DataFrame or None
        A threshold-sweep table (a file, or e.g. :func:`hfo_detect.sweep_run.sweep_run`'s) (``threshold, precision, recall`` [, ``detector``/``kind``]) for
        the PR curves.
    cfg : ReportConfig

    Returns
    -------
    dict
        The summary written to ``summary.json`` (with ``html`` and ``summary`` paths).
    """
    from hfo_detect import power as power_mod
    from hfo_detect.events import EventTable

    det_dir = find_run_folder(det_dir)
    results = read_run(det_dir)
    out_html = Path(out) if out else det_dir / "report.html"
    summary: dict[str, Any] = {"software": {"name": "hfo-detect", "version": __version__},
                               "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "detection_dir": str(det_dir.resolve()), "figures": [], "notes": []}
    sections: list[Section] = []

    # ---- rates
    rec_rates, matrix = rate_tables(results)
    sec = Section("rates", "HFO rates")
    if len(rec_rates):
        sec.table(rec_rates)
        sec.figure(figures.recording_rates(rec_rates), "Mean and highest per-channel HFO rate of each "
                   "recording (HFOs per minute).", "recording-rates")
        sec.figure(figures.channel_rates(matrix), "HFO rate of every channel (per minute).",
                   "channel-rates")
        summary["figures"] += ["recording-rates", "channel-rates"]
    else:
        sec.text("No counts tables: rates unavailable.", note=True)
    summary["recordings"] = rec_rates.to_dict("records")
    summary["channel_rates_per_min"] = {stem: row.dropna().to_dict() for stem, row in matrix.iterrows()}
    sections.append(sec)

    # ---- events, reference, scores
    det_tables = {r.stem: _events(r).df for r in results}
    ref_tables: dict[str, pd.DataFrame] = {}
    scores = []
    if reference is not None:
        from hfo_detect.evaluation import combine_results, score_events

        sec = Section("accuracy", "Accuracy against the reference")
        per_rec = []
        pairs, pair_notes = references_for_run(results, reference)
        summary["notes"] += pair_notes
        for note in pair_notes:
            sec.text(note, note=True)
        by_stem = {r.stem: r for r in results}
        for stem, _events_path, path in pairs:
            res = by_stem[stem]
            ref = EventTable.read(path)
            ref_tables[res.stem] = ref.df[ref.df["kind"].isin(["ripple", "fast_ripple", "hfo"])]
            sc = score_events(_events(res), ref, rule=cfg.score_rule, stop_s=res.duration_s)
            scores.append(sc)
            t = sc.summary().reset_index()
            per_rec.append(t.assign(recording=res.stem))
            det = det_tables[res.stem]
            det_tables[res.stem] = det.assign(status=status_of(det, ref_tables[res.stem]))
        if scores:
            pooled = combine_results(scores).reset_index()
            sec.text(f"Matching rule: {scores[0].rule}. Channels reviewed: those with at least one "
                     "reference mark (false positives are counted only there).")
            sec.table(pooled)
            sec.table(pd.concat(per_rec, ignore_index=True)[
                ["recording", "kind", "n_detected", "n_reference", "tp", "fp", "fn", "precision",
                 "recall", "f1", "kappa"]])
            summary["scores"] = {"pooled": pooled.to_dict("records"),
                                 "recordings": {stem: s.to_dict() for (stem, _, _), s in zip(
                                     pairs, scores)}}
        else:
            sec.text("No reference file matched any recording.", note=True)
        sections.append(sec)
    for stem, det in det_tables.items():
        if "status" not in det.columns:
            det_tables[stem] = det.assign(status="detected")

    # ---- PR curves from a given sweep table (the report itself never re-runs a detector)
    sources = _Sources()
    tables = []
    if isinstance(sweep, pd.DataFrame):
        tables.append(sweep)
    elif sweep is not None:
        tables.append(_read_table(Path(sweep), numeric=("threshold", "precision", "recall")))
    if tables:
        from hfo_detect.evaluation import pr_auc

        sw = pd.concat(tables, ignore_index=True)
        label_cols = [c for c in ("detector", "kind") if c in sw.columns]
        curves = ({" ".join(map(str, k if isinstance(k, tuple) else (k,))): g
                   for k, g in sw.groupby(label_cols)} if label_cols else {"detector": sw})
        sec = Section("pr", "Precision-recall over thresholds")
        sec.figure(figures.pr_curves(curves), "Precision against recall at each threshold of the "
                   "sweep (labels: threshold; for the network, the factor applied to the ADM scale "
                   "factors, 1 = as run).", "pr-curves")
        sec.table(sw)
        summary["figures"].append("pr-curves")
        summary["sweep"] = {"table": sw.to_dict("records"),
                            "auc": {name: pr_auc(c["recall"], c["precision"])
                                    for name, c in curves.items()}}
        sections.append(sec)

    # ---- gallery and raster
    sec = Section("gallery", "Detected events")
    panels = gallery_panels(results, sources, det_tables, ref_tables, cfg)
    if panels:
        legend = ("green: matches a reference mark; red: no reference mark; orange: missed reference "
                  "mark (dashed lines: reference marks)" if ref_tables else "blue: detected event")
        sec.figure(figures.event_gallery(panels, cfg.display_band_hz),
                   f"Raw (top) and {cfg.display_band_hz[0]:.0f}-{cfg.display_band_hz[1]:.0f} Hz "
                   f"filtered (bottom) traces around events; {legend}.", "gallery")
        summary["figures"].append("gallery")
        summary["gallery"] = [{k: p[k] for k in ("stem", "channel", "onset", "offset", "status")}
                              for p in panels]
    else:
        sec.text("No event to show (no detections, or the source recordings could not be opened).",
                 note=True)
    for problem in sources.problems:
        sec.text(problem, note=True)
        summary["notes"].append(problem)
    sections.append(sec)

    by_stem = {r.stem: r for r in results}
    raster_panel = next((p for p in panels if p["status"] == "matched"), None) or next(
        (p for p in panels if p["status"] != "missed"), None)
    if raster_panel is not None and by_stem[raster_panel["stem"]].meta.get("detector", "snn") == "snn":
        res = by_stem[raster_panel["stem"]]
        sec = Section("raster", "Spikes behind one event")
        made = raster_figure(res, raster_panel, cfg)
        if made:
            sec.figure(made[0], made[1], "raster")
            summary["figures"].append("raster")
        else:
            sec.text("The run kept no spikes: run hfo-detect detect with --keep-spikes to see the "
                     "ADM events and hidden spikes behind an event here.", note=True)
        sections.append(sec)

    # ---- outcome
    if outcome is not None:
        path = Path(outcome)
        if not path.is_file():
            raise HFODetectError("outcome table not found", path)
        table = _read_table(path)
        sections.append(Section("outcome", "Outcome prediction").table(table))
        summary["outcome"] = table.to_dict("records")

    # ---- power
    sec = Section("power", "Estimated chip power")
    try:
        est = power_mod.estimate_recordings(
            [(r.stem, r.counts, r.duration_s) for r in results if r.counts is not None])
    except HFODetectError as err:
        sec.text(f"No power estimate: {err.problem}", note=True)
    else:
        sec.text("Event-count model of Sharifhazileh et al. 2021, power figures. Energies per event are recalled DYNAP-SE "
                 "figures (unverified); the static split is a calibration so that one 8-channel chip "
                 f"at the authors' reference activity draws ~{power_mod.PAPER_CHIP_TOTAL_UW} uW, the "
                 "paper's published total, not a measurement.")
        sec.figure(figures.power_bars(est.recordings, power_mod.PAPER_CHIP_TOTAL_UW, power_mod.PARTS),
                   "Static (grey) and dynamic (orange/red) parts of the estimated power per recording, "
                   "next to the paper's whole-chip 614.3 uW.", "power")
        cols = ["recording", "n_channels", "n_chips", "static_uw", "dynamic_uw", "total_uw",
                "chip_8ch_uw", "paper_chip_total_uw", "n_hfo", "energy_per_hfo_uj"]
        sec.table(est.recordings[cols])
        summary["power"] = est.to_dict()
        summary["figures"].append("power")
    sections.append(sec)

    # ---- parameters
    sec = Section("parameters", "Parameters and software")
    metas = {r.stem: r.meta for r in results if r.meta}
    if metas:
        first_stem, first = next(iter(metas.items()))
        same = all(m.get("parameters") == first.get("parameters") for m in metas.values())
        sec.text(f"Detector: {first.get('detector', '?')}; montage: {first.get('montage', '?')}; "
                 f"software of the run: {json.dumps(first.get('software', first.get('version')))}. "
                 + ("All recordings used the same parameters." if same else
                    f"Parameters differ between recordings; shown: {first_stem}."))
        sec.json({"parameters": first.get("parameters"), "config": first.get("config")})
        summary["parameters"] = {"detector": first.get("detector"), "montage": first.get("montage"),
                                 "parameters": first.get("parameters"), "config": first.get("config"),
                                 "identical_across_recordings": same}
    sec.text(f"Report made by hfo-detect {__version__}.")
    sections.append(sec)

    title = "HFO detection report"
    subtitle = (f"{len(results)} recording(s) from {det_dir}"
                + (f"; reference: {reference}" if reference else ""))
    doc = page(title, subtitle, sections, f"hfo-detect {__version__}, {summary['generated']}")
    summary_path = out_html.parent / "summary.json"
    summary.update(html=str(out_html), summary=str(summary_path), report_config=asdict(cfg))
    atomic_write_text(out_html, doc)
    atomic_write_text(summary_path, json.dumps(_clean(summary), indent=2, default=str) + "\n")
    return summary
