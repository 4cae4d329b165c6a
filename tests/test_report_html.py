"""zhiben report: a self-contained HTML file for the meeting room, the printer and the phone."""

from __future__ import annotations

import json
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


def _tables(html: str) -> list[str]:
    return re.findall(r"<table[^>]*>.*?</table>", html)


def test_report_is_self_contained_and_escapes_names(cli, firm, tmp_path):
    html = _report(cli, tmp_path).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert f"截至日期 {AS_OF}" in html and "生成时间 " in html and "起施行" in html
    # nothing to fetch: no external URLs, scripts, links or images; CSP forbids any fetch anyway
    assert not re.search(r"(src|href)\s*=|<script|<link|<img|url\(", html)
    assert "default-src 'none'" in html
    assert "<script>alert" not in html


def test_rates_ranking_city_apart_and_matching_legend(cli, firm, tmp_path):
    html = _report(cli, tmp_path).read_text(encoding="utf-8")
    progress = {p["label"]: p for p in json.loads(cli("progress", "--as-of", AS_OF, "-f", "json").output)}
    counties = {k: v for k, v in progress.items() if k != "聊城市应急管理局"}
    rate = {k: v["overdue"] / v["due_so_far"] for k, v in counties.items() if v["due_so_far"]}
    # the county chart: every county once, by 逾期率 from high to low, bar width = 逾期率, city bureau not in it
    chart = html.split("各县(市、区)逾期率(从高到低)</h3>", 1)[1].split('<div class="legend">', 1)[0]
    labels = re.findall(r'<div class="lab" title="[^"]*">([^<]+)</div>', chart)
    assert set(labels) == set(counties) and "聊城市应急管理局" not in labels
    shown = [rate.get(label, 0.0) for label in labels]
    assert shown == sorted(shown, reverse=True)
    widths = re.findall(r'class="bar (fill-ok|fill-bad)" style="width:([\d.]+)%"', chart)
    assert [float(w) for _, w in widths] == [round(rate.get(label, 0.0) * 100, 1) for label in labels]
    # the legend's swatches use the same classes as the bars
    legend = html.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'class="sw (fill-\w+)"', legend) == ["fill-ok", "fill-bad"]
    assert "聊城市应急管理局自身的市级事项单列,不参加排名" in html
    # the plan chart shows rates, not counts
    plans = html.split("各方案逾期率</h3>", 1)[1].split('<div class="legend">', 1)[0]
    assert re.findall(r'<div class="val">([\d.]+%)', plans)
    # county × plan table: ranked counties, the city bureau as 单列, the total
    matrix = _tables(html)[0]
    assert matrix.count("<tr") == 1 + 11 + 1 + 1
    assert re.search(r'<td class="num" data-label="排名">单列</td><td [^>]*>聊城市应急管理局.市级事项.</td>', matrix)
    chiping = re.search(r'data-label="县\(市、区\)">茌平区</td>.*?</tr>', matrix).group(0)
    p = counties["茌平区"]
    cells = dict(re.findall(r'data-label="([^"]+)">([^<]*)</td>', chiping))
    assert (cells["已到期"], cells["已完成"], cells["逾期"]) == (f'{p["due_so_far"]:,}', f'{p["done"]:,}', f'{p["overdue"]:,}')


def test_targets_upcoming_and_grouped_overdue(cli, firm, tmp_path):
    html = _report(cli, tmp_path).read_text(encoding="utf-8")
    targets = json.loads(cli("progress", "--targets", "--as-of", AS_OF, "-f", "json").output)
    for t in (t for t in targets if t["scope_kind"] == "city"):
        assert f'<td class="key" data-label="目标">{t["title"]}</td>' in html
    assert "<h2>量化目标</h2>" in html and "<h2>未来 30 天内到期(" in html
    overdue = json.loads(cli("overdue", "--as-of", AS_OF, "--detail", "-f", "json").output)
    groups = json.loads(cli("overdue", "--as-of", AS_OF, "--group", "-f", "json").output)
    assert f"逾期事项({len(overdue)} 项,按事项汇总)" in html
    listed = _tables(html)[-1]
    for g in groups:
        assert f'<td class="key" data-label="事项">{g["title"]}</td>' in listed
    assert f"合计:{len(groups)} 个事项" in listed
    marked = listed.count('<tr class="severe">')
    assert marked == min(10, len(groups))
    assert "浅红底:逾期最久的" in html


def test_print_and_phone_css(cli, tmp_path):
    html = _report(cli, tmp_path).read_text(encoding="utf-8")
    assert "@page{size:A4" in html
    assert re.search(r"\.panel\{[^}]*break-inside:avoid", html)  # a chart never parts from its title
    assert "thead{display:table-header-group}" in html  # header rows repeat on each printed page
    assert "@media (max-width:600px)" in html and 'name="viewport"' in html


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="需要 Chromium(Debian 的 chromium 包),由 .ci/setup-browser.sh 安装")
def test_report_renders_at_desk_and_phone_width_and_prints_to_a4(cli, firm, tmp_path):
    html = _report(cli, tmp_path)
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
    for width in (1280, 414):
        png = tmp_path / f"report-{width}.png"
        proc = subprocess.run([*base, f"--user-data-dir={tmp_path / f'p{width}'}", f"--window-size={width},2000",
                               f"--screenshot={png}", html.as_uri()], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert _png_size(png) == (width, 2000)
        assert png.stat().st_size > 40_000  # a rendered page, not a blank canvas
    pdf = tmp_path / "report.pdf"
    proc = subprocess.run([*base, f"--user-data-dir={tmp_path / 'pdf'}", "--no-pdf-header-footer",
                           f"--print-to-pdf={pdf}", html.as_uri()], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(abs(float(w) - 595.0) < 1 and abs(float(h) - 842.0) < 1 for w, h in boxes)  # A4


def test_progress_chart_in_terminal(cli):
    assert cli("done", "mine-req-2-a", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20").exit_code == 0
    r = cli("progress", "--by", "county", "--chart", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].strip() == "截至 2025-07-01 各县(市、区)完成情况"
    assert lines[1].strip() == "方案自 2024-03-01 起施行(默认值,待以印发日期核实)"
    chiping = next(line for line in lines if line.startswith("茌平区"))
    assert "░" in chiping and re.search(r"\d+\.\d%\s+1/\d+\s+\d+$", chiping)
    assert sum(1 for line in lines if "░" in line or "█" in line) == 12
    r = cli("progress", "--by", "plan", "--chart", "--as-of", AS_OF)
    assert r.exit_code == 0 and "非煤矿山" in r.output
