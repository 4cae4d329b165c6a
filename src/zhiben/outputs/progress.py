"""Progress bars for long work: on stderr, only when stderr is a terminal, only after about a second.

Under cron or in a pipe stderr is not a terminal, so nothing is drawn and logs stay clean. Work that
finishes within `DELAY` seconds draws nothing either: a bar that flashes for a split second is noise.

    with progress.Bar("导出逾期清单", total=len(rows)) as bar:
        for row in rows:
            ...
            bar.advance()

    for row in progress.track(rows, "写入工作簿", total=n):
        ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

if TYPE_CHECKING:  # rich itself is imported only when a bar is shown
    from rich.progress import Progress, TaskID

DELAY = 1.0
# advance() is called once per row; the bar is redrawn at most this often (seconds).
_REFRESH = 0.1

T = TypeVar("T")


def wanted(stream: TextIO | None = None) -> bool:
    """True when `stream` (default stderr) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced by something file-like
        return False


class Bar:
    """A rich progress bar that appears once the work has run for `delay` seconds."""

    def __init__(self, description: str, total: int | None = None, *, stream: TextIO | None = None,
                 delay: float = DELAY, unit: str = "行") -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.delay = delay
        self.stream = sys.stderr if stream is None else stream
        self.enabled = wanted(self.stream)
        self.completed = 0
        self._started = time.monotonic()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last = 0.0

    def __enter__(self) -> Bar:
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._flush()
            self._progress.stop()
            self._progress = None

    def _show(self) -> None:
        console = Console(file=self.stream, force_terminal=True, stderr=self.stream is sys.stderr)
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn(self.unit), TimeElapsedColumn()]
        if self.total:
            columns.append(TimeRemainingColumn())
        progress = Progress(*columns, console=console, transient=True)
        self._task = progress.add_task(self.description, total=self.total, completed=self.completed)
        progress.start()
        self._progress = progress

    def _flush(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.completed, total=self.total)

    def advance(self, n: int = 1) -> None:
        self.completed += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < _REFRESH:
            return
        self._last = now
        if self._progress is None:
            if now - self._started < self.delay:
                return
            self._show()
        self._flush()

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        if total is not None:
            self.total = total
        if description is not None:
            self.description = description
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, description=description)


def track(items: Iterable[T], description: str, total: int | None = None, *, stream: TextIO | None = None,
          delay: float = DELAY, unit: str = "行") -> Iterator[T]:
    """Yield `items`, drawing a bar on a terminal's stderr if it takes more than `delay` seconds."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Bar(description, total, stream=stream, delay=delay, unit=unit) as bar:
        for item in items:
            yield item
            bar.advance()
