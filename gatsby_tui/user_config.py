"""The user's own settings, kept in their config folder (never in the shared database): the keymap
(``keymap.toml``, written by the user) and the app's own choices such as the theme
(``settings.json``, written by the app). Never imports Textual.

    # keymap.toml: binding id = key, or a list of keys
    "register.add" = "n"
    "agenda.next" = ["right", "n"]

Problems are returned as sentences, never raised: a bad file or entry is reported and ignored,
and the app starts with its own keys and look.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

KEYMAP_FILE = "keymap.toml"
SETTINGS_FILE = "settings.json"


def config_dir() -> Path:
    """The platform's config folder for gatsby-tui (~/.config/gatsby-tui on Linux)."""
    from platformdirs import user_config_path

    return user_config_path("gatsby-tui", appauthor=False)


def read_keymap() -> tuple[dict[str, str], list[str]]:
    """The entries of keymap.toml as {binding id: "key,key"}, and a sentence for each entry that
    is not a binding id followed by a key or a list of keys. No file: no entries, no problems."""
    path = config_dir() / KEYMAP_FILE
    if not path.exists():
        return {}, []
    import tomllib                       # only when there is a keymap to read

    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        return {}, []
    except tomllib.TOMLDecodeError as e:
        return {}, [f"{path} could not be read as TOML ({e}), so the usual keys are used: fix the file "
                    "(a line per binding, such as \"register.add\" = \"n\")."]
    except (OSError, UnicodeDecodeError) as e:
        return {}, [f"{path} could not be read ({getattr(e, 'strerror', None) or e}), so the usual keys are used."]
    entries: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in _flatten(raw):
        if isinstance(value, str):
            keys = [value]
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            keys = value
        else:
            problems.append(f"In {KEYMAP_FILE}, '{binding_id}' is not given a key (a text such as \"n\", or a list "
                            "of them): it is ignored.")
            continue
        entries[binding_id] = ",".join(k.strip() for k in keys)
    return entries, problems


def _flatten(raw: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """TOML reads ``register.add = "n"`` (unquoted) as a table; both spellings mean the id."""
    out: list[tuple[str, Any]] = []
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten(value, name + "."))
        else:
            out.append((name, value))
    return out


def load_settings() -> dict[str, Any]:
    """settings.json as a dict; {} when it is missing or unreadable (it is the app's own file)."""
    try:
        with open(config_dir() / SETTINGS_FILE, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value: Any) -> None:
    """Set one setting in settings.json: written whole to a temporary file, then swapped in, readable
    by the user only. Raises OSError when the folder cannot be written."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = load_settings()
    if data.get(key) == value:
        return
    data[key] = value
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, folder / SETTINGS_FILE)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
