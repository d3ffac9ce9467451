"""The records service: audit of every change, referential rules, paper storage and limits."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import Gov, add_paper
from icsys.errors import InputFileError, InvalidRecordError, NotFoundError
from icsys.governance import audit, records
from icsys.governance.papers import PaperMeta, documents_dir, read_paper, store_paper


def test_every_change_is_audited(gov: Gov):
    assert (
        gov.save(
            "bodies",
            id="B1",
            system_code="E54000099",
            name="Board",
            kind="icb_board",
            meets_in_public="yes",
            valid_from="2022-07-01",
        )
        == "created"
    )
    assert (
        gov.save(
            "bodies",
            id="B1",
            system_code="E54000099",
            name="Board",
            kind="icb_board",
            meets_in_public=True,
            valid_from=date(2022, 7, 1),
        )
        == "unchanged"
    )
    with gov.engine.begin() as conn:
        assert (
            records.update_fields(conn, "bodies", {"id": "B1"}, {"name": "ICB board"}, actor="sec")
            == "updated"
        )
        records.delete_record(conn, "bodies", {"id": "B1"}, actor="sec")
    trail = audit.history(gov.engine, table="gov_body", key="B1")
    assert [(e.action, e.actor) for e in trail] == [
        ("create", "test"),
        ("update", "sec"),
        ("delete", "sec"),
    ]
    assert trail[1].before is not None
    assert trail[1].before["name"] == "Board"
    assert trail[1].after is not None
    assert trail[1].after["name"] == "ICB board"
    assert trail[1].after["valid_from"] == "2022-07-01"
    assert trail[2].after is None


def test_delete_refuses_records_still_referred_to(gov: Gov):
    gov.body("B1")
    gov.meeting("M1", date(2024, 5, 1))
    with gov.engine.begin() as conn, pytest.raises(InvalidRecordError) as err:
        records.delete_record(conn, "bodies", {"id": "B1"}, actor="sec")
    assert (
        str(err.value)
        == "body B1: id: is still referred to by 1 meeting record(s); delete those first"
    )
    with gov.engine.begin() as conn, pytest.raises(NotFoundError, match="no body NOPE"):
        records.delete_record(conn, "bodies", {"id": "NOPE"}, actor="sec")


def test_service_reports_every_bad_field(gov: Gov):
    with pytest.raises(InvalidRecordError) as err:
        gov.save(
            "members",
            id="m1",
            body_id="B9",
            person_id="p9",
            sector="nhs",
            role="member",
            voting="y",
            valid_from="2024-01-01",
        )
    assert err.value.problems == [
        (
            "sector",
            (
                "'nhs' is not one of nhs_commissioner, nhs_provider, primary_care, mental_health, "
                "local_government, social_care, vcse, independent, healthwatch"
            ),
        ),
    ]
    with pytest.raises(InvalidRecordError) as err:
        gov.save(
            "members",
            id="m1",
            body_id="B9",
            person_id="p9",
            sector="vcse",
            role="member",
            voting="y",
            valid_from="2024-01-01",
        )
    assert err.value.problems == [
        ("body_id", "unknown body 'B9'"),
        ("person_id", "unknown person 'p9'"),
    ]


def test_papers_are_versioned_checksummed_and_limited(gov: Gov):
    gov.body("B1")
    add_paper(gov, "P1", None, "public", date(2024, 1, 1), body="B1", content=b"# v1\n")
    add_paper(gov, "P1", None, "public", date(2024, 1, 1), body="B1", content=b"# v1\n")
    record, content = read_paper(gov.engine, gov.settings, "P1")
    assert (record["version"], content) == (1, b"# v1\n")
    assert (documents_dir(gov.settings) / record["stored_as"]).exists()
    add_paper(gov, "P1", None, "public", date(2024, 2, 1), body="B1", content=b"# v2\n")
    record, content = read_paper(gov.engine, gov.settings, "P1")
    assert (record["version"], content, record["size_bytes"]) == (2, b"# v2\n", 5)
    assert [e.action for e in audit.history(gov.engine, table="gov_paper")] == ["create", "update"]
    meta = PaperMeta("P2", "Paper", "public", date(2024, 1, 1), body_id="B1")
    cases = [
        (
            "p.exe",
            b"MZ",
            (
                "p.exe: papers of type '.exe' are not accepted (expected .doc, .docx, .htm, .html, "
                ".md, .ods, .odt, .pdf, .ppt, .pptx, .xls, .xlsx)"
            ),
        ),
        ("p.pdf", b"<html>", "p.pdf: does not look like a .pdf file (its first bytes are wrong)"),
        ("p.md", b"\xff\xfe", "p.md: is not UTF-8 text (byte 0)"),
        ("p.md", b"", "p.md: is empty"),
        ("p.md", b"x" * 11, "p.md: is 11 bytes, over the limit of 10"),
    ]
    for filename, content, message in cases:
        with gov.engine.begin() as conn, pytest.raises(InputFileError) as err:
            store_paper(
                conn,
                gov.settings,
                meta,
                filename=filename,
                content=content,
                actor="t",
                max_bytes=10,
            )
        assert str(err.value) == message
    with gov.engine.begin() as conn:
        stored = store_paper(
            conn, gov.settings, meta, filename="p.pdf", content=b"%PDF-1.7\n", actor="t"
        )
    assert stored["media_type"] == "application/pdf"
