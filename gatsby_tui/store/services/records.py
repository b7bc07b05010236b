"""Meeting records: drafts, sign-off, amendments, snippets and NCCIS codes (SQL in store/records.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, Mapping

from gatsby_tui.store.db import StoreError
from gatsby_tui.store.services import Service


class Records(Service):
    """Meeting records: started, saved as drafts while typing, signed off, amended; snippets; NCCIS codes."""

    def start(self, *, interview_id: int | None = None, pupil_id: int | None = None,
              held_at: datetime | None = None, adviser_id: int | None = None, mode: str = "in_person") -> int:
        """A draft record for a booked or held interview (its existing record if it has one), or
        for an unplanned conversation with ``pupil_id`` at ``held_at`` (default now). The
        record's adviser is ``adviser_id``, default the adviser using the app."""
        from gatsby_tui.store import records

        who = adviser_id if adviser_id is not None else self.adviser_id
        if who is None:
            raise StoreError("Choose the adviser using the app before starting a record.")
        if interview_id is None and held_at is None:
            held_at = self.clock.now()
        return records.start_record(self.conn, interview_id=interview_id, pupil_id=pupil_id, adviser_id=who,
                                    held_at=held_at, stamp=self.clock.stamp(), mode=mode)

    def get(self, record_id: int) -> dict[str, Any] | None:
        """All fields plus names, year_group, destination_label, actions, amendments, effective."""
        from gatsby_tui.store import records

        return records.get_record(self.conn, record_id)

    def for_pupil(self, pupil_id: int, limit: int = 100) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.records_for_pupil(self.conn, pupil_id, limit)

    def save(self, record_id: int, values: Mapping[str, Any]) -> list[str]:
        """Draft only; returns the fields that changed. Raises RecordInvalid (.errors per field)."""
        from gatsby_tui.store import records

        return records.save_record(self.conn, record_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def sign_off(self, record_id: int) -> None:
        from gatsby_tui.store import records

        records.sign_off(self.conn, record_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def amend(self, record_id: int, field: str, new_text: Any, reason: str) -> int:
        from gatsby_tui.store import records

        return records.amend(self.conn, record_id, field, new_text, reason, stamp=self.clock.stamp(),
                             adviser_id=self.adviser_id)

    def save_draft(self, key: str, payload: Mapping[str, Any]) -> None:
        from gatsby_tui.store import records

        records.save_draft(self.conn, key, payload, stamp=self.clock.stamp())

    def load_draft(self, key: str) -> dict[str, Any] | None:
        from gatsby_tui.store import records

        return records.load_draft(self.conn, key)

    def discard_draft(self, key: str) -> None:
        from gatsby_tui.store import records

        records.discard_draft(self.conn, key)

    def discard_if_untouched(self, record_id: int) -> bool:
        """Delete a draft record with nothing written in it (opened by mistake); True if deleted."""
        from gatsby_tui.store import records

        return records.discard_if_untouched(self.conn, record_id, stamp=self.clock.stamp(),
                                            adviser_id=self.adviser_id)

    def snippets(self, adviser_id: int | None = None) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.snippets(self.conn, adviser_id if adviser_id is not None else self.adviser_id)

    def add_snippet(self, title: str, body: str, adviser_id: int | None = None) -> int:
        from gatsby_tui.store import records

        return records.add_snippet(self.conn, adviser_id if adviser_id is not None else self.adviser_id, title, body)

    def delete_snippet(self, snippet_id: int) -> None:
        from gatsby_tui.store import records

        records.delete_snippet(self.conn, snippet_id)

    def nccis_codes(self) -> list[sqlite3.Row]:
        """Every code with its label and category, by code (for a picker)."""
        from gatsby_tui.store import records

        return records.nccis_codes(self.conn)

    def find_nccis(self, text: str) -> list[sqlite3.Row]:
        """Codes by number prefix or part of the label; an exact code or label alone."""
        from gatsby_tui.store import records

        return records.find_nccis(self.conn, text)

    def for_interview(self, interview_id: int) -> sqlite3.Row | None:
        """A meeting's record, if started: id, status, signed_off_at, signed_off_by_name, has_draft."""
        from gatsby_tui.store import records

        return records.record_for_interview(self.conn, interview_id)

    def draft_saved_at(self, key: str) -> str | None:
        """When the draft under ``key`` was last written ('2026-11-22T10:42:05'), or None."""
        from gatsby_tui.store import records

        return records.draft_saved_at(self.conn, key)

    def parse_destination(self, text: str) -> str | None:
        """The NCCIS code typed as its number or part of its name; None for blank. Raises
        StoreError naming the near matches when it is not exactly one code."""
        from gatsby_tui.store import records

        return records.parse_destination(self.conn, text)

    def sign_off_problem(self, record_id: int) -> str | None:
        """Why the adviser using the app cannot sign the record off now (the sentence
        ``store.records.sign_off`` would refuse with), or None. Writes nothing."""
        from gatsby_tui.store import records

        return records.sign_off_problem(self.conn, record_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def latest_signed_off(self, pupil_id: int) -> int | None:
        """The pupil's latest signed-off meeting record, or None."""
        from gatsby_tui.store import pupil_record

        return pupil_record.latest_signed_off(self.conn, pupil_id)
