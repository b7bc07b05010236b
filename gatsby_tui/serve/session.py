"""One browser session's app process: ``python -m gatsby_tui.serve.session DB ADVISER_ID``.

Started by the server after a sign-in, with Textual's web driver (``TEXTUAL_DRIVER``, set by
textual-serve's AppService) talking to the browser through this process's stdin and stdout. It
runs as the adviser who signed in, refuses to run for one without a password, and says in the
presence list that it is in (so others see "Helen Marsh (browser)").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    os.umask(0o077)
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m gatsby_tui.serve.session DB ADVISER_ID", file=sys.stderr)
        return 2
    from gatsby_tui import actions

    actions.serve_in_browser()          # before any screen module is imported: their keys depend on it
    from gatsby_tui.store import OpenError, Store, presence, users

    try:
        store = Store.open(Path(argv[0]), create=False)
    except OpenError as e:
        print(f"gatsby-tui: {e}", file=sys.stderr)
        return 2
    adviser_id = int(argv[1])
    adviser = store.advisers.get(adviser_id)
    if adviser is None or not adviser["active"] or not users.has_password(store.conn, adviser_id):
        print("gatsby-tui: that adviser may not sign in.", file=sys.stderr)
        store.close()
        return 2
    from gatsby_tui import css_cache

    css_cache.install(css_cache.cache_file())
    from gatsby_tui.serve.app import ServedApp

    others = presence.describe_others(store.path)
    me = presence.register(store.path, f"{adviser['name']} (browser)")
    notice = f"Signed in as {adviser['name']}."
    if others:
        notice += f"\nAlso in: {others}. Everyone can work at once: each save waits its turn."
    app = ServedApp(store, adviser_id=adviser_id, notice=notice)
    try:
        app.run()
    finally:
        presence.unregister(me)
        store.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
