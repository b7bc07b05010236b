"""A document for a pupil or parent to read, and its Markdown and HTML forms (pdf.py makes the PDF).

One small model, built once by the record and action-plan builders (exports/pupil_record.py) and
drawn by each renderer, so the four formats never disagree about what is in them.

Decisions:

* Blocks are deliberately few: headings, paragraphs (free text, line breaks kept), labelled
  fields (short values), bullet lists and a notice (what was withheld). No tables: a 15-year-old
  reads a list of labelled lines more easily, and they survive every format and a narrow phone.
* Every piece of text passes through ``clean`` when the document is built: control characters
  (other than line breaks) are removed, so hostile or pasted text cannot break a format.
* Markdown escapes every character with a meaning (and &, <, > as entities, since most renderers
  pass raw HTML through). HTML escapes everything (html.escape with quotes), has inline CSS and
  no script, links, fonts or images: one self-contained file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Union

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def clean(text: Any) -> str:
    """Text fit for any format: line breaks normalised to \\n, tabs to spaces, other control
    characters removed, trailing spaces dropped."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    value = _CONTROL.sub("", value)
    return "\n".join(line.rstrip() for line in value.split("\n")).strip("\n")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2          # 1: the title; 2: a section; 3: an item within a section


@dataclass(frozen=True)
class Para:
    text: str               # free text: line breaks kept


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]     # (label, value), values on one line


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    text: str               # stands out: what was withheld, what this document is


Block = Union[Heading, Para, Fields, Bullets, Notice]


@dataclass
class Document:
    title: str
    subject: str                          # PDF metadata and the HTML description
    author: str                           # the school (or "gatsby-tui")
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The title, subject and author are text too (the school's name is a setting anyone can
        # type): cleaned like every block, on one line, as they go into <title> and PDF metadata.
        self.title, self.subject, self.author = (" ".join(clean(t).split("\n"))
                                                 for t in (self.title, self.subject, self.author))

    def heading(self, text: Any, level: int = 2) -> None:
        self.blocks.append(Heading(clean(text), level))

    def para(self, text: Any) -> None:
        if text is not None and clean(text):
            self.blocks.append(Para(clean(text)))

    def fields(self, pairs: Iterable[tuple[str, Any]]) -> None:
        kept = tuple((clean(k), " / ".join(clean(v).split("\n"))) for k, v in pairs
                     if v is not None and clean(v) != "")
        if kept:
            self.blocks.append(Fields(kept))

    def bullets(self, items: Iterable[Any]) -> None:
        kept = tuple(" ".join(clean(i).split("\n")) for i in items if i is not None and clean(i))
        if kept:
            self.blocks.append(Bullets(kept))

    def notice(self, text: Any) -> None:
        self.blocks.append(Notice(clean(text)))

    def all_text(self) -> str:
        """Every piece of text in the document (for choosing fonts, and for tests)."""
        parts = [self.title, self.subject, self.author]
        for b in self.blocks:
            if isinstance(b, Fields):
                parts.extend(x for pair in b.pairs for x in pair)
            elif isinstance(b, Bullets):
                parts.extend(b.items)
            else:
                parts.append(b.text)
        return "\n".join(parts)


# ---------------------------------------------------------------- Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^([#>+=-]|\d+(?=[.)]))")


def md_line(text: str) -> str:
    """One line of text with no Markdown meaning and no raw HTML: the characters that mark up
    inline text are escaped, and so is anything that would start a heading, quote or list."""
    value = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_INLINE.sub(r"\\\1", value.strip())      # leading spaces would make a code block
    match = _MD_LINE_START.match(value)
    if match is None:
        return value
    if match.group(1)[0].isdigit():                         # "1." or "1)": escape the punctuation
        end = match.end()
        return value[:end] + "\\" + value[end:]
    return "\\" + value


def markdown(doc: Document) -> str:
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append("#" * min(b.level, 4) + " " + md_line(" ".join(b.text.split())))
        elif isinstance(b, Para):
            out.append("  \n".join(md_line(line) for line in b.text.split("\n")))
        elif isinstance(b, Fields):
            out.append("\n".join(f"- **{md_line(k)}:** {md_line(v)}" for k, v in b.pairs))
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {md_line(i)}" for i in b.items))
        elif isinstance(b, Notice):
            out.append("  \n".join("> " + md_line(line) if line else ">" for line in b.text.split("\n")))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- HTML

_CSS = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;max-width:46rem;"
    "margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:2px solid #444;margin-top:2rem}"
    "h3{font-size:1.05rem;margin:1.2rem 0 .3rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}"
    "dt{font-weight:bold}dd{margin:0}.notice{border:2px solid #444;padding:.5rem 1rem;margin:1rem 0}"
    "p{white-space:normal}@media print{body{margin:0}}"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def html_page(doc: Document) -> str:
    body: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 4)
            body.append(f"<h{level}>{_e(b.text)}</h{level}>")
        elif isinstance(b, Para):
            body.append("<p>" + "<br>\n".join(_e(line) for line in b.text.split("\n")) + "</p>")
        elif isinstance(b, Fields):
            body.append("<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in b.pairs) + "</dl>")
        elif isinstance(b, Bullets):
            body.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Notice):
            body.append('<div class="notice" role="note"><p>'
                        + "<br>\n".join(_e(line) for line in b.text.split("\n")) + "</p></div>")
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"description\" content=\"{_e(doc.subject)}\">\n"
            f"<meta name=\"author\" content=\"{_e(doc.author)}\">\n"
            f"<title>{_e(doc.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
