"""The demo world, built once, with one account per role, and a TestClient per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from icsys.config import Settings
from icsys.store import governance_models as g
from icsys.store.db import open_store
from icsys.synth.demo import build_demo
from icsys.web.app import create_app
from icsys.web.auth import Role, add_user
from icsys.web.config import WebConfig

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account
ROLES = ("anonymous", "member", "analyst", "admin")


@dataclass(frozen=True)
class World:
    """What the tests need to know about the demo world."""

    settings: Settings
    engine: Engine
    system: str  # the analyst's and member's system
    other_system: str
    body: str  # a body the member belongs to
    other_body: str  # a body of another system
    person: str
    meeting: str  # a meeting of ``body`` with private business
    confidential: str  # a confidential paper of ``body``
    other_confidential: str  # a confidential paper of another system's body
    public_paper: str
    place: str
    pcn: str


def _first(engine: Engine, query: object) -> str:
    with engine.connect() as conn:
        value = conn.execute(query).scalar()  # type: ignore[call-overload]
    assert value is not None, query
    return str(value)


def _conf_paper(engine: Engine, body: str) -> str:
    p, i, m = g.gov_paper, g.gov_item, g.gov_meeting
    return _first(
        engine,
        select(p.c.id)
        .join(i, i.c.id == p.c.item_id)
        .join(m, m.c.id == i.c.meeting_id)
        .where(m.c.body_id == body, p.c.classification == "confidential")
        .order_by(p.c.id),
    )


def make_world(home: Path, database_url: str | None = None) -> World:
    settings = Settings(home=home, database_url=database_url)
    engine = open_store(settings)
    build_demo(engine, settings)
    m, i, mt = g.gov_member, g.gov_item, g.gov_meeting
    # A person with an open membership of a body that held a meeting with private business.
    private_body = (
        select(mt.c.body_id)
        .join(i, i.c.meeting_id == mt.c.id)
        .where(i.c.part == "private")
        .join(g.gov_paper, g.gov_paper.c.item_id == i.c.id)
        .where(g.gov_paper.c.classification == "confidential")
    )
    with engine.connect() as conn:
        row = conn.execute(
            select(m.c.person_id, m.c.body_id, g.gov_body.c.system_code)
            .join(g.gov_body, g.gov_body.c.id == m.c.body_id)
            .where(m.c.valid_to.is_(None), m.c.body_id.in_(private_body))
            .order_by(m.c.id)
        ).first()
    assert row is not None
    person, body, system = row
    other_body = _first(
        engine,
        select(g.gov_body.c.id)
        .where(g.gov_body.c.system_code != system, g.gov_body.c.id.in_(private_body))
        .order_by(g.gov_body.c.id),
    )
    meeting = _first(
        engine,
        select(mt.c.id)
        .join(i, i.c.meeting_id == mt.c.id)
        .where(mt.c.body_id == body, i.c.part == "private", mt.c.public_part.is_(True))
        .order_by(mt.c.id),
    )
    public_paper = _first(
        engine,
        select(g.gov_paper.c.id)
        .join(i, i.c.id == g.gov_paper.c.item_id)
        .join(mt, mt.c.id == i.c.meeting_id)
        .where(
            g.gov_paper.c.classification == "public",
            g.gov_paper.c.published_on.is_not(None),
            i.c.part == "public",
            mt.c.public_part.is_(True),
        )
        .order_by(g.gov_paper.c.id),
    )
    other_system = _first(
        engine, select(g.gov_body.c.system_code).where(g.gov_body.c.id == other_body)
    )
    from icsys.domain.levels import Level  # noqa: PLC0415
    from icsys.reference.register import Snapshot  # noqa: PLC0415

    snap = Snapshot(engine, __import__("datetime").date.today())
    place = next(p.code for p in snap.places() if p.system_code == system)
    pcn = next(r.code for r in snap.rows(Level.PCN, system=system))
    add_user(engine, "admin", PASSWORD, Role.ADMIN)
    add_user(engine, "analyst", PASSWORD, Role.ANALYST, system_code=system)
    add_user(engine, "member", PASSWORD, Role.MEMBER, person_id=person, system_code=system)
    return World(
        settings=settings,
        engine=engine,
        system=system,
        other_system=other_system,
        body=body,
        other_body=other_body,
        person=person,
        meeting=meeting,
        confidential=_conf_paper(engine, body),
        other_confidential=_conf_paper(engine, other_body),
        public_paper=public_paper,
        place=place,
        pcn=pcn,
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    found = make_world(tmp_path_factory.mktemp("web") / "icsys-data")
    yield found
    found.engine.dispose()


def config(**changes: object) -> WebConfig:
    return WebConfig(secret_key=b"k" * 48, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(world: World) -> FastAPI:
    return create_app(world.settings, config(), engine=world.engine)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture(scope="session")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """One signed-in client per role (``anonymous`` is not signed in)."""
    found = {}
    for role in ROLES:
        client = TestClient(app, base_url="https://testserver")
        if role != "anonymous":
            sign_in(client, role)
        found[role] = client
    return found


@pytest.fixture
def new_client(app: FastAPI) -> Callable[[], TestClient]:
    return lambda: TestClient(app, base_url="https://testserver")


@pytest.fixture(scope="session")
def password() -> str:
    return PASSWORD


@pytest.fixture(scope="session")
def login() -> Callable[..., None]:
    """``login(client, username)`` signs a TestClient in through the form."""
    return sign_in


@pytest.fixture(scope="session")
def make_config() -> Callable[..., WebConfig]:
    return config


@pytest.fixture(scope="session")
def world_factory() -> Callable[..., World]:
    """``world_factory(home, database_url)``: the demo world on another store."""
    return make_world
