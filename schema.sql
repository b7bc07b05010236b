-- gatsby-tui schema: the single source of truth for the tables.
--
-- A new database is created by running this whole file in one transaction.
-- A database made by an older version is brought up to date by the ordered
-- migrations in gatsby_tui/store/db.py (MIGRATIONS); the schema version lives in
-- PRAGMA user_version (set at the very end of this file).
--
-- Conventions
--   * Dates are ISO text 'YYYY-MM-DD'; local wall-clock times 'YYYY-MM-DDTHH:MM'
--     (a school day has no time zone worth storing). CHECKs keep them well formed.
--   * Closed vocabularies are CHECKed here; code lists that are data (NCCIS
--     destination codes) are rows in a table and referenced by foreign key.
--   * Booleans are 0/1 integers with a CHECK.
--   * Every change made through the app is written to audit_log in the same
--     transaction; audit_log itself refuses updates and deletes (triggers).

PRAGMA foreign_keys = ON;

-- ---------------------------------------------------------------- settings
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- ---------------------------------------------------------------- schools
CREATE TABLE schools (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    urn            TEXT,                       -- DfE unique reference number
    la_code        TEXT CHECK (la_code IS NULL OR (length(la_code) = 3 AND la_code NOT GLOB '*[^0-9]*')),
    has_sixth_form INTEGER NOT NULL DEFAULT 1 CHECK (has_sixth_form IN (0, 1))
);

-- ---------------------------------------------------------------- advisers
CREATE TABLE advisers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL CHECK (length(trim(name)) > 0),
    organisation        TEXT,
    kind                TEXT NOT NULL DEFAULT 'external' CHECK (kind IN ('internal', 'external')),
    qualification_level INTEGER CHECK (qualification_level IS NULL OR qualification_level BETWEEN 1 AND 8),
    qualification       TEXT,                  -- e.g. 'Level 6 Diploma in Career Guidance and Development'
    cdi_number          TEXT,                  -- UK Register of Career Development Professionals
    email               TEXT,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- A password for signing in to `gatsby-tui serve` (the app in a browser), for the advisers given
-- one. Only a scrypt hash is kept, with its own random salt and cost parameters:
-- 'scrypt$N$r$p$SALT$HASH' (SALT and HASH in base64), so the cost can be raised later.
CREATE TABLE adviser_passwords (
    adviser_id  INTEGER PRIMARY KEY REFERENCES advisers (id),
    hash        TEXT NOT NULL CHECK (hash LIKE 'scrypt$%'),
    set_at      TEXT NOT NULL
);

-- ---------------------------------------------------------------- pupils
-- Year group: the school's own grouping is kept as intake_year, the calendar
-- year in which the pupil started (or would start) Year 7 in this school's
-- grouping. In the school year that starts in September of year SY the pupil
-- is in year group SY - intake_year + 7. Stored this way it never goes stale
-- on 1 September and a year-group filter is an indexed equality. The year group
-- derived from the date of birth is computed from dob (domain/schoolyear.py);
-- a mismatch is a warning, never a refusal.
-- date_of_entry: the day the pupil joined the school, when known (an MIS column, or typed in).
-- Benchmark years before it are not expected of them; with none, nothing is waived (schema 6).
CREATE TABLE pupils (
    id                  INTEGER PRIMARY KEY,
    upn                 TEXT NOT NULL UNIQUE
                        CHECK (length(upn) = 13 AND upn GLOB '[A-Z][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9A-Z]'),
    legal_forename      TEXT NOT NULL CHECK (length(trim(legal_forename)) > 0),
    legal_surname       TEXT NOT NULL CHECK (length(trim(legal_surname)) > 0),
    preferred_forename  TEXT,
    dob                 TEXT NOT NULL CHECK (dob GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND date(dob) = dob),
    gender              TEXT CHECK (gender IS NULL OR gender IN ('F', 'M', 'X')),  -- X: another gender
    intake_year         INTEGER NOT NULL CHECK (intake_year BETWEEN 1990 AND 2100),
    form                TEXT,
    sen_status          TEXT NOT NULL DEFAULT 'N' CHECK (sen_status IN ('N', 'K', 'E')),  -- DfE: none, SEN support, EHCP
    pupil_premium       INTEGER NOT NULL DEFAULT 0 CHECK (pupil_premium IN (0, 1)),
    looked_after        INTEGER NOT NULL DEFAULT 0 CHECK (looked_after IN (0, 1)),   -- looked after or care leaver
    young_carer         INTEGER NOT NULL DEFAULT 0 CHECK (young_carer IN (0, 1)),
    eal                 INTEGER NOT NULL DEFAULT 0 CHECK (eal IN (0, 1)),           -- English as an additional language
    date_left           TEXT CHECK (date_left IS NULL OR (date_left GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND date(date_left) = date_left)),
    destination_consent INTEGER NOT NULL DEFAULT 0 CHECK (destination_consent IN (0, 1)),
    school_id           INTEGER REFERENCES schools(id),
    -- Sort key for the register: folded "surname forename", maintained by the store.
    sort_name           TEXT NOT NULL,
    -- What the search index holds (domain/names.search_text), maintained by the store.
    search_name         TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    date_of_entry       TEXT CHECK (date_of_entry IS NULL OR (date_of_entry GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND date(date_of_entry) = date_of_entry))
);
CREATE INDEX pupils_by_name ON pupils (sort_name, id);
CREATE INDEX pupils_by_year ON pupils (intake_year, sort_name, id);
CREATE INDEX pupils_by_form ON pupils (form);
CREATE INDEX pupils_by_left ON pupils (date_left);
CREATE INDEX pupils_by_created ON pupils (created_at);   -- pupils by when they were added (schema 2)

