"""The PDF yardstick: plain fpdf2 writing a Document's blocks with the same fonts and page, and
nothing else (no running header or footer, no bookmarks, no keeping a label with its value)."""

from __future__ import annotations

from gatsby_tui.exports.document import Bullets, Document, Fields, Heading, Notice, Para
from gatsby_tui.exports.pdf import LATIN, LATIN_BOLD


def plain_pdf_bytes(doc: Document) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("body", "", str(LATIN))
    pdf.add_font("body", "B", str(LATIN_BOLD))
    pdf.add_page()
    width = pdf.epw
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    for b in doc.blocks:
        if isinstance(b, Heading):
            size = {1: 18, 2: 14, 3: 12}.get(b.level, 11)
            pdf.set_font("body", "B", size)
            pdf.multi_cell(width, size * 0.5, b.text, **nl)
        elif isinstance(b, Para):
            pdf.set_font("body", "", 11)
            pdf.multi_cell(width, 5.5, b.text, **nl)
        elif isinstance(b, Fields):
            for label, value in b.pairs:
                pdf.set_font("body", "B", 10)
                pdf.multi_cell(width, 5.5, label + ":", **nl)
                pdf.set_font("body", "", 11)
                pdf.multi_cell(width, 5.5, value, **nl)
        elif isinstance(b, Bullets):
            pdf.set_font("body", "", 11)
            for item in b.items:
                pdf.multi_cell(width, 5.5, "• " + item, **nl)
        elif isinstance(b, Notice):
            pdf.set_font("body", "B", 10)
            pdf.multi_cell(width, 5.5, b.text, border=1, **nl)
    return bytes(pdf.output())
