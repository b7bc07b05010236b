"""SEND plans and destinations: the rules, with no I/O (DOMAIN.md: SEND; Destinations).

Decisions, written down in one place (the store and the screens follow them):

* Reviews. A plan's next review is *due* when its date is within REVIEW_SOON_DAYS (30) of
  today, today included, and *overdue* from the day after its date. The same words apply to
  the EHCP annual review date.
* EHCP annual review at least every 12 months: ``plans.ehcp_annual_review_on`` holds the date
  of the *next* annual review. When an annual review is held, the next one may be no later
  than the same date a year on (``latest_next_annual``; 29 February falls back to 28 February).
* Preparing for Adulthood. A plan "has PfA outcomes" when its current version holds at least
  one target, in any of the four PfA areas, that has not been dropped. Every target belongs to
  an area, so an EHCP pupil in Year 9 or above whose plan has none is listed on Reviews due.
* The 31 March rule. An EHCP must be amended by 31 March of Year 11 for the move to post-16.
  A Year 11 EHCP pupil with no transition plan recorded is *nearing* the deadline from
  TRANSITION_WARNING_DAYS (150) days before it (1 November), and has *missed* it from
  1 April until the end of Year 11.
* Leaving cohort. A leaver belongs to the cohort named by the calendar year in which the
  school year they left in ends: leaving on 17 July 2026 or 19 December 2025 is the 2026
  cohort (school year 2025/26). Only pupils who left in Year 11 or later are in a cohort;
  pupils who moved school earlier are not destination leavers.
* Destination checks. A leaver's destination is checked about 1, 2 and 3 years after leaving:
  check n is due on the n-th anniversary of the leaving date. A check done up to
  CHECK_EARLY_DAYS (91) days before an anniversary counts for it; an earlier check is an extra
  confirmation. Only the latest check whose date has come (within the 30-day window) can be
  "due": once the 2-year check falls due, a missed 1-year check no longer is.
* Consent (tracking after 16). Intended destinations belong to the school's own record of a
  pupil on roll and need no consent. An actual destination or a check for a pupil who has
  left needs the young person's consent to be contacted; without it, it is refused. A pupil
  still on roll may have an actual destination only when they stayed in the school's own
  sixth form (code 210): that is the one case the school tracks without asking.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from gatsby_tui.domain import names, schoolyear

REVIEW_SOON_DAYS = 30
TRANSITION_WARNING_DAYS = 150
CHECK_EARLY_DAYS = 91
CHECK_YEARS = (1, 2, 3)
SIXTH_FORM_CODE = "210"

AREAS: tuple[tuple[str, str], ...] = (
    ("employment", "Employment and higher education"),
    ("independent_living", "Independent living"),
    ("community", "Participating in society"),
    ("health", "Being healthy"),
)
AREA_WORDS = dict(AREAS)
AREA_SHORT = {"employment": "Employment/HE", "independent_living": "Independent living",
              "community": "Community", "health": "Health"}
_AREA_ALIASES = {
    "employment": "employment", "work": "employment", "employment and higher education": "employment",
    "higher education": "employment", "he": "employment", "education": "employment", "jobs": "employment",
    "independent living": "independent_living", "independent_living": "independent_living",
    "independence": "independent_living", "living": "independent_living",
    "community": "community", "participating in society": "community", "society": "community",
    "friends": "community", "friends, relationships and community": "community",
    "health": "health", "healthy": "health", "being healthy": "health",
    "being as healthy as possible": "health",
}

TARGET_STATUSES: tuple[tuple[str, str], ...] = (
    ("not_started", "not started"), ("in_progress", "in progress"), ("achieved", "achieved"),
    ("dropped", "dropped"),
)
STATUS_WORDS = dict(TARGET_STATUSES)
STATUS_MARKS = {"not_started": "○", "in_progress": "◐", "achieved": "✓", "dropped": "✗"}

PARTICIPANTS: tuple[tuple[str, str], ...] = (
    ("pupil", "pupil"), ("parent", "parent/carer"), ("senco", "SENCO"), ("adviser", "careers adviser"),
)
PARTICIPANT_WORDS = dict(PARTICIPANTS)

PLAN_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("aspirations", "Aspirations"), ("strengths", "Strengths"), ("needs", "Needs and barriers"),
    ("support", "Support agreed"),
)

CATEGORY_BUCKETS = {
    "education": "education", "employment": "employment", "training": "training",
    # Re-engagement provision (530) is its own column: NCCIS reports it apart from training, and a
    # young person on a re-engagement programme is not yet in education, employment or training.
    "reengagement": "reengagement", "neet": "neet", "not_known": "not_known",
    "other": "other", "pre16": "other",
}
BUCKETS: tuple[tuple[str, str], ...] = (
    ("education", "Education"), ("employment", "Employment"), ("training", "Training"),
    ("reengagement", "Re-engagement"), ("neet", "NEET"), ("not_known", "Not known"), ("other", "Other"),
)
# NCCIS codes for a young person of compulsory school age (110-150): never where someone goes
# after Year 11.
PRE16_CODES = frozenset({"110", "120", "130", "140", "150"})


def pre16_refusal(code: str | None, year_group: int | None, *, intended: bool) -> str | None:
    """Why a pre-16 code cannot be this destination, or None. An intended destination is always
    for the move after Year 11 or Year 13; an actual one is refused once the pupil is (or left)
    in Year 11 or later. A pupil who left in Year 9 for home education is 120, rightly."""
    if code not in PRE16_CODES:
        return None
    if intended or (year_group is not None and year_group >= 11):
        when = "an intended destination" if intended else f"a destination after Year {year_group}"
        return (f"{code} is a code for a young person of compulsory school age, not {when}: choose where "
                "they go next, e.g. 210 school sixth form, 230 further education, 310 apprenticeship.")
    return None


class RuleError(ValueError):
    """A value that breaks one of the rules above; the message says what to do."""


# ---------------------------------------------------------------- calendar arithmetic


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the last day of the month when there is no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


# ---------------------------------------------------------------- reviews


@dataclass(frozen=True)
class Due:
    state: str        # 'overdue', 'due'
    on: date
    days: int         # days from today (negative: overdue by)

    def words(self, what: str = "review") -> str:
        from gatsby_tui.domain import dates

        if self.state == "overdue":
            n = -self.days
            return f"{what} overdue by {n} day{'s' if n != 1 else ''} (was due {dates.uk(self.on)})"
        if self.days == 0:
            return f"{what} due today"
        return f"{what} due {dates.uk(self.on)} (in {self.days} day{'s' if self.days != 1 else ''})"


def review_due(on: date | None, today: date) -> Due | None:
    """'overdue' after the date, 'due' from REVIEW_SOON_DAYS before it (inclusive), else None."""
    if on is None:
        return None
    days = (on - today).days
    if days < 0:
        return Due("overdue", on, days)
    if days <= REVIEW_SOON_DAYS:
        return Due("due", on, days)
    return None


def soon_bound(today: date) -> date:
    """The last date that counts as due within the window (for SQL)."""
    return today + timedelta(days=REVIEW_SOON_DAYS)


def latest_next_annual(last_annual: date) -> date:
    """An EHCP annual review is at least every 12 months: the next is due by this date."""
    return add_months(last_annual, 12)


def check_next_annual(held_on: date, next_on: date) -> None:
    if next_on <= held_on:
        raise RuleError("The next annual review must come after this one: give a later date.")
    latest = latest_next_annual(held_on)
    if next_on > latest:
        from gatsby_tui.domain import dates

        raise RuleError(f"An EHCP is reviewed at least every 12 months: the next annual review must be "
                        f"by {dates.uk(latest)}.")


def transition_deadline(intake_year: int) -> date:
    """31 March of the pupil's Year 11 (the school year intake_year + 4)."""
    return date(intake_year + 5, 3, 31)


