"""Past retention: leavers whose every retention period has run, paged from SQL; mark
them, then pseudonymise (p) or erase (x) them after typing the word that confirms it; and the
periods themselves (s). Reached from the command palette ("Past retention").

The store does the work (store/retention.py: one transaction, logged by ids only, then the file
compacted); here it runs in a thread worker on a connection of its own, with a progress bar.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, ProgressBar
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, jobs, navigation
from gatsby_tui.domain import dates, retention as rules
from gatsby_tui.screens.base import AsksBeforeDiscarding, ListKeys
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Button, Input, Static

PAGE = 200
MARK = "✓"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


class RetentionScreen(ListKeys, Screen):
    """Leavers past the retention period, by name."""

    LIST = "#retention-table"
    SCOPE = "retention"
    BINDINGS = actions.bindings("retention")
    HELP = ("Leavers whose retention periods have all run: pupil records 25 years from birth, SEN files (SEN "
            "support, EHCP or an individual plan) 31 years from birth, destinations at least 3 years from the end "
            "of Year 11; the periods are yours to set (s). Pupils on roll are never listed. Space marks the "
            "highlighted pupil, a marks every pupil shown. p pseudonymises the marked pupils: names, date of "
            "birth, UPN and every note of theirs are replaced, the statistics (year group, SEN status, "
            "destinations, activities) stay. x erases them: every row about them goes, from every table, the "
            "search index and the free space of the file; the audit log keeps one entry for each that names no "
            "one. Both ask you to type a word to confirm, and cannot be undone; backups taken before still hold "
            "the pupils until they are rotated out.")

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()
        self.rows: dict[int, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="retention-title")
        table = PagedTable(id="retention-table", page=PAGE)
        table.add_column(" ", key="mark", width=1)
        table.add_column("Pupil", key="name", width=24)
        table.add_column("Left on", key="left", width=10)
        table.add_column("Kept until, and why", key="why", width=53)
        table.add_column("What would be removed", key="what")
        yield table
        yield Static(id="retention-detail")
        yield Static(id="retention-status")
        yield Static(id="retention-files")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Past retention"
        store = self.app.store
        table = self.query_one(self.LIST, PagedTable)
        table.source(count=lambda: store.retention.count(),
                     fetch=lambda after, limit: store.retention.page(limit=limit, after=after),
                     row=self._row, changed=self._status)
        self.reload()
        table.focus()

    @property
    def total(self) -> int:
        return self.query_one(self.LIST, PagedTable).total

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload(keep_id=self._current_id())

    # ------------------------------------------------------------ the list
    def reload(self, keep_id: int | None = None) -> None:
        store = self.app.store
        table = self.query_one(self.LIST, PagedTable)
        policy = store.retention.policy()
        self.rows = {}
        table.reload()
        self.marked &= set(self.rows)
        short = policy.shorter_than_guidance()
        title = Text(f"Leavers past the retention period · as of {dates.uk(store.today)}", style="bold")
        title.append(f"\nKept: {policy.words()}. s changes the periods.", style="")
        if short:
            title.append("\n⚠ Shorter than the school retention guidance: " + "; ".join(short) + ".")
        self.query_one("#retention-title", Static).update(title)
        if keep_id is not None and keep_id in self.rows:
            table.move_cursor(row=table.get_row_index(str(keep_id)))
        self._status()
        self._detail()

    def _cells(self, r: Any) -> list[Text]:
        name = r.name + (" (pseudonymised)" if r.pseudonymised else "")
        what = ("already pseudonymised: erasing removes the rest" if r.pseudonymised else r.held_words())
        return [Text(MARK if r.id in self.marked else ""), Text(name), Text(dates.uk(r.date_left)),
                Text(r.retention.words()), Text(what)]

    def _row(self, r: Any) -> tuple[str, list[Text], int]:
        self.rows[r.id] = r
        return str(r.id), self._cells(r), 1

    def _status(self) -> None:
        table = self.query_one(self.LIST, PagedTable)
        total = table.total
        if total == 0:
            text = ("✓ No leaver is past the retention period today: nothing to pseudonymise or erase. "
                    "(Pupils on roll are never listed.)")
        else:
            text = table.showing("pupils", more=" (more load as you scroll)", one="pupil")
            text += f" · {_plural(len(self.marked), 'marked', 'marked')}" if self.marked else " · none marked"
            text += " · Space marks, a marks all shown · p pseudonymise, x erase"
        self.query_one("#retention-status", Static).update(Text(text))

    @on(PagedTable.RowHighlighted, "#retention-table")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        pupil_id = self._current_id()
        r = self.rows.get(pupil_id) if pupil_id is not None else None
        if r is None:
            self.query_one("#retention-detail", Static).update("")
            return
        periods = "; ".join(p.words() for p in r.retention.periods)
        self.query_one("#retention-detail", Static).update(Text(
            f"{r.name}: {periods}. On file: {r.held_words()}."))

    def _current_id(self) -> int | None:
        return self.query_one(self.LIST, PagedTable).current_id()

    def _redraw_mark(self, pupil_id: int) -> None:
        table = self.query_one(self.LIST, PagedTable)
        table.update_cell(str(pupil_id), "mark", Text(MARK if pupil_id in self.marked else ""))

    # ------------------------------------------------------------ marking
    def action_toggle_mark(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is None:
            return
        self.marked ^= {pupil_id}
        self._redraw_mark(pupil_id)
        self.query_one(self.LIST, PagedTable).action_cursor_down()
        self._status()

    def action_mark_all(self) -> None:
        """Mark every pupil shown; when they all are already, unmark them."""
        shown = set(self.rows)
        self.marked = set() if shown and shown <= self.marked else shown
        for pupil_id in shown:
            self._redraw_mark(pupil_id)
        self._status()

    # ------------------------------------------------------------ the two removals
    def action_pseudonymise(self) -> None:
        self._confirm("pseudonymise")

    def action_erase(self) -> None:
        self._confirm("erase")

    def _confirm(self, what: str) -> None:
        store = self.app.store
        if getattr(store, "is_read_only", False):
            self.app.notify("The database is open read-only: nothing can be removed.", severity="error")
            return
        if not self.marked:
            self.app.notify("Mark the pupils first: Space marks the highlighted one, a marks all shown.",
                            title="Nothing marked", timeout=5)
            return
        chosen = [self.rows[i] for i in sorted(self.marked, key=lambda i: self.rows[i].key)]
        if what == "pseudonymise" and all(r.pseudonymised for r in chosen):
            self.app.notify("Every marked pupil is pseudonymised already: erase them (x) to remove the rest.",
                            timeout=6)
            return

        def done(outcome: Any) -> None:
            if outcome is None:
                return
            self.marked.clear()
            self.reload()
            self.query_one("#retention-files", Static).update(Text(files_words(outcome.files, limit=10, after=True)))

        files = store.retention.exported_files([r.id for r in chosen])
        self.app.push_screen(ConfirmRemoval(what, chosen, store.backup.holding_data(), files), done)

    def action_periods(self) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.marked.clear()
                self.reload()

        self.app.push_screen(RetentionPeriodsForm(), done)

    @on(PagedTable.RowSelected, "#retention-table")
    def action_open_pupil(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            navigation.open_pupil(self.app, pupil_id)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


# ---------------------------------------------------------------- confirming


def files_words(files: Any, *, limit: int = 5, after: bool = False) -> str:
    """The files exported that hold (or may hold) the pupils' data, in words: the app cannot
    delete them, so the adviser is told where they are. Empty when the audit log recorded none."""
    certain = [f for f in files if f.certain]
    maybe = [f for f in files if not f.certain]
    lines: list[str] = []
    if certain:
        held = "still hold" if after else "hold"
        lines.append(f"⚠ {_plural(len(certain), 'file')} exported for them (recorded in the audit log) {held} "
                     "their data: delete them too, and any copies.")
        lines += [f"  • {f.words()}" for f in certain[:limit]]
        if len(certain) > limit:
            lines.append(f"  and {len(certain) - limit:,} more (the audit log of each adviser lists them)")
    if maybe:
        shown = "; ".join(f.path for f in maybe[:3]) + (f"; and {len(maybe) - 3:,} more" if len(maybe) > 3 else "")
        lines.append(f"{_plural(len(maybe), 'list')} exported since they were added may include them: {shown}.")
    return "\n".join(lines)


def removal_words(what: str, chosen: list[Any], backups: list[Any], files: Any = ()) -> str:
    """Exactly what pseudonymising or erasing ``chosen`` will do, in words, for the dialog."""
    n = len(chosen)
    who = "; ".join(r.name for r in chosen[:5]) + (f"; and {n - 5:,} more" if n > 5 else "")
    if what == "erase":
        lines = [f"Erase {_plural(n, 'pupil')}: {who}.",
                 "Every row about them is deleted from every table: register entry, meetings and their records "
                 "and amendments, actions, plan and reviews, destinations and checks, activities attended, "
                 "access requests, copies given, drafts, and their audit log entries. They go from the search "
                 "index, and the file is rebuilt so its free space holds nothing of theirs. The audit log keeps "
                 "one entry for each that names no one (ids and counts only), and its other entries (lists "
                 "exported, activities) keep what was done with their name, UPN and searches for them replaced "
                 "by [removed]. Their name is taken out of the notes of activities they attended."]
    else:
        already = sum(1 for r in chosen if r.pseudonymised)
        lines = [f"Pseudonymise {_plural(n - already, 'pupil')}: {who}."
                 + (f" ({already:,} already pseudonymised: left as they are.)" if already else ""),
                 "Their names become 'Pupil <number> Pseudonymised', the date of birth 1 January of the year, "
                 "the UPN a placeholder, the form is cleared, and every note of theirs (records, actions, plan, "
                 "destinations, requests) becomes [removed]; their audit log entries are replaced by one that "
                 "names no one. Kept for the statistics: year group, SEN status, gender and flags, leaving date, "
                 "destination codes, activities attended, meetings and their dates."]
    lines.append("This cannot be undone.")
    if backups:
        lines.append(f"⚠ {_plural(len(backups), 'backup copy', 'backup copies')} of this database "
                     f"(in {backups[-1].parent}) still hold their data until they are rotated out.")
    else:
        lines.append("⚠ Any backup copy taken before now still holds their data until it is rotated out.")
    exported = files_words(files)
    if exported:
        lines.append(exported)
    lines.append("Other pupils' records that mention them by name are not changed.")
    return "\n\n".join(lines)


class ConfirmRemoval(ModalScreen[Any]):
    """Says exactly what pseudonymising or erasing the chosen pupils will do, and asks for the word
    typed in capitals. Dismisses with the store's Outcome, or None when closed."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Read what will happen, then type the word shown (ERASE or PSEUDONYMISE, in capitals) and press "
            "Enter. Anything else changes nothing. Escape closes without changing anything. It runs as one "
            "transaction: all the pupils, or none.")

    def __init__(self, what: str, chosen: list[Any], backups: list[Any], files: Any = ()) -> None:
        super().__init__()
        self.what = what
        self.word = what.upper()
        self.chosen = chosen
        self.backups = backups
        self.files = list(files)
        self.running = False

    def compose(self) -> ComposeResult:
        title = (f"Erase {_plural(len(self.chosen), 'pupil')} for good?" if self.what == "erase"
                 else f"Pseudonymise {_plural(len(self.chosen), 'pupil')}?")
        with Vertical(id="dialog", classes="form-dialog removal-dialog"):
            yield Static(Text(title), classes="dialog-title")
            with VerticalScroll(id="removal-scroll"):
                yield Static(Text(removal_words(self.what, self.chosen, self.backups, self.files)),
                             id="removal-words")
            yield field(f"Type {self.word}", Input(placeholder=f"{self.word} in capitals, then Enter", id="confirm",
                                                  compact=True))
            yield ProgressBar(total=max(len(self.chosen), 1), show_eta=False, id="removal-progress")
            yield Static("", id="removal-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.what.capitalize()} (Enter)", id="save", variant="error")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#confirm", Input).focus()

    @on(Input.Submitted, "#confirm")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.running:
            return
        typed = self.query_one("#confirm", Input).value.strip()
        result = self.query_one("#removal-result", Static)
        if typed != self.word:
            result.update(Text(f"✗ Type {self.word} in capitals to confirm. Nothing was changed."))
            return
        self.running = True
        self.query_one("#save", Button).disabled = True
        self.query_one("#confirm", Input).disabled = True
        result.update(Text(("Erasing" if self.what == "erase" else "Pseudonymising") + "… (all or nothing; "
                           "then the file is rebuilt, which takes a few seconds on a large database)"))
        self._run([r.id for r in self.chosen])

    def _run(self, pupil_ids: list[int]) -> None:
        """In a thread, on a connection of its own: the screen stays live and shows progress; the
        store's one transaction leaves nothing changed when it fails."""
        erase = self.what == "erase"

        def work(run: jobs.Job) -> Any:
            act = run.store.retention.erase if erase else run.store.retention.pseudonymise
            return act(pupil_ids, progress=run.progress(self._progress))

        jobs.start(self, work, group="retention", done=self._finished, refused=self._failed,
                   unforeseen="Something went wrong and nothing was changed.")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#removal-progress", ProgressBar).update(progress=done)

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one("#save", Button).disabled = False
        self.query_one("#confirm", Input).disabled = False
        self.query_one("#removal-result", Static).update(Text(f"✗ {message}"))

    def _finished(self, outcome: Any) -> None:
        self.app.store.coverage.forget()
        if self.what == "erase":
            words = f"Erased {_plural(outcome.pupils, 'pupil')} ({_plural(outcome.rows, 'row')} removed)."
        else:
            words = f"Pseudonymised {_plural(outcome.pupils, 'pupil')} ({_plural(outcome.rows, 'row')} changed)."
            if outcome.skipped:
                words += f" {_plural(outcome.skipped, 'was', 'were')} already pseudonymised."
        if self.backups:
            words += f" {_plural(len(self.backups), 'older backup')} still hold their data until rotated out."
        if outcome.log_cleaned:
            words += (f" Their name or searches for them were taken out of "
                      f"{_plural(outcome.log_cleaned, 'other audit entry', 'other audit entries')}.")
        if outcome.log_mentions:
            words += (f" {_plural(outcome.log_mentions, 'audit entry', 'audit entries')} about activities still "
                      "name them.")
        made = sum(1 for f in outcome.files if f.certain)
        if made:
            words += (f" {_plural(made, 'file')} exported for them still hold their data: delete them too "
                      "(listed below the table).")
        if not outcome.compacted:
            words += " " + outcome.note
        # The sentence says what happened; a title repeating its first word would read "Erased Erased".
        self.app.notify(words, timeout=15, markup=False)
        self.dismiss(outcome)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.app.notify("Working: it cannot stop part way (all or nothing), and closes by itself when done.",
                            timeout=4)
            return
        self.dismiss(None)


