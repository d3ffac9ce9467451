"""Board packs: build one for a body's meeting, write it as HTML and PDF, or serve a cached PDF.

Two audiences. The **public** pack holds only what :mod:`icsys.governance.visibility` makes
public. The **members'** pack (for the body's members and administrators; the caller checks who
asks) adds the private part of the agenda, confidential and unpublished papers and decisions
taken in private. The performance report is read from the mart's public view in both.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import UserError
from icsys.reference.register import Snapshot
from icsys.reports.board_pack import governance as content
from icsys.reports.board_pack.ipr import MartReader, build_ipr
from icsys.reports.board_pack.model import AUDIENCES, Area, Audience, BoardPack
from icsys.reports.board_pack.pdf import write_pdf
from icsys.reports.board_pack.render import render_html

Format = Literal["html", "pdf"]
Progress = Callable[[str], None]


def _today() -> date:
    return date.today()  # noqa: DTZ011 - publication dates are calendar dates


def _areas(engine: Engine, on: date, system: str, place: str | None) -> list[Area]:
    """The body's place (if it covers one), then its system, named as at ``on``."""
    snap = Snapshot(engine, on)
    areas = [Area("system", system, snap.name("system", system) or system)]
    if place:
        name = next((p.name for p in snap.places() if p.code == place and p.name), None)
        areas.insert(0, Area("place", place, name or place))
    return areas


def build_board_pack(
    settings: Settings,
    engine: Engine,
    body_id: str,
    meeting_date: date,
    *,
    audience: Audience = "public",
    as_of: date | None = None,
    progress: Progress = lambda _m: None,
) -> BoardPack:
    """The content of the pack of ``body_id``'s meeting on ``meeting_date``.

    ``as_of`` (default today): papers published on or before it count as published.

    Raises:
        NotFoundError: for an unknown body or a date the body did not meet on.
        UserError: for an unknown audience.
    """
    if audience not in AUDIENCES:
        raise UserError(f"unknown audience {audience!r}: use {' or '.join(AUDIENCES)}")
    as_of = as_of or _today()
    progress("reading the governance records")
    body, meeting = content.find_meeting(engine, body_id, meeting_date)
    private = audience == "members"
    reader = MartReader(settings)
    areas = _areas(engine, meeting_date, body["system_code"], body["place_code"])
    agenda = content.agenda(engine, meeting, private=private, as_of=as_of)
    log = content.decisions_log(engine, body, meeting_date, private=private, indicators=reader)
    progress("drawing the performance report")
    ipr = build_ipr(reader, areas, progress=progress)
    cover = content.cover(body, meeting, areas[-1].name, audience, as_of)
    return BoardPack(cover, agenda, ipr, log)


def pack_name(pack: BoardPack) -> str:
    """The file name of a pack, without suffix."""
    c = pack.cover
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in c.body_id)
    return f"board-pack-{safe}-{c.meeting_date.isoformat()}-{c.audience}"


def write_board_pack(
    pack: BoardPack,
    out_dir: Path,
    *,
    formats: Sequence[Format] = ("html", "pdf"),
    progress: Progress = lambda _m: None,
) -> list[Path]:
    """Write the pack as HTML and/or PDF into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(pack)
    paths = []
    if "html" in formats:
        path = out_dir / f"{pack_name(pack)}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    if "pdf" in formats:
        progress("rendering the PDF")
        path = out_dir / f"{pack_name(pack)}.pdf"
        path.write_bytes(write_pdf(html))
        paths.append(path)
    return paths


def cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "board-packs"


def cached_pdf(
    settings: Settings,
    engine: Engine,
    body_id: str,
    meeting_date: date,
    *,
    audience: Audience = "public",
) -> tuple[bytes, str]:
    """The pack's PDF and file name, rendered once per content.

    The cache key is the meeting, the audience, the mart's run and a checksum of the whole
    content (so a newly published paper or decision makes a new pack); older packs of the same
    meeting and audience are removed.
    """
    pack = build_board_pack(settings, engine, body_id, meeting_date, audience=audience)
    folder = cache_dir(settings)
    prefix = hashlib.sha256(f"{pack.cover.meeting_id}\0{audience}".encode()).hexdigest()[:16]
    path = folder / f"{prefix}-{pack.ipr.run_id or 'no-mart'}-{pack.fingerprint()[:16]}.pdf"
    name = f"{pack_name(pack)}.pdf"
    if path.exists():
        return path.read_bytes(), name
    content_ = write_pdf(render_html(pack))
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # two requests may render at once
    with os.fdopen(fd, "wb") as fh:
        fh.write(content_)
    Path(tmp).replace(path)
    for old in folder.glob(f"{prefix}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return content_, name
