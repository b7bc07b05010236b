"""One pupil: their details and their history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from gatsby_tui import actions
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store.pupils import FLAG_LABELS, GENDER_LABELS, SEN_LABELS


def _when(at: str) -> str:
    day = dates.from_iso(at)
    time = at[11:16] if len(at) > 10 else ""
    return f"{day:%d/%m/%Y} {time}".strip()


class PupilScreen(Screen):
    SCOPE = "pupil"
    BINDINGS = actions.bindings("pupil")
    HELP = (
        "A pupil's details and everything the app knows about them, newest first. "
        "E edits the details; L marks the pupil as left (or back on roll). "
        "Escape goes back to the register."
    )

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pupil-body"):
            yield Static(id="pupil-name")
            yield Static(id="pupil-warning")
            with Horizontal(id="pupil-details"):
                yield Static(id="pupil-left-col")
                yield Static(id="pupil-right-col")
            yield Static("History", classes="section-title")
            history: DataTable = DataTable(id="history", cursor_type="row", zebra_stripes=True)
            history.add_column("When", key="when", width=17)
            history.add_column("What", key="what", width=36)
            history.add_column("Detail", key="detail")
            yield history
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_pupil()
        self.query_one("#history", DataTable).focus()

    def refresh_pupil(self) -> None:
        store = self.app.store
        row = store.pupil(self.pupil_id)
        if row is None:
            self.app.notify("That pupil is no longer on the register.", severity="error")
            self.dismiss()
            return
        today = store.today
        school_year = schoolyear.school_year_of(today)
        year = schoolyear.year_group_in(row["intake_year"], school_year)
        dob = dates.from_iso(row["dob"])
        derived = schoolyear.nc_year_from_dob(dob, school_year)
        name = names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
        self.sub_title = name
        title = Text(name, style="bold")
        if row["preferred_forename"]:
            title.append(f"  (legal name: {row['legal_forename']} {row['legal_surname']})", style="dim")
        self.query_one("#pupil-name", Static).update(title)

        warnings = []
        if row["date_left"]:
            warnings.append(f"Left on {dates.long_uk(dates.from_iso(row['date_left']))}.")
        if year != derived and not row["date_left"]:
            warnings.append(f"⚠ Taught in Year {year}; the date of birth gives Year {derived} for "
                            f"{schoolyear.school_year_label(school_year)}.")
        warning = self.query_one("#pupil-warning", Static)
        warning.update(Text(" ".join(warnings)))
        warning.display = bool(warnings)

        flags = [label for key, (_, label) in FLAG_LABELS.items() if row[key]]
        left_lines = [
            ("UPN", row["upn"] + ("  (temporary)" if row["upn"][-1].isalpha() else "")),
            ("Date of birth", f"{dates.long_uk(dob)} (age {schoolyear.age_on(dob, today)})"),
            ("Year group", f"{year} ({schoolyear.key_stage(year) or 'post-19'})" if not row["date_left"]
             else f"left from Year {schoolyear.year_group_in(row['intake_year'], schoolyear.school_year_of(dates.from_iso(row['date_left'])))}"),
            ("Form", row["form"] or "—"),
            ("Gender", GENDER_LABELS.get(row["gender"] or "", "not recorded")),
        ]
        right_lines = [
            ("SEN", SEN_LABELS[row["sen_status"]]),
            ("Flags", ", ".join(flags) or "none"),
            ("Destination contact after 16", "consented" if row["destination_consent"] else "no consent recorded"),
            ("On roll", "no — left" if row["date_left"] else "yes"),
        ]
        self.query_one("#pupil-left-col", Static).update(_pairs(left_lines))
        self.query_one("#pupil-right-col", Static).update(_pairs(right_lines))

        table = self.query_one("#history", DataTable)
        table.clear()
        events = store.pupil_history(self.pupil_id)
        for event in events:
            table.add_row(Text(_when(event.at)), Text(event.title), Text(event.detail), key=event.ref)
        if not events:
            table.add_row(Text("—"), Text("Nothing recorded yet"), Text(""), key="empty")

    def action_back(self) -> None:
        self.dismiss()

    def action_edit_pupil(self) -> None:
        from gatsby_tui.screens.pupil_form import PupilForm

        self.app.push_screen(PupilForm(self.pupil_id), callback=lambda _: self.refresh_pupil())

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_pupil()

    def action_book(self) -> None:
        from gatsby_tui.screens.booking import book_with_form

        book_with_form(self, self.pupil_id)

    def action_mark_left(self) -> None:
        from gatsby_tui.screens.mark_left import MarkLeftScreen

        self.app.push_screen(MarkLeftScreen(self.pupil_id), callback=lambda _: self.refresh_pupil())


def _pairs(lines: list[tuple[str, str]]) -> Text:
    out = Text()
    for i, (label, value) in enumerate(lines):
        if i:
            out.append("\n")
        out.append(f"{label}: ", style="bold")
        out.append(value)
    return out

