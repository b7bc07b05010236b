"""The command line. Every problem is one plain sentence on stderr and a non-zero exit.

    gatsby-tui [PATH] [--create]      open PATH (--create makes it if missing), or your own database
    gatsby-tui --demo                 open a fresh temporary copy of the demo database
    gatsby-tui import pupils FILE.csv --db PATH [--dry-run] [--skip-invalid]
    gatsby-tui pupils --db PATH [--year N] [--search TEXT] [--format table|csv|json]
    gatsby-tui agenda --db PATH [--adviser NAME] [--date DD/MM/YYYY] [--week]
    gatsby-tui ics --db PATH --adviser NAME --from DATE --to DATE --out FILE [--full-names]
    gatsby-tui history --db PATH --upn UPN [--format table|json]
    gatsby-tui report destinations --db PATH --cohort YYYY [--format table|csv|json]
    gatsby-tui report benchmarks --db PATH [--year N] [--on YYYY-MM-DD] [--pupils] [--format table|csv|json]
    gatsby-tui export pupil --db PATH --upn UPN --format pdf|html|md|json --out PATH
    gatsby-tui export action-plan --db PATH --meeting ID [--format pdf|md] --out PATH
    gatsby-tui export list --db PATH --list register|follow-ups|gaps|destinations --out PATH [filters]
    gatsby-tui backup --db PATH [--to FOLDER]
    gatsby-tui restore BACKUP --db PATH [--yes]
    gatsby-tui serve --db PATH [--host 127.0.0.1] [--port 8000] [--cert FILE --key FILE]
    gatsby-tui user add|passwd|remove NAME --db PATH [--password-stdin]

Exit codes, the same for every command (cli/output.py): 0 done; 1 done with rows refused (import);
2 usage error; 3 data error; 4 refused for safety (needs --yes or --create, or locked).

Textual is imported only when the app is about to run, so the CLI commands and
``import gatsby_tui`` stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from gatsby_tui import __version__
from gatsby_tui.cli.output import DATA, EXIT_CODES_HELP, SAFETY, USAGE, code_for, upgrading

# Textual repaints a changed screen at most TEXTUAL_FPS times a second, on a fixed beat: a key typed
# just after a frame (the rows of a search, its count) waits for the next beat, up to 17 ms at
# Textual's 60 and 4 ms at 240. At 1000 a typed character is on screen within about 5 ms. Nothing
# is repainted more often unless it changes more often (an idle screen is not repainted at all);
# animations keep their own 60. A person's own setting wins.
os.environ.setdefault("TEXTUAL_FPS", "1000")

COMMANDS = ("import", "pupils", "agenda", "ics", "history", "report", "export", "backup", "restore", "serve", "user")


def default_db_path() -> Path:
    """The user's own database, in the platform's data folder."""
    from platformdirs import user_data_path

    return user_data_path("gatsby-tui", appauthor=False) / "gatsby.db"


def fail(message: str, code: int = USAGE) -> int:
    print(f"gatsby-tui: {message}", file=sys.stderr)
    return code


def _app_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gatsby-tui",
        description="Careers guidance records for English schools, built around the Gatsby Benchmarks.",
        epilog="Other commands: 'gatsby-tui import pupils FILE.csv --db PATH', "
               "'gatsby-tui pupils --db PATH', 'gatsby-tui history --db PATH --upn UPN', "
               "'gatsby-tui agenda --db PATH', "
               "'gatsby-tui ics --db PATH --adviser NAME --from DATE --to DATE --out FILE', "
               "'gatsby-tui report destinations --db PATH --cohort YYYY', "
               "'gatsby-tui report benchmarks --db PATH', "
               "'gatsby-tui export pupil|action-plan|list ...', "
               "'gatsby-tui backup --db PATH' and 'gatsby-tui restore BACKUP --db PATH'; "
               "add --help to any of them for details. '--today DAY' works with every one of them. "
               + EXIT_CODES_HELP,
    )
    p.add_argument("path", nargs="?", help="database file to open (it must exist unless --create is given)")
    p.add_argument("--create", action="store_true", help="create the database at PATH if it does not exist")
    p.add_argument("--demo", action="store_true", help="open a fresh temporary copy of the demo database")
    p.add_argument("--version", action="version", version=f"gatsby-tui {__version__}")
    p.add_argument("--today", metavar="DAY",
                   help="run as if today were DAY (YYYY-MM-DD, optionally THH:MM); works with every command, "
                        "and so does the environment variable GATSBY_TUI_TODAY")
    return p


def _commands_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gatsby-tui", epilog=EXIT_CODES_HELP)
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import data from the school's systems")
    imp_sub = imp.add_subparsers(dest="what", required=True)
    ip = imp_sub.add_parser("pupils", help="import or update pupils from an MIS CSV export")
    ip.add_argument("file", help="the CSV file exported from the school's MIS")
    ip.add_argument("--db", required=True, help="database file")
    ip.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    ip.add_argument("--skip-invalid", action="store_true",
                    help="write the good rows and list the rejected ones (default: write nothing if any row is bad)")

    pl = sub.add_parser("pupils", help="list pupils")
    pl.add_argument("--db", required=True, help="database file")
    pl.add_argument("--year", type=int, help="only this year group (7-13)")
    pl.add_argument("--search", default="", help="name, UPN or form to search for")
    pl.add_argument("--left", action="store_true", help="list pupils who have left instead of those on roll")
    pl.add_argument("--format", choices=("table", "csv", "json"), default="table")

    ag = sub.add_parser("agenda", help="print an adviser's agenda: meetings and free clinic slots")
    ag.add_argument("--db", required=True, help="database file")
    ag.add_argument("--adviser", help="adviser's name, or part of it (default: the adviser using the app)")
    ag.add_argument("--date", help="the day, DD/MM/YYYY (default: today)")
    ag.add_argument("--week", action="store_true", help="the whole week (Monday to Sunday) of that day")

    ic = sub.add_parser("ics", help="write an adviser's bookings as an iCalendar (.ics) file")
    ic.add_argument("--db", required=True, help="database file")
    ic.add_argument("--adviser", required=True, help="adviser's name, or part of it")
    ic.add_argument("--from", dest="first", required=True, help="first day, DD/MM/YYYY")
    ic.add_argument("--to", dest="last", required=True, help="last day, DD/MM/YYYY")
    ic.add_argument("--out", required=True, help="the .ics file to write (owner-only)")
    ic.add_argument("--full-names", action="store_true",
                    help="name pupils in full (default: initials and year group only, as calendars sync to the cloud)")

    hi = sub.add_parser("history", help="print a pupil's history, newest first")
    hi.add_argument("--db", required=True, help="database file")
    hi.add_argument("--upn", required=True, help="the pupil's UPN")
    hi.add_argument("--kind", choices=("meeting", "record", "action", "register", "plan", "destination", "activity",
                                       "export"),
                    help="only this kind of item")
    hi.add_argument("--search", help="only items containing this text")
    hi.add_argument("--limit", type=int, default=500, help="at most this many items (default 500)")
    hi.add_argument("--format", choices=("table", "json"), default="table")

    rp = sub.add_parser("report", help="reports")
    rp_sub = rp.add_subparsers(dest="what", required=True)
    rd = rp_sub.add_parser("destinations", help="where a leaving cohort went: summary and one line per leaver")
    rd.add_argument("--db", required=True, help="database file")
    rd.add_argument("--cohort", required=True, type=int,
                    help="the leaving cohort: the year the school year they left in ends (2026: left in 2025/26)")
    rd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    rb = rp_sub.add_parser("benchmarks", help="Gatsby benchmark coverage: pupils on roll meeting each benchmark")
    rb.add_argument("--db", required=True, help="database file")
    rb.add_argument("--year", type=int, help="only this year group (7-13; default: every year group and the school)")
    rb.add_argument("--on", metavar="YYYY-MM-DD",
                    help="assess as at this day: the pupils on roll then and the evidence up to it (default: today)")
    rb.add_argument("--pupils", action="store_true",
                    help="every pupil on roll: UPN, name, year group, and B1-B8 each met, not_yet or not_due "
                         "with what is missing")
    rb.add_argument("--format", choices=("table", "csv", "json"), default="table")

    ex = sub.add_parser("export", help="a pupil's record, an action plan, or a list as CSV, written to a file")
    ex_sub = ex.add_subparsers(dest="what", required=True)
    ep = ex_sub.add_parser("pupil", help="one pupil's whole record (for a subject access request or on request)")
    ep.add_argument("--db", required=True, help="database file")
    ep.add_argument("--upn", required=True, help="the pupil's UPN")
    ep.add_argument("--format", choices=("pdf", "html", "md", "json"), default="pdf")
    ep.add_argument("--out", required=True,
                    help="the file to write, or a folder (then named by the pupil's name and today's date)")
    ep.add_argument("--include-confidential", action="store_true",
                    help="include the advisers' confidential notes (left out unless asked for)")
    ep.add_argument("--keep-names", action="store_true",
                    help="leave other pupils' names in the free text (withheld unless asked for)")
    ep.add_argument("--sar", type=int, help="the subject access request this fulfils (its number)")
    ea = ex_sub.add_parser("action-plan", help="the one-page action plan from a signed-off meeting record")
    ea.add_argument("--db", required=True, help="database file")
    ea.add_argument("--meeting", required=True, type=int,
                    help="the meeting record's number (as shown in the app and in `history --format json`)")
    ea.add_argument("--format", choices=("pdf", "md"), default="pdf")
    ea.add_argument("--out", required=True, help="the file to write, or a folder")
    ea.add_argument("--how", default="handed over", help="how the pupil is given it (default: handed over)")
    from gatsby_tui.cli import lists as cli_lists

    cli_lists.add_arguments(ex_sub.add_parser("list", help="a list from the app as CSV (spreadsheet-safe)"))

    bk = sub.add_parser("backup", help="take a verified backup of a database now (and list the backups kept)")
    bk.add_argument("--db", required=True, help="database file")
    bk.add_argument("--to", help="the folder for backups (default: NAME-backups beside the database, or the "
                                 "folder chosen in the app)")
    rs = sub.add_parser("restore", help="replace a database's content with a backup (what it replaces is backed up)")
    rs.add_argument("backup", help="the backup file to restore")
    rs.add_argument("--db", required=True, help="the database file to restore into")
    rs.add_argument("--yes", action="store_true", help="confirm: without it nothing is changed")
    from gatsby_tui.cli import serve as cli_serve

    cli_serve.add_parsers(sub)
    _exit_codes_in_help(p)
    return p


def _exit_codes_in_help(parser: argparse.ArgumentParser) -> None:
    """Every command's --help ends with the exit codes."""
    parser.epilog = parser.epilog or EXIT_CODES_HELP
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _exit_codes_in_help(child)


