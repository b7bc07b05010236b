"""Subject access requests: logging, extending, withdrawing, what is due (SQL in store/sar.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from gatsby_tui.store.services import Service


class Requests(Service):
    """Subject access requests: logged, extended, withdrawn, listed; answered through the exports pipeline."""

    def log(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: requester_kind, requester_name, received_on, notes (sar.log). Raises sar.SarInvalid."""
        from gatsby_tui.store import sar

        return sar.log(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                       adviser_id=self.adviser_id)

    def get(self, sar_id: int) -> Any:
        from gatsby_tui.store import sar

        return sar.get(self.conn, sar_id)

    def extend(self, sar_id: int, reason: str) -> date:
        from gatsby_tui.store import sar

        return sar.extend(self.conn, sar_id, reason, stamp=self.clock.stamp(), today=self.today,
                          adviser_id=self.adviser_id)

    def withdraw(self, sar_id: int, reason: str) -> None:
        from gatsby_tui.store import sar

        sar.withdraw(self.conn, sar_id, reason, stamp=self.clock.stamp(), today=self.today, adviser_id=self.adviser_id)

    def page(self, *, limit: int = 200, offset: int = 0, include_closed: bool = False) -> list[Any]:
        from gatsby_tui.store import sar

        return sar.open_requests(self.conn, limit=limit, offset=offset, include_closed=include_closed)

    def count(self, *, include_closed: bool = False) -> int:
        from gatsby_tui.store import sar

        return sar.count(self.conn, include_closed=include_closed)

    def overdue(self) -> tuple[int, date | None]:
        from gatsby_tui.store import sar

        return sar.overdue(self.conn, today=self.today)

    def for_pupil(self, pupil_id: int) -> list[Any]:
        from gatsby_tui.store import sar

        return sar.for_pupil(self.conn, pupil_id)
