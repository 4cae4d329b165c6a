"""zhiben at city, large-city and province scale, beside Taskwarrior and a bare SQLite query.

    python bench/bench.py [--sizes city,10x,province] [--pg-url URL] [--quick] [--as-of 2026-06-30] [--format json]

For each size: generate a register (bench/register_gen.py), then time, each in a fresh
subprocess of the installed `zhiben` CLI: first use (`init`), the fixed start-up (a report on the
empty register), `load`, `enterprise import` (which fills the occurrence table), `done`, `check`,
and the reports in JSON and in the default format, including the whole-city overdue list in
every format (µs per row). Half of the occurrences due before the as-of date are marked done
with one set-based INSERT. Peak memory is each subprocess's maximum RSS (GNU time %M). The same
occurrences are then put (a) into Taskwarrior (throwaway TASKRC/TASKDATA, due dates shifted so
that "now" is the as-of date) and (b) into one plain SQLite table queried by the sqlite3 CLI:
the floor. `python -c "import typer"` is timed in the same run: the floor of any typer command.
With --pg-url the city size runs again on PostgreSQL. Every goal of issue 23 is printed with its
figure and whether it was met, as markdown tables (default) or JSON (--format json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import register_gen

SIZES = {"city": 5_000, "10x": 50_000, "province": 100_000}
SIZE_NAMES = {"city": "市级(5,000 家)", "10x": "十倍市级(50,000 家)", "province": "省级(100,000 家)",
              "city-pg": "市级(5,000 家),PostgreSQL"}
COUNTY = "茌平区"
UPCOMING_DAYS = 30
# Above this many tasks `task import` needs gigabytes (≈5.6 KB per task), so the task files are
# written directly in Taskwarrior's own format instead; the timed reports are unaffected.
TASK_IMPORT_LIMIT = 250_000
TIME = "/usr/bin/time"


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    # user + system CPU seconds of each run: less sensitive than wall time to other load on the machine
    cpu: list[float] = field(default_factory=list)
    rss_kb: int = 0
    rows: int | None = None
    note: str = ""

    @property
    def best(self) -> float | None:
        return min(self.seconds) if self.seconds else None

    @property
    def best_cpu(self) -> float | None:
        return min(self.cpu) if self.cpu else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def run(cmd: list[str], *, env: dict, out: Path | None = None, cwd=None) -> tuple[float, int, float]:
    """Run `cmd` in a fresh process: (wall seconds, peak RSS in KB, CPU seconds). Fails loudly on non-zero exit.

    Peak memory comes from GNU time's %M: the rusage of a child forked straight from this (large)
    Python process would include the pre-exec copy of this process.
    """
    fout = open(out, "wb") if out else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss, tempfile.TemporaryFile() as err:
        try:
            t0 = time.perf_counter()
            p = subprocess.run([TIME, "-f", "%M %U %S", "-o", rss.name, *cmd], stdout=fout, stderr=err, env=env,
                               cwd=cwd)
            elapsed = time.perf_counter() - t0
        finally:
            if out:
                fout.close()
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} → exit {p.returncode}\n{err.read().decode(errors='replace')[-2000:]}")
        fields = rss.read().split()[-3:]
    try:
        return elapsed, int(fields[0]), float(fields[1]) + float(fields[2])
    except (IndexError, ValueError):
        return elapsed, 0, 0.0


def timed(m: Measure, repeat: int, cmd: list[str], *, env: dict, out: Path | None = None) -> Measure:
    for _ in range(repeat):
        sec, rss, cpu = run(cmd, env=env, out=out)
        m.seconds.append(sec)
        m.cpu.append(cpu)
        m.rss_kb = max(m.rss_kb, rss)
    return m


def python_of(exe: str) -> str:
    """The interpreter the zhiben command runs on (its virtual environment's python)."""
    here = Path(exe).parent / "python"
    return str(here) if here.exists() else sys.executable


def zhiben_exe() -> str:
    local = Path(sys.executable).parent / "zhiben"
    found = str(local) if local.exists() else shutil.which("zhiben")
    if not found:
        sys.exit("找不到 zhiben 命令:请先在当前 Python 环境中安装本项目(pip install -e .)")
    return found


# --- database set-up done outside the timed commands -------------------------------------------

def _picked(key: str) -> int:
    return (zlib.crc32(key.encode()) >> 3) & 1


def _done_on(key: str, due: str, as_of: str) -> str:
    # Mostly on time (0-14 days early), one in ten late by up to 29 days, never after as-of.
    h = zlib.crc32(key.encode(), 7)
    days = h % 30 if h % 10 == 0 else -(h % 15)
    return min((dt.date.fromisoformat(due) + dt.timedelta(days=days)).isoformat(), as_of)


def _recount() -> tuple[str, ...]:
    """The occurrence counts made again after the completion dates changed behind zhiben's back
    (db/tally.py; a tree from before schema 9 has none)."""
    try:
        from zhiben.db import tally
    except ImportError:
        return ()
    return (tally.CLEAR, tally.RECOUNT)


def mark_half_done(db: Path, as_of: dt.date) -> int:
    """Half of the occurrences due before `as_of` (hash-picked) become done: one INSERT … SELECT
    from the occurrence table, then the table's completion dates are brought in step (what
    `zhiben done` does row by row)."""
    import sqlite3

    a = as_of.isoformat()
    con = sqlite3.connect(db)
    con.create_function("bench_picked", 1, _picked, deterministic=True)
    con.create_function("bench_done_on", 3, _done_on, deterministic=True)
    key = "o.milestone_id || '|' || o.subject_kind || '|' || o.subject_id || '|' || o.period"
    n = con.execute(
        "INSERT INTO completion (milestone_id, subject_kind, subject_id, period, done_on, recorded_by, source,"
        " recorded_at) SELECT o.milestone_id, o.subject_kind, o.subject_id, o.period,"
        f" bench_done_on({key}, o.due, :a), 'bench', 'bench', datetime('now') FROM occurrence o"
        f" WHERE o.due < :a AND o.bound = 'deadline' AND (o.closed_on IS NULL OR o.closed_on > :a)"
        f" AND bench_picked({key}) = 1", {"a": a}).rowcount
    con.execute("UPDATE occurrence AS o SET done_on = k.done_on FROM completion AS k WHERE"
                " k.milestone_id = o.milestone_id AND k.subject_kind = o.subject_kind"
                " AND k.subject_id = o.subject_id AND k.period = o.period")
    for sql in _recount():
        con.execute(sql)
    con.commit()
    con.close()
    return n


def _conninfo(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://…) as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def mark_half_done_pg(url: str, as_of: dt.date) -> int:
    """mark_half_done on PostgreSQL: the same occurrences picked (same hash of the same key), the
    same completion dates."""
    import psycopg

    a = as_of.isoformat()
    with psycopg.connect(_conninfo(url)) as con:
        rows = con.execute("SELECT milestone_id, subject_kind, subject_id, period, due FROM occurrence WHERE due < %s"
                           " AND bound = 'deadline' AND (closed_on IS NULL OR closed_on > %s)", (as_of, as_of)).fetchall()
        picked = []
        for mid, kind, sid, period, due in rows:
            key = f"{mid}|{kind}|{sid}|{period}"
            if _picked(key):
                picked.append((mid, kind, sid, period, dt.date.fromisoformat(_done_on(key, due.isoformat(), a))))
        with con.cursor() as cur:
            cur.executemany("INSERT INTO completion (milestone_id, subject_kind, subject_id, period, done_on,"
                            " recorded_by, source, recorded_at) VALUES (%s, %s, %s, %s, %s, 'bench', 'bench', now())",
                            picked)
        con.execute("UPDATE occurrence AS o SET done_on = k.done_on FROM completion AS k WHERE"
                    " k.milestone_id = o.milestone_id AND k.subject_kind = o.subject_kind"
                    " AND k.subject_id = o.subject_id AND k.period = o.period")
        for sql in _recount():
            con.execute(sql)
    return len(picked)


def sample_done_args_pg(url: str, n: int) -> list[list[str]]:
    import psycopg

    with psycopg.connect(_conninfo(url)) as con:
        rows = con.execute(
            "SELECT o.milestone_id, o.credit_code, o.period, o.due FROM occurrence o JOIN milestone m ON m.id = o.milestone_id"
            " WHERE o.subject_kind = 'enterprise' AND o.done_on IS NULL AND m.kind = 'recurring' AND o.due < CURRENT_DATE"
            " ORDER BY o.due DESC, o.milestone_id, o.credit_code LIMIT %s", (n,)).fetchall()
    return [["done", mid, "--enterprise", code, "--period", period, "--on", due.isoformat()] for mid, code, period, due in rows]


def count_pg(url: str) -> int:
    import psycopg

    with psycopg.connect(_conninfo(url)) as con:
        return con.execute("SELECT count(*) FROM occurrence").fetchone()[0]


def fresh_pg_database(url: str, name: str) -> str:
    """A new empty database beside the one `url` names (dropped first if a failed run left it)."""
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_floor(db: Path, floor: Path, as_of: dt.date) -> int:
    """Every occurrence (with its done flag as of `as_of`) in one plain indexed table of its own file."""
    import sqlite3

    floor.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute("ATTACH DATABASE ? AS floor", (str(floor),))
    con.execute(
        "CREATE TABLE floor.occ AS SELECT o.milestone_id, o.plan, m.title, o.position, o.subject_kind, o.subject,"
        " c.name AS county, o.county_pos, o.credit_code, o.period, o.due,"
        " (o.done_on IS NOT NULL AND o.done_on <= :a) AS done"
        " FROM occurrence o JOIN milestone m ON m.id = o.milestone_id LEFT JOIN county c ON c.id = o.county_id"
        " WHERE o.closed_on IS NULL OR o.closed_on > :a", {"a": as_of.isoformat()})
    con.execute("CREATE INDEX floor.occ_due ON occ (done, due)")
    con.execute("CREATE INDEX floor.occ_county ON occ (county, done, due)")
    n = con.execute("SELECT count(*) FROM floor.occ").fetchone()[0]
    con.commit()
    con.close()
    return n


def floor_queries(as_of: dt.date) -> dict[str, str]:
    a, end = as_of.isoformat(), (as_of + dt.timedelta(days=UPCOMING_DAYS)).isoformat()
    cols = "milestone_id, plan, title, subject_kind, subject, county, credit_code, period, due"
    order = "ORDER BY due, plan, position, county_pos, subject, period"
    return {
        "overdue": f"SELECT {cols}, julianday('{a}') - julianday(due) AS days_overdue FROM occ "
                   f"WHERE done = 0 AND due < '{a}' {order}",
        "overdue_county": f"SELECT {cols}, julianday('{a}') - julianday(due) AS days_overdue FROM occ "
                          f"WHERE county = '{COUNTY}' AND done = 0 AND due < '{a}' {order}",
        "progress": f"SELECT coalesce(county, '聊城市应急管理局') AS label, sum(due < '{a}') AS due_so_far, "
                    f"sum(due < '{a}' AND done) AS done, sum(due < '{a}' AND NOT done) AS overdue, "
                    f"sum(due >= '{a}' AND NOT done) AS open_later FROM occ GROUP BY county ORDER BY min(county_pos)",
        "upcoming": f"SELECT {cols}, julianday(due) - julianday('{a}') AS days_left FROM occ "
                    f"WHERE done = 0 AND due >= '{a}' AND due <= '{end}' {order}",
    }


# --- Taskwarrior --------------------------------------------------------------------------------

def _tw_time(day: str, shift: dt.timedelta) -> str:
    # Due at the end of the (shifted) day, so a task due "today" is not yet overdue, as in zhiben.
    d = dt.date.fromisoformat(day) + shift
    return d.strftime("%Y%m%dT235959Z")


def _tw_epoch(day: str, shift: dt.timedelta) -> str:
    d = dt.datetime.combine(dt.date.fromisoformat(day) + shift, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)
    return str(int(d.timestamp()))


def setup_taskwarrior(floor: Path, work: Path, as_of: dt.date) -> tuple[dict, int, str]:
    """Throwaway Taskwarrior holding the same occurrences: open ones due up to as-of+30 days
    (pending) and the done ones (completed). Returns (env, number of tasks, how they got in)."""
    import sqlite3

    data = work / "taskdata"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=off\nhooks=off\n"
                  "recurrence=off\njson.array=on\n", encoding="utf-8")
    env = dict(os.environ, TASKRC=str(rc), TASKDATA=str(data), TZ="UTC")
    shift = dt.date.today() - as_of
    end = (as_of + dt.timedelta(days=UPCOMING_DAYS)).isoformat()
    con = sqlite3.connect(floor)
    rows = con.execute(
        "SELECT milestone_id, title, subject, county, period, due, done FROM occ WHERE done = 1 OR due <= ?",
        (end,)).fetchall()
    con.close()
    entry = "20240101T000000Z"
    tasks = []
    for mid, title, subject, county, period, due, done in rows:
        t = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{mid}|{subject}|{period}")),
             "description": f"{mid} {title} — {subject} {period}", "project": county or "聊城市",
             "entry": entry, "due": _tw_time(due, shift), "status": "completed" if done else "pending"}
        if done:
            t["end"] = t["due"]
        tasks.append(t)
    if len(tasks) <= TASK_IMPORT_LIMIT:
        path = work / "tasks.json"
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        run(["task", "import", str(path)], env=env)
        how = "task import"
    else:
        _write_ff4(tasks, data, shift)
        how = "直接写入 FF4 数据文件"
    return env, len(tasks), how


