"""Background jobs, one way: the work runs in a thread (on a database connection of its own when
it writes or reads for long), touches no widget, and hands its result back to the screen on the
UI thread. Its errors go two ways only:

- an expected refusal (a ``StoreError``: a sentence already) goes to the screen's ``refused``,
  which says it where the adviser is looking and puts the screen back as it was;
- anything else is unforeseen: ``refused`` gets the screen's own plain sentence (so its buttons
  come back), and the error goes on to the App's one error handler (app.py: ``report_error``),
  which logs its traceback and names the log in one sentence.

Progress and any other word to the screen go through ``Job.ui``, which runs the call on the UI
thread (``App.call_from_thread``), so a store function reporting progress never holds a widget.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from gatsby_tui.store import StoreError

T = TypeVar("T")


class Job:
    """What a job's work is given: its ``store``, ``ui`` to reach the screen, and whether it
    was ``cancelled`` (e.g. by a newer job of the same group)."""

    def __init__(self, app: Any, store: Any) -> None:
        self.app = app
        self.store = store

    def ui(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on the UI thread and return what it returns."""
        return self.app.call_from_thread(fn, *args, **kwargs)

    def progress(self, fn: Callable[[int, int], Any]) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for a store function, calling ``fn`` on the UI thread."""
        return lambda done, total: self.ui(fn, done, total)

    @property
    def cancelled(self) -> bool:
        return get_current_worker().is_cancelled


def start(node: DOMNode, work: Callable[[Job], T], *, group: str, done: Callable[[T], Any],
          refused: Callable[[str], Any] | None = None, unforeseen: str = "",
          expected: tuple[type[BaseException], ...] = (StoreError,),
          words: Callable[[BaseException], str] = str, own_connection: bool = True) -> Worker:
    """Run ``work(job)`` in a thread (a newer job of the same ``group`` cancels this one), then
    ``done(result)`` on the UI thread. An ``expected`` error is told to ``refused`` as
    ``words(error)``; any other is told to ``refused`` as ``unforeseen`` and reported by the App.
    With ``own_connection`` the work gets a connection of its own (``store.reopen()``), closed after.
    A job cancelled while it runs (``Worker.cancel()``, or a newer one of its group) ends without a
    word: neither ``done`` nor an error, whatever its work raised on the way out."""
    app = node.app

    def run() -> None:
        store = app.store.reopen() if own_connection else app.store
        try:
            result = work(Job(app, store))
        except Exception as error:
            if get_current_worker().is_cancelled:
                return       # no longer wanted (a newer job came, its query was interrupted): nothing to say
            if isinstance(error, expected):
                if refused is None:
                    raise
                app.call_from_thread(refused, words(error))
                return
            if refused is not None and unforeseen:
                app.call_from_thread(refused, unforeseen)
            raise        # the worker fails: the App's one handler logs it and says so
        finally:
            if own_connection:
                store.close()
        if not get_current_worker().is_cancelled:
            app.call_from_thread(done, result)

    return node.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group=group)
