"""The one list widget for every list paged from SQL (the register, follow-ups, reviews due,
leavers, the audit log, past retention, activities and an activity's pupils).

A screen says once where its rows come from (``source``): how many there are, a page of them
after a key, and the cells of one. The list then loads a page at a time as the cursor (or the
scroll bar) nears the end (keyset paging: nothing is counted or skipped twice), keeps the row
under the cursor when the list is reloaded, moves with the arrows, Page Up / Page Down, Home /
End, j / k and g / G (screens/base.py: ListKeys), opens the row under the cursor on Enter or a
click, and gives the words of the row-count line ("Showing 200 of 18,412 pupils").

It draws through Textual's Line API: the rows are kept as data, and only the lines on screen
are drawn, each once until something on it changes. Refilling the list after a keystroke is
replacing a Python list; there is no widget, cell measurement or layout per row. Cells are
plain text (see widgets/plain.py): a name with ``[b]`` in it is shown as typed. The row under
the cursor is marked with ``▸`` as well as by its colour, so it shows on any terminal and in
any theme.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: How many pages at most are read to find a row to keep under the cursor after a reload.
REVEAL_PAGES = 20
#: Blank cells either side of each column's text, as in Textual's DataTable.
PAD = 1
CURSOR_MARK = "▸"


def _default_after(row: Any) -> Any:
    return row.key


Cell = str | Text

#: C0 and C1 control characters (ESC among them) are dropped, a tab becomes a space; a line break
#: is kept for rows of several lines.
_CONTROLS = {c: None for c in [*range(0x20), *range(0x7F, 0xA0)] if c != 0x0A} | {0x09: " "}


def _cell(value: Any) -> Cell:
    """A cell as given, shown exactly so (never read as markup): a ``str`` (the quick way), or a
    rich Text where it carries styles. No terminal control character reaches the terminal."""
    if type(value) is str:
        return value.translate(_CONTROLS)
    if isinstance(value, Content):
        value = value.__rich__()
    if isinstance(value, Text):
        plain = value.plain
        if value.spans or value.style:
            if plain.translate(_CONTROLS) == plain:
                return value
        return plain.translate(_CONTROLS)       # styled text with control characters: the words only
    return ("" if value is None else str(value)).translate(_CONTROLS)


def _lines(cell: Cell) -> list[Cell]:
    if isinstance(cell, str):
        return cell.split("\n")
    return cell.split("\n", allow_blank=True) if "\n" in cell.plain else [cell]


def _plain(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell.plain


@dataclass
class Column:
    key: str
    label: Cell
    width: int | None        # None: the column takes the width the others leave


class RowMessage(Message):
    """About one row of a PagedTable: its ``key`` and its place ``cursor_row``."""

    def __init__(self, table: PagedTable, cursor_row: int, key: str) -> None:
        super().__init__()
        self.table, self.cursor_row, self.key = table, cursor_row, key

    @property
    def control(self) -> PagedTable:
        return self.table


class PagedTable(ScrollView, can_focus=True):
    """A list of rows paged from SQL through the callbacks given to ``source``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"paged--header", "paged--even-row", "paged--cursor"}

    # Textual lays the whole screen out again whenever a widget's virtual size changes: 10-15 ms
    # on the register, long enough to hold up the next key typed in the search box. A list that
    # fills its height before and after (the usual case after a search) keeps its place on the
    # screen, so only its lines and its scroll bar are drawn again (``watch_virtual_size``).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=True)

    # The look of Textual's DataTable, so the lists match the other tables in every theme.
    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .paged--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .paged--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .paged--even-row {
            background: $surface-darken-1 40%;
        }
        & > .paged--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .paged--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .paged--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .paged--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowHighlighted(RowMessage):
        """The cursor came to a row (or the rows under it changed)."""

    class RowSelected(RowMessage):
        """Enter was pressed on a row, or the row under the cursor was clicked."""

    def __init__(self, *, page: int = 100, near_end: int = 10, zebra_stripes: bool = True,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.page = page
        self.near_end = near_end
        self.zebra_stripes = zebra_stripes
        self.total: int | None = 0            # None: the first page is shown, the rows not counted yet
        self.items: dict[str, Any] = {}         # the rows shown, by their key
        self.columns: list[Column] = []
        self._keys: list[str] = []               # row keys, in the order shown
        self._cells: list[tuple[Cell, ...]] = []
        self._starts: list[int] = []             # the first line of each row (0: under the header)
        self._heights: list[int] = []
        self._index: dict[str, int] = {}         # row key -> position
        self.cursor_row = 0
        self._widths: list[int] = []
        self._lines: LRUCache[tuple[int, bool], list[Strip]] = LRUCache(1024)
        self._header: Strip | None = None
        self._styles: dict[str, Style] = {}
        self._count: Callable[[], int] = lambda: 0
        self._fetch: Callable[[Any, int], list[Any]] = lambda after, limit: []
        self._row: Callable[[Any], tuple[str, Iterable[Any], int]] = lambda row: ("", (), 1)
        self._after: Callable[[Any], Any] = _default_after
        self._changed: Callable[[], None] = lambda: None
        self._last: Any = None
        self._exhausted = True

    # ------------------------------------------------------------ columns and rows
    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None) -> None:
        """A column ``width`` cells wide, or (``None``) as wide as the others leave room for."""
        self.columns.append(Column(key or str(len(self.columns)), _cell(label), width))
        self._layout()

    def source(self, *, count: Callable[[], int], fetch: Callable[[Any, int], list[Any]],
               row: Callable[[Any], tuple[str, Iterable[Any], int]], after: Callable[[Any], Any] = _default_after,
               changed: Callable[[], None] = lambda: None) -> None:
        """Where the rows come from: ``count()`` of them in all; ``fetch(after, limit)`` a page
        after the key ``after(last row)`` (None for the first); ``row(item)`` its key, cells and
        height in lines; ``changed()`` is called whenever more rows are shown (the count line)."""
        self._count, self._fetch, self._row, self._after, self._changed = count, fetch, row, after, changed

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def shown(self) -> int:
        return len(self._keys)

    @property
    def complete(self) -> bool:
        return self.total is not None and len(self._keys) >= self.total

    def get_row_at(self, index: int) -> list[Cell]:
        return list(self._cells[index])

    def get_row(self, key: str) -> list[Cell]:
        return list(self._cells[self._index[key]])

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def update_cell(self, key: str, column_key: str, value: Any) -> None:
        """Change one cell of the row ``key`` (drawn again at once)."""
        index = self._index[key]
        column = next(i for i, c in enumerate(self.columns) if c.key == column_key)
        cells = list(self._cells[index])
        cells[column] = _cell(value)
        self._cells[index] = tuple(cells)
        self._forget_row(index)

    # ------------------------------------------------------------ loading
    def reload(self, *, keep_key: str | None = None, keep_index: int | None = None) -> None:
        """The first page again (for a changed filter, or after a change), the cursor kept on
        the row ``keep_key`` if it is still listed, else at ``keep_index``."""
        total = self._count()
        self._empty()
        self._fill(total, self._fetch(None, self.page), keep_key, keep_index)

    def show(self, total: int | None, first_page: list[Any], *, keep_key: str | None = None,
             keep_index: int | None = None) -> None:
        """Show ``first_page`` of ``total`` rows, read elsewhere (e.g. in a thread). ``total`` may
        be None, not counted yet: the rows are shown at once and ``counted`` gives it later."""
        self._empty()
        self._fill(total, first_page, keep_key, keep_index)

    def counted(self, total: int) -> None:
        """How many rows there are, counted after the first page was shown."""
        self.total = total
        self._changed()

    def clear(self) -> None:
        self._empty()
        self._resize_virtual()

    def _empty(self) -> None:
        # The rows go, but the list keeps its size until it is filled again (``_fill``), so a list
        # refilled with as many rows as fit is never laid out twice on the way.
        self.items, self._keys, self._cells, self._index = {}, [], [], {}
        self._starts, self._heights = [], []
        self._last, self._exhausted = None, False
        self.cursor_row = 0
        self._lines.clear()
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _fill(self, total: int | None, first_page: list[Any], keep_key: str | None, keep_index: int | None) -> None:
        self.total = total
        self._append(first_page)
        self._resize_virtual()
        if keep_key is None or not self.reveal(keep_key):
            index = 0 if keep_index is None else keep_index
            while self.row_count <= index and self.load_more(notify=False):
                pass
            self.move_cursor(row=index, announce=True)
        self._changed()

    def _append(self, rows: list[Any]) -> None:
        for item in rows:
            key, cells, height = self._row(item)
            self.items[key] = item
            self._index[key] = len(self._keys)
            self._starts.append(self._starts[-1] + self._heights[-1] if self._keys else 0)
            self._heights.append(max(1, height))
            self._keys.append(key)
            self._cells.append(tuple(map(_cell, cells)))
        if rows:
            self._last = self._after(rows[-1])
            self._resize_virtual()
            self.refresh()
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
            if key in self._index:
                self.move_cursor(row=self._index[key], announce=True)
                return True
            if not self.load_more(notify=False):
                return False
        return False

    # ------------------------------------------------------------ what is under the cursor
    def current_key(self) -> str | None:
        return self._keys[self.cursor_row] if self._keys else None

    def current(self) -> Any:
        """The row (as fetched) under the cursor, or None when the list is empty."""
        key = self.current_key()
        return None if key is None else self.items.get(key)

    def current_id(self) -> int | None:
        key = self.current_key()
        return None if key is None else int(key)

    # ------------------------------------------------------------ the count line
    def showing(self, noun: str, detail: str = "", more: str = " · more load as you scroll", *, one: str) -> str:
        """'Showing all 42 pupils · detail', 'Showing 1 pupil · detail' (``one`` is the noun for
        one), 'Showing 100 of 4,200 pupils · detail · more ...', or before the rows are counted
        'Showing the first 100 pupils · detail · more ...'."""
        if self.total is None:
            return f"Showing the first {self.shown:,} {noun}{detail}{more}"
        if self.complete:
            if self.total == 1:
                return f"Showing 1 {one}{detail}"
            return f"Showing all {self.total:,} {noun}{detail}"
        return f"Showing {self.shown:,} of {self.total:,} {noun}{detail}{more}"

    # ------------------------------------------------------------ the cursor
    def move_cursor(self, *, row: int, announce: bool = False) -> None:
        """Put the cursor on row ``row`` (kept within the rows loaded) and scroll it into view.
        A RowHighlighted message follows when the row changes, or always with ``announce``."""
        if not self._keys:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self._keys) - 1))
        old, self.cursor_row = self.cursor_row, row
        if old != row:
            self._forget_row(old)
            self._forget_row(row)
        self._scroll_to_cursor()
        if old != row or announce:
            self.post_message(self.RowHighlighted(self, row, self._keys[row]))
            if row >= len(self._keys) - self.near_end:
                self.load_more()

    def _visible_lines(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)   # less the header line

    def _lines_used(self) -> int:
        return self._starts[-1] + self._heights[-1] if self._keys else 0

    def _row_at_line(self, line: int) -> int:
        """The row drawn on line ``line`` (0: the first line under the header)."""
        return bisect_right(self._starts, line) - 1

    def _scroll_to_cursor(self) -> None:
        if not self._keys:
            return
        top = round(self.scroll_y)
        visible = self._visible_lines()
        first = self._starts[self.cursor_row]
        last = first + self._heights[self.cursor_row] - 1
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + visible:
            self.scroll_to(y=min(first, last - visible + 1), animate=False, immediate=True)

    def _page_rows(self) -> int:
        """About a screenful of rows from the cursor."""
        lines = self._visible_lines()
        start = self._starts[self.cursor_row] if self._keys else 0
        below = self._row_at_line(start + lines) if self._keys else 0
        return max(1, below - self.cursor_row)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page_rows())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page_rows())

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        if self._keys:
            self.post_message(self.RowSelected(self, self.cursor_row, self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        line = round(self.scroll_y) + event.y - 1
        if event.y < 1 or not self._keys or line >= self._lines_used():   # the header, or below the rows
            return
        row = self._row_at_line(line)
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.call_later(self._load_if_near_end)

    def _load_if_near_end(self) -> None:
        # Scrolled (by the mouse or the scroll bar) to near the end of what is loaded.
        bottom = round(self.scroll_y) + self._visible_lines()
        if self._keys and self._row_at_line(bottom) >= len(self._keys) - self.near_end:
            self.load_more()

    # ------------------------------------------------------------ drawing
    def _layout(self) -> None:
        """Each column's width: its own, or for a column without one what the others leave."""
        room = self.scrollable_content_region.width if self.is_mounted else 0
        fixed = sum((c.width or 0) + 2 * PAD for c in self.columns)
        flexible = [c for c in self.columns if c.width is None]
        share = max(0, room - fixed - 2 * PAD * len(flexible)) // max(1, len(flexible))
        widths = [c.width if c.width is not None else max(share, cell_len(_plain(c.label))) for c in self.columns]
        if widths != self._widths:
            self._widths = widths
            self._forget_lines()
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        width = sum(w + 2 * PAD for w in self._widths)
        self.virtual_size = Size(width, self._lines_used() + 1)

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        shown = self.size.height
        if old.width == new.width and shown and old.height > shown and new.height > shown:
            # Taller than the room before and after: the same height on screen. The scroll bar is
            # sized to the new rows, and shown or hidden (a layout then) as they need.
            self._scroll_update(new)
        else:
            self.refresh(layout=True)         # the list grows or shrinks on the screen

    def on_resize(self) -> None:
        self._layout()
        self._scroll_to_cursor()

    def on_mount(self) -> None:
        self._layout()

    def _forget_lines(self) -> None:
        self._styles.clear()
        self._lines.clear()
        self._header = None
        self.refresh()

    def _forget_row(self, index: int) -> None:
        self._lines.discard((index, False))
        self._lines.discard((index, True))
        if index < len(self._keys):
            self.refresh_lines(self._starts[index] + 1, self._heights[index])

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_lines()

    def on_focus(self, event: events.Focus) -> None:
        self._forget_lines()

    def on_blur(self, event: events.Blur) -> None:
        self._forget_lines()

    def _style(self, component: str = "") -> Style:
        """The widget's style (``""``) or a component's, read once until the styles change."""
        style = self._styles.get(component)
        if style is None:
            style = self.rich_style if not component else self.get_component_styles(component).rich_style
            self._styles[component] = style
        return style

    def _strip(self, cells: Iterable[Cell], style: Style, mark: str = " ") -> Strip:
        """One line: each cell cut or padded to its column, on ``style``. Plain cells side by side
        make one segment."""
        # The cursor mark (or a blank) is a segment of its own: a screenshot (SVG) drops the
        # space that begins a segment, which would pull the row one cell left.
        segments: list[Segment] = [Segment(mark, style)]
        plain: list[str] = []
        pad = " " * PAD
        for i, (cell, width) in enumerate(zip(cells, self._widths)):
            if i:
                plain.append(pad)
            if isinstance(cell, str):
                length = cell_len(cell)
                if length <= width:
                    plain.append(cell + " " * (width - length))
                else:
                    plain.append(set_cell_size(cell, width - 1) + "…")
            else:
                if plain:
                    segments.append(Segment("".join(plain), style))
                    plain = []
                text = cell.copy()
                text.truncate(width, overflow="ellipsis", pad=True)
                text.end = ""
                segments.extend(Segment.apply_style(text.render(self.app.console), style))
            plain.append(pad)
        segments.append(Segment("".join(plain), style))
        return Strip(segments, sum(w + 2 * PAD for w in self._widths))

    def _row_strips(self, index: int) -> list[Strip]:
        """The lines of row ``index``: a cell with several lines of text uses the row's height."""
        cursor = index == self.cursor_row
        strips = self._lines.get((index, cursor))
        if strips is None:
            style = self._style()
            if self.zebra_stripes and index % 2 == 0:
                style += self._style("paged--even-row")
            if cursor:
                style += self._style("paged--cursor")
            cells = self._cells[index]
            height = self._heights[index]
            if height == 1:
                strips = [self._strip([_lines(cell)[0] for cell in cells], style, CURSOR_MARK if cursor else " ")]
            else:
                split = [_lines(cell) for cell in cells]
                blank = ""
                strips = [self._strip([lines[n] if n < len(lines) else blank for lines in split], style,
                                      CURSOR_MARK if cursor and n == 0 else " ")
                          for n in range(height)]
            self._lines[(index, cursor)] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        base = self._style()
        if y == 0:
            if self._header is None:
                self._header = self._strip((c.label for c in self.columns), base + self._style("paged--header"))
            strip = self._header
        else:
            line = scroll_y + y - 1
            if line >= self._lines_used():
                return Strip.blank(width, base)
            index = self._row_at_line(line)
            strip = self._row_strips(index)[line - self._starts[index]]
        return strip.crop_extend(scroll_x, scroll_x + width, base)
