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
    # The register
    Act("register.search", "slash", "focus_search", "Search",
        "Search by forename, surname, preferred name, UPN or form as you type.", "register"),
    Act("register.add", "a", "add_pupil", "Add", "Add a pupil to the register.", "register"),
    Act("register.edit", "e", "edit_pupil", "Edit", "Edit the highlighted pupil's details.", "register"),
    Act("register.open", "enter", "open_pupil", "Open", "Open the highlighted pupil: details and history.",
        "register", footer=False),
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
    names = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter"}
    out = []
    for key in keys.split(","):
        key = names.get(key, key)
        out.append(key.replace("ctrl+", "Ctrl+").replace("f1", "F1"))
    return " / ".join(out)