-- Search index for the register: type-ahead by forename, surname, preferred
-- name, UPN and form. It indexes pupils.search_name (an external-content FTS5
-- table: the text lives once, in pupils), which the store fills with
-- domain/names.search_text: every name folded to plain letters by the same fold
-- that sorts the register and matches names in exports, word by word and whole
-- ("o brien obrien", "kozlowski" for Kozłowski, "wang zihan" for 王子涵). Prefix
-- indexes make "nia" fast. Kept in step with pupils by the triggers below;
-- sqlite-utils' rebuild_fts() rebuilds it from pupils.
CREATE VIRTUAL TABLE pupils_fts USING fts5 (
    search_name, upn, form,
    content="pupils", content_rowid="id",
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '1 2 3'
);

CREATE TRIGGER pupils_fts_insert AFTER INSERT ON pupils BEGIN
    INSERT INTO pupils_fts (rowid, search_name, upn, form) VALUES (NEW.id, NEW.search_name, NEW.upn, NEW.form);
END;

CREATE TRIGGER pupils_fts_delete AFTER DELETE ON pupils BEGIN
    INSERT INTO pupils_fts (pupils_fts, rowid, search_name, upn, form)
    VALUES ('delete', OLD.id, OLD.search_name, OLD.upn, OLD.form);
END;

CREATE TRIGGER pupils_fts_update AFTER UPDATE OF search_name, upn, form ON pupils BEGIN
    INSERT INTO pupils_fts (pupils_fts, rowid, search_name, upn, form)
    VALUES ('delete', OLD.id, OLD.search_name, OLD.upn, OLD.form);
    INSERT INTO pupils_fts (rowid, search_name, upn, form) VALUES (NEW.id, NEW.search_name, NEW.upn, NEW.form);
END;

-- ---------------------------------------------------------------- clinic hours
-- Recurring availability of an adviser, as an RFC 5545 RRULE expanded by
-- python-dateutil over a bounded window (never stored as occurrences).
CREATE TABLE clinic_hours (
    id            INTEGER PRIMARY KEY,
    adviser_id    INTEGER NOT NULL REFERENCES advisers(id),
    rrule         TEXT NOT NULL CHECK (rrule LIKE 'FREQ=%'),   -- e.g. 'FREQ=WEEKLY;BYDAY=TU'
    valid_from    TEXT NOT NULL CHECK (date(valid_from) = valid_from),
    valid_until   TEXT CHECK (valid_until IS NULL OR date(valid_until) = valid_until),
    start_time    TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time      TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time > start_time),
    slot_minutes  INTEGER NOT NULL DEFAULT 45 CHECK (slot_minutes BETWEEN 5 AND 240),
    break_start   TEXT CHECK (break_start IS NULL OR break_start GLOB '[0-2][0-9]:[0-5][0-9]'),
    break_end     TEXT CHECK (break_end IS NULL OR break_end GLOB '[0-2][0-9]:[0-5][0-9]'),
    place         TEXT,
    school_id     INTEGER REFERENCES schools(id)
);
CREATE INDEX clinic_hours_by_adviser ON clinic_hours (adviser_id);

-- Days a pattern does not run: a cancelled clinic, a school holiday.
CREATE TABLE clinic_exceptions (
    id          INTEGER PRIMARY KEY,
    adviser_id  INTEGER REFERENCES advisers(id),   -- NULL: applies to every adviser (school holiday)
    first_day   TEXT NOT NULL CHECK (date(first_day) = first_day),
    last_day    TEXT NOT NULL CHECK (date(last_day) = last_day AND last_day >= first_day),
    reason      TEXT
);
CREATE INDEX clinic_exceptions_by_day ON clinic_exceptions (first_day, last_day);

