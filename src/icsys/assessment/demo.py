"""Synthetic evidence for the demo systems: deterministic from the seed, idempotent by id.

About two in three evidenced criteria get a submission; of those most are accepted, some
rejected and some still pending; a third are peer-reviewed by another demo system. Documents are
named by path with the SHA-256 of a synthetic text (no files are written).
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy import Engine

from icsys.assessment.evidence import Evidence, EvidenceDocument, record_evidence
from icsys.assessment.frameworks.loader import LoadedFramework, load_framework
from icsys.domain.levels import Level
from icsys.reference.register import Snapshot

FIRST_SUBMISSION = date(2023, 6, 1)


def build_demo_evidence(
    engine: Engine, *, seed: int = 2026, framework: LoadedFramework | None = None
) -> int:
    """Record demo evidence for every system in force on 2025-03-31; returns how many."""
    loaded = framework or load_framework()
    f = loaded.framework
    systems = Snapshot(engine, date(2025, 3, 31)).codes(Level.SYSTEM)
    rng = random.Random(f"{seed}-evidence")  # noqa: S311 - synthetic data, not secrets
    items = []
    for system in systems:
        for domain in f.domains:
            for criterion in domain.criteria:
                if criterion.kind != "evidenced" or rng.random() > 0.65:
                    continue
                submitted = FIRST_SUBMISSION + timedelta(days=rng.randrange(0, 600))
                roll = rng.random()
                outcome = "accepted" if roll < 0.7 else "rejected" if roll < 0.85 else "pending"
                peer = rng.random() < 1 / 3 and len(systems) > 1
                reviewer_system = rng.choice([s for s in systems if s != system]) if peer else None
                key = f"{system}-{domain.id}-{criterion.id}"
                docs = tuple(
                    EvidenceDocument(
                        title,
                        f"documents/evidence/{key}-{i}.pdf",
                        hashlib.sha256(f"{key} {title}".encode()).hexdigest(),
                    )
                    for i, title in enumerate(criterion.documents, start=1)
                )
                reviewed = outcome != "pending"
                items.append(
                    Evidence(
                        id=f"DEMO-{key}",
                        system_code=system,
                        framework_id=f.id,
                        criterion=f"{domain.id}.{criterion.id}",
                        statement=f"(demo) {criterion.statement}",
                        submitted_on=submitted,
                        submitted_by=f"{system} ICB governance lead",
                        documents=docs,
                        reviewer=(
                            None
                            if not reviewed
                            else f"{reviewer_system} peer reviewer"
                            if reviewer_system
                            else "Regional assessment panel"
                        ),
                        reviewer_system_code=reviewer_system if reviewed else None,
                        review_outcome=outcome,  # type: ignore[arg-type]
                        reviewed_on=submitted + timedelta(days=rng.randrange(14, 90))
                        if reviewed
                        else None,
                    )
                )
    return record_evidence(engine, items)
