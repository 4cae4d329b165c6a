"""Run a list of zhiben commands in one real process, each exactly as the `zhiben` executable would.

    python tests/cliworker.py DB_URL PLAN.json   →  last stdout line: JSON list of exit codes

Used by the concurrency and backup tests to have several processes write one database at once.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    from zhiben.cli import app

    db, plan_path = sys.argv[1], sys.argv[2]
    with open(plan_path, encoding="utf-8") as fh:
        plan = json.load(fh)
    codes = []
    for args in plan:
        try:
            app(["--db", db, *args], prog_name="zhiben")
        except SystemExit as exc:
            codes.append(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
    sys.stdout.flush()
    print("\n" + json.dumps(codes))


if __name__ == "__main__":
    main()
