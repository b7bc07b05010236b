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
from datetime import datetime
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
    "activity_form": "activity_form:ActivityForm",
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
    "sign_off": "record_dialogs:SignOffConfirm",
    "record_action": "record_dialogs:ActionForm",
    "amend": "record_dialogs:AmendDialog",
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


def _opener(name: str, takes: str) -> Callable[..., None]:
    def open_screen(app: Any, *args: Any, callback: Callback = None, **kwargs: Any) -> None:
        _push(app, name, *args, callback=callback, **kwargs)

    open_screen.__doc__ = f"Open {SCREENS[name]} with {takes}."
    return open_screen


# The screens opened with no more than their own arguments, and what each takes after the app.
open_pupil = _opener("pupil", "(pupil_id, callback=None)")
edit_pupil = _opener("pupil_form", "(pupil_id or None for a new pupil, callback=None): the callback gets the id saved")
mark_left = _opener("mark_left", "(pupil_id, callback=None)")
open_record = _opener("record", "(record_id, callback=None)")
confirm_sign_off = _opener("sign_off", "(the pupil's name, callback=True to sign the record off)")
add_record_action = _opener("record_action", "(pupil_id, record_id, callback=the new action's id or None)")
amend_record = _opener("amend", "(record_id, the field first shown, callback=the amendment's id or None)")
open_meeting = _opener("meeting", "(interview_id, callback=None)")
open_action = _opener("action", "(action_id, callback=None)")
open_plan = _opener("plan", "(pupil_id, callback=None)")
open_destinations = _opener("destinations", "(pupil_id, callback=None)")
open_bulk_export = _opener("bulk_export", "(pupil_ids, words for who they are)")
log_request = _opener("sar_form", "(pupil_id): the form recording a subject access request")
open_audit_entry = _opener("audit_entry", "(entry_id)")
open_activity = _opener("activity", "(activity_id, callback=None)")
edit_activity = _opener("activity_form", "(activity_id or None for a new one, preset=, callback=the id saved or None)")
choose_activity = _opener("activity_chooser", "(question, callback=chosen id or None)")
attach_pupils = _opener("attach", "(activity_id, 'year' | 'form' | 'ids', ids=, label=, callback=None)")
choose_pupil = _opener("pupil_picker", "(question, callback=chosen id or None)")
show_benchmark = _opener("benchmark_details", "(a pupil's benchmark states)")
choose_adviser = _opener("adviser_chooser", "(callback=None)")
book_many = _opener("bulk_booking", "(pupil_ids=, chosen= words, callback=None): bulk booking")
open_clinics = _opener("clinics", "()")
export_calendar = _opener("ics_export", "(first day, last day)")
save_csv = _opener("save_csv", "(which list, its filters, how many rows or None): the whole list as a CSV file")
import_pupils = _opener("import_pupils", "(callback=True once something was written)")
ask_note = _opener("note", "(title, placeholder, callback=the note or None)")
pick_snippet = _opener("snippet_picker", "(callback=the snippet's text or None)")
edit_programme_page = _opener("programme_page", "()")
edit_school = _opener("school", "()")
open_retention = _opener("retention", "()")
show_help = _opener("help", "(the screen underneath)")
show_damaged = _opener("damaged", "(the problem found, in words)")


# ---------------------------------------------------------------- screens that take more
def open_export(app: Any, pupil_id: int, *, record_id: int | None = None, sar_id: int | None = None,
                callback: Callback = None) -> None:
    """The export of one pupil's record (or a record's action plan, or the answer to a request)."""
    kwargs = {k: v for k, v in (("record_id", record_id), ("sar_id", sar_id)) if v is not None}
    _push(app, "export", pupil_id, callback=callback, **kwargs)


def open_requests(app: Any, *, show_all: bool = False) -> None:
    """Subject access requests: the open ones, or every one with ``show_all``."""
    screen = screen_class("sars")()
    screen.show_all = show_all  # type: ignore[attr-defined]
    app.push_screen(screen)


def open_audit(app: Any, *, pupil_id: int | None = None, adviser_id: int | None = None) -> None:
    _push(app, "audit", pupil_id=pupil_id, adviser_id=adviser_id)


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


# ---------------------------------------------------------------- what other screens show
def register_filter(app: Any) -> Any:
    """The register's current search and filters (a PupilFilter), if the register has been opened."""
    for stack in getattr(app, "_screen_stacks", {}).values():
        for screen in stack:
            if getattr(screen, "SCOPE", None) == "register" and hasattr(screen, "filter"):
                return screen.filter
    return None
