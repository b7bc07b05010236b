"""Names: display forms, and the one fold that lets a name be found however it is written.

``fold`` is the single comparison key for names across the app: the register's sort order and
search index (``sort_name``, ``search_text``) and the matching of other pupils' names in an
export (``find_names``). It is built on ``anyascii`` (a maintained transliteration table), so it
also folds letters Unicode does not decompose (ł ı ø đ æ œ ß þ ð ...) and writes CJK and Hangul
names in Latin letters ("王子涵" -> "wangzihan", "김민준" -> "gimminjun"), then drops case and
everything that is not a letter or digit (apostrophes of every kind, hyphens, spaces, dots).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Iterable, Mapping

from anyascii import anyascii


# What stands inside a name without being part of it, once transliterated (anyascii writes every
# apostrophe as ' or `, every dash as -): ' ` - . , _ are dropped by the fold, with every kind of
# space (\s is str.isspace). Other symbols are kept, so a stray "@sum" still sorts apart from "Sum".
_NOT_IN_FOLD = re.compile(r"[\s'`\-.,_]")
_WORD = re.compile(r"[a-z0-9]+")


def _latin(text: str) -> str:
    return anyascii(unicodedata.normalize("NFC", text)).casefold()


def fold(text: str) -> str:
    """Lower case, accents and marks gone, letters transliterated, and no spaces, apostrophes,
    hyphens or dots: "O’Brien-Ní" -> "obrienni", "Kozłowski" -> "kozlowski", "王子涵" -> "wangzihan"."""
    return _NOT_IN_FOLD.sub("", _latin(text))


def fold_words(text: str) -> list[str]:
    """The folded words of ``text``, split where the text has spaces, apostrophes, hyphens and
    the like: "O'Brien-Ní Bhriain" -> ["o", "brien", "ni", "bhriain"]."""
    return _WORD.findall(_latin(text))


def sort_name(surname: str, forename: str) -> str:
    """Register order: surname then forename, folded; a space sorts before letters."""
    return f"{fold(surname)} {fold(forename)}"


def search_text(forename: str, surname: str, preferred: str | None) -> str:
    """What the register's search index holds for a pupil: every folded word of each name, then
    each name folded whole, so "obrien", "o brien", "ni", "kozlowski" and "zihan" (for 子涵) all find
    the pupil by prefix."""
    return _search_text([_folds(p)[1] for p in (surname, forename, preferred) if p and p.strip()])


def register_keys(surname: str, forename: str, preferred: str | None) -> tuple[str, str]:
    """(sort_name(surname, forename), search_text(forename, surname, preferred)), each name
    folded once for both, and a name met before not folded again (an import works them out for
    every pupil, and a school's pupils share their forenames and many surnames)."""
    (surname_key, surname_words), (forename_key, forename_words) = _folds(surname), _folds(forename)
    words = [w for name, w in ((surname, surname_words), (forename, forename_words)) if name.strip()]
    if preferred and preferred.strip():
        words.append(_folds(preferred)[1])
    return f"{surname_key} {forename_key}", _search_text(words)


@lru_cache(maxsize=4096)
def _folds(name: str) -> tuple[str, tuple[str, ...]]:
    """(fold(name), fold_words(name)), transliterated once."""
    latin = _latin(name)
    return _NOT_IN_FOLD.sub("", latin), tuple(_WORD.findall(latin))


def _search_text(names: list[tuple[str, ...]]) -> str:
    """search_text of the names present, each as its folded words (``fold_words``)."""
    words: list[str] = []
    whole: list[str] = []
    for folded in names:
        words += folded
        # The name folded whole, as the search folds what is typed: fold(p) without anything but
        # letters and digits, which is its folded words run together.
        whole.append("".join(folded))
    return " ".join(dict.fromkeys(w for w in words + whole if w))


# ---------------------------------------------------------------- scripts and name order

def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F or 0x20000 <= o <= 0x2FA1F)


def surname_first(surname: str, forename: str) -> bool:
    """True when the name is written in a script whose custom puts the family name first and
    runs the parts together (Chinese, Japanese, Korean): 王 + 子涵 -> 王子涵."""
    text = f"{surname}{forename}".replace(" ", "")
    return bool(text) and all(_is_cjk(c) for c in text)


