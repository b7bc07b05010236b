"""The careers programme for the school website: a self-contained web page and Markdown.

What the page carries (Benchmark 1, and what the School Information Regulations ask a school to
publish about its careers programme):

* the careers leader's name, email and telephone;
* the programme, year group by year group: EVERY year group, one with nothing planned saying so;
* per benchmark: the benchmark's own statement, what the school does now and what it will do next
  (the school writes these);
* the provider access policy statement (the school's text);
* how the programme is evaluated and its impact measured (the school's text), optionally with the
  current coverage (met of the pupils each benchmark is due for) and the latest leavers'
  destinations;
* the date of the next review, and the date it was published.

Decisions:

* The programme is public: it names planned activities and the careers leader, never a pupil, and
  the figures are school-wide counts. Files are still written owner-only and atomically
  (exports/files.py); the person publishes them.
* The web page is self-contained: inline CSS, no script, no external fonts or images, so it
  works pasted into any site or opened from a USB stick. Every piece of text typed into the
  app is escaped (html.escape with quotes), so a description holding <script>, & or quotes is
  shown as typed and never runs.
* The Markdown is one table per year group (rows: benchmarks), because website editors render
  wide tables badly. Text is escaped for Markdown (backslash before * _ ` [ ] | # and the like,
  and &, <, > as entities, since most renderers pass raw HTML through).
* "Delivered" marks are optional (a programme published in September has none yet); where shown,
  a word and a tick ("✓ delivered"), never colour alone.
* A text the school has not written yet is left out with its heading, never filled with a
  placeholder; the careers leader must be named before the page can be written at all (the
  store refuses).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates
from gatsby_tui.domain.schoolyear import school_year_label

BENCHMARKS = tuple(range(1, 9))


@dataclass(frozen=True)
class Figures:
    """School-wide figures for the evaluation section: no pupil is named."""
    as_of: date
    coverage: list[tuple[str, str]] = field(default_factory=list)        # (benchmark, '60% of 5 due (3 met)')
    destinations_title: str = ""                                          # '2026 leavers (2025/26): 81'
    destinations: list[tuple[str, int, str]] = field(default_factory=list)  # (bucket, count, '20%')


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_escape(text: Any) -> str:
    """Text safe in a Markdown table cell: no markup, no raw HTML, one line."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value)


