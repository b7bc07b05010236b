"""The app as it runs in a browser for one signed-in adviser.

It is the terminal app with three differences: the adviser is fixed (the one who signed in; F4
does not change it, and nothing is remembered in the file's settings, so other copies are not
affected); every export written is also offered to the browser as a download; and the palette
has "Sign out" and "Change my password".
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual.app import SystemCommand
from textual.screen import Screen

from gatsby_tui.app import GatsbyApp
from gatsby_tui.store import Store


class ServedApp(GatsbyApp):
    def __init__(self, store: Store, *, adviser_id: int, notice: str | None = None) -> None:
        store.adviser_id = adviser_id        # this process only: the file's remembered adviser is untouched
        super().__init__(store, notice=None, backups=False)
        self.welcome = notice                # names typed by people: shown as plain text, never markup
        self.signed_in = adviser_id
        self.signed_in_name = store.advisers.get(adviser_id)["name"]
        self.sub_title = f"signed in as {self.signed_in_name}"

    def on_mount(self) -> None:
        from gatsby_tui.exports import files

        super().on_mount()
        if self.welcome:
            self.notify(self.welcome, title="gatsby-tui", timeout=8, markup=False)
        files.on_written(self._offer_download)

    def _offer_download(self, path: Path, data: bytes) -> None:
        """An export was written on the server: offer the same bytes to the browser as well."""
        if not self.is_web:
            return

        def deliver() -> None:
            try:
                self.deliver_binary(io.BytesIO(data), save_filename=path.name)
            except Exception as e:      # the file is on the server's disk anyway; say why no download
                self.notify(f"{path.name} is saved on the server, but could not be offered as a download ({e}).",
                            severity="warning", markup=False)
                return
            self.notify(Text(f"{path.name} is downloading in your browser too."), timeout=6)

        if threading.get_ident() == self._thread_id:
            deliver()
        else:
            self.call_from_thread(deliver)

    def action_switch_adviser(self) -> None:
        self.notify(Text(f"You are signed in as {self.signed_in_name}: everything you do is recorded in your "
                         "name. To work as someone else, sign out (Ctrl+P, Sign out) and sign in as them."),
                    timeout=10)

    def action_sign_out(self) -> None:
        self.open_url("/sign-out", new_tab=False)

    def action_change_password(self) -> None:
        from gatsby_tui.screens.advisers import PasswordDialog

        self.push_screen(PasswordDialog(self.signed_in))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Sign out", f"Sign {self.signed_in_name} out of gatsby-tui in this browser.",
                            self.action_sign_out)
        yield SystemCommand("Change my password", "Choose a new password for signing in.",
                            self.action_change_password)
        yield from super().get_system_commands(screen)
