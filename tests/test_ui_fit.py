"""Every screen and every dialog fits the terminal: at 80×24 nothing a person needs is cut off
(inputs, buttons, the list, its row-count line, the footer), and at 200×60 the lists grow into
the room while dialogs stay a readable width. F1 opens help from inside a dialog too.

Each screen is opened the way the app opens it (a mode, a pushed screen, or the key/action on
the screen beneath), on a copy of the demo database: it has every kind of row (records, plans,
activities, requests) and long real-looking names. To cover a new screen, add a line to WAYS;
a test below fails while a screen class in gatsby_tui/screens/ has no line."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, DirectoryTree

import gatsby_tui.screens as screens_package
from gatsby_tui.app import build_app
from gatsby_tui.store import Store
from gatsby_tui.store.db import sample_path
from gatsby_tui.widgets.footer import Footer
from gatsby_tui.widgets.paged import PagedTable

from helpers import fill, screen_text

SMALL = (80, 24)
LARGE = (200, 60)
WIDEST_DIALOG = 140          # at 200 columns a dialog wider than this is stretched, not readable


# ---------------------------------------------------------------- the data


@dataclass(frozen=True)
class Ids:
    pupil: int            # a pupil with records, a plan of several versions, actions and destinations
    plan: int
    record: int           # a signed-off record of that pupil
    draft: int            # a draft record (anyone's)
    draft_pupil: int
    interview: int
    action: int
    activity: int
    audit_entry: int
    item: int             # a programme item
    school_year: int


def _ids(path: Path) -> Ids:
    with sqlite3.connect(path) as conn:
        one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
        plan, pupil = one("SELECT p.id, p.pupil_id FROM plans p JOIN plan_versions v ON v.plan_id = p.id "
                          "WHERE p.pupil_id IN (SELECT pupil_id FROM meeting_records WHERE status = 'signed_off') "
                          "AND p.pupil_id IN (SELECT pupil_id FROM actions) "
                          "GROUP BY p.id HAVING count(*) > 1 ORDER BY p.id LIMIT 1")
        record, = one(f"SELECT id FROM meeting_records WHERE pupil_id = {pupil} AND status = 'signed_off' LIMIT 1")
        draft, draft_pupil = one("SELECT id, pupil_id FROM meeting_records WHERE status = 'draft' LIMIT 1")
        interview, = one("SELECT id FROM interviews ORDER BY id LIMIT 1")
        action, = one(f"SELECT id FROM actions WHERE pupil_id = {pupil} LIMIT 1")
        activity, = one("SELECT id FROM activities ORDER BY id LIMIT 1")
        entry, = one("SELECT max(id) FROM audit_log")
        item, year = one("SELECT id, school_year FROM programme_items ORDER BY id LIMIT 1")
    return Ids(pupil, plan, record, draft, draft_pupil, interview, action, activity, entry, item, year)


@pytest.fixture
def demo(tmp_path: Path, clock) -> tuple[Store, Ids]:
    path = tmp_path / "demo.db"
    shutil.copyfile(sample_path(), path)
    s = Store.open(path, clock=clock)
    yield s, _ids(path)
    s.close()


# ---------------------------------------------------------------- how each screen is opened

Open = Callable[[Any, Ids], Awaitable[None]]     # (pilot, ids)


@dataclass(frozen=True)
class Way:
    shows: str            # the screen's class name: what must be on top once it is open
    open: Open            # pushes it (on top of whatever the group has open)
    group: str = "dialogs"


def push(make: Callable[[Any, Ids], Screen]) -> Open:
    async def go(pilot, ids):
        await pilot.app.push_screen(make(pilot.app, ids))
    return go


def mode(name: str) -> Open:
    async def go(pilot, ids):
        await pilot.app.switch_mode(name)
    return go


def on(parent: Callable[[Any, Ids], Screen], *act: str | Callable[[Screen], None]) -> Open:
    """Open ``parent``, then run its actions in turn (as their keys would), or a step of one's own."""
    async def go(pilot, ids):
        app = pilot.app
        await app.push_screen(parent(app, ids))
        await settle(pilot)
        for step in act:
            if callable(step):
                step(app.screen)
            else:
                await app.screen.run_action(step)
            await settle(pilot)
    return go


