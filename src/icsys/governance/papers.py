"""Board papers: documents kept in the data folder, described and versioned in the store.

Contents are stored once per checksum under ``<home>/documents/<sha256[:2]>/<sha256><suffix>``
(written to a temporary file and renamed, so a half-written document never appears). Accepted
types are PDF, HTML, Markdown and Office files (Word, Excel, PowerPoint, OpenDocument), checked
by suffix *and* by their first bytes; the size limit is :data:`MAX_BYTES`. Storing a new content
under an existing paper id makes the next version; the same content again changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from icsys.config import Settings
from icsys.errors import InputFileError, InvalidRecordError, NotFoundError, PermissionDeniedError
from icsys.governance import audit
from icsys.governance.visibility import is_public_paper
from icsys.governance.vocab import Classification
from icsys.store import governance_models as g

MAX_BYTES = 25 * 1024 * 1024

_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# suffix -> (media type, required leading bytes or None for UTF-8 text)
TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", _PDF),
    ".html": ("text/html", None),
    ".htm": ("text/html", None),
    ".md": ("text/markdown", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
}


@dataclass(frozen=True)
class PaperMeta:
    """What a board secretary says about a paper."""

    id: str
    title: str
    classification: Classification
    published_on: date | None = None
    author_org: str | None = None
    item_id: str | None = None
    body_id: str | None = None


def documents_dir(settings: Settings) -> Path:
    return settings.home / "documents"


def media_type(filename: str, content: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """The media type of a document, or :class:`InputFileError` saying why it is refused."""
    suffix = Path(filename).suffix.lower()
    if suffix not in TYPES:
        allowed = ", ".join(sorted(TYPES))
        raise InputFileError(
            f"papers of type {suffix or '(none)'!r} are not accepted",
            path=filename,
            expected=allowed,
        )
    if len(content) > max_bytes:
        raise InputFileError(
            f"is {len(content):,} bytes, over the limit of {max_bytes:,}", path=filename
        )
    if not content:
        raise InputFileError("is empty", path=filename)
    kind, magic = TYPES[suffix]
    if magic is not None and not content.startswith(magic):
        raise InputFileError(
            f"does not look like a {suffix} file (its first bytes are wrong)", path=filename
        )
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFileError(f"is not UTF-8 text (byte {exc.start})", path=filename) from None
    return kind


def _write_content(settings: Settings, sha: str, suffix: str, content: bytes) -> str:
    relative = f"{sha[:2]}/{sha}{suffix}"
    target = documents_dir(settings) / relative
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    Path(tmp).replace(target)
    return relative


def store_paper(
    conn: Connection,
    settings: Settings,
    meta: PaperMeta,
    *,
    filename: str,
    content: bytes,
    actor: str,
    max_bytes: int = MAX_BYTES,
) -> dict[str, Any]:
    """Store (or version) a paper; audited. Returns the stored record."""
    kind = media_type(filename, content, max_bytes=max_bytes)
    _check_links(conn, meta)
    sha = hashlib.sha256(content).hexdigest()
    before = _get(conn, meta.id)
    same = before is not None and before["sha256"] == sha
    version = 1 if before is None else int(before["version"]) + (0 if same else 1)
    stored = _write_content(settings, sha, Path(filename).suffix.lower(), content)
    values: dict[str, Any] = {
        "id": meta.id,
        "item_id": meta.item_id,
        "body_id": meta.body_id,
        "title": meta.title,
        "author_org": meta.author_org,
        "classification": Classification(meta.classification).value,
        "published_on": meta.published_on,
        "version": version,
        "filename": Path(filename).name,
        "media_type": kind,
        "size_bytes": len(content),
        "sha256": sha,
        "stored_as": stored,
        "uploaded_at": before["uploaded_at"] if same and before else datetime.now(UTC),
    }
    if before is None:
        conn.execute(insert(g.gov_paper).values(**values))
        audit.record(
            conn,
            actor=actor,
            table="gov_paper",
            key=meta.id,
            action="create",
            before=None,
            after=values,
        )
    elif any(before[k] != values[k] for k in values if k != "uploaded_at"):
        conn.execute(update(g.gov_paper).where(g.gov_paper.c.id == meta.id).values(**values))
        audit.record(
            conn,
            actor=actor,
            table="gov_paper",
            key=meta.id,
            action="update",
            before=before,
            after=values,
        )
    return values


def store_new_papers(
    conn: Connection,
    settings: Settings,
    papers: list[tuple[PaperMeta, str, bytes]],
    *,
    actor: str,
) -> int:
    """Bulk-store papers known to be new, with valid links (generated data); audited.

    Type, size and content checks still apply to every document.
    """
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for meta, filename, content in papers:
        kind = media_type(filename, content)
        sha = hashlib.sha256(content).hexdigest()
        rows.append(
            {
                "id": meta.id,
                "item_id": meta.item_id,
                "body_id": meta.body_id,
                "title": meta.title,
                "author_org": meta.author_org,
                "classification": Classification(meta.classification).value,
                "published_on": meta.published_on,
                "version": 1,
                "filename": Path(filename).name,
                "media_type": kind,
                "size_bytes": len(content),
                "sha256": sha,
                "uploaded_at": now,
                "stored_as": _write_content(settings, sha, Path(filename).suffix.lower(), content),
            }
        )
    if rows:
        conn.execute(insert(g.gov_paper), rows)
        audit.record_many(
            conn,
            actor=actor,
            table="gov_paper",
            action="create",
            changes=[(str(r["id"]), None, r) for r in rows],
        )
    return len(rows)


def _check_links(conn: Connection, meta: PaperMeta) -> None:
    problems = []
    if (
        meta.item_id is not None
        and conn.execute(select(g.gov_item.c.id).where(g.gov_item.c.id == meta.item_id)).first()
        is None
    ):
        problems.append(("item_id", f"unknown agenda item {meta.item_id!r}"))
    if (
        meta.body_id is not None
        and conn.execute(select(g.gov_body.c.id).where(g.gov_body.c.id == meta.body_id)).first()
        is None
    ):
        problems.append(("body_id", f"unknown body {meta.body_id!r}"))
    if not meta.title.strip():
        problems.append(("title", "is required"))
    if problems:
        raise InvalidRecordError(f"paper {meta.id}", problems)


def _get(conn: Connection, paper_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(g.gov_paper).where(g.gov_paper.c.id == paper_id)).mappings().first()
    return dict(row) if row is not None else None


def read_paper(engine: Engine, settings: Settings, paper_id: str) -> tuple[dict[str, Any], bytes]:
    """A paper's record and content, whatever its classification (for members and analysts).

    The content is checked against the stored checksum.
    """
    with engine.connect() as conn:
        record = _get(conn, paper_id)
    if record is None:
        raise NotFoundError(f"no paper {paper_id!r}")
    content = (documents_dir(settings) / record["stored_as"]).read_bytes()
    if hashlib.sha256(content).hexdigest() != record["sha256"]:
        raise InputFileError(
            "the stored document does not match its checksum", path=record["stored_as"]
        )
    return record, content


def read_public_paper(
    engine: Engine, settings: Settings, paper_id: str, as_of: date
) -> tuple[dict[str, Any], bytes]:
    """A paper for the public: refused unless :mod:`~icsys.governance.visibility` allows it."""
    if not is_public_paper(engine, paper_id, as_of):
        raise PermissionDeniedError(f"paper {paper_id!r} is not public")
    return read_paper(engine, settings, paper_id)
