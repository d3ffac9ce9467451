"""Accounts: rules, Argon2 hashes, sessions, disabling, and ``icsys users``."""

from __future__ import annotations

import io
import sys

import pytest

from icsys.cli.main import main
from icsys.errors import InvalidRecordError
from icsys.store.db import open_store
from icsys.web.auth import (
    Role,
    add_user,
    authenticate,
    list_users,
    session_principal,
    set_disabled,
    start_session,
)


@pytest.fixture
def engine(settings):
    found = open_store(settings)
    yield found
    found.dispose()


def test_passwords_are_stored_as_argon2_hashes(engine):
    add_user(engine, "anna", "a long enough password", Role.ADMIN)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM web_user").scalar()
    assert stored.startswith("$argon2id$")
    assert "a long enough password" not in stored
    assert authenticate(engine, "anna", "a long enough password").role is Role.ADMIN
    assert authenticate(engine, "anna", "wrong") is None
    assert authenticate(engine, "nobody", "a long enough password") is None


def test_account_rules_name_every_problem(engine):
    with pytest.raises(InvalidRecordError) as caught:
        add_user(engine, "a b", "short", Role.ANALYST)
    fields = [f for f, _ in caught.value.problems]
    assert fields == ["username", "password", "system_code"]
    with pytest.raises(InvalidRecordError):
        add_user(engine, "mem", "a long enough password", Role.MEMBER)
    add_user(engine, "twice", "a long enough password", Role.ADMIN)
    with pytest.raises(InvalidRecordError, match="taken"):
        add_user(engine, "twice", "a long enough password", Role.ADMIN)


def test_sessions_end_when_the_account_is_disabled(engine):
    add_user(engine, "ann", "a long enough password", Role.ANALYST, system_code="E54000001")
    who = authenticate(engine, "ann", "a long enough password")
    token = start_session(engine, who, minutes=5)
    assert session_principal(engine, token).system_code == "E54000001"
    assert session_principal(engine, token + "x") is None
    set_disabled(engine, "ann", disabled=True)
    assert session_principal(engine, token) is None
    assert authenticate(engine, "ann", "a long enough password") is None


def test_expired_sessions_are_refused(engine):
    add_user(engine, "old", "a long enough password", Role.ADMIN)
    token = start_session(engine, authenticate(engine, "old", "a long enough password"), minutes=0)
    assert session_principal(engine, token) is None


def test_icsys_users_add_and_list(settings, monkeypatch, capsys):
    env = {"ICSYS_HOME": str(settings.home)}
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert (
        main(
            [
                "users",
                "add",
                "eddy",
                "--role",
                "analyst",
                "--system",
                "E54000001",
                "--password-stdin",
            ],
            env,
        )
        == 0
    )
    assert "created analyst 'eddy'" in capsys.readouterr().out
    assert main(["users", "list", "--format", "json"], env) == 0
    out = capsys.readouterr().out
    assert '"username": "eddy"' in out
    assert "argon2" not in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["users", "add", "eddy2", "--role", "admin", "--password-stdin"], env) == 18
    assert main(["users", "add", "eddy3", "--role", "wizard", "--password-stdin"], env) == 2
    engine = open_store(settings)
    assert [u["username"] for u in list_users(engine)] == ["eddy"]
    engine.dispose()


def test_accounts_and_sessions_on_every_store_engine(store):
    """Migration 0003 and the account queries on SQLite and PostgreSQL."""
    add_user(store, "pat", "a long enough password", Role.MEMBER, person_id="P1")
    who = authenticate(store, "pat", "a long enough password")
    assert who.role is Role.MEMBER
    assert who.person_id == "P1"
    token = start_session(store, who, minutes=5)
    assert session_principal(store, token).username == "pat"
    set_disabled(store, "pat", disabled=True)
    assert session_principal(store, token) is None
