"""The careers programme (Benchmark 1), the school and its published page (SQL in store/programme.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Mapping

from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.services import Service
from gatsby_tui.store.services.exports import check_folder, write_file


class Programme(Service):
    """The careers programme, the school and its careers leader, and the published page."""

    def grid(self, school_year: int | None = None) -> Any:
        """programme.Grid: .items(year_group, benchmark), .unplanned, .planned, .delivered."""
        from gatsby_tui.domain.schoolyear import school_year_of
        from gatsby_tui.store import programme

        return programme.grid(self.conn, school_year if school_year is not None else school_year_of(self.today))

    def item(self, item_id: int) -> sqlite3.Row | None:
        from gatsby_tui.store import programme

        return programme.item(self.conn, item_id)

    def items(self, school_year: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import programme

        return programme.items_for(self.conn, school_year)

    def years(self) -> list[int]:
        from gatsby_tui.store import programme

        return programme.school_years(self.conn)

    def add_item(self, school_year: int, year_group: int, benchmark: int, description: str) -> int:
        from gatsby_tui.store import programme

        return programme.add_item(self.conn, school_year, year_group, benchmark, description,
                                  stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_item(self, item_id: int, description: str) -> bool:
        from gatsby_tui.store import programme

        return programme.update_item(self.conn, item_id, description, stamp=self.clock.stamp(),
                                     adviser_id=self.adviser_id)

    def delete_item(self, item_id: int) -> int:
        from gatsby_tui.store import programme

        return programme.delete_item(self.conn, item_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def link(self, activity_id: int, item_id: int | None) -> bool:
        """Link a recorded activity to a planned one (None: unlink)."""
        from gatsby_tui.store import programme

        return programme.link(self.conn, activity_id, item_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def candidates(self, item_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import programme

        return programme.candidates(self.conn, item_id)

    def copy_year(self, from_year: int, to_year: int) -> int:
        from gatsby_tui.store import programme

        return programme.copy_year(self.conn, from_year, to_year, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def school(self) -> Any:
        """programme.School: the school's name, its careers leader, and the texts of the published
        programme (.missing lists what setup still needs)."""
        from gatsby_tui.store import programme

        return programme.school(self.conn)

    def save_school(self, values: Mapping[str, Any]) -> bool:
        """name, leader_name, leader_email, leader_phone; raises programme.SchoolInvalid (.errors)."""
        from gatsby_tui.store import programme

        return programme.save_school(self.conn, dict(values), stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def save_page(self, values: Mapping[str, Any]) -> bool:
        """The published programme's texts (programme.PAGE_KEYS) and next_review (day/month/year);
        raises programme.SchoolInvalid (.errors)."""
        from gatsby_tui.store import programme

        return programme.save_page(self.conn, dict(values), stamp=self.clock.stamp(), today=self.today,
                                   adviser_id=self.adviser_id)

    def figures(self) -> Any:
        """exports.programme.Figures for today: each benchmark met of those it is due for, and the
        latest leaving cohort's destinations. School-wide counts only."""
        from gatsby_tui.domain import benchmarks as rules
        from gatsby_tui.domain import send
        from gatsby_tui.exports.programme import Figures

        cohort = self.store.coverage.cohort()
        coverage_rows = []
        for key in rules.RULE_KEYS:
            t = cohort.tally(key)
            if not t.total:
                continue
            words = (f"{t.percent_due}% of the {t.due:,} pupils it is due for ({t.met:,} met)" if t.due
                     else "not yet due for anyone")
            if t.due and t.not_due:
                words += f"; not yet due for {t.not_due:,} more"
            coverage_rows.append((rules.label_of(key).split(" ", 1)[0] + " " + rules.title_of(key), words))
        title, rows = "", []
        leavers = self.store.destinations.cohorts()
        if leavers:
            summary = self.store.destinations.cohort_summary(leavers[0])
            title = f"{send.cohort_label(leavers[0])}: {summary.total:,} leavers"
            rows = [(label, summary.counts[b], summary.percent(b)) for b, label in send.BUCKETS
                    if summary.counts[b] or b != "other"]
        return Figures(self.today, coverage_rows, title, rows)

    def export(self, school_year: int, path: str | os.PathLike[str], fmt: str | None = None, *,
               delivered: bool = True, figures: bool = False) -> Path:
        """Write the published programme as a web page ('html') or Markdown ('md'; default from the
        file name), owner-only and atomically; audited. ``delivered``: mark delivered activities;
        ``figures``: add the current coverage and destinations to the evaluation. Refused until the
        school and its careers leader are named. Returns the path written."""
        from gatsby_tui.exports import programme as export
        from gatsby_tui.store import programme

        target = Path(path).expanduser()
        kind = (fmt or target.suffix.lstrip(".")).lower()
        kind = {"htm": "html", "markdown": "md"}.get(kind, kind)
        if kind not in ("html", "md"):
            raise StoreError("Give a file name ending in .html (a web page) or .md (Markdown).")
        school = programme.school(self.conn)
        if school.missing:
            raise StoreError(f"The published programme names the school and its careers leader: give "
                             f"{' and '.join(school.missing)} first (School and careers leader, in the command "
                             "palette, Ctrl+P).")
        check_folder(target)
        grid = programme.grid(self.conn, school_year)
        maker = export.html_page if kind == "html" else export.markdown
        text = maker(grid, school=school, generated=self.today, delivered=delivered,
                     figures=self.figures() if figures else None)
        write_file(target, text.encode("utf-8"), f".{kind}")
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table="programme_items", row_id=None, pupil_id=None,
                        after={"what": "careers programme", "school_year": school_year, "format": kind,
                               "items": grid.planned, "delivered_marks": delivered, "figures": figures,
                               "file": str(target)})
        return target
