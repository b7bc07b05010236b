"""Text is text: whatever a person typed or imported reaches the screen as plain text, never as
markup, and nothing typed or imported brings the app down.

Two checks: one over the code (no screen takes a text widget that reads markup, and no markup
template is built from data), and one over the running app, which imports and types hostile
strings as names, titles, an adviser's name, searches, a record's text and an export folder,
and visits every screen and dialog with them."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

from textual.widgets import Input

from gatsby_tui.app import build_app
from gatsby_tui.store import BookingRequest

from helpers import fill, make_upn, pupil, screen_text

SIZE = (120, 40)
PACKAGE = Path(__file__).resolve().parent.parent / "gatsby_tui"

# Textual widgets that read a str as markup; screens take them from gatsby_tui/widgets/plain.py.
MARKUP_WIDGETS = {"Static", "Label", "Button", "Checkbox", "OptionList", "Select", "DataTable",
                  "SelectionList", "RadioButton", "RadioSet", "Tree", "ListView", "Collapsible", "TabPane",
                  "Tabs", "Tab", "Link", "Markdown", "Digits", "Switch", "ToggleButton", "Placeholder"}
TEMPLATE_CALLS = {"from_markup", "styled", "render_str"}


def _sources() -> list[Path]:
    files = sorted((PACKAGE / "screens").glob("*.py")) + sorted((PACKAGE / "widgets").glob("*.py"))
    return [f for f in files if f.name != "plain.py"] + [PACKAGE / "app.py"]


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_plain(node: ast.AST) -> bool:
    """A value that cannot be read as markup: a literal, None, a name (checked where it is made),
    or text made plain by widgets/plain.py's plain() or styled(); either branch of an if-else."""
    if isinstance(node, ast.IfExp):
        return _is_plain(node.body) and _is_plain(node.orelse)
    if isinstance(node, ast.Call):
        return getattr(node.func, "id", "") in ("plain", "styled")
    return _is_literal(node) or isinstance(node, ast.Name) or (isinstance(node, ast.Constant) and node.value is None)


