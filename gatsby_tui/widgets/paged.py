"""The one list widget for every list paged from SQL (the register, follow-ups, reviews due,
leavers, the audit log, past retention, activities and an activity's pupils).

A screen says once where its rows come from (``source``): how many there are, a page of them
after a key, and the cells of one. The table then loads a page at a time as the cursor nears
the end (keyset paging: nothing is counted or skipped twice), keeps the row under the cursor
when the list is reloaded, moves with the arrows and j / k, g / G (screens/base.py: ListKeys), and
gives the
words of the row-count line ("Showing 200 of 18,412 pupils"). Cells are plain text (see
widgets/plain.py): a name with ``[b]`` in it is shown as typed.

It is Textual's DataTable fed one page at a time: the DataTable draws only the lines on
screen, and measures only the rows it is given, so it never holds more than the pages the
adviser has scrolled through.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from gatsby_tui.widgets.plain import DataTable

#: How many pages at most are read to find a row to keep under the cursor after a reload.
REVEAL_PAGES = 20


def _default_after(row: Any) -> Any:
    return row.key


class PagedTable(DataTable):
    """A DataTable that pages its rows from SQL through the callbacks given to ``source``."""

    def __init__(self, *, page: int = 100, near_end: int = 10, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.page = page
        self.near_end = near_end
        self.total = 0
        self.items: dict[str, Any] = {}         # the rows shown, by their row key
        self._count: Callable[[], int] = lambda: 0
        self._fetch: Callable[[Any, int], list[Any]] = lambda after, limit: []
        self._row: Callable[[Any], tuple[str, Iterable[Any], int]] = lambda row: ("", (), 1)
        self._after: Callable[[Any], Any] = _default_after
        self._changed: Callable[[], None] = lambda: None
        self._last: Any = None
        self._exhausted = True

    def source(self, *, count: Callable[[], int], fetch: Callable[[Any, int], list[Any]],
               row: Callable[[Any], tuple[str, Iterable[Any], int]], after: Callable[[Any], Any] = _default_after,
               changed: Callable[[], None] = lambda: None) -> None:
        """Where the rows come from: ``count()`` of them in all; ``fetch(after, limit)`` a page
        after the key ``after(last row)`` (None for the first); ``row(item)`` its key, cells and
        height; ``changed()`` is called whenever more rows are shown (to update the count line)."""
        self._count, self._fetch, self._row, self._after, self._changed = count, fetch, row, after, changed

    # ------------------------------------------------------------ loading
    def reload(self, *, keep_key: str | None = None, keep_index: int | None = None) -> None:
        """The first page again (for a changed filter, or after a change), the cursor kept on
        the row ``keep_key`` if it is still listed, else at ``keep_index``."""
        total = self._count()
        self._reset()
        self._fill(total, self._fetch(None, self.page), keep_key, keep_index)

    def show(self, total: int, first_page: list[Any], *, keep_key: str | None = None,
             keep_index: int | None = None) -> None:
        """Show ``first_page`` of ``total`` rows, read elsewhere (e.g. in a thread)."""
        self._reset()
        self._fill(total, first_page, keep_key, keep_index)

    def _reset(self) -> None:
        self.clear()
        self.items = {}
        self._last = None
        self._exhausted = False

    def _fill(self, total: int, first_page: list[Any], keep_key: str | None, keep_index: int | None) -> None:
        self.total = total
        self._append(first_page)
        if keep_key is None or not self.reveal(keep_key):
            if keep_index is not None:
                while self.row_count <= keep_index and self.load_more(notify=False):
                    pass
                if self.row_count:
                    self.move_cursor(row=min(keep_index, self.row_count - 1))
        self._changed()

    def _append(self, rows: list[Any]) -> None:
        for item in rows:
            key, cells, height = self._row(item)
            self.items[key] = item
            self.add_row(*cells, key=key, height=height)
        if rows:
            self._last = self._after(rows[-1])
        if len(rows) < self.page:
            self._exhausted = True

    def load_more(self, notify: bool = True) -> bool:
        """The next page, if any is left; True when rows were added."""
        if self._exhausted:
            return False
        rows = self._fetch(self._last, self.page)
        self._append(rows)
        if notify:
            self._changed()
        return bool(rows)

    def load_all(self) -> None:
        while self.load_more(notify=False):
            pass
        self._changed()

    def reveal(self, key: str) -> bool:
        """Put the cursor on the row ``key``, reading a few more pages to find it if need be."""
        for _ in range(REVEAL_PAGES):
            if key in self.items:
                self.move_cursor(row=self.get_row_index(key))
                return True
            if not self.load_more(notify=False):
                return False
        return False

    @property
    def shown(self) -> int:
        return self.row_count

    @property
    def complete(self) -> bool:
        return self.row_count >= self.total

    # ------------------------------------------------------------ what is under the cursor
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return key.value

    def current(self) -> Any:
        """The row (as fetched) under the cursor, or None when the list is empty."""
        key = self.current_key()
        return None if key is None else self.items.get(key)

    def current_id(self) -> int | None:
        key = self.current_key()
        return None if key is None else int(key)

    # ------------------------------------------------------------ the count line
    def showing(self, noun: str, detail: str = "", more: str = " · more load as you scroll") -> str:
        """'Showing all 42 pupils · detail' or 'Showing 100 of 4,200 pupils · detail · more ...'."""
        if self.complete:
            return f"Showing all {self.total:,} {noun}{detail}"
        return f"Showing {self.shown:,} of {self.total:,} {noun}{detail}{more}"

    # ------------------------------------------------------------ keys
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Near the end of what is loaded: the next page (the message goes on to the screen).
        if event.data_table is self and event.cursor_row >= self.row_count - self.near_end:
            self.load_more()
