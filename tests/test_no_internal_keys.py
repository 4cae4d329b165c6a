"""No internal period key reaches a person: table, markdown, CSV, XLSX, HTML, mail and ICS are scanned.

Keys ("2025-03", "2025-Q2", "2024-H1:9137…", "once", "acceptance@2025-09-26#1") stay in JSON, beside
their labels. A real register is used so every kind of key exists: monthly, quarterly, half-year,
per-enterprise supervision (chem-21-c on 橙 enterprises) and event-derived periods.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile

import pytest
from sqlmodel import Session

from factories import make_enterprise

AS_OF = ("--as-of", "2025-01-15")
KEY = re.compile(r"(?<![\d-])20\d\d-(0[1-9]|1[0-2]|Q[1-4]|H[12])(?![\d-])|\bonce\b|[a-z-]+@\d{4}-\d\d-\d\d#\d+"
                 r"|20\d\d(-(Q[1-4]|H[12]|\d\d))?:9\d{3}")


@pytest.fixture
def world(engine, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("ZHIBEN_CONFIG", str(tmp_path / "config.toml"))
    with Session(engine) as s:
        make_enterprise(s, "茌平粉尘企业有限公司", 1, county="茌平区", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "阳谷工贸企业有限公司", 2, county="阳谷县", sector="trade")
        make_enterprise(s, "临清化工有限公司", 3, county="临清市", sector="chem", risk="橙",
                        tags=("重点监管", "重大危险源"))
        s.commit()
    assert cli("event", "add", "acceptance", "--enterprise", "临清化工有限公司", "--date", "2024-11-01").exit_code == 0
    periods = {r["period"] for r in json.loads(cli("overdue", *AS_OF, "-f", "json").stdout)}
    periods |= {r["period"] for r in json.loads(cli("upcoming", *AS_OF, "--days", "200", "-f", "json").stdout)}
    # Every kind of key is present in JSON, so the scans below are meaningful.
    for kind in (r"^\d{4}-\d\d$", r"-Q\d$", r"-H\d", r"^once$", r"@", r":9"):
        assert any(re.search(kind, p) for p in periods), kind
    return periods


def _scan(what: str, text: str) -> None:
    found = KEY.search(text)
    assert found is None, f"{what}: internal key {found.group(0)!r} in …{text[max(0, found.start() - 80):found.end() + 40]}…"


def test_terminal_markdown_and_csv(cli, world):
    for kind in ("overdue", "upcoming"):
        extra = ("--days", "200") if kind == "upcoming" else ()
        for args in ((), ("--detail",)):
            for fmt in ("table", "plain", "markdown"):
                r = cli(kind, *AS_OF, *extra, *args, "-f", fmt)
                assert r.exit_code == 0, r.output
                _scan(f"{kind} {' '.join(args)} -f {fmt}", r.stdout)
        for args in ((), ("--group",)):
            r = cli(kind, *AS_OF, *extra, *args, "-f", "csv")
            _scan(f"{kind} {' '.join(args)} -f csv", r.stdout_bytes.decode("utf-8-sig"))
    for by in ("county", "plan", "milestone", "enterprise"):
        _scan(f"progress --by {by}", cli("progress", *AS_OF, "--by", by, "-f", "plain").stdout)
    shown = cli("overdue", *AS_OF, "--detail", "-f", "plain").stdout
    assert "2024年12月" in shown and "验收(2024-11-01)后" in shown and "2024年下半年" in shown


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


def test_exports_csv_xlsx_and_ics(cli, world, tmp_path):
    for name in ("逾期.csv", "逾期.xlsx"):
        out = tmp_path / name
        r = cli("export", "overdue", *AS_OF, "--to", str(out))
        assert r.exit_code == 0, r.output
        text = out.read_bytes().decode("utf-8-sig") if name.endswith(".csv") else _xlsx_text(out.read_bytes())
        _scan(name, text)
    out = tmp_path / "期限.ics"
    r = cli("export", "upcoming", *AS_OF, "--days", "200", "--to", str(out))
    assert r.exit_code == 0, r.output
    from icalendar import Calendar

    cal = Calendar.from_ical(out.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert events
    for ev in events:  # what a calendar shows; the UID is for the calendar program only
        for field in ("SUMMARY", "DESCRIPTION", "LOCATION", "CATEGORIES"):
            if ev.get(field) is not None:
                _scan(f"ICS {field}", str(ev.get(field).to_ical().decode() if hasattr(ev.get(field), "to_ical")
                                          else ev.get(field)))



def test_status_template(cli, world, tmp_path):
    """The fill-in template shows labels too; status import reads them back (tests/test_status_import.py)."""
    for county in ("临清", "茌平"):
        for name in ("模板.csv", "模板.xlsx"):
            out = tmp_path / f"{county}{name}"
            r = cli("export", "template", "--county", county, *AS_OF, "--days", "200", "--to", str(out))
            assert r.exit_code == 0, r.output
            text = out.read_bytes().decode("utf-8-sig") if name.endswith(".csv") else _xlsx_text(out.read_bytes())
            _scan(out.name, text)

def test_html_report(cli, world, tmp_path):
    out = tmp_path / "报告.html"
    r = cli("report", *AS_OF, "--to", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    visible = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    _scan("HTML", visible)


def test_mail(cli, world, tmp_path):
    out = tmp_path / "eml"
    r = cli("mail", "overdue", *AS_OF, "--to", "city@example.com", "--smtp-from", "zhiben@example.com",
            "--dry-run", str(out))
    assert r.exit_code == 0, r.output
    files = list(out.glob("*.eml"))
    assert files
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in msg.walk():
            if part.is_multipart():
                continue
            data = part.get_payload(decode=True)
            name = part.get_filename() or ""
            if name.endswith(".xlsx") or (data and zipfile.is_zipfile(io.BytesIO(data))):
                _scan(f"mail attachment {name}", _xlsx_text(data))
            elif part.get_content_maintype() == "text" or name.endswith(".csv"):
                _scan(f"mail {part.get_content_type()} {name}", data.decode("utf-8-sig"))