def _demo_copy() -> Path:
    """A fresh private copy of sample.db in a temporary folder (the shipped file never changes)."""
    import shutil
    import tempfile

    from gatsby_tui.store.db import sample_path

    source = sample_path()
    folder = Path(tempfile.mkdtemp(prefix="gatsby-tui-demo-"))
    target = folder / "demo.db"
    if source.exists():
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
    else:  # a source tree where sample.db has not been built: build it now
        from gatsby_tui.sample import data as sample_data

        sample_data.build(target)
    return target


def run_app(path: Path, *, announce: str | None = None, backups: bool = True) -> int:
    """Open the file and run the app. Other copies with the file open are named at start (both
    can work: every write takes its turn). A verified backup is taken in the background once the
    first screen is up (it doubles as the integrity check), and again on closing after changes."""
    from gatsby_tui.store import OpenError, Store, StoreError, presence

    if not path.exists() and not _has_terminal():
        return fail(NO_TERMINAL, USAGE)          # nothing is created for an app that cannot run
    try:
        store = Store.open(path, on_upgrade=upgrading)
    except OpenError as e:
        return fail(str(e), code_for(e))
    if not _has_terminal():                      # the file's own problems are said first
        store.close()
        return fail(NO_TERMINAL, USAGE)
    from gatsby_tui import css_cache

    css_cache.install(css_cache.cache_file())    # the stylesheets as parsed last time, if unchanged
    from gatsby_tui.app import build_app

    others = presence.describe_others(store.path)
    me = presence.register(store.path, (store.advisers.current() or {"name": None})["name"])
    if others:
        also = f"Also open by {others}. Both copies can work: each save waits its turn."
        announce = f"{announce}\n{also}" if announce else also
    app = build_app(store, notice=announce, backups=backups)
    try:
        app.run()
    finally:
        try:
            if backups and store.conn.total_changes and not store.is_read_only:
                print("Backing up…", end=" ", flush=True, file=sys.stderr)
                print(f"done: {store.backup.take('closed')}", file=sys.stderr)
        except StoreError as e:
            print(f"\ngatsby-tui: {e}", file=sys.stderr)
        finally:
            presence.unregister(me)
            store.close()
    return app.return_code or 0