-- ---------------------------------------------------------------- interviews (bookings)
CREATE TABLE interviews (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,              -- stable iCalendar UID
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id),
    adviser_id  INTEGER NOT NULL REFERENCES advisers(id),
    starts_at   TEXT NOT NULL CHECK (starts_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]'),
    ends_at     TEXT NOT NULL CHECK (ends_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]' AND ends_at > starts_at),
    mode        TEXT NOT NULL DEFAULT 'in_person' CHECK (mode IN ('in_person', 'phone', 'video')),
    place       TEXT,
    kind        TEXT NOT NULL DEFAULT 'guidance' CHECK (kind IN ('guidance', 'follow_up', 'group', 'ehcp_review')),
    reason      TEXT,
    status      TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'held', 'cancelled', 'did_not_attend')),
    status_note TEXT,                              -- reason for a cancellation
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX interviews_by_pupil ON interviews (pupil_id, starts_at);
CREATE INDEX interviews_by_adviser ON interviews (adviser_id, starts_at);
CREATE INDEX interviews_by_start ON interviews (starts_at);

-- Every change to a booking (booked, moved, cancelled, missed, held), for the history.
CREATE TABLE interview_events (
    id            INTEGER PRIMARY KEY,
    interview_id  INTEGER NOT NULL REFERENCES interviews(id),
    at            TEXT NOT NULL,
    event         TEXT NOT NULL CHECK (event IN ('booked', 'moved', 'cancelled', 'did_not_attend', 'held', 'reinstated')),
    from_start    TEXT,
    to_start      TEXT,
    note          TEXT,
    adviser_id    INTEGER REFERENCES advisers(id)
);
CREATE INDEX interview_events_by_interview ON interview_events (interview_id, at);

-- ---------------------------------------------------------------- meeting records
CREATE TABLE meeting_records (
    id                        INTEGER PRIMARY KEY,
    interview_id              INTEGER UNIQUE REFERENCES interviews(id),  -- NULL: unplanned conversation
    pupil_id                  INTEGER NOT NULL REFERENCES pupils(id),
    adviser_id                INTEGER NOT NULL REFERENCES advisers(id),
    held_at                   TEXT NOT NULL CHECK (held_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]'),
    mode                      TEXT NOT NULL DEFAULT 'in_person' CHECK (mode IN ('in_person', 'phone', 'video')),
    reason                    TEXT,
    confidentiality_explained INTEGER NOT NULL DEFAULT 0 CHECK (confidentiality_explained IN (0, 1)),
    situation                 TEXT,
    aspirations               TEXT,
    advice_given              TEXT,
    decisions                 TEXT,
    intended_destination      TEXT REFERENCES nccis_codes(code),
    referrals                 TEXT,
    follow_up_date            TEXT CHECK (follow_up_date IS NULL OR date(follow_up_date) = follow_up_date),
    copy_given_on             TEXT CHECK (copy_given_on IS NULL OR date(copy_given_on) = copy_given_on),
    copy_given_how            TEXT,
    confidential_notes        TEXT,                 -- never in a pupil export unless deliberately included
    status                    TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed_off')),
    signed_off_at             TEXT,
    signed_off_by             INTEGER REFERENCES advisers(id),
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    CHECK (status = 'draft' OR (signed_off_at IS NOT NULL AND signed_off_by IS NOT NULL))
);
CREATE INDEX meeting_records_by_pupil ON meeting_records (pupil_id, held_at);
CREATE INDEX meeting_records_by_adviser ON meeting_records (adviser_id, held_at);

-- A signed-off record is locked: its fields cannot change. A later change is an
-- amendment that keeps the original text beside the new.
CREATE TRIGGER meeting_records_locked BEFORE UPDATE ON meeting_records
WHEN OLD.status = 'signed_off' BEGIN
    SELECT RAISE(ABORT, 'This meeting record is signed off: add an amendment instead.');
END;

CREATE TABLE record_amendments (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER NOT NULL REFERENCES meeting_records(id),
    field         TEXT NOT NULL,
    original_text TEXT,
    amended_text  TEXT,
    reason        TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    amended_at    TEXT NOT NULL,
    adviser_id    INTEGER NOT NULL REFERENCES advisers(id)
);
CREATE INDEX record_amendments_by_record ON record_amendments (record_id, amended_at);

-- Unsaved typing, saved as the adviser types so nothing is lost in a crash.
CREATE TABLE drafts (
    key        TEXT PRIMARY KEY,          -- e.g. 'record:42' or 'new-record:pupil:7'
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    saved_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE snippets (
    id          INTEGER PRIMARY KEY,
    adviser_id  INTEGER REFERENCES advisers(id),
    title       TEXT NOT NULL CHECK (length(trim(title)) > 0),
    body        TEXT NOT NULL
);

-- ---------------------------------------------------------------- actions
CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id),
    record_id   INTEGER REFERENCES meeting_records(id),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    owner       TEXT NOT NULL CHECK (owner IN ('pupil', 'adviser', 'school', 'parent')),
    due_date    TEXT CHECK (due_date IS NULL OR date(due_date) = due_date),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    adviser_id  INTEGER REFERENCES advisers(id),     -- the adviser who follows it up
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX actions_by_pupil ON actions (pupil_id, due_date);
CREATE INDEX actions_open ON actions (status, due_date);
CREATE INDEX actions_by_record ON actions (record_id);            -- schema 3: deleting a record checks its actions

