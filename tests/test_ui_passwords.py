"""Passwords for signing in from a browser, given from the advisers screen (F4, then P / X); and the
app as it runs in a browser: the signed-in adviser cannot be changed with F4, and the palette
offers Sign out."""

from __future__ import annotations

from gatsby_tui.app import build_app
from gatsby_tui.screens.advisers import AdviserChooser, PasswordDialog
from gatsby_tui.serve.app import ServedApp
from gatsby_tui.store import users

from helpers import fill, screen_text

SIZE = (120, 40)
PASSWORD = "kettle on the landing 42"


def _school(store):
    helen = store.advisers.add({"name": "Helen Marsh"})
    daniel = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal"})
    store.advisers.set_current(helen)
    return helen, daniel


def said(app) -> str:
    """Every notification shown so far, as plain text."""
    return " ".join(str(n.message) for n in app._notifications)


async def _chooser_on(pilot, app, name: str) -> None:
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, AdviserChooser)
    options = app.screen.query_one("#advisers")
    options.highlighted = next(i for i in range(options.option_count) if name in str(options.get_option_at_index(i).prompt))
    await pilot.pause()


async def test_give_change_and_take_away_a_password_from_the_advisers_screen(store):
    helen, daniel = _school(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _chooser_on(pilot, app, "Daniel Whitaker")
        shown = screen_text(app)
        assert "p Password" in shown and "x No password" in shown          # the keys, in the footer
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)
        assert "Password for Daniel Whitaker" in screen_text(app)
        await fill(pilot, PASSWORD, "#password")
        await fill(pilot, PASSWORD + "x", "#again")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not the same" in screen_text(app)
        assert not users.has_password(store.conn, daniel), "nothing written when the two differ"
        await fill(pilot, "short", "#password")
        await fill(pilot, "short", "#again")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "at least 10 characters" in screen_text(app)
        assert not users.has_password(store.conn, daniel)
        await fill(pilot, PASSWORD, "#password")
        await fill(pilot, PASSWORD, "#again")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AdviserChooser)
        assert "Daniel Whitaker can now sign in from a browser" in said(app)
        assert "(password set)" in screen_text(app)
        assert users.check(store.conn, "Daniel Whitaker", PASSWORD)["id"] == daniel
        entry = store.conn.execute("SELECT adviser_id, action, after FROM audit_log "
                                   "WHERE table_name = 'adviser_passwords'").fetchone()
        assert entry["adviser_id"] == helen and entry["action"] == "insert" and PASSWORD not in entry["after"]
        await pilot.press("x")
        await pilot.pause()
        assert "Daniel Whitaker can no longer sign in from a browser" in said(app)
        assert not users.has_password(store.conn, daniel)
        assert store.adviser_id == helen, "giving a password does not change who is using the app"


async def test_in_a_browser_the_signed_in_adviser_cannot_be_changed(store):
    helen, daniel = _school(store)
    users.set_password(store.conn, daniel, PASSWORD, stamp=store.clock.stamp(), by=helen)
    app = ServedApp(store, adviser_id=daniel, notice="Signed in as Daniel Whitaker.")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert store.adviser_id == daniel
        await pilot.press("f4")
        await pilot.pause()
        assert not isinstance(app.screen, AdviserChooser)
        assert "You are signed in as Daniel Whitaker" in said(app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sign out" in titles and "Change my password" in titles
        # A write is made, and audited, in the signed-in adviser's name.
        store.advisers.update(daniel, {"email": "daniel@school.example"})
        entry = store.conn.execute("SELECT adviser_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        assert entry["adviser_id"] == daniel
    remembered = store.conn.execute("SELECT value FROM settings WHERE key = 'current_adviser_id'").fetchone()
    assert remembered["value"] == str(helen), "the file's remembered adviser is left as it was"


async def test_a_name_with_brackets_is_shown_as_typed_in_a_browser(store):
    odd = store.advisers.add({"name": "Sam [/] Jones"})
    users.set_password(store.conn, odd, PASSWORD, stamp=store.clock.stamp(), by=None)
    app = ServedApp(store, adviser_id=odd, notice="Signed in as Sam [/] Jones.")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert app.is_running
        assert "Signed in as Sam [/] Jones." in said(app) and "You are signed in as Sam [/] Jones" in said(app)
        assert app.sub_title == "signed in as Sam [/] Jones"