def _take_today(args: list[str]) -> tuple[list[str], str | None]:
    """Remove ``--today DAY`` (or ``--today=DAY``) from anywhere in the arguments: it sets the
    clock for the whole run, whichever command follows."""
    rest: list[str] = []
    day: str | None = None
    it = iter(args)
    for arg in it:
        if arg == "--today":
            day = next(it, "")
        elif arg.startswith("--today="):
            day = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, day


def _has_terminal() -> bool:
    """The app draws on a terminal and reads keys from one: both stdin and stdout must be one."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


NO_TERMINAL = ("the app needs a terminal to run in, and this is not one (input or output is redirected): "
               "run gatsby-tui in a terminal window, or use a command such as 'gatsby-tui pupils --db PATH' "
               "in scripts (gatsby-tui --help lists them).")


def _looks_like_a_command(word: str) -> bool:
    """A bare word that is not a file here: a mistyped command rather than a database's name."""
    return (not word.startswith("-") and "/" not in word and os.sep not in word and "." not in word
            and not Path(word).exists())


def _unknown_command(word: str) -> int:
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return fail(f"'{word}' is not a command{hint}. The commands are {', '.join(COMMANDS)}; "
                f"to open a database there, give its file name (e.g. {word}.db) with --create.", USAGE)


def _check_path(path: Path, create: bool) -> int | None:
    """None when the app may open ``path``; otherwise the exit code, having said why not."""
    if path.exists() or path.is_symlink() or create:
        return None
    return fail(f"{path} does not exist: check the path, or add --create to make a new database there.", SAFETY)


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # every file the app creates is readable by its owner only
    # Searches, backups and an import's writes run in threads, mostly inside SQLite. A thread coming
    # back from SQLite waits for the interpreter lock while Python runs elsewhere (the interface, an
    # import's checks): by default up to 5 ms each time, at 0.5 ms its work keeps pace (an import of
    # 20,000 pupils 15% sooner) and the interface answers sooner beside a busy thread.
    sys.setswitchinterval(0.0005)
    args_list, today = _take_today(list(sys.argv[1:] if argv is None else argv))
    from gatsby_tui import clock

    try:
        clock.set_today(today if today is not None else os.environ.get(clock.ENV_VAR) or None)
    except clock.ClockError as e:
        source = "--today" if today is not None else clock.ENV_VAR
        return fail(f"{source}: {e}", USAGE)
    try:
        if args_list and args_list[0] in COMMANDS:
            args = _commands_parser().parse_args(args_list)
            from gatsby_tui.cli import commands as cli_commands

            if args.command == "import":
                return cli_commands.import_pupils(args)
            if args.command == "agenda":
                return cli_commands.agenda(args)
            if args.command == "ics":
                return cli_commands.export_ics(args)
            if args.command == "report" and args.what == "benchmarks":
                from gatsby_tui.cli import benchmarks as cli_benchmarks

                return cli_benchmarks.report_benchmarks(args)
            if args.command == "report":
                return cli_commands.report_destinations(args)
            if args.command == "history":
                return cli_commands.history(args)
            if args.command in ("serve", "user"):
                from gatsby_tui.cli import serve as cli_serve

                return cli_serve.run(args)
            if args.command in ("backup", "restore"):
                from gatsby_tui.cli import backup as cli_backup

                return cli_backup.run(args)
            if args.command == "export" and args.what == "list":
                from gatsby_tui.cli import lists as cli_lists

                return cli_lists.run(args)
            if args.command == "export":
                from gatsby_tui.cli import exports as cli_exports

                return cli_exports.run(args)
            return cli_commands.list_pupils(args)
        positional = [a for a in args_list if not a.startswith("-")]
        if positional and "--create" not in args_list and _looks_like_a_command(positional[0]):
            return _unknown_command(positional[0])
        args = _app_parser().parse_args(args_list)
        if args.demo:
            if args.path:
                return fail("give either --demo or a database path, not both.")
            if not _has_terminal():
                return fail(NO_TERMINAL, USAGE)
            path = _demo_copy()
            try:
                return run_app(path, announce=f"Demo data: a temporary copy at {path}; it is deleted when you quit.",
                               backups=False)
            finally:
                import shutil

                shutil.rmtree(path.parent, ignore_errors=True)
        if args.path:
            path = Path(args.path).expanduser()
            refused = _check_path(path, args.create)
            if refused is not None:
                return refused
            return run_app(path)
        path = default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as e:
            return fail(f"cannot create the data folder {path.parent} ({e.strerror}): give a database path instead.",
                        DATA)
        return run_app(path, announce=f"Your database: {path}")
    except KeyboardInterrupt:
        return 130