# ---------------------------------------------------------------- the periods


class RetentionPeriodsForm(AsksBeforeDiscarding, ModalScreen[bool]):
    """The three retention periods, in whole years; a period shorter than the guidance is allowed,
    with a warning. Dismisses True when saved."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = (f"How long records are kept, in whole years ({rules.MIN_YEARS} to {rules.MAX_YEARS}). School retention "
            f"guidance: pupil records {rules.RECORD_YEARS} years from birth; SEN files {rules.SEND_YEARS} years "
            f"from birth; destinations at least {rules.DESTINATION_YEARS} years from the end of Year 11 (or from "
            "leaving, when later). Ctrl+S saves; Escape closes without saving. Changing the periods removes "
            "nothing by itself.")

    FIELDS = (("record_years", "Pupil record"), ("send_years", "SEN file"), ("destination_years", "Destinations"))

    def compose(self) -> ComposeResult:
        policy = self.app.store.retention.policy()
        # The periods as stored when the form opened: only the ones changed here are saved.
        self._opened = self.app.store.settings.many([key for key, *_ in rules.SETTINGS])
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Retention periods", classes="dialog-title")
            for name, label in self.FIELDS:
                yield field(label, Input(value=str(getattr(policy, name)), id=name, compact=True, max_length=3))
            yield Static(Text(
                f"Years from birth for the pupil record (guidance {rules.RECORD_YEARS}) and the SEN file "
                f"(guidance {rules.SEND_YEARS}: SEN support, EHCP or an individual plan); years from the end of "
                f"Year 11, or from leaving when later, for destinations (at least {rules.DESTINATION_YEARS})."),
                classes="dialog-hint")
            yield Static("", id="periods-warning", classes="dialog-hint")
            yield Static("", id="periods-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#record_years", Input).focus()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value for name, _ in self.FIELDS}

    @on(Input.Changed)
    def _warn(self) -> None:
        try:
            short = rules.policy_from(self._values()).shorter_than_guidance()
        except rules.PolicyError:
            short = []
        self.query_one("#periods-warning", Static).update(
            Text("⚠ Shorter than the school retention guidance: " + "; ".join(short) + ".") if short else "")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            self.app.store.retention.set_policy(self._values(), original=self._opened)
        except StoreError as e:
            self.query_one("#periods-result", Static).update(Text(f"✗ {e}"))
            return
        self.app.notify("Retention periods saved. Nothing is removed until you choose to.", title="Retention")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(False))   # unsaved typing is asked about first
