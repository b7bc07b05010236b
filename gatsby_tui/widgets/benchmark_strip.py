"""A pupil's eight Gatsby benchmark states in one strip, for the pupil screen.

Each benchmark reads as its number, a symbol and a word — "5 Employers ✓ met", "8 Guidance ✗ not
yet", "3 Each pupil … not yet due" — so the state never rests on colour (the colour classes only
repeat it). A second line says what is missing first, and the provider-access tally. The widget
is focusable: Enter (or a click) shows every benchmark with what is missing and the evidence
(screens/benchmark_strip.py).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from gatsby_tui import actions, navigation
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.widgets.plain import Static

STYLE = {rules.MET: "bold", rules.NOT_YET: "bold reverse", rules.NOT_DUE: "dim"}


CELL = 12  # the longest short label ("Careers info")


def strip_text(states: dict[int | str, Any]) -> Text:
    """A heading, the eight benchmarks in two rows of four ("5 Employers    ✓ met"), then what is
    missing first and the provider-access tally."""
    out = Text()
    out.append("Gatsby benchmarks", style="bold")
    out.append("  (Tab here, then Enter: what is missing and the evidence)", style="dim")
    for n in range(1, 9):
        s = states[n]
        out.append("\n" if n in (1, 5) else "  ")
        out.append(f"{n} {rules.BENCHMARKS[n][1]:<{CELL}} ")
        out.append(f"{s.symbol} {s.words}", style=STYLE[s.state])
        if n not in (4, 8):
            out.append(" " * max(0, len("not yet due") - len(s.words)))
    missing = [(n, s) for n, s in states.items() if n != rules.PAL and s.state == rules.NOT_YET]
    out.append("\n")
    if missing:
        n, s = missing[0]
        out.append(f"Missing: B{n} {s.missing[0]}")
        if len(missing) > 1:
            out.append(f" (and {len(missing) - 1} more benchmark{'s' if len(missing) > 2 else ''})")
    else:
        out.append("Nothing missing so far.")
    pal = states.get(rules.PAL)
    if pal is not None:
        out.append(f" · Provider access {pal.symbol} {pal.words} ({len(pal.evidence)} encounter"
                   f"{'s' if len(pal.evidence) != 1 else ''})")
    return out


class BenchmarkStrip(Static, can_focus=True):
    """Shows ``store.coverage.pupil(pupil_id)``; call ``refresh_states()`` after changes."""

    DEFAULT_CSS = """
    BenchmarkStrip {
        height: auto;
        padding: 0 0 1 0;
    }
    BenchmarkStrip:focus {
        background: $boost;
    }
    """
    BINDINGS = actions.bindings("benchmark_strip")
    HELP = ("The pupil's eight Gatsby benchmarks: ✓ met, ✗ not yet (something due now or missed), … not yet "
            "due. Enter shows what is missing for each and the evidence.")

    def __init__(self, pupil_id: int, **kw: Any) -> None:
        super().__init__("", **kw)
        self.pupil_id = pupil_id
        self.states: dict[int | str, Any] = {}

    def on_mount(self) -> None:
        self.refresh_states()

    def refresh_states(self) -> None:
        self.states = self.app.store.coverage.pupil(self.pupil_id)  # type: ignore[attr-defined]
        self.update(strip_text(self.states))
        for state in (rules.MET, rules.NOT_YET, rules.NOT_DUE):
            self.set_class(any(s.state == state for s in self.states.values()), f"-has-{state}")

    def action_details(self) -> None:
        navigation.show_benchmark(self.app, self.states)

    def on_click(self) -> None:
        self.action_details()
