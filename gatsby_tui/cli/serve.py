"""`gatsby-tui serve` (the app in a browser, with sign-in) and `gatsby-tui user` (who may sign in).

    gatsby-tui serve --db PATH [--host 127.0.0.1] [--port 8000] [--cert FILE --key FILE]
    gatsby-tui user add|passwd NAME --db PATH [--password-stdin]
    gatsby-tui user remove NAME --db PATH
    gatsby-tui user list --db PATH
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import sqlite3
import sys
from pathlib import Path

from gatsby_tui.store import OpenError, StoreError
from gatsby_tui.cli.output import upgrading


def _fail(message: str, code: int = 2) -> int:
    print(f"gatsby-tui: {message}", file=sys.stderr)
    return code


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sv = sub.add_parser("serve", help="run the app in a browser for the school's careers team, with sign-in",
                        description="Serve the app to browsers. Each adviser signs in with their own password "
                                    "(see 'gatsby-tui user'); each browser session is its own copy of the app on "
                                    "the same file.")
    sv.add_argument("--db", required=True, help="database file")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this computer only, e.g. behind the school's "
                         "reverse proxy); any other address needs --cert and --key")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    sv.add_argument("--cert", help="TLS certificate (PEM) for HTTPS")
    sv.add_argument("--key", help="the certificate's private key (PEM)")
    sv.add_argument("--behind-https", action="store_true",
                    help="the school's reverse proxy serves this over HTTPS: mark the sign-in cookie Secure")
    sv.add_argument("--idle-minutes", type=int, default=30,
                    help="sign a browser out after this many minutes without a key press (default 30)")

    us = sub.add_parser("user", help="who may sign in from a browser: give, change or take away a password")
    us_sub = us.add_subparsers(dest="what", required=True)
    for what, text in (("add", "give an adviser a password (the adviser is added if not on the list)"),
                       ("passwd", "change an adviser's password"),
                       ("remove", "take away an adviser's password: they can no longer sign in")):
        p = us_sub.add_parser(what, help=text)
        p.add_argument("name", help="the adviser's name, as on the advisers list")
        p.add_argument("--db", required=True, help="database file")
        if what != "remove":
            p.add_argument("--password-stdin", action="store_true",
                           help="read the password from the first line of standard input (for scripts) "
                                "instead of asking twice")
    ul = us_sub.add_parser("list", help="the advisers who can sign in")
    ul.add_argument("--db", required=True, help="database file")


def run(args: argparse.Namespace) -> int:
    return serve(args) if args.command == "serve" else user(args)


# ---------------------------------------------------------------- user
def _read_password(args: argparse.Namespace, name: str) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n") if line else None
    try:
        first = getpass.getpass(f"New password for {name}: ")
        again = getpass.getpass("Again: ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None
    if first != again:
        raise StoreError("The two passwords are not the same: nothing was changed. Run the command again.")
    return first


def user(args: argparse.Namespace) -> int:
    from gatsby_tui.store import Store, users

    try:
        store = Store.open(args.db, create=False, on_upgrade=upgrading)
    except OpenError as e:
        return _fail(str(e))
    try:
        if args.what == "list":
            can = users.with_passwords(store.conn)
            people = [a for a in store.advisers.all(include_inactive=True) if a["id"] in can]
            if not people:
                print("Nobody can sign in yet: give an adviser a password with 'gatsby-tui user add NAME --db PATH'.")
            for a in people:
                print(a["name"] + ("" if a["active"] else " (inactive: cannot sign in)"))
            return 0
        found = store.advisers.find(args.name)
        exact = [a for a in found if " ".join(a["name"].casefold().split()) == " ".join(args.name.casefold().split())]
        found = exact or found
        if len(found) > 1:
            return _fail(f"'{args.name}' could be any of {', '.join(a['name'] for a in found)}: give the whole name.")
        if args.what == "remove":
            if not found:
                return _fail(f"There is no adviser called '{args.name}': check the name ('gatsby-tui user list').")
            adviser = found[0]
            if not users.remove_password(store.conn, adviser["id"], stamp=store.clock.stamp(), by=store.adviser_id):
                return _fail(f"{adviser['name']} has no password: nothing to take away.", 1)
            print(f"{adviser['name']} can no longer sign in.")
            return 0
        if not found and args.what == "passwd":
            return _fail(f"There is no adviser called '{args.name}': check the name, or use 'gatsby-tui user add'.")
        adviser_name = found[0]["name"] if found else " ".join(args.name.split())
        if found and args.what == "add" and users.has_password(store.conn, found[0]["id"]):
            return _fail(f"{adviser_name} already has a password: change it with 'gatsby-tui user passwd'.")
        password = _read_password(args, adviser_name)
        if password is None:
            return _fail("No password was given: nothing was changed.")
        users.check_strength(password, adviser_name)      # before an adviser is added for it
        added = ""
        if found:
            adviser_id = found[0]["id"]
        else:
            adviser_id = store.advisers.add({"name": adviser_name})
            added = f"Added {adviser_name} to the advisers. "
        users.set_password(store.conn, adviser_id, password, stamp=store.clock.stamp(), by=store.adviser_id)
        print(f"{added}{adviser_name} can sign in from a browser ('gatsby-tui serve').")
        return 0
    except StoreError as e:
        return _fail(str(e))
    except sqlite3.Error as e:
        return _fail(f"The database could not be read ({e}): check it, or restore it from a backup.")
    finally:
        store.close()


# ---------------------------------------------------------------- serve
def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    if bool(args.cert) != bool(args.key):
        return _fail("give both --cert and --key (the certificate and its private key), or neither.")
    if not is_loopback(args.host) and not args.cert:
        return _fail(f"listening on {args.host} would send passwords and pupils' records over the network "
                     "unencrypted: give --cert and --key for HTTPS, or keep the default --host 127.0.0.1 behind "
                     "the school's reverse proxy.")
    if not 1 <= args.port <= 65535:
        return _fail(f"--port {args.port} is not a port: give a number from 1 to 65535.")
    if args.idle_minutes < 1:
        return _fail("--idle-minutes must be at least 1.")
    ssl_context = None
    if args.cert:
        import ssl

        try:
            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_context.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as e:
            return _fail(f"the certificate or key cannot be used ({getattr(e, 'strerror', None) or e}): "
                         "give a PEM certificate and its private key.")
    from gatsby_tui import clock
    from gatsby_tui.store import Store, users

    db = Path(args.db).expanduser()
    try:
        store = Store.open(db, create=False, on_upgrade=upgrading)     # an older file is upgraded here, once, not by each session
    except OpenError as e:
        return _fail(str(e))
    try:
        if not users.with_passwords(store.conn):
            return _fail(f"nobody can sign in yet: give an adviser a password first "
                         f"('gatsby-tui user add NAME --db {db}').")
        backup = store.backup.take("serve")      # verified: also checks the file before anyone uses it
    except StoreError as e:
        return _fail(str(e))
    finally:
        store.close()
    import logging
    import os

    from aiohttp import web

    from gatsby_tui.serve.server import make_app

    if type(clock.default()) is not clock.Clock:     # --today given: the app processes use that day too
        os.environ[clock.ENV_VAR] = clock.now().isoformat(timespec="minutes")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    scheme = "https" if ssl_context else "http"
    shown = f"[{args.host}]" if ":" in args.host else args.host

    def started(*_: object) -> None:
        print(f"Serving {db} on {scheme}://{shown}:{args.port}/ (backup checked: {backup.name}). "
              "Press Ctrl+C to stop.", flush=True)

    from gatsby_tui.store import presence

    me = presence.register(db, "gatsby-tui serve (the web server)")   # restore waits until it stops
    changed_at = _mtime(db)
    try:
        web.run_app(make_app(db, tls=ssl_context is not None or args.behind_https, idle_minutes=args.idle_minutes,
                             title=db.name),
                    host=args.host, port=args.port, ssl_context=ssl_context, print=started,
                    access_log=None)
    except OSError as e:
        return _fail(f"cannot listen on {args.host} port {args.port} ({e.strerror or e}): "
                     "choose another --port, or stop whatever uses it.")
    finally:
        presence.unregister(me)
        if _mtime(db) != changed_at:           # as the app does on closing after changes
            try:
                store = Store.open(db, create=False, on_upgrade=upgrading)
                try:
                    print(f"Backed up: {store.backup.take('closed')}", file=sys.stderr)
                finally:
                    store.close()
            except StoreError as e:
                print(f"gatsby-tui: {e}", file=sys.stderr)
    return 0


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
