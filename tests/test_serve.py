"""gatsby-tui serve: the app in a browser with sign-in, tested through a real server on a free
loopback port, real app processes (one per websocket, with Textual's web driver) and the file.

The websocket carries what a terminal would show; these tests read it as text and type into it as a
browser's xterm.js does (``["stdin", keys]``).
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gatsby_tui import actions
from gatsby_tui.clock import FixedClock
from gatsby_tui.serve.auth import Sessions, Throttle
from gatsby_tui.serve.server import make_app
from gatsby_tui.store import Store, users
from gatsby_tui.store import db as dbmod

from helpers import make_upn, pupil

HELEN_PW = "kettle on the landing 42"
DANIEL_PW = "orange bicycle thursday"
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")
CTRL_S = "\x13"


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A file with two advisers who may sign in, one who may not, and two pupils."""
    monkeypatch.setenv("GATSBY_TUI_TODAY", "2026-11-22T10:00")     # the app processes' clock
    path = tmp_path / "school.db"
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    try:
        helen = store.advisers.add({"name": "Helen Marsh", "organisation": "Northway Careers"})
        daniel = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal"})
        third = store.advisers.add({"name": "Priya Shah"})
        for adviser_id, password in ((helen, HELEN_PW), (daniel, DANIEL_PW)):
            users.set_password(store.conn, adviser_id, password, stamp=store.clock.stamp(), by=None)
        store.settings.set("export_folder", str(tmp_path))
        amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
        zoe = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Zoë",
                                                         legal_surname="Brennan", form="11B")))
    finally:
        store.close()
    return {"path": path, "helen": helen, "daniel": daniel, "third": third, "amara": amara, "zoe": zoe}


@pytest.fixture
async def server(school):
    # A browser answers the server's pings whenever they come; these test clients answer only while
    # reading, and a test may read one while another waits (under load, longer than 15 s).
    srv = TestServer(make_app(school["path"], sweep_seconds=0.2, heartbeat_seconds=600), host="127.0.0.1", port=0)
    await srv.start_server()
    srv.base = f"http://127.0.0.1:{srv.port}"
    yield srv
    await srv.close()


def client() -> aiohttp.ClientSession:
    # unsafe=True: keep cookies for an IP address host, as a browser does
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(http: aiohttp.ClientSession, base: str, name: str, password: str) -> aiohttp.ClientResponse:
    return await http.post(f"{base}/sign-in", data={"name": name, "password": password}, allow_redirects=False)


class Terminal:
    """The browser's side of the app's websocket: what it shows, and keys typed into it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.shown = ""
        self.texts: list[str] = []

    async def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, ANSI.sub(" ", self.shown)):
                return ANSI.sub(" ", self.shown)
            try:
                message = await self.ws.receive(timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.shown += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.texts.append(message.data)
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                break
        raise AssertionError(f"{pattern!r} never appeared; the end of the screen: {ANSI.sub(' ', self.shown)[-800:]!r}")

    async def settle(self, quiet: float = 1.5, timeout: float = 30.0) -> None:
        """Wait until the app has drawn nothing for ``quiet`` seconds (it has finished starting)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = await self.ws.receive(timeout=quiet)
            except asyncio.TimeoutError:
                return
            if message.type == aiohttp.WSMsgType.BINARY:
                self.shown += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.texts.append(message.data)
            else:
                return

    async def type(self, keys: str, then: str | None = None) -> None:
        self.shown = ""
        await self.ws.send_json(["stdin", keys])
        if then:
            await self.wait_for(then)


async def open_app(http: aiohttp.ClientSession, base: str) -> Terminal:
    ws = await http.ws_connect(f"{base.replace('http', 'ws', 1)}/ws?width=120&height=40", origin=base)
    terminal = Terminal(ws)
    await terminal.wait_for("Okafor|Brennan")
    await terminal.wait_for("Signed in as")
    await terminal.settle()
    return terminal


def db(school) -> sqlite3.Connection:
    conn = sqlite3.connect(school["path"], timeout=5)
    conn.row_factory = sqlite3.Row
    return conn


