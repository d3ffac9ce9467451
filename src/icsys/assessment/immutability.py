"""A framework version never changes once used: a changed file must be a new version.

Two guards. (1) The shipped versions are pinned here by fingerprint, so a file that claims to be
``icsys_maturity`` v1 but says anything else is refused everywhere (the repository cannot edit a
published version by accident). (2) Each store remembers the fingerprint of every version it has
run (``assessment_framework``, and on every ``assessment_run``): loading a different text under a
used id and version fails with the two fingerprints and what to do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Connection, Engine, select

from icsys.assessment.frameworks.loader import LoadedFramework
from icsys.errors import UserError
from icsys.store import assessment_models as a

SHIPPED_FINGERPRINTS: Final[dict[tuple[str, int], str]] = {
    ("icsys_maturity", 1): "75996466686efa050123ed11cc6ebb0521d957c0e3c3428b0ee2a863913036b7",
}


class FrameworkChangedError(UserError):
    """A used framework version was changed instead of being published as a new version."""

    exit_code = 19
    code = "framework_version_changed"


def _refuse(loaded: LoadedFramework, used: str, where: str) -> FrameworkChangedError:
    f = loaded.framework
    return FrameworkChangedError(
        f"framework {f.id} v{f.version} ({loaded.source}) differs from the v{f.version} {where} "
        f"(fingerprint {loaded.fingerprint[:12]}… vs {used[:12]}…): a used framework version "
        f"never changes; give the changed file a new version (version: {f.version + 1})"
    )


def check_shipped(loaded: LoadedFramework) -> None:
    pinned = SHIPPED_FINGERPRINTS.get((loaded.framework.id, loaded.framework.version))
    if pinned is not None and pinned != loaded.fingerprint:
        raise _refuse(loaded, pinned, "shipped with icsys")


def used_fingerprint(engine: Engine, framework_id: str, version: int) -> str | None:
    t = a.assessment_framework
    query = select(t.c.fingerprint).where(t.c.framework_id == framework_id, t.c.version == version)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one_or_none()


def check_unchanged(engine: Engine, loaded: LoadedFramework) -> None:
    """Refuse a changed shipped version, or a version this store used with other content."""
    check_shipped(loaded)
    used = used_fingerprint(engine, loaded.framework.id, loaded.framework.version)
    if used is not None and used != loaded.fingerprint:
        raise _refuse(loaded, used, "already used in this store")


def register_use(conn: Connection, loaded: LoadedFramework) -> None:
    """Remember the version's canonical text and fingerprint (first use only)."""
    t = a.assessment_framework
    f = loaded.framework
    found = conn.execute(
        select(t.c.fingerprint).where(t.c.framework_id == f.id, t.c.version == f.version)
    ).scalar_one_or_none()
    if found is None:
        conn.execute(
            t.insert().values(
                framework_id=f.id,
                version=f.version,
                fingerprint=loaded.fingerprint,
                canonical=loaded.canonical,
                first_used_at=datetime.now(UTC),
            )
        )
    elif found != loaded.fingerprint:
        raise _refuse(loaded, found, "already used in this store")