def _ff4(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "&dquot;")


def _write_ff4(tasks: list[dict], data: Path, shift: dt.timedelta) -> None:
    def epoch(stamp: str) -> str:
        return str(int(dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc).timestamp()))

    with (data / "pending.data").open("w", encoding="utf-8") as pend, \
            (data / "completed.data").open("w", encoding="utf-8") as comp:
        for t in tasks:
            attrs = {k: (epoch(v) if k in ("due", "end", "entry") else v) for k, v in t.items()}
            line = "[" + " ".join(f'{k}:"{_ff4(v)}"' for k, v in sorted(attrs.items())) + "]\n"
            (comp if t["status"] == "completed" else pend).write(line)


def task_commands(as_of: dt.date) -> dict[str, list[str]]:
    return {
        "overdue": ["task", "+OVERDUE", "export"],
        "overdue_county": ["task", f"project:{COUNTY}", "+OVERDUE", "export"],
        "progress": ["task", "summary"],
        "upcoming": ["task", "status:pending", "due.after:now", f"due.before:eod+{UPCOMING_DAYS}d", "export"],
    }


# --- one size -----------------------------------------------------------------------------------

# (key, label, argv after the as-of is known, how rows are counted, goal kind)
#   goal kind: "bounded" = a bounded report (< 0.15 s city, < 0.8 s 10× city, ≥ 5× Taskwarrior),
#              "dump" = the whole-city overdue list (≤ 10 µs per row), None = shown only.
REPORTS = [
    ("overdue_county_json", f"overdue --county {COUNTY} -f json",
     lambda a: ["overdue", "--county", COUNTY, "--as-of", a, "-f", "json"], "json", "bounded"),
    ("overdue_county_table", f"overdue --county {COUNTY}(默认格式)",
     lambda a: ["overdue", "--county", COUNTY, "--as-of", a], None, "bounded"),
    ("progress_json", "progress --by county -f json",
     lambda a: ["progress", "--by", "county", "--as-of", a, "-f", "json"], "json", "bounded"),
    ("progress_table", "progress --by county(默认格式)",
     lambda a: ["progress", "--by", "county", "--as-of", a], None, "bounded"),
    ("upcoming_json", f"upcoming --days {UPCOMING_DAYS} -f json",
     lambda a: ["upcoming", "--days", str(UPCOMING_DAYS), "--as-of", a, "-f", "json"], "json", "bounded"),
    ("upcoming_table", f"upcoming --days {UPCOMING_DAYS}(默认格式)",
     lambda a: ["upcoming", "--days", str(UPCOMING_DAYS), "--as-of", a], None, "bounded"),
    ("overdue_table", "overdue(全市,默认格式:按事项汇总)", lambda a: ["overdue", "--as-of", a], None, None),
    ("dump_json", "overdue -f json(全市明细)", lambda a: ["overdue", "--as-of", a, "-f", "json"], "json", "dump"),
    ("dump_csv", "overdue -f csv(全市明细)", lambda a: ["overdue", "--as-of", a, "-f", "csv"], "csv", "dump"),
    ("dump_table", "overdue --detail(全市明细,默认格式)", lambda a: ["overdue", "--detail", "--as-of", a],
     "lines", "dump"),
    ("dump_markdown", "overdue --detail -f markdown(全市明细)",
     lambda a: ["overdue", "--detail", "--as-of", a, "-f", "markdown"], "lines", "dump"),
]
# The same question asked of Taskwarrior and of the bare sqlite3 CLI (see task_commands/floor_queries).
SAME_QUESTION = {"overdue_county_json": "overdue_county", "overdue_county_table": "overdue_county",
                 "progress_json": "progress", "progress_table": "progress", "upcoming_json": "upcoming",
                 "upcoming_table": "upcoming", "dump_json": "overdue", "dump_csv": "overdue",
                 "dump_table": "overdue", "dump_markdown": "overdue"}


