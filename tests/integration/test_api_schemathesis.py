"""The API against its own OpenAPI document (Schemathesis): no server errors, responses as
documented (status codes, content types, bodies), for the public and for an admin, on the demo
world. Examples are bounded so the run takes well under two minutes.

``positive_data_acceptance`` is left out: it flags any 4xx for a schema-valid request, but some
rules cannot be said in OpenAPI (a period that ends before it starts, a system name that matches
two systems); those answer 400 or 404 with a JSON error, which the other checks still validate.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from icsys.config import Settings
from icsys.store.db import open_store
from icsys.synth.demo import build_demo
from icsys.web.app import create_app
from icsys.web.auth import Role, add_user, authenticate, start_session
from icsys.web.config import WebConfig
from icsys.web.security import SESSION_COOKIE

PASSWORD = "schemathesis password"  # noqa: S105 - a test account


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    settings_ = Settings(home=tmp_path_factory.mktemp("schemathesis") / "icsys-data")
    engine = open_store(settings_)
    build_demo(engine, settings_)
    add_user(engine, "admin", PASSWORD, Role.ADMIN)
    who = authenticate(engine, "admin", PASSWORD)
    assert who is not None
    token = start_session(engine, who, 60)
    app = create_app(settings_, WebConfig(secret_key=b"s" * 48), engine=engine)
    yield app, token
    engine.dispose()


BOUNDED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def run_operations(app, headers: dict[str, str]) -> list[str]:
    """Every operation of the document, with bounded generated cases; the failures found."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @BOUNDED
        def check(case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_api_as_the_public(api):
    app, _ = api
    assert run_operations(app, {}) == []


def test_api_as_an_admin(api):
    app, token = api
    assert run_operations(app, {"cookie": f"{SESSION_COOKIE}={token}"}) == []