CREATE TABLE action_events (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions(id),
    at          TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    owner       TEXT CHECK (owner IS NULL OR owner IN ('pupil', 'adviser', 'school', 'parent')),
    note        TEXT,
    adviser_id  INTEGER REFERENCES advisers(id)
);
CREATE INDEX action_events_by_action ON action_events (action_id, at);

-- ---------------------------------------------------------------- NCCIS codes
CREATE TABLE nccis_codes (
    code      TEXT PRIMARY KEY CHECK (length(code) = 3),
    label     TEXT NOT NULL,
    category  TEXT NOT NULL CHECK (category IN ('pre16', 'education', 'employment', 'training', 'reengagement', 'neet', 'other', 'not_known'))
) WITHOUT ROWID;

INSERT INTO nccis_codes (code, label, category) VALUES
    ('110', 'At school', 'pre16'),
    ('120', 'Educated at home', 'pre16'),
    ('130', 'Custodial sentence', 'pre16'),
    ('140', 'Not registered', 'pre16'),
    ('150', 'Not known (pre-16)', 'pre16'),
    ('210', 'School sixth form', 'education'),
    ('220', 'Sixth-form college', 'education'),
    ('230', 'Further education', 'education'),
    ('240', 'Higher education', 'education'),
    ('250', 'Part-time education', 'education'),
    ('260', 'Gap year', 'education'),
    ('270', 'Other full-time education', 'education'),
    ('280', 'Special post-16 institution', 'education'),
    ('290', 'Custodial institution', 'education'),
    ('310', 'Apprenticeship', 'employment'),
    ('320', 'Full-time employment with study', 'employment'),
    ('330', 'Employment without training', 'employment'),
    ('340', 'Employment with training', 'employment'),
    ('350', 'Temporary employment', 'employment'),
    ('360', 'Part-time employment', 'employment'),
    ('380', 'Self-employment', 'employment'),
    ('381', 'Self-employment with study', 'employment'),
    ('410', 'Funded work-based learning', 'training'),
    ('430', 'Other training', 'training'),
    ('440', 'DWP programme', 'training'),
    ('450', 'Traineeship', 'training'),
    ('460', 'Supported internship', 'training'),
    ('530', 'Re-engagement provision', 'reengagement'),
    ('540', 'Working not for reward', 'neet'),
    ('550', 'Working not for reward with part-time study', 'neet'),
    ('610', 'Not yet ready for work or learning', 'neet'),
    ('615', 'Start date agreed (other)', 'neet'),
    ('616', 'Start date agreed (RPA compliant)', 'neet'),
    ('619', 'Seeking employment, education or training', 'neet'),
    ('620', 'Young carer', 'neet'),
    ('630', 'Teenage parent', 'neet'),
    ('640', 'Illness', 'neet'),
    ('650', 'Pregnancy', 'neet'),
    ('660', 'Religious grounds', 'neet'),
    ('670', 'Unlikely ever to be economically active', 'neet'),
    ('680', 'Other reason', 'neet'),
    ('710', 'Custody (young offender)', 'other'),
    ('720', 'Refugee / asylum seeker', 'other'),
    ('810', 'Not known', 'not_known'),
    ('820', 'Cannot be contacted', 'not_known'),
    ('830', 'Refused to disclose activity', 'not_known');

-- ---------------------------------------------------------------- destinations
CREATE TABLE destinations (
    id              INTEGER PRIMARY KEY,
    pupil_id        INTEGER NOT NULL REFERENCES pupils(id),
    kind            TEXT NOT NULL CHECK (kind IN ('intended', 'actual')),
    code            TEXT NOT NULL REFERENCES nccis_codes(code),
    provider        TEXT,
    course_or_role  TEXT,
    at_year         INTEGER CHECK (at_year IS NULL OR at_year IN (11, 13)),  -- intended: recorded in Year 11 or 13
    start_date      TEXT CHECK (start_date IS NULL OR date(start_date) = start_date),
    offer_status    TEXT CHECK (offer_status IS NULL OR offer_status IN ('offered', 'accepted', 'none')),  -- September Guarantee
    offer_provider  TEXT,
    recorded_on     TEXT NOT NULL CHECK (date(recorded_on) = recorded_on),
    adviser_id      INTEGER REFERENCES advisers(id)
);
CREATE INDEX destinations_by_pupil ON destinations (pupil_id, kind, recorded_on);

-- Checks of a leaver's actual destination at roughly 1, 2 and 3 years.
CREATE TABLE destination_checks (
    id            INTEGER PRIMARY KEY,
    pupil_id      INTEGER NOT NULL REFERENCES pupils(id),
    due_on        TEXT NOT NULL CHECK (date(due_on) = due_on),
    checked_on    TEXT CHECK (checked_on IS NULL OR date(checked_on) = checked_on),
    method        TEXT,                       -- phone, email, provider return, ...
    code          TEXT REFERENCES nccis_codes(code),
    note          TEXT
);
CREATE INDEX destination_checks_due ON destination_checks (checked_on, due_on);
CREATE INDEX destination_checks_by_pupil ON destination_checks (pupil_id, due_on);

