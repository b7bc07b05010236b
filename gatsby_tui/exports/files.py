"""Writing export files safely: all or nothing, readable by their owner only."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Callable

# Told of every export written (the path and its bytes): the app in a browser offers each one as
# a download too. Empty in the terminal and on the command line.
_WRITTEN: list[Callable[[Path, bytes], None]] = []


def on_written(listener: Callable[[Path, bytes], None]) -> None:
    """Call ``listener(path, data)`` after each export is written (used by ``gatsby-tui serve``)."""
    _WRITTEN.append(listener)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over the target (os.replace), so a reader never sees half a file and a
    failure leaves any earlier file as it was. The file is created with ``mode`` (owner-only
    by default: exports hold personal data about children).

    Raises OSError (FileNotFoundError when the folder does not exist, IsADirectoryError when
    ``path`` is a folder); callers turn it into a sentence.
    """
    target = _target(path)
    tmp = _write_temp(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for listener in _WRITTEN:
        listener(target, data)
    _sync_folder(target.parent)     # make the rename itself durable where the platform allows
    return target


def _target(path: str | os.PathLike[str]) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    return target


def _write_temp(target: Path, data: bytes, mode: int) -> Path:
    """``data`` in a new temporary file beside ``target``, flushed to disk, with ``mode``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:60]}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, mode)          # mkstemp already makes it 0600; this honours ``mode``
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


# Path separators, characters Windows reserves, control characters (C0 and C1), and the
# invisible direction and formatting marks that can make "gpj.exe" look like "exe.jpg".
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]')


def safe_name(text: str, *, limit: int = 120) -> str:
    """``text`` fit to be (part of) a file name on Windows, macOS and Linux: no path separators,
    reserved or control characters, spaces collapsed, no leading dot, letters with accents kept
    ("Zoë O'Brien - careers record - 2026-11-23")."""
    value = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return value[:limit].rstrip(" .") or "export"


def write_new(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600, limit: int = 999) -> Path:
    """Write ``data`` to ``path``, or, when a file of that name already exists, to the first free
    "NAME (2).EXT", "NAME (3).EXT" ...: an export never replaces a file it did not just write (a
    namesake's record, or anything else). The name is claimed atomically: the finished file is
    hard-linked into place (link fails if the name is taken, so two writers never share a name);
    where the filesystem has no hard links, the name is claimed with O_EXCL and the finished
    file renamed over that empty claim. Returns the file written. Raises OSError."""
    target = _target(path)
    folder = target.parent
    tmp = _write_temp(target, data, mode)
    try:
        for n in range(1, limit + 1):
            candidate = target if n == 1 else target.with_name(f"{target.stem} ({n}){target.suffix}")
            if _claim(tmp, candidate, mode):
                break
        else:
            raise FileExistsError(17, f"{limit} files of this name already exist", str(target))
    finally:
        tmp.unlink(missing_ok=True)
    for listener in _WRITTEN:
        listener(candidate, data)
    _sync_folder(folder)
    return candidate


def _claim(tmp: Path, candidate: Path, mode: int) -> bool:
    """Put the finished ``tmp`` at ``candidate`` if nothing is there; False if the name is taken."""
    try:
        os.link(tmp, candidate)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass                      # no hard links here (some network and FAT drives): claim by O_EXCL
    try:
        claim = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    except FileExistsError:
        return False
    os.close(claim)
    try:
        os.replace(tmp, candidate)
    except BaseException:
        candidate.unlink(missing_ok=True)
        raise
    return True


def _sync_folder(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
