"""A form never reverts what someone else saved: the pupil edit form open while the command line
imports a CSV that changes the same pupil (a second connection to the same file)."""

from __future__ import annotations

from textual.widgets import Input

from gatsby_tui.app import build_app
from gatsby_tui.screens.pupil_form import PupilForm
from gatsby_tui.store import Store

from helpers import fill, make_upn, pupil

SIZE = (120, 40)


def _import_elsewhere(store: Store, clock, tmp_path, *, surname: str, form: str) -> None:
    csv_path = tmp_path / "mis.csv"
    csv_path.write_text("UPN,Legal Surname,Legal Forename,DOB,Reg,Gender,SEN Status\n"
                        f"{make_upn(1)},{surname},Amara,14/03/2012,{form},F,N\n", encoding="utf-8")
    other = Store.open(store.path, clock=clock)
    try:
        other.pupils.apply_import(other.pupils.plan_import(csv_path))
    finally:
        other.close()


async def test_the_pupil_form_saves_only_what_was_changed_at_it(store, clock, tmp_path):
    adviser = store.advisers.add({"name": "Helen Marsh", "kind": "internal"})
    store.advisers.set_current(adviser)
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
        _import_elsewhere(store, clock, tmp_path, surname="Okafor-Reid", form="10C")
        await fill(pilot, "Mara", "#preferred_forename")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, PupilForm)
        row = store.pupils.get(pid)
        assert (row["preferred_forename"], row["legal_surname"], row["form"]) == ("Mara", "Okafor-Reid", "10C")

        # Both change the form: refused in a sentence saying what it is now; nothing written.
        await pilot.press("e")
        await pilot.pause()
        _import_elsewhere(store, clock, tmp_path, surname="Okafor-Reid", form="10D")
        await fill(pilot, "11A", "#form")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm), "the form stays open"
        said = [n.message for n in app._notifications]
        assert any("changed by someone else since you opened this form: the form is now '10D' (you had '10C')"
                   in m for m in said), said
        assert store.pupils.get(pid)["form"] == "10D"
        assert app.screen.query_one("#form", Input).value == "11A", "the typing is still there"