# ------------------------------------------------------------------ pages and sign-in
async def test_without_a_session_only_the_sign_in_page(server):
    async with client() as http:
        r = await http.get(f"{server.base}/", allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == "/sign-in"
        r = await http.get(f"{server.base}/")
        page = await r.text()
        assert r.status == 200 and 'name="password"' in page and "Okafor" not in page
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{server.base.replace('http', 'ws', 1)}/ws", origin=server.base)
        assert refused.value.status == 403
        r = await http.get(f"{server.base}/download/anything", allow_redirects=False)
        assert r.status == 403


async def test_a_wrong_password_is_refused_then_the_name_is_throttled(server):
    async with client() as http:
        for _ in range(5):
            r = await sign_in(http, server.base, "Helen Marsh", "not her password at all")
            assert r.status == 401
            assert "do not match" in await r.text()
        r = await sign_in(http, server.base, "Helen Marsh", HELEN_PW)      # right, but too late
        assert r.status == 429
        assert "try again in 15 minutes" in await r.text()
        assert "gatsby_session" not in r.cookies
        # Another name from the same address is not held up by Helen's failures.
        r = await sign_in(http, server.base, "Daniel Whitaker", DANIEL_PW)
        assert r.status == 303 and r.headers["Location"] == "/"


def test_the_throttle_lifts_after_the_window():
    now = [1000.0]
    throttle = Throttle(now=lambda: now[0])
    for _ in range(5):
        assert throttle.wait_seconds("Helen Marsh", "10.0.0.7") == 0
        throttle.failed("Helen Marsh", "10.0.0.7")
    assert throttle.wait_seconds("helen  marsh", "10.0.0.7") == 15 * 60 + 1
    assert throttle.wait_seconds("Helen Marsh", "10.0.0.8") == 0, "another computer is not held up"
    now[0] += 15 * 60
    assert throttle.wait_seconds("Helen Marsh", "10.0.0.7") == 0
    # Twenty failures from one address, whatever the names, hold the address up.
    for n in range(20):
        throttle.failed(f"guess {n}", "10.0.0.9")
    assert throttle.wait_seconds("Daniel Whitaker", "10.0.0.9") > 0


def test_sessions_are_signed_and_end_after_inactivity():
    now = [0.0]
    sessions = Sessions(idle_minutes=30, now=lambda: now[0])
    session, cookie = sessions.start(1, "Helen Marsh", "127.0.0.1")
    assert sessions.get(cookie) is session
    sid, mac = cookie.split(".")
    assert sessions.get(f"{sid}.{'0' * len(mac)}") is None, "an altered signature is refused"
    assert sessions.get(Sessions().sign(sid)) is None, "a cookie signed by another server is refused"
    now[0] += 29 * 60
    assert sessions.get(cookie) is session            # activity restarts the clock
    now[0] += 29 * 60
    assert sessions.get(cookie) is session
    now[0] += 31 * 60
    assert sessions.get(cookie) is None and len(sessions) == 0


async def test_the_cookie_is_httponly_samesite_strict_and_sign_out_ends_it(server):
    async with client() as http:
        r = await sign_in(http, server.base, "helen marsh", HELEN_PW)       # the name in any case
        assert r.status == 303
        set_cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Secure" not in set_cookie
        r = await http.get(f"{server.base}/")
        assert r.status == 200 and "Helen Marsh" in await r.text()
        r = await http.get(f"{server.base}/sign-out", allow_redirects=False)
        assert r.status == 303
        r = await http.get(f"{server.base}/", allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == "/sign-in"


async def test_requests_from_another_origin_are_refused(server):
    async with client() as http:
        r = await http.post(f"{server.base}/sign-in", data={"name": "Helen Marsh", "password": HELEN_PW},
                            headers={"Origin": "https://evil.example"}, allow_redirects=False)
        assert r.status == 403 and "gatsby_session" not in r.cookies
        assert (await sign_in(http, server.base, "Helen Marsh", HELEN_PW)).status == 303
        for origin in ("https://evil.example", f"http://127.0.0.1:{server.port + 1}"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{server.base.replace('http', 'ws', 1)}/ws", origin=origin)
            assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):         # a websocket must say where it is from
            await http.ws_connect(f"{server.base.replace('http', 'ws', 1)}/ws")


async def test_the_pages_name_no_outside_host_and_what_they_load_is_served_here(server):
    async with client() as http:
        sign_in_html = await (await http.get(f"{server.base}/sign-in")).text()
        await sign_in(http, server.base, "Helen Marsh", HELEN_PW)
        r = await http.get(f"{server.base}/")
        app_html = await r.text()
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        for page in (sign_in_html, app_html):
            assert not re.search(r"(https?:)?//[a-z0-9.-]+", page, re.I), "the page names another host"
            assert "googleapis" not in page and "gstatic" not in page
        loaded = re.findall(r'(?:src|href)="([^"]+)"', app_html) + re.findall(r'url\("([^"]+)"\)', app_html)
        assert "/static/js/textual.js" in loaded and "/static/fonts/RobotoMono-VariableFont_wght.ttf" in loaded
        for path in loaded:
            if path.startswith("/static/"):
                got = await http.get(f"{server.base}{path}")
                assert got.status == 200, path
                if path.endswith((".js", ".css")):
                    body = await got.text()
                    assert not re.search(r"""(url\(|src=|import |fetch\()\s*["']?https?://""", body), path


# ------------------------------------------------------------------ the app in the browser
async def test_a_signed_in_session_shows_the_register_as_its_adviser(server, school):
    async with client() as http:
        await sign_in(http, server.base, "Helen Marsh", HELEN_PW)
        terminal = await open_app(http, server.base)
        shown = await terminal.wait_for("Signed in as Helen Marsh")
        assert "Okafor" in shown and "Brennan" in shown
        await terminal.type("\x1bu", then="open actions")        # Alt+U, the browser's key for F5: the follow-ups
        await terminal.ws.close()


async def test_two_advisers_at_once_write_in_their_own_names_and_a_third_sees_only_sign_in(server, school):
    async with client() as helen_http, client() as daniel_http, client() as third_http:
        assert (await sign_in(helen_http, server.base, "Helen Marsh", HELEN_PW)).status == 303
        assert (await sign_in(daniel_http, server.base, "Daniel Whitaker", DANIEL_PW)).status == 303
        helen = await open_app(helen_http, server.base)
        daniel = await open_app(daniel_http, server.base)
        await daniel.wait_for(r"Also in: Helen Marsh \(browser\)")       # the presence list

        async def write(terminal: Terminal, down: str, reason: str) -> None:
            # The register lists Brennan then Okafor: g (top), j (down) as needed, Enter opens.
            await terminal.type("g" + down)
            await terminal.settle(0.5)
            await terminal.type("\r", then="New record")
            await terminal.type("n", then="Status: Draft|SENCO")
            await terminal.type(reason, then=reason.split()[-1])
            await terminal.type(CTRL_S, then="everything is saved")

        # Both app processes are running on the file at once; each writes in turn.
        await write(helen, "j", "Helen on apprenticeships")
        await daniel.settle()
        await write(daniel, "", "Daniel on sixth form colleges")
        conn = db(school)
        try:
            rows = {r["reason"]: r for r in conn.execute("SELECT * FROM meeting_records")}
            assert len(rows) == 2, [dict(r) for r in rows.values()]
            assert rows["Helen on apprenticeships"]["adviser_id"] == school["helen"]
            assert rows["Helen on apprenticeships"]["pupil_id"] == school["amara"]
            assert rows["Daniel on sixth form colleges"]["adviser_id"] == school["daniel"]
            assert rows["Daniel on sixth form colleges"]["pupil_id"] == school["zoe"]
            audit = {(r["row_id"], r["adviser_id"]) for r in conn.execute(
                "SELECT row_id, adviser_id FROM audit_log WHERE table_name = 'meeting_records'")}
            assert (rows["Helen on apprenticeships"]["id"], school["helen"]) in audit
            assert (rows["Daniel on sixth form colleges"]["id"], school["daniel"]) in audit
            remembered = conn.execute("SELECT value FROM settings WHERE key = 'current_adviser_id'").fetchone()
            assert remembered is None, "a browser session does not change the file's remembered adviser"
        finally:
            conn.close()

        # Priya has no password: the sign-in page, and nothing else.
        r = await third_http.get(f"{server.base}/")
        page = await r.text()
        assert r.url.path == "/sign-in" and "Okafor" not in page and "Brennan" not in page
        r = await sign_in(third_http, server.base, "Priya Shah", "")
        assert r.status == 400
        r = await sign_in(third_http, server.base, "Priya Shah", HELEN_PW)
        assert r.status == 401 and "Okafor" not in await r.text()
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await third_http.ws_connect(f"{server.base.replace('http', 'ws', 1)}/ws", origin=server.base)
        await asyncio.gather(helen.ws.close(), daniel.ws.close())


async def test_an_export_is_downloaded_by_its_own_session_only_and_quitting_ends_the_page(server, school):
    async with client() as helen_http, client() as daniel_http:
        await sign_in(helen_http, server.base, "Helen Marsh", HELEN_PW)
        await sign_in(daniel_http, server.base, "Daniel Whitaker", DANIEL_PW)
        helen = await open_app(helen_http, server.base)
        await helen.type("g")
        await helen.settle(0.5)
        await helen.type("\r", then="New record")               # Zoë Brennan, first by name
        await helen.type("x", then="careers record")            # export: a PDF unless another is chosen
        await helen.settle(0.5)
        await helen.type(CTRL_S)
        deadline = time.monotonic() + 30
        while not any("deliver_file_start" in t for t in helen.texts) and time.monotonic() < deadline:
            await helen.settle(0.3, timeout=1)
        key = next(json.loads(t)[1] for t in helen.texts if "deliver_file_start" in t)
        written = list(school["path"].parent.glob("*.pdf"))
        assert len(written) == 1 and "Brennan" in written[0].name, "written on the server's disk too"
        r = await daniel_http.get(f"{server.base}/download/{key}")
        assert r.status == 404, "another adviser's session cannot fetch it"
        r = await helen_http.get(f"{server.base}/download/{key}")
        assert r.status == 200 and r.headers["Content-Type"] == "application/pdf"
        assert "attachment" in r.headers["Content-Disposition"]
        assert await r.read() == written[0].read_bytes()
        await helen.type("\x11")                                 # Ctrl+Q: the app quits, the page is told
        message = await helen.ws.receive(timeout=20)
        while message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
            message = await helen.ws.receive(timeout=20)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


async def test_an_idle_session_is_closed_and_signed_out(school):
    now = [0.0]
    sessions = Sessions(idle_minutes=30, now=lambda: now[0])
    srv = TestServer(make_app(school["path"], sessions=sessions, sweep_seconds=0.1), host="127.0.0.1", port=0)
    await srv.start_server()
    base = f"http://127.0.0.1:{srv.port}"
    try:
        async with client() as http:
            await sign_in(http, base, "Helen Marsh", HELEN_PW)
            terminal = await open_app(http, base)
            now[0] += 31 * 60
            message = await terminal.ws.receive(timeout=15)
            while message.type == aiohttp.WSMsgType.BINARY:
                message = await terminal.ws.receive(timeout=15)
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
            r = await http.get(f"{base}/", allow_redirects=False)
            assert r.status == 303 and r.headers["Location"] == "/sign-in"
    finally:
        await srv.close()


# ------------------------------------------------------------------ passwords
def test_a_password_is_kept_as_a_salted_scrypt_hash_and_audited(school):
    conn = db(school)
    try:
        rows = conn.execute("SELECT * FROM adviser_passwords ORDER BY adviser_id").fetchall()
        assert len(rows) == 2
        assert rows[0]["hash"].startswith("scrypt$16384$8$1$")
        assert rows[0]["hash"].split("$")[4] != rows[1]["hash"].split("$")[4], "each has its own salt"
        assert HELEN_PW not in rows[0]["hash"]
        assert users.check(conn, "HELEN marsh", HELEN_PW)["id"] == school["helen"]
        assert users.check(conn, "Helen Marsh", DANIEL_PW) is None
        assert users.check(conn, "Nobody Here", HELEN_PW) is None
        logged = conn.execute("SELECT after FROM audit_log WHERE table_name = 'adviser_passwords'").fetchall()
        assert len(logged) == 2 and all("scrypt" not in r["after"] and HELEN_PW not in r["after"] for r in logged)
    finally:
        conn.close()


def test_browser_keys_are_offered_first_only_when_served():
    follow = next(a for a in actions.in_scope("app") if a.id == "go.follow_ups")
    assert follow.keys == "f5" and not follow.footer
    actions.serve_in_browser()
    try:
        follow = next(a for a in actions.in_scope("app") if a.id == "go.follow_ups")
        assert follow.keys == "alt+u,f5" and follow.footer
        assert actions.key_label(follow.keys) == "Alt+U / F5"
        record_keys = {a.id: a.keys for a in actions.in_scope("record")}
        assert record_keys["record.action_add"].startswith("alt+n")
        assert record_keys["record.snippets"].startswith("alt+i")
        everywhere = [b.key for scope in {a.scope for a in actions.ACTIONS} for b in actions.bindings(scope)]
        browser_keeps = {"ctrl+n", "ctrl+t", "ctrl+w", "ctrl+tab", "f5"}
        for act in actions.ACTIONS:
            keys = set(actions._for_browser(act).keys.split(","))
            if keys & browser_keeps:
                assert keys - browser_keeps - {"f12"}, f"{act.id} has no key a browser leaves to the page"
        assert everywhere
    finally:
        actions.serve_in_browser(False)


def test_a_version_3_database_gains_the_passwords_table(tmp_path):
    path = tmp_path / "v3.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE adviser_passwords")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        helen = store.advisers.add({"name": "Helen Marsh"})
        assert users.set_password(store.conn, helen, HELEN_PW, stamp=store.clock.stamp(), by=helen)
        assert users.check(store.conn, "Helen Marsh", HELEN_PW)["id"] == helen
    finally:
        store.close()


async def test_many_wrong_passwords_sent_at_once_are_counted(server):
    async with client() as http:
        answers = await asyncio.gather(*(sign_in(http, server.base, "Helen Marsh", f"guess number {n}")
                                         for n in range(12)))
        statuses = sorted(r.status for r in answers)
        assert statuses.count(401) <= 5 and statuses.count(429) >= 7, statuses
        r = await sign_in(http, server.base, "Helen Marsh", HELEN_PW)
        assert r.status == 429