-- ---------------------------------------------------------------- individual plans (SEND)
CREATE TABLE plans (
    id                    INTEGER PRIMARY KEY,
    pupil_id              INTEGER NOT NULL UNIQUE REFERENCES pupils(id),
    ehcp_annual_review_on TEXT CHECK (ehcp_annual_review_on IS NULL OR date(ehcp_annual_review_on) = ehcp_annual_review_on),
    next_review_on        TEXT CHECK (next_review_on IS NULL OR date(next_review_on) = next_review_on),
    transition_plan_on    TEXT CHECK (transition_plan_on IS NULL OR date(transition_plan_on) = transition_plan_on),
    -- The plan ended at the review held that day (no next review); off Reviews due.
    ceased_on             TEXT CHECK (ceased_on IS NULL OR date(ceased_on) = ceased_on),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX plans_by_review ON plans (next_review_on);

-- Each review makes a new version; every earlier version stays readable.
CREATE TABLE plan_versions (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES plans(id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    aspirations  TEXT,
    strengths    TEXT,
    needs        TEXT,
    support      TEXT,
    created_at   TEXT NOT NULL,
    adviser_id   INTEGER REFERENCES advisers(id),
    UNIQUE (plan_id, version)
);

CREATE TABLE plan_targets (
    id               INTEGER PRIMARY KEY,
    plan_version_id  INTEGER NOT NULL REFERENCES plan_versions(id),
    area             TEXT NOT NULL CHECK (area IN ('employment', 'independent_living', 'community', 'health')),
    outcome          TEXT,
    what             TEXT NOT NULL,
    by_when          TEXT CHECK (by_when IS NULL OR date(by_when) = by_when),
    who_helps        TEXT,
    status           TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'achieved', 'dropped')),
    evidence         TEXT
);
CREATE INDEX plan_targets_by_version ON plan_targets (plan_version_id);

CREATE TABLE plan_reviews (
    id               INTEGER PRIMARY KEY,
    plan_id          INTEGER NOT NULL REFERENCES plans(id),
    reviewed_on      TEXT NOT NULL CHECK (date(reviewed_on) = reviewed_on),
    participants     TEXT NOT NULL,   -- JSON list: pupil, parent/carer, SENCO, adviser, others
    what_changed     TEXT,
    next_review_on   TEXT CHECK (next_review_on IS NULL OR date(next_review_on) = next_review_on),
    is_ehcp_annual   INTEGER NOT NULL DEFAULT 0 CHECK (is_ehcp_annual IN (0, 1)),
    version_id       INTEGER REFERENCES plan_versions(id),
    adviser_id       INTEGER REFERENCES advisers(id)
);
CREATE INDEX plan_reviews_by_plan ON plan_reviews (plan_id, reviewed_on);
CREATE INDEX plan_reviews_by_version ON plan_reviews (version_id);  -- schema 3

-- ---------------------------------------------------------------- benchmark activities
CREATE TABLE programme_items (
    id            INTEGER PRIMARY KEY,
    school_year   INTEGER NOT NULL CHECK (school_year BETWEEN 2000 AND 2100),  -- year the school year starts
    year_group    INTEGER NOT NULL CHECK (year_group BETWEEN 7 AND 14),
    benchmark     INTEGER NOT NULL CHECK (benchmark BETWEEN 1 AND 8),
    description   TEXT NOT NULL CHECK (length(trim(description)) > 0),
    position      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX programme_items_cell ON programme_items (school_year, year_group, benchmark, position);

-- providers_named: the provider types an activity names (a careers fair with colleges and
-- training providers on stands), for Benchmark 7: bit 0 sixth form, 1 further education college,
-- 2 university, 3 independent training provider (domain/benchmarks.py PROVIDER_TYPES; schema 6).
CREATE TABLE activities (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN (
                            'employer_talk', 'careers_fair', 'mentoring', 'enterprise_project',
                            'workplace_visit', 'work_shadowing', 'work_experience',
                            'sixth_form_encounter', 'college_encounter', 'university_encounter',
                            'training_provider_encounter', 'university_visit', 'lmi_lesson',
                            'subject_lesson', 'provider_access', 'assembly', 'other')),
    title                TEXT NOT NULL CHECK (length(trim(title)) > 0),
    held_on              TEXT NOT NULL CHECK (date(held_on) = held_on),
    organisation         TEXT,
    subject              TEXT,                         -- for subject lessons linked to careers
    -- The "meaningful" checklist (2024 wording): which points the activity met.
    m_purpose            INTEGER NOT NULL DEFAULT 0 CHECK (m_purpose IN (0, 1)),
    m_outcomes           INTEGER NOT NULL DEFAULT 0 CHECK (m_outcomes IN (0, 1)),
    m_interaction        INTEGER NOT NULL DEFAULT 0 CHECK (m_interaction IN (0, 1)),
    m_reflection         INTEGER NOT NULL DEFAULT 0 CHECK (m_reflection IN (0, 1)),
    m_employer_task      INTEGER NOT NULL DEFAULT 0 CHECK (m_employer_task IN (0, 1)),
    m_employer_feedback  INTEGER NOT NULL DEFAULT 0 CHECK (m_employer_feedback IN (0, 1)),
    programme_item_id    INTEGER REFERENCES programme_items(id),
    notes                TEXT,
    created_at           TEXT NOT NULL,
    providers_named      INTEGER NOT NULL DEFAULT 0 CHECK (providers_named BETWEEN 0 AND 15)
);
CREATE INDEX activities_by_date ON activities (held_on);