def count_rows(path: Path, how: str | None) -> int | None:
    if how == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return len(data) if isinstance(data, list) else None
    if how == "csv":
        return max(0, sum(1 for _ in path.open(encoding="utf-8-sig")) - 1)
    if how == "lines":
        return sum(1 for _ in path.open(encoding="utf-8"))
    return None


def json_rows(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8")))


def sample_done_args(db: Path, n: int) -> list[list[str]]:
    """`done` commands for n open enterprise duties (distinct), for timing one write each."""
    import sqlite3

    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT o.milestone_id, o.credit_code, o.period, o.due FROM occurrence o JOIN milestone m ON m.id = o.milestone_id"
        " WHERE o.subject_kind = 'enterprise' AND o.done_on IS NULL AND m.kind = 'recurring' AND o.due < date('now')"
        " ORDER BY o.due DESC, o.milestone_id, o.credit_code LIMIT ?", (n,)).fetchall()
    con.close()
    return [["done", mid, "--enterprise", code, "--period", period, "--on", due] for mid, code, period, due in rows]


def bench_size(size: str, n: int, args, exe: str, root: Path, pg_url: str | None = None) -> dict:
    """One size on SQLite, or with `pg_url` on that PostgreSQL database (no Taskwarrior or bare
    SQLite comparison there: those are the SQLite run's)."""
    work = root / size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "zhiben.db"
    env = dict(os.environ, ZHIBEN_DB=pg_url or str(db), COLUMNS="160")
    # A normal install has compiled bytecode; do not make every run recompile zhiben's sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    a = args.as_of.isoformat()
    res: dict = {"size": size, "enterprises": n, "as_of": a, "zhiben": {}, "task": {}, "sqlite": {},
                 "load_before": os.getloadavg()[0]}
    log = lambda msg: print(f"[{size}] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    log(f"生成 {n} 家企业名录")
    rows = register_gen.generate(n, seed=args.seed)
    csv_path = work / "register.csv"
    register_gen.write_csv(rows, csv_path)
    res["register"] = {"sectors": {s: sum(r[3] == s for r in rows) for s in ("工贸", "化工/危险化学品", "非煤矿山")},
                       "csv_bytes": csv_path.stat().st_size}

    z = res["zhiben"]
    z["init"] = timed(Measure(), 1, [exe, "init"], env=env)
    # Fixed start-up: a report on an empty register (the catalogue's city, county and park duties only).
    z["startup"] = timed(Measure(), args.repeat, [exe, "overdue", "--county", COUNTY, "--as-of", a, "-f", "json"],
                         env=env)
    # The framework's own floor, in the same run and the same interpreter: no typer command starts faster.
    z["typer"] = timed(Measure(), args.repeat, [python_of(exe), "-c", "import typer"], env=env)
    z["typer_app"] = timed(Measure(), args.repeat, [python_of(exe), str(Path(__file__).with_name("typer_floor.py")),
                                                    "overdue", "--county", COUNTY, "-f", "json"], env=env)
    z["help"] = timed(Measure(), args.repeat, [exe, "--help"], env=env)
    z["load"] = timed(Measure(), args.repeat, [exe, "load"], env=env)
    log("zhiben enterprise import")
    z["import"] = timed(Measure(), 1, [exe, "enterprise", "import", str(csv_path)], env=env)
    # Re-import of the same file: every row compared, nothing to change.
    z["reimport"] = timed(Measure(), 1, [exe, "enterprise", "import", str(csv_path)], env=env)
    log("标记一半已到期事项为已完成")
    res["completions"] = mark_half_done_pg(pg_url, args.as_of) if pg_url else mark_half_done(db, args.as_of)
    log("zhiben done(单条记录)")
    m = Measure()
    for argv in sample_done_args_pg(pg_url, args.repeat) if pg_url else sample_done_args(db, args.repeat):
        timed(m, 1, [exe, *argv], env=env)
    z["done"] = m
    log("zhiben check")
    z["check"] = timed(Measure(), 1, [exe, "check"], env=env)
    if pg_url:
        res["occurrences"] = count_pg(pg_url)
    else:
        log("生成基准表(bare SQLite)")
        res["occurrences"] = build_floor(db, work / "floor.db", args.as_of)

    for key, _, argv, how, _ in REPORTS:
        log(f"zhiben {key}")
        out = work / f"zhiben-{key}.out"
        m = timed(Measure(), args.repeat, [exe, *argv(a)], env=env, out=out)
        m.rows = count_rows(out, how)
        z[key] = m

    s = res["sqlite"]
    for key, sql in floor_queries(args.as_of).items() if not pg_url else ():
        out = work / f"sqlite-{key}.out"
        m = timed(Measure(), args.repeat, ["sqlite3", "-json", str(work / "floor.db"), sql], env=env, out=out)
        m.rows = json_rows(out) if out.stat().st_size else 0
        s[key] = m

    if not pg_url and not args.no_taskwarrior and shutil.which("task"):
        log("准备 Taskwarrior 数据")
        t0 = time.perf_counter()
        tenv, ntasks, how = setup_taskwarrior(work / "floor.db", work, args.as_of)
        res["task_setup"] = {"tasks": ntasks, "how": how, "seconds": round(time.perf_counter() - t0, 1)}
        t = res["task"]
        tw_repeat = 1 if ntasks > TASK_IMPORT_LIMIT else args.repeat
        for key, cmd in task_commands(args.as_of).items():
            log(f"task {key}")
            out = work / f"task-{key}.out"
            m = timed(Measure(), tw_repeat, cmd, env=tenv, out=out)
            m.rows = json_rows(out) if cmd[-1] == "export" else None
            t[key] = m
    shutil.rmtree(work / "taskdata", ignore_errors=True)
    res["load_after"] = os.getloadavg()[0]
    if not args.keep:
        for p in work.glob("*.out"):
            p.unlink()
    return res


# --- goals and output ---------------------------------------------------------------------------

CITY = SIZES["city"]
STARTUP_RATIO_GOAL = 1.5  # start-up at most this many times `python -c "import typer"` in the same run
BOUNDED_GOAL = {"city": 0.12, "10x": 0.3, "province": 1.0}
DUMP_GOAL_US = 10.0
MEMORY_GOAL_MB = 150
IMPORT_GOAL = 1.5
DONE_GOAL = 0.3
TASK_RATIO_GOAL = 5.0


def _scale(res: dict) -> str | None:
    """Which bounded-report goal applies: city size, ten times city size, or province size."""
    if res["enterprises"] <= CITY:
        return "city"
    if res["enterprises"] <= 10 * CITY:
        return "10x"
    return "province"


def _best(m: Measure | None) -> float | None:
    return None if m is None else m.best


def goals(res: dict) -> list[dict]:
    """Every figure the issue sets a goal for, with the goal and whether it was met."""
    z, t = res["zhiben"], res["task"]
    out = []

    def goal(what, value, target, met, unit="秒", cpu=None):
        # `cpu`: the same figure from CPU time, for a machine that was not idle (goals judge wall time).
        out.append({"goal": what, "value": value, "target": target, "unit": unit, "cpu": cpu,
                    "met": None if value is None else bool(met)})

    v, floor = _best(z.get("startup")), _best(z.get("typer"))
    if v is not None and floor:
        goal(f"固定启动开销(空名录上的 overdue)÷ import typer({floor:.3f} 秒)", round(v / floor, 2),
             f"≤ {STARTUP_RATIO_GOAL}×", v / floor <= STARTUP_RATIO_GOAL, unit="倍")
    app = _best(z.get("typer_app"))
    if v is not None and app:
        goal(f"同上 ÷ 最小 typer 程序运行一个命令({app:.3f} 秒,仅供参考)", round(v / app, 2),
             f"≤ {STARTUP_RATIO_GOAL}×", v / app <= STARTUP_RATIO_GOAL, unit="倍")
    scale = _scale(res)
    for key, label, _, _, kind in REPORTS:
        m = z.get(key)
        if m is None or m.best is None:
            continue
        if kind == "bounded" and scale:
            lim = BOUNDED_GOAL[scale]
            goal(label, m.best, f"< {lim} 秒", m.best < lim, cpu=m.best_cpu)
            tm = t.get(SAME_QUESTION[key])
            if scale == "city" and tm and tm.best:
                ratio = tm.best / m.best
                goal(f"{label}:Taskwarrior ÷ zhiben", round(ratio, 1), f"≥ {TASK_RATIO_GOAL}×",
                     ratio >= TASK_RATIO_GOAL, unit="倍")
        if (kind == "dump" or (key == "overdue_county_json" and scale != "city")) and m.rows:
            us = m.best / m.rows * 1e6
            goal(f"{label}:每行", round(us, 1), f"≤ {DUMP_GOAL_US} 微秒", us <= DUMP_GOAL_US, unit="微秒",
                 cpu=round(m.best_cpu / m.rows * 1e6, 1) if m.best_cpu else None)
    worst = max(((m.rss_kb, k) for k, m in z.items() if isinstance(m, Measure) and m.rss_kb), default=None)
    if worst:
        goal(f"峰值内存(最高:{worst[1]})", round(worst[0] / 1024), f"< {MEMORY_GOAL_MB} MB",
             worst[0] / 1024 < MEMORY_GOAL_MB, unit="MB")
    if res["enterprises"] == CITY and "import" in z:
        v = _best(z.get("import"))
        goal("导入 5,000 行名录(含事项实例表)", v, f"< {IMPORT_GOAL} 秒", v is not None and v < IMPORT_GOAL,
             cpu=z["import"].best_cpu)
    if "done" not in z:
        return out
    v = _best(z.get("done"))
    goal("一次 done", v, f"< {DONE_GOAL} 秒", v is not None and v < DONE_GOAL, cpu=z["done"].best_cpu)
    return out


def _s(m: Measure | None) -> str:
    return "—" if m is None or m.best is None else f"{m.best:.3f}"


def _cpu(m: Measure | None) -> str:
    return "—" if m is None or m.best_cpu is None else f"{m.best_cpu:.3f}"


def _mb(m: Measure | None) -> str:
    return "—" if m is None or not m.rss_kb else f"{m.rss_kb / 1024:.0f}"


def table(res: dict) -> str:
    z, t, s = res["zhiben"], res["task"], res["sqlite"]
    lines = [
        f"### {SIZE_NAMES.get(res['size'], res['size'])}:{res['occurrences']:,} 个事项实例,"
        f"已完成 {res['completions']:,},截至 {res['as_of']}",
        "",
        "| 操作 | zhiben 秒 | zhiben CPU 秒 | zhiben 内存 MB | 行数 | 每行微秒 | Taskwarrior 秒 | Taskwarrior 内存 MB "
        "| sqlite3 秒 | Taskwarrior ÷ zhiben | zhiben ÷ sqlite3 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("typer", "python -c \"import typer\"(框架下限)"),
                       ("typer_app", "最小的 typer 程序运行一个命令(bench/typer_floor.py)"),
                       ("startup", f"启动:空名录上的 overdue --county {COUNTY} -f json"), ("help", "zhiben --help"),
                       ("init", "init(建库并载入目录)"), ("load", "load(重新载入目录,含重建事项实例表)"),
                       ("import", "enterprise import(导入名录,含事项实例表)"),
                       ("reimport", "enterprise import(重复导入,无变化)"), ("done", "done(一条记录)"),
                       ("check", "check(重新计算并与事项实例表比较)")):
        m = z.get(key)
        if m is not None:
            lines.append(f"| {label} | {_s(m)} | {_cpu(m)} | {_mb(m)} | | | | | | | |")
    for key, label, _, _, kind in REPORTS:
        m = z[key]
        q = SAME_QUESTION.get(key)
        tm, sm = (t.get(q), s.get(q)) if q else (None, None)
        speedup = f"{tm.best / m.best:.1f}×" if tm and tm.best and m.best else "—"
        over = f"{m.best / sm.best:.1f}×" if sm and sm.best and m.best else "—"
        rows = f"{m.rows:,}" if m.rows is not None else ""
        per = f"{m.best / m.rows * 1e6:.1f}" if kind == "dump" and m.rows and m.best else ""
        lines.append(f"| {label} | {_s(m)} | {_cpu(m)} | {_mb(m)} | {rows} | {per} | {_s(tm)} | {_mb(tm)} | {_s(sm)} "
                     f"| {speedup} | {over} |")
    lines += ["", "| 目标 | 结果(墙钟) | 同一数字按 CPU 时间 | 要求 | 达到 |", "|---|---:|---:|---|---|"]
    for g in goals(res):
        value = "—" if g["value"] is None else f"{round(g['value'], 3):g} {g['unit']}"
        cpu = "" if g["cpu"] is None else f"{round(g['cpu'], 3):g} {g['unit']}"
        met = "—" if g["met"] is None else ("是" if g["met"] else "**否**")
        lines.append(f"| {g['goal']} | {value} | {cpu} | {g['target']} | {met} |")
    lines += ["", f"机器负载(1 分钟平均,2 核):开始 {res['load_before']:.1f},结束 {res['load_after']:.1f}。"]
    if "task_setup" in res:
        ts = res["task_setup"]
        lines += ["", f"Taskwarrior 数据:{ts['tasks']:,} 个任务({ts['how']},{ts['seconds']} 秒)。"]
    return "\n".join(lines)


