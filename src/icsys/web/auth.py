"""Accounts, sign-in and the caller of each request.

Roles (docs/portal.md): the public (no account) sees disclosure-controlled numbers and public
papers; a **member** also sees the confidential papers and private business of the bodies they
belong to (through their ``person_id`` in the governance register); an **analyst** also sees
unsuppressed aggregates for their system; an **admin** sees everything and manages records.
Passwords are hashed with Argon2id. A session is a random token in a cookie; the store keeps
only its SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, insert, select, update

from icsys.errors import InvalidRecordError, NotFoundError
from icsys.store.web_models import web_session, web_user

MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,128}$")
_hasher = PasswordHasher()
# Verified when a username is unknown, so a failed sign-in takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    MEMBER = "member"
    ANALYST = "analyst"
    ADMIN = "admin"


ACCOUNT_ROLES = (Role.MEMBER, Role.ANALYST, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """Who is asking: the public, or a signed-in account."""

    role: Role = Role.ANONYMOUS
    username: str | None = None
    user_id: int | None = None
    system_code: str | None = None
    person_id: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.role is not Role.ANONYMOUS

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def sees_unsuppressed(self, system_code: str | None) -> bool:
        """Whether numbers for ``system_code`` may be shown without disclosure control."""
        if self.role is Role.ADMIN:
            return True
        return (
            self.role is Role.ANALYST
            and system_code is not None
            and system_code == self.system_code
        )


ANONYMOUS = Principal()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(username: str, password: str) -> list[tuple[str, str]]:
    problems = []
    if not _USERNAME.match(username):
        problems.append(
            ("username", "use 3 to 128 letters, digits, dots, dashes, underscores or @")
        )
    if len(password) < MIN_PASSWORD:
        problems.append(("password", f"must be at least {MIN_PASSWORD} characters"))
    if password.strip().lower() == username.strip().lower():
        problems.append(("password", "must not be the username"))
    return problems


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: Role,
    *,
    system_code: str | None = None,
    person_id: str | None = None,
) -> int:
    """Create an account; returns its id. Raises ``InvalidRecordError`` naming every problem."""
    problems = check_password_rules(username, password)
    if role not in ACCOUNT_ROLES:
        problems.append(("role", f"must be one of {', '.join(ACCOUNT_ROLES)}"))
    if role is Role.ANALYST and not system_code:
        problems.append(("system_code", "an analyst needs the system they work for"))
    if role is Role.MEMBER and not person_id:
        problems.append(("person_id", "a member needs their person id in the governance register"))
    with engine.begin() as conn:
        taken = conn.execute(select(web_user.c.id).where(web_user.c.username == username)).first()
        if taken is not None:
            problems.append(("username", f"{username!r} is taken"))
        if problems:
            raise InvalidRecordError(f"user {username}", problems)
        result = conn.execute(
            insert(web_user).values(
                username=username,
                password_hash=hash_password(password),
                role=role.value,
                system_code=system_code,
                person_id=person_id,
                disabled=False,
                created_at=datetime.now(UTC),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def list_users(engine: Engine) -> list[dict[str, Any]]:
    query = select(
        web_user.c.id,
        web_user.c.username,
        web_user.c.role,
        web_user.c.system_code,
        web_user.c.person_id,
        web_user.c.disabled,
        web_user.c.created_at,
    ).order_by(web_user.c.username)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def set_disabled(engine: Engine, username: str, *, disabled: bool) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            update(web_user).where(web_user.c.username == username).values(disabled=disabled)
        )
        if not done.rowcount:
            raise NotFoundError(f"no user {username!r}")
        if disabled:
            ids = select(web_user.c.id).where(web_user.c.username == username)
            conn.execute(delete(web_session).where(web_session.c.user_id.in_(ids)))


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The account's principal when the password is right and the account enabled."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(web_user).where(web_user.c.username == username)).mappings().first()
        )
    if row is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row["disabled"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with engine.begin() as conn:
            conn.execute(
                update(web_user)
                .where(web_user.c.id == row["id"])
                .values(password_hash=hash_password(password))
            )
    return _principal(row)


def _principal(row: Any) -> Principal:
    return Principal(
        role=Role(row["role"]),
        username=row["username"],
        user_id=row["id"],
        system_code=row["system_code"],
        person_id=row["person_id"],
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, principal: Principal, minutes: int) -> str:
    """A new session for a signed-in principal; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(web_session).where(web_session.c.expires_at < now))
        conn.execute(
            insert(web_session).values(
                token_sha256=_digest(token),
                user_id=principal.user_id,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
    return token


def end_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(web_session).where(web_session.c.token_sha256 == _digest(token)))


def session_principal(engine: Engine, token: str) -> Principal | None:
    """The principal of a live session on an enabled account, else ``None``."""
    query = (
        select(web_user, web_session.c.expires_at)
        .join(web_session, web_session.c.user_id == web_user.c.id)
        .where(web_session.c.token_sha256 == _digest(token))
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or row["disabled"]:
        return None
    expires = row["expires_at"]
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    return _principal(row)
