"""An adviser's bookings as an iCalendar file (RFC 5545) for Outlook and Google Calendar.

Decisions:

* Privacy: calendars get synced to the cloud, so by default an event names the pupil by
  initials and year group only ("Guidance meeting: A.O. (Y11)"); full names only when asked
  for. No reason, status note or record text is ever written. Events are CLASS:PRIVATE.
* Re-importing updates rather than duplicates: each event's UID is the interview's stable
  ``uid`` and SEQUENCE counts the changes a calendar must notice (moves, cancellations,
  reinstatements). A cancelled meeting is written with STATUS:CANCELLED (not left out), so
  a calendar that imported it before removes or strikes it. Held and did-not-attend
  meetings stay CONFIRMED: the time was spent either way, and attendance is not the
  calendar's business.
* Times: DTSTART/DTEND are the wall-clock times with TZID=Europe/London and a VTIMEZONE
  generated from zoneinfo by icalendar (Timezone.from_tzinfo, icalendar 6.1 or later),
  covering the exported range, so a 09:00 meeting stays 09:00 across the clock change.
  DTSTAMP and LAST-MODIFIED are UTC, as RFC 5545 requires.
* METHOD:PUBLISH, X-WR-CALNAME and X-WR-TIMEZONE help Outlook and Google Calendar import it.

``icalendar`` is imported inside ``calendar_bytes``: never at module import (start-up time).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping

from gatsby_tui.domain.codes import MEETING_KIND_TITLES, MODE_TITLES

TZID = "Europe/London"
PRODID = "-//gatsby-tui//Guidance bookings//EN"


def initials(forename: str, surname: str) -> str:
    """'Amara', "O'Brien-Ní Bhriain" -> 'A.O.' (the first letter of each)."""
    def first_letter(text: str) -> str:
        return next((c.upper() for c in text or "" if c.isalpha()), "")

    return "".join(f"{letter}." for letter in (first_letter(forename), first_letter(surname)) if letter)


def summary(item: Mapping[str, Any], *, full_names: bool = False) -> str:
    """'Guidance meeting: A.O. (Y11)' or, asked for, 'Guidance meeting: Amara Okafor (Y11)'."""
    who = f"{item['forename']} {item['surname']}" if full_names else initials(item["forename"], item["surname"])
    return f"{MEETING_KIND_TITLES.get(item['kind'], 'Meeting')}: {who} (Y{item['year_group']})"


def calendar_bytes(items: Iterable[Mapping[str, Any]], *, now: datetime, first: date, last: date,
                   full_names: bool = False) -> bytes:
    """A VCALENDAR of the items made by ``store.calendar.for_export``."""
    import icalendar

    from gatsby_tui.zone import school_zone

    tz = school_zone()

    def utc(moment: datetime) -> datetime:
        local = moment if moment.tzinfo else moment.replace(tzinfo=tz)
        return local.astimezone(timezone.utc)

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Guidance meetings")
    cal.add("x-wr-timezone", TZID)
    cal.add_component(icalendar.Timezone.from_tzinfo(
        tz, tzid=TZID, first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)))
    stamp = utc(now)
    for item in items:
        cancelled = item["status"] == "cancelled"
        event = icalendar.Event()
        event.add("uid", item["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", item["start"].replace(tzinfo=tz))
        event.add("dtend", item["end"].replace(tzinfo=tz))
        event.add("sequence", int(item["sequence"]))
        event.add("summary", summary(item, full_names=full_names))
        event.add("location", item["place"] or MODE_TITLES.get(item["mode"], "In person"))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        event.add("class", "PRIVATE")
        if item.get("updated_at"):
            event.add("last-modified", utc(item["updated_at"]))
        cal.add_component(event)
    return cal.to_ical()
