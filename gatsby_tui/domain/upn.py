"""Unique Pupil Numbers (DfE): 13 characters, a check letter then 12 characters.

Characters 2-13: LA code (3 digits), establishment (4), year of allocation (2),
serial (3). A temporary UPN ends in a letter instead of the last digit.

Check letter: the sum over characters 2-13 of position x value, where positions
are numbered from 1 so that the first digit has weight 2; a temporary UPN's
final letter counts with its letter value. The sum mod 23 indexes
``ABCDEFGHJKLMNPQRTUVWXYZ`` (no I, O or S).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul

from gatsby_tui.domain.names import quote

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Letter values for a temporary UPN's last character: the same 23 letters,
# valued 0-22 as in the check-letter table.
LETTER_VALUES = {letter: value for value, letter in enumerate(CHECK_LETTERS)}
# ASCII digits only: str.isdigit() is also true of '²', '٣' and '８', which int() refuses or reads
# as another script's digit (the same UPN must never be stored in two spellings).
DIGITS = frozenset("0123456789")


class UPNError(ValueError):
    """A UPN that cannot be accepted; the message says what is wrong."""


@dataclass(frozen=True)
class UPN:
    value: str

    @property
    def temporary(self) -> bool:
        return self.value[-1].isalpha()

    @property
    def la_code(self) -> str:
        return self.value[1:4]


def normalise(text: str) -> str:
    """Upper-case and strip spaces people paste in ('b801 2000 05001')."""
    return "".join(text.split()).upper()


# The value of each character a UPN's body may hold at a position: ASCII digits anywhere, and at
# the last position (13) also a temporary UPN's letter.
_DIGIT_VALUES = {char: int(char) for char in DIGITS}
_LAST_VALUES = {**_DIGIT_VALUES, **LETTER_VALUES}


_HEAD_WEIGHTS = range(2, 13)                     # the positions of characters 2 to 12
_HEAD_BYTES = 48 * sum(_HEAD_WEIGHTS)            # what their ASCII codes add over their values


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it."""
    if len(body) != 12:
        raise UPNError("A UPN has 12 characters after its check letter.")
    head, last = body[:11], body[11]
    if head.isascii() and head.isdigit() and last in _LAST_VALUES:
        # Eleven ASCII digits (each its code minus 48) and a valid last character: the sum at once.
        total = sum(map(mul, _HEAD_WEIGHTS, head.encode())) - _HEAD_BYTES + 13 * _LAST_VALUES[last]
        return CHECK_LETTERS[total % 23]
    total = 0
    for position, char in enumerate(body, start=2):
        value = (_LAST_VALUES if position == 13 else _DIGIT_VALUES).get(char)
        if value is None:
            raise UPNError(f"'{quote(char)}' cannot appear at position {position} of a UPN.")
        total += position * value
    return CHECK_LETTERS[total % 23]


def parse(text: str) -> UPN:
    """Validate a UPN, returning it normalised or raising UPNError with a plain message."""
    return UPN(checked(text))


def checked(text: str) -> str:
    """``parse(text).value``: the UPN normalised, or UPNError (an import checks thousands)."""
    upn = normalise(text)
    if not upn:
        raise UPNError("Enter the pupil's UPN (13 characters, e.g. B801200005001).")
    if len(upn) != 13:
        raise UPNError(f"A UPN has 13 characters; '{quote(upn)}' has {len(upn)}.")
    first, body = upn[0], upn[1:]
    if first not in CHECK_LETTERS:
        raise UPNError(f"A UPN starts with a check letter (not I, O or S); '{quote(first)}' is not one.")
    if not (body[:11].isascii() and body[:11].isdigit()):
        raise UPNError("Characters 2 to 12 of a UPN are digits.")
    last = body[11]
    if not (last in DIGITS or last in LETTER_VALUES):
        raise UPNError(f"The last character of a UPN is a digit, or a letter for a temporary UPN; '{quote(last)}' is neither.")
    expected = check_letter(body)
    if first != expected:
        kind = "temporary UPN" if last in LETTER_VALUES else "UPN"
        raise UPNError(
            f"The check letter of {upn} does not match: for this {kind} it should be "
            f"'{expected}', not '{first}'. Check the number against the school's records."
        )
    return upn


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except UPNError:
        return False
    return True
