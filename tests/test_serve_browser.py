"""gatsby-tui serve in a real browser (Chromium driven by selenium): sign in, find a pupil, write a
meeting record, export the pupil's record and receive the PDF as a download.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium chromium-driver``);
skipped, saying so, where they are not installed (as in CI). The server is started with the real
command line, ``gatsby-tui serve``, on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = [
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="no browser: install Debian's chromium and chromium-driver to run this test"),
    # Chromium inherits libfaketime from a suite run under faketime (to check other days of the
    # year) and then never loads a page; the server side is tested on every day by test_serve.py.
    pytest.mark.skipif("faketime" in os.environ.get("LD_PRELOAD", ""),
                       reason="Chromium does not run under libfaketime"),
]

PASSWORD = "kettle on the landing 42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    from gatsby_tui.clock import FixedClock
    from gatsby_tui.store import Store, users

    from helpers import make_upn, pupil

    path = tmp_path / "school.db"
    exports = tmp_path / "exports"
    exports.mkdir()
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    helen = store.advisers.add({"name": "Helen Marsh"})
    users.set_password(store.conn, helen, PASSWORD, stamp=store.clock.stamp(), by=None)
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Zoë", legal_surname="Brennan")))
    store.settings.set("export_folder", str(exports))
    store.close()
    port = free_port()
    env = {**os.environ, "GATSBY_TUI_TODAY": "2026-11-22T10:00"}
    server = subprocess.Popen([sys.executable, "-m", "gatsby_tui", "serve", "--db", str(path), "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/sign-in", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(f"the server did not start: {server.stdout.read().decode()}")
            time.sleep(0.2)
    yield {"base": base, "path": path, "exports": exports, "helen": helen, "tmp": tmp_path}
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = downloads
    yield driver
    driver.quit()


def keys(driver, *sequence: str, pause: float = 0.6) -> None:
    """Type into the terminal as a person would (xterm.js's hidden text area has the focus)."""
    from selenium.webdriver.common.action_chains import ActionChains

    for item in sequence:
        ActionChains(driver).send_keys(item).perform()
        time.sleep(pause)


def ctrl(driver, key: str, pause: float = 1.5) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).key_down(Keys.CONTROL).send_keys(key).key_up(Keys.CONTROL).perform()
    time.sleep(pause)


def wait_until(check, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:       # the page is changing under us (a new page loading): look again
            pass
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_sign_in_search_write_a_record_and_download_the_pdf(served, browser):
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(served["base"] + "/")
    assert browser.current_url.endswith("/sign-in")
    browser.find_element(By.ID, "name").send_keys("Helen Marsh")
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.ID, "sign-in").click()
    wait_until(lambda: "do not match" in browser.page_source, what="the wrong password to be refused")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait_until(lambda: "-first-byte" in browser.execute_script("return document.body.className"),
               what="the app to draw its first screen")
    time.sleep(3)                                            # the register loads and takes the focus
    browser.execute_script("document.querySelector('.xterm-helper-textarea').focus()")   # as a click would
    keys(browser, "/", "Okafor", Keys.ENTER, Keys.ENTER)      # search, to the list, open the pupil
    keys(browser, "n")                                       # a new meeting record
    time.sleep(1)
    keys(browser, "Talked about apprenticeships in engineering", pause=1)
    ctrl(browser, "s")

    conn = sqlite3.connect(served["path"])
    try:
        row = conn.execute("SELECT adviser_id, reason, pupil_id FROM meeting_records").fetchone()
    finally:
        conn.close()
    assert row is not None, "the record was not written"
    assert row[0] == served["helen"] and row[1] == "Talked about apprenticeships in engineering"

    keys(browser, Keys.ESCAPE, pause=1.5)                    # back to the pupil
    keys(browser, "x", pause=1.5)                            # export the record: PDF by default
    ctrl(browser, "s", pause=2)
    try:
        wait_until(lambda: any(p.suffix == ".pdf" for p in browser.downloads.iterdir()), timeout=30,
                   what="the PDF to download")
    finally:
        browser.save_screenshot(str(served["tmp"] / "after-export.png"))
    pdf = next(p for p in browser.downloads.iterdir() if p.suffix == ".pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Amara" in text and "apprenticeships in engineering" in text
    on_disk = list(served["exports"].glob("*.pdf"))
    assert len(on_disk) == 1 and on_disk[0].read_bytes() == pdf.read_bytes(), "also written on the server's disk"
