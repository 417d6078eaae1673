// hfo-detect review page: event list, traces (plotly.js from the plotly package), decisions.
"use strict";
const TOKEN = new URLSearchParams(location.search).get("token") || "";
const COLORS = { pending: "#e67e22", accept: "#27ae60", reject: "#c0392b" };
const S = { rec: null, events: [], ref: [], missed: [], shown: [], rows: {}, sel: null, half: 0.5, neighbours: false,
            undo: [], sortKey: "onset", sortDesc: false, shapes: [], axes: {} };
const $ = (id) => document.getElementById(id);
const PLOTLY = new Promise((resolve, reject) => {  // plotly.js loads async, beside the first requests
  if (window.Plotly) { resolve(); return; }
  $("plotly-js").addEventListener("load", resolve);
  $("plotly-js").addEventListener("error", () => { status("error: plotly.js did not load", true); reject(); });
});

async function api(path, body) {
  const opts = { headers: { "X-Review-Token": TOKEN }, credentials: "same-origin" };
  if (body !== undefined) {
    opts.method = "POST"; opts.body = JSON.stringify(body);
    opts.headers["Content-Type"] = "application/json";
  }
  const resp = await fetch(path, opts);
  if (!resp.ok) {
    let msg = resp.status + " " + resp.statusText;
    try { msg = (await resp.json()).error || msg; } catch (e) { /* not JSON */ }
    status("error: " + msg, true);
    throw new Error(msg);
  }
  return resp.json();
}

function status(text, error) {
  const el = $("status"); el.textContent = text; el.className = error ? "error" : "";
}

function progress() {
  const done = S.events.filter((e) => e.decision !== "pending").length;
  $("progress").textContent = `${done} / ${S.events.length} decided`;
}

// ------------------------------------------------------------------ list
function passes(e) {
  const v = (id) => $(id).value;
  if (v("f-channel") && e.channel !== v("f-channel")) return false;
  if (v("f-kind") && e.kind !== v("f-kind")) return false;
  if (v("f-decision") && e.decision !== v("f-decision")) return false;
  if (v("f-matched") === "yes" && e.matched !== true) return false;
  if (v("f-matched") === "no" && e.matched !== false) return false;
  if ((v("f-matched") === "missed") !== (e.origin === "reference")) return false;
  if (v("f-from") !== "" && e.onset + e.duration < +v("f-from")) return false;
  if (v("f-to") !== "" && e.onset > +v("f-to")) return false;
  return true;
}

function renderList() {
  const key = S.sortKey, dir = S.sortDesc ? -1 : 1;
  S.shown = S.events.concat(S.missed).filter(passes).sort((a, b) => {
    const x = a[key] === null ? "" : a[key], y = b[key] === null ? "" : b[key];
    return (x < y ? -1 : x > y ? 1 : a.onset - b.onset) * dir;
  });
  const body = document.querySelector("#events tbody");
  const rows = document.createDocumentFragment();
  S.rows = {};
  for (const e of S.shown) {
    const tr = document.createElement("tr");
    for (let k = 0; k < 6; k++) tr.appendChild(document.createElement("td"));
    tr.addEventListener("click", () => select(e.id));
    S.rows[e.id] = tr;
    fillRow(e);
    rows.appendChild(tr);
  }
  body.replaceChildren(rows);
  document.querySelectorAll("#events th").forEach((th) => {
    th.className = th.dataset.key === key ? "sorted" + (S.sortDesc ? " desc" : "") : "";
  });
  progress();
}

function fillRow(e) {
  // one row of the list, updated in place after a decision (long lists are not rebuilt per key)
  const tr = S.rows[e.id];
  if (!tr) return;
  tr.dataset.id = e.id; tr.dataset.decision = e.decision; tr.dataset.origin = e.origin;
  tr.className = S.sel && e.id === S.sel.id ? "selected" : "";
  const ref = e.matched === null ? "" : (e.matched ? "matched" : "unmatched");
  [e.onset.toFixed(3), e.channel, e.kind, (1000 * e.duration).toFixed(0), e.decision, ref]
    .forEach((text, k) => { tr.cells[k].textContent = text; });
}

