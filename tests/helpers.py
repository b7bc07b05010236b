"""Shared helpers for the tests: pupils to add, and reading and typing into the running app."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console

from gatsby_tui.domain.upn import check_letter

TODAY = date(2026, 11, 22)  # a Sunday in the 2026/27 school year


def make_upn(serial: int, la: str = "801", school: str = "2000", year: str = "15") -> str:
    body = f"{la}{school}{year}{serial:03d}"
    return check_letter(body) + body


def pupil(**over) -> dict:
    values = {
        "upn": make_upn(1),
        "legal_forename": "Amara",
        "legal_surname": "Okafor",
        "preferred_forename": "",
        "dob": "14/03/2012",
        "gender": "F",
        "year_group": "",
        "form": "10B",
        "sen_status": "N",
    }
    values.update(over)
    return values


def screen_text(app) -> str:
    """What the terminal shows, as plain text, a line per terminal line: the screen drawn in full
    exactly as Textual's screenshot draws it, kept as text instead of made into an SVG (which
    takes eight times as long)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().replace("\xa0", " ")


async def type_text(pilot, text: str) -> None:
    """Type ``text`` one key at a time, as a person does. Slow (a frame a key): keep it for the
    tests that are about typing; elsewhere use ``fill``."""
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def fill(pilot, text: str, selector: str | None = None) -> None:
    """Put ``text`` into the focused input (or the one ``selector`` finds) as if it had been
    typed: the value changes, and with it every Changed handler, then the app settles."""
    app = pilot.app
    widget = app.screen.query_one(selector) if selector else app.focused
    if selector:
        widget.focus()
    if hasattr(widget, "load_text"):       # a TextArea
        widget.load_text(text)
        widget.move_cursor(widget.document.end)
    else:
        widget.value = text
        if hasattr(widget, "cursor_position"):
            widget.cursor_position = len(text)
    await pilot.pause()


async def insert(pilot, text: str) -> None:
    """Insert ``text`` at the cursor of the focused input or text area, as typing it would (the
    Changed handlers run, the cursor ends after it), in one step instead of a frame per key.
    Keys that mean something else (``?`` for help, Enter in an input) are not pressed: where
    those are what a test is about, use ``type_text``."""
    await pilot.pause()                              # a focus() just asked for has landed
    widget = pilot.app.focused
    if getattr(widget, "read_only", False) or getattr(widget, "disabled", False):
        raise AssertionError(f"{widget!r} takes no typing: use type_text to show that")
    if hasattr(widget, "insert_text_at_cursor"):     # an Input: replaces a selection, as typing does
        start, end = sorted(widget.selection)
        widget.replace(text, start, end)
        widget.cursor_position = start + len(text)
    elif hasattr(widget, "document"):                # a TextArea: replaces a selection, as typing does
        start, end = sorted((widget.selection.start, widget.selection.end))
        widget.replace(text, start, end)
    else:
        raise AssertionError(f"nothing to type into: {widget!r} has focus")
    await pilot.pause()


async def wait_for_import(app) -> None:
    """Wait for the import dialog's own work (checking or writing the file); the file list's
    loader runs for as long as the dialog is open, so it is not waited for."""
    mine = [w for w in app.workers if w.group == "import"]
    if mine:                     # (an empty list would mean every worker to Textual)
        await app.workers.wait_for_complete(mine)
