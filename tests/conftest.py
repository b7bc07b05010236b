from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from gatsby_tui.clock import FixedClock
from gatsby_tui.domain.upn import check_letter
from gatsby_tui.store import Store

TODAY = date(2026, 11, 22)  # a Sunday in the 2026/27 school year


def make_upn(serial: int, la: str = "801", school: str = "2000", year: str = "15") -> str:
    body = f"{la}{school}{year}{serial:03d}"
    return check_letter(body) + body


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 10, 0))


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    s = Store.open(tmp_path / "test.db", clock=clock)
    yield s
    s.close()


def pupil(**over) -> dict:
    values = {
        "upn": make_upn(1),
        "legal_forename": "Amara",
        "legal_surname": "Okafor",
        "preferred_forename": "",
        "dob": "14/03/2012",
        "gender": "F",
        "year_group": "",
        "form": "10B",
        "sen_status": "N",
    }
    values.update(over)
    return values
