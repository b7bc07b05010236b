"""Opening one screen from another. Every screen or dialog another screen opens is built here,
once, by what it shows (a pupil, a record, a plan ...), so no screen module imports another:
a screen calls ``navigation.open_pupil(self.app, pupil_id)`` and the pupil screen is made in
``open_pupil`` alone.

The screen classes are found by name in ``SCREENS`` and imported when first opened (their
modules import Textual widgets and, through them, nothing else on the way to the first frame):
this module imports no screen module, so screens, the app and this module form no import
circle. tests/test_layers.py checks every name here resolves to a screen class.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any, Callable

from textual.screen import Screen

Callback = Callable[[Any], None] | None

# What can be opened, by short name: "module:Class" under gatsby_tui/screens.
SCREENS: dict[str, str] = {
    # the screens the function keys switch between (App.MODES)
    "register": "register:RegisterScreen",
    "agenda": "agenda:AgendaScreen",
    "follow_ups": "follow_ups:FollowUpsScreen",
    "reviews": "reviews_due:ReviewsDueScreen",
    "leavers": "leavers:LeaversScreen",
    "activities": "activities:ActivitiesScreen",
    "cohort": "cohort:CohortScreen",
    "programme": "programme:ProgrammeScreen",
    # the screens and dialogs opened from others
    "activity": "activities:ActivityScreen",
    "activity_chooser": "activities:ActivityChooser",
    "attach": "activities:AttachScreen",
    "adviser_chooser": "advisers:AdviserChooser",
    "adviser_form": "advisers:AdviserForm",
    "audit": "audit:AuditScreen",
    "audit_entry": "audit:AuditEntryDialog",
    "booking": "booking:BookingForm",
    "follow_up_booking": "booking:FollowUpBookingForm",
    "bulk_booking": "bulk:BulkBookingScreen",
    "benchmark_details": "benchmark_strip:BenchmarkDetails",
    "clinics": "clinics:ClinicsScreen",
    "damaged": "damaged:DamagedScreen",
    "destinations": "destinations:DestinationsScreen",
    "export": "export:ExportScreen",
    "bulk_export": "export:BulkExportScreen",
    "sar_form": "export:SarForm",
    "sars": "export:SarsScreen",
    "action": "follow_ups:ActionDialog",
    "note": "follow_ups:NoteDialog",
    "help": "help:HelpScreen",
    "ics_export": "ics_export:IcsExportScreen",
    "import_pupils": "import_pupils:ImportScreen",
    "mark_left": "mark_left:MarkLeftScreen",
    "meeting": "meeting:MeetingScreen",
    "pupil_picker": "picker:PupilPicker",
    "plan": "plan:PlanScreen",
    "programme_page": "school:ProgrammePageForm",
    "pupil": "pupil:PupilScreen",
    "pupil_form": "pupil_form:PupilForm",
    "record": "record:RecordScreen",
    "retention": "retention:RetentionScreen",
    "save_csv": "save_csv:SaveCsvDialog",
    "school": "school:SchoolForm",
    "snippet_picker": "snippets:SnippetPicker",
}


def screen_class(name: str) -> type[Screen]:
    """The screen class registered as ``name`` (its module imported on first use)."""
    module, _, cls = SCREENS[name].partition(":")
    return getattr(importlib.import_module(f"gatsby_tui.screens.{module}"), cls)


def is_showing(app: Any, name: str) -> bool:
    """Whether the screen on top is the one registered as ``name`` (so it is not opened twice)."""
    return isinstance(app.screen, screen_class(name))


def _push(app: Any, name: str, *args: Any, callback: Callback = None, **kwargs: Any) -> Screen:
    screen = screen_class(name)(*args, **kwargs)
    app.push_screen(screen, callback=callback)
    return screen


# ---------------------------------------------------------------- a pupil and their record
def open_pupil(app: Any, pupil_id: int, callback: Callback = None) -> None:
    _push(app, "pupil", pupil_id, callback=callback)


def edit_pupil(app: Any, pupil_id: int | None, callback: Callback = None) -> None:
    """The pupil form: a new pupil when ``pupil_id`` is None (the callback gets the new id)."""
    _push(app, "pupil_form", pupil_id, callback=callback)


def mark_left(app: Any, pupil_id: int, callback: Callback = None) -> None:
    _push(app, "mark_left", pupil_id, callback=callback)


def open_record(app: Any, record_id: int, callback: Callback = None) -> None:
    _push(app, "record", record_id, callback=callback)


def open_meeting(app: Any, interview_id: int, callback: Callback = None) -> None:
    _push(app, "meeting", interview_id, callback=callback)


def open_action(app: Any, action_id: int, callback: Callback = None) -> None:
    _push(app, "action", action_id, callback=callback)


def open_plan(app: Any, pupil_id: int, callback: Callback = None) -> None:
    _push(app, "plan", pupil_id, callback=callback)


def open_destinations(app: Any, pupil_id: int, callback: Callback = None) -> None:
    _push(app, "destinations", pupil_id, callback=callback)


def open_export(app: Any, pupil_id: int, *, record_id: int | None = None, sar_id: int | None = None,
                callback: Callback = None) -> None:
    """The export of one pupil's record (or a record's action plan, or the answer to a request)."""
    kwargs = {k: v for k, v in (("record_id", record_id), ("sar_id", sar_id)) if v is not None}
    _push(app, "export", pupil_id, callback=callback, **kwargs)


def open_bulk_export(app: Any, pupil_ids: list[int], what: str) -> None:
    _push(app, "bulk_export", pupil_ids, what)


def log_request(app: Any, pupil_id: int) -> None:
    """The form recording a subject access request for a pupil."""
    _push(app, "sar_form", pupil_id)


def open_requests(app: Any, *, show_all: bool = False) -> None:
    """Subject access requests: the open ones, or every one with ``show_all``."""
    screen = screen_class("sars")()
    screen.show_all = show_all  # type: ignore[attr-defined]
    app.push_screen(screen)


def open_audit(app: Any, *, pupil_id: int | None = None, adviser_id: int | None = None) -> None:
    _push(app, "audit", pupil_id=pupil_id, adviser_id=adviser_id)


def open_audit_entry(app: Any, entry_id: int) -> None:
    _push(app, "audit_entry", entry_id)


def open_activity(app: Any, activity_id: int, callback: Callback = None) -> None:
    _push(app, "activity", activity_id, callback=callback)


def choose_activity(app: Any, title: str, callback: Callback) -> None:
    _push(app, "activity_chooser", title, callback=callback)


def attach_pupils(app: Any, activity_id: int, mode: str, callback: Callback = None, **kwargs: Any) -> None:
    """Attach pupils to an activity: by ``mode`` 'year', 'form' or 'ids' (``ids=``, ``label=``)."""
    _push(app, "attach", activity_id, mode, callback=callback, **kwargs)


def choose_pupil(app: Any, title: str, callback: Callback) -> None:
    _push(app, "pupil_picker", title, callback=callback)


def show_benchmark(app: Any, *args: Any, **kwargs: Any) -> None:
    _push(app, "benchmark_details", *args, **kwargs)


# ---------------------------------------------------------------- bookings and advisers
def choose_adviser(app: Any, callback: Callback = None) -> None:
    _push(app, "adviser_chooser", callback=callback)


def add_adviser(app: Any, callback: Callback = None) -> None:
    _push(app, "adviser_form", None, callback=callback)


def book(app: Any, pupil_id: int, *, start: datetime | None = None, follow_up_reason: str | None = None,
         callback: Callback = None) -> None:
    """The booking form for a pupil (a follow-up meeting, its reason filled in, when
    ``follow_up_reason`` is given), asking who the adviser is first if nobody is chosen."""

    def open_form(_: Any = None) -> None:
        if app.store.adviser_id is None:
            return
        if follow_up_reason is None:
            _push(app, "booking", pupil_id, start=start, callback=callback)
        else:
            _push(app, "follow_up_booking", pupil_id, start=start, reason=follow_up_reason, callback=callback)

    if app.store.adviser_id is None:
        choose_adviser(app, callback=open_form)
    else:
        open_form()


def move_booking(app: Any, pupil_id: int, interview_id: int, callback: Callback = None) -> None:
    _push(app, "booking", pupil_id, interview_id=interview_id, callback=callback)


def book_many(app: Any, callback: Callback = None, **kwargs: Any) -> None:
    """Bulk booking (for ``pupil_ids=`` with ``chosen=`` words, or chosen on the form)."""
    _push(app, "bulk_booking", callback=callback, **kwargs)


def open_clinics(app: Any) -> None:
    _push(app, "clinics")


def export_calendar(app: Any, first: date, last: date) -> None:
    _push(app, "ics_export", first, last)


# ---------------------------------------------------------------- files, forms and dialogs
def save_csv(app: Any, kind: str, filters: dict[str, Any], total: int | None) -> None:
    """Save a whole list (every page, as filtered) as a CSV file."""
    _push(app, "save_csv", kind, filters, total)


def import_pupils(app: Any, callback: Callback = None) -> None:
    _push(app, "import_pupils", callback=callback)


def ask_note(app: Any, *args: Any, callback: Callback = None, **kwargs: Any) -> None:
    """A one-line dialog asking for a note or reason (see screens/follow_ups.py: NoteDialog)."""
    _push(app, "note", *args, callback=callback, **kwargs)


def pick_snippet(app: Any, callback: Callback) -> None:
    _push(app, "snippet_picker", callback=callback)


def edit_programme_page(app: Any) -> None:
    _push(app, "programme_page")


def edit_school(app: Any) -> None:
    _push(app, "school")


def open_retention(app: Any) -> None:
    _push(app, "retention")


def show_help(app: Any, screen: Screen) -> None:
    _push(app, "help", screen)


def show_damaged(app: Any, problem: str) -> None:
    _push(app, "damaged", problem)


def register_filter(app: Any) -> Any:
    """The register's current search and filters (a PupilFilter), if the register has been opened."""
    for stack in getattr(app, "_screen_stacks", {}).values():
        for screen in stack:
            if getattr(screen, "SCOPE", None) == "register" and hasattr(screen, "filter"):
                return screen.filter
    return None
