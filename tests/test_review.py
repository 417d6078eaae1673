"""``hfo-detect review``: the real server (started as a user starts it) driven by a real browser.

The detection folder comes from a real run (``detect_recording`` on a simulated EDF). The browser
test needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and skips,
saying so, where they are absent.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from hfo_detect.events import EventTable

URL_RE = re.compile(r"http://[^\s]+/\?token=[\w-]+")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A real detection folder: 20 s x 2 channels simulated, written as EDF, detected."""
    from hfo_detect.io import write_edf
    from hfo_detect.runner import detect_recording
    from hfo_detect.simulate import simulate_recording

    root = tmp_path_factory.mktemp("review")
    sim = simulate_recording(20.0, 2, seed=3)
    edf = write_edf(root / "rec_ieeg.edf", sim.data_uv, sim.sfreq, sim.ch_names)
    sim.events.to_bids_tsv(root / "truth_events.tsv")
    detect_recording(edf, root / "detections", detector="snn", montage="as-is",
                     params={"preset": "hfo256", "seed": 0})
    events = pd.read_csv(root / "detections" / "rec_events.tsv", sep="\t")
    assert len(events) >= 3, "the simulated recording should give a few detections"
    return root


@pytest.fixture()
def det_dir(run_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the detection folder per test (no review files yet)."""
    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    return out / "detections"


class Server:
    """``hfo-detect review`` as a subprocess; ``url`` is the address it printed."""

    def __init__(self, *args: str):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "hfo_detect", "review", *args, "--port", "0",
                                      "--reviewer", "tester"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.output = ""
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output += line
            m = URL_RE.search(line)
            if m:
                self.url = m.group(0)
                parts = urlsplit(self.url)
                self.base = f"{parts.scheme}://{parts.netloc}"
                self.host, self.port = parts.hostname, parts.port
                self.token = parts.query.split("=", 1)[1]
                return
        self.stop()
        raise AssertionError(f"server printed no URL:\n{self.output}")

    def request(self, method: str, path: str, body=None, token: bool = True):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Review-Token"] = self.token
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def json(self, path: str, body=None):
        status, data = self.request("GET" if body is None else "POST", path, body)
        assert status == 200, (path, status, data[:200])
        return json.loads(data)

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture()
def server_factory():
    started = []

    def start(*args):
        s = Server(*[str(a) for a in args])
        started.append(s)
        return s

    yield start
    for s in started:  # never leave a server behind, whatever the test did
        s.stop(signal.SIGKILL)


def _review_files(det_dir: Path):
    table = pd.read_csv(det_dir / "review" / "rec_review.tsv", sep="\t", dtype={"event_id": str})
    reviewed = EventTable.read(det_dir / "review" / "rec_desc-reviewed_events.tsv")
    return table, reviewed


# ---------------------------------------------------------------------------------- security
def test_requests_without_the_token_are_refused(det_dir, server_factory):
    srv = server_factory(det_dir)
    assert srv.host == "127.0.0.1"
    for path in ("/", "/api/recordings", "/api/events/rec", "/plotly.min.js", "/files/rec_events.tsv",
                 "/static/review.js"):
        assert srv.request("GET", path, token=False)[0] == 403, path
    status, _ = srv.request("POST", "/api/decide/rec", {"id": "e00000", "decision": "accept"}, token=False)
    assert status == 403
    assert not (det_dir / "review" / "rec_review.tsv").exists()
    status, _ = srv.request("GET", "/?token=wrong" + srv.token[5:], token=False)
    assert status == 403
    # with the token: the page, plotly.js from the plotly package (no CDN) and the run's files
    status, page = srv.request("GET", "/")
    assert status == 200 and b"review.js" in page and b"cdn" not in page.lower()
    status, js = srv.request("GET", "/plotly.min.js")
    assert status == 200 and len(js) > 1_000_000
    status, data = srv.request("GET", "/files/rec_events.tsv")
    assert status == 200 and data == (det_dir / "rec_events.tsv").read_bytes()
    # the page's address sets a cookie (per port) that then stands for the token, as in Jupyter
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    conn.request("GET", "/?token=" + srv.token)
    resp = conn.getresponse()
    resp.read()
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    assert str(srv.port) in cookie.split("=")[0] and "HttpOnly" in resp.getheader("Set-Cookie")
    conn.request("GET", "/api/recordings", headers={"Cookie": cookie})
    resp = conn.getresponse()
    assert resp.status == 200 and json.loads(resp.read())[0]["stem"] == "rec"
    conn.request("GET", "/api/recordings", headers={"Cookie": cookie.split("=")[0] + "=forged"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 403
    conn.close()


def test_no_path_traversal(det_dir, server_factory):
    srv = server_factory(det_dir)
    secret = det_dir.parent / "secret.txt"
    secret.write_text("not to be served")
    for path in ("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                 "/files/" + str(secret), "/files//etc/passwd", "/static/../server.py",
                 "/static/%2e%2e/server.py", "/api/events/..%2f..%2fsecret", "/recording/..%2fsecret.txt",
                 "/api/window/nope?channel=x&t0=0&t1=1"):
        status, data = srv.request("GET", path)
        assert status in (403, 404), (path, status)
        assert b"not to be served" not in data and b"root:" not in data


def test_bad_input_is_one_line(tmp_path, det_dir, server_factory):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "review", str(empty)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1 and str(empty) in res.stderr and "no detection outputs" in res.stderr
    # recording moved away: named, with the way out
    moved = tmp_path / "moved"
    shutil.copytree(det_dir, moved)
    meta = json.loads((moved / "rec_detect.json").read_text())
    meta["source"] = str(tmp_path / "gone" / "rec_ieeg.edf")
    (moved / "rec_detect.json").write_text(json.dumps(meta))
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "review", str(moved)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "gone/rec_ieeg.edf" in res.stderr and "--recording" in res.stderr
    # port in use
    srv = server_factory(det_dir)
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "review", str(det_dir), "--port", str(srv.port)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    assert str(srv.port) in res.stderr


def test_recording_override_and_host_warning(tmp_path, det_dir, server_factory):
    # the recording moved: --recording points at it
    moved = tmp_path / "moved"
    shutil.copytree(det_dir, moved)
    meta = json.loads((moved / "rec_detect.json").read_text())
    edf = Path(meta["source"])
    meta["source"] = str(tmp_path / "gone" / edf.name)
    (moved / "rec_detect.json").write_text(json.dumps(meta))
    srv = server_factory(moved, "--recording", edf, "--host", "0.0.0.0")
    assert "warning" in srv.output and "0.0.0.0" in srv.output  # not loopback: said so
    win = srv.json("/api/window/rec?channel=" + meta["channels"][0] + "&t0=1&t1=2")
    assert len(win["channels"][0]["raw"]) == pytest.approx(meta["sfreq"], abs=2)
    assert set(win["bands"]) == {"ripple", "fast_ripple"}


# ---------------------------------------------------------------------------------- saving
def test_decisions_saved_atomically_and_resumed_after_a_kill(det_dir, run_dir, server_factory):
    before = (det_dir / "rec_events.tsv").read_bytes()
    srv = server_factory(det_dir, "--reference", det_dir.parent / "truth_events.tsv")
    data = srv.json("/api/events/rec")
    evs = data["events"]
    assert data["resume"] == evs[0]["id"]
    assert {e["matched"] for e in evs} <= {True, False} and data["reference"]
    first, second, third = evs[0], evs[1], evs[2]
    srv.json("/api/decide/rec", {"id": first["id"], "decision": "accept"})
    srv.json("/api/decide/rec", {"id": second["id"], "decision": "reject"})
    srv.json("/api/decide/rec", {"id": third["id"], "decision": "accept", "onset": third["onset"] - 0.01,
                                 "duration": third["duration"] + 0.02})
    added = srv.json("/api/add/rec", {"channel": first["channel"], "onset": 15.0, "duration": 0.04,
                                      "kind": "fast_ripple"})["row"]
    srv.stop(signal.SIGKILL)  # killed, no chance to flush anything

    table, reviewed = _review_files(det_dir)
    assert dict(zip(table["event_id"], table["decision"])) == {
        first["id"]: "accept", second["id"]: "reject", third["id"]: "accept", added["event_id"]: "accept"}
    assert set(table.columns) >= {"event_id", "decision", "kind", "onset", "duration", "channel", "reviewer", "time"}
    assert (table["reviewer"] == "tester").all()
    review = dict(zip(reviewed.df["event_id"], reviewed.df["review"]))
    assert review == {first["id"]: "accepted", third["id"]: "adjusted", added["event_id"]: "added"}
    adj = reviewed.df.set_index("event_id").loc[third["id"]]
    assert adj["onset"] == pytest.approx(third["onset"] - 0.01) and adj["duration"] == pytest.approx(
        third["duration"] + 0.02)
    sidecar = json.loads((det_dir / "review" / "rec_desc-reviewed_events.json").read_text())
    assert set(sidecar["review"]["Levels"]) == {"accepted", "adjusted", "added"}
    assert (det_dir / "rec_events.tsv").read_bytes() == before  # the detector's output is untouched
    old = os.umask(0o022)
    os.umask(old)
    for f in (det_dir / "review").iterdir():
        assert f.stat().st_mode & 0o777 == 0o666 & ~old, f
    assert not [f for f in (det_dir / "review").iterdir() if f.name.startswith(".")]

    # reopened: the decisions are back and it resumes after the last one
    srv2 = server_factory(det_dir)
    data = srv2.json("/api/events/rec")
    by_id = {e["id"]: e for e in data["events"]}
    assert by_id[first["id"]]["decision"] == "accept" and by_id[second["id"]]["decision"] == "reject"
    assert by_id[added["event_id"]]["origin"] == "reviewer"
    pending = [e["id"] for e in data["events"] if e["decision"] == "pending"]
    assert data["resume"] in pending
    order = [e["id"] for e in data["events"]]
    assert order.index(data["resume"]) > order.index(third["id"]) or data["resume"] == pending[0]
    # undoing the last decisions through the API empties the table again
    srv2.json("/api/delete/rec", {"id": added["event_id"]})
    for e in (first, second, third):
        srv2.json("/api/decide/rec", {"id": e["id"], "decision": None})
    table, reviewed = _review_files(det_dir)
    assert len(table) == 0 and len(reviewed) == 0


def test_reviewed_events_are_reference_marks_for_score(det_dir, server_factory):
    srv = server_factory(det_dir)
    evs = srv.json("/api/events/rec")["events"]
    for e in evs[:3]:
        srv.json("/api/decide/rec", {"id": e["id"], "decision": "accept"})
    srv.json("/api/decide/rec", {"id": evs[3]["id"] if len(evs) > 3 else evs[0]["id"], "decision": "reject"})
    srv.stop()
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "score", str(det_dir / "rec_events.tsv"),
                          str(det_dir / "review" / "rec_desc-reviewed_events.tsv"), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    accepted = {(e["channel"], e["kind"]) for e in evs[:3]}
    # every accepted detection is matched by its own mark: 3 true positives over the kinds
    tp = sum(doc["kinds"][k]["tp"] for k in ("ripple", "fast_ripple") if k in doc["kinds"])
    assert tp == 3, (doc, accepted)
    assert doc["kinds"]["pooled"]["fn"] == 0


# ---------------------------------------------------------------------------------- browser
def _browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
                    ".ci/run installs them)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("needs selenium (pip install .[test])")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=opts)


def test_browser_accept_reject_add_reload(det_dir, server_factory):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    srv = server_factory(det_dir, "--reference", det_dir.parent / "truth_events.tsv")
    driver = _browser()
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(srv.url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        body = driver.find_element(By.TAG_NAME, "body")
        first = body.get_attribute("data-selected")
        assert driver.find_elements(By.CSS_SELECTOR, "#plot .main-svg"), "no plot drawn"

        def decision_of(eid):  # read in one script: the list is re-rendered under the test's feet
            return driver.execute_script(
                "const tr = document.querySelector(`#events tr[data-id='${arguments[0]}']`);"
                "return tr ? tr.dataset.decision : null;", eid)

        def n_rows(css="#events tbody tr"):
            return driver.execute_script("return document.querySelectorAll(arguments[0]).length;", css)

        ActionChains(driver).send_keys("a").perform()  # accept, moves on to the next event
        wait.until(lambda d: decision_of(first) == "accept" and body.get_attribute("data-selected") != first)
        second = body.get_attribute("data-selected")
        ActionChains(driver).send_keys("r").perform()  # reject
        wait.until(lambda d: decision_of(second) == "reject")
        third = body.get_attribute("data-selected")
        ActionChains(driver).send_keys("a").perform()
        wait.until(lambda d: decision_of(third) == "accept")
        ActionChains(driver).send_keys("u").perform()  # undo the last acceptance
        wait.until(lambda d: decision_of(third) == "pending" and body.get_attribute("data-selected") == third)
        ActionChains(driver).send_keys("j").perform()  # next, previous
        wait.until(lambda d: body.get_attribute("data-selected") != third)
        ActionChains(driver).send_keys("k").perform()
        wait.until(lambda d: body.get_attribute("data-selected") == third and body.get_attribute("data-ready") == "1")

        # adjust the selected event's end: drag the right handle of its rectangle
        onset3, duration3 = driver.execute_script("return [S.sel.onset, S.sel.duration];")
        handles = driver.find_elements(By.CSS_SELECTOR, "#plot .outline-controllers circle")
        assert len(handles) == 4, "the selected event's edges should be draggable"
        right = max(handles, key=lambda h: h.rect["x"])
        ActionChains(driver).move_to_element(right).click_and_hold().move_by_offset(10, 0).move_by_offset(20, 0) \
            .release().perform()
        wait.until(lambda d: decision_of(third) == "accept")

        # a missed HFO: drag across the raw trace of the selected channel
        wait.until(lambda d: body.get_attribute("data-ready") == "1")
        before = n_rows()
        assert before >= 3
        drag = driver.find_element(By.CSS_SELECTOR, "#plot .nsewdrag")
        w = drag.size["width"]
        ActionChains(driver).move_to_element_with_offset(drag, int(w * 0.05) - w // 2, -drag.size["height"] // 2 + 20) \
            .click_and_hold().move_by_offset(int(w * 0.08), 0).move_by_offset(int(w * 0.02), 0).release().perform()
        wait.until(lambda d: n_rows() == before + 1)
        assert n_rows('#events tr[data-origin="reviewer"]') == 1
        # and one through the add form
        form_onset = driver.find_element(By.ID, "add-onset")
        form_onset.clear()
        form_onset.send_keys("12.5")
        driver.find_element(By.ID, "b-add").click()
        wait.until(lambda d: n_rows('#events tr[data-origin="reviewer"]') == 2)

        # a reference mark the detector missed: listed under its filter, "a" adds it as an HFO
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(By.ID, "f-matched")).select_by_value("missed")
        wait.until(lambda d: n_rows('#events tr[data-origin="reference"]') > 0)
        assert n_rows("#events tbody tr") == n_rows('#events tr[data-origin="reference"]')
        missed = driver.find_element(By.CSS_SELECTOR, '#events tr[data-origin="reference"]')
        missed_id = missed.get_attribute("data-id")
        missed.click()
        wait.until(lambda d: body.get_attribute("data-selected") == missed_id and body.get_attribute("data-ready") == "1")
        mark = driver.execute_script("return [S.sel.channel, S.sel.onset, S.sel.duration];")
        ActionChains(driver).send_keys("a").perform()
        wait.until(lambda d: decision_of(missed_id) == "added")
        Select(driver.find_element(By.ID, "f-matched")).select_by_value("")

        driver.refresh()  # the page comes back from the server's files
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        assert decision_of(first) == "accept" and decision_of(second) == "reject" and decision_of(third) == "accept"
        assert n_rows('#events tr[data-origin="reviewer"]') == 3
        resumed = driver.find_element(By.TAG_NAME, "body").get_attribute("data-selected")
        assert decision_of(resumed) == "pending"  # resumes on an undecided event
    finally:
        driver.quit()

    table, reviewed = _review_files(det_dir)
    decisions = dict(zip(table["event_id"], table["decision"]))
    assert decisions[first] == "accept" and decisions[second] == "reject" and decisions[third] == "accept"
    row3 = table.set_index("event_id").loc[third]
    assert row3["onset"] == pytest.approx(onset3)  # only the end moved
    assert row3["duration"] > duration3 + 0.005
    adds = table[table["event_id"].str.startswith("a")]
    assert len(adds) == 3 and (adds["decision"] == "accept").all()
    last = adds.iloc[-1]
    assert (last["channel"], last["onset"], last["duration"]) == (mark[0], pytest.approx(mark[1]),
                                                                 pytest.approx(mark[2]))
    assert adds["duration"].gt(0.005).all()
    assert adds["onset"].round(3).eq(12.5).sum() == 1
    assert sorted(reviewed.df["review"]) == ["accepted", "added", "added", "added", "adjusted"]


@pytest.fixture(scope="module")
def kept_dir(run_dir, tmp_path_factory) -> Path:
    """The same recording detected by the CLI with ``--keep-spikes``."""
    out = tmp_path_factory.mktemp("kept") / "kept"
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "detect", str(run_dir / "rec_ieeg.edf"), "--out",
                          str(out), "--montage", "as-is", "--seed", "0", "--keep-spikes"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return out


def _window_of(srv, ev):
    """The window the page requests for event ``ev`` (review.js ``draw``: +-max(0.5 s, 0.75 x duration))."""
    mid, half = ev["onset"] + ev["duration"] / 2, max(0.5, ev["duration"] * 0.75)
    return mid - half, mid + half


def test_kept_spikes_are_served_with_the_window(kept_dir, server_factory):
    srv = server_factory(kept_dir)
    assert srv.json("/api/recordings")[0]["spikes"] is True
    ev = srv.json("/api/events/rec")["events"][0]
    t0, t1 = ev["onset"] - 0.5, ev["onset"] + 0.5
    win = srv.json(f"/api/window/rec?channel={ev['channel']}&t0={t0}&t1={t1}")
    spikes = win["spikes"]
    # the detection was made by spikes: ADM events of its bands and hidden-layer spikes in the window
    adm = spikes["adm"]
    assert set(adm) <= {f"{b}_{d}" for b in ("ripple_lo", "ripple_hi", "fast_ripple_lo",
                                             "fast_ripple_hi") for d in ("up", "dn")} and adm
    times = [t for ts in adm.values() for t in ts] + spikes["hidden"]["t"]
    assert times and min(times) >= t0 - 1e-6 and max(times) < t1
    assert any(ev["onset"] - 0.05 <= t <= ev["onset"] + ev["duration"] + 0.05 for t in spikes["hidden"]["t"])


def test_browser_draws_each_kinds_sub_band_events_on_its_trace(kept_dir, server_factory):
    """The ADM ticks on the ripple (fast-ripple) trace are the UP/DOWN events of both of its
    sub-bands in the window, and no other band's."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    srv = server_factory(kept_dir)
    driver = _browser()
    try:
        driver.get(srv.url)
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        eid = driver.find_element(By.TAG_NAME, "body").get_attribute("data-selected")
        ticks = driver.execute_script(
            "const out = {};"
            "for (const t of document.getElementById('plot').data) {"
            "  const row = S.axes[t.yaxis];"
            "  if (!row || row.raster || t.mode !== 'markers') continue;"
            "  out[row.trace + '|' + t.marker.color] = t.x; }"
            "return out;")
    finally:
        driver.quit()
    ev = next(e for e in srv.json("/api/events/rec")["events"] if str(e["id"]) == eid)
    t0, t1 = _window_of(srv, ev)
    adm = srv.json(f"/api/window/rec?channel={ev['channel']}&t0={t0}&t1={t1}")["spikes"]["adm"]
    colour = {"up": "#c0392b", "dn": "#16a085"}
    n_drawn = 0
    for kind in ("ripple", "fast_ripple"):
        for d, c in colour.items():
            want = sorted(adm.get(f"{kind}_lo_{d}", []) + adm.get(f"{kind}_hi_{d}", []))
            got = sorted(ticks.get(f"{kind}|{c}", []))
            assert got == pytest.approx(want), (kind, d)
            n_drawn += len(got)
    assert n_drawn > 0, "the window of a detection should hold ADM events"
    assert not any(k.startswith("raw|") for k in ticks), "no ticks on the raw trace"


def test_review_of_other_detections_is_refused(det_dir, server_factory):
    srv = server_factory(det_dir)
    evs = srv.json("/api/events/rec")["events"]
    srv.json("/api/decide/rec", {"id": evs[0]["id"], "decision": "accept"})
    srv.stop()
    table = det_dir / "review" / "rec_review.tsv"
    df = pd.read_csv(table, sep="\t", dtype=str)
    df.loc[0, "channel"] = "X1-X2"  # as if detect had been rerun and the ids now named other events
    df.to_csv(table, sep="\t", index=False)
    res = subprocess.run([sys.executable, "-m", "hfo_detect", "review", str(det_dir), "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    assert "rec_review.tsv" in res.stderr and "other detections" in res.stderr


def test_only_the_shown_window_is_read(det_dir):
    """The recording stays on disk (preload=False); a window request reads its span and a margin."""
    from hfo_detect.review.run import read_run
    from hfo_detect.review.server import create_app
    from hfo_detect.review.windows import MARGIN_S

    app = create_app(read_run(det_dir))
    rev_windows = app.extensions["hfo_review"]["rec"].windows
    raw = rev_windows.recording._raw
    assert not raw.preload
    spans = []
    original = raw.get_data

    def spy(*args, **kwargs):
        spans.append((kwargs.get("start"), kwargs.get("stop")))
        return original(*args, **kwargs)

    raw.get_data = spy
    client = app.test_client()
    ch = rev_windows.channels[0]
    resp = client.get(f"/api/window/rec?channel={ch}&t0=5&t1=6&neighbours=1",
                      headers={"X-Review-Token": app.config["TOKEN"]})
    assert resp.status_code == 200
    sf = rev_windows.sfreq
    assert spans and all(stop - start <= (1 + 2 * MARGIN_S) * sf + 2 for start, stop in spans)
    assert all(start >= (5 - MARGIN_S) * sf - 1 for start, _ in spans)
