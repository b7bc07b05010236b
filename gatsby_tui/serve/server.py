"""The web server behind ``gatsby-tui serve``: sign-in, then the app in the browser.

Why our own small aiohttp server rather than textual-serve's ``Server``: that one has no sign-in,
starts every session with the same shell command (so it cannot run the app as the adviser who
signed in), serves its downloads to anyone who knows a key, and its page asks Google's font
service for Roboto Mono. We keep what it does well and reuse it: its browser side (textual.js,
xterm.css and the Roboto Mono font files it ships, served here from the package itself), its
``AppService`` (one app process per browser session, speaking Textual's web-driver protocol over
the process's pipes) and its ``DownloadManager`` (exports streamed to the browser).

Every browser session is its own app process on the same database file, exactly as two copies
of the app in two terminals are: each save waits its turn, and the presence list names who else
is in. The process is started with the signed-in adviser's id and runs as them (``session.py``).

Pages: ``/sign-in`` (GET the form, POST a name and password), ``/sign-out``, ``/`` (the app; a
request without a session is sent to ``/sign-in``), ``/ws`` (the app's websocket), ``/download/K``
(an export, to the session that made it only) and ``/static/...``.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import secrets
import shlex
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from gatsby_tui.serve.auth import COOKIE, IDLE_MINUTES, MAX_FAILURES, WINDOW_MINUTES, Session, Sessions, Throttle

log = logging.getLogger("gatsby-tui.serve")

SESSIONS: web.AppKey[Sessions] = web.AppKey("sessions", Sessions)
THROTTLE: web.AppKey[Throttle] = web.AppKey("throttle", Throttle)
CONFIG: web.AppKey[dict] = web.AppKey("config", dict)


def _static_folder() -> Path:
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"


# ------------------------------------------------------------------ pages
_STYLE = """
body { background: #0c181f; color: rgba(255,255,255,0.95); margin: 0;
       font-family: "Roboto Mono", menlo, monospace; }