def display_name(surname: str, legal_forename: str, preferred: str | None) -> str:
    """'O'Brien-Ní Bhriain, Siobhán' — the preferred forename when there is one."""
    return f"{surname}, {preferred or legal_forename}"


def full_name(surname: str, legal_forename: str, preferred: str | None) -> str:
    """'Siobhán O'Brien-Ní Bhriain'; a CJK name in its own order and run together: '王子涵', '김민준';
    a Latin preferred name with it in brackets: 'Min-jun (김민준)'."""
    first = preferred or legal_forename
    if surname_first(surname, first):
        return f"{surname}{first}"
    if preferred and surname_first(surname, legal_forename):
        # A Latin-script preferred name beside a CJK legal name: "Min-jun (김민준)", never "Min-jun 김".
        return f"{preferred} ({surname}{legal_forename})"
    return f"{first} {surname}"


# Unicode's control characters (category Cc: C0, DEL and C1) and lone surrogates (Cs), the
# characters clean_text removes; the multiline form keeps tab and newline.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str | None, *, multiline: bool = False) -> str | None:
    """Strip control characters a person cannot have meant to type; None for blank."""
    if text is None:
        return None
    if not (text.isascii() and text.isprintable()):      # printable ASCII holds none of them
        text = (_CONTROLS_BUT_LINES if multiline else _CONTROLS).sub("", text)
    return text.strip() or None


def quote(text: str, limit: int = 40) -> str:
    """What a person typed, safe to repeat in a message: no control characters, not too long."""
    cleaned = clean_text(str(text)) or ""
    cleaned = "".join(c for c in cleaned if unicodedata.category(c) != "Cf")  # bidi overrides
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


# ---------------------------------------------------------------- names in running text

# Ordinary English words that are also forenames or surnames ("Will", "Grace", "Hope", "Baker"),
# and short common words: a single word from this list is never raised as another pupil's name
# (a full name still is). Folded, as ``fold`` gives them.
COMMON_WORDS = frozenset("""
a i an as at be by do go he if in is it me my no of on or so to up us we am ok
all and any are art but can day did for had has her him his how its let may new not now old one our out own
see she the too two was way who why yes yet you also back been best both call came come each even ever fine
from good have here hope just keep kind last left like long made make many mark more most much must need next
only open over part plan said same seen some such sure take than that them then they this time very want well
what when will with work year your about after again being could every first found given great still their
there these thing those under until where which while would
grace faith joy hope honor honour patience charity prudence mercy trinity destiny harmony serenity
may june april august summer autumn winter spring dawn eve noel christmas easter sunday monday
rose lily daisy holly ivy iris poppy violet jasmine hazel heather willow olive ruby amber pearl jade crystal
coral scarlet sky river rain storm sunny star
bill will mark frank jack rob sue pat art bob don gene grant hunter miles chase chance lance guy earl duke king
ray sterling rich neil drew max victor carol
baker brown green white black grey gray young long short little small hill wood woods hall field fields
king cook cooke turner walker wright smith taylor mason carpenter butler porter hunter fisher fowler page
parsons bishop knight marshall steward stewart shepherd miller bell price rice wells waters marsh lane
moon north south east west london english french welsh scott
stone law love lord hope day dean best gold money cash sharp swift strong bright wise noble rich free
head church chapel temple park street road house college school class form team group
mr mrs ms miss dr sir madam
""".split())

_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# What may stand between the parts of one name: spaces, apostrophes of every kind, hyphens,
# dots, one comma ("Walsh, Gráinne"); or nothing between characters of a CJK name.
_SEPARATOR = re.compile(r"[ \t\u00a0'’‘ʼ`´\-‐‑.]{0,3}|[ \t\u00a0]*,[ \t\u00a0]{0,2}|[ \t\u00a0]*\n[ \t\u00a0]*")
_MAX_PARTS = 8          # parts of one name in the text: "Orla Ní Shúilleabháin" is 3; 王子涵 is 3

FULL = "full"           # a whole name: forename and surname, in either order
WORD = "word"           # one name alone: a surname, or a forename


@dataclass(frozen=True)
class Found:
    """A name found in a text: where, how it is written, and its folded key."""
    start: int
    end: int
    text: str
    key: str
    kind: str


