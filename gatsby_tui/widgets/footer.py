"""The footer every screen shows: the keys that apply where the focus is.

Textual's Footer rebuilds every key (a new widget each, restyled) whenever the screen's bindings
are re-checked: on each change of focus, each screen push and each idle check, several times in
a row when a screen opens, though the keys shown are nearly always the same. Moving from one
field of a form to the next changes no key, yet cost a full rebuild each time. This footer
rebuilds once however many changes come before it gets to it, and only when what it would show
(each key, its words, whether it is enabled) differs from what it shows. It reads the bindings
when it draws, so it shows exactly what Textual's own would.

Where the keys do not fit on one line (a screen with many keys on an 80-column terminal), they go
on as many lines as they need, in columns, never off the right edge.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as _Footer
from textual.widgets._footer import FooterKey


class Footer(_Footer):
    DEFAULT_CSS = """
    Footer {
        layout: grid;
        grid-columns: auto;
        grid-rows: 1;
        height: auto;
    }
    """

    _recompose_pending = False
    _shown: tuple | None = None

    def _keys_now(self) -> tuple:
        """What the footer would show now, as a comparable value."""
        shown = tuple(
            (binding.key, self.app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip, binding.group.description if binding.group else None)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return shown, palette and palette[2], self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE

    def compose(self) -> ComposeResult:
        self._shown = self._keys_now() if self._bindings_ready else None
        # Each key would be made compact (True) and then bound to the footer's value (False):
        # two restyles of the key for nothing. Start it at the footer's value.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_pending = False
        if not self.is_attached:
            return
        if self._shown is None or self._keys_now() != self._shown:
            await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        self._fit()

    def on_mount(self) -> None:   # (Footer's own on_mount runs too: Textual calls each class's handler)
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As many columns of keys as fit the width (the palette key keeps its place on the right)."""
        keys = [k for k in self.query_children(FooterKey) if k.display and "-command-palette" not in k.classes]
        if not keys or not self.size.width:
            return
        room = self.size.width - sum(k.outer_size.width for k in self.query_children(FooterKey)
                                     if k.display and "-command-palette" in k.classes)
        widths = [k.get_content_width(self.size, self.size) + k.styles.margin.width for k in keys]
        columns = len(keys)
        while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) > room:
            columns -= 1
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
