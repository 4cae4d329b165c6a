"""The CLI as the tests drive it: usage messages name the program "zhiben", as users see it."""

from __future__ import annotations

import functools

import typer.testing
from typer.testing import CliRunner

# typer's runner rebuilds the click command tree from the app on every invoke (about 20 ms, half the
# fast suite's time). The app never changes during a test run, so build it once per app.
if hasattr(typer.testing, "_get_command"):
    typer.testing._get_command = functools.cache(typer.testing._get_command)


class ZhibenRunner(CliRunner):
    def invoke(self, app, args=None, input=None, env=None, **extra):
        extra.setdefault("prog_name", "zhiben")
        return super().invoke(app, args, input=input, env=env, **extra)
