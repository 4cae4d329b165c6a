"""Shared fixtures: a fresh database per test (copied from one built per session) and a CLI runner."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings
from sqlmodel import Session

from runner import ZhibenRunner
from zhiben.cli import app
from zhiben.db import engine as store
from zhiben.tracking import load

# CI and a plain `pytest` draw the same examples every run, so a red build is reproducible and a
# rule found broken once stays found; ZHIBEN_HYPOTHESIS=explore draws new ones each run.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("ZHIBEN_HYPOTHESIS", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
PLANS_TXT = ROOT.parent / "shared" / "seed" / "plans.txt"
PG_ENV = "ZHIBEN_TEST_PG_URL"


def pytest_addoption(parser):
    parser.addoption(
        "--backend", choices=("sqlite", "postgresql"), default=os.environ.get("ZHIBEN_TEST_BACKEND", "sqlite"),
        help=f"database behind the db_url/engine fixtures; postgresql needs {PG_ENV} (a server URL)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): the test exercises SQLite itself (files, WAL)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--backend") == "sqlite":
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark:
            reason = mark.args[0] if mark.args else "只适用于 SQLite"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(autouse=True)
def _processes_only_in_slow_tests(request, monkeypatch):
    """`pytest -m "not slow"` must stay fast: a test that starts a process has to carry the marker."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a process; mark it @pytest.mark.slow")

    monkeypatch.setattr(subprocess, "Popen", refuse)


@pytest.fixture(scope="session")
def backend(request) -> str:
    return request.config.getoption("--backend")


def _pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(os.environ[PG_ENV]).set(database=database).render_as_string(hide_password=False)


_pg_engine = []


def _pg_admin(sql: str):
    """Run one statement on the server's maintenance connection; the first value, if any."""
    from sqlalchemy import create_engine, text

    if not _pg_engine:
        _pg_engine.append(create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT"))
    with _pg_engine[0].connect() as conn:
        result = conn.execute(text(sql))
        return result.scalar() if result.returns_rows else None


_pg_names = itertools.count()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, backend):
    """SQLite: a seeded database file (Path). PostgreSQL: the name of a seeded template database."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "zhiben.db"
        engine = store.open_engine(f"sqlite:///{path}", seed=load.seed_packaged)
        engine.dispose()
        yield path
        return
    if not os.environ.get(PG_ENV):
        pytest.exit(f"--backend=postgresql needs {PG_ENV} (see .ci/setup-postgres.sh)", returncode=2)
    name = f"zhiben_tpl_{os.getpid()}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    engine = store.open_engine(_pg_url(name), seed=load.seed_packaged)
    engine.dispose()
    yield name
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _clone(template_db, backend: str, sqlite_path: Path, *, keep_file: bool = True):
    """A fresh seeded database copied from the template: its URL. PostgreSQL's is dropped afterwards."""
    if backend == "sqlite":
        shutil.copy(template_db, sqlite_path)
        yield f"sqlite:///{sqlite_path}"
        if keep_file:  # left in tmp_path to look at after a failure
            return
        for leftover in sqlite_path.parent.glob(sqlite_path.name + "*"):  # the file and its -wal/-shm
            leftover.unlink()
        return
    # Cloned from the seeded template: much faster than seeding.
    name = f"zhiben_t_{os.getpid()}_{next(_pg_names)}"
    # FILE_COPY (PostgreSQL 15+) skips WAL-logging the whole copy: several times faster here.
    strategy = " STRATEGY FILE_COPY" if int(_pg_admin("SHOW server_version_num")) >= 150000 else ""
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"{strategy}')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(tmp_path, template_db, backend):
    """A fresh database per test."""
    with _clone(template_db, backend, tmp_path / "zhiben.db") as url:
        yield url


@pytest.fixture
def fresh_db(tmp_path, template_db, backend):
    """`with fresh_db() as url:` a fresh database per hypothesis example (fixtures last the whole test)."""
    folder = tmp_path / "examples"
    folder.mkdir()
    numbers = itertools.count()

    def make():
        return _clone(template_db, backend, folder / f"zhiben-{next(numbers)}.db", keep_file=False)

    return make


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
    runner = ZhibenRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(app, ["--db", db_url, *args], input=input, env=env)

    return run


PLANS_MISSING = (f"needs the plan text {PLANS_TXT} (../shared/seed/plans.txt beside the repository), "
                 "which a plain clone does not have; CI provides it")


@pytest.fixture(scope="session")
def plans_txt() -> Path:
    """The plan text's path; tests using it skip, with the reason, when it is not beside the clone."""
    if not PLANS_TXT.is_file():
        pytest.skip(PLANS_MISSING)
    return PLANS_TXT


@pytest.fixture(scope="session")
def plans_text(plans_txt) -> str:
    return plans_txt.read_text(encoding="utf-8")
