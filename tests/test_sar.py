"""Subject access requests: the one-calendar-month rule (month ends, leap years, weekends, bank
holidays), logging, extending, withdrawing, and the list nearest due first."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers import make_upn, pupil
from gatsby_tui.domain import sar as rule
from gatsby_tui.store import StoreError
from gatsby_tui.store.sar import SarInvalid


@pytest.mark.parametrize("received, due", [
    (date(2026, 9, 3), date(2026, 10, 5)),     # 3 October 2026 is a Saturday: Monday 5th
    (date(2025, 9, 3), date(2025, 10, 3)),     # a Friday: stays
    (date(2027, 1, 31), date(2027, 3, 1)),     # no 31 February: 28 Feb 2027, a Sunday -> Monday 1 March
    (date(2028, 1, 31), date(2028, 2, 29)),    # leap year: 29 February 2028, a Tuesday
    (date(2028, 1, 30), date(2028, 2, 29)),
    (date(2026, 1, 29), date(2026, 3, 2)),     # 28 Feb 2026 (no 29th) is a Saturday -> Monday 2 March
    (date(2026, 3, 31), date(2026, 4, 30)),    # no 31 April: the 30th, a Thursday
    (date(2026, 11, 25), date(2026, 12, 29)),  # Christmas Friday, Boxing Day substitute Monday 28th
    (date(2027, 2, 29 - 1), date(2027, 3, 29 + 1)),  # 28 March 2027 Sunday, 29th Easter Monday -> 30th
    (date(2026, 4, 3), date(2026, 5, 5)),      # 3 May 2026 Sunday, 4 May early May bank holiday -> 5th
    (date(2026, 12, 1), date(2027, 1, 4)),     # 1 January 2027 bank holiday, then a weekend
])
def test_due_date_one_calendar_month_then_the_next_working_day(received, due):
    assert rule.due_date(received) == due


def test_extension_is_three_months_from_receipt_and_bank_holidays_are_right():
    assert rule.extended_due_date(date(2026, 11, 30)) == date(2027, 3, 1)    # 28 Feb 2027 Sunday
    assert rule.extended_due_date(date(2026, 9, 3)) == date(2026, 12, 3)
    assert sorted(rule.bank_holidays(2026)) == [date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
                                                date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25),
                                                date(2026, 12, 28)]
    assert date(2022, 9, 19) in rule.bank_holidays(2022) and date(2022, 5, 30) not in rule.bank_holidays(2022)
    assert rule.days_left_words(date(2026, 11, 20), date(2026, 11, 22)) == "2 days overdue"
    assert rule.days_left_words(date(2026, 11, 23), date(2026, 11, 22)) == "due in 1 day"


@pytest.fixture
def amara(store):
    return store.pupils.add(store.pupils.validate(pupil()))


def test_log_a_request_with_its_due_date_audited(store, amara):
    sar_id = store.requests.log(amara, {"requester_kind": "parent", "requester_name": "  Grace   Okafor ",
                                   "received_on": "03/11/2026", "notes": "By email; ID seen"})
    r = store.requests.get(sar_id)
    assert (r.requester, r.received_on, r.due_on, r.status) == (
        "A parent or carer (Grace Okafor)", date(2026, 11, 3), date(2026, 12, 3), "open")
    assert r.days_left(date(2026, 11, 22)) == "due in 11 days"
    audit = store.conn.execute("SELECT action, after FROM audit_log WHERE table_name = 'subject_access_requests'").fetchall()
    assert [a[0] for a in audit] == ["insert"] and json.loads(audit[0][1])["due_on"] == "2026-12-03"


def test_bad_requests_are_refused_in_words_and_nothing_is_written(store, amara):
    with pytest.raises(SarInvalid) as e:
        store.requests.log(amara, {"requester_kind": "parent", "requester_name": "", "received_on": "31/02/2026"})
    assert set(e.value.errors) == {"requester_name", "received_on"}
    assert "February 2026 has no day 31" in e.value.errors["received_on"]
    with pytest.raises(SarInvalid) as e:
        store.requests.log(amara, {"requester_kind": "pupil", "received_on": "23/11/2026"})
    assert "future" in e.value.errors["received_on"]
    with pytest.raises(SarInvalid):
        store.requests.log(amara, {"requester_kind": "neighbour"})
    assert store.conn.execute("SELECT count(*) FROM subject_access_requests").fetchone()[0] == 0


def test_extend_once_with_a_reason_and_withdraw(store, amara):
    sar_id = store.requests.log(amara, {"requester_kind": "pupil", "received_on": "30/11/2025"})
    with pytest.raises(StoreError, match="Say why"):
        store.requests.extend(sar_id, "  ")
    assert store.requests.extend(sar_id, "Records from three advisers to gather") == date(2026, 3, 2)
    r = store.requests.get(sar_id)
    assert r.extended and r.due_on == date(2026, 3, 2) and "Records from three advisers" in r.notes
    with pytest.raises(StoreError, match="already extended"):
        store.requests.extend(sar_id, "again")
    store.requests.withdraw(sar_id, "Pupil said they no longer need it")
    assert store.requests.get(sar_id).status == "withdrawn"
    with pytest.raises(StoreError, match="already withdrawn"):
        store.requests.withdraw(sar_id, "")


def test_open_requests_nearest_due_first_and_the_overdue_count(store, amara):
    ben = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Ben", legal_surname="Hughes")))
    late = store.requests.log(ben, {"requester_kind": "pupil", "received_on": "01/10/2026"})       # due 2 Nov: overdue
    soon = store.requests.log(amara, {"requester_kind": "pupil", "received_on": "20/11/2026"})     # due 21 Dec
    done = store.requests.log(amara, {"requester_kind": "pupil", "received_on": "01/11/2026"})
    store.requests.withdraw(done, "")
    assert [r.id for r in store.requests.page()] == [late, soon]
    assert [r.id for r in store.requests.page(include_closed=True)] == [late, soon, done]
    assert store.requests.overdue() == (1, date(2026, 11, 2))
    assert store.requests.page()[0].overdue(store.today) and store.requests.page()[0].days_left(store.today) == "20 days overdue"


def test_an_overlong_reason_is_refused_and_the_request_unchanged(store, amara):
    sar_id = store.requests.log(amara, {"requester_kind": "pupil", "received_on": "20/11/2026"})
    with pytest.raises(StoreError, match="too long"):
        store.requests.extend(sar_id, "x" * 1001)
    with pytest.raises(StoreError, match="too long"):
        store.requests.withdraw(sar_id, "y" * 1001)
    r = store.requests.get(sar_id)
    assert r.status == "open" and not r.extended and r.notes is None