def app_action(name: str) -> Open:
    async def go(pilot, ids):
        await pilot.app.run_action(name)
    return go


def _s(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"gatsby_tui.screens.{module}"), name)


def _removal(app, ids):
    from gatsby_tui.store import retention

    # Nobody in the demo is past retention on the suite's day: decades on, the first few are.
    rows = retention.page(app.store.conn, today=date(2090, 1, 1), policy=app.store.retention.policy(), limit=4)
    return _s("retention", "ConfirmRemoval")("erase", rows, [], ())


def _typed_form(app, ids):
    return _s("follow_ups", "NoteDialog")("Cancel this action?", "Why (optional)")


WAYS: dict[str, Way] = {
    # The screens (modes and full screens).
    "register": Way("RegisterScreen", mode("register"), "screens"),
    "agenda": Way("AgendaScreen", mode("agenda"), "screens"),
    "follow-ups": Way("FollowUpsScreen", mode("follow_ups"), "screens"),
    "reviews due": Way("ReviewsDueScreen", mode("reviews"), "screens"),
    "leavers": Way("LeaversScreen", mode("leavers"), "screens"),
    "activities": Way("ActivitiesScreen", mode("activities"), "screens"),
    "benchmark coverage": Way("CohortScreen", mode("cohort"), "screens"),
    "programme": Way("ProgrammeScreen", mode("programme"), "screens"),
    "subject access requests": Way("SarsScreen", app_action("go_sars"), "screens"),
    "past retention": Way("RetentionScreen", app_action("go_retention"), "screens"),
    "clinics": Way("ClinicsScreen", push(lambda a, i: _s("clinics", "ClinicsScreen")()), "screens"),
    "pupil": Way("PupilScreen", push(lambda a, i: _s("pupil", "PupilScreen")(i.pupil)), "screens"),
    "plan": Way("PlanScreen", push(lambda a, i: _s("plan", "PlanScreen")(i.pupil)), "screens"),
    "plan versions compared": Way("CompareScreen", on(lambda a, i: _s("plan", "PlanScreen")(i.pupil), "compare"),
                                  "screens"),
    "destinations": Way("DestinationsScreen", push(lambda a, i: _s("destinations", "DestinationsScreen")(i.pupil)),
                        "screens"),
    "signed record": Way("RecordScreen", push(lambda a, i: _s("record", "RecordScreen")(i.record)), "screens"),
    "draft record": Way("RecordScreen", push(lambda a, i: _s("record", "RecordScreen")(i.draft)), "screens"),
    "activity": Way("ActivityScreen", push(lambda a, i: _s("activities", "ActivityScreen")(i.activity)), "screens"),
    "gaps": Way("GapsScreen", push(lambda a, i: _s("cohort", "GapsScreen")(8, i.school_year)), "screens"),
    "audit log": Way("AuditScreen", push(lambda a, i: _s("audit", "AuditScreen")(pupil_id=i.pupil)), "screens"),
    # Dialogs.
    "help": Way("HelpScreen", app_action("help")),
    "adviser chooser": Way("AdviserChooser", push(lambda a, i: _s("advisers", "AdviserChooser")())),
    "adviser form": Way("AdviserForm", push(lambda a, i: _s("advisers", "AdviserForm")(None))),
    "password": Way("PasswordDialog", push(lambda a, i: _s("advisers", "PasswordDialog")(1))),
    "school": Way("SchoolForm", app_action("school_details")),
    "published page": Way("ProgrammePageForm", push(lambda a, i: _s("school", "ProgrammePageForm")())),
    "add pupil": Way("PupilForm", push(lambda a, i: _s("pupil_form", "PupilForm")(None))),
    "edit pupil": Way("PupilForm", push(lambda a, i: _s("pupil_form", "PupilForm")(i.pupil))),
    "mark left": Way("MarkLeftScreen", push(lambda a, i: _s("mark_left", "MarkLeftScreen")(i.pupil))),
    "import": Way("ImportScreen", push(lambda a, i: _s("import_pupils", "ImportScreen")())),
    "save csv": Way("SaveCsvDialog", push(lambda a, i: _s("save_csv", "SaveCsvDialog")("register", {}, 1265))),
    "booking": Way("BookingForm", push(lambda a, i: _s("booking", "BookingForm")(
        i.pupil, start=datetime(2026, 11, 24, 10, 0)))),
    "follow-up booking": Way("FollowUpBookingForm", push(lambda a, i: _s("booking", "FollowUpBookingForm")(
        i.pupil, start=datetime(2027, 1, 12, 10, 0), reason="Follow-up on the apprenticeship application"))),
    "bulk booking": Way("BulkBookingScreen", push(lambda a, i: _s("bulk", "BulkBookingScreen")())),
    "meeting": Way("MeetingScreen", push(lambda a, i: _s("meeting", "MeetingScreen")(i.interview))),
    "pupil picker": Way("PupilPicker", push(lambda a, i: _s("picker", "PupilPicker")("Who is coming at 10:00?"))),
    "calendar export": Way("IcsExportScreen", push(lambda a, i: _s("ics_export", "IcsExportScreen")(
        date(2026, 11, 22), date(2027, 2, 22)))),
    "clinic hours": Way("FieldsForm", on(lambda a, i: _s("clinics", "ClinicsScreen")(), "add_clinic")),
    "history kind": Way("KindChooser", push(lambda a, i: _s("pupil", "KindChooser")(None))),
    "benchmark details": Way("BenchmarkDetails", on(lambda a, i: _s("pupil", "PupilScreen")(i.pupil),
                                                    lambda s: s.query_one("#pupil-benchmarks").action_details())),
    "export records": Way("ExportScreen", push(lambda a, i: _s("export", "ExportScreen")(i.pupil))),
    "subject access request": Way("SarForm", push(lambda a, i: _s("export", "SarForm")(i.pupil))),
    "export many": Way("BulkExportScreen", push(lambda a, i: _s("export", "BulkExportScreen")(
        list(range(1, 30)), "Year 11"))),
    "action": Way("ActionDialog", push(lambda a, i: _s("follow_ups", "ActionDialog")(i.action))),
    "owner": Way("OwnerChooser", push(lambda a, i: _s("follow_ups", "OwnerChooser")(
        "adviser", "Research three apprenticeship providers in engineering and bring the list"))),
    "note": Way("NoteDialog", push(_typed_form)),
    "discard typing": Way("DiscardTyping", push(lambda a, i: _s("base", "DiscardTyping")())),
    "plan form": Way("PlanForm", on(lambda a, i: _s("plan", "PlanScreen")(i.pupil), "edit_plan")),
    "target form": Way("TargetForm", on(lambda a, i: _s("plan", "PlanScreen")(i.pupil), "add_target")),
    "review form": Way("ReviewForm", on(lambda a, i: _s("plan", "PlanScreen")(i.pupil), "hold_review")),
    "destination": Way("DestinationForm", push(lambda a, i: _s("destinations", "DestinationForm")(
        i.pupil, "intended"))),
    "consent": Way("ConsentForm", push(lambda a, i: _s("destinations", "ConsentForm")(i.pupil))),
    "sign off": Way("SignOffConfirm", push(lambda a, i: _s("record_dialogs", "SignOffConfirm")("Siobhán O'Brien-Ní Bhriain"))),
    "record action": Way("ActionForm", push(lambda a, i: _s("record_dialogs", "ActionForm")(i.draft_pupil, i.draft))),
    "amend": Way("AmendDialog", push(lambda a, i: _s("record_dialogs", "AmendDialog")(i.record, "discussion"))),
    "snippets": Way("SnippetPicker", push(lambda a, i: _s("snippets", "SnippetPicker")())),
    "snippet form": Way("SnippetForm", push(lambda a, i: _s("snippets", "SnippetForm")())),
    "activity form": Way("ActivityForm", push(lambda a, i: _s("activity_form", "ActivityForm")(None))),
    "attach pupils": Way("AttachScreen", push(lambda a, i: _s("activities", "AttachScreen")(i.activity, "year"))),
    "activity chooser": Way("ActivityChooser", push(lambda a, i: _s("activities", "ActivityChooser")(
        "Attach the 12 pupils to which activity?"))),
    "plan items": Way("PlanItemChooser", push(lambda a, i: _s("activities", "PlanItemChooser")(
        i.activity, i.school_year))),
    "confirm": Way("Confirm", push(lambda a, i: _s("activities", "Confirm")(
        "Delete 'Year 10 work experience week' (22/11/2026) and the 180 pupils' attendance?", "Delete"))),
    "programme cell": Way("CellScreen", push(lambda a, i: _s("programme", "CellScreen")(i.school_year, 7, 1))),
    "programme item": Way("ItemForm", push(lambda a, i: _s("programme", "ItemForm")("Add a planned activity", ""))),
    "link activities": Way("LinkActivities", push(lambda a, i: _s("programme", "LinkActivities")(i.item))),
    "export programme": Way("ExportProgramme", push(lambda a, i: _s("programme", "ExportProgramme")(i.school_year))),
    "audit entry": Way("AuditEntryDialog", push(lambda a, i: _s("audit", "AuditEntryDialog")(i.audit_entry))),
    "audit adviser": Way("AuditAdviserChooser", push(lambda a, i: _s("audit", "AuditAdviserChooser")())),
    "confirm removal": Way("ConfirmRemoval", push(_removal)),
    "retention periods": Way("RetentionPeriodsForm", push(lambda a, i: _s("retention", "RetentionPeriodsForm")())),
    "damaged": Way("DamagedScreen", push(lambda a, i: _s("damaged", "DamagedScreen")(
        "database disk image is malformed: page 4127 is never used; row 18 missing from index pupils_by_name"))),
}