def transition_state(today: date, intake_year: int, sen_status: str, transition_plan_on: date | None) -> str | None:
    """For a Year 11 EHCP pupil with no transition plan: 'nearing' from TRANSITION_WARNING_DAYS
    before 31 March to 31 March itself, 'missed' after it (to the end of Year 11); else None."""
    if sen_status != "E" or transition_plan_on is not None:
        return None
    if schoolyear.year_group_in(intake_year, schoolyear.school_year_of(today)) != 11:
        return None
    deadline = transition_deadline(intake_year)
    if today > deadline:
        return "missed"
    if today >= deadline - timedelta(days=TRANSITION_WARNING_DAYS):
        return "nearing"
    return None


def check_transition_agreed(agreed_on: date, today: date) -> None:
    """A transition plan is recorded once agreed: a date in the future is refused."""
    if agreed_on > today:
        raise RuleError("The transition plan is recorded once it has been agreed: the date is in the future. "
                        "Give the day it was agreed.")


def transition_words(intake_year: int, agreed_on: date | None) -> str:
    """'agreed 12 March 2027'; after 31 March of Year 11 'agreed late, on 2 April 2027 (the EHCP was to
    be amended by 31 March 2027)': agreed, but not in time, so never shown as met."""
    from gatsby_tui.domain import dates

    if agreed_on is None:
        return "not recorded"
    deadline = transition_deadline(intake_year)
    if agreed_on > deadline:
        return (f"agreed late, on {dates.long_uk(agreed_on)} (the EHCP was to be amended by "
                f"{dates.long_uk(deadline)})")
    return f"agreed {dates.long_uk(agreed_on)}"


