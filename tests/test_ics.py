"""Calendar files of an adviser's bookings, parsed back with icalendar (gatsby_tui.exports.ics)."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest

from helpers import make_upn, pupil
from gatsby_tui.exports.files import write_atomic
from gatsby_tui.exports.ics import initials
from gatsby_tui.store import StoreError
from gatsby_tui.store.bookings import BookingRequest


@pytest.fixture
def diary(store):
    adviser = store.advisers.add({"name": "Helen Marsh"})
    store.advisers.set_current(adviser)
    store.bookings.add_clinic({"adviser_id": adviser, "weekdays": "tue", "start": "09:00", "end": "15:00",
                      "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026"})
    amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2011")))
    siobhan = store.pupils.add(store.pupils.validate(pupil(
        upn=make_upn(2), legal_surname="O'Brien-Ní Bhriain", legal_forename="Siobhán", dob="02/02/2011")))

    def book(who, when, **kw):
        return store.bookings.book(BookingRequest(pupil_id=who, adviser_id=adviser, start=when, **kw), confirm=True)

    ids = {
        # Either side of the October clock change (Sunday 25 October 2026).
        "before": book(amara, datetime(2026, 10, 20, 9, 0), reason="Secret reason: family matters"),
        "after": book(siobhan, datetime(2026, 10, 27, 9, 0)),
        "phone": book(amara, datetime(2026, 11, 24, 10, 30), mode="phone", kind="follow_up"),
        "gone": book(siobhan, datetime(2026, 11, 24, 13, 0)),
    }
    store.bookings.cancel(ids["gone"], "Pupil ill: confidential")
    return {"adviser": adviser, **ids}


def export(store, diary, path, **kw):
    count = store.bookings.export_ics(diary["adviser"], date(2026, 10, 1), date(2026, 11, 30), path, **kw)
    data = path.read_bytes()
    return count, data, icalendar.Calendar.from_ical(data)


def events(cal) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]) + " " + e["DTSTART"].dt.strftime("%d/%m"): e for e in cal.walk("VEVENT")}


def test_the_calendar_is_well_formed_for_outlook_and_google(store, diary, tmp_path):
    count, data, cal = export(store, diary, tmp_path / "marsh.ics")
    assert count == 4
    assert cal["VERSION"] == "2.0" and "gatsby-tui" in str(cal["PRODID"])
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/London"
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    for event in cal.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LOCATION", "STATUS"):
            assert prop in event, prop
        assert event["DTSTAMP"].dt.tzinfo is not None and event["DTSTAMP"].dt.utcoffset().total_seconds() == 0


def test_times_stay_at_0900_local_across_the_clock_change(store, diary, tmp_path):
    _, data, cal = export(store, diary, tmp_path / "marsh.ics")
    assert b"DTSTART;TZID=Europe/London:20261020T090000" in data
    assert b"DTSTART;TZID=Europe/London:20261027T090000" in data
    starts = {e["UID"]: e["DTSTART"] for e in cal.walk("VEVENT")}
    uid = {key: store.bookings.get(diary[key])["uid"] for key in ("before", "after")}
    before, after = starts[uid["before"]], starts[uid["after"]]
    assert before.params["TZID"] == after.params["TZID"] == "Europe/London"
    assert (before.dt.hour, after.dt.hour) == (9, 9)
    # The same wall-clock time is a different instant: BST (UTC+1) before, GMT after.
    assert before.dt.astimezone(timezone.utc) == datetime(2026, 10, 20, 8, 0, tzinfo=timezone.utc)
    assert after.dt.astimezone(timezone.utc) == datetime(2026, 10, 27, 9, 0, tzinfo=timezone.utc)


def test_initials_by_default_full_names_only_on_request_and_never_reasons(store, diary, tmp_path):
    _, data, cal = export(store, diary, tmp_path / "private.ics")
    text = data.decode("utf-8")
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == ["Follow-up meeting: A.O. (Y11)", "Guidance meeting: A.O. (Y11)",
                         "Guidance meeting: S.O. (Y11)", "Guidance meeting: S.O. (Y11)"]
    for secret in ("Okafor", "Amara", "Siobh", "Brien", "Secret reason", "family", "confidential", "Pupil ill"):
        assert secret not in text, secret
    assert "DESCRIPTION" not in text
    _, full, cal_full = export(store, diary, tmp_path / "full.ics", full_names=True)
    names = sorted(str(e["SUMMARY"]) for e in cal_full.walk("VEVENT"))
    assert "Guidance meeting: Amara Okafor (Y11)" in names
    assert "Guidance meeting: Siobhán O'Brien-Ní Bhriain (Y11)" in names
    assert b"Secret reason" not in full and b"confidential" not in full


def test_location_status_and_sequence(store, diary, tmp_path):
    _, _, cal = export(store, diary, tmp_path / "a.ics")
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    phone = by_uid[store.bookings.get(diary["phone"])["uid"]]
    gone = by_uid[store.bookings.get(diary["gone"])["uid"]]
    before = by_uid[store.bookings.get(diary["before"])["uid"]]
    assert str(phone["LOCATION"]) == "Phone" and str(before["LOCATION"]) == "Careers office"
    assert str(gone["STATUS"]) == "CANCELLED" and str(before["STATUS"]) == "CONFIRMED"
    assert int(phone["SEQUENCE"]) == 0 and int(gone["SEQUENCE"]) == 1
    store.bookings.reschedule(diary["phone"], datetime(2026, 11, 24, 11, 15))
    _, _, cal2 = export(store, diary, tmp_path / "b.ics")
    moved = {str(e["UID"]): e for e in cal2.walk("VEVENT")}[str(phone["UID"])]
    assert int(moved["SEQUENCE"]) == 1 and moved["DTSTART"].dt.hour == 11


def test_uids_are_stable_across_exports(store, diary, tmp_path):
    _, _, first = export(store, diary, tmp_path / "one.ics")
    _, _, second = export(store, diary, tmp_path / "two.ics")
    uids = lambda cal: sorted(str(e["UID"]) for e in cal.walk("VEVENT"))  # noqa: E731
    assert uids(first) == uids(second)
    assert len(set(uids(first))) == 4
    stored = sorted(r[0] for r in store.conn.execute("SELECT uid FROM interviews"))
    assert uids(first) == stored


def test_the_file_is_owner_only_replaced_atomically_and_the_export_audited(store, diary, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "cal.ics"
    target.write_text("old contents")
    os.chmod(target, 0o644)
    export(store, diary, target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert [p.name for p in target.parent.iterdir()] == ["cal.ics"], "no temporary file left behind"
    entry = store.conn.execute("SELECT * FROM audit_log WHERE action = 'export'").fetchone()
    assert entry["adviser_id"] == diary["adviser"] and json.loads(entry["after"])["events"] == 4


def test_export_problems_are_sentences(store, diary, tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        store.bookings.export_ics(diary["adviser"], date(2026, 10, 1), date(2026, 11, 30), tmp_path / "nope" / "a.ics")
    with pytest.raises(StoreError, match="is a folder"):
        store.bookings.export_ics(diary["adviser"], date(2026, 10, 1), date(2026, 11, 30), tmp_path)
    with pytest.raises(StoreError, match="is before the first"):
        store.bookings.export_ics(diary["adviser"], date(2026, 11, 30), date(2026, 10, 1), tmp_path / "a.ics")


def test_write_atomic_and_initials(tmp_path):
    path = write_atomic(tmp_path / "x.bin", b"data")
    assert path.read_bytes() == b"data" and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert initials("Amara", "Okafor") == "A.O."
    assert initials("Siobhán", "O'Brien-Ní Bhriain") == "S.O."
    assert initials("Łukasz", "Żak") == "Ł.Ż."


def test_no_icalendar_or_textual_at_import():
    import subprocess
    import sys

    code = ("import sys; import gatsby_tui.store, gatsby_tui.store.bookings, gatsby_tui.store.clinics, "
            "gatsby_tui.domain.when, gatsby_tui.domain.slots, gatsby_tui.exports.ics, gatsby_tui.cli.commands; "
            "print('icalendar' in sys.modules, 'textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.stdout.strip() == "False False"