# Bases that are never opened themselves: each is covered through the screens built on it.
NOT_OPENED = {"SearchChooser": "PupilPicker, ActivityChooser", "_Form": "PlanForm, TargetForm, ReviewForm"}


# ---------------------------------------------------------------- what "fits" means


async def settle(pilot) -> None:
    """Let the screen load: its workers (not a file list's loader, which runs while it is open) and
    the refreshes they ask for."""
    app = pilot.app
    for _ in range(2):
        busy = [w for w in app.workers if w.is_running and not isinstance(w.node, DirectoryTree)
                and w.group != "after-start"]
        if busy:
            try:
                await asyncio.wait_for(app.workers.wait_for_complete(busy), 10)
            except Exception:  # noqa: BLE001 - a worker cancelled or failed: its screen reports it
                pass
        await pilot.pause()


def _needed(widget: Widget) -> bool:
    """What a person must be able to see and reach: whatever takes focus, the footer, and the
    lines that count a list's rows."""
    return (widget.focusable or isinstance(widget, Footer)
            or (widget.id or "").endswith("status"))


def _shown(widget: Widget) -> bool:
    node: Any = widget
    while node is not None and not isinstance(node, Screen):
        if not node.display or not node.visible:
            return False
        node = node.parent
    return True


def _cut(screen: Screen) -> list[str]:
    """What is cut off on ``screen``: a needed widget with no size, or outside what its containers
    show where no container scrolls to it (the screen itself scrolling does not count: a footer
    or a button scrolled off the bottom is out of sight)."""
    problems = []
    full = screen.region
    for widget in screen.query("*"):
        if not _needed(widget) or not _shown(widget):
            continue
        name = f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__
        region = widget.region
        if region.width <= 0 or region.height <= 0:
            problems.append(f"{name} has no room ({region.width}×{region.height})")
            continue
        here = region
        node, below = widget.parent, widget
        while node is not None:
            if isinstance(node, Screen):
                if not _beside_docked(node, below, full).contains_region(here):
                    problems.append(f"{name} at {tuple(region)} is off the {full.width}×{full.height} screen "
                                    "or under its footer")
                break
            if isinstance(node, Widget):
                view = _beside_docked(node, below, node.scrollable_content_region)
                out_x = here.x < view.x or here.right > view.right
                out_y = here.y < view.y or here.bottom > view.bottom
                scrolls_x = node.allow_horizontal_scroll and node.max_scroll_x > 0 and not isinstance(node, Footer)
                scrolls_y = node.allow_vertical_scroll and node.max_scroll_y > 0 and view.height >= 3
                if (out_x and not scrolls_x) or (out_y and not scrolls_y):
                    problems.append(f"{name} at {tuple(region)} is cut by {type(node).__name__}"
                                    f"#{node.id} showing {tuple(view)}")
                    break
                if out_x or out_y:
                    here = node.region        # reached by scrolling this container: it must show itself
            node, below = node.parent, node
    return problems


