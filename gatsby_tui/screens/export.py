"""Giving a pupil their data: the record export (x on the pupil screen), the action plan (from a
signed-off meeting record), subject access requests (log one with s on the pupil screen; the list
with r on the register or from the palette) and bulk export of a filtered register (X).

One dialog, ExportScreen, writes both a record and an action plan; the store does the rest
(gathering, withholding, writing atomically and owner-only, recording what was given).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, ProgressBar
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, jobs, navigation
from gatsby_tui.domain import dates
from gatsby_tui.screens.base import AsksBeforeDiscarding, ListKeys
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Button, Input, Select, Static
from gatsby_tui.widgets.tickbox import TickBox

RECORD_FORMATS = [("PDF, to print or send", "pdf"), ("Web page (HTML)", "html"), ("Markdown (plain text)", "md"),
                  ("JSON, to move the data to another system", "json")]
PLAN_FORMATS = [("PDF, to print or send", "pdf"), ("Markdown (plain text)", "md")]
HOW = [("Handed to the pupil", "handed over"), ("Printed and posted home", "posted home"),
       ("Emailed by the school", "emailed by the school"), ("Given to the parent or carer", "given to parent or carer"),
       ("Not given yet: just write the file", "")]
# How a copy answering a request usually goes: to whoever asked. Nothing is assumed otherwise.
HOW_FOR_REQUESTER = {"pupil": "handed over", "parent": "given to parent or carer"}


class ExportScreen(ModalScreen[Path | None]):
    """Write one pupil's record (``record_id`` None) or a meeting's action plan. Returns the file
    written, or None."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Choose the format and the folder, then Ctrl+S. A record holds this pupil's data and nobody else's: "
            "the advisers' confidential notes are left out unless you tick the box, and other pupils named in "
            "the free text are listed so you can withhold them (ticked names are replaced by [another pupil]); "
            "the copy says what was withheld. If the copy answers a subject access request, choose it: the "
            "request is marked answered. The copy is recorded in the pupil's history as given, with how.")

    def __init__(self, pupil_id: int, *, record_id: int | None = None, sar_id: int | None = None) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.record_id = record_id
        self.sar_id = sar_id
        self.mentions: list[Any] = []
        self.gathered: Any = None
        self._request_how: dict[int, str] = {}
        self.writing = False

    @property
    def kind(self) -> str:
        return "record" if self.record_id is None else "action_plan"

    def compose(self) -> ComposeResult:
        store = self.app.store
        name = store.pupils.full_name(self.pupil_id)
        with VerticalScroll(id="dialog", classes="form-dialog export-dialog"):
            if self.kind == "record":
                yield Static(Text(f"Export {name}'s careers record"), classes="dialog-title")
                yield field("Format", Select(RECORD_FORMATS, value="pdf", allow_blank=False, id="format", compact=True))
                requests = [r for r in store.requests.for_pupil(self.pupil_id) if r.status == "open"]
                choices = [("Not for a request", 0)] + [
                    (f"Request from {r.requester[0].lower() + r.requester[1:]}, received {dates.uk(r.received_on)} ({r.days_left(store.today)})", r.id)
                    for r in requests]
                chosen = self.sar_id if self.sar_id in {r.id for r in requests} else 0
                self._request_how = {r.id: HOW_FOR_REQUESTER.get(r.requester_kind, "") for r in requests}
                yield field("Answers", Select(choices, value=chosen, allow_blank=False, id="sar", compact=True))
            else:
                yield Static(Text(f"Action plan for {name}"), classes="dialog-title")
                yield field("Format", Select(PLAN_FORMATS, value="pdf", allow_blank=False, id="format", compact=True))
            # No default claims the copy was given: for a request it starts from who asked.
            how = self._request_how.get(chosen, "") if self.kind == "record" else ""
            yield field("Given how", Select(HOW, value=how, allow_blank=False, id="how", compact=True))
            yield field("Folder", Input(value=str(store.exports.folder()), id="folder", compact=True))
            yield Static("", id="file-name", classes="dialog-hint")
            if self.kind == "record":
                with Horizontal(classes="field checks"):
                    yield TickBox("Include confidential notes (only if the pupil may see them)",
                                  id="confidential", compact=True)
                yield Static("", id="mentions-title", classes="section-title")
                yield Vertical(id="mentions")
            yield Static("", id="export-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._name_hint()
        self.query_one("#format", Select).focus()
        if self.kind != "record":
            return
        self.gathered = self.app.store.exports.preview(self.pupil_id)     # written as gathered, not again
        self.mentions = self.gathered.mentions
        title = self.query_one("#mentions-title", Static)
        box = self.query_one("#mentions", Vertical)
        if not self.mentions:
            title.update("No other pupil on the register is named in this pupil's free text.")
            return
        title.update(f"Other pupils named in the free text ({len(self.mentions)}): ticked names are withheld")
        box.mount_all(TickBox(self._mention_label(m), value=True, id=f"mention-{i}", compact=True)
                      for i, m in enumerate(self.mentions))

    @staticmethod
    def _mention_label(m: Any) -> str:
        """'Chloe Clarke — 1 time: Where things stand (…)'; a single word says whose name it may be."""
        who = "" if m.kind == "full" else f" (may be {m.pupil_name})"
        return f"{m.name}{who} — {m.count} time{'s' if m.count != 1 else ''}: {m.where}"

    @on(Select.Changed, "#sar")
    def _request_chosen(self, event: Select.Changed) -> None:
        if event.value:
            self.query_one("#how", Select).value = self._request_how.get(int(event.value), "")

    @on(Select.Changed, "#format")
    def _name_hint(self) -> None:
        fmt = self.query_one("#format", Select).value
        what = "careers record" if self.kind == "record" else "action plan"
        self.query_one("#file-name", Static).update(
            Text(f"File: {self.app.store.exports.file_name(self.pupil_id, what, str(fmt))} (readable by you only)"))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.writing:
            return
        store = self.app.store
        result = self.query_one("#export-result", Static)
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        if not folder.is_dir():
            result.update(Text(f"✗ The folder {folder} does not exist: choose another, or create it first."))
            return
        fmt = str(self.query_one("#format", Select).value)
        how = str(self.query_one("#how", Select).value) or None
        if self.kind == "record":
            sar = self.query_one("#sar", Select).value
            redact = [form for i, m in enumerate(self.mentions) for form in m.forms
                      if self.query_one(f"#mention-{i}", TickBox).value]
            self.kept = sum(1 for i, _ in enumerate(self.mentions) if not self.query_one(f"#mention-{i}", TickBox).value)
            job: dict[str, Any] = {"pupil_id": self.pupil_id, "fmt": fmt, "path": folder, "how": how,
                                   "include_confidential": self.query_one("#confidential", TickBox).value,
                                   "redact": redact, "sar_id": int(sar) if sar else None,
                                   "record_given": how is not None, "gathered": self.gathered}
        else:
            job = {"record_id": self.record_id, "fmt": fmt, "path": folder, "how": how, "record_given": how is not None}
        self.writing = True
        self.query_one("#save", Button).disabled = True
        result.update(Text("Writing…" + (" (a PDF takes a second or two)" if fmt == "pdf" else "")))
        store.settings.set("export_folder", str(folder))
        how = job.get("how")
        # In a thread on its own connection, so the screen stays live while a PDF is drawn; the
        # store leaves no file and no record behind when it fails.
        jobs.start(self, lambda run: self._write(run.store, job), group="export",
                   done=lambda path: self._written(path, how), refused=self._failed,
                   unforeseen="Something went wrong and nothing was written.")

    def _write(self, store: Any, job: dict[str, Any]) -> Path:
        if self.kind == "record":
            return store.exports.pupil_record(job.pop("pupil_id"), job.pop("fmt"), job.pop("path"), **job)
        return store.exports.action_plan(job.pop("record_id"), job.pop("fmt"), job.pop("path"), **job)

    def _failed(self, message: str) -> None:
        self.writing = False
        self.query_one("#save", Button).disabled = False
        self.query_one("#export-result", Static).update(Text(f"✗ {message}"))

    def _written(self, path: Path, how: str | None) -> None:
        given = f" Recorded as given ({how})." if how else " Not recorded as given."
        kept = getattr(self, "kept", 0)
        still = (f" It still holds {kept} name{'s' if kept != 1 else ''} that may be another pupil's (you kept "
                 f"{'them' if kept != 1 else 'it'})." if kept else "")
        self.app.notify(f"Wrote {path}.{given}{still}", title="Exported", timeout=8, markup=False)
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.writing:
            self.app.notify("Writing the file: it closes by itself when done.", timeout=3)
            return
        self.dismiss(None)


# ---------------------------------------------------------------- subject access requests

class SarForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Log a subject access request for a pupil; shows the due date as you type."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("A subject access request must be answered within one calendar month, the day it arrived counting "
            "as day one; a due date on a weekend or bank holiday moves to the next working day. Log it the day "
            "it arrives; answer it with the record export (x on the pupil screen, or from the list of requests).")

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id

    def compose(self) -> ComposeResult:
        store = self.app.store
        from gatsby_tui.domain.sar import REQUESTER_LABELS as KINDS

        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(Text(f"Subject access request: {store.pupils.full_name(self.pupil_id)}"), classes="dialog-title")
            yield field("Who asked", Select([(w, k) for k, w in KINDS], value="pupil", allow_blank=False,
                                            id="requester_kind", compact=True))
            yield field("Their name", Input(placeholder="needed for a parent, carer or someone else", id="requester_name",
                                            compact=True))
            yield field("Received on", Input(value=dates.uk(store.today), id="received_on", compact=True))
            yield field("Notes", Input(placeholder="how it arrived, proof of identity seen …", id="notes", compact=True))
            yield Static("", id="due", classes="dialog-hint")
            yield Static("", id="sar-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Log request (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._due()
        self.query_one("#requester_kind", Select).focus()

    @on(Input.Changed, "#received_on")
    def _due(self) -> None:
        from gatsby_tui.domain import sar

        try:
            received = dates.parse_date(self.query_one("#received_on", Input).value, what="date received")
        except dates.DateError as e:
            self.query_one("#due", Static).update(Text(str(e)))
            return
        due = sar.due_date(received)
        self.query_one("#due", Static).update(Text(
            f"Due by {dates.long_uk(due)} ({due:%A}); {sar.days_left_words(due, self.app.store.today)}. "
            f"If extended for complexity: {dates.long_uk(sar.extended_due_date(received))}."))

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value for key in ("requester_name", "received_on", "notes")}
        values["requester_kind"] = self.query_one("#requester_kind", Select).value
        try:
            sar_id = self.app.store.requests.log(self.pupil_id, values)
        except StoreError as e:
            self.query_one("#sar-result", Static).update(Text(f"✗ {e}"))
            return
        request = self.app.store.requests.get(sar_id)
        self.app.notify(f"Request logged: due by {dates.long_uk(request.due_on)}.", title="Subject access request")
        self.dismiss(sar_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first


class SarsScreen(ListKeys, Screen):
    """Subject access requests: open ones, nearest due first; overdue ones say so in words."""

    SCOPE = "sars"
    BINDINGS = actions.bindings("sars")
    LIST = "#sars-table"
    LIMIT = 500
    HELP = ("Open subject access requests, nearest due first. Each must be answered within one calendar month "
            "(three if extended for complexity). x answers the highlighted request with an export of the record; "
            "t extends it by two months, saying why; w marks it withdrawn; a shows answered and withdrawn "
            "requests too; Enter opens the pupil.")

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sars-summary")
        table = PagedTable(id="sars-table", page=self.LIMIT, zebra_stripes=False)
        for label, width in (("Due", 11), ("When", 20), ("Pupil", 24), ("Year", 7), ("Asked by", 36), ("Received", 10)):
            table.add_column(label, width=width)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Subject access requests"
        store = self.app.store
        table = self.query_one("#sars-table", PagedTable)
        # Requests are few: paged by position (a request's place in the order is fixed while listed).
        table.source(count=lambda: store.requests.count(include_closed=self.show_all),
                     fetch=lambda _after, limit: store.requests.page(limit=limit, offset=table.row_count,
                                                            include_closed=self.show_all),
                     row=self._row, after=lambda r: r.id, changed=self._summary)
        self.load()
        table.focus()

    @property
    def rows(self) -> list[Any]:
        return list(self.query_one("#sars-table", PagedTable).items.values())

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        table = self.query_one("#sars-table", PagedTable)
        table.reload(keep_index=table.cursor_row)

    def _row(self, r: Any) -> tuple[str, list[Text], int]:
        today = self.app.store.today
        return str(r.id), [Text(dates.uk(r.due_on)), Text(("⚠ " if r.overdue(today) else "") + r.days_left(today)),
                           Text(r.pupil_name), Text(r.year_group_words), Text(r.requester),
                           Text(dates.uk(r.received_on))], 1

    def _summary(self) -> None:
        table = self.query_one("#sars-table", PagedTable)
        count = table.total
        overdue, _ = self.app.store.requests.overdue()
        words = f"{count} {'request' if count == 1 else 'requests'}" + ("" if self.show_all else " open")
        if overdue:
            words += f" · ⚠ {overdue} overdue"
        if not table.complete:
            words += f" · showing the first {table.shown} (more load as you scroll)"
        if not count:
            words = ("No open subject access requests. Log one from the pupil's screen (s)." if not self.show_all
                     else "No subject access requests yet. Log one from the pupil's screen (s).")
        self.query_one("#sars-summary", Static).update(Text(words))

    def _current(self) -> Any:
        r = self.query_one("#sars-table", PagedTable).current()
        if r is None:
            self.app.notify("No request is highlighted.", timeout=3)
        return r

    def action_show_all(self) -> None:
        self.show_all = not self.show_all
        self.load()

    @on(PagedTable.RowSelected, "#sars-table")
    def action_open_pupil(self) -> None:
        r = self._current()
        if r is not None:
            navigation.open_pupil(self.app, r.pupil_id)

    def action_answer(self) -> None:
        r = self._current()
        if r is None:
            return
        if r.status != "open":
            self.app.notify(f"That request is already {r.days_left(self.app.store.today)}.", timeout=4)
            return
        navigation.open_export(self.app, r.pupil_id, sar_id=r.id, callback=lambda _: self.load())

    def action_extend(self) -> None:
        def extend(r: Any, reason: str) -> str:
            due = self.app.store.requests.extend(r.id, reason)
            return f"Extended: now due by {dates.long_uk(due)}. Tell the requester, and why."

        self._with_reason("Extend {name}'s request by two months?",
                          "why it is complex (the requester must be told), then Enter", extend, "Not extended")

    def action_withdraw(self) -> None:
        def withdraw(r: Any, reason: str) -> str:
            self.app.store.requests.withdraw(r.id, reason)
            return "Request marked withdrawn."

        self._with_reason("Mark {name}'s request withdrawn?", "how it was withdrawn (optional), then Enter",
                          withdraw, "Not changed")

    def _with_reason(self, title: str, placeholder: str, change: Any, refused: str) -> None:
        """Ask for a reason, then ``change(request, reason)`` (returns the words to show)."""
        r = self._current()
        if r is None:
            return

        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                words = change(r, reason)
            except StoreError as e:
                self.app.notify(str(e), title=refused, severity="error")
                return
            self.app.notify(words)
            self.load()

        navigation.ask_note(self.app, title.format(name=r.pupil_name), placeholder, callback=done)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


# ---------------------------------------------------------------- many pupils at once

class BulkExportScreen(ModalScreen[None]):
    """One file per pupil of a filtered register: records or action plans, with a progress bar."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Writes one file per pupil in the list into the folder: their whole record (without the advisers' "
            "confidential notes, and with every other pupil named in the free text withheld), or the action "
            "plan from their latest signed-off meeting. Nothing is recorded as given: the files are for you to "
            "print or send. Escape stops after the current pupil.")

    def __init__(self, pupil_ids: list[int], described: str) -> None:
        super().__init__()
        self.pupil_ids = pupil_ids
        self.described = described
        self.running = False
        self.stop = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(Text(f"Export for {self.described}: {len(self.pupil_ids):,} pupils"), classes="dialog-title")
            yield field("What", Select([("Action plan from the latest meeting", "action_plan"),
                                        ("Whole careers record", "record")], value="action_plan", allow_blank=False,
                                       id="what", compact=True))
            yield field("Format", Select(RECORD_FORMATS, value="pdf", allow_blank=False, id="format", compact=True))
            yield field("Folder", Input(value=str(self.app.store.exports.folder()), id="folder", compact=True))
            yield ProgressBar(total=max(len(self.pupil_ids), 1), show_eta=True, id="bulk-progress")
            yield Static("", id="bulk-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#what", Select).focus()

    @on(Select.Changed, "#what")
    def _formats(self) -> None:
        fmt = self.query_one("#format", Select)
        plan = self.query_one("#what", Select).value == "action_plan"
        fmt.set_options(PLAN_FORMATS if plan else RECORD_FORMATS)
        fmt.value = "pdf"

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.running:
            return
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        if not folder.is_dir():
            self.query_one("#bulk-result", Static).update(
                Text(f"✗ The folder {folder} does not exist: choose another, or create it first."))
            return
        if not self.pupil_ids:
            self.query_one("#bulk-result", Static).update("✗ There are no pupils in this list.")
            return
        self.running = True
        self.query_one("#bulk-result", Static).update("Writing…")
        what, fmt = str(self.query_one("#what", Select).value), str(self.query_one("#format", Select).value)
        # The files already written are whole; the one failing is not kept.
        jobs.start(self, lambda run: run.store.exports.many(self.pupil_ids, what, fmt, folder,
                                                           progress=run.progress(self._progress),
                                                           cancelled=lambda: self.stop),
                   group="bulk-export", done=lambda found: self._finished(*found, None),
                   refused=lambda error: self._finished(None, [], error),
                   unforeseen="Something went wrong part-way.")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#bulk-progress", ProgressBar).update(progress=done)

    def _finished(self, written: list[Path] | None, skipped: list[str], error: str | None) -> None:
        self.running = False
        result = self.query_one("#bulk-result", Static)
        if error is not None:
            result.update(Text(f"✗ {error}"))
            return
        folder = self.query_one("#folder", Input).value.strip()
        self.app.store.settings.set("export_folder", str(Path(folder).expanduser()))
        words = f"Wrote {len(written or []):,} files to {folder}."
        if self.stop:
            words += " Stopped before the end."
        if skipped:
            words += (f" Skipped {len(skipped):,} with no signed-off meeting record yet ("
                      + ", ".join(skipped[:3]) + (", …" if len(skipped) > 3 else "") + ").")
        result.update(Text(words))
        self.app.notify(words, title="Bulk export", timeout=10)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.stop = True
            self.query_one("#bulk-result", Static).update("Stopping after the current pupil…")
            return
        self.dismiss(None)
