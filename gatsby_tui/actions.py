"""One list of the app's actions. It feeds the footer (BINDINGS), the help
screen (F1) and the command palette (ctrl+p), so the three never disagree.

No Textual import here beyond Binding, which is a plain dataclass, and key_to_character.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.keys import key_to_character


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
    Act("help", "f1,question_mark", "help", "Help", "Show the keys for this screen and help for what has focus.", "app",
        priority=True),
    Act("quit", "ctrl+q", "quit", "Quit", "Quit gatsby-tui. Everything is already saved.", "app",
        footer=False, palette=False),
    Act("go.register", "f2", "go_register", "Register", "Go to the pupil register.", "app", footer=False),
    Act("go.agenda", "f3", "go_agenda", "Agenda", "Go to your agenda: day and week views of your bookings.", "app", footer=False),
    Act("adviser.switch", "f4", "switch_adviser", "Adviser",
        "Choose who is using the app (recorded in the audit log), or add an adviser.", "app", footer=False),
    Act("go.follow_ups", "f5", "go_follow_ups", "Follow-ups",
        "Go to your follow-ups: every open action across pupils, overdue first.", "app", footer=False),
    Act("audit.adviser", "", "audit_by_adviser", "Audit log by adviser",
        "Choose an adviser and see every change recorded in their name (read only).", "app", footer=False),
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
    Act("register.csv", "ctrl+e", "save_csv", "Save CSV",
        "Save the whole list as shown (search, filters and order) as a CSV file for a spreadsheet.", "register",
        priority=True),
    # One pupil
    Act("pupil.edit", "e", "edit_pupil", "Edit", "Edit this pupil's details.", "pupil"),
    Act("pupil.book", "b", "book", "Book", "Book a meeting for this pupil.", "pupil"),
    Act("pupil.left", "l", "mark_left", "Left/on roll",
        "Mark this pupil as left (with a date), or back on roll. Pupils are never deleted here.", "pupil"),
    Act("pupil.back", "escape", "back", "Back",
        "Clear the history's search and kind filter; with none, go back to the register.", "pupil"),
    Act("pupil.open", "enter", "open_item", "Open",
        "Open the highlighted history item: a record, a meeting, an action or an audit entry.", "pupil",
        footer=False),
    Act("pupil.search", "slash", "focus_search", "Search", "Search within this pupil's history as you type.", "pupil"),
    Act("pupil.kind", "f", "choose_kind", "Kind",
        "Show one kind of history item only (meetings, records, actions, register changes, ...).", "pupil",
        footer=False),
    Act("pupil.record", "n", "new_record", "New record",
        "Start a meeting record for an unplanned conversation with this pupil.", "pupil"),
    Act("pupil.audit", "u", "audit", "Audit log", "Every change recorded for this pupil: who, when, before and after.",
        "pupil"),
    Act("pupil.down", "j", "cursor_down", "Down", "Move down the history.", "pupil", footer=False, palette=False),
    Act("pupil.up", "k", "cursor_up", "Up", "Move up the history.", "pupil", footer=False, palette=False),
    Act("pupil.top", "g", "cursor_top", "Top", "Go to the newest item.", "pupil", footer=False, palette=False),
    Act("pupil.bottom", "G", "cursor_bottom", "Bottom", "Go to the oldest item shown.", "pupil", footer=False,
        palette=False),
    Act("pupil.benchmarks", "enter", "details", "Benchmarks",
        "On the benchmark strip: what is missing for each of the eight benchmarks, and the evidence.",
        "benchmark_strip", footer=False, palette=False),
    # My follow-ups (open actions across pupils)
    Act("follow.done", "d", "done", "Done", "Mark the highlighted action as done.", "follow_ups"),
    Act("follow.reassign", "r", "reassign", "Reassign",
        "Give the highlighted action to someone else: the pupil, adviser, school or parent/carer.", "follow_ups"),
    Act("follow.cancel", "c", "cancel_action", "Cancel",
        "Cancel the highlighted action, with a note saying why.", "follow_ups"),
    Act("follow.open", "enter,o", "open_pupil", "Pupil", "Open the highlighted action's pupil: details and history.",
        "follow_ups"),
    Act("follow.view", "v", "view_action", "Changes",
        "Show the highlighted action with every status and owner change, with dates.", "follow_ups"),
    Act("follow.filters", "f", "focus_filters", "Filters",
        "Move to the filters: owner, due on or before a date, yours or every adviser's.", "follow_ups",
        footer=False),
    Act("follow.clear", "escape", "clear", "Clear", "Clear the filters and go back to the list.", "follow_ups",
        footer=False),
    Act("follow.down", "j", "cursor_down", "Down", "Move down the list.", "follow_ups", footer=False, palette=False),
    Act("follow.up", "k", "cursor_up", "Up", "Move up the list.", "follow_ups", footer=False, palette=False),
    Act("follow.top", "g", "cursor_top", "Top", "Go to the first action.", "follow_ups", footer=False, palette=False),
    Act("follow.bottom", "G", "cursor_bottom", "Bottom", "Go to the last action loaded (loads more).",
        "follow_ups", footer=False, palette=False),
    Act("follow.undo", "u", "undo_done", "Undo done",
        "Reopen the action you last marked done in this list (a slip of the D key).", "follow_ups"),
    Act("follow.home", "home", "screen.cursor_top", "First", "Go to the first action.", "follow_ups_table",
        footer=False, palette=False),
    Act("follow.end", "end", "screen.cursor_last", "Last", "Go to the very last action (all of them loaded).",
        "follow_ups_table", footer=False, palette=False),
    Act("follow.csv", "ctrl+e", "save_csv", "Save CSV",
        "Save every open action the filters show as a CSV file for a spreadsheet.", "follow_ups", priority=True),
    # One action
    Act("action.done", "d", "done", "Done", "Mark this action as done.", "action"),
    Act("action.cancel", "c", "cancel_action", "Cancel action", "Cancel this action, with a note saying why.",
        "action"),
    Act("action.reopen", "o", "reopen", "Reopen", "Reopen a done or cancelled action.", "action"),
    Act("action.reassign", "r", "reassign", "Reassign",
        "Give this action to someone else: the pupil, adviser, school or parent/carer.", "action"),
    Act("action.close", "escape", "close", "Close", "Close.", "action", priority=True),
    # The audit log (read only: nothing here changes or deletes an entry)
    Act("audit.open", "enter", "open_entry", "Entry", "Show the whole highlighted entry: before and after.", "audit",
        footer=False),
    Act("audit.back", "escape", "back", "Back", "Back to where you were.", "audit"),
    Act("audit.down", "j", "cursor_down", "Down", "Move down the log.", "audit", footer=False, palette=False),
    Act("audit.up", "k", "cursor_up", "Up", "Move up the log.", "audit", footer=False, palette=False),
    Act("audit.top", "g", "cursor_top", "Top", "Go to the newest entry.", "audit", footer=False, palette=False),
    Act("audit.bottom", "G", "cursor_bottom", "Bottom", "Go to the oldest entry loaded (loads more).", "audit",
        footer=False, palette=False),
    Act("audit.close", "escape", "close", "Close", "Close this entry.", "audit_entry", priority=True),
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
    Act("meeting.record", "w", "record", "Record",
        "Open this meeting's record, or start it: what was discussed, the agreed decisions and actions.",
        "meeting"),
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
    # Who is using the app (F4), and passwords for signing in from a browser
    Act("advisers.choose", "enter", "choose", "Choose", "Choose the highlighted adviser.", "advisers", footer=False),
    Act("advisers.password", "p", "password", "Password",
        "Give the highlighted adviser a password for signing in from a browser (gatsby-tui serve), or change it.",
        "advisers"),
    Act("advisers.no_password", "x", "remove_password", "No password",
        "Take away the highlighted adviser's password: they can no longer sign in from a browser.", "advisers"),
    Act("advisers.close", "escape", "close", "Close", "Close without choosing.", "advisers", priority=True),
    # Pick a pupil
    Act("picker.choose", "enter", "choose", "Choose", "Choose the highlighted pupil.", "picker", footer=False),
    Act("picker.close", "escape", "close", "Close", "Close without choosing.", "picker", priority=True),
    # A meeting record (text editors have focus: ctrl and F keys only, a second key where terminals
    # swallow one: tmux takes ctrl+b, some editors' terminals take ctrl+n/ctrl+t/ctrl+r). F1 to F9 are
    # the app's own keys everywhere, so no screen binds them (a test checks).
    Act("record.save", "ctrl+s", "save", "Save", "Save the record as typed (it stays a draft until signed off).",
        "record", priority=True),
    Act("record.sign_off", "ctrl+o", "sign_off", "Sign off",
        "Sign off a complete record (yours only). It is then locked: later changes are amendments.", "record"),
    Act("record.amend", "ctrl+r", "amend", "Amend",
        "Amend a field of a signed-off record, with a reason; the earlier text stays visible.", "record"),
    Act("record.snippets", "ctrl+t,f12", "snippets", "Snippets",
        "Insert one of your snippets at the cursor of the text field you were in; add or delete snippets.",
        "record"),
    Act("record.action_add", "ctrl+n", "add_action", "Add action",
        "Add an action agreed in this meeting: what, who owns it, by when.", "record"),
    Act("record.action_done", "ctrl+g", "toggle_action", "Done/reopen",
        "Mark the highlighted action done, or reopen it (the change is kept with its date).", "record"),
    Act("record.follow_up", "ctrl+b,f10", "book_follow_up", "Book follow-up",
        "Book the follow-up meeting now, on or after the follow-up date typed in the record.", "record"),
    Act("record.close", "escape", "close", "Close",
        "Close the record. Unsaved typing is kept as a draft and comes back when you open it again.",
        "record", priority=True),
    # Confirm sign-off
    Act("signoff.yes", "y", "confirm", "Sign off", "Sign the record off now; it is then locked.", "signoff"),
    Act("signoff.no", "n,escape", "cancel", "Not yet", "Go back to the record without signing it off.",
        "signoff", priority=True),
    # Discard what was typed in a form?
    Act("discard.yes", "y", "discard", "Discard", "Close the form and lose what you typed.", "discard"),
    Act("discard.no", "n,escape", "keep", "Keep typing", "Go back to the form; nothing is lost.", "discard",
        priority=True),
    # Snippets
    Act("snippets.insert", "enter", "insert", "Insert", "Insert the highlighted snippet at the cursor.", "snippets"),
    Act("snippets.add", "ctrl+n", "add", "New snippet", "Add a snippet: a title and the text to insert.",
        "snippets"),
    Act("snippets.delete", "ctrl+delete,ctrl+d", "delete", "Delete",
        "Delete the highlighted snippet (press twice: the first press asks).", "snippets",
        priority=True),   # before the filter box, which would take both keys as "delete to the right"
    Act("snippets.down", "down", "cursor_down", "Down", "Move down the snippets.", "snippets", footer=False,
        palette=False),
    Act("snippets.up", "up", "cursor_up", "Up", "Move up the snippets.", "snippets", footer=False, palette=False),
    Act("snippets.close", "escape", "close", "Close", "Close without inserting.", "snippets", priority=True),
    # ---- individual plans (SEND) and destinations
    Act("go.reviews", "f6", "go_reviews", "Reviews due", "Go to Reviews due: SEND plans needing attention.", "app", footer=False),
    Act("go.leavers", "f7", "go_leavers", "Leavers", "Go to Leavers: destinations by leaving cohort.", "app", footer=False),
    Act("pupil.plan", "p", "open_plan", "Plan",
        "Open this pupil's individual plan (SEND): aspirations, outcomes, targets, reviews and versions.", "pupil"),
    Act("pupil.destinations", "d", "open_destinations", "Destinations",
        "This pupil's intended and actual destinations, checks after leaving, and consent.", "pupil"),
    # One plan
    Act("plan.new", "n", "new_plan", "Start plan", "Start an individual plan for this pupil.", "plan"),
    Act("plan.edit", "e", "edit_plan", "Edit",
        "Edit the current version's text (aspirations, strengths, needs, support) and the plan's dates.", "plan"),
    Act("plan.target", "t", "add_target", "Add target",
        "Add a target in one of the four Preparing-for-Adulthood areas to the current version.", "plan"),
    Act("plan.target_edit", "enter", "edit_target", "Edit target",
        "Change the highlighted target: status, evidence, by when, who helps.", "plan"),
    Act("plan.review", "r", "hold_review", "Hold review",
        "Record a review held: date, who took part, what changed, next review. It makes a new version.", "plan"),
    Act("plan.compare", "c", "compare", "Compare",
        "Compare the version shown (or the one before the current) with the current version.", "plan"),
    Act("plan.older", "left_square_bracket", "older", "Older version", "Show the version before this one.", "plan"),
    Act("plan.newer", "right_square_bracket", "newer", "Newer version", "Show the version after this one.", "plan"),
    Act("plan.down", "j", "cursor_down", "Down", "Move down the targets.", "plan", footer=False, palette=False),
    Act("plan.up", "k", "cursor_up", "Up", "Move up the targets.", "plan", footer=False, palette=False),
    Act("plan.back", "escape", "back", "Back", "Back to where you were.", "plan"),
    # Comparing two versions
    Act("compare.older", "left_square_bracket", "older", "Older",
        "Compare an older version with the current one.", "compare"),
    Act("compare.newer", "right_square_bracket", "newer", "Newer",
        "Compare a newer version with the current one.", "compare"),
    Act("compare.changed", "u", "toggle_unchanged", "Hide/show unchanged",
        "Show only what changed, or everything.", "compare"),
    Act("compare.close", "escape", "close", "Close", "Back to the plan.", "compare", priority=True),
    # Reviews due
    Act("reviews.open", "enter", "open_plan", "Plan", "Open the highlighted pupil's plan (or start one).", "reviews"),
    Act("reviews.pupil", "o", "open_pupil", "Pupil", "Open the highlighted pupil's details and history.", "reviews"),
    Act("reviews.down", "j", "cursor_down", "Down", "Move down the list.", "reviews", footer=False, palette=False),
    Act("reviews.up", "k", "cursor_up", "Up", "Move up the list.", "reviews", footer=False, palette=False),
    Act("reviews.top", "g", "cursor_top", "Top", "Go to the first pupil.", "reviews", footer=False, palette=False),
    Act("reviews.bottom", "G", "cursor_bottom", "Bottom", "Go to the last pupil loaded (loads more).", "reviews",
        footer=False, palette=False),
    # Leavers
    Act("leavers.prev", "left_square_bracket", "prev_cohort", "Earlier cohort", "Show the cohort a year earlier.",
        "leavers"),
    Act("leavers.next", "right_square_bracket", "next_cohort", "Later cohort", "Show the cohort a year later.",
        "leavers"),
    Act("leavers.all", "a", "view('all')", "All", "List every leaver of the cohort.", "leavers"),
    Act("leavers.unknown", "u", "view('unknown')", "Not known",
        "List leavers with no known destination (nothing recorded, or not known 810-830).", "leavers"),
    Act("leavers.neet", "n", "view('neet')", "NEET", "List leavers who are NEET (codes 540-680).", "leavers"),
    Act("leavers.checks", "c", "view('checks_due')", "Checks due",
        "List leavers (with consent) whose 1-, 2- or 3-year check is due within 30 days or overdue.", "leavers"),
    Act("leavers.open", "enter", "open_destinations", "Destinations",
        "Open the highlighted leaver's destinations: record what they do now, or a check.", "leavers"),
    Act("leavers.pupil", "o", "open_pupil", "Pupil", "Open the highlighted leaver's details and history.", "leavers"),
    Act("leavers.down", "j", "cursor_down", "Down", "Move down the list.", "leavers", footer=False, palette=False),
    Act("leavers.up", "k", "cursor_up", "Up", "Move up the list.", "leavers", footer=False, palette=False),
    Act("leavers.top", "g", "cursor_top", "Top", "Go to the first leaver.", "leavers", footer=False, palette=False),
    Act("leavers.bottom", "G", "cursor_bottom", "Bottom", "Go to the last leaver loaded (loads more).", "leavers",
        footer=False, palette=False),
    Act("leavers.csv", "ctrl+e", "save_csv", "Save CSV",
        "Save the leavers listed (this cohort and view) with their destinations as a CSV file for a spreadsheet.",
        "leavers", priority=True),
    # One pupil's destinations
    Act("dest.intended", "i", "add_intended", "Intended",
        "Record an intended destination (Year 11 or 13) with any September Guarantee offer.", "destinations"),
    Act("dest.offer", "o", "offer", "Offer",
        "Update the September Guarantee offer on the latest intended destination.", "destinations"),
    Act("dest.actual", "a", "add_actual", "Actual",
        "Record where the leaver actually went, and how and when it was checked (needs their consent).",
        "destinations"),
    Act("dest.check", "c", "add_check", "Check",
        "Record a check of the leaver's destination (about 1, 2 and 3 years after leaving).", "destinations"),
    Act("dest.consent", "y", "consent", "Consent",
        "Record the young person's consent to be contacted about their destination after 16, or its withdrawal.",
        "destinations"),
    Act("dest.back", "escape", "back", "Back", "Back to where you were.", "destinations"),
    # ---- activities, benchmark coverage, the programme
    Act("go.activities", "f8", "go_activities", "Activities",
        "Go to careers activities: record an activity and who took part (Gatsby benchmark evidence).", "app", footer=False),
    Act("go.cohort", "f9", "go_cohort", "Benchmarks",
        "Go to benchmark coverage: each year group's share meeting each Gatsby benchmark, and who is missing it.",
        "app", footer=False),
    Act("go.programme", "", "go_programme", "Careers programme",
        "Go to the careers programme (Benchmark 1): year groups by benchmarks, planned and delivered.", "app",
        footer=False),
    Act("school.details", "", "school_details", "School and careers leader",
        "The school's name and its careers leader (name, email, telephone), as the published programme and the "
        "action plans give them.", "app", footer=False),
    # The activities list
    Act("activities.add", "a", "add_activity", "Record", "Record a careers activity that has happened.", "activities"),
    Act("activities.open", "enter", "open_activity", "Open",
        "Open the highlighted activity: its details and who took part.", "activities", footer=False),
    Act("activities.edit", "e", "edit_activity", "Edit", "Edit the highlighted activity.", "activities"),
    Act("activities.search", "slash", "focus_search", "Search",
        "Search activities by title, organisation or subject as you type.", "activities"),
    Act("activities.clear", "escape", "clear", "Clear", "Clear the search and go back to the list.", "activities",
        footer=False),
    Act("activities.down", "j", "cursor_down", "Down", "Move down the list.", "activities", footer=False,
        palette=False),
    Act("activities.up", "k", "cursor_up", "Up", "Move up the list.", "activities", footer=False, palette=False),
    Act("activities.top", "g", "cursor_top", "Top", "Go to the newest activity.", "activities", footer=False,
        palette=False),
    Act("activities.bottom", "G", "cursor_bottom", "Bottom", "Go to the oldest activity loaded (loads more).",
        "activities", footer=False, palette=False),
    # One activity
    Act("activity.pupil", "p", "add_pupil", "Add pupil", "Add one pupil to this activity (find them by name).",
        "activity"),
    Act("activity.year", "y", "attach_year", "Year group",
        "Add a whole year group (as it was on the day), then mark who was absent.", "activity"),
    Act("activity.form", "f", "attach_form", "Form", "Add a whole form, then mark who was absent.", "activity"),
    Act("activity.register", "r", "attach_register", "Register filter",
        "Add the pupils the register's current search and filters show, then mark who was absent.", "activity"),
    Act("activity.remove", "delete,x", "remove_pupil", "Remove",
        "Take the highlighted pupil off this activity (they did not take part).", "activity"),
    Act("activity.edit", "e", "edit_activity", "Edit", "Edit this activity's details and checklist.", "activity"),
    Act("activity.link", "l", "link_plan", "Link to plan",
        "Link this activity to a planned activity in the programme (planned versus delivered).", "activity"),
    Act("activity.open", "enter,o", "open_pupil", "Pupil", "Open the highlighted pupil.", "activity"),
    Act("activity.delete", "D", "delete_activity", "Delete",
        "Delete this activity and who took part (asks first; the audit log keeps a copy).", "activity"),
    Act("activity.back", "escape", "back", "Back", "Back to the list of activities.", "activity"),
    Act("activity.down", "j", "cursor_down", "Down", "Move down the pupils.", "activity", footer=False, palette=False),
    Act("activity.up", "k", "cursor_up", "Up", "Move up the pupils.", "activity", footer=False, palette=False),
    # Attach a group, minus absentees
    Act("attach.toggle", "space", "toggle_absent", "Absent",
        "Mark the highlighted pupil absent (not attached), or present again.", "attach"),
    Act("attach.search", "slash", "focus_search", "Find", "Find a pupil in the list by name.", "attach"),
    Act("attach.commit", "ctrl+s", "commit", "Attach", "Attach everyone not marked absent, in one go.", "attach",
        priority=True),
    Act("attach.close", "escape", "close", "Cancel", "Close without attaching anyone.", "attach", priority=True),
    # Benchmark coverage (the cohort view)
    Act("cohort.drill", "enter", "drill", "Who is missing",
        "List the pupils missing the highlighted benchmark, and book or attach them from there.", "cohort"),
    Act("cohort.year", "y", "focus_year", "Year group", "Choose a year group, or the whole school.", "cohort"),
    Act("cohort.breakdown", "b", "focus_breakdown", "Breakdown",
        "Split by SEN status, pupil premium, looked after or gender, to see inequalities.", "cohort"),
    Act("cohort.programme", "p", "programme", "Programme", "Open the careers programme (Benchmark 1).", "cohort"),
    Act("cohort.refresh", "ctrl+r", "refresh", "Refresh", "Work the coverage out again from the database.", "cohort"),
    Act("cohort.down", "j", "cursor_down", "Down", "Move down the benchmarks.", "cohort", footer=False, palette=False),
    Act("cohort.up", "k", "cursor_up", "Up", "Move up the benchmarks.", "cohort", footer=False, palette=False),
    # Pupils missing a benchmark
    Act("gaps.book", "b", "book_all", "Book guidance",
        "Book guidance meetings for every pupil listed, in your free slots (bulk booking, with a preview).", "gaps"),
    Act("gaps.attach", "a", "attach_all", "Attach to activity",
        "Attach every pupil listed to an activity you choose (minus any marked absent there).", "gaps"),
    Act("gaps.not_due", "n", "toggle_not_due", "Not yet due too",
        "Also list pupils for whom the benchmark is not yet due (to get ahead).", "gaps"),
    Act("gaps.open", "enter,o", "open_pupil", "Pupil", "Open the highlighted pupil.", "gaps"),
    Act("gaps.back", "escape", "back", "Back", "Back to the benchmark bars.", "gaps"),
    Act("gaps.down", "j", "cursor_down", "Down", "Move down the list.", "gaps", footer=False, palette=False),
    Act("gaps.up", "k", "cursor_up", "Up", "Move up the list.", "gaps", footer=False, palette=False),
    Act("gaps.top", "g", "cursor_top", "Top", "Go to the first pupil.", "gaps", footer=False, palette=False),
    Act("gaps.bottom", "G", "cursor_bottom", "Bottom", "Go to the last pupil.", "gaps", footer=False, palette=False),
    Act("gaps.csv", "ctrl+e", "save_csv", "Save CSV",
        "Save every pupil missing this benchmark (all of them, not only the first listed) as a CSV file.", "gaps",
        priority=True),
    # The careers programme
    Act("programme.open", "enter", "open_cell", "Edit cell",
        "Open the highlighted cell: add, edit or remove planned activities and link recorded ones.", "programme"),
    Act("programme.prev", "left_square_bracket", "prev_year", "Prev year", "The previous school year's programme.",
        "programme"),
    Act("programme.next", "right_square_bracket", "next_year", "Next year", "The next school year's programme.",
        "programme"),
    Act("programme.copy", "c", "copy_year", "Copy last year",
        "Start this school year's programme as a copy of last year's (only when this year's is empty).", "programme"),
    Act("programme.texts", "t", "page_texts", "Page texts",
        "What the published programme says beside the plan: provider access policy, evaluation, next review, "
        "and what we do now and will do next for each benchmark.", "programme"),
    Act("programme.export", "x", "export", "Export",
        "Write the programme as a web page (HTML) and Markdown for the school website.", "programme"),
    # One cell of the programme
    Act("cell.add", "a", "add_item", "Add", "Add a planned activity to this cell.", "cell"),
    Act("cell.edit", "e", "edit_item", "Edit", "Edit the highlighted planned activity.", "cell"),
    Act("cell.delete", "delete,x", "delete_item", "Remove",
        "Remove the highlighted planned activity (press twice; linked activities stay recorded).", "cell"),
    Act("cell.link", "l", "link_item", "Link activities",
        "Choose which recorded activities delivered the highlighted planned activity.", "cell"),
    Act("cell.close", "escape", "close", "Close", "Back to the programme.", "cell", priority=True),
    # Choosing activities (to attach pupils, or to link to the programme)
    Act("choose.pick", "enter", "choose", "Choose", "Choose the highlighted activity.", "choose", footer=False),
    Act("choose.toggle", "space", "toggle_link", "Link/unlink",
        "Link or unlink the highlighted activity.", "choose"),
    Act("choose.close", "escape", "close", "Close", "Close.", "choose", priority=True),
    # Help
    Act("help.close", "escape", "close", "Close", "Close the help.", "help", priority=True),
    # A tick box (in any form)
    Act("tickbox.toggle", "space", "toggle_button", "Tick", "Tick or untick the tick box.", "tickbox",
        footer=False, palette=False),
    Act("tickbox.next", "enter", "app.focus_next", "Next", "Move on to the next field (Space ticks).", "tickbox",
        footer=False, palette=False),
    # Exports and subject access requests
    Act("pupil.export", "x", "export", "Export",
        "Export this pupil's whole record (PDF, web page, Markdown or JSON), choosing what to withhold.", "pupil"),
    Act("pupil.sar", "s", "log_sar", "Access request",
        "Log a subject access request for this pupil: who asked and when; the due date is worked out.", "pupil",
        footer=False),
    Act("record.action_plan", "ctrl+y", "action_plan", "Action plan",
        "Write the one-page action plan from this signed-off record (PDF or Markdown), recorded as given.", "record"),
    Act("register.sars", "r", "go_sars", "Requests",
        "Subject access requests: open ones, nearest due first; answer, extend or withdraw them.", "register"),
    Act("register.bulk_export", "X", "bulk_export", "Export all",
        "Export the action plans or records of every pupil in the list, one file each, with a progress bar.",
        "register"),
    Act("app.sars", "", "go_sars", "Subject access requests",
        "Open subject access requests, nearest due first: answer, extend or withdraw them.", "app", footer=False),
    Act("sars.answer", "x", "answer", "Answer",
        "Answer the highlighted request: export the pupil's record and mark the request answered.", "sars"),
    Act("sars.extend", "t", "extend", "Extend",
        "Extend the highlighted request by two further months, saying why it is complex.", "sars"),
    Act("sars.withdraw", "w", "withdraw", "Withdrawn", "Mark the highlighted request withdrawn.", "sars"),
    Act("sars.all", "a", "show_all", "All/open", "Show answered and withdrawn requests too, or only open ones.", "sars"),
    Act("sars.open", "enter,o", "open_pupil", "Pupil", "Open the highlighted request's pupil.", "sars"),
    Act("sars.back", "escape", "back", "Back", "Go back.", "sars"),
    Act("sars.down", "j", "cursor_down", "Down", "Move down the list.", "sars", footer=False, palette=False),
    Act("sars.up", "k", "cursor_up", "Up", "Move up the list.", "sars", footer=False, palette=False),
    Act("sars.top", "g", "cursor_top", "Top", "Go to the first request.", "sars", footer=False, palette=False),
    Act("sars.bottom", "G", "cursor_bottom", "Bottom", "Go to the last request.", "sars", footer=False, palette=False),
    # The database failed its check
    Act("damaged.restore", "r", "restore", "Restore backup",
        "Restore the newest backup that passes the check; what is in the file now is kept as a copy.", "damaged"),
    Act("damaged.close", "escape", "close", "Read-only",
        "Keep looking at the damaged file, read-only (nothing can be saved).", "damaged"),
    # Retention: leavers past the retention period, pseudonymised or erased deliberately
    Act("app.retention", "", "go_retention", "Past retention",
        "Leavers past the retention period: pseudonymise or erase them (confirmed by typing a word); set the periods.",
        "app", footer=False),
    Act("retention.mark", "space", "toggle_mark", "Mark", "Mark the highlighted pupil, or unmark them.", "retention"),
    Act("retention.all", "a", "mark_all", "Mark all shown",
        "Mark every pupil shown in the list (press again to unmark them all).", "retention"),
    Act("retention.pseudonymise", "p", "pseudonymise", "Pseudonymise",
        "Pseudonymise the marked pupils: who they were goes, the statistics stay. Asks you to type PSEUDONYMISE.",
        "retention"),
    Act("retention.erase", "x", "erase", "Erase",
        "Erase the marked pupils from every table and from the file; the log keeps a tombstone naming no one. "
        "Asks you to type ERASE.", "retention"),
    Act("retention.periods", "s", "periods", "Periods",
        "Set the retention periods: pupil record and SEN file (years from birth), destinations.", "retention"),
    Act("retention.open", "enter,o", "open_pupil", "Pupil", "Open the highlighted pupil's details and history.",
        "retention", footer=False),
    Act("retention.back", "escape", "back", "Back", "Go back.", "retention"),
    Act("retention.down", "j", "cursor_down", "Down", "Move down the list.", "retention", footer=False,
        palette=False),
    Act("retention.up", "k", "cursor_up", "Up", "Move up the list.", "retention", footer=False, palette=False),
    Act("retention.top", "g", "cursor_top", "Top", "Go to the first pupil.", "retention", footer=False,
        palette=False),
    Act("retention.bottom", "G", "cursor_bottom", "Bottom", "Go to the last pupil (loads more).", "retention",
        footer=False, palette=False),
)


# Keys a browser keeps for itself (Ctrl+N new window, Ctrl+T new tab, Ctrl+W close tab, Ctrl+Tab,
# F5 reload, F12 developer tools): when the app runs in a browser (gatsby-tui serve) these actions
# also answer to an Alt key, shown first in the footer and help, and taken before a text field
# can (priority). Alt with a letter no browser menu uses (Firefox opens menus on Alt+F/E/V/S/B/T/H,
# Chrome on Alt+F/E; Alt+digit switches tabs). Ctrl+W and Ctrl+Tab are not used by the app.
BROWSER_KEYS: dict[str, str] = {
    "go.follow_ups": "alt+u",        # F5
    "record.snippets": "alt+i",      # Ctrl+T, F12
    "record.action_add": "alt+n",    # Ctrl+N
    "snippets.add": "alt+n",         # Ctrl+N
}
_in_browser = False


def serve_in_browser(on: bool = True) -> None:
    """Give the browser's alternative keys; call before any screen module is imported."""
    global _in_browser
    _in_browser = on


