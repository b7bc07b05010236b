"""A program run in a pseudo-terminal, timed by the bytes it paints.

``Term`` starts a command on a new pty of a fixed size (120 x 40), reads everything it writes, and
answers "when did text X first arrive after this moment?". The time is taken when the read that
completed X returned, so it is when the frame reached the terminal, not when the app decided to
draw it. Escape sequences (colours, cursor moves, synchronised-update brackets) are stripped
before matching, so X is matched against the characters painted.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\"
                  rb"|\x1b[@-Z\\-_=>()]")
COLS, ROWS = 120, 40

KEYS = {"enter": b"\r", "escape": b"\x1b", "ctrl+q": b"\x11", "ctrl+u": b"\x15", "f9": b"\x1b[20~",
        "f2": b"\x1bOQ", "slash": b"/", "backspace": b"\x7f"}


class Timeout(Exception):
    pass


class Term:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:                                    # the child: size its terminal, then run
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, {**os.environ, **(env or {}), "TERM": "xterm-256color",
                                           "COLORTERM": "truecolor"})
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = b""                  # everything since the last mark()
        self.all = b""
        self.status: int | None = None
        self.ended_at: float | None = None

    # ---------------------------------------------------------------- reading
    def _read(self, wait: float) -> bool:
        """One read (waiting at most ``wait`` s); False when the program has closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, wait))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            return False
        self.raw += data
        self.all += data
        return True

    def text(self) -> str:
        return ANSI.sub(b"", self.raw).decode("utf-8", "ignore")

    def mark(self) -> None:
        """Forget what has arrived: wait_for then looks only at what arrives after this."""
        self._drain()
        self.raw = b""

    def _drain(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0)
            if not ready or not self._read(0):
                return

    def wait_for(self, needle: str, timeout: float = 60.0) -> float:
        """The perf_counter time at which ``needle`` was first painted after the last mark()."""
        end = time.perf_counter() + timeout
        while True:
            if needle in self.text():
                return time.perf_counter()
            left = end - time.perf_counter()
            if left <= 0:
                raise Timeout(f"{needle!r} was not painted within {timeout:.0f} s; last painted: "
                              f"{self.text()[-600:]!r}")
            if not self._read(min(left, 0.5)):
                raise Timeout(f"the program ended before painting {needle!r}: {ANSI.sub(b'', self.all)[-800:]!r}")

    def pause(self, seconds: float) -> None:
        """Keep reading for ``seconds`` (the app may repaint its footer at any time, so "until
        quiet" is not a state to wait for)."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if not self._read(end - time.perf_counter()):
                return

    # ---------------------------------------------------------------- writing
    def send(self, keys: str | bytes) -> float:
        data = KEYS.get(keys, keys.encode()) if isinstance(keys, str) else keys
        self._drain()
        now = time.perf_counter()
        os.write(self.fd, data)
        return now

    # ---------------------------------------------------------------- the process
    def memory(self) -> dict[str, float]:
        """Resident memory now, in MiB: all, anonymous (heap) and file-backed (mapped files)."""
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[key] = int(value.split()[0]) / 1024
        return out

    def wait_exit(self, timeout: float = 30.0) -> float:
        """The perf_counter time at which the program had exited (reaped)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            self._read(0.002)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status, self.ended_at = status, time.perf_counter()
                return self.ended_at
        raise Timeout(f"the program did not exit within {timeout:.0f} s")

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.wait_exit(5)
            except (ProcessLookupError, Timeout, ChildProcessError):
                try:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
        try:
            os.close(self.fd)
        except OSError:
            pass