def _beside_docked(node: Widget, below: Widget, view: Region) -> Region:
    """What ``node`` shows of its other children: ``view`` less the rows its docked children (the
    buttons of a dialog, a footer) take, unless ``below`` is one of them."""
    top, bottom = view.y, view.bottom
    for child in node.children:
        if child is below or not child.display or not child.region:
            continue
        if child.styles.dock == "bottom":
            bottom = min(bottom, child.region.y)
        elif child.styles.dock == "top":
            top = max(top, child.region.bottom)
    return Region(view.x, top, view.width, max(0, bottom - top))


def _fits(screen: Screen, size: tuple[int, int]) -> list[str]:
    problems = _cut(screen)
    footers = [f for f in screen.query(Footer) if _shown(f)]
    if not isinstance(screen, ModalScreen) and not footers:
        problems.append("no footer")
    for footer in footers:
        if footer.region.bottom != screen.region.bottom:
            problems.append(f"the footer is not on the bottom line ({tuple(footer.region)})")
        if not footer.keys:
            problems.append("the footer shows no keys")
        for line, x, width, key in footer.placements():
            if x + width > footer.region.width or line >= footer.region.height:
                problems.append(f"the footer's key {key.display} is cut off (line {line}, columns {x}-{x + width})")
    if size == LARGE:
        dialogs = [d for d in screen.query("#dialog") if _shown(d)]
        for dialog in dialogs:
            if dialog.region.width > WIDEST_DIALOG:
                problems.append(f"the dialog is stretched to {dialog.region.width} columns")
        if not isinstance(screen, ModalScreen):
            # A list longer than it shows must take the room there is (a short list may stay short).
            for table in [*screen.query(DataTable), *screen.query(PagedTable)]:
                if _shown(table) and table.max_scroll_y > 0 and table.region.height < 20:
                    problems.append(f"{type(table).__name__}#{table.id} shows {table.region.height} of 60 rows and scrolls")
    return problems


