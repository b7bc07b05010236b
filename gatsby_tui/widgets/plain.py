"""The one way text reaches the screen: as plain text, never as markup.

Textual reads a ``str`` given to Static, Label, Button, a DataTable cell, an option or a
checkbox as content markup: a pupil called ``Smith[/]`` closes the app with a MarkupError, and
``[@click=app.quit]`` in a snippet title would be a live button. The widgets here are Textual's
own with one difference: a ``str`` is shown exactly as it is. Screens import these names from
here instead of from ``textual.widgets`` (tests/test_ui_plain_text.py checks they do), so a name,
a title, a file path or an error text can be put into any of them, in an f-string or not.

Where styling is wanted, build the styles with ``rich.text.Text`` or ``Content`` (``styled``
below fills ``$name`` variables as plain text into a fixed template); those are drawn as built.
Notifications are plain by construction too: ``GatsbyApp.notify`` never reads markup.
Terminal control characters are dropped by Content and Text alike, so an escape sequence in a
name never reaches the terminal.
"""

from __future__ import annotations

from typing import Any, Iterable

from rich.text import Text
from textual import widgets as _w
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive


def plain(value: object) -> Content:
    """Any value as plain text (a Content or a rich Text is kept as built)."""
    if isinstance(value, Content):
        return value
    if isinstance(value, Text):
        return Content.from_rich_text(value)
    return Content("" if value is None else str(value))


def styled(template: str, **values: object) -> Content:
    """A fixed markup template (a literal in the code) with ``$name`` variables, each filled in
    as plain text: ``styled("[b]$name[/b] was saved.", name=name)``."""
    return Content.from_markup(template, **{k: plain(v) for k, v in values.items()})


def _cell(value: Any) -> Any:
    return Text(value, end="") if isinstance(value, str) else value


class Static(_w.Static):
    """Textual's Static, showing a ``str`` as plain text (also through ``update``)."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(content, markup=False, **kwargs)


class StatusLine(Static):
    """The line under a list saying what it shows. It is one line high and as wide as the screen
    whatever it says, so new words are drawn without laying the screen out again (Textual's
    ``update`` lays out by default: 10-15 ms on the register, long enough to hold up a typed key)."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def update(self, content: Any = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)


class Label(_w.Label):
    """Textual's Label, showing a ``str`` as plain text (also through ``update``)."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(content, markup=False, **kwargs)


class Input(_w.Input):
    """Textual's Input, without laying the whole screen out again at each key. Textual sets the
    box's virtual size to the width of its text, a change it marks as one of layout; the box's own
    size never depends on its text here (no Input is sized ``auto``), so the text is redrawn and
    scrolled within the box as before, and the rest of the screen is left alone."""

    virtual_size = Reactive(Size(0, 0), layout=False, repaint=True)


class Button(_w.Button):
    """Textual's Button, its label plain text."""

    def validate_label(self, label: Any) -> Content:
        return plain(label)


class Checkbox(_w.Checkbox):
    """Textual's Checkbox, its label plain text."""

    def _make_label(self, label: Any) -> Content:
        return plain(label).first_line.rstrip()


class OptionList(_w.OptionList):
    """Textual's OptionList, each option's prompt plain text."""

    def __init__(self, *content: Any, **kwargs: Any) -> None:
        super().__init__(*content, markup=False, **kwargs)


class Select(_w.Select):
    """Textual's Select, each option's prompt plain text."""

    def __init__(self, options: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(_plain_options(options), **kwargs)

    def set_options(self, options: Iterable[tuple[Any, Any]]) -> None:
        super().set_options(_plain_options(options))


def _plain_options(options: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [(_cell(prompt), value) for prompt, value in options]


class DataTable(_w.DataTable):
    """Textual's DataTable, every ``str`` cell, row label and column label plain text."""

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> Any:
        return super().add_column(_cell(label), width=width, key=key, default=default)

    _measure_rows = False     # a row with a label or an automatic height has been added

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None,
                label: Any = None) -> Any:
        if label is not None or height is None:
            self._measure_rows = True
        return super().add_row(*map(_cell, cells), height=height, key=key, label=_cell(label))

    def _update_dimensions(self, new_rows: Iterable[Any]) -> None:
        # Textual measures every cell of every new row to widen columns that size to their
        # content. Where every column has a set width and no row a label or an automatic height,
        # nothing measured would be used: a refilled page of 100 rows skips 700 measurements.
        if self._measure_rows or any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
        else:
            super()._update_dimensions(())

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *,
                    update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)
