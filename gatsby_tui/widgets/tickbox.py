"""A checkbox whose state reads without colour: [✓] when on, [ ] when off."""

from __future__ import annotations

from textual.content import Content
from gatsby_tui.widgets.plain import Checkbox


class TickBox(Checkbox):
    DEFAULT_CSS = """
    TickBox {
        width: 1fr;
    }
    """

    @property
    def _button(self) -> Content:
        # Textual's Checkbox shows an "X" either way, dim when off; a tick or a
        # space keeps the state readable in every theme and in monochrome.
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("✓" if self.value else " ", style), "]")