def transition_due_words(intake_year: int, today: date) -> str:
    """What Reviews due and the plan say of a missing transition plan: the deadline by date, 'today'
    on the day itself, or passed."""
    from gatsby_tui.domain import dates

    deadline = transition_deadline(intake_year)
    if today == deadline:
        return f"no transition plan: the EHCP must be amended today ({dates.uk(deadline)})"
    if today < deadline:
        return f"no transition plan: the EHCP must be amended by {dates.uk(deadline)}"
    return f"no transition plan, and the {dates.uk(deadline)} deadline has passed"


# Preparing for Adulthood targets and aspirations.
TARGET_LATE_DAYS = 28            # a target still in progress this long after its "by" date is flagged
WORK_WORDS = re.compile(r"\b(work|job|jobs|employ\w*|apprentice\w*|career|internship|trainee\w*|business)\b",
                        re.IGNORECASE)


def late_targets(targets: Iterable[Mapping[str, Any]], today: date) -> list[Mapping[str, Any]]:
    """Targets still in progress (or not started) more than TARGET_LATE_DAYS after their "by" date."""
    out = []
    for t in targets:
        by = t.get("by_when")
        if by and t.get("status") in ("in_progress", "not_started"):
            day = by if isinstance(by, date) else date.fromisoformat(str(by)[:10])
            if (today - day).days > TARGET_LATE_DAYS:
                out.append(t)
    return out


def needs_employment_target(year_group: int, sen_status: str, aspirations: str | None,
                            targets: Iterable[Mapping[str, Any]]) -> bool:
    """A Year 11 EHCP pupil who hopes to work (the aspirations speak of work, a job, an
    apprenticeship ...) should have an Employment target in their plan."""
    if sen_status != "E" or year_group != 11 or not WORK_WORDS.search(aspirations or ""):
        return False
    return not any(t.get("area") == "employment" and t.get("status") != "dropped" for t in targets)


# ---------------------------------------------------------------- destinations


def cohort_of(date_left: date) -> int:
    return schoolyear.school_year_of(date_left) + 1


def cohort_bounds(cohort: int) -> tuple[date, date]:
    return date(cohort - 1, 9, 1), date(cohort, 8, 31)


def cohort_max_intake(cohort: int) -> int:
    """Pupils who left in Year 11 or later in this cohort started Year 7 in this year or before."""
    return schoolyear.intake_year_for(11, cohort - 1)


def cohort_label(cohort: int) -> str:
    return f"{cohort} leavers ({schoolyear.school_year_label(cohort - 1)})"


def check_dates(date_left: date) -> list[date]:
    return [add_years(date_left, n) for n in CHECK_YEARS]


def check_for(date_left: date, checked_on: date) -> date | None:
    """The scheduled check (its due date) a check done on ``checked_on`` counts for: the latest
    whose date is at most CHECK_EARLY_DAYS away; None for an early, extra confirmation."""
    chosen = None
    for due in check_dates(date_left):
        if checked_on >= due - timedelta(days=CHECK_EARLY_DAYS):
            chosen = due
    return chosen


def check_now(date_left: date, today: date) -> tuple[int, date] | None:
    """(n, due date) of the check that can be due now: the latest whose date is on or before
    the 30-day window's end; None before the first."""
    bound = soon_bound(today)
    found = None
    for n, due in zip(CHECK_YEARS, check_dates(date_left)):
        if due <= bound:
            found = (n, due)
    return found


def bucket(category: str | None) -> str:
    """The summary column for an NCCIS category; no destination at all is 'not_known'."""
    return CATEGORY_BUCKETS.get(category or "not_known", "other")


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(100 * part / whole)}%"


def is_neet(code: str | None) -> bool:
    return code is not None and "540" <= code <= "680"


# ---------------------------------------------------------------- parsing what people type


def parse_area(value: Any) -> str:
    key = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    if key.replace(" ", "_") in AREA_WORDS:
        return key.replace(" ", "_")
    if key in _AREA_ALIASES:
        return _AREA_ALIASES[key]
    raise RuleError("Choose one of the four Preparing-for-Adulthood areas: employment and higher education, "
                    "independent living, participating in society, being healthy.")


def parse_status(value: Any) -> str:
    key = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    if not key:
        return "not_started"
    for code, words in TARGET_STATUSES:
        if key in (code.replace("_", " "), words):
            return code
    aliases = {"done": "achieved", "met": "achieved", "started": "in_progress", "ongoing": "in_progress",
               "new": "not_started", "stopped": "dropped", "no longer needed": "dropped"}
    if key in aliases:
        return aliases[key]
    raise RuleError("A target's status is one of: not started, in progress, achieved, dropped.")


