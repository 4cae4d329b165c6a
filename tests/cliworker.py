"""Run a list of zhiben commands in one real process, each exactly as the `zhiben` executable would.

    python tests/cliworker.py DB_URL PLAN.json [SECONDS]   →  last stdout line: JSON list of exit codes

With SECONDS the plan is run again and again until that many seconds have passed (the command
under way when they do is finished).

Used by the concurrency and backup tests to have several processes write one database at once.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    from zhiben.cli import app

    db, plan_path = sys.argv[1], sys.argv[2]
    until = time.monotonic() + float(sys.argv[3]) if len(sys.argv) > 3 else None
    with open(plan_path, encoding="utf-8") as fh:
        plan = json.load(fh)
    codes = []
    while True:
        for args in plan:
            try:
                app(["--db", db, *args], prog_name="zhiben")
            except SystemExit as exc:
                codes.append(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
            if until is not None and time.monotonic() >= until:
                break
        if until is None or time.monotonic() >= until:
            break
    sys.stdout.flush()
    print("\n" + json.dumps(codes))


if __name__ == "__main__":
    main()
