"""Progress bars: drawn on a terminal's stderr once work runs past the delay, never otherwise."""

from __future__ import annotations

import io
import time

from zhiben.outputs import progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_nothing_when_stderr_is_not_a_terminal():
    out = io.StringIO()
    with progress.Bar("导出", total=3, stream=out, delay=0) as bar:
        for _ in range(3):
            bar.advance()
    assert bar.completed == 3 and out.getvalue() == ""
    assert list(progress.track(range(5), "写入", stream=out, delay=0)) == [0, 1, 2, 3, 4]
    assert out.getvalue() == ""


def test_quick_work_draws_nothing_even_on_a_terminal():
    out = Tty()
    assert list(progress.track(range(1000), "写入", stream=out, delay=5)) == list(range(1000))
    assert out.getvalue() == ""


def test_long_work_on_a_terminal_draws_a_bar_with_counts():
    out = Tty()
    items = []
    for i in progress.track(range(4), "导出逾期清单", stream=out, delay=0.05, unit="行"):
        time.sleep(0.12)
        items.append(i)
    assert items == [0, 1, 2, 3]
    text = out.getvalue()
    assert "导出逾期清单" in text and "/4" in text and "行" in text


def test_unknown_total_and_renaming():
    out = Tty()
    with progress.Bar("读取", stream=out, delay=0) as bar:
        time.sleep(0.11)
        bar.advance(10)
        bar.update(description="写入", total=20)
        time.sleep(0.11)
        bar.advance(10)
    assert bar.completed == 20 and "写入" in out.getvalue()
