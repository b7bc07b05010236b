"""A checkbox whose state reads without colour: [✓] when on, [ ] when off. Space ticks it; Enter
moves on to the next field, as it does in a text box, so a form is never changed by the key that
was meant to go on."""

from __future__ import annotations

from textual.content import Content
from gatsby_tui.widgets.plain import Checkbox

from gatsby_tui import actions


class TickBox(Checkbox, inherit_bindings=False):
    BINDINGS = actions.bindings("tickbox")

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