@font-face { font-family: "Roboto Mono"; font-style: normal;
             src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-style: italic;
             src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
main.sign-in { max-width: 26em; margin: 12vh auto; padding: 2em; background: #12232d; }
main.sign-in h1 { font-size: 1.3em; margin-top: 0; }
main.sign-in label { display: block; margin: 1em 0 0.3em; }
main.sign-in input { width: 100%; box-sizing: border-box; padding: 0.5em; font: inherit; }
main.sign-in button { margin-top: 1.5em; padding: 0.6em 2em; font: inherit; background: #5e0ba7;
                      color: white; border: none; cursor: pointer; }
p.problem { background: #5c1a1a; padding: 0.6em; }
p.note { color: #a8c0cc; font-size: 0.9em; }
"""


def sign_in_page(message: str = "", *, problem: bool = True, name: str = "", title: str = "") -> str:
    say = (f'<p class="{"problem" if problem else "note"}" role="alert">{html.escape(message)}</p>'
           if message else "")
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · gatsby-tui</title>
<style>{_STYLE}</style>
</head>
<body>
<main class="sign-in">
<h1>gatsby-tui: sign in</h1>
<p class="note">{html.escape(title)}</p>
{say}
<form method="post" action="/sign-in">
<label for="name">Your name, as on the advisers list</label>
<input id="name" name="name" autocomplete="username" required value="{html.escape(name)}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="sign-in">Sign in</button>
</form>
<p class="note">No password yet? The careers leader gives you one (<code>gatsby-tui user add</code>).
You are signed out after {IDLE_MINUTES} minutes without a key press.</p>
</main>
</body>
</html>
"""


def app_page(nonce: str, font_size: int, name: str) -> str:
    """The page that runs the app: textual.js and the font from this server only."""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>gatsby-tui · {html.escape(name)}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<script src="/static/js/textual.js"></script>
<style>
{_STYLE}
body .textual-terminal {{ opacity: 0; transition: opacity 0.3s ease-out; }}
body.-first-byte .textual-terminal {{ opacity: 1; }}
.closed-dialog {{ display: none; position: absolute; width: 100vw; height: 100vh; align-items: center;
                  justify-content: center; z-index: 10; }}
body.-closed .closed-dialog {{ display: flex; }}
.closed-dialog div {{ background: #12232d; padding: 2em; text-align: center; }}
.closed-dialog a {{ color: white; background: #5e0ba7; padding: 0.6em 2em; display: inline-block;
                    margin: 0.5em; text-decoration: none; }}
</style>
</head>
<body>
<div class="closed-dialog"><div>
<p>The session has ended (signed out, closed, or {IDLE_MINUTES} minutes without a key press).</p>
<a href="/" id="restart">Open again</a><a href="/sign-out">Sign out</a>
</div></div>
<div id="terminal" class="textual-terminal" data-font-size="{font_size}"></div>
<script nonce="{nonce}">
(function () {{
  var t = document.getElementById("terminal");
  t.dataset.sessionWebsocketUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}})();
</script>
</body>
</html>
"""


# ------------------------------------------------------------------ helpers
def _address(request: web.Request) -> str:
    return request.remote or "unknown"


def _same_origin(request: web.Request) -> bool:
    """True when the request carries no Origin (not sent by a browser for a plain GET) or one naming
    this server as the browser reached it (the Host header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == (request.host or "").lower()


def _session(request: web.Request, *, touch: bool = True) -> Session | None:
    return request.app[SESSIONS].get(request.cookies.get(COOKIE), touch=touch)


def _set_cookie(request: web.Request, response: web.StreamResponse, value: str, *, max_age: int | None) -> None:
    response.set_cookie(COOKIE, value, httponly=True, samesite="Strict", path="/", max_age=max_age,
                        secure=request.app[CONFIG]["tls"] or None)


def _policy(nonce: str | None) -> str:
    """Content-Security-Policy: everything from this server only; the app page's one inline script
    by its nonce."""
    script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (f"default-src 'none'; script-src {script}; style-src 'self' 'unsafe-inline'; font-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@web.middleware
async def _guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                 ) -> web.StreamResponse:
    """Refuse what another site asks for (checked on every request, and the websocket must send
    its Origin), and send headers that keep pages out of frames, caches and referrers."""
    is_ws = request.path == "/ws"
    if not _same_origin(request) or (is_ws and "Origin" not in request.headers):
        response: web.StreamResponse = web.Response(
            status=403, text="Refused: this request came from another site. Open gatsby-tui from its own address.")
    else:
        response = await handler(request)
    if not is_ws:
        response.headers.setdefault("Content-Security-Policy", _policy(None))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Not "no-referrer": with it Chrome sends "Origin: null" with the sign-in form.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.app[CONFIG]["tls"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


# ------------------------------------------------------------------ handlers
async def _index(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    if session is None:
        raise web.HTTPSeeOther("/sign-in")
    nonce = secrets.token_urlsafe(16)
    try:
        font_size = max(8, min(32, int(request.query.get("fontsize", "16"))))
    except ValueError:
        font_size = 16
    return web.Response(text=app_page(nonce, font_size, session.adviser_name), content_type="text/html",
                        headers={"Content-Security-Policy": _policy(nonce)})


async def _sign_in_form(request: web.Request) -> web.StreamResponse:
    if _session(request, touch=False) is not None:
        raise web.HTTPSeeOther("/")
    message, problem = "", True
    if "out" in request.query:
        message, problem = "You are signed out.", False
    return web.Response(text=sign_in_page(message, problem=problem, title=request.app[CONFIG]["title"]),
                        content_type="text/html")


def _check_password(db: Path, name: str, password: str) -> tuple[int, str] | None:
    """(id, name) of the adviser if the password is theirs. Runs in a thread: scrypt takes ~50 ms."""
    from gatsby_tui.store import db as dbmod, users

    conn = dbmod.connect(db)
    try:
        row = users.check(conn, name, password)
        return None if row is None else (row["id"], row["name"])
    finally:
        conn.close()


async def _sign_in(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG]
    form = await request.post()
    name = str(form.get("name") or "").strip()[:200]
    password = str(form.get("password") or "")
    address = _address(request)
    throttle = request.app[THROTTLE]

    def page(message: str, status: int) -> web.Response:
        return web.Response(text=sign_in_page(message, name=name, title=config["title"]), status=status,
                            content_type="text/html")

    if not name or not password:
        return page("Type your name and your password.", 400)
    wait = throttle.wait_seconds(name, address)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        log.warning("sign-in refused while throttled: %r from %s", name, address)
        return page(f"Too many wrong passwords for this name from this computer ({MAX_FAILURES} within "
                    f"{WINDOW_MINUTES} minutes): try again in {minutes} minute{'s' if minutes != 1 else ''}.", 429)
    # Counted as failed before the check and forgiven if right, so many tries sent at once cannot
    # all slip past the count while their passwords are being checked.
    throttle.failed(name, address)
    try:
        found = await asyncio.get_running_loop().run_in_executor(None, _check_password, config["db"], name, password)
    except Exception as e:            # the file is busy, moved or damaged: say so, never a traceback
        log.error("sign-in could not read the database: %s", e)
        throttle.succeeded(name, address)
        return page("The database cannot be read just now: try again in a moment, or tell whoever runs "
                    "gatsby-tui serve.", 503)
    if found is None:
        log.warning("sign-in failed: %r from %s", name, address)
        return page("That name and password do not match an adviser who may sign in: check both and try again.",
                    401)
    throttle.succeeded(name, address)
    session, cookie = request.app[SESSIONS].start(found[0], found[1], address)
    log.info("signed in: %s from %s", found[1], address)
    response = web.HTTPSeeOther("/")
    _set_cookie(request, response, cookie, max_age=None)
    raise response


async def _end(closers: list[Callable[[], Any]]) -> None:
    for close in closers:
        try:
            result = close()
            if asyncio.iscoroutine(result):
                await result
        except Exception:           # a session already gone: nothing more to close
            pass


async def _sign_out(request: web.Request) -> web.StreamResponse:
    session = _session(request, touch=False)
    if session is not None:
        log.info("signed out: %s", session.adviser_name)
        await _end(request.app[SESSIONS].end(session))
    response = web.HTTPSeeOther("/sign-in?out=1")
    _set_cookie(request, response, "", max_age=0)
    raise response


def _app_command(config: dict, session: Session) -> str:
    return shlex.join([config["python"], "-m", "gatsby_tui.serve.session", str(config["db"]),
                       str(session.adviser_id)])


async def _websocket(request: web.Request) -> web.StreamResponse:
    from textual_serve.app_service import AppService

    sessions = request.app[SESSIONS]
    session = _session(request)
    if session is None:
        raise web.HTTPForbidden(text="Sign in first.")
    config = request.app[CONFIG]
    websocket = web.WebSocketResponse(heartbeat=config["heartbeat_seconds"])
    await websocket.prepare(request)

    def number(key: str, default: int) -> int:
        try:
            return max(10, min(1000, int(request.query.get(key, default))))
        except ValueError:
            return default

    service = AppService(_app_command(config, session), write_bytes=websocket.send_bytes,
                         write_str=websocket.send_str, close=websocket.close,
                         download_manager=config["downloads"])
    session.closers.append(websocket.close)
    config["services"][service.app_service_id] = session
    watcher: asyncio.Task[None] | None = None
    try:
        await service.start(number("width", 80), number("height", 24))

        async def close_when_the_app_ends() -> None:
            # The app quit (Ctrl+Q) or could not start: the page says the session has ended.
            if service._task is not None:
                await asyncio.shield(service._task)
            if not websocket.closed:
                await websocket.close()

        watcher = asyncio.create_task(close_when_the_app_ends())
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            if not sessions.alive(session):
                break
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
            except (ValueError, IndexError, KeyError, TypeError):
                continue
            if kind == "stdin" and isinstance(data, str):
                sessions.touch(session)
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(int(data.get("width", 80)), int(data.get("height", 24)))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()
    except asyncio.CancelledError:
        pass
    finally:
        if watcher is not None:
            watcher.cancel()
        config["services"].pop(service.app_service_id, None)
        if websocket.close in session.closers:
            session.closers.remove(websocket.close)
        await service.stop()
        await _reap(service)
        if not websocket.closed:
            await websocket.close()
    return websocket


async def _reap(service: Any) -> None:
    """Wait for the session's app process to end (it was asked to quit); kill it after 10 s."""
    process = getattr(service, "_process", None)
    if process is None:
        return
    if process.returncode is None:
        try:
            await asyncio.wait_for(process.wait(), 10)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
    transport = getattr(process, "_transport", None)
    if transport is not None:
        transport.close()               # its pipes now, not when the loop has gone


async def _download(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    if session is None:
        raise web.HTTPForbidden(text="Sign in first.")
    config = request.app[CONFIG]
    key = request.match_info["key"]
    try:
        meta = await config["downloads"].get_download_metadata(key)
    except KeyError:
        raise web.HTTPNotFound(text="That download is no longer available: export it again.") from None
    if config["services"].get(meta.app_service.app_service_id) is not session:
        raise web.HTTPNotFound(text="That download is no longer available: export it again.")
    response = web.StreamResponse()
    response.content_type = meta.mime_type
    if meta.encoding:
        response.charset = meta.encoding
    disposition = "inline" if meta.open_method == "browser" else "attachment"
    from urllib.parse import quote

    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(meta.file_name)}"
    await response.prepare(request)
    async for chunk in config["downloads"].download(key):
        await response.write(chunk)
    await response.write_eof()
    return response


async def _expire_sessions(app: web.Application) -> None:
    """Every few seconds, end the sessions idle too long (their app processes close)."""
    sessions = app[SESSIONS]
    while True:
        await asyncio.sleep(app[CONFIG]["sweep_seconds"])
        app[THROTTLE].prune()
        for session in sessions.expired():
            log.info("signed out after %d minutes without a key press: %s", IDLE_MINUTES, session.adviser_name)
            await _end(sessions.end(session))


async def _start_sweeper(app: web.Application) -> None:
    app[CONFIG]["sweeper"] = asyncio.create_task(_expire_sessions(app))


async def _stop(app: web.Application) -> None:
    task = app[CONFIG].get("sweeper")
    if task is not None:
        task.cancel()
    sessions = app[SESSIONS]
    for session in sessions.all():
        await _end(sessions.end(session))


def make_app(db: Path, *, tls: bool = False, idle_minutes: float = IDLE_MINUTES, title: str = "",
             python: str | None = None, sessions: Sessions | None = None, throttle: Throttle | None = None,
             sweep_seconds: float = 20.0, heartbeat_seconds: float = 15.0) -> web.Application:
    """The aiohttp application serving ``db``. ``python`` is the interpreter for the app processes
    (default: this one). Every ``heartbeat_seconds`` each browser is pinged; one that has not
    answered half as long again later has gone, and its session's app is closed."""
    from textual_serve.download_manager import DownloadManager

    app = web.Application(middlewares=[_guard], client_max_size=64 * 1024)
    app[SESSIONS] = sessions if sessions is not None else Sessions(idle_minutes=idle_minutes)
    app[THROTTLE] = throttle if throttle is not None else Throttle()
    app[CONFIG] = {"db": Path(db), "tls": tls, "title": title or Path(db).name, "python": python or sys.executable,
                   "downloads": DownloadManager(), "services": {}, "sweep_seconds": sweep_seconds,
                   "heartbeat_seconds": heartbeat_seconds}
    app.add_routes([
        web.get("/", _index),
        web.get("/sign-in", _sign_in_form),
        web.post("/sign-in", _sign_in),
        web.get("/sign-out", _sign_out),
        web.post("/sign-out", _sign_out),
        web.get("/ws", _websocket),
        web.get("/download/{key}", _download),
        web.static("/static", _static_folder(), show_index=False),
    ])
    app.on_startup.append(_start_sweeper)
    app.on_shutdown.append(_stop)
    return app


def child_environment(today: str | None) -> None:
    """The app processes inherit the server's environment; a fixed day for the clock goes with it."""
    from gatsby_tui import clock

    if today:
        os.environ[clock.ENV_VAR] = today