def _for_browser(act: Act) -> Act:
    alt = BROWSER_KEYS.get(act.id) if _in_browser else None
    if alt is None:
        return act
    return replace(act, keys=f"{alt},{act.keys}", footer=True, priority=True)


def in_scope(scope: str) -> list[Act]:
    return [_for_browser(a) for a in ACTIONS if a.scope == scope]


# ---------------------------------------------------------------- the user's keymap

MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
# Keys Textual keeps for itself everywhere: the palette, moving between fields, interrupt.
RESERVED = {"ctrl+p": "the command palette", "tab": "the next field", "shift+tab": "the previous field",
            "ctrl+c": "copying text"}
_BY_ID = {a.id: a for a in ACTIONS}


def _key_name(key: str) -> str | None:
    """The key in Textual's long form ('?' -> 'question_mark', 'Ctrl+S' -> 'ctrl+s'), or None
    when it is not a key."""
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys, _character_to_key, key_to_character

    key = key.strip()
    if not key:
        return None
    if len(key) == 1:
        return _character_to_key(key)
    *mods, base = key.split("+")
    mods = [m.strip().lower() for m in mods]
    base = base.strip()
    if any(m not in MODIFIERS for m in mods) or not base:
        return None
    if len(base) == 1:
        base = _character_to_key(base.lower() if mods else base)
    else:
        base = base.lower()
        if (base not in {k.value for k in Keys} and base not in KEY_NAME_REPLACEMENTS.values()
                and key_to_character(base) is None):
            return None
    return "+".join([*mods, base])


