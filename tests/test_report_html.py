"""zhiben report: a self-contained HTML file that a headless browser renders; progress --chart."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest
from sqlmodel import select

from zhiben.db import models

AS_OF = "2025-07-01"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
def firm(session):
    county = session.exec(select(models.County).where(models.County.name == "临清市")).one()
    session.add(models.Enterprise(credit_code="91371581MA3C000001", name="<script>alert(1)</script>化工",
                                  county_id=county.id, sector="chem"))
    session.commit()


def _report(cli, tmp_path):
    out = tmp_path / "report.html"
    assert cli("done", "mine-req-2-a", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20").exit_code == 0
    r = cli("report", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    assert f"已生成报告 {out}(截至 {AS_OF})" in r.output
    return out


def test_report_is_self_contained_and_escapes_names(cli, firm, tmp_path):
    import json

    html = _report(cli, tmp_path).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert "截至 2025-07-01" in html
    # nothing to fetch: no external URLs, scripts, links or images; CSP forbids any fetch anyway
    assert not re.search(r"(src|href)\s*=|<script|<link|<img|url\(", html)
    assert "default-src 'none'" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;化工" in html
    assert html.count("<svg") == 2
    overdue = json.loads(cli("overdue", "--as-of", AS_OF, "-f", "json").output)
    assert f"逾期事项({len(overdue)} 项" in html
    assert html.count("<tr") == len(overdue) + 1
    # 茌平区's bar shows its completion rate and counts
    progress = {p["label"]: p for p in json.loads(cli("progress", "--as-of", AS_OF, "-f", "json").output)}
    p = progress["茌平区"]
    assert f"{p['rate']:.1%}({p['done']}/{p['due_so_far']})" in html
    for plan in ("化工和危险化学品", "非煤矿山", "工贸"):
        assert f">{plan}</text>" in html


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="需要 Chromium(Debian 的 chromium 包),由 .ci/setup-browser.sh 安装")
def test_report_renders_to_png_in_headless_chromium(cli, firm, tmp_path):
    html = _report(cli, tmp_path)
    png = tmp_path / "report.png"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600", f"--screenshot={png}",
         html.as_uri()],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000  # a rendered page, not a blank canvas
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom",
         html.as_uri()],
        capture_output=True, text=True, timeout=300,
    )
    assert dom.returncode == 0 and "各县(市、区)完成率" in dom.stdout and "<svg" in dom.stdout


def test_progress_chart_in_terminal(cli):
    assert cli("done", "mine-req-2-a", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20").exit_code == 0
    r = cli("progress", "--by", "county", "--chart", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "截至 2025-07-01 各县(市、区)完成情况(方案自 2024-03-01 起施行)" in lines[0]
    chiping = next(line for line in lines if line.startswith("茌平区"))
    assert "░" in chiping and re.search(r"\d+\.\d%\s+1/\d+\s+\d+$", chiping)
    assert sum(1 for line in lines if "░" in line or "█" in line) == 12
    r = cli("progress", "--by", "plan", "--chart", "--as-of", AS_OF)
    assert r.exit_code == 0 and "非煤矿山" in r.output
