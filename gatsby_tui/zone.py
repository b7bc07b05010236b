"""The school's time zone: England (Europe/London), for times given with their UTC offset.

The operating system's zone database is used when there is one; where there is none (Windows,
slim containers) the ``tzdata`` package supplies the same zone, so a time in a calendar file or
in a command's JSON never loses its offset.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SCHOOL_ZONE = "Europe/London"


@lru_cache(maxsize=1)
def school_zone() -> tzinfo:
    try:
        return ZoneInfo(SCHOOL_ZONE)
    except ZoneInfoNotFoundError:
        from importlib import resources

        import tzdata  # the IANA zone database shipped as a package

        source = resources.files(tzdata).joinpath("zoneinfo", *SCHOOL_ZONE.split("/"))
        with source.open("rb") as f:
            return ZoneInfo.from_file(f, key=SCHOOL_ZONE)


def with_offset(moment: datetime) -> datetime:
    """A wall-clock time at the school (as the app stores it) with its UTC offset attached."""
    return moment if moment.tzinfo else moment.replace(tzinfo=school_zone())
