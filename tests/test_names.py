"""The one name fold (domain/names.py): every spelling of a name an adviser or a search box may
meet finds the name, as a table; and the places the fold serves (search index, sort, redaction)."""

from __future__ import annotations

import pytest

from gatsby_tui.domain import names

# (forename, surname, preferred) on the register -> a way the name is written in text.
REGISTER = {
    "tadhg": ("Tadhg", "O'Connor", None),
    "grainne": ("Gráinne", "Walsh", None),
    "padraig": ("Pádraig", "Murphy", None),
    "sahin": ("Elif", "Şahin", None),
    "zihan": ("子涵", "王", None),
    "minjun": ("민준", "김", None),
    "lukasz": ("Łukasz", "Kozłowski", None),
    "emre": ("Emre", "Kılıç", None),
    "michal": ("Michał", "Nowak", None),
    "ingrid": ("Ingrid", "Ødegård", None),
    "dang": ("Minh", "Đặng", None),
    "aesa": ("Æsa", "Lærke", None),
    "zoe": ("Zoë", "Schröder-Weiß", None),
    "thora": ("Þóra", "Guðmundsdóttir", None),
    "chloe": ("Chloé", "Bœuf", None),
    "ali": ("Alexander", "Ali-Khan", "Ali"),
    "orla": ("Orla", "Ní Shúilleabháin", None),
}

VARIANTS = [
    # case, accents and marks
    ("grainne", "GRAINNE WALSH"), ("grainne", "Grainne Walsh"), ("padraig", "Padraig Murphy"),
    ("sahin", "Elif Sahin"), ("chloe", "chloe boeuf"), ("dang", "Minh Dang"),
    # apostrophes of every kind, and none, and a space instead
    ("tadhg", "Tadhg O'Connor"), ("tadhg", "Tadhg O’Connor"), ("tadhg", "Tadhg O‘Connor"),
    ("tadhg", "Tadhg Oʼconnor"), ("tadhg", "Tadhg O`Connor"), ("tadhg", "Tadhg O Connor"),
    ("tadhg", "Tadhg OConnor"),
    # hyphens and spaces inside names
    ("zoe", "Zoe Schroder Weiss"), ("zoe", "Zoe SchroderWeiss"), ("orla", "Orla Ni Shuilleabhain"),
    ("orla", "Orla NíShúilleabháin"), ("ali", "Alexander Ali Khan"),
    # possessive 's
    ("grainne", "Grainne Walsh's"), ("grainne", "Gráinne Walsh’s"),
    # letters Unicode does not decompose: Ł ø ı đ æ œ ß þ ð
    ("lukasz", "Lukasz Kozlowski"), ("emre", "Emre Kilic"), ("michal", "Michal Nowak"),
    ("ingrid", "Ingrid Odegard"), ("aesa", "Aesa Laerke"), ("zoe", "Zoe Schroder-Weiss"),
    ("thora", "Thora Gudmundsdottir"),
    # both orders, with or without a comma; preferred names
    ("tadhg", "O'Connor, Tadhg"), ("tadhg", "O’Connor Tadhg"), ("grainne", "Walsh,Gráinne"),
    ("ali", "Ali Ali-Khan"), ("ali", "Ali-Khan, Ali"),
    # CJK and Hangul written together, in either order, inside running text
    ("zihan", "王子涵"), ("zihan", "子涵王"), ("zihan", "和王子涵一起"), ("zihan", "子涵 王"),
    ("minjun", "김민준"), ("minjun", "민준 김"),
]


def _keys(key: str) -> dict[str, str]:
    fore, sur, pref = REGISTER[key]
    return {k: names.FULL for k in names.name_keys(fore, sur, pref)}


@pytest.mark.parametrize(("who", "written"), VARIANTS)
def test_every_spelling_of_a_name_is_found_and_withheld(who, written):
    text = f"Works well with {written} in maths."
    found = names.find_names(text, _keys(who))
    assert len(found) == 1, (who, written, found)
    out, n = names.withhold(text, _keys(who), "[another pupil]")
    assert n == 1
    fore, sur, _ = REGISTER[who]
    assert names.fold(sur) not in names.fold(out) and names.fold(fore) not in names.fold(out)


@pytest.mark.parametrize(("text", "folded"), [
    ("Kozłowski", "kozlowski"), ("Kılıç", "kilic"), ("Michał", "michal"), ("Ødegård", "odegard"),
    ("Đặng", "dang"), ("Æsa", "aesa"), ("Bœuf", "boeuf"), ("Weiß", "weiss"), ("Þóra", "thora"),
    ("Guðmundsdóttir", "gudmundsdottir"), ("O’Brien-Ní Bhriain", "obriennibhriain"), ("Oʼconnor", "oconnor"),
    ("王", "wang"), ("子涵", "zihan"), ("김민준", "gimminjun"), ("  ", ""),
])
def test_fold(text, folded):
    assert names.fold(text) == folded


def test_the_search_index_text_finds_a_pupil_by_any_spelling_prefix():
    held = names.search_text("Łukasz", "Kozłowski", None).split()
    for typed in ("kozlowski", "Kozłowski", "KOZŁ", "luk"):
        term = "".join(names.fold_words(typed))
        assert any(word.startswith(term) for word in held), typed
    held = names.search_text("Siobhán", "O'Brien-Ní Bhriain", None).split()
    for typed in ("obrien", "o'brien", "bhriain", "ni", "siobhan"):
        assert any(word.startswith("".join(names.fold_words(typed))) for word in held), typed
    assert "zihan" in names.search_text("子涵", "王", None).split()


def test_sorting_folds_the_same_way():
    people = [("Ødegård", "Ingrid"), ("Nowak", "Michał"), ("Kozłowski", "Łukasz"), ("Kilic", "Ayla"),
              ("Kılıç", "Emre"), ("O'Brien", "Fionn"), ("Oakes", "Sam")]
    ordered = sorted(people, key=lambda p: names.sort_name(*p))
    assert ordered == [("Kilic", "Ayla"), ("Kılıç", "Emre"), ("Kozłowski", "Łukasz"), ("Nowak", "Michał"),
                       ("Oakes", "Sam"), ("O'Brien", "Fionn"), ("Ødegård", "Ingrid")]


@pytest.mark.parametrize(("text", "raised"), [
    ("Mahmood in her form is doing it too.", ["Mahmood"]),     # a surname alone, at a sentence's start
    ("Struan is doing it too.", ["Struan"]),
    ("She spoke to mahmood.", []),                            # not capitalised: not taken as a name
    ("Will you ask Grace? Hope so. Baker is a job she likes.", []),   # ordinary words never drown the list
    ("The Mahmoods' shop.", []),                              # a different word
])
def test_a_single_word_counts_only_when_it_looks_like_a_name(text, raised):
    keys = {"mahmood": names.WORD, "struan": names.WORD, "will": names.WORD, "grace": names.WORD,
            "hope": names.WORD, "baker": names.WORD}
    assert [f.text for f in names.find_names(text, keys)] == raised


def test_names_in_the_pupils_own_order():
    assert names.full_name("王", "子涵", None) == "王子涵"
    assert names.full_name("김", "민준", None) == "김민준"
    assert names.full_name("Nowak", "Michał", None) == "Michał Nowak"
    assert names.full_name("Ali-Khan", "Alexander", "Ali") == "Ali Ali-Khan"
    assert names.full_name("김", "민준", "Min-jun") == "Min-jun (김민준)"