# One app opens each batch of screens in turn (a screen or dialog takes a fraction of a second to
# open, an app about a second to start); batches of a dozen spread over the test workers.
BATCH = 12
BATCHES = {f"{group}-{n // BATCH + 1}": names[n:n + BATCH]
           for group in sorted({way.group for way in WAYS.values()})
           for names in [[name for name, way in WAYS.items() if way.group == group]]
           for n in range(0, len(names), BATCH)}


class Underneath(Screen):
    """What the dialogs open on: a screen with nothing to reload when a dialog closes (the register
    reloads its list each time one does), so the dialogs are checked quickly."""

    def compose(self):
        yield Footer()


@pytest.mark.parametrize("batch", list(BATCHES))
async def test_every_screen_fits(demo, batch):
    """Each screen is opened at 80×24 and checked, then the terminal is made 200×60 and it is
    checked again (a terminal window made larger with the screen open, which every screen must
    follow), then back to 80×24 for the next."""
    store, ids = demo
    app = build_app(store)
    cut: dict[str, list[str]] = {}
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        if batch.startswith("dialogs"):
            await app.push_screen(Underneath())
        base = len(app.screen_stack)
        for name in BATCHES[batch]:
            way = WAYS[name]
            while len(app.screen_stack) > base:
                app.pop_screen()
            await way.open(pilot, ids)
            await settle(pilot)
            assert type(app.screen).__name__ == way.shows, f"{name}: {type(app.screen).__name__} opened"
            for size in (SMALL, LARGE):
                if size != SMALL:
                    await pilot.resize_terminal(*size)
                    await settle(pilot)
                problems = _fits(app.screen, size)
                if problems:
                    cut[f"{name} at {size[0]}×{size[1]}"] = problems
            await pilot.resize_terminal(*SMALL)
    assert not cut, "\n".join(f"{name}: {'; '.join(p)}" for name, p in cut.items())


