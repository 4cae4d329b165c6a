"""Time and peak memory of an inspection bundle: 1,000 evidence files of 1 MB for one county.

    python bench/evidence_bundle.py [--files 1000] [--size-mb 1] [--db URL] [--keep DIR]

Builds a fresh SQLite database in a temporary folder (or uses --db, e.g. a PostgreSQL database
made with createdb), records 茌平区's monthly duty mine-req-2-b for every month and attaches the
files to those records through tracking.evidence (the code `zhiben evidence add` runs), then runs
`zhiben evidence bundle --county 茌平` as its own process under /usr/bin/time -v and prints the
wall time, CPU time and peak resident memory, and checks every file in the ZIP against its hash.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from zhiben.db import engine as store
from zhiben.inputs import evidence as files
from zhiben.tracking import completions, evidence, load, subjects


def _fill(url: str, folder: Path, count: int, size: int) -> None:
    engine = store.open_engine(url, seed=load.seed_packaged)
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][2:]  # March 2024 on
    with store.session_scope(engine) as s:
        evidence.set_limit(s, evidence.TOTAL_LIMIT, count * size * 2)
        county = subjects.county_subject(s, "茌平")
        for period in months:
            completions.mark_done(s, "mine-req-2-b", county, period=period, on=dt.date(2025, 6, 1))
    t0 = time.perf_counter()
    per = -(-count // len(months))
    for n, period in enumerate(months):
        batch = []
        for i in range(n * per, min(count, (n + 1) * per)):
            path = folder / f"检查记录{i:04d}.pdf"
            path.write_bytes(b"%PDF-1.7\n" + os.urandom(size - 9))
            batch.append(files.examine(path, max_bytes=size))
        with store.session_scope(engine) as s:
            county = subjects.county_subject(s, "茌平")
            evidence.attach(s, "mine-req-2-b", county, period, batch, by="bench")
        for c in batch:
            c.path.unlink()
    engine.dispose()
    print(f"准备:{count} 个文件(各 {size // 1024 // 1024} MB)存入数据库,用时 {time.perf_counter() - t0:.1f} 秒")


def _measure(url: str, target: Path) -> dict[str, str]:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "zhiben", "--db", url, "evidence", "bundle",
           "--county", "茌平", "--as-of", "2025-12-31", "--to", str(target)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"bundle failed:\n{run.stdout}\n{run.stderr}")
    print(run.stdout.strip())
    found = {}
    for key in ("Elapsed (wall clock) time (h:mm:ss or m:ss)", "User time (seconds)", "System time (seconds)",
                "Maximum resident set size (kbytes)"):
        m = re.search(re.escape(key) + r":\s*(\S+)", run.stderr)
        found[key] = m.group(1) if m else "?"
    return found


def _check(target: Path, count: int) -> None:
    with zipfile.ZipFile(target) as zf:
        packed = [i for i in zf.infolist() if "/" in i.filename]
        assert len(packed) == count, (len(packed), count)
        for info in packed:
            digest = hashlib.sha256()
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
            assert digest.hexdigest() in zf.read("索引.html").decode(), info.filename


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--files", type=int, default=1000)
    p.add_argument("--size-mb", type=int, default=1)
    p.add_argument("--db", help="a database URL to fill (default: a new SQLite file in a temporary folder)")
    p.add_argument("--keep", type=Path, help="write the database and the bundle here instead of a temporary folder")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhiben-bench-") as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        url = args.db or f"sqlite:///{where / 'evidence.db'}"
        src = where / "files"
        src.mkdir(exist_ok=True)
        _fill(url, src, args.files, args.size_mb * 1024 * 1024)
        target = where / "茌平佐证.zip"
        got = _measure(url, target)
        _check(target, args.files)
        rss = int(got["Maximum resident set size (kbytes)"])
        print(f"打包 {args.files} 个 {args.size_mb} MB 文件:用时 {got['Elapsed (wall clock) time (h:mm:ss or m:ss)']}"
              f"(用户 {got['User time (seconds)']} 秒,系统 {got['System time (seconds)']} 秒),"
              f"内存峰值 {rss / 1024:.0f} MB;ZIP {target.stat().st_size / 1024 / 1024:.0f} MB,每个文件的 SHA-256 已核对")


if __name__ == "__main__":
    main()
