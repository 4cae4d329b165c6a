"""Generate docs/cli.md, the CLI reference, from the command tree itself.

`python -m zhiben.docgen > docs/cli.md`; tests/test_docs.py fails when the file is stale.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer
from typer.testing import CliRunner

from zhiben.cli import app

if TYPE_CHECKING:
    import typer._click as click

HEADER = """# 命令参考

本文件由 `python -m zhiben.docgen > docs/cli.md` 根据程序本身生成,请勿手工修改;
测试 `tests/test_docs.py` 会检查它与程序是否一致。
"""


def _walk(cmd: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    yield path, cmd
    commands = getattr(cmd, "commands", None)
    if commands:
        for name in commands:
            yield from _walk(commands[name], [*path, name])


def generate() -> str:
    root = typer.main.get_command(app)
    runner = CliRunner()
    parts = [HEADER]
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    for path, _cmd in _walk(root, []):
        result = runner.invoke(app, [*path, "--help"], env=env, terminal_width=100, prog_name="zhiben")
        title = " ".join(["zhiben", *path])
        parts.append(f"## {title}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(generate(), end="")
