"""School years, National Curriculum year groups and key stages.

The school year runs 1 September to 31 August and is named by the calendar
year it starts in (2025 for 2025/26). NC year = (age on the 31 August before
the school year starts) - 4. Year 7 is age 11 on that date.
"""

from __future__ import annotations

from datetime import date

FIRST_YEAR = 7
LAST_YEAR = 13


def school_year_of(day: date) -> int:
    """The school year (by its starting calendar year) that contains ``day``."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_label(school_year: int) -> str:
    return f"{school_year}/{(school_year + 1) % 100:02d}"


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def nc_year_from_dob(dob: date, school_year: int) -> int:
    """National Curriculum year for a pupil born on ``dob`` in the given school year."""
    return age_on(dob, date(school_year, 8, 31)) - 4


def intake_year_for(year_group: int, school_year: int) -> int:
    """The calendar year a pupil in ``year_group`` during ``school_year`` started Year 7."""
    return school_year - year_group + 7


def year_group_in(intake_year: int, school_year: int) -> int:
    return school_year - intake_year + 7


def intake_year_from_dob(dob: date) -> int:
    """The school year in which a pupil of this age is in Year 7."""
    # NC year = SY - (dob.year + born_after_august) - 4 + ... solved for year 7:
    born_sept_to_dec = 1 if dob.month >= 9 else 0
    return dob.year + born_sept_to_dec + 11


def key_stage(year_group: int) -> str | None:
    if 7 <= year_group <= 9:
        return "KS3"
    if 10 <= year_group <= 11:
        return "KS4"
    if 12 <= year_group <= 13:
        return "KS5"
    return None


def year_label(year_group: int) -> str:
    if year_group < 1:
        return "Reception" if year_group == 0 else f"(age {year_group + 4})"
    return f"Year {year_group}"
