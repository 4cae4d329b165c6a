"""The root group imports a command's module only when that command runs or its help is shown."""

import subprocess
import sys

import pytest

from zhiben.cli import COMMANDS, _build


def test_table_help_is_each_commands_own_first_paragraph():
    for name, module, short in COMMANDS:
        assert _build(module)[name].short_help == short, name


def test_every_registered_command_is_in_the_table():
    modules = {module for _, module, _ in COMMANDS}
    built = {name for module in modules for name in _build(module)}
    assert built == {name for name, _, _ in COMMANDS}


@pytest.mark.slow
def test_root_help_imports_no_command_module():
    loaded = set(subprocess.run(
        [sys.executable, "-c", "import sys\nfrom zhiben.cli import app\ntry:\n    app(['--help'], prog_name='zhiben')\n"
         "except SystemExit:\n    pass\nprint('|'+' '.join(m for m in sys.modules if m.startswith('zhiben.cli.')))"],
        capture_output=True, text=True, check=True).stdout.split("|")[-1].split())
    assert not loaded & {f"zhiben.cli.{module}" for _, module, _ in COMMANDS}


@pytest.mark.slow
def test_a_command_imports_only_its_own_module(tmp_path):
    db = str(tmp_path / "z.db")
    code = ("import sys\nfrom zhiben.cli import app\ntry:\n    app(['--db', %r, 'overdue'], prog_name='zhiben')\n"
            "except SystemExit:\n    pass\nprint('|'+' '.join(m for m in sys.modules if m.startswith('zhiben.cli.')))") % db
    subprocess.run([sys.executable, "-m", "zhiben", "--db", db, "init"], capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split("|")[-1].split())
    assert loaded & {f"zhiben.cli.{module}" for _, module, _ in COMMANDS} == {"zhiben.cli.reports"}