def md_paragraphs(text: str) -> list[str]:
    """A school's text as Markdown paragraphs (blank lines between), each escaped."""
    return [md_escape(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _html_paragraphs(text: str) -> str:
    return "".join(f"<p>{_e(' '.join(p.split()))}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def _leader_lines(school: Any) -> list[tuple[str, str]]:
    out = [("Careers leader", school.leader_name)]
    if school.leader_email:
        out.append(("Email", school.leader_email))
    if school.leader_phone:
        out.append(("Telephone", school.leader_phone))
    return out


def html_page(grid: Any, *, school: Any, generated: date, delivered: bool = True,
              figures: Figures | None = None) -> str:
    label = school_year_label(grid.school_year)
    title = f"{school.name}: careers programme {label}"
    head = "".join(f'<th scope="col"><span class="num">{b}</span> {_e(rules.BENCHMARKS[b][0])}</th>'
                   for b in BENCHMARKS)
    body = []
    for y in grid.years:
        if not any(grid.items(y, b) for b in BENCHMARKS):
            body.append(f'<tr><th scope="row">Year {y}</th><td class="empty" colspan="{len(BENCHMARKS)}">'
                        f"Nothing is planned for Year {y} yet.</td></tr>")
            continue
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
    parts = [
        f"<h1>{_e(title)}</h1>\n",
        "<p>Our careers programme, year group by year group, against the eight Gatsby Benchmarks of good "
        "career guidance.</p>\n",
        '<h2 id="contact">Who to contact</h2>\n<dl>'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _leader_lines(school)) + "</dl>\n",
        '<h2 id="programme">The programme</h2>\n',
        f'<table>\n<caption class="vh">Careers programme {_e(label)}</caption>\n'
        f'<thead><tr><th scope="col">Year group</th>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body) + "\n</tbody>\n</table>\n",
        '<h2 id="benchmarks">Benchmark by benchmark</h2>\n',
    ]
    for b in BENCHMARKS:
        now, nxt = school.statement(b)
        parts.append(f'<section class="bm"><h3>Benchmark {b}: {_e(rules.BENCHMARKS[b][0])}</h3>\n'
                     f'<p class="statement">{_e(rules.STATEMENTS[b])}</p>\n')
        if now:
            parts.append(f"<h4>What we do now</h4>{_html_paragraphs(now)}\n")
        if nxt:
            parts.append(f"<h4>What we will do next</h4>{_html_paragraphs(nxt)}\n")
        parts.append("</section>\n")
    policy = school.texts.get("provider_access_policy")
    if policy:
        parts.append('<h2 id="provider-access">Provider access policy statement</h2>\n'
                     f"{_html_paragraphs(policy)}\n")
    evaluation = school.texts.get("evaluation")
    if evaluation or figures:
        parts.append('<h2 id="evaluation">How we evaluate the programme and measure its impact</h2>\n')
        if evaluation:
            parts.append(_html_paragraphs(evaluation) + "\n")
        if figures:
            parts.append(f"<h3>Where we stand on {_e(dates.long_uk(figures.as_of))}</h3>\n"
                         "<p>The share of pupils on roll meeting each benchmark, of those it is due for so far "
                         "(pupils for whom it is not yet due are not counted as missing it).</p>\n<table>"
                         '<thead><tr><th scope="col">Benchmark</th><th scope="col">Met</th></tr></thead><tbody>'
                         + "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>'
                                   for k, v in figures.coverage) + "</tbody></table>\n")
            if figures.destinations:
                parts.append(f"<h3>Destinations: {_e(figures.destinations_title)}</h3>\n<table>"
                             '<thead><tr><th scope="col">Where they went</th><th scope="col">Leavers</th>'
                             '<th scope="col">Share</th></tr></thead><tbody>'
                             + "".join(f'<tr><th scope="row">{_e(k)}</th><td>{n}</td><td>{_e(pc)}</td></tr>'
                                       for k, n, pc in figures.destinations) + "</tbody></table>\n")
    if school.next_review:
        parts.append('<h2 id="review">Next review</h2>\n'
                     f"<p>We will next review this programme on "
                     f"{_e(dates.long_uk(dates.from_iso(school.next_review)))}.</p>\n")
    style = (
        "body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;margin:2rem;color:#111;"
        "background:#fff;line-height:1.4;max-width:90rem}"
        "h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.05rem}h4{margin:.6rem 0 .2rem}"
        "table{border-collapse:collapse;width:100%;font-size:.9rem}"
        "th,td{border:1px solid #888;padding:.4rem;vertical-align:top;text-align:left}"
        "thead th{background:#eee}tbody th{background:#f6f6f6;white-space:nowrap}"
        "ul{margin:0;padding-left:1.1rem}.num{font-weight:bold}.empty{color:#555;text-align:center}"
        ".done{font-weight:bold;white-space:nowrap}footer{margin-top:1rem;font-size:.8rem;color:#444}"
        "dt{font-weight:bold;float:left;clear:left;width:9rem}dd{margin:0 0 .2rem 9rem}"
        ".statement{font-style:italic}.bm{margin-bottom:1rem}"
        ".vh{position:absolute;left:-9999px}@media print{body{margin:0}}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        + "".join(parts)
        + f"<footer>Published {_e(dates.long_uk(generated))}."
        + (" Items marked ✓ delivered have taken place this school year." if delivered else "")
        + "</footer>\n</body>\n</html>\n"
    )


def markdown(grid: Any, *, school: Any, generated: date, delivered: bool = True,
             figures: Figures | None = None) -> str:
    label = school_year_label(grid.school_year)
    lines = [f"# {md_escape(school.name)}: careers programme {md_escape(label)}", "",
             "Our careers programme, year group by year group, against the eight Gatsby Benchmarks of good "
             "career guidance.", "", "## Who to contact", ""]
    lines += [f"- **{k}:** {md_escape(v)}" for k, v in _leader_lines(school)] + [""]
    lines += ["## The programme", ""]
    for y in grid.years:
        lines += [f"### Year {y}", ""]
        if not any(grid.items(y, b) for b in BENCHMARKS):
            lines += [f"Nothing is planned for Year {y} yet.", ""]
            continue
        lines += ["| Benchmark | Planned activities |", "| --- | --- |"]
        for b in BENCHMARKS:
            items = grid.items(y, b)
            parts = []
            for it in items:
                mark = " (✓ delivered)" if delivered and it.delivered else ""
                parts.append(md_escape(it.description) + mark)
            cell = "<br>".join(parts) if parts else "—"
            lines.append(f"| {b}\\. {md_escape(rules.BENCHMARKS[b][0])} | {cell} |")
        lines.append("")
    lines += ["## Benchmark by benchmark", ""]
    for b in BENCHMARKS:
        now, nxt = school.statement(b)
        lines += [f"### Benchmark {b}: {md_escape(rules.BENCHMARKS[b][0])}", "", f"_{md_escape(rules.STATEMENTS[b])}_", ""]
        if now:
            lines += ["**What we do now**", "", *(p + "\n" for p in md_paragraphs(now))]
        if nxt:
            lines += ["**What we will do next**", "", *(p + "\n" for p in md_paragraphs(nxt))]
    policy = school.texts.get("provider_access_policy")
    if policy:
        lines += ["## Provider access policy statement", "", *(p + "\n" for p in md_paragraphs(policy))]
    evaluation = school.texts.get("evaluation")
    if evaluation or figures:
        lines += ["## How we evaluate the programme and measure its impact", ""]
        if evaluation:
            lines += [p + "\n" for p in md_paragraphs(evaluation)]
        if figures:
            lines += [f"### Where we stand on {md_escape(dates.long_uk(figures.as_of))}", "",
                      "The share of pupils on roll meeting each benchmark, of those it is due for so far (pupils "
                      "for whom it is not yet due are not counted as missing it).", "",
                      "| Benchmark | Met |", "| --- | --- |",
                      *(f"| {md_escape(k)} | {md_escape(v)} |" for k, v in figures.coverage), ""]
            if figures.destinations:
                lines += [f"### Destinations: {md_escape(figures.destinations_title)}", "",
                          "| Where they went | Leavers | Share |", "| --- | --- | --- |",
                          *(f"| {md_escape(k)} | {n} | {md_escape(pc)} |" for k, n, pc in figures.destinations), ""]
    if school.next_review:
        lines += ["## Next review", "",
                  f"We will next review this programme on {md_escape(dates.long_uk(dates.from_iso(school.next_review)))}.",
                  ""]
    lines.append(f"_Published {md_escape(dates.long_uk(generated))}._")
    return "\n".join(lines) + "\n"
