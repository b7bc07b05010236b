"""The footer every screen shows: the keys that apply where the focus is.

Textual's Footer rebuilds every key (a new widget each, restyled) whenever the screen's bindings
are re-checked: on each change of focus, each screen push and each idle check, several times in
a row when a screen opens, though the keys shown are nearly always the same. Moving from one
field of a form to the next changes no key, yet cost a full rebuild each time. This footer
rebuilds once however many changes come before it gets to it, and only when what it would show
(each key, its words, whether it is enabled) differs from what it shows. It reads the bindings
when it draws, so it shows exactly what Textual's own would.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as _Footer
from textual.widgets._footer import FooterKey


class Footer(_Footer):
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
