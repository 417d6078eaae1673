"""Make the README screenshot of the review page: ``hfo-detect review`` on the demo's output.

Runs ``hfo-detect demo`` into a temporary folder (or uses ``--demo DIR``, an existing demo output),
starts ``hfo-detect review DIR/detections --reference DIR/demo_truth_events.tsv`` as a user would,
opens the printed address in headless Chromium (Debian's ``chromium`` + ``chromium-driver``,
through Selenium), accepts one event and rejects one with the keys, shows the neighbouring
channels and saves a screenshot.

Also writes how long the page took to show the first event (``reports/review_open_time.md``).

Usage: ``python data_scripts/make_review_screenshot.py [--out reports/figures/review.png] [--demo DIR]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def _ready(driver) -> bool:
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"


def _report(path: Path, first_ms: int, again_ms: int) -> None:
    """Write the measured opening times, with the machine's load (they depend on it)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Review page: time to the first event on screen\n\n"
        "Measured by `python data_scripts/make_review_screenshot.py` on the demo output (4 channels x 120 s):\n"
        "headless Chromium requests the page; the time is `performance.now()` when the first event's traces\n"
        "are drawn (page, plotly.js from the plotly package, event list and the first window read from the\n"
        "EDF).\n\n"
        "| opening | seconds |\n|---|---|\n"
        f"| first (plotly.js parsed cold) | {first_ms / 1000:.2f} |\n"
        f"| again (plotly.js cached) | {again_ms / 1000:.2f} |\n\n"
        f"Machine: {os.cpu_count()} CPUs, 1-min load average {load:.1f} while measuring. The window is read\n"
        "from disk per request (MNE, `preload=False`), so the recording's length does not enter.\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("reports/figures/review.png"))
    ap.add_argument("--demo", type=Path, default=None, help="An existing `hfo-detect demo` output folder.")
    ap.add_argument("--report", type=Path, default=Path("reports/review_open_time.md"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "hfo-demo"
        if args.demo is None:
            subprocess.run([sys.executable, "-m", "hfo_detect", "demo", "--out", str(demo), "--no-report"],
                           check=True)
        else:  # review a copy, so that the screenshot's decisions do not land in the user's review
            shutil.copytree(args.demo, demo)
            shutil.rmtree(demo / "detections" / "review", ignore_errors=True)
        server = subprocess.Popen([sys.executable, "-m", "hfo_detect", "review", str(demo / "detections"),
                                   "--reference", str(demo / "demo_truth_events.tsv"), "--port", "0",
                                   "--reviewer", "screenshot"], stdout=subprocess.PIPE, text=True)
        try:
            url = None
            for line in server.stdout:
                m = re.search(r"http://\S+/\?token=[\w-]+", line)
                if m:
                    url = m.group(0)
                    break
            if url is None:
                raise SystemExit("the review server printed no address")
            opts = webdriver.ChromeOptions()
            opts.binary_location = shutil.which("chromium") or "chromium"
            for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1500,820",
                        "--hide-scrollbars"):
                opts.add_argument(arg)
            driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)
            try:
                opened = time.perf_counter()
                driver.get(url)
                WebDriverWait(driver, 30).until(_ready)
                first_ms = int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-first-ms"))
                driver.refresh()  # the second opening: plotly.js cached by the browser
                WebDriverWait(driver, 30).until(_ready)
                again_ms = int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-first-ms"))
                print(f"first event on screen {first_ms / 1000:.2f} s after the page was requested "
                      f"({time.perf_counter() - opened:.2f} s including the browser's start-up); "
                      f"reopened: {again_ms / 1000:.2f} s")
                _report(args.report, first_ms, again_ms)
                body = driver.find_element(By.TAG_NAME, "body")
                for key in ("a", "r", "a", "n"):
                    before = body.get_attribute("data-selected")
                    ActionChains(driver).send_keys(key).perform()
                    WebDriverWait(driver, 30).until(
                        lambda d, b=before, k=key: k == "n" or d.find_element(
                            By.TAG_NAME, "body").get_attribute("data-selected") != b)
                time.sleep(1.5)  # the neighbours' window
                WebDriverWait(driver, 30).until(_ready)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(args.out))
            finally:
                driver.quit()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
