"""Every Gatsby benchmark of one pupil with what is missing and the evidence: the dialog the
pupil screen's benchmark strip (widgets/benchmark_strip.py) opens."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.widgets.benchmark_strip import STYLE
from gatsby_tui.widgets.plain import Static


class BenchmarkDetails(ModalScreen[None]):
    SCOPE = "help"
    BINDINGS = actions.bindings("help")
    HELP = "Each benchmark's state, what is missing (with when it is due), and the evidence it rests on."

    def __init__(self, states: dict[int | str, Any]) -> None:
        super().__init__()
        self.states = states

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help-dialog benchmark-details"):
            yield Static("Gatsby benchmarks for this pupil", classes="dialog-title")
            with VerticalScroll():
                for key in rules.RULE_KEYS:
                    s = self.states[key]
                    text = Text()
                    text.append(f"{rules.label_of(key)} — {rules.title_of(key)}: ", style="bold")
                    text.append(f"{s.symbol} {s.words}", style=STYLE[s.state])
                    for part in s.parts:
                        mark = {rules.PART_MET: "✓", rules.PART_MISSING: "✗", rules.PART_NOT_DUE: "…",
                                rules.PART_WAIVED: "–"}[part.status]
                        text.append(f"\n  {mark} {part.what}" + (f" ({part.note})" if part.note else ""))
                    for line in s.evidence[-8:]:
                        text.append(f"\n    · {line}", style="dim")
                    if len(s.evidence) > 8:
                        text.append(f"\n    · and {len(s.evidence) - 8} earlier", style="dim")
                    yield Static(text, classes="help-about")
            yield Static("Escape closes.", classes="dialog-hint")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