def markup_problems(source: str, name: str) -> list[str]:
    """Every place in ``source`` where data could be read as markup."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual.widgets"):
            for alias in node.names:
                if alias.name in MARKUP_WIDGETS:
                    problems.append(f"{name}:{node.lineno} imports {alias.name} from {node.module} "
                                    "(take it from gatsby_tui.widgets.plain)")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for kw in node.keywords:
                if kw.arg == "markup" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    problems.append(f"{name}:{node.lineno} passes markup={ast.unparse(kw.value)} to {called}")
            if called in TEMPLATE_CALLS and node.args and not _is_literal(node.args[0]):
                problems.append(f"{name}:{node.lineno} builds the markup of {called}() from "
                                f"{ast.unparse(node.args[0])[:40]}: use a literal template with $variables")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("border_title", "border_subtitle", "tooltip") \
                        and not _is_plain(node.value):
                    problems.append(f"{name}:{node.lineno} sets {target.attr} from data (read as markup)")
    return problems


def test_no_screen_reads_data_as_markup():
    problems = []
    for path in _sources():
        problems += markup_problems(path.read_text(encoding="utf-8"), path.name)
    assert problems == []


def test_the_check_catches_markup_built_from_data():
    bad = (
        "from textual.widgets import Static, Input\n"
        "from textual.content import Content\n"
        "def f(self, name):\n"
        "    self.notify(f'Saved {name}.', markup=True)\n"
        "    Content.from_markup(f'[b]{name}[/b]')\n"
        "    self.border_title = name.upper()\n"
        "    self.tooltip = name.title() if name else plain(name)\n"
    )
    problems = markup_problems(bad, "bad.py")
    assert len(problems) == 5
    assert "imports Static" in problems[0]


async def test_the_app_notifies_in_plain_text_only(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.notify("Smith[/]", markup=True)          # asking for markup does not get it
        app.screen.notify("[b]", title="[/]")         # a screen's notify goes through the App's
        await pilot.pause()
        assert [(n.message, n.title, n.markup) for n in app._notifications][-2:] == [
            ("Smith[/]", "", False), ("[b]", "[/]", False)]
        assert app.is_running and app.return_code is None


# ---------------------------------------------------------------- the hostile table

MARKUP = ["[b]", "Smith[/]", "[@click=app.quit]", "[link=https://x]x[/link]"]
ESCAPE = "Esc\x1b]52;c;aGk=\x07ape"       # an OSC 52 clipboard write; shown without its control codes
RTL = "Rtl\u202eOver"                    # a right-to-left override
NUL = "Nul\x00Byte"
LONG = "L" * 10_000
ADVISER = "[/]Ms [@click=app.quit]Marsh"
SNIPPET = "[link=https://x]x[/link] levels"


def _running(app) -> None:
    assert app.is_running and app.return_code is None, "the app is still running"


def _shows(app, *texts: str) -> None:
    shown = screen_text(app)
    for text in texts:
        assert text in shown, f"{text!r} is shown as typed"


def _said(app, text: str) -> None:
    messages = [n.message for n in app._notifications]
    assert any(text in m for m in messages), f"{text!r} is said as typed (said: {messages})"


def _hostile_school(store, tmp_path: Path) -> dict:
    adviser = store.advisers.add({"name": ADVISER, "kind": "internal"})
    store.advisers.set_current(adviser)
    ids = {}
    for n, surname in enumerate(MARKUP, start=1):
        ids[surname] = store.pupils.add(store.pupils.validate(pupil(
            upn=make_upn(n), legal_surname=surname, legal_forename="Amara",
            preferred_forename={1: ESCAPE, 2: RTL, 3: NUL}.get(n, ""))))
    # The reported one arrives from the MIS: surname Smith[/], through the CSV import.
    csv_path = tmp_path / "mis.csv"
    csv_path.write_text("UPN,Legal Surname,Legal Forename,DOB,Reg,Gender,SEN Status\n"
                        f"{make_upn(9)},Smith[/],[@click=app.quit],14/03/2012,[b]10B,F,N\n", encoding="utf-8")
    plan = store.pupils.plan_import(csv_path)
    store.pupils.apply_import(plan)
    imported = store.pupils.by_upn(make_upn(9))["id"]
    who = ids["Smith[/]"]
    interview = store.bookings.book(BookingRequest(pupil_id=who, adviser_id=adviser, start=datetime(2026, 11, 20, 10, 0),
                                          minutes=45, reason="[b]options[/]"), confirm=True)
    store.bookings.book(BookingRequest(pupil_id=who, adviser_id=adviser, start=datetime(2026, 11, 23, 10, 0),
                              minutes=45, reason="[/]"), confirm=True)
    record = store.records.start(interview_id=interview)
    store.records.save(record, {"situation": "[/] [b]" + ESCAPE + RTL + NUL, "advice_given": LONG})
    store.actions.add(pupil_id=who, record_id=record, description="[@click=app.quit]call", owner="pupil",
                     due="30/11/2026")
    store.records.add_snippet(SNIPPET, "[b]" + NUL + RTL)
    store.plans.create(who, {"aspirations": "[b]chef[/]"})
    store.destinations.record_intended(who, {"code": "230", "provider": "[/]College"})
    activity = store.activities.add({"kind": "employer_talk", "title": "[b]Talk[/]", "held_on": "10/11/2026",
                                   "organisation": "[/]Org", "benchmarks": [5]})
    store.requests.log(who, {"requester_kind": "parent", "requester_name": "[/]Mum", "received_on": "20/11/2026"})
    return {"adviser": adviser, "ids": ids, "who": who, "imported": imported, "record": record,
            "activity": activity}


async def test_hostile_text_everywhere_is_shown_as_typed_and_never_stops_the_app(store, tmp_path):
    from gatsby_tui.screens.activities import ActivityScreen
    from gatsby_tui.screens.audit import AuditScreen
    from gatsby_tui.screens.destinations import DestinationsScreen
    from gatsby_tui.screens.export import ExportScreen, SarsScreen
    from gatsby_tui.screens.plan import PlanScreen
    from gatsby_tui.screens.pupil import PupilScreen
    from gatsby_tui.screens.pupil_form import PupilForm
    from gatsby_tui.screens.record import RecordScreen
    from gatsby_tui.screens.retention import RetentionScreen
    from gatsby_tui.screens.snippets import SnippetPicker

    school = _hostile_school(store, tmp_path)
    who = school["who"]
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        _running(app)
        _shows(app, "Smith[/], Rtl\u202eOver", "[@click=app.quit], NulByte", "[b], Esc]52;c;aGk=ape",
               "[link=https://x]x[/link], Amara", "Smith[/], [@click=app.quit]", "[b]10B")
        # A search typed into the register.
        await pilot.press("slash")
        await fill(pilot, "[/")
        _running(app)
        await pilot.press("escape")
        await pilot.pause()

        # The pupil, then the history search: typing "[/" was the reported crash.
        await app.push_screen(PupilScreen(who))
        await pilot.pause()
        _shows(app, "Smith[/]", "[@click=app.quit]call")
        await pilot.press("slash")
        await pilot.press("left_square_bracket", "slash")
        await pilot.pause()
        _running(app)
        assert app.screen.query_one("#history-search", Input).value == "[/"
        _shows(app, "[/")
        await fill(pilot, "[b]", "#history-search")
        _running(app)
        await pilot.press("escape")
        await pilot.pause()

        # The edit form of the imported pupil, saved as it is (Ctrl+S was the other crash).
        await app.push_screen(PupilForm(school["imported"]))
        await pilot.pause()
        assert app.screen.query_one("#legal_surname", Input).value == "Smith[/]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        _running(app)
        assert not isinstance(app.screen, PupilForm)
        _said(app, "Saved [@click=app.quit] Smith[/].")
        # ... and with a changed preferred name that is itself markup.
        await app.push_screen(PupilForm(school["imported"]))
        await pilot.pause()
        await fill(pilot, "[/link]", "#preferred_forename")
        await pilot.press("ctrl+s")
        await pilot.pause()
        _running(app)
        assert store.pupils.get(school["imported"])["preferred_forename"] == "[/link]"

        # The record, its 10,000 characters, and the snippet picker.
        await app.push_screen(RecordScreen(school["record"]))
        await pilot.pause()
        _running(app)
        _shows(app, "[/] [b]Esc]52;c;aGk=ape", "LLLLLLLLLL")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, SnippetPicker)
        _shows(app, SNIPPET)
        await fill(pilot, "[/", "#snippet-filter")
        _running(app)
        await pilot.press("ctrl+n")                   # a new snippet with a hostile title, typed
        await pilot.pause()
        await fill(pilot, "[@click=app.quit] typed", "#snippet-title")
        await fill(pilot, "[/] body", "#snippet-body")
        await pilot.press("ctrl+s")
        await pilot.pause()
        _running(app)
        _said(app, "Snippet '[@click=app.quit] typed' added.")
        assert "[@click=app.quit] typed" in [s["title"] for s in store.records.snippets()]
        await pilot.press("escape")
        await pilot.pause()
        # The record's text, typed: markup, an escape sequence and a right-to-left override.
        await fill(pilot, "[/] typed [b]" + ESCAPE + RTL, "#situation")
        await pilot.press("ctrl+s")
        await pilot.pause()
        _running(app)
        assert store.records.get(school["record"])["situation"].startswith("[/] typed [b]Esc")
        _shows(app, "[/] typed [b]Esc")
        app.pop_screen()
        await pilot.pause()

        # The booking form and the meeting, for the pupil called Smith[/].
        from gatsby_tui.screens.booking import BookingForm
        from gatsby_tui.screens.meeting import MeetingScreen
        await app.push_screen(BookingForm(who))
        await pilot.pause()
        _running(app)
        _shows(app, "Smith[/]")
        await pilot.press("escape")
        await pilot.pause()
        interview = store.conn.execute("SELECT id FROM interviews WHERE pupil_id = ? ORDER BY id LIMIT 1",
                                       (who,)).fetchone()[0]
        await app.push_screen(MeetingScreen(interview))
        await pilot.pause()
        _running(app)
        _shows(app, "Smith[/]")
        app.pop_screen()
        await pilot.pause()

        # Plans, destinations, the audit log, the export dialog with a hostile folder.
        for screen, expected in ((PlanScreen(who), "[b]chef[/]"), (DestinationsScreen(who), "[/]College"),
                                 (AuditScreen(pupil_id=who), "Smith[/]")):
            await app.push_screen(screen)
            await pilot.pause()
            _running(app)
            _shows(app, expected)
            app.pop_screen()
            await pilot.pause()
        await app.push_screen(ExportScreen(who))
        await pilot.pause()
        folder = tmp_path / "[b]out[/]"
        await fill(pilot, str(folder), "#folder")
        await pilot.press("ctrl+s")                 # a folder that does not exist: said, in plain text
        await pilot.pause()
        _running(app)
        _shows(app, "[b]out[/]")
        folder.mkdir(parents=True)          # "[b]out[" holding "]"
        app.screen.query_one("#format").value = "html"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        _running(app)
        written = list(folder.glob("*"))
        assert written, "the export was written into the folder as typed"
        _said(app, "[b]out[/]")

        # Every screen reached by its key: agenda, follow-ups, leavers, activities, cohort,
        # programme, reviews due; then requests, retention and help.
        await pilot.press("f3", "n")                # the agenda, on Monday: the booking for Smith[/]
        await pilot.pause()
        _running(app)
        _shows(app, "Smith[/]")
        for key, expected in (("f5", "[@click=app.quit]call"), ("f6", None), ("f7", None),
                              ("f8", "[b]Talk[/]"), ("f9", None), ("f2", None), ("f2", "Smith[/], Rtl")):
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            _running(app)
            if expected:
                _shows(app, expected)
        await app.push_screen(ActivityScreen(school["activity"]))
        await pilot.pause()
        _shows(app, "[b]Talk[/]")
        app.pop_screen()
        await app.push_screen(SarsScreen())
        await pilot.pause()
        _shows(app, "Smith[/]")
        app.pop_screen()
        await app.push_screen(RetentionScreen())
        await pilot.pause()
        _running(app)
        app.pop_screen()
        await pilot.press("f1")
        await pilot.pause()
        _running(app)
        await pilot.press("escape")
        # Who is using the app: the adviser's name in the chooser.
        await pilot.press("f4")
        await pilot.pause()
        _running(app)
        _shows(app, ADVISER)
        await pilot.press("escape")
        await pilot.pause()
        # A notification carrying every hostile string at once.
        app.notify(" ".join([*MARKUP, ESCAPE, RTL, NUL]), title="[/]")
        await pilot.pause()
        _running(app)
        _said(app, "[b] Smith[/] [@click=app.quit] [link=https://x]x[/link] Esc\x1b]52")
        # Each toast draws its message as plain Content when the notification is not markup.
        assert [n for n in app._notifications if n.markup] == []