CREATE TABLE activity_benchmarks (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    benchmark    INTEGER NOT NULL CHECK (benchmark BETWEEN 1 AND 8),
    PRIMARY KEY (activity_id, benchmark)
) WITHOUT ROWID;
CREATE INDEX activity_benchmarks_by_benchmark ON activity_benchmarks (benchmark, activity_id);

CREATE TABLE activity_pupils (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    pupil_id     INTEGER NOT NULL REFERENCES pupils(id),
    PRIMARY KEY (activity_id, pupil_id)
) WITHOUT ROWID;
CREATE INDEX activity_pupils_by_pupil ON activity_pupils (pupil_id, activity_id);

-- ---------------------------------------------------------------- subject access requests and exports
CREATE TABLE subject_access_requests (
    id              INTEGER PRIMARY KEY,
    pupil_id        INTEGER NOT NULL REFERENCES pupils(id),
    requester_kind  TEXT NOT NULL CHECK (requester_kind IN ('pupil', 'parent', 'other')),
    requester_name  TEXT,
    received_on     TEXT NOT NULL CHECK (date(received_on) = received_on),
    due_on          TEXT NOT NULL CHECK (date(due_on) = due_on),
    extended_to     TEXT CHECK (extended_to IS NULL OR date(extended_to) = extended_to),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'withdrawn')),
    fulfilled_on    TEXT CHECK (fulfilled_on IS NULL OR date(fulfilled_on) = fulfilled_on),
    notes           TEXT
);
CREATE INDEX sar_open ON subject_access_requests (status, due_on);
CREATE INDEX sar_by_pupil ON subject_access_requests (pupil_id);

CREATE TABLE exports_given (
    id          INTEGER PRIMARY KEY,
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id),
    kind        TEXT NOT NULL CHECK (kind IN ('record', 'action_plan')),
    format      TEXT NOT NULL CHECK (format IN ('pdf', 'html', 'md', 'json')),
    given_on    TEXT NOT NULL CHECK (date(given_on) = given_on),
    how         TEXT,                 -- printed, emailed by school, handed over
    record_id   INTEGER REFERENCES meeting_records(id),
    sar_id      INTEGER REFERENCES subject_access_requests(id),
    withheld    TEXT,                 -- what was withheld (redactions), in words
    adviser_id  INTEGER REFERENCES advisers(id),
    given_at    TEXT                  -- the moment it was given (schema 9), so the history keeps time order
);
CREATE INDEX exports_given_by_pupil ON exports_given (pupil_id, given_on);
CREATE INDEX exports_given_by_record ON exports_given (record_id);  -- schema 3
CREATE INDEX exports_given_by_sar ON exports_given (sar_id);        -- schema 3

-- ---------------------------------------------------------------- audit log
-- Append-only: who (the adviser using the app), when, what, values before and
-- after (JSON). The only deletion allowed is the deliberate erasure of a pupil,
-- which first registers the pupil in erasures_in_progress (same transaction)
-- and leaves a tombstone that names no one.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    adviser_id  INTEGER,                 -- no foreign key: the log outlives what it describes
    action      TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'erase', 'import', 'export')),
    table_name  TEXT NOT NULL,
    row_id      INTEGER,
    pupil_id    INTEGER,
    before      TEXT CHECK (before IS NULL OR json_valid(before)),
    after       TEXT CHECK (after IS NULL OR json_valid(after))
);
CREATE INDEX audit_by_pupil ON audit_log (pupil_id, at);
CREATE INDEX audit_by_adviser ON audit_log (adviser_id, at);

CREATE TABLE erasures_in_progress (
    pupil_id INTEGER PRIMARY KEY
);

-- An entry never changes, except that an erasure or pseudonymisation (which registers its pupils
-- in erasures_in_progress, inside its own transaction, and empties it before committing) may take
-- the pupils' names, UPNs and searches naming them out of before/after; nothing else of an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM erasures_in_progress)
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.adviser_id IS NOT OLD.adviser_id
  OR NEW.action IS NOT OLD.action OR NEW.table_name IS NOT OLD.table_name OR NEW.row_id IS NOT OLD.row_id
  OR NEW.pupil_id IS NOT OLD.pupil_id BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM erasures_in_progress WHERE pupil_id = OLD.pupil_id) BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;

