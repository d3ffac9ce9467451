"""``icsys governance export``: the public record of a system (or of all), as files.

Writes one CSV per listing (and ``public-record.json`` with all of them) to a new folder, plus
the public papers' documents under ``papers/``. What is public is decided only by
:mod:`icsys.governance.visibility`: confidential papers and anything from a private part of a
meeting never reach the export. The folder is written beside its target and renamed into place,
so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, select

from icsys.config import Settings
from icsys.errors import UserError
from icsys.governance import visibility
from icsys.governance.audit import to_json
from icsys.governance.papers import documents_dir
from icsys.store import governance_models as g

PAPER_FIELDS = (
    "id",
    "item_id",
    "body_id",
    "title",
    "author_org",
    "published_on",
    "version",
    "filename",
    "media_type",
    "size_bytes",
    "sha256",
    "meeting_date",
)


def public_record(
    engine: Engine, as_of: date, *, system: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every public listing, as rows (what the portal's public pages and the export show)."""
    decisions = visibility.public_decisions(engine, system=system)
    public_ids = {d["id"] for d in decisions}
    bodies = visibility.public_bodies(engine, system=system)
    body_ids = {b["id"] for b in bodies}
    papers = [
        {k: p[k] for k in PAPER_FIELDS} | {"stored_as": p["stored_as"]}
        for p in visibility.public_papers(engine, as_of, system=system)
    ]
    return {
        "bodies": bodies,
        "members": [r for r in _rows(engine, g.gov_member) if r["body_id"] in body_ids],
        "meetings": visibility.public_meetings(engine, system=system),
        "items": visibility.public_items(engine, system=system),
        "decisions": decisions,
        "votes": [r for r in _rows(engine, g.gov_vote) if r["decision_id"] in public_ids],
        "dissents": [r for r in _rows(engine, g.gov_dissent) if r["decision_id"] in public_ids],
        "decision_indicators": [
            r for r in _rows(engine, g.gov_decision_indicator) if r["decision_id"] in public_ids
        ],
        "actions": [r for r in _rows(engine, g.gov_action) if r["decision_id"] in public_ids],
        "papers": papers,
        "delegations": _rows(engine, g.gov_delegation, system),
        "posts": _rows(engine, g.gov_post, system),
        "tenures": _tenures(engine, system),
    }


def _rows(engine: Engine, table: Table, system: str | None = None) -> list[dict[str, Any]]:
    query = select(table)
    if system is not None and "system_code" in table.c:
        query = query.where(table.c.system_code == system)
    with engine.connect() as conn:
        return [
            dict(r) for r in conn.execute(query.order_by(*table.primary_key.columns)).mappings()
        ]


def _tenures(engine: Engine, system: str | None) -> list[dict[str, Any]]:
    t, p, person = g.gov_tenure, g.gov_post, g.gov_person
    query = (
        select(t, person.c.name.label("person_name"))
        .join(p, p.c.id == t.c.post_id)
        .join(person, person.c.id == t.c.person_id)
        .order_by(t.c.post_id, t.c.start_on)
    )
    if system is not None:
        query = query.where(p.c.system_code == system)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(dict.fromkeys(k for r in rows for k in r if k != "stored_as"))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})


def export_public_record(
    engine: Engine, settings: Settings, target: Path, as_of: date, *, system: str | None = None
) -> dict[str, int]:
    """Write the public record to ``target`` (which must not exist); returns rows per listing."""
    if target.exists():
        raise UserError(f"{target} already exists; choose a new folder for the export")
    record = public_record(engine, as_of, system=system)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        (staging / "papers").mkdir()
        for name, rows in record.items():
            _write_csv(staging / f"{name}.csv", rows)
        for paper in record["papers"]:
            source = documents_dir(settings) / paper["stored_as"]
            if source.exists():
                shutil.copyfile(
                    source, staging / "papers" / f"{paper['id']}{Path(paper['stored_as']).suffix}"
                )
        clean = {
            n: [
                json.loads(to_json({k: v for k, v in r.items() if k != "stored_as"}) or "{}")
                for r in rows
            ]
            for n, rows in record.items()
        }
        meta = {"as_of": as_of.isoformat(), "system": system, **clean}
        (staging / "public-record.json").write_text(
            json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {name: len(rows) for name, rows in record.items()}
