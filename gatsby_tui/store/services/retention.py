"""Retention: leavers past the retention period, pseudonymising and erasing them (SQL in
store/retention.py; rules in domain/retention.py)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.services import Service, settings


class Retention(Service):
    """The retention periods, the leavers past them, and pseudonymising or erasing them."""

    def policy(self) -> Any:
        """domain.retention.Policy: record_years, send_years, destination_years (settings, else the defaults)."""
        from gatsby_tui.domain import retention as rules

        return rules.policy_from_settings({key: self.store.settings.get(key) for key, _, _, _ in rules.SETTINGS})

    def set_policy(self, values: Mapping[str, Any], *,
                   original: Mapping[str, str | None] | None = None) -> Any:
        """values: record_years, send_years, destination_years (numbers or text). Raises StoreError
        in words for a value that is not 1 to 100 years; audited. Returns the new Policy.
        ``original``: the stored settings as the form read them (``store.settings.many``); then only the
        periods changed at the form are written, refused if someone else changed one meanwhile."""
        from gatsby_tui.domain import retention as rules

        try:
            policy = rules.policy_from(values)
        except rules.PolicyError as e:
            raise StoreError(str(e)) from None
        before = self.policy().as_settings()
        after = policy.as_settings()
        if original is not None:
            words = {key: f"the {about.split(',')[0]} period" for key, _name, _default, about in rules.SETTINGS}
            with transaction(self.conn):
                old, new = edits.update_settings_changed(self.conn, original, after, what="the retention periods",
                                                         labels=words)
                if new:
                    audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                                table="settings", row_id=None, pupil_id=None, before=old, after=new)
            return self.policy()
        with transaction(self.conn):
            for key, value in after.items():
                settings.put(self.conn, key, value)
            if before != after:
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None, before=before, after=after)
        return policy

    def page(self, limit: int = 200, after: tuple[str, int] | None = None) -> list[Any]:
        """retention.RetentionRow pages by name: leavers whose every retention period has run by
        today; ``after``: the last row's .key."""
        from gatsby_tui.store import retention

        return retention.page(self.conn, today=self.today, policy=self.policy(), limit=limit, after=after)

    def count(self) -> int:
        from gatsby_tui.store import retention

        return retention.count(self.conn, today=self.today, policy=self.policy())

    def pseudonymise(self, pupil_ids: Sequence[int], progress: Any = None) -> Any:
        """retention.Outcome. Names, date of birth (to 1 January), UPN (a placeholder) and every free
        text of theirs replaced; statistics kept. Only leavers past retention; all or nothing."""
        from gatsby_tui.store import retention

        outcome = retention.pseudonymise(self.conn, pupil_ids, today=self.today, policy=self.policy(),
                                         stamp=self.clock.stamp(), adviser_id=self.adviser_id, progress=progress)
        self.store.coverage.forget()
        return outcome

    def erase(self, pupil_ids: Sequence[int], progress: Any = None) -> Any:
        """retention.Outcome. Every row about each pupil deleted (audit entries too, leaving one
        tombstone each that names no one) and the file compacted. Only leavers past retention; all
        or nothing. Backups taken earlier still hold them (``store.backup.holding_data``)."""
        from gatsby_tui.store import retention

        outcome = retention.erase(self.conn, pupil_ids, today=self.today, policy=self.policy(),
                                  stamp=self.clock.stamp(), adviser_id=self.adviser_id, progress=progress)
        self.store.coverage.forget()
        return outcome

    def exported_files(self, pupil_ids: Sequence[int]) -> list[Any]:
        """retention.ExportedFile for each file the audit log recorded as exported that holds the
        pupils' data (``certain``: made for them, or a list whose search named them) or may hold it
        (a list exported since they were added): what erasing them cannot reach."""
        from gatsby_tui.store import retention

        return retention.exported_files(self.conn, list(pupil_ids))
