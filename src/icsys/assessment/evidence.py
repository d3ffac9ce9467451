"""Evidence for evidenced criteria: a statement, documents (path and SHA-256), a review.

A submission is met once a reviewer **accepts** it (``rejected`` is not met, ``pending`` waits).
The reviewer may be from another system (peer review: ``reviewer_system_code``, which must not
be the system assessed). Documents are referenced by path and checksum: a path that exists is
hashed when recorded, and a checksum given with it must match. As at a date, the evidence of a
criterion is the latest submission made on or before that date, with its review only if the
review is dated on or before it too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from sqlalchemy import Engine, select

from icsys.errors import InputFileError, InvalidRecordError
from icsys.store import assessment_models as a

ReviewOutcome = Literal["pending", "accepted", "rejected"]
OUTCOMES = ("pending", "accepted", "rejected")
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class EvidenceDocument:
    title: str
    path: str
    sha256: str


@dataclass(frozen=True)
class Evidence:
    """A submission for one criterion of one system."""

    id: str
    system_code: str
    framework_id: str
    criterion: str  # domain.criterion
    statement: str
    submitted_on: date
    submitted_by: str
    documents: tuple[EvidenceDocument, ...] = ()
    reviewer: str | None = None
    reviewer_system_code: str | None = None
    review_outcome: ReviewOutcome = "pending"
    reviewed_on: date | None = None
    review_notes: str | None = None


@dataclass(frozen=True)
class EvidenceStatus:
    """The evidence of a criterion as at a date (what an assessment shows)."""

    evidence_id: str
    outcome: ReviewOutcome
    statement: str
    reviewer: str | None
    reviewer_system_code: str | None
    reviewed_on: date | None
    documents: tuple[EvidenceDocument, ...] = field(default=())

    @property
    def link(self) -> str:
        docs = ", ".join(f"{d.path}#sha256={d.sha256[:12]}" for d in self.documents)
        who = self.reviewer or "no reviewer"
        if self.reviewer_system_code:
            who += f" (peer review by {self.reviewer_system_code})"
        return f"evidence {self.evidence_id}: {self.outcome}, {who}" + (f"; {docs}" if docs else "")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check(evidence: Evidence, *, base: Path | None = None) -> Evidence:  # noqa: C901 - a list of rules
    """Validate a submission and fill in document checksums from the files that exist."""
    problems: list[tuple[str, str]] = []
    if "." not in evidence.criterion:
        problems.append(("criterion", "expected domain.criterion"))
    if evidence.review_outcome not in OUTCOMES:
        problems.append(("review_outcome", f"expected one of {', '.join(OUTCOMES)}"))
    if evidence.review_outcome != "pending" and not (evidence.reviewer and evidence.reviewed_on):
        problems.append(("reviewer", "an accepted or rejected review needs a reviewer and a date"))
    if evidence.reviewed_on is not None and evidence.reviewed_on < evidence.submitted_on:
        problems.append(("reviewed_on", "the review is dated before the submission"))
    if evidence.reviewer_system_code and evidence.reviewer_system_code == evidence.system_code:
        problems.append(("reviewer_system_code", "a peer reviewer must come from another system"))
    docs = []
    for doc in evidence.documents:
        path = Path(doc.path)
        if base is not None and not path.is_absolute():
            path = base / path
        sha = doc.sha256.lower()
        if path.is_file():
            actual = sha256_of(path)
            if sha and sha != actual:
                problems.append(
                    (
                        "documents",
                        f"{doc.path}: checksum {sha[:12]}… is not the file's ({actual[:12]}…)",
                    )
                )
            sha = actual
        elif not _SHA.match(sha):
            problems.append(("documents", f"{doc.path}: no such file and no SHA-256 given"))
        docs.append(EvidenceDocument(doc.title, doc.path, sha))
    if problems:
        raise InvalidRecordError(f"evidence {evidence.id}", problems)
    return Evidence(**{**evidence.__dict__, "documents": tuple(docs)})


def record_evidence(engine: Engine, items: Iterable[Evidence], *, base: Path | None = None) -> int:
    """Insert or replace submissions by id, in one transaction; returns how many."""
    checked = [check(e, base=base) for e in items]
    with engine.begin() as conn:
        for e in checked:
            conn.execute(a.assessment_evidence.delete().where(a.assessment_evidence.c.id == e.id))
            conn.execute(
                a.assessment_evidence.insert().values(
                    id=e.id,
                    system_code=e.system_code,
                    framework_id=e.framework_id,
                    criterion=e.criterion,
                    statement=e.statement,
                    submitted_on=e.submitted_on,
                    submitted_by=e.submitted_by,
                    documents=json.dumps([d.__dict__ for d in e.documents]),
                    reviewer=e.reviewer,
                    reviewer_system_code=e.reviewer_system_code,
                    review_outcome=e.review_outcome,
                    reviewed_on=e.reviewed_on,
                    review_notes=e.review_notes,
                )
            )
    return len(checked)


def evidence_as_of(
    engine: Engine, framework_id: str, as_of: date, *, systems: Sequence[str] | None = None
) -> dict[str, dict[str, EvidenceStatus]]:
    """{system: {domain.criterion: status}} as at ``as_of``."""
    t = a.assessment_evidence
    query = (
        select(t)
        .where(t.c.framework_id == framework_id, t.c.submitted_on <= as_of)
        .order_by(t.c.submitted_on, t.c.id)
    )
    if systems is not None:
        query = query.where(t.c.system_code.in_(list(systems)))
    out: dict[str, dict[str, EvidenceStatus]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query).mappings():
            reviewed = r["reviewed_on"] is not None and r["reviewed_on"] <= as_of
            out.setdefault(r["system_code"], {})[r["criterion"]] = EvidenceStatus(
                r["id"],
                r["review_outcome"] if reviewed else "pending",
                r["statement"],
                r["reviewer"] if reviewed else None,
                r["reviewer_system_code"] if reviewed else None,
                r["reviewed_on"] if reviewed else None,
                tuple(EvidenceDocument(**d) for d in json.loads(r["documents"])),
            )
    return out


def read_evidence_file(path: Path) -> list[Evidence]:
    """A YAML file: ``evidence:`` a list of submissions (fields as :class:`Evidence`)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputFileError(f"cannot read evidence: {exc}", path=str(path)) from None
    rows = data.get("evidence") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        raise InputFileError("no list under 'evidence'", path=str(path), expected="evidence: [...]")
    out = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise InputFileError(f"evidence item {i} is not a mapping", path=str(path))
        out.append(_evidence(row, path, i))
    return out


def _evidence(row: Mapping[str, Any], path: Path, i: int) -> Evidence:
    fields = set(Evidence.__dataclass_fields__)
    unknown = sorted(set(row) - fields)
    if unknown:
        raise InputFileError(f"evidence item {i}: unknown fields {unknown}", path=str(path))
    try:
        docs = tuple(
            EvidenceDocument(
                str(d.get("title", d["path"])), str(d["path"]), str(d.get("sha256", ""))
            )
            for d in row.get("documents") or ()
        )
        return Evidence(
            **{k: v for k, v in row.items() if k != "documents"},
            documents=docs,
        )
    except (TypeError, KeyError) as exc:
        raise InputFileError(f"evidence item {i}: {exc}", path=str(path)) from None
