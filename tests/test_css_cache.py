"""Stylesheets parsed once and kept between runs (gatsby_tui/css_cache.py)."""

from __future__ import annotations

import stat

import pytest
from textual.css.stylesheet import Stylesheet

from gatsby_tui import css_cache

CSS = "Static { color: $text; padding: 1 2; }\n#register { height: 1fr; }\n"


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The module as at a new start, with its cache file in tmp_path."""
    monkeypatch.setattr(css_cache, "_kept", {})
    monkeypatch.setattr(css_cache, "_used", set())
    monkeypatch.setattr(css_cache, "_file", None)
    monkeypatch.setattr(css_cache, "_changed", False)
    return tmp_path / "cache" / "stylesheets.pickle"


def parse(variables: dict[str, str] | None = None) -> list:
    sheet = Stylesheet(variables=variables or {"text": "white"})
    return sheet._parse_rules(CSS, ("app.tcss", ""))


def test_rules_are_kept_on_disk_and_read_back_without_parsing(fresh, monkeypatch):
    css_cache.install(fresh)
    first = parse()
    css_cache.save()
    assert fresh.exists()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600           # the user's own
    # The next start: the same text and variables are not parsed again.
    monkeypatch.setattr(css_cache, "_kept", {})
    monkeypatch.setattr(css_cache, "_file", None)
    css_cache.install(fresh)
    from textual.css import stylesheet as module

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(module, "parse", no_parsing)
    again = parse()
    assert [r.selector_set for r in again] == [r.selector_set for r in first]
    assert [r.styles for r in again] == [r.styles for r in first]
    # Other theme variables are other rules: parsed, not taken from the cache.
    with pytest.raises(Exception, match="parsed again"):
        parse({"text": "black"})


def test_a_damaged_cache_is_ignored_and_written_afresh(fresh):
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(b"not a pickle at all")
    css_cache.install(fresh)
    assert len(parse()) == 2
    css_cache.save()
    assert fresh.read_bytes() != b"not a pickle at all"
    assert not list(fresh.parent.glob(".stylesheets-*"))          # no temporary file left behind
