"""The rules of the field, from DOMAIN.md."""

from datetime import date

import pytest

from gatsby_tui.domain import dates, names, schoolyear, upn


@pytest.mark.parametrize("value", ["B801200005001", "P207000016049", " b801 2000 05001 "])
def test_valid_upns(value):
    assert upn.is_valid(value)
    assert upn.checked(value) == upn.parse(value).value == "".join(value.split()).upper()


def test_invalid_check_letter_names_the_expected_letter():
    with pytest.raises(upn.UPNError, match="should be 'B', not 'A'"):
        upn.parse("A801200005001")


def test_the_widely_copied_vendor_example_is_wrong():
    # The sum for 207000016049 is 266 -> P, not Q.
    assert not upn.is_valid("Q207000016049")
    assert upn.check_letter("207000016049") == "P"


def test_temporary_upn_last_letter_takes_its_letter_value():
    body = "80120000500A"
    letter = upn.check_letter(body)
    parsed = upn.parse(letter + body)
    assert parsed.temporary
    wrong = "B" if letter != "B" else "C"
    with pytest.raises(upn.UPNError, match="temporary UPN"):
        upn.parse(wrong + body)


@pytest.mark.parametrize("bad, words", [
    ("", "Enter"),
    ("B80120000500", "13 characters"),
    ("I801200005001", "check letter"),
    ("B80120000X001", "digits"),
    ("B80120000500I", "last character"),
])
def test_malformed_upns_get_a_plain_reason(bad, words):
    with pytest.raises(upn.UPNError, match=words):
        upn.parse(bad)


@pytest.mark.parametrize("dob, school_year, expected", [
    (date(2010, 9, 1), 2025, 10),   # DOMAIN.md examples
    (date(2011, 8, 31), 2025, 10),
    (date(2011, 9, 1), 2025, 9),
    (date(2014, 8, 31), 2025, 7),
    (date(2014, 9, 1), 2025, 6),
    (date(2008, 9, 1), 2025, 12),
    (date(2008, 8, 31), 2025, 13),
    (date(2007, 9, 1), 2025, 13),
    (date(2007, 8, 31), 2025, 14),
])
def test_year_group_from_date_of_birth(dob, school_year, expected):
    assert schoolyear.nc_year_from_dob(dob, school_year) == expected
    intake = schoolyear.intake_year_from_dob(dob)
    assert schoolyear.year_group_in(intake, school_year) == expected


def test_school_year_turns_over_on_1_september():
    assert schoolyear.school_year_of(date(2026, 8, 31)) == 2025
    assert schoolyear.school_year_of(date(2026, 9, 1)) == 2026
    # so a pupil moves up a year group overnight
    intake = schoolyear.intake_year_for(10, 2025)
    assert schoolyear.year_group_in(intake, schoolyear.school_year_of(date(2026, 8, 31))) == 10
    assert schoolyear.year_group_in(intake, schoolyear.school_year_of(date(2026, 9, 1))) == 11


@pytest.mark.parametrize("text, year", [("11", 11), (" 9 ", 9), ("Year 11", 11), ("NC7", 7), ("١١", 11), ("", None)])
def test_year_groups_as_files_write_them(text, year):
    from gatsby_tui.store.pupils import parse_year_group

    assert parse_year_group(text) == year


@pytest.mark.parametrize("text, words", [("04", "Year group 4 is outside"), ("15", "outside"), ("111", "not a number")])
def test_year_groups_out_of_range_get_a_plain_reason(text, words):
    from gatsby_tui.store.pupils import parse_year_group

    with pytest.raises(ValueError, match=words):
        parse_year_group(text)


def test_key_stages():
    assert [schoolyear.key_stage(y) for y in (7, 9, 10, 11, 12, 13)] == ["KS3", "KS3", "KS4", "KS4", "KS5", "KS5"]


@pytest.mark.parametrize("text, expected", [
    ("24/11/2010", date(2010, 11, 24)),
    ("1/9/2010", date(2010, 9, 1)),
    ("24-11-2010", date(2010, 11, 24)),
    ("24.11.2010", date(2010, 11, 24)),
    ("2010-11-24", date(2010, 11, 24)),
    (" 24/11/2010 ", date(2010, 11, 24)),
    ("２４/11/2010", date(2010, 11, 24)),        # other scripts' digits, read as the patterns read them
])
def test_uk_dates(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize("text, words", [
    ("31/02/2011", "February 2011 has no day 31"),
    ("12/13/2010", "no month 13"),
    ("24/11/10", "year in full"),
    ("00/11/2010", "November 2010 has no day 0"),
    ("12/1//2010", "not a date"),
    ("1a/11/2010", "not a date"),
    ("next tuesday", "not a date"),
    ("", "Enter"),
])
def test_bad_dates_get_a_plain_reason(text, words):
    with pytest.raises(dates.DateError, match=words):
        dates.parse_date(text)


def test_folded_names_ignore_accents_apostrophes_and_hyphens():
    assert names.fold("O'Brien-Ní Bhriain") == "obrienníbhriain".replace("í", "i")
    assert names.sort_name("O’Brien", "Seán") == "obrien sean"


def test_clean_text_removes_control_characters():
    assert names.clean_text("Am\x00ara\x1b[31m ") == "Amara[31m"
    assert names.clean_text("   ") is None
    assert names.clean_text(" Zoë\u202e\x85 ") == "Zoë\u202e"     # only controls go: C1 too, not format marks
    assert names.clean_text("Amara Okafor ") == "Amara Okafor"
