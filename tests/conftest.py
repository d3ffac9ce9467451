"""Fixtures shared by every kind of test.

Services: PostgreSQL tests use ``ICSYS_TEST_DATABASE_URL`` (``.ci/run`` starts a server and sets
it). Without it they skip with the reason, unless ``ICSYS_STRICT_SERVICES=1`` (set by CI), when a
missing service fails the test instead: in CI these tests must run, never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from icsys.config import Settings
from icsys.store.db import open_store

STRICT = os.environ.get("ICSYS_STRICT_SERVICES") == "1"

# Speed is measured in benchmarks/, never in tests: Hypothesis's per-example deadline failed
# on a loaded CI machine, so no property test has one.
hypothesis_settings.register_profile("icsys", deadline=None)
hypothesis_settings.load_profile("icsys")
SHARED_DATA = Path(
    os.environ.get("ICSYS_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def missing_service(reason: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) when a service is absent."""
    if STRICT:
        pytest.fail(f"{reason} (ICSYS_STRICT_SERVICES=1: CI must run this test)")
    pytest.skip(reason)


@pytest.fixture(scope="session", name="missing_service")
def _missing_service_fixture() -> Callable[[str], None]:
    """``missing_service`` for tests in other folders (conftest modules are not importable)."""
    return missing_service


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real published reference files beside the project (../shared/data)."""
    if not (SHARED_DATA / "SOURCES.md").exists():
        missing_service(f"the reference data folder {SHARED_DATA} is not here")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "icsys-data")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get("ICSYS_TEST_DATABASE_URL")
    if not url:
        missing_service("no PostgreSQL server: set ICSYS_TEST_DATABASE_URL (.ci/run starts one)")
    assert url is not None
    return url


@contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards."""
    name = f"icsys_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def new_postgres_database(postgres_admin_url: str) -> Callable[[], AbstractContextManager[str]]:
    """Make a fresh database at any fixture scope: ``with new_postgres_database() as url``."""
    return lambda: temporary_database(postgres_admin_url)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    with temporary_database(postgres_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a new, empty store on each engine the store supports."""
    home = tmp_path / "icsys-data"
    if request.param == "sqlite":
        return Settings(home=home)
    url = request.getfixturevalue("postgres_url")
    return Settings(home=home, database_url=url)


@pytest.fixture
def store(store_settings: Settings) -> Iterator[Engine]:
    engine = open_store(store_settings)
    yield engine
    engine.dispose()
