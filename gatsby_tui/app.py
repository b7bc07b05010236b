"""The App: composes the screens, routes worker results and errors, owns the store."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerFailed, WorkerState

from gatsby_tui import actions, css_cache, navigation, user_config
from gatsby_tui.store import Store, StoreError

#: Seconds after the first frame before the work that waits for it (after_first_frame).
FIRST_FRAME_SETTLES = 0.05


class GatsbyApp(App[int]):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses anywhere find it
    TITLE = "Gatsby"
    SUB_TITLE = "careers guidance records"
    BINDINGS = actions.bindings("app")
    # Every screen carries -narrow below 110 columns (an 80-column terminal): app.tcss folds filter
    # rows onto two lines there instead of pushing the last filter off the edge ...
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    # ... and -short under 40 lines (a 24-line terminal), where the pupil's details give the history room.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(self, store: Store, *, notice: str | None = None, backups: bool = False) -> None:
        super().__init__()
        self.deferred_work = 0          # callbacks waiting for the first frame (after_first_frame)
        self.store = store
        self.notice = notice
        self.backups = backups          # take the opening backup (the CLI's app; not tests)
        # The user's own keys and look, from their config folder (never from the shared database).
        entries, self.config_problems = user_config.read_keymap()
        self.user_keymap, problems = actions.check_keymap(entries)
        self.config_problems += problems
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        theme = user_config.load_settings().get("theme")
        if theme is None:
            # A theme an older version kept in the database is taken over once, into the user's settings.
            theme = store.settings.get("theme")
            if theme:
                self._save_theme(theme)
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme

    # The screens the function keys switch between, each made when first shown (navigation.py).
    MODES = {mode: (lambda mode=mode: navigation.screen_class(mode)())
             for mode in ("register", "agenda", "follow_ups", "reviews", "leavers", "activities", "cohort",
                          "programme")}

    def on_mount(self) -> None:
        self.switch_mode("register")
        if self.notice:
            self.notify(self.notice, title="gatsby-tui", timeout=8)
        for problem in self.config_problems:
            self.notify(problem, title="Your keymap", severity="warning", timeout=15, markup=False)
        if self.store.adviser_id is None:
            # First run: ask who is using the app (changeable later with F4), then the school and its
            # careers leader where they are missing (changeable from the palette).
            self.call_after_refresh(self.action_switch_adviser, True)
        # After the first paint, one background job: count the benchmark coverage, so F9 shows it
        # at once (about a tenth of a second at 200,000 pupils, from the coverage facts), then take the
        # opening backup, which is also the file's integrity check. One after the other, so on a
        # 2-core laptop they never both compete with the screen.
        self.after_first_frame(self._after_start)

    def after_first_frame(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the first frame is on the terminal. Textual hands a frame to a
        writer thread, which a busy main thread holds up: work started straight after the first
        frame delayed its arrival by 30-40 ms on a 2-core laptop, so it starts a moment later."""
        self.deferred_work += 1

        def run() -> None:
            self.deferred_work -= 1
            callback()

        self.call_after_refresh(self.set_timer, FIRST_FRAME_SETTLES, run)

    def _after_start(self) -> None:
        # Everything made to start the app (modules, classes, the stylesheets, the first screen)
        # lives as long as the app. Python's full collection walked all of it, 15-35 ms at a time,
        # now and then as a person typed; frozen, those collections walk only what came since.
        # Once a process: a second app in it (the tests run many) leaves the first's to be freed.
        if not gc.get_freeze_count():
            gc.freeze()
        version = self.store.coverage.version()

        def work() -> None:
            css_cache.save()             # the stylesheets parsed anew this run, for the next start
            try:
                self.store.coverage.cohort(version=version)
            except Exception:
                pass         # the cohort screen works it out again when opened, and reports any error
            if self.backups:
                self._back_up_and_check()

        self.run_worker(work, thread=True, group="after-start", exit_on_error=False)

    def _back_up_and_check(self) -> None:
        """The backup on opening, verified; if it fails, is the file itself damaged?"""
        from gatsby_tui.store import backup

        try:
            self.store.backup.take_in_thread("opened")
        except backup.Stopped:               # the app is closing; the next opening takes one
            return
        except StoreError as e:
            problem = backup.check(self.store.path)
            if problem is not None:
                self.call_from_thread(self.damaged, problem)
            else:
                self.call_from_thread(self.notify, str(e), title="No backup taken", severity="warning", timeout=15)

    def damaged(self, problem: str) -> None:
        """The file failed its check: read-only from now on, and the newest good backup offered."""
        self.store.read_only(True)
        self.sub_title = "READ-ONLY: the database is damaged"
        navigation.show_damaged(self, problem)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("go_register", "go_agenda", "go_follow_ups", "go_reviews", "go_leavers",
                      "go_activities", "go_cohort", "go_programme"):
            if isinstance(self.screen, ModalScreen):
                return None  # finish or close the dialog first (shown dimmed)
            # The key for the screen you are on is hidden from the footer.
            mode = action.removeprefix("go_")
            return self.current_mode != mode or len(self.screen_stack) > 1
        return True

    def _go(self, mode: str) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        if self.current_mode == mode:
            while len(self.screen_stack) > 1:
                self.pop_screen()
        else:
            self.switch_mode(mode)

    def action_go_register(self) -> None:
        self._go("register")

    def action_go_agenda(self) -> None:
        self._go("agenda")

    def action_go_follow_ups(self) -> None:
        self._go("follow_ups")

    def action_go_reviews(self) -> None:
        self._go("reviews")

    def action_go_leavers(self) -> None:
        self._go("leavers")

    def action_go_activities(self) -> None:
        self._go("activities")

    def action_go_cohort(self) -> None:
        self._go("cohort")

    def action_go_programme(self) -> None:
        self._go("programme")

    def action_go_sars(self) -> None:
        if not isinstance(self.screen, ModalScreen):
            navigation.open_requests(self)

    def action_go_retention(self) -> None:
        if not isinstance(self.screen, ModalScreen):
            navigation.open_retention(self)

    def action_audit_by_adviser(self) -> None:
        from gatsby_tui.screens.audit import open_adviser_audit

        open_adviser_audit(self)

    def action_switch_adviser(self, first_run: bool = False) -> None:
        if navigation.is_showing(self, "adviser_chooser") or navigation.is_showing(self, "adviser_form"):
            return

        def then_school(_: object = None) -> None:
            if first_run and self.store.adviser_id is not None and self.store.programme.school().missing:
                self.action_school_details()

        if not self.store.advisers.all():
            def added(adviser_id: int | None) -> None:
                if adviser_id is not None:
                    self.store.advisers.set_current(adviser_id)
                    self.notify(f"Welcome, {self.store.advisers.current()['name']}.", markup=False)
                    self.refresh_bindings()
                then_school()

            navigation.add_adviser(self, callback=added)
            return
        navigation.choose_adviser(self, callback=then_school)

    def action_school_details(self) -> None:
        if not navigation.is_showing(self, "school"):
            navigation.edit_school(self)

    def watch_theme(self, theme: str) -> None:
        # The theme is the user's own choice: remembered in their config folder, not in the
        # database others share.
        self._save_theme(theme)

    def _save_theme(self, theme: str) -> None:
        try:
            user_config.save_setting("theme", theme)
        except OSError as e:
            self.notify(f"The theme could not be remembered ({e.strerror or e}): it applies until you quit.",
                        title="Theme", severity="warning", markup=False)

    def key_label(self, act: actions.Act) -> str:
        """The keys for ``act`` as the user has them (their keymap applied), in words."""
        return actions.key_label(actions.keys_of(act, self.user_keymap))

    # ------------------------------------------------------------ help and palette
    def action_help(self) -> None:
        if not navigation.is_showing(self, "help"):
            navigation.show_help(self, self.screen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        scope = getattr(screen, "SCOPE", None)
        for act in actions.in_scope(scope) if scope else []:
            if act.palette and screen.check_action(act.action, ()) is not False:
                yield SystemCommand(act.title, f"{act.help} Key: {self.key_label(act)}.",
                                    lambda a=act, s=screen: s.run_action(a.action))
        for act in actions.in_scope("app"):  # commands offered everywhere, e.g. the audit log by adviser
            if act.palette and not act.keys:
                yield SystemCommand(act.title, act.help, lambda a=act: self.run_action(a.action))
        yield SystemCommand("Help", "Show the keys for this screen (F1).", self.action_help)
        yield from super().get_system_commands(screen)

    # ------------------------------------------------------------ what the person sees
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: a name, a title, a path or an error text in it is
        shown as it is, never read as markup (widgets' notify comes here too)."""
        super().notify(str(message), title=str(title), severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------ errors in one place
    # Textual ends the app on any exception a handler raises, and a handler's exception also
    # ends the message loop of the screen or widget it ran in. Here every message of every
    # screen and widget is handled under one guard, actions too (they run in the App's loop),
    # and whatever still reaches Textual's exception hook comes to the same place: the
    # adviser gets one sentence naming the log file, the details go to that file, the record
    # being typed is kept as a draft, and the app goes on.

    def _register(self, parent: Any, *widgets: Widget, **kwargs: Any) -> list[Widget]:
        for widget in widgets:
            _guard(widget)
            if parent is self and isinstance(widget, Screen) and not widget.is_attached:
                _prepare_screen(widget, self)
        return super()._register(parent, *widgets, **kwargs)

    async def _dispatch_message(self, message: Message) -> None:
        await _guarded_dispatch(self, super()._dispatch_message, message)

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:  # noqa: BLE001 - the one place unforeseen errors are reported
            self.report_error(error)
            return True

    def _handle_exception(self, error: Exception) -> None:
        if not self._running or self._exit or not self.screen_stack:
            super()._handle_exception(error)   # before the first screen or while closing: Textual's way
            return
        if isinstance(error, WorkerFailed):
            error = error.error
        self.report_error(error)

    def report_error(self, error: BaseException | None) -> None:
        """The one error reporter: a StoreError is a sentence already; anything else is
        unforeseen, logged with its traceback, and told in one sentence naming the log."""
        if error is None or getattr(error, "_gatsby_reported", False):
            return
        try:
            error._gatsby_reported = True  # type: ignore[union-attr]  # a worker's error can arrive twice
        except AttributeError:
            pass
        if isinstance(error, StoreError):
            self.notify(str(error), title="Not done", severity="error", timeout=10)
            return
        from gatsby_tui import errorlog

        kept = self._keep_drafts()
        where = errorlog.write(error, screen=type(self.screen).__name__ if self.screen_stack else "")
        self.notify(errorlog.sentence(where, kept), title="Something went wrong", severity="error", timeout=20)

    def _keep_drafts(self) -> bool:
        """Write the draft of every open record now, so the typing survives whatever follows."""
        kept = False
        stacks = list(getattr(self, "_screen_stacks", {}).values()) or [self.screen_stack]
        for stack in stacks:
            for screen in stack:
                keep = getattr(screen, "keep_draft", None)
                if keep is None:
                    continue
                try:
                    kept = keep() or kept
                except Exception:  # noqa: BLE001 - the draft is a best effort here; the log has the cause
                    pass
        return kept


def _worker_error(app: GatsbyApp, event: Worker.StateChanged) -> None:
    if event.state is WorkerState.ERROR and event.worker.group != "after-start":
        app.report_error(event.worker.error)


async def _guarded_dispatch(node: Any, dispatch: Any, message: Message) -> None:
    if isinstance(message, events.ScreenSuspend):
        node._gatsby_unshown = False
    elif isinstance(message, events.ScreenResume) and getattr(node, "_gatsby_unshown", False):
        # A screen that has never been put aside was styled as it mounted (see _prepare_screen),
        # and nothing it shows has been restyled without it since: Textual would style all of it
        # again here, on each of the one or two resumes that showing it sends.
        message.refresh_styles = False
    if isinstance(message, Worker.StateChanged):
        # A worker's state is told to the screen that started it, not to the App: its error is
        # reported here, whichever screen that is.
        app = node.app
        if isinstance(app, GatsbyApp):
            _worker_error(app, message)
    try:
        await dispatch(message)
    except Exception as error:  # noqa: BLE001 - the one place unforeseen errors are reported
        app = node.app
        if not isinstance(app, GatsbyApp) or not app.screen_stack:
            raise
        app.report_error(error)


def _prepare_screen(screen: Screen, app: App) -> None:
    """Ready a screen that has never been shown, so that opening it styles it once.

    Textual would style a new screen three times over: once as it mounts; again for its
    -narrow/-wide and -short/-tall classes, which it adds on the screen's first Resize (a class
    change on a screen restyles all of it); and, for a screen opened by a function key the first
    time, once more after re-reading every stylesheet from scratch, because the screen is marked
    as styled under no CSS at all. A screen that has not been mounted has no styles yet: it is
    given its size classes now and marked as current with the app's CSS, and it is styled once,
    with both, as it mounts."""
    if screen._classes & {"-narrow", "-wide", "-short", "-tall"}:
        return
    width, height = app.size
    classes: set[str] = set()
    for dimension, breakpoints in ((width, screen.HORIZONTAL_BREAKPOINTS or app.HORIZONTAL_BREAKPOINTS or []),
                                   (height, screen.VERTICAL_BREAKPOINTS or app.VERTICAL_BREAKPOINTS or [])):
        classes |= screen._get_breakpoint_classes(dimension, breakpoints)
    screen._classes = screen._classes | classes
    screen._css_update_count = app._css_update_count
    screen._gatsby_unshown = True  # type: ignore[attr-defined]


def _guard(widget: Widget) -> None:
    """Handle this widget's messages under the guard (once per widget)."""
    if getattr(widget, "_gatsby_guarded", False):
        return
    dispatch = widget._dispatch_message

    async def guarded(message: Message) -> None:
        await _guarded_dispatch(widget, dispatch, message)

    widget._dispatch_message = guarded  # type: ignore[method-assign]
    widget._gatsby_guarded = True  # type: ignore[attr-defined]


def build_app(store: Store, *, notice: str | None = None, backups: bool = False) -> GatsbyApp:
    """The one factory used by the CLI, the tests and the benchmarks."""
    return GatsbyApp(store, notice=notice, backups=backups)