def parse_participants(chosen: Iterable[str], others: str | None) -> list[str]:
    """The fixed roles ticked (in a fixed order) and any others typed, comma-separated."""
    picked = set(chosen)
    unknown = picked - set(PARTICIPANT_WORDS)
    if unknown:
        raise RuleError(f"Unknown participant role {sorted(unknown)[0]!r}.")
    out = [words for key, words in PARTICIPANTS if key in picked]
    for part in re.split(r"[,;\n]", others or ""):
        name = " ".join((names.clean_text(part) or "").split())     # no control characters kept
        if name and name not in out:
            if len(name) > 100:
                raise RuleError("One of the other participants is longer than 100 characters: shorten it.")
            out.append(name)
    if not out:
        raise RuleError("Say who took part in the review: tick at least one, or type others' roles.")
    return out


# ---------------------------------------------------------------- comparing versions


@dataclass(frozen=True)
class Change:
    what: str         # 'Aspirations', 'Target: Independent living', ...
    change: str       # 'unchanged', 'changed', 'added', 'removed'
    before: str
    after: str
    detail: str = ""  # for a target: which parts changed ('status: in progress → achieved')


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Words of the two texts as (mark, text) pieces: '=' kept, '-' removed, '+' added."""
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("-", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("+", " ".join(b[j1:j2])))
    return out


TARGET_PARTS = (("outcome", "outcome"), ("what", "what"), ("by_when", "by when"), ("who_helps", "who helps"),
                ("status", "status"), ("evidence", "evidence"))


def _target_text(t: Mapping[str, Any]) -> str:
    from gatsby_tui.domain import dates

    parts = []
    if t.get("outcome"):
        parts.append(f"Outcome: {t['outcome']}")
    parts.append(f"What: {t.get('what') or ''}")
    if t.get("by_when"):
        parts.append(f"By: {dates.uk(dates.from_iso(t['by_when']))}")
    if t.get("who_helps"):
        parts.append(f"Who helps: {t['who_helps']}")
    parts.append(f"Status: {STATUS_WORDS.get(t.get('status') or '', t.get('status') or '')}")
    if t.get("evidence"):
        parts.append(f"Evidence: {t['evidence']}")
    return "\n".join(parts)


def _part_words(key: str, value: Any) -> str:
    from gatsby_tui.domain import dates

    if value in (None, ""):
        return "(blank)"
    if key == "status":
        return STATUS_WORDS.get(value, value)
    if key == "by_when":
        return dates.uk(dates.from_iso(value))
    return str(value)


def _match_targets(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
                   ) -> list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """Pair targets across versions: same area and same 'what' first, then the most similar
    'what' within the area (a reworded target), leaving the rest added or removed."""
    pairs: list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]] = []
    left = list(old)
    unmatched_new = []
    for t in new:
        same = next((o for o in left if o["area"] == t["area"] and (o["what"] or "").strip() == (t["what"] or "").strip()),
                    None)
        if same is not None:
            left.remove(same)
            pairs.append((same, t))
        else:
            unmatched_new.append(t)
    for t in unmatched_new:
        best, score = None, 0.0
        for o in left:
            if o["area"] != t["area"]:
                continue
            ratio = difflib.SequenceMatcher(a=(o["what"] or "").lower(), b=(t["what"] or "").lower()).ratio()
            if ratio > score:
                best, score = o, ratio
        if best is not None and score >= 0.6:
            left.remove(best)
            pairs.append((best, t))
        else:
            pairs.append((None, t))
    pairs += [(o, None) for o in left]
    return pairs


def compare_versions(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What changed from ``old`` to ``new`` (dicts with the PLAN_TEXT_FIELDS and 'targets'),
    the plan's text first, then the targets area by area. Every row names its change in words."""
    out: list[Change] = []
    for key, label in PLAN_TEXT_FIELDS:
        before, after = (old.get(key) or "").strip(), (new.get(key) or "").strip()
        out.append(Change(label, "unchanged" if before == after else
                          ("added" if not before else "removed" if not after else "changed"), before, after))
    area_order = {a: i for i, (a, _) in enumerate(AREAS)}
    pairs = _match_targets(old.get("targets") or [], new.get("targets") or [])
    pairs.sort(key=lambda p: area_order.get((p[1] or p[0])["area"], 9))  # type: ignore[index]
    for before_t, after_t in pairs:
        area = AREA_WORDS.get((after_t or before_t)["area"], "")  # type: ignore[index]
        what = f"Target · {area}"
        if before_t is None:
            out.append(Change(what, "added", "", _target_text(after_t)))  # type: ignore[arg-type]
        elif after_t is None:
            out.append(Change(what, "removed", _target_text(before_t), ""))
        else:
            parts = [f"{words}: {_part_words(k, before_t.get(k))} → {_part_words(k, after_t.get(k))}"
                     for k, words in TARGET_PARTS if (before_t.get(k) or None) != (after_t.get(k) or None)]
            out.append(Change(what, "changed" if parts else "unchanged", _target_text(before_t),
                              _target_text(after_t), "; ".join(parts)))
    return out
