"""The live display of `chunkctl create --wait` and `chunkctl watch`: one
rich progress bar per task with its status, stage and pages done, on stderr
so that stdout stays for results that scripts read."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from client.views import Status, TaskView

STATUS_STYLE: dict[Status, str] = {
    Status.STARTING: "cyan",
    Status.PROCESSING: "yellow",
    Status.SUCCEEDED: "green",
    Status.FAILED: "red",
    Status.CANCELLED: "magenta",
}


class TaskBars:
    """`with TaskBars(console) as bars: bar = bars.add("a.pdf"); bars.show(bar, task)`.
    Invisible ones cost nothing, so callers need not check whether to show."""

    def __init__(self, console: Console, *, visible: bool = True) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            TextColumn("{task.fields[status]}"),
            TextColumn("{task.fields[stage]}"),
            BarColumn(),
            TextColumn("{task.fields[pages]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not visible,
        )

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._progress.stop()

    def add(self, label: str) -> TaskID:
        return self._progress.add_task(label, total=None, status="[cyan]Uploading", stage="", pages="")

    def show(self, bar: TaskID, task: TaskView, note: str = "") -> None:
        """Status, stage and pages done/total as the latest event has them; a
        finished task's bar stops (full if it succeeded) and its clock too."""
        progress = task.progress
        status = f"[{STATUS_STYLE[task.status]}]{task.status.value}"
        if task.status in (Status.FAILED, Status.CANCELLED) and task.message:
            status += f": {task.message}"
        total = progress.pages_total or (task.page_count if task.status is Status.SUCCEEDED else 0)
        done = total if task.status is Status.SUCCEEDED else progress.pages_done
        pages = f"{done}/{total} pages" if total else ""
        stage = progress.stage if task.status is Status.PROCESSING else ""
        if task.terminal:
            self._finish(bar, status + note, done if total else 0, total or 1, pages)
        else:
            self._progress.update(
                bar, status=status + note, stage=stage, total=total or None, completed=done, pages=pages
            )

    def fail(self, bar: TaskID, message: str) -> None:
        self._finish(bar, f"[red]{message}", 0, 1, "")

    def _finish(self, bar: TaskID, status: str, completed: int, total: int, pages: str) -> None:
        self._progress.update(bar, status=status, stage="", total=total, completed=completed, pages=pages)
        self._progress.stop_task(bar)
