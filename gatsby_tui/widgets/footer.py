"""The footer every screen shows: the keys that apply where the focus is.

Textual's Footer is a row of widgets, one per key, rebuilt whenever the screen's bindings are
re-checked: on each change of focus, each screen push and each idle check, several times in a
row when a screen opens. A screen's ten or so keys were a quarter of all the widgets a screen
mounts, each one composed, styled, laid out and drawn. This footer is one widget that draws its
keys as lines of text, in the theme's footer colours, and reads the bindings exactly as Textual's
does. It redraws once however many changes come before it gets to them, and only when what it
would show (each key, its words, whether it is enabled) differs from what it shows.

Where the keys do not fit on one line (a screen with many keys on an 80-column terminal), they go
on as many lines as they need, in columns, never off the right edge. The palette's key (Ctrl+P)
sits at the right of the first line; where the terminal is narrow (-narrow) the keys close up and
the palette's key gives its place to them (F1's help names Ctrl+P on every screen). A key clicked
is a key pressed; a key that does not apply here is drawn dim and rings the bell when clicked, as
in Textual's footer. Pointing at a key highlights it and shows its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from gatsby_tui.widgets.plain import plain


@dataclass(frozen=True)
class Key:
    """One key the footer shows."""
    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    palette: bool = False      # the command palette's key, at the right


class Footer(Widget, can_focus=False):
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
    }
    Footer > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    Footer > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    Footer > .footer--hover {
        background: $block-hover-background;
    }
    """
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--hover"}
    ALLOW_SELECT = False

    def __init__(self, *, show_command_palette: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.show_command_palette = show_command_palette
        self.keys: list[Key] = []
        self._pending = False
        self._placed: list[tuple[int, int, int, Key]] = []   # (line, x, width, key) ...
        self._placed_for: tuple[int, bool] | None = None     # ... at this (width, narrow)
        self._lines = 1
        self._hover: Key | None = None

    # ------------------------------------------------------------ what is shown
    def _keys_now(self) -> list[Key]:
        """The keys Textual's footer would show now: each shown binding once per action, then the
        palette's key."""
        app, bindings = self.app, self.screen.active_bindings
        keys: list[Key] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in bindings.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append(Key(binding.key, app.get_key_display(binding), binding.description,
                            binding.action, bool(enabled), tooltip or ""))
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                keys.append(Key(binding.key, app.get_key_display(binding), binding.description,
                                binding.action, bool(enabled), binding.tooltip or binding.description,
                                palette=True))
        return keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if self.is_attached and self._keys_now() != self.keys:
            await self.recompose()

    async def recompose(self) -> None:
        """Read the keys again and redraw them (the footer has no child widgets to rebuild)."""
        self.keys = self._keys_now()
        self._placed_for = None
        self._fit()
        self.refresh()

    def on_resize(self) -> None:
        # The screen's -narrow class changes with its size, after the first frame at that size
        # may have been drawn: the keys are placed again for both.
        self._placed_for = None
        self._fit()
        self.refresh()

    def _fit(self) -> None:
        """As many lines as the keys take at this width."""
        lines = 1 + max((line for line, *_ in self.placements()), default=0)
        if self.size.width and lines != self._lines:
            self._lines = lines
            self.styles.height = lines

    # ------------------------------------------------------------ laying the keys out
    def _narrow(self) -> bool:
        return self.screen.has_class("-narrow")

    def _cell(self, key: Key) -> tuple[str, str]:
        """A key's two parts as drawn: its key, then its words (closer together where narrow)."""
        if self._narrow():
            return f" {key.display}", f" {key.description}" if key.description else ""
        return f" {key.display} ", f"{key.description} " if key.description else ""

    def _width(self, key: Key) -> int:
        return sum(cell_len(part) for part in self._cell(key))

    def _layout(self, width: int) -> list[tuple[int, int, int, Key]]:
        """Where each key goes: (line, x, width, key). The keys go in as many columns as fit the
        width; the palette's key, where it is shown (not where narrow), at the right of line 0."""
        keys = [k for k in self.keys if not k.palette]
        palette = [k for k in self.keys if k.palette and not self._narrow()]
        room = width - sum(self._width(k) + 1 for k in palette)
        widths = [self._width(k) for k in keys]
        columns = len(keys)
        while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) > room:
            columns -= 1
        placed = []
        if keys:
            column_widths = [max(widths[c::columns]) for c in range(columns)]
            for n, key in enumerate(keys):
                line, column = divmod(n, columns)
                placed.append((line, sum(column_widths[:column]), widths[n], key))
        for key in palette:
            w = self._width(key)
            placed.append((0, max(0, width - w), w, key))
        return placed

    def placements(self) -> list[tuple[int, int, int, Key]]:
        """Where each key is drawn at the footer's present width: (line, x, width, key), worked
        out once for each width and narrowness (and again when the keys change)."""
        now = (self.size.width, self._narrow())
        if self._placed_for != now:
            self._placed = self._layout(now[0]) if self.keys else []
            self._placed_for = now
        return self._placed

    # ------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        placed = self.placements()
        base = self.rich_style
        key_style = base + self.get_component_rich_style("footer--key", partial=True)
        words_style = base + self.get_component_rich_style("footer--description", partial=True)
        hover = self.get_component_rich_style("footer--hover", partial=True)
        dim = Style(dim=True)
        segments: list[Segment] = []
        x = 0
        for line, at, w, key in sorted((p for p in placed if p[0] == y), key=lambda p: p[1]):
            if at > x:
                segments.append(Segment(" " * (at - x), base))
            part_key, part_words = self._cell(key)
            extra = (dim if not key.enabled else Style()) + (hover if key == self._hover else Style())
            if key.palette:
                segments.append(Segment("▏", base + Style(dim=True)))
                part_key = part_key[1:]
            segments.append(Segment(part_key, key_style + extra))
            if part_words:
                segments.append(Segment(part_words, words_style + extra))
            x = at + w
        if x < width:
            segments.append(Segment(" " * (width - x), base))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)

    # ------------------------------------------------------------ the mouse
    def _key_at(self, offset) -> Key | None:
        for line, at, w, key in self.placements():
            if line == offset.y and at <= offset.x < at + w:
                return key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.offset)
        if key is None:
            return
        event.stop()
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.offset)
        if key != self._hover:
            self._hover = key
            self.tooltip = plain(key.tooltip) if key and key.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()
