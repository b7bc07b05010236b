"""Choose a pupil by typing part of their name, UPN or form."""

from __future__ import annotations

from gatsby_tui import actions
from gatsby_tui.screens.base import SearchChooser
from gatsby_tui.store import PupilFilter

LIMIT = 50

__all__ = ["PupilPicker", "SearchChooser"]


class PupilPicker(SearchChooser):
    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Type part of the pupil's name, their UPN or form; Down moves into the list; Enter chooses."
    SEARCH_HINT = "name, UPN or form"
    COLUMNS = (("Pupil", "name", 34), ("Year", "year", 5), ("Form", "form", 6))

    def rows(self, text: str) -> tuple[list[tuple[tuple[str, ...], int]], str]:
        store = self.app.store
        f = PupilFilter(search=text)
        found = [((row.name, str(row.year_group), row.form or ""), row.id)
                 for row in store.pupils.page(f, limit=LIMIT)]
        total = store.pupils.count(f)
        more = f" (first {LIMIT} of {total:,}: type more to narrow)" if total > LIMIT else ""
        return found, f"{total:,} pupils on roll match{more}."
