"""The careers programme for the school website: a self-contained web page and Markdown.

Decisions:

* The programme is public: it names planned activities, never a pupil. Files are still written
  owner-only and atomically (exports/files.py); the person publishes them.
* The web page is self-contained: inline CSS, no script, no external fonts or images, so it
  works pasted into any site or opened from a USB stick. Every piece of text typed into the
  app is escaped (html.escape with quotes), so a description holding <script>, & or quotes is
  shown as typed and never runs.
* The Markdown is one table per year group (rows: benchmarks), because website editors render
  wide tables badly. Text is escaped for Markdown (backslash before * _ ` [ ] | # and the like,
  and &, <, > as entities, since most renderers pass raw HTML through).
* Delivered items are marked with a word and a tick ("✓ delivered"), never colour alone.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates
from gatsby_tui.domain.schoolyear import school_year_label

YEARS = tuple(range(7, 14))
BENCHMARKS = tuple(range(1, 9))


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_escape(text: Any) -> str:
    """Text safe in a Markdown table cell: no markup, no raw HTML, one line."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value)


def _years_with_items(grid: Any) -> list[int]:
    return [y for y in YEARS if any(grid.items(y, b) for b in BENCHMARKS)]


def html_page(grid: Any, *, school: str, generated: date, delivered: bool = True) -> str:
    label = school_year_label(grid.school_year)
    title = f"{school}: careers programme {label}"
    head = "".join(f'<th scope="col"><span class="num">{b}</span> {_e(rules.BENCHMARKS[b][0])}</th>'
                   for b in BENCHMARKS)
    body = []
    for y in _years_with_items(grid) or list(YEARS):
        cells = []
        for b in BENCHMARKS:
            items = grid.items(y, b)
            if not items:
                cells.append('<td class="empty">—</td>')
                continue
            lis = []
            for it in items:
                mark = ' <span class="done">✓ delivered</span>' if delivered and it.delivered else ""
                lis.append(f"<li>{_e(it.description)}{mark}</li>")
            cells.append(f"<td><ul>{''.join(lis)}</ul></td>")
        body.append(f'<tr><th scope="row">Year {y}</th>{"".join(cells)}</tr>')
    style = (
        "body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;margin:2rem;color:#111;"
        "background:#fff;line-height:1.4}"
        "h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;font-size:.9rem}"
        "th,td{border:1px solid #888;padding:.4rem;vertical-align:top;text-align:left}"
        "thead th{background:#eee}tbody th{background:#f6f6f6;white-space:nowrap}"
        "ul{margin:0;padding-left:1.1rem}.num{font-weight:bold}.empty{color:#555;text-align:center}"
        ".done{font-weight:bold;white-space:nowrap}footer{margin-top:1rem;font-size:.8rem;color:#444}"
        ".vh{position:absolute;left:-9999px}@media print{body{margin:0}}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        "<p>Our careers programme, year group by year group, against the eight Gatsby Benchmarks of good "
        "career guidance.</p>\n"
        f'<table>\n<caption class="vh">Careers programme {_e(label)}</caption>\n'
        f'<thead><tr><th scope="col">Year group</th>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body) +
        "\n</tbody>\n</table>\n"
        f"<footer>Published {_e(dates.long_uk(generated))}."
        + (" Items marked ✓ delivered have taken place this school year." if delivered else "")
        + "</footer>\n</body>\n</html>\n"
    )


def markdown(grid: Any, *, school: str, generated: date, delivered: bool = True) -> str:
    label = school_year_label(grid.school_year)
    lines = [f"# {md_escape(school)}: careers programme {md_escape(label)}", "",
             "Our careers programme, year group by year group, against the eight Gatsby Benchmarks of good "
             "career guidance.", ""]
    years = _years_with_items(grid)
    if not years:
        lines += ["No activities are planned yet.", ""]
    for y in years:
        lines += [f"## Year {y}", "", "| Benchmark | Planned activities |", "| --- | --- |"]
        for b in BENCHMARKS:
            items = grid.items(y, b)
            parts = []
            for it in items:
                mark = " (✓ delivered)" if delivered and it.delivered else ""
                parts.append(md_escape(it.description) + mark)
            cell = "<br>".join(parts) if parts else "—"
            lines.append(f"| {b}\\. {md_escape(rules.BENCHMARKS[b][0])} | {cell} |")
        lines.append("")
    lines.append(f"_Published {md_escape(dates.long_uk(generated))}._")
    return "\n".join(lines) + "\n"