def growth(results: list[dict]) -> str:
    if len(results) < 2:
        return ""
    base = results[0]
    keys = [k for k, _, _, _, kind in REPORTS if kind]
    lines = ["### 随规模增长(相对最小规模的倍数)", "",
             "| 规模 | 企业数倍数 | 事项实例倍数 | " + " | ".join(label for k, label, *_ in REPORTS if k in keys) + " |",
             "|---|---:|---:|" + "---:|" * len(keys)]
    for r in results:
        cells = []
        for key in keys:
            b, m = base["zhiben"][key].best, r["zhiben"][key].best
            cells.append(f"{m / b:.1f}×" if b and m else "—")
        lines.append(f"| {r['size']} | {r['enterprises'] / base['enterprises']:.0f}× | "
                     f"{r['occurrences'] / base['occurrences']:.1f}× | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _encode(o):
    if isinstance(o, Measure):
        return {"best": o.best, "median": o.median, "runs": o.seconds, "best_cpu": o.best_cpu, "cpu": o.cpu,
                "rss_kb": o.rss_kb, "rows": o.rows,
                "note": o.note}
    raise TypeError(type(o))


def as_json(results: list[dict]) -> str:
    return json.dumps([{**r, "goals": goals(r)} for r in results], ensure_ascii=False, indent=2, default=_encode)


def main() -> None:
    p = argparse.ArgumentParser(description="zhiben 性能基准:与 Taskwarrior、裸 SQLite 查询对比")
    p.add_argument("--sizes", default="city,10x,province", help="逗号分隔:city,10x,province 或企业数")
    p.add_argument("--quick", action="store_true", help="每项只运行一次(默认取 5 次中最快的一次)")
    p.add_argument("--repeat", type=int, default=5, help="每项运行次数,取最快一次(默认 5)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown",
                   help="结果输出格式:markdown 表格(默认)或 json")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30), help="报表日期")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--dir", type=Path, default=None, help="工作目录(默认临时目录,结束后删除)")
    p.add_argument("--keep", action="store_true", help="保留数据库和输出")
    p.add_argument("--no-taskwarrior", action="store_true")
    p.add_argument("--json", type=Path, default=None, help="另把结果以 JSON 存入该文件")
    p.add_argument("--pg-url", default=os.environ.get("ZHIBEN_BENCH_PG_URL"),
                   help="另在这台 PostgreSQL 上测市级规模(postgresql+psycopg://用户@主机:端口/库;在旁边新建一个库,"
                        "结束后删除);默认取环境变量 ZHIBEN_BENCH_PG_URL,都没有则跳过")
    args = p.parse_args()
    if args.quick:
        args.repeat = 1
    exe = zhiben_exe()
    if not Path(TIME).exists():
        sys.exit("需要 GNU time(/usr/bin/time)测量内存峰值:apt-get install -y time")
    if args.pg_url:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            sys.exit("--pg-url 需要 psycopg:pip install '.[postgres]'")
    if not shutil.which("sqlite3"):
        sys.exit("需要 sqlite3 命令行程序:apt-get install -y sqlite3")
    root = args.dir or Path(tempfile.mkdtemp(prefix="zhiben-bench-"))
    sizes = [(s, SIZES[s] if s in SIZES else int(s)) for s in args.sizes.split(",") if s]
    results = []
    try:
        for size, n in sizes:
            res = bench_size(size, n, args, exe, root)
            results.append(res)
            if args.format == "markdown":
                print(table(res) + "\n", flush=True)
        if args.pg_url:
            name = f"zhiben_bench_{os.getpid()}"
            try:
                res = bench_size("city-pg", CITY, args, exe, root, fresh_pg_database(args.pg_url, name))
            finally:
                drop_pg_database(args.pg_url, name)
            results.append(res)
            if args.format == "markdown":
                print(table(res) + "\n", flush=True)
        elif args.format == "markdown":
            print("(未给 --pg-url,也没有环境变量 ZHIBEN_BENCH_PG_URL:跳过 PostgreSQL 上的市级测量)\n", flush=True)
        if args.format == "markdown":
            g = growth([r for r in results if not r["size"].endswith("-pg")])  # one backend's growth
            if g:
                print(g)
        else:
            print(as_json(results))
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        args.json.write_text(as_json(results), encoding="utf-8")


if __name__ == "__main__":
    main()
