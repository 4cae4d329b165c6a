"""Shared fixtures: a fresh database per test (copied from one built per session) and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from zhiben import store
from zhiben.cli import app

ROOT = Path(__file__).resolve().parents[1]
PLANS_TXT = ROOT.parent / "shared" / "seed" / "plans.txt"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "zhiben.db"
    engine = store.open_engine(f"sqlite:///{path}")
    engine.dispose()
    return path


@pytest.fixture
def db_url(tmp_path, template_db) -> str:
    target = tmp_path / "zhiben.db"
    shutil.copy(template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def engine(db_url):
    engine = store.open_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture
def cli(db_url):
    """Run the CLI against this test's database: cli("overdue", "--as-of", "2025-07-01")."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(app, ["--db", db_url, *args], input=input, env=env)

    return run


@pytest.fixture(scope="session")
def plans_text() -> str:
    return PLANS_TXT.read_text(encoding="utf-8")
