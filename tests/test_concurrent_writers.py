"""Four writers at once for at least 30 s: a register import looping with risk levels and counties
rotated, `done`, `reopen` and a status import; afterwards `zhiben check` finds the occurrence table
equal to a fresh computation (issue 17; on PostgreSQL the writers queue on one advisory lock)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from zhiben.register import creditcode

pytestmark = pytest.mark.slow  # real processes for at least 30 s

WORKER = Path(__file__).parent / "cliworker.py"
SECONDS = float(os.environ.get("ZHIBEN_TEST_WRITERS_SECONDS", "30"))
N = 40
RISKS = ("红", "橙", "黄", "蓝")
COUNTIES = ("临清市", "冠县")
CODES = [creditcode.complete(f"91371500MA3W{i:05d}") for i in range(N)]
HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级"
STATUS_HEADER = "编号,主体类别,责任主体,统一社会信用代码,周期,状态,完成日期"
# A refusal the rotation makes normal: chem-21-c for an enterprise that is not 橙 just now.
EXPECTED_REFUSAL = "只针对橙色企业"


def _register(path: Path, turn: int) -> Path:
    rows = [f"{code},并发化工{i:02d}有限公司,{COUNTIES[(i + turn) % 2] if i % 2 else COUNTIES[0]},化工,重大危险源,"
            f"{RISKS[(i + turn) % 4]}" for i, code in enumerate(CODES)]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _status(path: Path, word: str) -> Path:
    rows = [f"chem-10-a,企业,并发化工{i:02d}有限公司,{CODES[i]},2025-07,{word},{'2025-07-30' if word == '已完成' else ''}"
            for i in range(0, N, 4)]
    path.write_text(STATUS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _plans(tmp_path: Path) -> dict[str, list[list[str]]]:
    rnd = random.Random(17)
    picks = [(rnd.choice(CODES), rnd.randint(1, 12)) for _ in range(30)]
    done, reopen = [], []
    for code, month in picks:
        period = f"2025-{month:02d}"
        done.append(["done", "chem-10-a", "--enterprise", code, "--period", period, "--on", f"2025-{month:02d}-28"])
        done.append(["done", "chem-21-c", "--enterprise", code, "--period", "2025-H1", "--on", "2025-06-10"])
        reopen.append(["reopen", "chem-10-a", "--enterprise", code, "--period", period])
        reopen.append(["reopen", "chem-21-c", "--enterprise", code, "--period", "2025-H1"])
    rnd.shuffle(reopen)
    return {
        "import": [["enterprise", "import", str(_register(tmp_path / f"名册{t}.csv", t))] for t in range(4)],
        "done": done,
        "reopen": reopen,
        "status": [["status", "import", str(_status(tmp_path / "完成.csv", "已完成"))],
                   ["status", "import", str(_status(tmp_path / "撤销.csv", "撤销"))]],
    }


def _start(tmp_path: Path, db_url: str, name: str, plan: list[list[str]]) -> subprocess.Popen:
    plan_file = tmp_path / f"{name}.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, str(WORKER), db_url, str(plan_file), str(SECONDS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)


def test_four_writers_for_thirty_seconds_leave_the_table_equal_to_its_recomputation(cli, db_url, tmp_path):
    first = cli("enterprise", "import", str(_register(tmp_path / "名册.csv", 0)))
    assert first.exit_code == 0, first.output
    plans = _plans(tmp_path)
    procs = {name: _start(tmp_path, db_url, name, plan) for name, plan in plans.items()}
    results = {name: p.communicate(timeout=SECONDS + 600) for name, p in procs.items()}

    for name, (out, err) in results.items():
        assert procs[name].returncode == 0, (name, err[-2000:])
        assert "Traceback" not in err and "locked" not in err, (name, err[-2000:])
        codes = json.loads(out.strip().splitlines()[-1])
        assert len(codes) >= 4 and set(codes) <= {0, 2}, (name, codes, err[-2000:])
        refusals = [line for line in err.splitlines() if line.startswith("错误")]
        assert [line for line in refusals if EXPECTED_REFUSAL not in line] == [], name
        assert codes.count(2) == len(refusals), (name, codes, refusals[:5])

    check = cli("check")
    assert check.exit_code == 0, check.output
    assert check.output.startswith("事项实例表与重新计算的结果一致")