function markSelected(prev) {
  if (prev && S.rows[prev.id]) S.rows[prev.id].className = "";
  if (S.sel && S.rows[S.sel.id]) S.rows[S.sel.id].className = "selected";
}

function scrollToSelected() {
  const tr = document.querySelector("#events tr.selected");
  if (tr) tr.scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------ plot
const find = (id) => S.events.find((x) => x.id === id) || S.missed.find((x) => x.id === id);

async function select(id, keepZoom) {
  const e = find(id);
  if (!e) return;
  const prev = S.sel;
  S.sel = e;
  document.body.dataset.selected = e.id;
  $("add-channel").textContent = e.channel;
  if ($("add-onset").value === "" || !keepZoom) $("add-onset").value = (e.onset + e.duration + 0.1).toFixed(3);
  markSelected(prev); scrollToSelected();
  await draw();
}

function rowsFor(win) {
  // one block per channel: the focus channel gets raw + each band, a neighbour its raw trace only
  const rows = [];
  for (const ch of win.channels) {
    const names = ch.name === win.focus ? ["raw"].concat(win.bands) : ["raw"];
    for (const n of names) rows.push({ ch: ch.name, trace: n, y: ch[n] });
    if (ch.name === win.focus && win.spikes) {  // the run kept its spikes: a raster under the bands
      for (const pop of Object.keys(win.spikes).filter((p) => p !== "adm")) {
        rows.push({ ch: ch.name, trace: pop + " spikes", raster: win.spikes[pop] });
      }
    }
  }
  return rows;
}

async function draw() {
  const e = S.sel; if (!e) return;
  document.body.dataset.ready = "0";  // tests and the screenshot wait for "1": this window drawn
  const mid = e.onset + e.duration / 2, half = Math.max(S.half, e.duration * 0.75);
  const win = await api(`/api/window/${encodeURIComponent(S.rec)}?` + new URLSearchParams({
    channel: e.channel, t0: mid - half, t1: mid + half, neighbours: S.neighbours ? 2 : 0 }));
  if (S.sel !== e) return;  // the reviewer moved on while this window was read
  const rows = rowsFor(win), n = rows.length, gap = 0.02, h = (1 - gap * (n - 1)) / n;
  const layout = { margin: { l: 120, r: 10, t: 10, b: 35 }, showlegend: false, dragmode: "drawrect",
                   newshape: { line: { color: "#8e44ad", width: 1 }, fillcolor: "#8e44ad", opacity: 0.25 },
                   activeshape: { fillcolor: COLORS[e.decision], opacity: 0.3 },
                   xaxis: { title: { text: "time (s)" }, anchor: "y" + (n > 1 ? n : "") },
                   shapes: [], uirevision: e.id + S.half + S.neighbours };
  const traces = [];
  const block = {};  // channel -> [bottom, top] in paper coordinates
  S.axes = {};
  rows.forEach((r, i) => {
    const ax = i === 0 ? "y" : "y" + (i + 1), top = 1 - i * (h + gap), bottom = top - h;
    layout[i === 0 ? "yaxis" : "yaxis" + (i + 1)] = {
      domain: [bottom, top], title: { text: `${r.ch}<br>${r.trace}`, font: { size: 10 } },
      zeroline: false, fixedrange: true };
    S.axes[ax] = r;
    if (r.raster) {
      traces.push({ x: r.raster.t, y: r.raster.i, yaxis: ax, type: "scatter", mode: "markers", hoverinfo: "skip",
                    marker: { symbol: "line-ns-open", size: 5, color: "#555" } });
    } else {
      const x = r.y.map((_, k) => win.t0 + k * win.dt);
      traces.push({ x, y: r.y, yaxis: ax, type: "scatter", mode: "lines", hoverinfo: "skip",
                    line: { width: 1, color: r.trace === "raw" ? "#222" : "#2c6fbb" } });
      const adm = win.spikes && r.ch === win.focus && win.spikes.adm;
      if (adm && r.trace !== "raw") {  // ADM UP/DOWN events of this band, as ticks at its edges
        const top = Math.max(...r.y.map(Math.abs)) || 1;
        for (const [dir, y, color] of [["up", top, "#c0392b"], ["dn", -top, "#16a085"]]) {
          // the band's own streams, or those of its sub-bands (ripple_lo_up, ripple_hi_up, ...)
          const t = Object.keys(adm).filter((k) => k === `${r.trace}_${dir}`
            || (k.startsWith(`${r.trace}_`) && k.endsWith(`_${dir}`))).flatMap((k) => adm[k]);
          traces.push({ x: t, y: t.map(() => y), yaxis: ax, type: "scatter", mode: "markers", hoverinfo: "skip",
                        marker: { symbol: "line-ns-open", size: 6, color } });
        }
      }
    }
    block[r.ch] = block[r.ch] ? [bottom, block[r.ch][1]] : [bottom, top];
  });
  S.shapes = [];
  if (e.origin === "reference") {  // a missed reference mark: outlined, not editable
    const [b, t] = block[e.channel];
    layout.shapes.push({ type: "rect", xref: "x", yref: "paper", x0: e.onset, x1: e.onset + e.duration, y0: b,
                         y1: t, fillcolor: "#2980b9", opacity: 0.15, editable: false,
                         line: { width: 2, dash: "dot", color: "#2980b9" } });
    S.shapes.push(null);
  }
  const t0 = win.t0, t1 = win.t0 + win.channels[0].raw.length * win.dt;
  for (const m of S.ref) {  // reference marks: a band at the top of their channel's block
    if (!block[m.channel] || m.onset + m.duration < t0 || m.onset > t1) continue;
    const [b, t] = block[m.channel];
    layout.shapes.push({ type: "rect", xref: "x", yref: "paper", x0: m.onset, x1: m.onset + m.duration,
                         y0: t - 0.04 * (t - b), y1: t, fillcolor: "#2980b9", opacity: 0.6, editable: false,
                         line: { width: 0 }, name: "reference " + m.kind });
    S.shapes.push(null);
  }
  for (const x of S.events) {
    if (!block[x.channel] || x.onset + x.duration < t0 || x.onset > t1) continue;
    const [b, t] = block[x.channel], own = x.id === e.id;
    layout.shapes.push({ type: "rect", xref: "x", yref: "paper", x0: x.onset, x1: x.onset + x.duration,
                         y0: b, y1: t - 0.05 * (t - b), fillcolor: COLORS[x.decision], opacity: own ? 0.3 : 0.12,
                         line: { width: own ? 2 : 0, color: COLORS[x.decision] }, editable: own });
    S.shapes.push(x.id);
  }
  const plot = $("plot");
  await PLOTLY;
  if (S.sel !== e) return;
  await Plotly.react(plot, traces, layout, { displaylogo: false, scrollZoom: false, responsive: true,
                                             modeBarButtonsToRemove: ["lasso2d", "select2d"] });
  activateSelected();
  if (!plot.dataset.hooked) {
    plot.on("plotly_relayout", onRelayout);
    plot.dataset.hooked = "1";
  }
  $("current").textContent = `${e.id} · ${e.channel} · ${e.kind} · ${e.onset.toFixed(3)} s · ${e.decision}`;
  if (!document.body.dataset.firstMs) document.body.dataset.firstMs = Math.round(performance.now());
  document.body.dataset.ready = "1";
}

function activateSelected() {
  // plotly shows edge handles on an "active" editable shape (a click on its outline activates it):
  // activate the selected event's rectangle so that its edges can be dragged at once
  const i = S.shapes.indexOf(S.sel ? S.sel.id : undefined);
  const path = document.querySelector(`#plot .shapelayer path[data-index="${i}"]`);
  // a click on the active shape deactivates it: plotly keeps the active index across redraws
  const active = document.querySelector("#plot .outline-controllers circle");
  if (i >= 0 && path && !active) path.dispatchEvent(new MouseEvent("click", { bubbles: true }));
}

function onRelayout(ev) {
  if (ev.shapes) {  // a rectangle was drawn: a missed HFO on the channel under it
    const drawn = ev.shapes[ev.shapes.length - 1];
    if (ev.shapes.length > S.shapes.length && drawn) {
      const row = S.axes[(drawn.yref || "y").replace("paper", "y")];
      const x0 = Math.min(drawn.x0, drawn.x1), x1 = Math.max(drawn.x0, drawn.x1);
      const kind = row && row.trace !== "raw" ? row.trace : $("add-kind").value;
      if (row && x1 - x0 > 0.002) addEvent(row.ch, x0, x1 - x0, kind);
      else draw();
    }
    return;
  }
  for (const key of Object.keys(ev)) {  // "shapes[3].x0": the selected event's edge was dragged
    const m = key.match(/^shapes\[(\d+)\]\.x[01]$/);
    if (!m) continue;
    const i = +m[1], id = S.shapes[i];
    if (!S.sel || id !== S.sel.id) { draw(); return; }
    const e = S.sel, near = (x, y) => (Math.abs(x - y) < 0.001 ? y : x);  // an edge not moved stays exact
    const edge = (k, old) => (`shapes[${i}].${k}` in ev ? ev[`shapes[${i}].${k}`] : old);
    const x0 = edge("x0", e.onset), x1 = edge("x1", e.onset + e.duration);
    const a = near(Math.min(x0, x1), e.onset), b = near(Math.max(x0, x1), e.onset + e.duration);
    decide(S.sel.decision === "pending" ? "accept" : S.sel.decision, { onset: a, duration: b - a }, false);
    return;
  }
}

// ------------------------------------------------------------------ actions
function apply(row, e) {
  if (!row) { e.decision = "pending"; return; }
  Object.assign(e, { decision: row.decision, onset: row.onset, duration: row.duration, kind: row.kind });
}

function saved() {
  status("saved " + new Date().toLocaleTimeString());
  progress();
}

async function decide(decision, edges, advance) {
  const e = S.sel; if (!e) return;
  if (e.origin === "reference") {  // a mark the detector missed: accept adds it as an HFO, reject skips it
    if (decision === "accept" && e.decision !== "added") {
      const res = await api(`/api/add/${encodeURIComponent(S.rec)}`,
                            { channel: e.channel, onset: e.onset, duration: e.duration, kind: e.kind });
      const r = res.row;
      S.events.push({ id: r.event_id, onset: r.onset, duration: r.duration, channel: r.channel, kind: r.kind,
                      decision: r.decision, matched: null, origin: "reviewer" });
      S.undo.push({ type: "add", id: r.event_id, mark: e.id });
      e.decision = "added"; fillRow(e); saved();
    }
    move(1);
    return;
  }
  S.undo.push({ type: "decide", id: e.id, prev: { decision: e.decision, onset: e.onset, duration: e.duration,
                                                  kind: e.kind } });
  const res = await api(`/api/decide/${encodeURIComponent(S.rec)}`, Object.assign({ id: e.id, decision }, edges || {}));
  apply(res.row, e); fillRow(e); saved();
  if (advance !== false) move(1); else draw();
}

async function addEvent(channel, onset, duration, kind) {
  const res = await api(`/api/add/${encodeURIComponent(S.rec)}`, { channel, onset, duration, kind });
  const r = res.row;
  S.events.push({ id: r.event_id, onset: r.onset, duration: r.duration, channel: r.channel, kind: r.kind,
                  decision: r.decision, matched: null, origin: "reviewer" });
  S.undo.push({ type: "add", id: r.event_id });
  saved();
  renderList();
  await select(r.event_id, true);
}

async function undo() {
  const u = S.undo.pop();
  if (!u) { status("nothing to undo"); return; }
  const e = S.events.find((x) => x.id === u.id);
  if (u.type === "add") {
    await api(`/api/delete/${encodeURIComponent(S.rec)}`, { id: u.id });
    S.events = S.events.filter((x) => x.id !== u.id);
    const mark = u.mark && find(u.mark);
    if (mark) mark.decision = "missed";
    saved();
    renderList();
    if (mark) select(mark.id);
    else if (S.sel && S.sel.id === u.id) { S.sel = null; move(0); }
    return;
  }
  const p = u.prev, body = { id: u.id, decision: p.decision === "pending" ? null : p.decision };
  if (p.decision !== "pending") Object.assign(body, { onset: p.onset, duration: p.duration, kind: p.kind });
  const res = await api(`/api/decide/${encodeURIComponent(S.rec)}`, body);
  apply(res.row, e);
  if (!res.row) Object.assign(e, { onset: p.onset, duration: p.duration, kind: p.kind });
  fillRow(e); saved();
  await select(u.id);
}

function move(step) {
  if (!S.shown.length) { renderList(); return; }
  let i = S.sel ? S.shown.findIndex((x) => x.id === S.sel.id) : -1;
  i = i < 0 ? 0 : Math.min(S.shown.length - 1, Math.max(0, i + step));
  select(S.shown[i].id);
}

function zoom(f) { S.half = Math.min(15, Math.max(0.05, S.half * f)); draw(); }

async function loadRecording(stem) {
  S.rec = stem; S.undo = []; S.sel = null;
  const [recs, data] = await Promise.all([api("/api/recordings"), api(`/api/events/${encodeURIComponent(stem)}`)]);
  const info = recs.find((r) => r.stem === stem);
  S.events = data.events; S.ref = data.reference;
  // reference marks no detection matched: listed under the "missed" filter, "a" adds one as an HFO
  const added = new Set(S.events.filter((x) => x.origin === "reviewer")
    .map((x) => `${x.channel}|${x.onset.toFixed(4)}|${x.duration.toFixed(4)}`));
  S.missed = S.ref.map((m, i) => Object.assign({}, m, { id: `r${String(i).padStart(5, "0")}`, origin: "reference",
    decision: added.has(`${m.channel}|${m.onset.toFixed(4)}|${m.duration.toFixed(4)}`) ? "added" : "missed" }))
    .filter((m) => m.matched === false);
  $("table-link").href = "/files/" + info.review_table;
  $("events-link").href = "/files/" + info.reviewed_events;
  $("spikes-note").textContent = info.spikes ? "" : "ADM events and output spikes: not kept by this run.";
  const chSel = $("f-channel");
  chSel.length = 1;
  for (const c of info.channels) chSel.add(new Option(c, c));
  $("f-matched").disabled = !info.reference;
  if (!S.events.length) { renderList(); status("no detections: drag on a trace to add HFOs"); return; }
  renderList();
  await select(data.resume || S.events[0].id);
}

// ------------------------------------------------------------------ wiring
document.addEventListener("keydown", (ev) => {
  if (ev.target.matches("input, select, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const actions = {
    a: () => decide("accept"), r: () => decide("reject"), u: undo, n: () => $("neighbours").click(),
    j: () => move(1), ArrowDown: () => move(1), ArrowRight: () => move(1),
    k: () => move(-1), ArrowUp: () => move(-1), ArrowLeft: () => move(-1),
    "+": () => zoom(1 / 1.5), "=": () => zoom(1 / 1.5), "-": () => zoom(1.5), _: () => zoom(1.5),
  };
  const f = actions[ev.key];
  if (f) { ev.preventDefault(); f(); }
});
$("b-accept").onclick = () => decide("accept");
$("b-reject").onclick = () => decide("reject");
$("b-next").onclick = () => move(1);
$("b-prev").onclick = () => move(-1);
$("b-undo").onclick = undo;
$("b-zoomin").onclick = () => zoom(1 / 1.5);
$("b-zoomout").onclick = () => zoom(1.5);
$("neighbours").onchange = (ev) => { S.neighbours = ev.target.checked; ev.target.blur(); draw(); };
$("add-form").onsubmit = (ev) => {
  ev.preventDefault();
  const ch = S.sel ? S.sel.channel : ($("f-channel").value || null);
  if (!ch) { status("select an event or a channel first", true); return; }
  addEvent(ch, +$("add-onset").value, +$("add-duration").value, $("add-kind").value);
};
for (const id of ["f-channel", "f-kind", "f-decision", "f-matched", "f-from", "f-to"]) {
  $(id).addEventListener("input", renderList);
  $(id).addEventListener("change", renderList);
}
document.querySelectorAll("#events th").forEach((th) => th.addEventListener("click", () => {
  if (S.sortKey === th.dataset.key) S.sortDesc = !S.sortDesc; else { S.sortKey = th.dataset.key; S.sortDesc = false; }
  renderList();
}));
$("rec").onchange = (ev) => loadRecording(ev.target.value);
loadRecording($("rec").value);
