"""Feed attacks to zhiben in one process under a memory cap and a per-attack time budget.

    python tests/hostile_walk.py DB_URL ATTACKS.json RESULTS.json [MEMORY_BYTES] [SECONDS]

ATTACKS.json is a list of {"label": ..., "args": [...], "db": optional other --db}. Each attack runs
as the `zhiben` executable would (in-process, output captured); after each one the database is
compared with its state before. RESULTS.json gets one record per attack.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import time
import traceback


class OverBudget(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in zhiben swallows it."""


def _alarm(signum, frame):
    raise OverBudget


def main() -> None:
    db, attacks_path, results_path = sys.argv[1:4]
    memory = int(sys.argv[4]) if len(sys.argv) > 4 else 1024 ** 3
    seconds = int(sys.argv[5]) if len(sys.argv) > 5 else 30
    with open(attacks_path, encoding="utf-8") as fh:
        attacks = json.load(fh)
    from typer.testing import CliRunner

    import dbstate
    from zhiben.cli import app

    # The cap comes after the imports: it bounds what the attack costs, not Python's start-up.
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGALRM, _alarm)
    runner = CliRunner()
    before = dbstate.digest(db)
    results = []
    for attack in attacks:
        start = time.monotonic()
        signal.alarm(seconds)
        try:
            r = runner.invoke(app, ["--db", attack.get("db") or db, *attack["args"]], prog_name="zhiben",
                              catch_exceptions=True)
            out, code = r.output, r.exit_code
            crash = None if r.exception is None or isinstance(r.exception, SystemExit) else "".join(
                traceback.format_exception(r.exception))[-2000:]
        except OverBudget:
            out, code, crash = "", None, f"超过 {seconds} 秒"
        finally:
            signal.alarm(0)
        elapsed = time.monotonic() - start
        after = dbstate.digest(db)
        results.append({"label": attack["label"], "args": attack["args"], "exit": code, "output": out[:3000],
                        "seconds": round(elapsed, 2), "crash": crash, "changed": after != before})
        before = after
    with open(results_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
