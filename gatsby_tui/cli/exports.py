"""`gatsby-tui export pupil` and `gatsby-tui export action-plan`: the record and the action plan,
written as the app writes them (store.exports.pupil_record / store.exports.action_plan)."""

from __future__ import annotations

import argparse

from gatsby_tui.cli.commands import _fail, _out, _using_store
from gatsby_tui.cli.output import DATA
from gatsby_tui.domain import upn as upn_rules
from gatsby_tui.store.importer import plain


def run(args: argparse.Namespace) -> int:
    return _using_store(args.db, lambda store: (_pupil if args.what == "pupil" else _action_plan)(store, args))


def _pupil(store, args: argparse.Namespace) -> int:
    row = store.pupils.by_upn(args.upn) if upn_rules.is_valid(upn_rules.normalise(args.upn)) else None
    if row is None:
        return _fail(f"No pupil with UPN '{plain(args.upn, 20)}' is in {args.db}: check the UPN "
                     "(13 characters, e.g. A801200015001).", DATA)
    gathered = store.exports.preview(row["id"])
    mentions = gathered.mentions
    redact = [] if args.keep_names else [form for m in mentions for form in m.forms]
    path = store.exports.pupil_record(row["id"], args.format, args.out, include_confidential=args.include_confidential,
                                      redact=redact, sar_id=args.sar, how="exported from the command line",
                                      gathered=gathered)
    _out(f"Wrote {path}")
    if mentions:
        many = len(mentions) != 1
        if args.keep_names:
            _out(f"The copy still holds {len(mentions)} name{'s' if many else ''} that may be another pupil's "
                 "(kept, as --keep-names asked):")
        else:
            _out(f"Withheld the names of {len(mentions)} other pupil{'s' if many else ''} named in the free text, "
                 "shown as [another pupil] (--keep-names to leave them in):")
        for m in mentions:
            _out(f"  {plain(m.describe, 300)}")
    if not args.include_confidential:
        _out("The advisers' confidential notes are not included (--include-confidential to include them).")
    return 0


def _action_plan(store, args: argparse.Namespace) -> int:
    path = store.exports.action_plan(args.meeting, args.format, args.out, how=args.how)
    _out(f"Wrote {path}")
    return 0
