"""The store's shape: a small context with one service per area, no Textual, one export pipeline."""

from __future__ import annotations

import ast
import inspect
import os
import stat
import subprocess
import sys
from pathlib import Path

from gatsby_tui.store import Store
from gatsby_tui.store.services import Service
from tests.helpers import make_upn, pupil

STORE = Path(__file__).resolve().parent.parent / "gatsby_tui" / "store"
SERVICES = ("pupils", "advisers", "settings", "bookings", "records", "actions", "plans", "destinations",
            "activities", "programme", "coverage", "requests", "retention", "backup", "audit", "history", "exports")


def test_no_store_module_imports_textual_even_when_every_service_is_used(tmp_path):
    for path in STORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "textual" for n in names), f"{path.name} imports Textual"
    code = ("import sys, pkgutil, importlib\n"
            "import gatsby_tui.store as s, gatsby_tui.store.services as sv\n"
            "for pkg in (s, sv):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
            f"st = s.Store.open({str(tmp_path / 'x.db')!r})\n"
            f"for name in {SERVICES!r}:\n"
            "    getattr(st, name)\n"
            "st.pupils.count(s.PupilFilter()); st.coverage.cohort(); st.close()\n"
            "sys.exit(1 if 'textual' in sys.modules else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or "the store imported Textual"


def test_store_is_a_context_with_a_handful_of_methods_and_a_service_per_area(store):
    public = [name for name, value in vars(Store).items()
              if not name.startswith("_") and (inspect.isfunction(value) or isinstance(value, classmethod))]
    assert sorted(public) == ["close", "open", "read_only", "readers", "reopen"]
    for name in SERVICES:
        service = getattr(store, name)
        assert isinstance(service, Service), name
        assert getattr(store, name) is service, f"{name} is made once per store"
        assert service.conn is store.conn and service.clock is store.clock
    helen = store.advisers.add({"name": "Helen Marsh", "kind": "internal"})
    store.advisers.set_current(helen)
    assert store.adviser_id == helen and store.bookings.adviser_id == helen, "the services share who is using the app"
    assert store.pupils.today == store.today == store.clock.today()


def test_no_store_module_is_over_800_lines():
    long = {p.relative_to(STORE).as_posix(): n for p in STORE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800}
    assert not long, f"split these modules: {long}"


def test_a_record_previewed_then_written_is_gathered_once_and_written_owner_only(store, tmp_path, monkeypatch):
    from gatsby_tui.store import pupil_record

    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), legal_forename="Amara",
                                                       legal_surname="Okafor")))
    gathered = []
    real = pupil_record.gather
    monkeypatch.setattr(pupil_record, "gather", lambda *a, **kw: gathered.append(1) or real(*a, **kw))
    copy = store.exports.preview(pid)
    data, mentions = copy                     # unpacks as the preview always did
    assert data["pupil"]["name"].startswith("Amara") and mentions == []
    first = store.exports.pupil_record(pid, "md", tmp_path, gathered=copy, how="handed over")
    second = store.exports.pupil_record(pid, "md", tmp_path, gathered=copy, how="handed over")
    assert len(gathered) == 1, "the record was gathered again for writing"
    assert first != second and first.exists() and second.exists(), "a second copy never replaces the first"
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    assert "Okafor" in first.read_text(encoding="utf-8")
    given = store.conn.execute("SELECT count(*) FROM exports_given WHERE pupil_id = ? AND kind = 'record'",
                               (pid,)).fetchone()[0]
    audited = store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'export' AND pupil_id = ?",
                                 (pid,)).fetchone()[0]
    assert (given, audited) == (2, 2)
    store.exports.many([pid], "record", "md", tmp_path)
    assert len(gathered) == 2, "a bulk export gathers each pupil once"
