"""The Gatsby Benchmarks, pupil by pupil: pure rules, no I/O.

What is checked (the updated wording, November 2024; see shared/DOMAIN.md):

1  A stable careers programme: school level. For a pupil: the school's programme has planned
   activities for the pupil's year group this school year.
2  Careers and labour market information: in each key stage (KS3 = Years 7-9, KS4 = 10-11,
   KS5 = 12-13) the pupil took part in an activity recorded as serving Benchmark 2.
3  Addressing the needs of each young person: a systematic record exists. Due by the end of
   Year 11: a signed-off guidance record with agreed decisions and a copy given to the pupil (a
   record made later still counts once it exists; the copy is a copy of the record, or an action
   plan from a signed-off record, exported and recorded as given), and an intended destination
   recorded IN Year 11 (a Year 9 or 10 aspiration, e.g. from an EHCP review, is history, not the
   Year 11 record); by the end of Year 13 a further intended destination recorded IN Year 13 (for
   the move at 18, as DOMAIN.md has it: recorded in Year 11 and 13); after leaving, an actual
   destination.
4  Linking curriculum learning to careers: in every school year on roll, at least one subject
   lesson linked to careers (an activity serving Benchmark 4). "In every subject" cannot be
   checked without the pupil's timetable: the evidence lists the subjects covered.
5  Encounters with employers: a MEANINGFUL activity serving Benchmark 5 in every school year
   from Year 7 (or from the year the pupil joined).
6  Experiences of workplaces: at least two MEANINGFUL workplace experiences (a workplace visit,
   work shadowing or work experience, serving Benchmark 6) by the end of Year 11, and at least
   one more in Years 12-13. Part-time jobs do not count: they are not activities.
7  Further and higher education: by the end of Year 11, MEANINGFUL encounters with the full range
   of providers: a sixth form, a college, a university, and an independent training provider
   (apprenticeships; a provider-access encounter counts as one). An activity that names the
   provider types present (a careers fair with colleges and training providers on stands) counts
   once for each type it names. By the end of Year 13, for a pupil considering higher education
   (their LATEST intended destination is 240, higher education: a pupil who has since moved to
   employment is not asked for university visits): at least two meaningful university visits.
8  Personal guidance: at least one guidance meeting with a QUALIFIED careers adviser by the end of
   Year 11, and a further one IN Years 12-13 (two Year 11 meetings are not sixth-form guidance;
   a pupil who missed the meeting by 16 and had one in Year 13 is missing the by-16 meeting).

"By 16" is the end of Year 11 (31 August) and "by 18" the end of Year 13, whatever the pupil's
birthday: the school year decides, never the age on the day.

Meaningful: the four points of the checklist (purpose shared, learning outcomes, two-way
interaction, time to reflect); for a workplace experience also a task set by the employer and
employer feedback. An activity counts for a benchmark only when it was recorded as serving it.

Qualified adviser (decided here): Level 6 or above recorded on the adviser (the CDI register's
bar). An adviser with NO recorded level does not count: the school cannot evidence the
qualification. Such meetings are named in what is missing, so the fix (record the level) is plain.

Provider Access Legislation (not a benchmark; reported beside them, key "pal"): two encounters with
technical-education or apprenticeship providers (activities of kind ``provider_access``) in Years
8-9, two in Years 10-11 (attended), and two OFFERED in Years 12-13: an encounter held for the
pupil's year group (someone in the year group took part) or offered to the pupil counts, whether
or not the pupil went.

States. Each benchmark is split into parts, each due in one school year (its deadline is
31 August at the end of that year):

* a part is MET when the evidence satisfies it; otherwise it is MISSING once the pupil is in the
  year it is due (or later), and NOT DUE before then;
* a part is WAIVED when the pupil joined after its window ended, or left before it was due.

A benchmark is **not yet** when any part is missing (what is missing is listed, with "by
31/08/2027" or "missed"), else **met** when any part is met, else **not yet due**.

A pupil who has left is assessed as on the day they left (their actual destination, after).
A pupil who joined part-way is not held to years before they came, but only from a KNOWN date
of entry (an MIS column, or set by hand): with none, the pupil is taken as here from Year 7 and
nothing is waived silently (``joined_year_group``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Iterable

from gatsby_tui.domain import dates
from gatsby_tui.domain.schoolyear import school_year_of

# ---------------------------------------------------------------- vocabulary

BENCHMARKS: dict[int, tuple[str, str]] = {
    1: ("A stable careers programme", "Programme"),
    2: ("Learning from career and labour market information", "Careers info"),
    3: ("Addressing the needs of each young person", "Each pupil"),
    4: ("Linking curriculum learning to careers", "Curriculum"),
    5: ("Encounters with employers and employees", "Employers"),
    6: ("Experiences of workplaces", "Workplaces"),
    7: ("Encounters with further and higher education", "FE and HE"),
    8: ("Personal guidance", "Guidance"),
}
# Each benchmark's own statement, for the published programme beside what the school does: in our
# words, after the Gatsby Foundation's statements (the 2013 wording in shared/seeds/000) as updated
# in 2024 (shared/DOMAIN.md), shortened to what each asks of a school.
STATEMENTS: dict[int, str] = {
    1: "Every school and college should have an embedded programme of career education and guidance that is "
       "known and understood by young people, their parents and carers, staff, governors and employers. "
       "The programme is published and regularly evaluated, with feedback from all of them.",
    2: "Every young person, and their parents and carers, should have access to good-quality information "
       "about future study options and labour market opportunities, with the support of an informed adviser "
       "to make the best use of it, in each key stage.",
    3: "Young people have different career guidance needs at different stages. Advice and support are "
       "tailored to the needs of each young person, and the programme embeds inclusion and challenges "
       "stereotypes. A systematic record of the advice given, the decisions agreed and each young person's "
       "intended and actual destinations is kept and shared with them; destinations for at least three "
       "years after they leave.",
    4: "All teachers should link curriculum learning with careers: in every subject, young people learn how "
       "it leads to a wide range of careers.",
    5: "Every young person should have multiple opportunities to learn from employers about work, employment "
       "and the skills that are valued in the workplace: at least one meaningful encounter with an employer "
       "every school year from Year 7.",
    6: "Every young person should have first-hand, meaningful experiences of the workplace, through visits, "
       "work shadowing or work experience: experiences by the age of 16 and at least one more by 18, beyond "
       "any part-time job.",
    7: "All young people should understand the full range of learning opportunities open to them: by 16, "
       "meaningful encounters with sixth forms, colleges, universities and apprenticeship and training "
       "providers; by 18, those considering higher education have at least two visits to universities.",
    8: "Every young person should have opportunities for guidance meetings with a qualified careers adviser "
       "(Level 6 or above) whenever significant choices are being made: at least one by 16 and a further one "
       "by 18.",
}
PAL = "pal"
PAL_TITLE = ("Provider access (technical education and apprenticeships)", "Provider access")
RULE_KEYS: tuple[int | str, ...] = (1, 2, 3, 4, 5, 6, 7, 8, PAL)


def title_of(key: int | str) -> str:
    return PAL_TITLE[0] if key == PAL else BENCHMARKS[int(key)][0]


def short_of(key: int | str) -> str:
    return PAL_TITLE[1] if key == PAL else BENCHMARKS[int(key)][1]


def label_of(key: int | str) -> str:
    """'B5 Employers', 'PAL Provider access'."""
    return f"PAL {PAL_TITLE[1]}" if key == PAL else f"B{key} {BENCHMARKS[int(key)][1]}"


KINDS: dict[str, str] = {
    "employer_talk": "Employer talk",
    "careers_fair": "Careers fair",
    "mentoring": "Mentoring",
    "enterprise_project": "Enterprise project",
    "workplace_visit": "Workplace visit",
    "work_shadowing": "Work shadowing",
    "work_experience": "Work experience",
    "sixth_form_encounter": "Sixth form encounter",
    "college_encounter": "College encounter",
    "university_encounter": "University encounter",
    "training_provider_encounter": "Training provider encounter",
    "university_visit": "University visit",
    "lmi_lesson": "Labour market information lesson",
    "subject_lesson": "Subject lesson linked to careers",
    "provider_access": "Provider access encounter",
    "assembly": "Assembly",
    "other": "Other",
}
KIND_CHOICES = [(label, key) for key, label in KINDS.items()]   # (words, code) for a choice list
# What an activity of each kind usually serves (the form ticks these; the person may change them).
DEFAULT_BENCHMARKS: dict[str, tuple[int, ...]] = {
    "employer_talk": (5,), "careers_fair": (2, 5, 7), "mentoring": (5,), "enterprise_project": (5,),
    "workplace_visit": (5, 6), "work_shadowing": (5, 6), "work_experience": (5, 6),
    "sixth_form_encounter": (7,), "college_encounter": (7,), "university_encounter": (7,),
    "training_provider_encounter": (7,), "university_visit": (7,), "lmi_lesson": (2,),
    "subject_lesson": (4,), "provider_access": (7,), "assembly": (2,), "other": (),
}
WORKPLACE_KINDS = ("workplace_visit", "work_shadowing", "work_experience")
# Benchmark 7's "full range of providers", and which kinds of encounter show each.
PROVIDER_TYPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sixth_form", "a sixth form", ("sixth_form_encounter",)),
    ("college", "a further education college", ("college_encounter",)),
    ("university", "a university", ("university_encounter", "university_visit")),
    ("training", "an independent training provider (apprenticeships)", ("training_provider_encounter",
                                                                       "provider_access")),
)
PROVIDER_BIT = {kind: 1 << i for i, (_, _, kinds) in enumerate(PROVIDER_TYPES) for kind in kinds}
ALL_PROVIDERS = (1 << len(PROVIDER_TYPES)) - 1
# A provider type named on an activity (activities.providers_named holds these bits).
TYPE_BIT = {key: 1 << i for i, (key, _, _) in enumerate(PROVIDER_TYPES)}
TYPE_WORDS = {"sixth_form": "Sixth forms", "college": "Colleges", "university": "Universities",
              "training": "Training providers (apprenticeships)"}


def providers_mask(types: Iterable[str]) -> int:
    return sum(TYPE_BIT[t] for t in set(types))


_TYPE_BY_WORD = {
    **{key: key for key in TYPE_BIT}, "sixth form": "sixth_form", "sixth forms": "sixth_form",
    "college": "college", "colleges": "college", "fe": "college", "further education": "college",
    "university": "university", "universities": "university", "he": "university",
    "higher education": "university", "training": "training", "training provider": "training",
    "training providers": "training", "apprenticeships": "training", "apprenticeship providers": "training",
}


def parse_provider_types(value: object) -> frozenset[str]:
    """The provider types an activity names, from a list of keys or words ('colleges, training
    providers'); raises ValueError with a sentence for a word it does not know."""
    if value in (None, ""):
        return frozenset()
    items = value if isinstance(value, (list, tuple, set, frozenset)) else str(value).split(",")
    out = set()
    for item in items:
        word = " ".join(str(item).strip().lower().replace("_", " ").split())
        if not word:
            continue
        key = _TYPE_BY_WORD.get(word) or _TYPE_BY_WORD.get(word.replace(" ", "_"))
        if key is None:
            shown = word if len(word) <= 40 else word[:40] + "…"
            raise ValueError(f"'{shown}' is not a kind of provider: name sixth forms, colleges, universities "
                             "or training providers.")
        out.add(key)
    return frozenset(out)


def providers_of(mask: int) -> frozenset[str]:
    return frozenset(key for key, b in TYPE_BIT.items() if mask & b)


def provider_bits(activity: "Activity") -> int:
    """The provider types an activity shows: its kind's, and each type it names."""
    return PROVIDER_BIT.get(activity.kind, 0) | providers_mask(activity.providers)


HE_VISIT_KINDS = ("university_visit",)
PAL_KINDS = ("provider_access",)

POINTS: tuple[tuple[str, str], ...] = (
    ("m_purpose", "a clear purpose shared with the pupil"),
    ("m_outcomes", "learning outcomes"),
    ("m_interaction", "two-way interaction"),
    ("m_reflection", "time to reflect afterwards"),
    ("m_employer_task", "a task set by the employer"),
    ("m_employer_feedback", "employer feedback"),
)
CORE_POINTS = ("m_purpose", "m_outcomes", "m_interaction", "m_reflection")
WORKPLACE_POINTS = CORE_POINTS + ("m_employer_task", "m_employer_feedback")
QUALIFIED_LEVEL = 6
HE_CODE = "240"

MET, NOT_YET, NOT_DUE = "met", "not_yet", "not_due"
STATE_WORDS = {MET: "met", NOT_YET: "not yet", NOT_DUE: "not yet due"}
STATE_SYMBOLS = {MET: "✓", NOT_YET: "✗", NOT_DUE: "…"}
PART_MET, PART_MISSING, PART_NOT_DUE, PART_WAIVED = "met", "missing", "not_due", "waived"


def meaningful(points: Iterable[str], *, workplace: bool = False) -> bool:
    have = set(points)
    return all(p in have for p in (WORKPLACE_POINTS if workplace else CORE_POINTS))


def missing_points(points: Iterable[str], *, workplace: bool = False) -> list[str]:
    have = set(points)
    return [words for key, words in POINTS if key in (WORKPLACE_POINTS if workplace else CORE_POINTS)
            and key not in have]


def year_group_at(intake_year: int, day: date) -> int:
    """The pupil's year group on ``day`` (the school's grouping, from intake_year)."""
    return school_year_of(day) - intake_year + 7


def end_of_year(intake_year: int, year_group: int) -> date:
    """31 August at the end of the pupil's ``year_group``."""
    return date(intake_year + year_group - 6, 8, 31)


def bit(year_group: int) -> int:
    return 1 << year_group


def years_in(mask: int) -> list[int]:
    return [y for y in range(7, 15) if mask & (1 << y)]


# ---------------------------------------------------------------- evidence and facts


@dataclass(frozen=True)
class Activity:
    id: int
    kind: str
    title: str
    held_on: date
    benchmarks: frozenset[int]
    points: frozenset[str]                 # the checklist points it met ('m_purpose', ...)
    organisation: str | None = None
    subject: str | None = None
    providers: frozenset[str] = frozenset()   # provider types it names ('college', ...): a careers fair


@dataclass(frozen=True)
class Meeting:
    """A personal guidance meeting: a held guidance/follow-up interview, or a signed-off record
    of an unplanned conversation."""
    held_on: date
    adviser: str
    level: int | None
    ref: str = ""


@dataclass(frozen=True)
class Record:
    """A signed-off guidance record."""
    held_on: date
    has_decisions: bool
    copy_given_on: date | None
    intended: str | None
    ref: str = ""


@dataclass(frozen=True)
class Destination:
    kind: str                              # 'intended' or 'actual'
    code: str
    recorded_on: date
    label: str = ""


@dataclass(frozen=True)
class Pupil:
    intake_year: int
    joined_year_group: int = 7             # 7: here from the start (or we cannot tell)
    left_on: date | None = None


@dataclass
class Evidence:
    activities: list[Activity] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    destinations: list[Destination] = field(default_factory=list)
    exports_given: list[date] = field(default_factory=list)     # copies of the record (or an action plan) given
    programme_items: int = 0               # planned for the pupil's year group this school year
    programme_delivered: int = 0
    # Provider-access encounters held for the pupil's year group (someone in it took part), the
    # pupil's own or not: "offered" in Years 12-13.
    year_group_offers: list[Activity] = field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """What the rules need, as small numbers: the store computes these for a whole cohort in
    SQL, and ``facts_from`` computes them from a pupil's evidence; tests hold the two equal.
    Masks have bit n set for Year n (7-13). Counts are capped at 2 (the rules never need more)."""
    lmi_years: int = 0
    curriculum_years: int = 0
    employer_years: int = 0
    workplace_by16: int = 0
    workplace_post16: int = 0
    providers_by16: int = 0
    he_visits: int = 0
    considering_he: bool = False
    pal_8_9: int = 0
    pal_10_11: int = 0
    pal_12_13: int = 0
    guidance_by16: int = 0
    guidance_post16: int = 0             # qualified meetings in Years 12-13
    unqualified: int = 0
    record_made: bool = False            # any signed-off record with agreed decisions
    copy_given: bool = False             # a copy of a record given to the pupil
    intended_by16: bool = False          # recorded in Year 11
    intended_post16: bool = False        # recorded in Year 13
    actual_destination: bool = False
    programme_planned: bool = False


def _cap(n: int) -> int:
    return min(n, 2)


def qualified(level: int | None) -> bool:
    return level is not None and level >= QUALIFIED_LEVEL


def counts_for(activity: Activity, benchmark: int) -> bool:
    """Whether ``activity`` counts toward ``benchmark`` (serves it, and meaningful where needed)."""
    if benchmark not in activity.benchmarks:
        return False
    if benchmark == 5:
        return meaningful(activity.points)
    if benchmark == 6:
        return activity.kind in WORKPLACE_KINDS and meaningful(activity.points, workplace=True)
    if benchmark == 7:
        return provider_bits(activity) != 0 and meaningful(activity.points)
    return True


def joined_year_group(intake_year: int, entry: date | None) -> int:
    """The year group a pupil joined in: from the known date of entry; 7 when it is not known
    (nothing is waived without a date) or when they came before or during Year 7."""
    if entry is None:
        return 7
    return max(7, year_group_at(intake_year, entry))


def joined_words(joined: int) -> str:
    """'joined in Year 9: Years 7-8 not expected' (empty for a pupil here from Year 7)."""
    if joined <= 7:
        return ""
    earlier = "Year 7" if joined == 8 else f"Years 7–{joined - 1}"
    return f"joined in Year {joined}: {earlier} not expected"


def intended_counts(intake_year: int, recorded_on: date) -> tuple[bool, bool]:
    """Whether an intended destination recorded on that day is Benchmark 3's by-16 record
    (recorded in Year 11) and its post-16 one (recorded in Year 13). A Year 9 or 10 aspiration (an
    EHCP review's, say) or a Year 12 one is history, not the record of the move."""
    yg = year_group_at(intake_year, recorded_on)
    return yg == 11, yg == 13


def latest_intended(records: Iterable["Record"], destinations: Iterable["Destination"]) -> str | None:
    """The most recent intended destination code: by the day it was recorded; on the same day an
    intended destination entered on the destinations screen is later than a meeting record's,
    and within each, the later in the list (records by time held, destinations by entry)."""
    dated = [(r.held_on, 0, i, r.intended) for i, r in enumerate(records) if r.intended]
    dated += [(d.recorded_on, 1, i, d.code) for i, d in enumerate(destinations) if d.kind == "intended"]
    return max(dated)[3] if dated else None


def pal_offered(intake_year: int, own: Iterable["Activity"], year_group: Iterable["Activity"]) -> int:
    """Provider-access encounters offered in Years 12-13: held for the pupil's year group or
    attended by the pupil, each counted once (capped at 2)."""
    ids = {a.id for a in (*own, *year_group)
           if a.kind in PAL_KINDS and year_group_at(intake_year, a.held_on) in (12, 13)}
    return min(len(ids), 2)


def facts_from(pupil: Pupil, ev: Evidence) -> Facts:
    iy = pupil.intake_year
    lmi = cur = emp = prov = 0
    wp16 = wp18 = he = pal89 = pal1011 = 0
    for a in ev.activities:
        yg = year_group_at(iy, a.held_on)
        if not 7 <= yg <= 13:
            continue
        if counts_for(a, 2):
            lmi |= bit(yg)
        if counts_for(a, 4):
            cur |= bit(yg)
        if counts_for(a, 5):
            emp |= bit(yg)
        if counts_for(a, 6):
            if yg <= 11:
                wp16 += 1
            else:
                wp18 += 1
        if counts_for(a, 7):
            if yg <= 11:
                prov |= provider_bits(a)
            if a.kind in HE_VISIT_KINDS:
                he += 1
        if a.kind in PAL_KINDS:
            if yg in (8, 9):
                pal89 += 1
            elif yg in (10, 11):
                pal1011 += 1
    g16 = g18 = unq = 0
    for m in ev.meetings:
        yg = year_group_at(iy, m.held_on)
        if not qualified(m.level):
            unq += 1
            continue
        if yg <= 11:
            g16 += 1
        elif yg <= 13:
            g18 += 1
    record_made = any(r.has_decisions for r in ev.records)
    copy_given = any(r.copy_given_on is not None for r in ev.records) or bool(ev.exports_given)
    intended_days = [r.held_on for r in ev.records if r.intended] + \
        [d.recorded_on for d in ev.destinations if d.kind == "intended"]
    windows = [intended_counts(iy, d) for d in intended_days]
    return Facts(
        lmi_years=lmi, curriculum_years=cur, employer_years=emp,
        workplace_by16=_cap(wp16), workplace_post16=_cap(wp18), providers_by16=prov, he_visits=_cap(he),
        considering_he=latest_intended(ev.records, ev.destinations) == HE_CODE,
        pal_8_9=_cap(pal89), pal_10_11=_cap(pal1011), pal_12_13=pal_offered(iy, ev.activities, ev.year_group_offers),
        guidance_by16=_cap(g16), guidance_post16=_cap(g18), unqualified=_cap(unq),
        record_made=record_made, copy_given=copy_given,
        intended_by16=any(w[0] for w in windows),
        intended_post16=any(w[1] for w in windows),
        actual_destination=any(d.kind == "actual" for d in ev.destinations),
        programme_planned=ev.programme_items > 0,
    )


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Part:
    what: str            # 'a meaningful employer encounter in Year 8'
    due_year: int        # the year group by whose end it is due
    status: str          # PART_MET, PART_MISSING, PART_NOT_DUE, PART_WAIVED
    note: str = ""       # 'by 31/08/2027', 'missed', 'joined in Year 10'


@dataclass(frozen=True)
class State:
    key: int | str       # 1-8 or 'pal'
    state: str           # MET, NOT_YET, NOT_DUE
    parts: tuple[Part, ...]
    evidence: tuple[str, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [f"{p.what} ({p.note})" if p.note else p.what for p in self.parts if p.status == PART_MISSING]

    @property
    def words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    def summary(self) -> str:
        """'✗ not yet: a meaningful employer encounter in Year 8 (missed)'."""
        text = f"{self.symbol} {self.words}"
        if self.state == NOT_YET:
            text += ": " + "; ".join(self.missing)
        elif self.state == NOT_DUE:
            pending = [p for p in self.parts if p.status == PART_NOT_DUE]
            if pending:
                text += f": {pending[0].what} ({pending[0].note})"
        return text


@dataclass(frozen=True)
class Context:
    """When the pupil is assessed: hashable, so rule results are cached per context."""
    intake_year: int
    joined_year_group: int
    left_year_group: int | None      # the year group they left in (None: on roll)
    year_now: int                    # year group on the day assessed (today, or the day they left)
    left: bool


def context(pupil: Pupil, today: date) -> Context:
    left = pupil.left_on is not None and pupil.left_on <= today
    day = pupil.left_on if left else today
    now = year_group_at(pupil.intake_year, day)  # type: ignore[arg-type]
    return Context(pupil.intake_year, max(7, pupil.joined_year_group), now if left else None, now, left)


def _part(ctx: Context, what: str, first_year: int, due_year: int, ok: bool) -> Part:
    """One requirement whose window is Years first_year..due_year, due by the end of due_year."""
    if due_year < ctx.joined_year_group:
        return Part(what, due_year, PART_WAIVED, f"joined in Year {ctx.joined_year_group}")
    if ok:
        return Part(what, due_year, PART_MET)
    if ctx.left_year_group is not None and due_year > ctx.left_year_group:
        return Part(what, due_year, PART_WAIVED, f"left in Year {ctx.left_year_group}")
    deadline = dates.uk(end_of_year(ctx.intake_year, due_year))
    if ctx.year_now < due_year:
        return Part(what, due_year, PART_NOT_DUE, f"due by {deadline}, end of Year {due_year}")
    if ctx.year_now == due_year and not ctx.left:
        return Part(what, due_year, PART_MISSING, f"by {deadline}")
    return Part(what, due_year, PART_MISSING, "missed")


def _combine(key: int | str, parts: list[Part]) -> State:
    statuses = {p.status for p in parts}
    if PART_MISSING in statuses:
        state = NOT_YET
    elif PART_MET in statuses:
        state = MET
    else:
        state = NOT_DUE
    return State(key, state, tuple(parts))


# Each rule takes the context and only the facts it needs, so results cache well: a cohort of
# 20,000 pupils has a few hundred distinct inputs per benchmark.

@lru_cache(maxsize=65536)
def rule_1(ctx: Context, planned: bool, school_year_label: str) -> State:
    year = ctx.year_now
    if ctx.left:
        return State(1, NOT_DUE, (Part("a careers programme for the pupil's year group", year, PART_WAIVED,
                                       "the pupil has left"),))
    what = f"a careers programme planned for Year {year} in {school_year_label}"
    return State(1, MET if planned else NOT_YET,
                 (Part(what, year, PART_MET if planned else PART_MISSING,
                       "" if planned else "plan it on the programme screen"),))


KEY_STAGES = (("KS3", 7, 9), ("KS4", 10, 11), ("KS5", 12, 13))


@lru_cache(maxsize=65536)
def rule_2(ctx: Context, lmi_years: int) -> State:
    parts = []
    for name, first, last in KEY_STAGES:
        ok = any(lmi_years & bit(y) for y in range(first, last + 1))
        parts.append(_part(ctx, f"careers and labour market information in {name} (Years {first}-{last})",
                           first, last, ok))
    return _combine(2, parts)


@lru_cache(maxsize=65536)
def rule_3(ctx: Context, record_made: bool, copy_given: bool, intended_by16: bool, intended_post16: bool,
           actual: bool) -> State:
    parts = [
        _part(ctx, "a signed-off guidance record with agreed decisions", 7, 11, record_made),
        _part(ctx, "a copy of the record, or an action plan, given to the pupil", 7, 11, copy_given),
        _part(ctx, "an intended destination recorded in Year 11", 11, 11, intended_by16),
        _part(ctx, "an intended destination recorded in Year 13", 13, 13, intended_post16),
    ]
    if ctx.left:
        parts.append(Part("an actual destination recorded after leaving", ctx.year_now,
                          PART_MET if actual else PART_MISSING, "" if actual else "track it for 3 years"))
    return _combine(3, parts)


def _every_year(key: int, ctx: Context, mask: int, what: str) -> State:
    last = min(ctx.year_now, 13)
    parts = [_part(ctx, f"{what} in Year {y}", y, y, bool(mask & bit(y))) for y in range(7, last + 1)]
    if not parts:
        parts = [Part(f"{what} in Year 7", 7, PART_NOT_DUE, "from Year 7")]
    return _combine(key, parts)


@lru_cache(maxsize=65536)
def rule_4(ctx: Context, curriculum_years: int) -> State:
    return _every_year(4, ctx, curriculum_years, "a subject lesson linked to careers")


@lru_cache(maxsize=65536)
def rule_5(ctx: Context, employer_years: int) -> State:
    return _every_year(5, ctx, employer_years, "a meaningful employer encounter")


@lru_cache(maxsize=65536)
def rule_6(ctx: Context, by16: int, post16: int) -> State:
    parts = [_part(ctx, "two meaningful workplace experiences by the end of Year 11"
                   + (f" (1 so far)" if by16 == 1 else ""), 7, 11, by16 >= 2),
             _part(ctx, "one more meaningful workplace experience in Year 12 or 13", 12, 13, post16 >= 1)]
    return _combine(6, parts)


@lru_cache(maxsize=65536)
def rule_7(ctx: Context, providers: int, he_visits: int, considering_he: bool) -> State:
    lacking = [words for i, (_, words, _) in enumerate(PROVIDER_TYPES) if not providers & (1 << i)]
    what = "meaningful encounters with the full range of providers by the end of Year 11"
    if lacking and providers:
        what += f" (still: {', '.join(lacking)})"
    parts = [_part(ctx, what, 7, 11, not lacking)]
    if considering_he:
        visits = "two meaningful university visits by the end of Year 13" + \
            (" (1 so far)" if he_visits == 1 else "")
        parts.append(_part(ctx, visits, 12, 13, he_visits >= 2))
    return _combine(7, parts)


@lru_cache(maxsize=65536)
def rule_8(ctx: Context, by16: int, post16: int, unqualified: int) -> State:
    """By 16: a meeting in Years 7-11. By 18: a further one that falls in Years 12-13; a sixth-form
    meeting never stands in for the missed by-16 one, nor a second Year 11 one for sixth-form
    guidance."""
    hint = ""
    if unqualified:
        hint = (f" ({unqualified} meeting{'s' if unqualified > 1 else ''} with an adviser whose qualification "
                "is not recorded as Level 6 or above does not count)")
    parts = [_part(ctx, "a guidance meeting with a qualified adviser by the end of Year 11" + hint, 7, 11, by16 >= 1)]
    further = "a further guidance meeting with a qualified adviser in Year 12 or 13" \
        if parts[0].status != PART_WAIVED else "a guidance meeting with a qualified adviser in Year 12 or 13"
    parts.append(_part(ctx, further, 12, 13, post16 >= 1))
    return _combine(8, parts)


@lru_cache(maxsize=65536)
def rule_pal(ctx: Context, y89: int, y1011: int, y1213: int) -> State:
    parts = [
        _part(ctx, "two provider-access encounters in Years 8-9" + (" (1 so far)" if y89 == 1 else ""),
              8, 9, y89 >= 2),
        _part(ctx, "two provider-access encounters in Years 10-11" + (" (1 so far)" if y1011 == 1 else ""),
              10, 11, y1011 >= 2),
        _part(ctx, "two provider-access encounters offered to the year group in Years 12-13"
              + (" (1 so far)" if y1213 == 1 else ""), 12, 13, y1213 >= 2),
    ]
    return _combine(PAL, parts)


def assess(ctx: Context, f: Facts, school_year_label: str) -> dict[int | str, State]:
    """Every benchmark's state (and the provider-access tally) from the facts."""
    return {
        1: rule_1(ctx, f.programme_planned, school_year_label),
        2: rule_2(ctx, f.lmi_years),
        3: rule_3(ctx, f.record_made, f.copy_given, f.intended_by16, f.intended_post16, f.actual_destination),
        4: rule_4(ctx, f.curriculum_years),
        5: rule_5(ctx, f.employer_years),
        6: rule_6(ctx, f.workplace_by16, f.workplace_post16),
        7: rule_7(ctx, f.providers_by16, f.he_visits, f.considering_he),
        8: rule_8(ctx, f.guidance_by16, f.guidance_post16, f.unqualified),
        PAL: rule_pal(ctx, f.pal_8_9, f.pal_10_11, f.pal_12_13),
    }


# ---------------------------------------------------------------- one pupil, with the evidence


def _activity_line(a: Activity, intake_year: int) -> str:
    where = f", {a.organisation}" if a.organisation else ""
    return f"{dates.uk(a.held_on)} (Year {year_group_at(intake_year, a.held_on)}) {a.title}{where}"


def evidence_for(pupil: Pupil, ev: Evidence) -> dict[int | str, tuple[str, ...]]:
    """What each benchmark's state rests on, in words, oldest first."""
    iy = pupil.intake_year
    out: dict[int | str, list[str]] = {k: [] for k in RULE_KEYS}
    for a in sorted(ev.activities, key=lambda a: (a.held_on, a.id)):
        for b in (2, 4, 5, 6, 7):
            if counts_for(a, b):
                line = _activity_line(a, iy)
                if b == 4 and a.subject:
                    line += f" [{a.subject}]"
                out[b].append(line)
            elif b in a.benchmarks and b in (5, 6, 7):
                gaps = missing_points(a.points, workplace=b == 6)
                why = (f"not meaningful: lacks {', '.join(gaps)}" if gaps else
                       "not a workplace experience" if b == 6 else "not an encounter with a provider")
                out[b].append(f"{_activity_line(a, iy)} — does not count ({why})")
        if a.kind in PAL_KINDS:
            out[PAL].append(_activity_line(a, iy))
    own = {a.id for a in ev.activities}
    for a in sorted(ev.year_group_offers, key=lambda a: (a.held_on, a.id)):
        if a.id not in own and a.kind in PAL_KINDS and year_group_at(iy, a.held_on) in (12, 13):
            out[PAL].append(f"{_activity_line(a, iy)} — offered to the year group")
    for m in sorted(ev.meetings, key=lambda m: m.held_on):
        level = f"Level {m.level}" if m.level is not None else "qualification not recorded"
        counted = "" if qualified(m.level) else " — does not count (not recorded as Level 6 or above)"
        out[8].append(f"{dates.uk(m.held_on)} (Year {year_group_at(iy, m.held_on)}) guidance meeting with "
                      f"{m.adviser} ({level}){counted}")
    for r in sorted(ev.records, key=lambda r: r.held_on):
        bits = ["agreed decisions" if r.has_decisions else "no decisions written"]
        if r.copy_given_on:
            bits.append(f"copy given {dates.uk(r.copy_given_on)}")
        if r.intended:
            bits.append(f"intended destination {r.intended}")
        out[3].append(f"{dates.uk(r.held_on)} signed-off record: {', '.join(bits)}")
    for d in sorted(ev.destinations, key=lambda d: d.recorded_on):
        out[3].append(f"{dates.uk(d.recorded_on)} {d.kind} destination {d.code}{' ' + d.label if d.label else ''}")
    for d in sorted(ev.exports_given):
        out[3].append(f"{dates.uk(d)} a copy of the record (or an action plan) given")
    out[1].append(f"{ev.programme_items} planned activit{'y' if ev.programme_items == 1 else 'ies'} for the "
                  f"year group this school year, {ev.programme_delivered} delivered")
    return {k: tuple(v) for k, v in out.items()}


def assess_pupil(pupil: Pupil, ev: Evidence, today: date) -> dict[int | str, State]:
    """One pupil's states, each with the evidence behind it."""
    ctx = context(pupil, today)
    day = pupil.left_on if ctx.left else today
    from gatsby_tui.domain.schoolyear import school_year_label

    states = assess(ctx, facts_from(pupil, ev), school_year_label(school_year_of(day)))  # type: ignore[arg-type]
    evidence = evidence_for(pupil, ev)
    return {k: State(s.key, s.state, s.parts, evidence[k]) for k, s in states.items()}
