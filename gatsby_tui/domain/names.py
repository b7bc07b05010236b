"""Names: display forms and the folded sort key used by the register."""

from __future__ import annotations

import unicodedata

_DROP = "'’‘`-. "


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation: "O'Brien-Ní" -> "obrienni"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped if c not in _DROP)


def sort_name(surname: str, forename: str) -> str:
    """Register order: surname then forename, folded; a space sorts before letters."""
    return f"{fold(surname)} {fold(forename)}"


def display_name(surname: str, legal_forename: str, preferred: str | None) -> str:
    """'O'Brien-Ní Bhriain, Siobhán' — the preferred forename when there is one."""
    return f"{surname}, {preferred or legal_forename}"


def full_name(surname: str, legal_forename: str, preferred: str | None) -> str:
    first = preferred or legal_forename
    return f"{first} {surname}"


def clean_text(text: str | None, *, multiline: bool = False) -> str | None:
    """Strip control characters a person cannot have meant to type; None for blank."""
    if text is None:
        return None
    allowed = {"\n", "\t"} if multiline else set()
    cleaned = "".join(
        c for c in text if c in allowed or unicodedata.category(c) not in ("Cc", "Cs")
    )
    cleaned = cleaned.strip()
    return cleaned or None


def quote(text: str, limit: int = 40) -> str:
    """What a person typed, safe to repeat in a message: no control characters, not too long."""
    cleaned = clean_text(str(text)) or ""
    cleaned = "".join(c for c in cleaned if unicodedata.category(c) != "Cf")  # bidi overrides
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
