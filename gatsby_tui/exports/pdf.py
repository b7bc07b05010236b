"""A Document (exports/document.py) as a PDF, with fpdf2 and the bundled fonts (gatsby_tui/fonts).

Decisions:

* fpdf2 is imported here, inside ``pdf_bytes``, so starting the app never pays for it.
* DejaVu Sans prints Latin, Greek and Cyrillic names (Łukasz, Nía, Zoë, Şule, Ŷ); the Noto Sans
  CJK font is added as a fallback only when the document holds a character DejaVu lacks
  (김민준, 陈子浩): parsing its 16 MB costs a quarter of a second.
* A4, wide margins, 11-point text, page numbers in the footer ("Page 2 of 10") and the
  document's title at the top of every page after the first, so a printed page that goes astray
  says whose it is.
* Metadata (title, subject, author) names only the pupil the document is about; the creation
  date is the day it was produced (from the app's clock), not the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from gatsby_tui import clock
from gatsby_tui.exports.document import Bullets, Document, Fields, Heading, Notice, Para

FONTS = Path(__file__).resolve().parent.parent / "fonts"
LATIN = FONTS / "DejaVuSans.ttf"
LATIN_BOLD = FONTS / "DejaVuSans-Bold.ttf"
CJK = FONTS / "NotoSansCJKsc-Regular.otf"
# A bold CJK face is used when one is installed beside the regular one; none is bundled (it is
# another 16 MB), so headings holding CJK text are otherwise drawn in a synthetic bold: the
# glyphs filled and outlined (PDF text rendering mode 2), which reads as bold in print and on screen.
CJK_BOLD = FONTS / "NotoSansCJKsc-Bold.otf"


@lru_cache(maxsize=1)
def _latin_coverage() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(LATIN), lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_fallback(text: str) -> bool:
    """True when some character of ``text`` is not in DejaVu Sans."""
    covered = _latin_coverage()
    return any(ord(c) not in covered for c in set(text) if c not in "\n\t")


def _wrapper(pdf: Any) -> Callable[[str, float], list[str]]:
    """Lines of text that fit a column, broken at spaces (a word wider than the column broken
    where it must be), in the current font. fpdf2's multi_cell measures a line again for every
    character it adds (most of the time of a long record); this measures each word once (and
    remembers it), and each line is then written with one cell()."""
    widths: dict[tuple, float] = {}

    def width(text: str) -> float:
        key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, text)
        value = widths.get(key)
        if value is None:
            value = widths[key] = pdf.get_string_width(text)
        return value

    def lines(text: str, column: float) -> list[str]:
        limit = column - 2 * pdf.c_margin
        space = width(" ")
        out: list[str] = []
        for para in text.split("\n"):
            words: list[str] = []
            used = 0.0
            for word in para.split(" "):
                w = width(word)
                wider = w if not words else used + space + w
                if wider <= limit:
                    words.append(word)
                    used = wider
                    continue
                if words:
                    out.append(" ".join(words))
                # A word wider than the column is cut into column-wide pieces, measured a
                # character at a time (a string's width is the sum of its characters' widths),
                # so a 100,000-character word costs as much as its characters, not their square.
                while w > limit and len(word) > 1:
                    n, piece = 1, width(word[0])
                    while n < len(word):
                        step = width(word[n])
                        if piece + step > limit:
                            break
                        piece += step
                        n += 1
                    out.append(word[:n])
                    word = word[n:]
                    w -= piece
                words, used = [word], w
            out.append(" ".join(words).rstrip())
        return out

    return lines


def pdf_bytes(doc: Document, *, produced: datetime | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import MethodReturnValue, XPos, YPos

    title = doc.title

    class Page(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("body", "", 8)
                self.cell(0, 5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
                self.ln(2)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("body", "", 8)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Page(format="A4", unit="mm")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("body", "", str(LATIN))
    pdf.add_font("body", "B", str(LATIN_BOLD))
    fallback = needs_fallback(doc.all_text())
    bold_cjk = fallback and CJK_BOLD.exists()
    if fallback:
        pdf.add_font("cjk", "", str(CJK))
        if bold_cjk:
            pdf.add_font("cjk", "B", str(CJK_BOLD))
        pdf.set_fallback_fonts(["cjk"], exact_match=False)
    pdf.set_title(doc.title)
    pdf.set_subject(doc.subject)
    pdf.set_author(doc.author)
    pdf.set_creator("gatsby-tui")
    pdf.set_producer("gatsby-tui")
    pdf.set_lang("en-GB")
    pdf.page_mode = "USE_OUTLINES"              # open with the bookmarks shown
    pdf.set_creation_date((produced or clock.now()).astimezone(timezone.utc))
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw
    # Text DejaVu prints is laid out here, line by line; text needing the fallback font is left
    # to fpdf2's multi_cell, which measures each character in the font that draws it.
    wrap = None if fallback else _wrapper(pdf)

    def text_lines(x: float, column: float, text: str) -> None:
        """``text`` in a column at ``x``, 5.5 mm a line, on as many pages as it takes."""
        if wrap is None:
            pdf.set_x(x)
            pdf.multi_cell(column, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            return
        for line in wrap(text, column):
            pdf.set_x(x)
            pdf.cell(column, 5.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def height(column: float, text: str) -> float:
        if wrap is None:
            return pdf.multi_cell(column, 5.5, text, dry_run=True, output=MethodReturnValue.HEIGHT)
        return 5.5 * len(wrap(text, column))
    for b in doc.blocks:
        if isinstance(b, Heading):
            size = {1: 18, 2: 14, 3: 12}.get(b.level, 11)
            if b.level <= 2 and pdf.get_y() > pdf.h - 60:
                pdf.add_page()          # never a heading alone at the foot of a page
            pdf.ln(4 if b.level > 1 else 0)
            if b.level <= 3:             # the PDF's outline (bookmarks): the title, each section, each item
                pdf.start_section(b.text, level=b.level - 1, strict=False)
            pdf.set_font("body", "B", size)
            if fallback and not bold_cjk and needs_fallback(b.text):
                with pdf.local_context(text_mode="FILL_STROKE", line_width=size * 0.012):
                    pdf.multi_cell(width, size * 0.5, b.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            else:
                pdf.multi_cell(width, size * 0.5, b.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            if b.level == 2:
                y = pdf.get_y() + 0.5
                pdf.set_line_width(0.4)
                pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
            pdf.ln(2)
        elif isinstance(b, Para):
            pdf.set_font("body", "", 11)
            text_lines(pdf.l_margin, width, b.text)
            pdf.ln(1.5)
        elif isinstance(b, Fields):
            label_w = min(55.0, width * 0.38)
            for label, value in b.pairs:
                pdf.set_font("body", "B", 10)
                label_h = height(label_w, label + ":")
                pdf.set_font("body", "", 11)
                value_h = height(width - label_w, value)
                if pdf.get_y() + min(max(label_h, value_h), 30) > pdf.page_break_trigger:
                    pdf.add_page()      # keep a label with (the start of) its value
                y = pdf.get_y()
                pdf.set_font("body", "B", 10)
                text_lines(pdf.l_margin, label_w, label + ":")
                pdf.set_font("body", "", 11)
                pdf.set_xy(pdf.l_margin + label_w, y)
                page = pdf.page_no()
                text_lines(pdf.l_margin + label_w, width - label_w, value)
                if pdf.page_no() == page:
                    pdf.set_y(max(pdf.get_y(), y + label_h))
            pdf.ln(1.5)
        elif isinstance(b, Bullets):
            pdf.set_font("body", "", 11)
            for item in b.items:
                pdf.set_x(pdf.l_margin)
                pdf.cell(6, 5.5, "•")
                if wrap is None:
                    pdf.multi_cell(width - 6, 5.5, item, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
                else:
                    text_lines(pdf.l_margin + 6, width - 6, item)
            pdf.ln(1.5)
        elif isinstance(b, Notice):
            pdf.set_font("body", "B", 10)
            pdf.set_line_width(0.5)
            pdf.multi_cell(width, 5.5, b.text, border=1, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            pdf.ln(2)
    return bytes(pdf.output())
