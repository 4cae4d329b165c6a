"""zhiben at city, large-city and province scale, beside Taskwarrior and a bare SQLite query.

    python bench/bench.py [--sizes city,large,province] [--quick] [--as-of 2026-06-30]

For each size: generate a register (bench/register_gen.py), then time, each in a fresh
subprocess of the installed `zhiben` CLI: first use (`init`: schema + catalogue), `load`
(catalogue reload), `enterprise import`, the reports, and `zhiben --help`. Half of the
occurrences due before the as-of date are marked done with one set-based INSERT. Peak memory
is each subprocess's own ru_maxrss (os.wait4). The same occurrences are then put (a) into
Taskwarrior (throwaway TASKRC/TASKDATA, due dates shifted so that "now" is the as-of date) and
(b) into one plain SQLite table queried by the sqlite3 CLI: the floor.
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

SIZES = {"city": 5_000, "large": 20_000, "province": 100_000}
SIZE_NAMES = {"city": "市级(5,000 家)", "large": "大市(20,000 家)", "province": "省级(100,000 家)"}
COUNTY = "茌平区"
UPCOMING_DAYS = 30
# Above this many tasks `task import` needs gigabytes (≈5.6 KB per task), so the task files are
# written directly in Taskwarrior's own format instead; the timed reports are unaffected.
TASK_IMPORT_LIMIT = 250_000
TIME = "/usr/bin/time"


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    rss_kb: int = 0
    rows: int | None = None
    note: str = ""

    @property
    def best(self) -> float | None:
        return min(self.seconds) if self.seconds else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def run(cmd: list[str], *, env: dict, out: Path | None = None, cwd=None) -> tuple[float, int]:
    """Run `cmd` in a fresh process: (wall seconds, peak RSS in KB). Fails loudly on non-zero exit.

    Peak memory comes from GNU time's %M: the rusage of a child forked straight from this (large)
    Python process would include the pre-exec copy of this process.
    """
    fout = open(out, "wb") if out else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss, tempfile.TemporaryFile() as err:
        try:
            t0 = time.perf_counter()
            p = subprocess.run([TIME, "-f", "%M", "-o", rss.name, *cmd], stdout=fout, stderr=err, env=env, cwd=cwd)
            elapsed = time.perf_counter() - t0
        finally:
            if out:
                fout.close()
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} → exit {p.returncode}\n{err.read().decode(errors='replace')[-2000:]}")
        lines = [x for x in rss.read().split() if x.isdigit()]
    return elapsed, int(lines[-1]) if lines else 0


def timed(m: Measure, repeat: int, cmd: list[str], *, env: dict, out: Path | None = None) -> Measure:
    for _ in range(repeat):
        sec, rss = run(cmd, env=env, out=out)
        m.seconds.append(sec)
        m.rss_kb = max(m.rss_kb, rss)
    return m


def zhiben_exe() -> str:
    local = Path(sys.executable).parent / "zhiben"
    found = str(local) if local.exists() else shutil.which("zhiben")
    if not found:
        sys.exit("找不到 zhiben 命令:请先在当前 Python 环境中安装本项目(pip install -e .)")
    return found


def has_enterprise_import(exe: str, env: dict) -> bool:
    p = subprocess.run([exe, "enterprise", "import", "--help"], env=env, capture_output=True)
    return p.returncode == 0


# --- database set-up done outside the timed commands -------------------------------------------

def _picked(key: str) -> int:
    return (zlib.crc32(key.encode()) >> 3) & 1


def _done_on(key: str, due: str, as_of: str) -> str:
    # Mostly on time (0-14 days early), one in ten late by up to 29 days, never after as-of.
    h = zlib.crc32(key.encode(), 7)
    days = h % 30 if h % 10 == 0 else -(h % 15)
    return min((dt.date.fromisoformat(due) + dt.timedelta(days=days)).isoformat(), as_of)


def mark_half_done(db: Path, as_of: dt.date) -> int:
    """One INSERT … SELECT: half of the occurrences due before `as_of` (hash-picked) become done."""
    from sqlalchemy import String, cast, func, insert, literal, select

    from zhiben.db import engine as store
    from zhiben.db import models
    from zhiben.reports import rows as reports

    engine = store.make_engine("sqlite:///" + str(db))
    K = models.Completion.__table__
    u, _, asof = reports.occurrences(reports.Filters(), as_of)
    key = u.c.milestone_id + "|" + u.c.subject_kind + "|" + cast(u.c.subject_id, String) + "|" + u.c.period
    sel = select(u.c.milestone_id, u.c.subject_kind, u.c.subject_id, u.c.period,
                 func.bench_done_on(key, u.c.due, as_of.isoformat()),
                 literal("bench"), literal("bench"), func.datetime("now")).where(
        u.c.due < asof, u.c.bound == "deadline", func.bench_picked(key) == 1)
    ins = insert(K).from_select(["milestone_id", "subject_kind", "subject_id", "period", "done_on",
                                 "recorded_by", "source", "recorded_at"], sel)
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        raw.create_function("bench_picked", 1, _picked, deterministic=True)
        raw.create_function("bench_done_on", 3, _done_on, deterministic=True)
        n = conn.execute(ins).rowcount
    engine.dispose()
    return n


def bulk_insert_register(db: Path, rows: list[list[str]]) -> None:
    """Fallback while `zhiben enterprise import` does not exist: the same register via plain SQL."""
    import sqlite3

    from zhiben.register import sectors

    con = sqlite3.connect(db)
    county_id = dict(con.execute("SELECT name, id FROM county"))
    parks: dict[str, int] = {}
    for r in rows:
        if r[6] and r[6] not in parks:
            cur = con.execute("INSERT INTO park (name, county_id) VALUES (?, ?)", (r[6], county_id[r[2]]))
            parks[r[6]] = cur.lastrowid
    now = dt.datetime.now().isoformat(sep=" ")
    con.executemany(
        "INSERT INTO enterprise (credit_code, name, county_id, sector, risk, park_id, contact, email, active, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,1,?)",
        [(r[0], r[1], county_id[r[2]], sectors.resolve(r[3]), r[5] or None, parks.get(r[6]), r[7] or None,
          r[8] or None, now) for r in rows])
    ids = dict(con.execute("SELECT credit_code, id FROM enterprise"))
    con.executemany("INSERT INTO enterprisetag (enterprise_id, tag) VALUES (?, ?)",
                    [(ids[r[0]], t) for r in rows for t in r[4].split("、") if t])
    con.commit()
    con.close()


FLOOR_COLS = ("milestone_id", "plan", "title", "position", "subject_kind", "subject", "county", "county_pos",
              "credit_code", "period", "due", "done")


def build_floor(db: Path, floor: Path, as_of: dt.date) -> int:
    """Materialise every occurrence (with its done flag as of `as_of`) into one indexed table."""
    import sqlite3

    from sqlalchemy import case, select

    from zhiben.db import engine as store
    from zhiben.db import models
    from zhiben.reports import rows as reports

    engine = store.make_engine("sqlite:///" + str(db))
    K = models.Completion.__table__
    u, done, _ = reports.occurrences(reports.Filters(), as_of)
    q = select(*[u.c[c] for c in FLOOR_COLS[:-1]], case((K.c.id.is_(None), 0), else_=1)).select_from(
        u.outerjoin(K, done))
    floor.unlink(missing_ok=True)
    out = sqlite3.connect(floor)
    out.execute(f"CREATE TABLE occ ({', '.join(FLOOR_COLS)})")
    n = 0
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(q)
        while chunk := result.fetchmany(50_000):
            out.executemany(f"INSERT INTO occ VALUES ({', '.join('?' * len(FLOOR_COLS))})",
                            [tuple(str(v) if isinstance(v, dt.date) else v for v in r) for r in chunk])
            n += len(chunk)
    out.execute("CREATE INDEX occ_due ON occ (done, due)")
    out.execute("CREATE INDEX occ_county ON occ (county, done, due)")
    out.commit()
    out.close()
    engine.dispose()
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

REPORTS = {
    "overdue": ("overdue --format json(全市)", lambda a: ["overdue", "--as-of", a, "--format", "json"]),
    "overdue_county": (f"overdue --county {COUNTY} --format json",
                       lambda a: ["overdue", "--county", COUNTY, "--as-of", a, "--format", "json"]),
    "progress": ("progress --by county", lambda a: ["progress", "--by", "county", "--as-of", a]),
    "upcoming": (f"upcoming --days {UPCOMING_DAYS} --format json",
                 lambda a: ["upcoming", "--days", str(UPCOMING_DAYS), "--as-of", a, "--format", "json"]),
}


def json_rows(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8")))


def bench_size(size: str, n: int, args, exe: str, root: Path) -> dict:
    work = root / size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "zhiben.db"
    env = dict(os.environ, ZHIBEN_DB=str(db), COLUMNS="160")
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
    z["load"] = timed(Measure(), args.repeat, [exe, "load"], env=env)
    if has_enterprise_import(exe, env):
        log("zhiben enterprise import")
        z["import"] = timed(Measure(), 1, [exe, "enterprise", "import", str(csv_path)], env=env)
        # Re-import of the same file: every row compared, nothing to change.
        z["reimport"] = timed(Measure(), 1, [exe, "enterprise", "import", str(csv_path)], env=env)
    else:
        log("尚无 zhiben enterprise import:改用 SQL 直接写入名录(导入时间不计)")
        bulk_insert_register(db, rows)
        z["import"] = Measure(note="命令尚未实现")
    log("标记一半已到期事项为已完成")
    res["completions"] = mark_half_done(db, args.as_of)
    log("生成基准表(bare SQLite)")
    res["occurrences"] = build_floor(db, work / "floor.db", args.as_of)

    for key, (_, argv) in REPORTS.items():
        log(f"zhiben {key}")
        out = work / f"zhiben-{key}.out"
        m = timed(Measure(), args.repeat, [exe, *argv(a)], env=env, out=out)
        m.rows = json_rows(out) if "--format" in argv(a) else None
        z[key] = m
    z["help"] = timed(Measure(), args.repeat, [exe, "--help"], env=env)

    s = res["sqlite"]
    for key, sql in floor_queries(args.as_of).items():
        out = work / f"sqlite-{key}.out"
        m = timed(Measure(), args.repeat, ["sqlite3", "-json", str(work / "floor.db"), sql], env=env, out=out)
        m.rows = json_rows(out) if out.stat().st_size else 0
        s[key] = m

    if not args.no_taskwarrior and shutil.which("task"):
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


# --- output -------------------------------------------------------------------------------------

def _s(m: Measure | None) -> str:
    return "—" if m is None or m.best is None else f"{m.best:.2f}"


def _mb(m: Measure | None) -> str:
    return "—" if m is None or not m.rss_kb else f"{m.rss_kb / 1024:.0f}"


def table(res: dict) -> str:
    z, t, s = res["zhiben"], res["task"], res["sqlite"]
    lines = [
        f"### {SIZE_NAMES.get(res['size'], res['size'])}:{res['occurrences']:,} 个事项实例,"
        f"已完成 {res['completions']:,},截至 {res['as_of']}",
        "",
        "| 操作 | zhiben 秒 | zhiben 内存 MB | 行数 | Taskwarrior 秒 | Taskwarrior 内存 MB | sqlite3 秒 "
        "| Taskwarrior ÷ zhiben | zhiben ÷ sqlite3 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("init", "init(建库并载入目录)"), ("load", "load(重新载入目录)"),
                       ("import", "enterprise import(导入名录)"), ("reimport", "enterprise import(重复导入,无变化)")):
        m = z.get(key)
        if m is None:
            continue
        lines.append(f"| {label}{'(' + m.note + ')' if m.note else ''} | {_s(m)} | {_mb(m)} | | | | | | |")
    for key, (label, _) in REPORTS.items():
        m, tm, sm = z[key], t.get(key), s.get(key)
        speedup = f"{tm.best / m.best:.1f}×" if tm and tm.best and m.best else "—"
        over = f"{m.best / sm.best:.1f}×" if sm and sm.best and m.best else "—"
        rows = f"{m.rows:,}" if m.rows is not None else (f"{sm.rows}" if sm else "")
        if tm and tm.rows is not None and m.rows is not None and tm.rows != m.rows:
            rows += f"(Taskwarrior {tm.rows:,})"
        lines.append(f"| {label} | {_s(m)} | {_mb(m)} | {rows} | {_s(tm)} | {_mb(tm)} | {_s(sm)} | {speedup} | {over} |")
    lines.append(f"| zhiben --help | {_s(z['help'])} | {_mb(z['help'])} | | | | | | |")
    lines += ["", f"机器负载(1 分钟平均,2 核):开始 {res['load_before']:.1f},结束 {res['load_after']:.1f}。"]
    if "task_setup" in res:
        ts = res["task_setup"]
        lines += ["", f"Taskwarrior 数据:{ts['tasks']:,} 个任务({ts['how']},{ts['seconds']} 秒)。"]
    return "\n".join(lines)


def growth(results: list[dict]) -> str:
    if len(results) < 2:
        return ""
    base = results[0]
    lines = ["### 随规模增长(相对最小规模的倍数)", "",
             "| 规模 | 企业数倍数 | 事项实例倍数 | " + " | ".join(label for label, _ in REPORTS.values()) + " |",
             "|---|---:|---:|" + "---:|" * len(REPORTS)]
    for r in results:
        cells = []
        for key in REPORTS:
            b, m = base["zhiben"][key].best, r["zhiben"][key].best
            cells.append(f"{m / b:.1f}×" if b and m else "—")
        lines.append(f"| {r['size']} | {r['enterprises'] / base['enterprises']:.0f}× | "
                     f"{r['occurrences'] / base['occurrences']:.1f}× | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description="zhiben 性能基准:与 Taskwarrior、裸 SQLite 查询对比")
    p.add_argument("--sizes", default="city,large,province", help="逗号分隔:city,large,province 或企业数")
    p.add_argument("--quick", action="store_true", help="每项只运行一次(默认取 3 次中最快的一次)")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30), help="报表日期")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--dir", type=Path, default=None, help="工作目录(默认临时目录,结束后删除)")
    p.add_argument("--keep", action="store_true", help="保留数据库和输出")
    p.add_argument("--no-taskwarrior", action="store_true")
    p.add_argument("--json", type=Path, default=None, help="把原始结果另存为 JSON")
    args = p.parse_args()
    args.repeat = 1 if args.quick else 3
    exe = zhiben_exe()
    if not Path(TIME).exists():
        sys.exit("需要 GNU time(/usr/bin/time)测量内存峰值:apt-get install -y time")
    if not shutil.which("sqlite3"):
        sys.exit("需要 sqlite3 命令行程序:apt-get install -y sqlite3")
    root = args.dir or Path(tempfile.mkdtemp(prefix="zhiben-bench-"))
    sizes = [(s, SIZES[s] if s in SIZES else int(s)) for s in args.sizes.split(",") if s]
    results = []
    try:
        for size, n in sizes:
            res = bench_size(size, n, args, exe, root)
            results.append(res)
            print(table(res) + "\n", flush=True)
        g = growth(results)
        if g:
            print(g)
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        def enc(o):
            if isinstance(o, Measure):
                return {"best": o.best, "median": o.median, "runs": o.seconds, "rss_kb": o.rss_kb, "rows": o.rows,
                        "note": o.note}
            raise TypeError(type(o))
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=enc), encoding="utf-8")


if __name__ == "__main__":
    main()