-- ---------------------------------------------------------------- coverage facts
-- What the benchmark coverage needs of each pupil, so the cohort view and `report benchmarks`
-- read one row per pupil instead of every attendance (store/coverage_facts.py). Derived data, kept
-- in the same transaction as the records it summarises: the triggers below list the pupils whose
-- facts may have changed in coverage_stale, and store/db.py's transaction() works their rows out
-- again before it commits. Days are integers YYYYMMDD: the day each piece of evidence was first
-- there (lmi7: the first careers-information activity in Year 7 ...; prov0-3: the provider types
-- of Benchmark 7 by the end of Year 11), and where the rules count to two the day of the second
-- (wp16_1, wp16_2 ...), so a row answers as at any day. he_from, he_to, he_more: the days the
-- latest intended destination turned to or from higher education. latest: the last of those
-- days; final: the row as it stands from then on, packed into one integer (coverage_facts.PACKED),
-- so a row whose evidence is all in the past is read without comparing days. The pupil's own columns
-- are copied in (intake year, entry, left; who: the year group joined, SEN, PP, looked after and
-- gender in one integer), so the cohort is counted from coverage_facts_by_group alone, in its
-- order. Schema 10.
CREATE TABLE coverage_facts (
    pupil_id     INTEGER PRIMARY KEY,
    intake_year  INTEGER NOT NULL,
    who          INTEGER NOT NULL,
    entry        INTEGER,
    left_on      INTEGER,
    lmi7         INTEGER,
    lmi8         INTEGER,
    lmi9         INTEGER,
    lmi10        INTEGER,
    lmi11        INTEGER,
    lmi12        INTEGER,
    lmi13        INTEGER,
    cur7         INTEGER,
    cur8         INTEGER,
    cur9         INTEGER,
    cur10        INTEGER,
    cur11        INTEGER,
    cur12        INTEGER,
    cur13        INTEGER,
    emp7         INTEGER,
    emp8         INTEGER,
    emp9         INTEGER,
    emp10        INTEGER,
    emp11        INTEGER,
    emp12        INTEGER,
    emp13        INTEGER,
    prov0        INTEGER,
    prov1        INTEGER,
    prov2        INTEGER,
    prov3        INTEGER,
    wp16_1       INTEGER,
    wp16_2       INTEGER,
    wp18_1       INTEGER,
    wp18_2       INTEGER,
    he_1         INTEGER,
    he_2         INTEGER,
    pal89_1      INTEGER,
    pal89_2      INTEGER,
    pal1011_1    INTEGER,
    pal1011_2    INTEGER,
    g16_1        INTEGER,
    g16_2        INTEGER,
    g18_1        INTEGER,
    g18_2        INTEGER,
    unq_1        INTEGER,
    unq_2        INTEGER,
    made         INTEGER,
    copied       INTEGER,
    int16        INTEGER,
    int18        INTEGER,
    actual       INTEGER,
    he_from      INTEGER,
    he_to        INTEGER,
    he_more      TEXT,
    latest       INTEGER NOT NULL,
    final        INTEGER NOT NULL
);
CREATE INDEX coverage_facts_by_group ON coverage_facts (intake_year, who, final, latest, left_on, entry);

CREATE TABLE coverage_stale (
    pupil_id INTEGER PRIMARY KEY
);

-- Which intake years took part in each activity: a provider-access encounter is "offered" to a
-- year group when someone of it took part (schema 10).
CREATE TABLE activity_intakes (
    activity_id  INTEGER NOT NULL,
    intake_year  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, intake_year)
) WITHOUT ROWID;

CREATE TRIGGER coverage_attended AFTER INSERT ON activity_pupils BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.pupil_id);
    INSERT OR IGNORE INTO activity_intakes SELECT NEW.activity_id, intake_year FROM pupils WHERE id = NEW.pupil_id;
END;

CREATE TRIGGER coverage_unattended AFTER DELETE ON activity_pupils BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id);
    DELETE FROM activity_intakes WHERE activity_id = OLD.activity_id
      AND intake_year = (SELECT intake_year FROM pupils WHERE id = OLD.pupil_id)
      AND NOT EXISTS (SELECT 1 FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id
                      WHERE ap.activity_id = OLD.activity_id AND p.intake_year = activity_intakes.intake_year);
END;

CREATE TRIGGER coverage_attendance_changed AFTER UPDATE ON activity_pupils BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id), (NEW.pupil_id);
    DELETE FROM activity_intakes WHERE activity_id = OLD.activity_id AND NOT EXISTS (
        SELECT 1 FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id
        WHERE ap.activity_id = OLD.activity_id AND p.intake_year = activity_intakes.intake_year);
    INSERT OR IGNORE INTO activity_intakes SELECT NEW.activity_id, intake_year FROM pupils WHERE id = NEW.pupil_id;
END;

