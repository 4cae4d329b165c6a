"""The CLI reference is generated from the code and must match; the README opens with the two commands."""

from pathlib import Path

from zhiben import docgen

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    expected = docgen.generate()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md 已过期:运行 python -m zhiben.docgen > docs/cli.md"


def test_readme_opens_with_the_two_setup_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1: lines.index("```bash") + 3]
    assert block == [
        "pip install . && zhiben overdue",
        "pip install '.[test]' && python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q '.[test]'" in ci and "python -m pytest" in ci


def test_json_doc_lists_the_stable_fields():
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for field in ("milestone_id", "plan", "title", "subject_kind", "subject", "due", "period", "status",
                  "days_overdue", "days_left"):
        assert f"`{field}`" in doc


def test_readme_counts_the_catalogue_as_init_does(cli):
    """The README's item count is the catalogue's, the number `zhiben init` reports."""
    import re

    from zhiben.catalogue import model

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"逐条载入数据库\((\d+) 条", readme)
    assert said is not None, "README 应写明目录共多少条"
    entries = len(model.read().milestones)
    assert int(said.group(1)) == entries, f"README 写 {said.group(1)} 条,目录有 {entries} 条"
    assert cli("catalogue", "list", "-f", "json").output.count('"id"') == entries
