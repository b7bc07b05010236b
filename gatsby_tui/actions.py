"""One list of the app's actions. It feeds the footer (BINDINGS), the help
screen (F1) and the command palette (ctrl+p), so the three never disagree.

No Textual import here beyond Binding, which is a plain dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Act:
    id: str              # binding id (users may remap it with App.set_keymap)
    keys: str            # Textual key spec, e.g. "a" or "f1,question_mark"
    action: str          # the action method name, without "action_"
    title: str           # short, for the footer
    help: str            # a sentence, for the help screen and the palette
    scope: str           # "app", "register", "pupil", "form", "import", "help"
    footer: bool = True
    palette: bool = True
    priority: bool = False


ACTIONS: tuple[Act, ...] = (
    # Everywhere
    Act("help", "f1,question_mark", "help", "Help", "Show the keys for this screen and help for what has focus.", "app"),
    Act("quit", "ctrl+q", "quit", "Quit", "Quit gatsby-tui. Everything is already saved.", "app",
        footer=False, palette=False),
    Act("go.register", "f2", "go_register", "Register", "Go to the pupil register.", "app"),
    Act("go.agenda", "f3", "go_agenda", "Agenda", "Go to your agenda: day and week views of your bookings.", "app"),
    Act("adviser.switch", "f4", "switch_adviser", "Adviser",
        "Choose who is using the app (recorded in the audit log), or add an adviser.", "app"),
    # The register
    Act("register.search", "slash", "focus_search", "Search",
        "Search by forename, surname, preferred name, UPN or form as you type.", "register"),
    Act("register.add", "a", "add_pupil", "Add", "Add a pupil to the register.", "register"),
    Act("register.edit", "e", "edit_pupil", "Edit", "Edit the highlighted pupil's details.", "register"),
    Act("register.open", "enter", "open_pupil", "Open", "Open the highlighted pupil: details and history.",
        "register", footer=False),
    Act("register.book", "b", "book", "Book", "Book a meeting for the highlighted pupil.", "register"),
    Act("register.import", "i", "import_pupils", "Import",
        "Import or update pupils from a CSV exported from the school's MIS, with a preview first.", "register"),
    Act("register.sort", "s", "toggle_sort", "Sort", "Sort by name, or by year group then name.", "register"),
    Act("register.filters", "f", "focus_filters", "Filters",
        "Move to the filters: year group, SEN status, flags, on roll or left.", "register"),
    Act("register.clear", "escape", "clear", "Clear",
        "Clear the search and filters, and go back to the list.", "register", footer=False),
    Act("register.down", "j", "cursor_down", "Down", "Move down the list.", "register", footer=False, palette=False),
    Act("register.up", "k", "cursor_up", "Up", "Move up the list.", "register", footer=False, palette=False),
    Act("register.top", "g", "cursor_top", "Top", "Go to the first pupil.", "register", footer=False, palette=False),
    Act("register.bottom", "G", "cursor_bottom", "Bottom", "Go to the last pupil loaded (loads more).",
        "register", footer=False, palette=False),
    # One pupil
    Act("pupil.edit", "e", "edit_pupil", "Edit", "Edit this pupil's details.", "pupil"),
    Act("pupil.book", "b", "book", "Book", "Book a meeting for this pupil.", "pupil"),
    Act("pupil.left", "l", "mark_left", "Left/on roll",
        "Mark this pupil as left (with a date), or back on roll. Pupils are never deleted here.", "pupil"),
    Act("pupil.back", "escape", "back", "Back", "Back to the register.", "pupil"),
    # Forms
    Act("form.save", "ctrl+s", "save", "Save", "Check and save what you typed.", "form", priority=True),
    Act("form.cancel", "escape", "cancel", "Cancel", "Close without saving.", "form", priority=True),
    # Import
    Act("import.run", "ctrl+s", "commit", "Import", "Write the previewed rows to the database.", "import",
        priority=True),
    Act("import.close", "escape", "cancel", "Close", "Close the import.", "import", priority=True),
    # The agenda
    Act("agenda.prev", "p,left_square_bracket", "prev", "Prev", "Go back a day (a week in the week view).", "agenda"),
    Act("agenda.next", "n,right_square_bracket", "next", "Next", "Go forward a day (a week in the week view).", "agenda"),
    Act("agenda.today", "t", "today", "Today", "Jump to today.", "agenda"),
    Act("agenda.week", "w", "toggle_week", "Week", "Switch between the day view and the week view.", "agenda"),
    Act("agenda.open", "enter", "open", "Open",
        "Open the highlighted meeting, or book the highlighted free slot.", "agenda", footer=False),
    Act("agenda.bulk", "B", "bulk", "Bulk",
        "Book many pupils at once into your free slots: filter, order by priority, preview, commit.", "agenda"),
    Act("agenda.clinics", "c", "clinics", "Clinics", "Your clinic hours and days off.", "agenda"),
    Act("agenda.ics", "x", "export_ics", "Export",
        "Export your bookings in a date range as an iCalendar (.ics) file for Outlook or Google Calendar.",
        "agenda"),
    Act("agenda.down", "j", "cursor_down", "Down", "Move down.", "agenda", footer=False, palette=False),
    Act("agenda.up", "k", "cursor_up", "Up", "Move up.", "agenda", footer=False, palette=False),
    # One meeting
    Act("meeting.move", "m", "move", "Move", "Move the meeting to another time.", "meeting"),
    Act("meeting.held", "h", "held", "Held", "Mark the meeting as held.", "meeting"),
    Act("meeting.dna", "d", "did_not_attend", "Did not attend", "Mark that the pupil did not attend.", "meeting"),
    Act("meeting.cancel", "c", "cancel_meeting", "Cancel meeting", "Cancel the meeting, with a reason.", "meeting"),
    Act("meeting.reinstate", "r", "reinstate", "Reinstate", "Put a cancelled or missed meeting back as booked.",
        "meeting"),
    Act("meeting.pupil", "o", "open_pupil", "Pupil", "Open the pupil's details and history.", "meeting"),
    Act("meeting.close", "escape", "close", "Close", "Close.", "meeting", priority=True),
    # Bulk booking
    Act("bulk.preview", "ctrl+r", "preview", "Preview", "Work out the timetable for the filtered pupils.", "bulk",
        priority=True),
    Act("bulk.drop", "delete,x", "drop", "Remove", "Leave the highlighted pupil out of this timetable.", "bulk"),
    Act("bulk.commit", "ctrl+s", "commit", "Book all", "Book every pupil in the timetable, in one go.", "bulk",
        priority=True),
    Act("bulk.close", "escape", "close", "Close", "Close without booking.", "bulk", priority=True),
    # Clinic hours
    Act("clinics.add", "a", "add_clinic", "Add hours", "Add a recurring clinic (e.g. Tuesdays 09:00–15:00).", "clinics"),
    Act("clinics.off", "o", "add_exception", "Day off", "Add a day or holiday when clinics do not run.", "clinics"),
    Act("clinics.remove", "x", "remove_clinic", "Remove", "Remove the highlighted clinic pattern.", "clinics"),
    Act("clinics.close", "escape", "close", "Back", "Back to the agenda.", "clinics"),
    # Pick a pupil
    Act("picker.choose", "enter", "choose", "Choose", "Choose the highlighted pupil.", "picker", footer=False),
    Act("picker.close", "escape", "close", "Close", "Close without choosing.", "picker", priority=True),
    # Help
    Act("help.close", "escape", "close", "Close", "Close the help.", "help", priority=True),
)


def in_scope(scope: str) -> list[Act]:
    return [a for a in ACTIONS if a.scope == scope]


def bindings(scope: str) -> list[Binding]:
    return [
        Binding(a.keys, a.action, a.title, show=a.footer, id=a.id, priority=a.priority)
        for a in in_scope(scope)
    ]


def key_label(keys: str) -> str:
    names = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter",
             "left_square_bracket": "[", "right_square_bracket": "]", "delete": "Delete"}
    out = []
    for key in keys.split(","):
        key = names.get(key, key)
        out.append(key.replace("ctrl+", "Ctrl+").replace("f1", "F1"))
    return " / ".join(out)