CREATE TRIGGER coverage_activity_changed AFTER UPDATE OF kind, held_on, m_purpose, m_outcomes, m_interaction,
    m_reflection, m_employer_task, m_employer_feedback, providers_named, id ON activities BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM activity_pupils WHERE activity_id IN (OLD.id, NEW.id);
END;

CREATE TRIGGER coverage_activity_deleted AFTER DELETE ON activities BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM activity_pupils WHERE activity_id = OLD.id;
    DELETE FROM activity_intakes WHERE activity_id = OLD.id;
END;

CREATE TRIGGER coverage_serves AFTER INSERT ON activity_benchmarks BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM activity_pupils WHERE activity_id = NEW.activity_id;
END;

CREATE TRIGGER coverage_serves_no_more AFTER DELETE ON activity_benchmarks BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM activity_pupils WHERE activity_id = OLD.activity_id;
END;

CREATE TRIGGER coverage_serves_changed AFTER UPDATE ON activity_benchmarks BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM activity_pupils
    WHERE activity_id IN (OLD.activity_id, NEW.activity_id);
END;

CREATE TRIGGER coverage_interview_added AFTER INSERT ON interviews BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.pupil_id);
END;

CREATE TRIGGER coverage_interview_changed AFTER UPDATE OF pupil_id, adviser_id, starts_at, kind, status ON interviews BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id), (NEW.pupil_id);
END;

CREATE TRIGGER coverage_interview_deleted AFTER DELETE ON interviews BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id);
END;

CREATE TRIGGER coverage_adviser_level AFTER UPDATE OF qualification_level ON advisers
WHEN NEW.qualification_level IS NOT OLD.qualification_level BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM interviews WHERE adviser_id = NEW.id;
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM meeting_records WHERE adviser_id = NEW.id;
END;

CREATE TRIGGER coverage_record_added AFTER INSERT ON meeting_records BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.pupil_id);
END;

CREATE TRIGGER coverage_record_changed AFTER UPDATE ON meeting_records BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id), (NEW.pupil_id);
END;

CREATE TRIGGER coverage_record_deleted AFTER DELETE ON meeting_records BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id);
END;

CREATE TRIGGER coverage_amended AFTER INSERT ON record_amendments BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM meeting_records WHERE id = NEW.record_id;
END;

CREATE TRIGGER coverage_amendment_changed AFTER UPDATE ON record_amendments BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM meeting_records WHERE id IN (OLD.record_id, NEW.record_id);
END;

CREATE TRIGGER coverage_amendment_deleted AFTER DELETE ON record_amendments BEGIN
    INSERT OR IGNORE INTO coverage_stale SELECT pupil_id FROM meeting_records WHERE id = OLD.record_id;
END;

CREATE TRIGGER coverage_destination_added AFTER INSERT ON destinations BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.pupil_id);
END;

CREATE TRIGGER coverage_destination_changed AFTER UPDATE ON destinations BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id), (NEW.pupil_id);
END;

CREATE TRIGGER coverage_destination_deleted AFTER DELETE ON destinations BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id);
END;

CREATE TRIGGER coverage_copy_given AFTER INSERT ON exports_given BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.pupil_id);
END;

CREATE TRIGGER coverage_copy_changed AFTER UPDATE ON exports_given BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id), (NEW.pupil_id);
END;

CREATE TRIGGER coverage_copy_deleted AFTER DELETE ON exports_given BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.pupil_id);
END;

CREATE TRIGGER coverage_pupil_added AFTER INSERT ON pupils BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (NEW.id);
END;

CREATE TRIGGER coverage_pupil_changed AFTER UPDATE OF id, intake_year, date_of_entry, date_left, sen_status,
    pupil_premium, looked_after, gender ON pupils BEGIN
    INSERT OR IGNORE INTO coverage_stale VALUES (OLD.id), (NEW.id);
END;

-- A new intake year: the activities the pupil took part in are now held for it too.
CREATE TRIGGER coverage_pupil_moved AFTER UPDATE OF intake_year ON pupils
WHEN NEW.intake_year IS NOT OLD.intake_year BEGIN
    INSERT OR IGNORE INTO activity_intakes SELECT activity_id, NEW.intake_year FROM activity_pupils
    WHERE pupil_id = NEW.id;
    DELETE FROM activity_intakes WHERE intake_year = OLD.intake_year
      AND activity_id IN (SELECT activity_id FROM activity_pupils WHERE pupil_id = NEW.id)
      AND NOT EXISTS (SELECT 1 FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id
                      WHERE ap.activity_id = activity_intakes.activity_id AND p.intake_year = OLD.intake_year);
END;

CREATE TRIGGER coverage_pupil_deleted AFTER DELETE ON pupils BEGIN
    DELETE FROM coverage_facts WHERE pupil_id = OLD.id;
    DELETE FROM coverage_stale WHERE pupil_id = OLD.id;
END;

-- The file's identity: gatsby-tui's application id ('GATS'), so that a database of another
-- program with some of the same table names is never taken for ours (store/db.py).
PRAGMA application_id = 1195463763;

PRAGMA user_version = 10;
