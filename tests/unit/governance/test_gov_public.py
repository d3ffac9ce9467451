"""Confidential papers and private meeting parts never reach a public listing or the export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import SYSTEM, Gov, add_paper
from icsys.errors import PermissionDeniedError
from icsys.governance import visibility
from icsys.governance.export import export_public_record, public_record
from icsys.governance.papers import read_public_paper

AS_OF = date(2024, 12, 31)
SECRET = (
    "PRIV-ITEM",
    "PRIV-DEC",
    "CONF-PAPER",
    "PRIVPART-PAPER",
    "FUTURE-PAPER",
    "CLOSED-ITEM",
    "CLOSED-DEC",
    "CLOSED-PAPER",
    "TOR-CONF",
)
OPEN = ("PUB-ITEM", "PUB-DEC", "PUB-PAPER", "TOR-PUB")


def _world(gov: Gov) -> None:
    gov.body("B1")
    gov.member("mA", "A", "local_government")
    gov.meeting("M1", date(2024, 6, 10), public=True, private=True)
    gov.item("PUB-ITEM", "M1")
    gov.item("PRIV-ITEM", "M1", seq=2, part="private")
    gov.decision("PUB-DEC", "PUB-ITEM")
    gov.decision("PRIV-DEC", "PRIV-ITEM")
    gov.save("votes", decision_id="PRIV-DEC", person_id="A", vote="against")
    gov.save("dissents", decision_id="PRIV-DEC", person_id="A", reason="secret reason")
    add_paper(gov, "PUB-PAPER", "PUB-ITEM", "public", date(2024, 6, 1))
    add_paper(
        gov,
        "CONF-PAPER",
        "PUB-ITEM",
        "confidential",
        date(2024, 6, 1),
        content=b"# confidential text\n",
    )
    add_paper(
        gov, "PRIVPART-PAPER", "PRIV-ITEM", "public", date(2024, 6, 1)
    )  # public label, private part
    add_paper(gov, "FUTURE-PAPER", "PUB-ITEM", "public", date(2025, 6, 1))  # not yet published
    add_paper(gov, "TOR-PUB", None, "public", date(2023, 1, 1), body="B1")
    add_paper(gov, "TOR-CONF", None, "confidential", date(2023, 1, 1), body="B1")
    # A meeting with no public part: an item wrongly marked public is still private.
    gov.meeting("M2", date(2024, 7, 10), public=False, private=True)
    gov.item("CLOSED-ITEM", "M2", part="public")
    gov.decision("CLOSED-DEC", "CLOSED-ITEM")
    add_paper(gov, "CLOSED-PAPER", "CLOSED-ITEM", "public", date(2024, 7, 1))


def test_public_listings_hold_only_public_records(gov: Gov):
    _world(gov)
    assert [i["id"] for i in visibility.public_items(gov.engine, system=SYSTEM)] == ["PUB-ITEM"]
    assert [d["id"] for d in visibility.public_decisions(gov.engine)] == ["PUB-DEC"]
    assert sorted(p["id"] for p in visibility.public_papers(gov.engine, AS_OF)) == [
        "PUB-PAPER",
        "TOR-PUB",
    ]
    assert sorted(p["id"] for p in visibility.public_papers(gov.engine, date(2025, 7, 1))) == [
        "FUTURE-PAPER",
        "PUB-PAPER",
        "TOR-PUB",
    ]
    record = public_record(gov.engine, AS_OF, system=SYSTEM)
    text = repr(record)
    for ident in SECRET:
        assert f"'{ident}'" not in text
    assert "secret reason" not in text
    for ident in OPEN:
        assert f"'{ident}'" in text


def test_public_paper_reader_refuses_the_rest(gov: Gov):
    _world(gov)
    meta, content = read_public_paper(gov.engine, gov.settings, "PUB-PAPER", AS_OF)
    assert content == b"# PUB-PAPER\n"
    assert meta["classification"] == "public"
    for ident in (
        "CONF-PAPER",
        "PRIVPART-PAPER",
        "FUTURE-PAPER",
        "CLOSED-PAPER",
        "TOR-CONF",
        "NO-SUCH",
    ):
        with pytest.raises(PermissionDeniedError, match=f"paper '{ident}' is not public"):
            read_public_paper(gov.engine, gov.settings, ident, AS_OF)


def test_export_never_contains_private_or_confidential(gov: Gov, tmp_path: Path):
    _world(gov)
    target = tmp_path / "public"
    counts = export_public_record(gov.engine, gov.settings, target, AS_OF, system=SYSTEM)
    assert counts["papers"] == 2
    assert counts["items"] == 1
    assert counts["decisions"] == 1
    assert sorted(p.name for p in (target / "papers").iterdir()) == ["PUB-PAPER.md", "TOR-PUB.md"]
    everything = "".join(p.read_text(encoding="utf-8") for p in target.rglob("*") if p.is_file())
    for ident in SECRET:
        assert ident not in everything
    assert "confidential text" not in everything
    assert "secret reason" not in everything
    assert "PUB-DEC" in everything
    assert "PUB-PAPER" in everything
    with pytest.raises(Exception, match="already exists"):
        export_public_record(gov.engine, gov.settings, target, AS_OF)