def check_keymap(entries: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap to give App.set_keymap, from the user's entries {binding id: "key,key"}, and a
    sentence for each entry left out: an id that is not a binding, a key that is not one, or a key
    another binding on the same screen (or everywhere) already has."""
    problems: list[str] = []
    wanted: dict[str, str] = {}
    for binding_id, text in entries.items():
        act = _BY_ID.get(binding_id)
        if act is None:
            close = difflib.get_close_matches(binding_id, list(_BY_ID), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"In the keymap, '{binding_id}' is not a binding{hint}: it is ignored. "
                            "F1 on each screen lists what its keys do.")
            continue
        names = [_key_name(k) for k in text.split(",")] if text.strip() else [None]
        if any(n is None for n in names):
            bad = next(k for k, n in zip(text.split(","), names) if n is None) if text.strip() else ""
            problems.append(f"In the keymap, '{bad.strip()}' for '{binding_id}' is not a key (examples: n, ctrl+n, "
                            "f5, escape, slash): it is ignored.")
            continue
        reserved = next((n for n in names if n in RESERVED), None)
        if reserved:
            problems.append(f"In the keymap, {key_label(reserved)} for '{binding_id}' is kept for "
                            f"{RESERVED[reserved]}: it is ignored.")
            continue
        typed = next((n for n in names if act.priority and key_to_character(n) is not None), None)
        if typed:
            problems.append(f"In the keymap, {key_label(typed)} for '{binding_id}' types a character, and this "
                            "key is taken even while you type in a field (so that it works in dialogs too): "
                            "choose a key such as f11 or ctrl+h. It is ignored.")
            continue
        wanted[binding_id] = ",".join(dict.fromkeys(names))
    # A clash is checked against the keys as they will be: another entry may move a key away.
    for binding_id in list(wanted):
        act = _BY_ID[binding_id]
        mine = set(wanted[binding_id].split(","))
        for other in ACTIONS:
            if other.id == binding_id or not _same_keys_in_reach(act, other):
                continue
            theirs = set(keys_of(other, wanted).split(",")) - {""}
            common = mine & theirs
            if common:
                problems.append(f"In the keymap, {key_label(sorted(common)[0])} for '{binding_id}' is already the "
                                f"key for '{other.id}' ({other.title}): it is ignored.")
                del wanted[binding_id]
                break
    return wanted, problems


def _same_keys_in_reach(a: Act, b: Act) -> bool:
    """Two bindings clash when they can be pressed on the same screen: same scope, or one of them
    works everywhere."""
    return a.scope == b.scope or "app" in (a.scope, b.scope)


def keys_of(act: Act, keymap: dict[str, str] | None = None) -> str:
    """The keys for ``act``: the user's, when their keymap remaps it."""
    return (keymap or {}).get(act.id, act.keys) if act.keys else ""


def bindings(scope: str) -> list[Binding]:
    out = []
    for a in in_scope(scope):
        if not a.keys:
            continue  # an Act without keys is offered in the palette only
        keys = a.keys.split(",")
        typed = [k for k in keys if a.priority and key_to_character(k) is not None]
        if typed and len(typed) < len(keys):
            # A priority key is seen before the focused widget: that is how F1 reaches the app from
            # inside a dialog (a dialog passes only priority keys on). A key that types a character
            # (?) stays an ordinary binding, so a text box still gets the character.
            keys = [k for k in keys if k not in typed]
            out.append(Binding(",".join(typed), a.action, a.title, show=False, id=a.id))
        out.append(Binding(",".join(keys), a.action, a.title, show=a.footer, id=a.id, priority=a.priority))
    return out


def key_label(keys: str) -> str:
    names = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter",
             "left_square_bracket": "[", "right_square_bracket": "]", "delete": "Delete"}
    if not keys:
        return "Ctrl+P"  # a palette-only command
    out = []
    for key in keys.split(","):
        key = names.get(key, key)
        if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
            key = key.upper()  # f5 -> F5
        if key.startswith("alt+") and len(key) == 5:
            key = f"Alt+{key[4].upper()}"    # alt+u -> Alt+U (our Alt keys are all lower case)
        out.append(key.replace("ctrl+", "Ctrl+"))
    return " / ".join(out)