@cache
def _token() -> re.Pattern[str]:
    """A word of a name: one CJK character, or a run of letters (and marks). Compiled when first
    needed: it takes some 8 ms, which every command would otherwise pay as it starts."""
    return re.compile(rf"[{_CJK_CHARS}]|[^\W\d_{_CJK_CHARS}](?:[^\W_{_CJK_CHARS}]|[\u0300-\u036f])*")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), fold(m.group())) for m in _token().finditer(text)]


def _counts_as_name(written: str, key: str, kind: str) -> bool:
    """A whole name counts however it is written; one word alone only when it looks like a name:
    capitalised (or in a CJK script, two or more characters), and not an ordinary word."""
    if kind == FULL:
        return True
    if key in COMMON_WORDS or len(key) < 2:
        return False
    first = written[0]
    if _is_cjk(first):
        return sum(1 for c in written if _is_cjk(c)) >= 2
    return first.isupper()


def find_names(text: str, keys: Mapping[str, str]) -> list[Found]:
    """Every place in ``text`` where a name in ``keys`` (folded name -> FULL or WORD) is written,
    however it is spelt: any case, with or without accents, apostrophes of any kind, hyphens or
    spaces inside it ("O’Connor", "O Connor", "OConnor"), before a possessive 's, or run together
    in a CJK script. The longest name wins where two overlap."""
    text = unicodedata.normalize("NFC", text)
    tokens = _tokens(text)
    longest = max((len(k) for k in keys), default=0)
    found: list[Found] = []
    i = 0
    while i < len(tokens):
        best: Found | None = None
        joined = ""
        for j in range(i, min(i + _MAX_PARTS, len(tokens))):
            if j > i and not _SEPARATOR.fullmatch(text[tokens[j - 1][1]:tokens[j][0]]):
                break
            joined += tokens[j][2]
            if len(joined) > longest:
                break
            kind = keys.get(joined)
            if kind is not None:
                written = text[tokens[i][0]:tokens[j][1]]
                if _counts_as_name(written, joined, kind):
                    best = Found(tokens[i][0], tokens[j][1], written, joined, kind)
        if best is None:
            i += 1
            continue
        found.append(best)
        while i < len(tokens) and tokens[i][0] < best.end:
            i += 1
    return found


def runs(text: str, longest: int = 4) -> set[str]:
    """Every folded word of ``text`` and every run of up to ``longest`` neighbouring words run
    together ("O Connor" -> "o", "connor", "oconnor"): the terms to look names up by."""
    tokens = _tokens(unicodedata.normalize("NFC", text))
    out: set[str] = set()
    for i in range(len(tokens)):
        joined = ""
        for j in range(i, min(i + longest, len(tokens))):
            joined += tokens[j][2]
            if joined:
                out.add(joined)
    return out


def key_kind(written: str) -> str:
    """FULL for a name written in two or more parts separated by a space or comma, else WORD."""
    return FULL if len(fold_words(written)) > 1 and re.search(r"[\s,]", written.strip()) else WORD


def withhold(text: str, keys: Mapping[str, str], replacement: str) -> tuple[str, int]:
    """``text`` with every name in ``keys`` (see find_names) replaced by ``replacement``; and how
    many were replaced."""
    text = unicodedata.normalize("NFC", text)
    hits = find_names(text, keys)
    if not hits:
        return text, 0
    out, last = [], 0
    for h in hits:
        out.append(text[last:h.start])
        out.append(replacement)
        last = h.end
    out.append(text[last:])
    return "".join(out), len(hits)


def name_keys(forename: str, surname: str, preferred: str | None) -> set[str]:
    """The folded ways a pupil's full name is written: each forename (legal, preferred, the first
    of several) with the surname, in either order (王子涵 and 子涵王, "Walsh, Gráinne")."""
    firsts = {forename, preferred or "", (forename.split() or [""])[0]}
    s = fold(surname)
    out: set[str] = set()
    for f in firsts:
        f = fold(f)
        if f and s:
            out.update({f + s, s + f})
    return out


def forename_keys(forename: str, preferred: str | None) -> set[str]:
    return {k for k in (fold(forename), fold(preferred or ""), fold((forename.split() or [""])[0])) if k}
