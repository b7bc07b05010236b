"""Import pupils from an MIS CSV: choose the file, preview every row, then write in one go."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, ProgressBar
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, jobs
from gatsby_tui.widgets.fields import field
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.plain import Button, Checkbox, DataTable, Input, Static
from gatsby_tui.widgets.tickbox import TickBox

PREVIEW_LIMIT = 500
ACTION_WORDS = {"add": "new", "update": "update", "unchanged": "same"}
# The preview's fixed columns (cell padding of 1 each side included); Notes takes the rest and wraps.
LINE_W, RESULT_W, PUPIL_W = 5, 8, 26
PADDING = 2


class CsvTree(DirectoryTree):
    """Folders and CSV files only (hidden ones left out): Enter on a file chooses it."""

    HELP = "The files and folders: arrows move, Enter opens a folder or chooses a CSV file for the preview."

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in (".csv", ".txt"):
                    out.append(path)
            except OSError:
                continue
        return out


def wrap_notes(text: str, width: int) -> list[str]:
    """The notes cut into lines of at most ``width`` cells (never fewer than one line)."""
    return textwrap.wrap(text, width=max(width, 10), break_long_words=True) or [""]


class ImportScreen(ModalScreen[bool]):
    """Returns True when anything was written."""

    SCOPE = "import"
    BINDINGS = actions.bindings("import")
    HELP = (
        "Choose the CSV exported from the school's MIS in the list of files (Enter on it), or type its path "
        "and press Enter. Every row is checked "
        "first: the preview says which pupils are new, which will be updated (matched by UPN) and which "
        "rows cannot be imported, with their line numbers. Nothing is written until you press Import. "
        "If any row is rejected, nothing is imported unless you tick 'Import the good rows'."
    )

    def __init__(self) -> None:
        super().__init__()
        self.plan = None
        self.wrote = False
        self._path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide-dialog"):
            yield Static("Import pupils from a CSV", classes="dialog-title")
            default = self.app.store.settings.get("import_folder") or ""
            yield field("CSV file", Input(value=default, placeholder="path of the CSV exported from your MIS, then Enter",
                                          id="path"))
            yield CsvTree(self._tree_root(default), id="import-files")
            yield Static("", id="import-summary")
            table: DataTable = DataTable(id="import-preview", cursor_type="row", zebra_stripes=True)
            table.add_column("Line", key="line", width=LINE_W - PADDING)
            table.add_column("Result", key="result", width=RESULT_W - PADDING)
            table.add_column("Pupil", key="pupil", width=PUPIL_W - PADDING)
            table.add_column("Notes", key="notes", width=20)
            yield table
            yield ProgressBar(id="progress", show_eta=False)
            with Horizontal(classes="dialog-buttons"):
                yield TickBox("Import the good rows and skip the rejected ones", id="skip-invalid", compact=True)
                yield Button("Import (Ctrl+S)", id="commit", variant="primary", disabled=True)
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    @staticmethod
    def _tree_root(typed: str) -> Path:
        """The folder the file list starts in: the one last imported from, else the home folder."""
        folder = Path(typed).expanduser() if typed else Path.home()
        if not folder.is_dir():
            folder = folder.parent
        return folder if folder.is_dir() else Path.home()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#import-preview", DataTable).display = False
        self.query_one("#import-files", CsvTree).focus()

    def on_descendant_focus(self, event) -> None:
        # Back at the file name: the list of files comes back, to choose another.
        if getattr(event.widget, "id", None) == "path":
            self.query_one("#import-files", CsvTree).display = True

    @on(DirectoryTree.FileSelected, "#import-files")
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        path = Path(event.path)
        self.query_one("#path", Input).value = str(path)
        self._start(path)

    def _notes_width(self) -> int:
        """What the Notes column may take so the preview fits the dialog (80 columns included)."""
        inner = self.query_one("#dialog").content_region.width or (self.app.size.width - 6)
        return max(10, inner - LINE_W - RESULT_W - PUPIL_W - PADDING - 2)   # 2: the scroll bar

    # ------------------------------------------------------------ preview
    @on(Input.Submitted, "#path")
    def _preview(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip().strip("'\"")).expanduser()
        if not event.value.strip():
            self._say("Type the path of the CSV file first.")
            return
        self._start(path)

    def _start(self, path: Path) -> None:
        self._path = path
        self._say(f"Checking {path.name} …")
        self.query_one("#commit", Button).disabled = True
        jobs.start(self, lambda run: run.store.pupils.plan_import(path), group="import", done=self._show_plan,
                   refused=self._say, unforeseen="Something went wrong while checking the file: nothing was written.")

    def _say(self, message: str) -> None:
        self.query_one("#import-summary", Static).update(Text(message))

    def _show_plan(self, plan) -> None:
        self.plan = plan
        try:  # remember the folder for next time
            self.app.store.settings.set("import_folder", str(self._path.parent) + "/")
        except StoreError:
            pass
        table = self.query_one("#import-preview", DataTable)
        table.clear()
        self.query_one("#import-files", CsvTree).display = False     # the preview needs the room
        table.display = True
        width = self._notes_width()
        table.columns["notes"].width = width

        def add(line: int, result: str, who: str, notes: str, key: str) -> None:
            lines = wrap_notes(notes, width)
            table.add_row(Text(str(line)), Text(result), Text(who, overflow="ellipsis", no_wrap=True),
                          Text("\n".join(lines)), key=key, height=len(lines))

        for rejected in plan.rejected[:PREVIEW_LIMIT]:
            add(rejected.line, "REJECTED", rejected.upn or "", rejected.reason, f"r{rejected.line}")
        shown = 0
        for row in plan.rows:
            if shown >= PREVIEW_LIMIT:
                break
            add(row.line, ACTION_WORDS.get(row.action, row.action), row.name, " ".join(row.warnings),
                f"l{row.line}")
            shown += 1
        total_rows = len(plan.rows) + len(plan.rejected)
        parts = [f"{total_rows:,} rows checked: {plan.added:,} new, {plan.updated:,} to update, "
                 f"{plan.unchanged:,} unchanged, {plan.rejected_count:,} rejected."]
        if plan.ignored_columns:
            parts.append(f"Columns not used: {', '.join(plan.ignored_columns)}.")
        if plan.rejected_count:
            parts.append("Fix the rejected rows in the file and check again, or tick 'Import the good rows'.")
        if total_rows > PREVIEW_LIMIT:
            parts.append(f"The preview lists the first {PREVIEW_LIMIT}.")
        if not plan.added and not plan.updated:
            parts.append("Nothing to write.")
        self._say(" ".join(parts))
        self._update_commit()
        table.focus()

    @on(Checkbox.Changed, "#skip-invalid")
    def _update_commit(self) -> None:
        plan = self.plan
        skip = self.query_one("#skip-invalid", Checkbox).value
        ready = plan is not None and (plan.added or plan.updated) and (skip or not plan.rejected_count)
        self.query_one("#commit", Button).disabled = not ready

    # ------------------------------------------------------------ writing
    @on(Button.Pressed, "#commit")
    def action_commit(self) -> None:
        if self.query_one("#commit", Button).disabled or self.plan is None:
            return
        self.query_one("#commit", Button).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(1, len(self.plan.rows)), progress=0)
        plan, skip_invalid = self.plan, self.query_one("#skip-invalid", Checkbox).value
        jobs.start(self, lambda run: run.store.pupils.apply_import(plan, skip_invalid=skip_invalid,
                                                            progress=run.progress(self._progress)),
                   group="import", done=self._done, refused=self._say,
                   words=lambda error: f"Nothing was imported: {error}",
                   unforeseen="Something went wrong: nothing was imported.")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(1, total), progress=done)

    def _done(self, result) -> None:
        self.wrote = True
        self.plan = None
        self.query_one("#progress", ProgressBar).update(progress=self.query_one("#progress", ProgressBar).total)
        self._say(f"Imported: added {result.added:,}, updated {result.updated:,}, unchanged "
                  f"{result.unchanged:,}, rejected {result.rejected:,}. Escape closes.")
        self.app.notify(f"Import finished: {result.added:,} added, {result.updated:,} updated.")
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(self.wrote)
