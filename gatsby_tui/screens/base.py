"""What every screen shares: worker errors reach the person as a sentence, never a traceback."""

from __future__ import annotations

from textual import on
from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mix into a Screen that runs workers (exit_on_error=False): a failed worker's
    error is shown by the App's one error reporter."""

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]