def test_every_screen_has_a_way_to_open_it():
    """A new screen or dialog is checked here too once it has a line in WAYS."""
    opened = {way.shows for way in WAYS.values()}
    missing = []
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"gatsby_tui.screens.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Screen):
                if name not in opened and name not in NOT_OPENED:
                    missing.append(f"{info.name}.{name}")
    assert not missing, f"screens with no line in WAYS (tests/test_ui_fit.py): {missing}"


async def test_f1_opens_help_inside_a_dialog_with_the_keys_that_work_there(demo):
    store, ids = demo
    app = build_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("a")                       # the register's Add: the pupil form
        await pilot.pause()
        assert type(app.screen).__name__ == "PupilForm"
        await fill(pilot, "Okafor", "#legal_surname")
        # ? is a character in a text box, not help.
        await pilot.press("end", "question_mark")
        assert app.screen.query_one("#legal_surname").value == "Okafor?"
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        text = screen_text(app)
        assert "Check and save what you typed." in text               # the form's own keys
        assert "In focus: A text box" in text                         # what has focus in the form
        assert "Go to the pupil register." not in text                # F2 waits until the form closes
        assert any(line.split("Show the keys")[0].strip(" │┃█▌▐") == "F1"  # ? types into the field here
                   for line in text.splitlines() if "Show the keys for this screen" in line)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "PupilForm"               # back in the form, typing kept
        assert app.screen.query_one("#legal_surname").value == "Okafor?"
        # The same in a dialog opened from a list: the booking dialog (b on the register).
        app.pop_screen()
        await pilot.pause()
        await pilot.press("b")
        await settle(pilot)
        assert type(app.screen).__name__ == "BookingForm"
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Type when, the way you would say it" in screen_text(app)


def test_a_keymap_cannot_give_help_a_key_that_types():
    """Help's key is seen before the field with focus (so it works in dialogs): a letter there
    would stop that letter being typed anywhere, so such an entry is refused in a sentence."""
    from gatsby_tui import actions

    keymap, problems = actions.check_keymap({"help": "f1,h", "register.add": "n"})
    assert keymap == {"register.add": "n"}
    assert problems == ["In the keymap, h for 'help' types a character, and this key is taken even while you "
                        "type in a field (so that it works in dialogs too): choose a key such as f11 or ctrl+h. "
                        "It is ignored."]
    keymap, problems = actions.check_keymap({"help": "f11"})
    assert keymap == {"help": "f11"} and not problems
