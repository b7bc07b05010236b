"""The one way a form lays out a labelled field."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget

from gatsby_tui.widgets.plain import Label


def field(label: str, widget: Widget, *, classes: str = "", id: str | None = None) -> Horizontal:
    """A row: the label in the left column, the input beside it."""
    if "field-input" not in widget.classes:
        widget.add_class("field-input")
    return Horizontal(Label(label, classes="field-label"), widget, classes=f"field {classes}".strip(), id=id)
