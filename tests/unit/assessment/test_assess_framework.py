"""Framework files: a changed threshold changes exactly the expected outcomes; a used version
never changes; invalid files are refused with the place and the reason; evidence rules."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from icsys.assessment import service
from icsys.assessment.evaluate import evaluate_system
from icsys.assessment.evidence import Evidence, EvidenceDocument, evidence_as_of, record_evidence
from icsys.assessment.frameworks import load_framework, shipped_frameworks, with_changes
from icsys.assessment.immutability import SHIPPED_FINGERPRINTS, FrameworkChangedError
from icsys.assessment.measures import HandSetMeasures
from icsys.errors import InputFileError, InvalidRecordError, UserError

AS_OF = date(2025, 3, 31)
SYSTEMS = ("E54000901", "E54000902")  # as in conftest.py

A, B = SYSTEMS
SHIPPED = shipped_frameworks()["icsys_maturity_v1"]


def measures():
    base = {
        "governance.papers_on_time_share": 0.7,
        "governance.median_notice_days": 10,
        "governance.stable_12m_share": 0.8,
    }
    return HandSetMeasures(
        {
            A: base | {"governance.public_meeting_share": 0.79},
            B: base | {"governance.public_meeting_share": 0.70},
        }
    )


def copy_with(tmp_path: Path, old: str, new: str, *, version: int | None = 2) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    if version is not None:
        text = text.replace("\nversion: 1\n", f"\nversion: {version}\n")
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def outcomes(framework, source):
    return {s: evaluate_system(framework, s, AS_OF, source) for s in SYSTEMS}


def test_changing_a_threshold_in_a_copy_changes_exactly_the_expected_outcomes(tmp_path):
    old = "rule: governance.public_meeting_share >= threshold\n        params: {threshold: 0.8}"
    new = "rule: governance.public_meeting_share >= threshold\n        params: {threshold: 0.75}"
    copy = load_framework(copy_with(tmp_path, old, new))
    before = outcomes(load_framework().framework, measures())
    after = outcomes(copy.framework, measures())
    changes = {
        s: [(c.what, c.before, c.after) for c in service.diff_assessments(before[s], after[s])]
        for s in SYSTEMS
    }
    # A (0.79) now meets it, which also lifts the maturing gate: 4/5 -> thriving. B (0.70) not.
    assert changes == {
        A: [
            ("transparency.meets_in_public", "not_met", "met"),
            ("transparency", "developing", "thriving"),
        ],
        B: [],
    }


def test_the_same_change_in_memory_gives_the_same_framework_as_the_edited_copy(tmp_path):
    old = "params: {threshold: 0.8}"
    copy = load_framework(copy_with(tmp_path, old, "params: {threshold: 0.75}", version=None))
    changed = with_changes(load_framework(), {"transparency.meets_in_public.threshold": 0.75})
    assert changed.fingerprint == copy.fingerprint


def test_the_shipped_version_is_pinned_and_a_changed_copy_of_it_is_refused(tmp_path, engine):
    shipped = load_framework()
    assert SHIPPED_FINGERPRINTS[("icsys_maturity", 1)] == shipped.fingerprint
    changed = copy_with(
        tmp_path, "params: {threshold: 0.8}", "params: {threshold: 0.75}", version=None
    )
    with pytest.raises(
        FrameworkChangedError,
        match=r"icsys_maturity v1 .* differs from the v1 shipped with icsys .* new version \(version: 2\)",
    ):
        service.assess(engine, as_of=AS_OF, framework=changed, source=measures())
    # as version 2 it is a new framework version and runs
    bumped = copy_with(tmp_path, "params: {threshold: 0.8}", "params: {threshold: 0.75}")
    run = service.assess(engine, as_of=AS_OF, framework=bumped, source=measures())
    assert run.framework.framework.version == 2


def test_comments_and_layout_do_not_change_the_fingerprint(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(
        "# a comment\n" + SHIPPED.read_text(encoding="utf-8").replace("  ", "  ") + "\n\n"
    )
    assert load_framework(path).fingerprint == load_framework().fingerprint


def test_a_used_version_cannot_change_in_the_store(tmp_path, engine):
    old = "id: icsys_maturity\n"
    first = load_framework(copy_with(tmp_path, old, "id: local_maturity\n", version=None))
    run = service.assess(engine, as_of=AS_OF, framework=first, source=measures())
    assert run.run_id is not None
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        (tmp_path / "framework.yaml").read_text().replace("thriving: 0.8", "thriving: 0.85"),
        encoding="utf-8",
    )
    with pytest.raises(FrameworkChangedError, match="already used in this store"):
        service.assess(engine, as_of=AS_OF, framework=changed, source=measures())
    with pytest.raises(FrameworkChangedError):
        service.explain(engine, A, as_of=AS_OF, framework=changed, source=measures())
    # the unchanged file still runs, and the history has both dates
    service.assess(engine, as_of=date(2025, 6, 30), framework=first, source=measures())
    assert [h["as_of"] for h in service.history(engine, A)] == [AS_OF, date(2025, 6, 30)]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "rule: governance.public_meeting_share >= threshold",
            "rule: __import__('os').system('true')",
            "only the functions",
        ),
        (
            "cites: [governance.public_meeting_share]",
            "cites: [governance.other]",
            "uses ['governance.public_meeting_share'] without citing them",
        ),
        ("  developing: 0.3\n", "  developing: 0.6\n", "stage thresholds must not decrease"),
        ("required_for: developing", "required_for: excellent", "required_for"),
        (
            "weight: 2\n        required_for: maturing\n      - id: papers",
            "weight: 0\n        required_for: maturing\n      - id: papers",
            "greater than 0",
        ),
    ],
)
def test_invalid_frameworks_are_refused_with_where_and_why(tmp_path, old, new, message):
    with pytest.raises(InputFileError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_framework(copy_with(tmp_path, old, new))


def test_unknown_change_keys_are_user_errors():
    with pytest.raises(UserError, match="no parameter 'limit'"):
        with_changes(load_framework(), {"transparency.meets_in_public.limit": 1})
    with pytest.raises(UserError, match="no domain 'nope'"):
        with_changes(load_framework(), {"nope.weight": 1})


def evidence(**kw):
    values = {
        "id": "E1",
        "system_code": A,
        "framework_id": "icsys_maturity",
        "criterion": "leadership.leadership_pipeline",
        "statement": "We have a succession plan.",
        "submitted_on": date(2025, 1, 10),
        "submitted_by": "Board secretary",
    } | kw
    return Evidence(**values)


def test_evidence_documents_are_checksummed_and_reviews_dated(tmp_path, engine):
    doc = tmp_path / "plan.pdf"
    doc.write_bytes(b"%PDF-1.7 plan")
    record_evidence(
        engine,
        [
            evidence(
                documents=(EvidenceDocument("Plan", "plan.pdf", ""),),
                reviewer="Peer",
                reviewer_system_code=B,
                review_outcome="accepted",
                reviewed_on=date(2025, 2, 1),
            )
        ],
        base=tmp_path,
    )
    before_review = evidence_as_of(engine, "icsys_maturity", date(2025, 1, 31))[A]
    assert before_review["leadership.leadership_pipeline"].outcome == "pending"
    after = evidence_as_of(engine, "icsys_maturity", AS_OF)[A]["leadership.leadership_pipeline"]
    assert after.outcome == "accepted"
    assert after.reviewer_system_code == B
    assert after.documents[0].sha256 == hashlib.sha256(b"%PDF-1.7 plan").hexdigest()
    assert evidence_as_of(engine, "icsys_maturity", date(2025, 1, 1)) == {}
    result = service.explain(engine, A, as_of=AS_OF, source=measures())
    row = next(c for c in result.criteria() if c.criterion == "leadership_pipeline")
    assert row.outcome == "met"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "reviewer_system_code": A,
                "reviewer": "x",
                "review_outcome": "accepted",
                "reviewed_on": date(2025, 2, 1),
            },
            "reviewer_system_code",
        ),
        ({"review_outcome": "accepted"}, "reviewer"),
        (
            {"reviewer": "x", "review_outcome": "rejected", "reviewed_on": date(2024, 1, 1)},
            "reviewed_on",
        ),
        ({"documents": (EvidenceDocument("Gone", "missing.pdf", ""),)}, "documents"),
        ({"documents": (EvidenceDocument("Doc", "plan.pdf", "0" * 64),)}, "documents"),
    ],
)
def test_invalid_evidence_is_refused(tmp_path, engine, changes, field):
    (tmp_path / "plan.pdf").write_bytes(b"content")
    with pytest.raises(InvalidRecordError) as info:
        record_evidence(engine, [evidence(**changes)], base=tmp_path)
    assert field in [f for f, _ in info.value.problems]
