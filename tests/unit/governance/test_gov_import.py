"""Importing governance files: reconciliation, quarantine with located reasons, file errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import Gov
from icsys.errors import InputFileError, QuarantineError
from icsys.governance.importer import import_governance
from icsys.store import governance_models as g

BODIES = """id,system_code,name,kind,parent_id,meets_in_public,valid_from,valid_to
BOARD,E54000099,ICB board,icb_board,,yes,2022-07-01,
PLACE1,E54000099,Northtown place board,place_partnership_board,BOARD,no,2022-07-01,
"""
MEMBERS = """id,body_id,person_id,person_name,sector,role,voting,valid_from,valid_to
m1,BOARD,p1,Ann Chair,nhs_commissioner,chair,yes,2022-07-01,
m2,BOARD,p2,Bob Council,local_government,member,yes,2022-07-01,
"""
MEETINGS = """meetings:
  - {id: BM1, body_id: BOARD, meeting_date: 2024-05-01, status: held, public_part: true, private_part: false, notice_on: 2024-04-20}
attendance:
  - {meeting_id: BM1, person_id: p1, status: present}
  - {meeting_id: BM1, person_id: p2, status: apologies}
"""
ITEMS = """id,meeting_id,seq,title,presenting_sector,part,purpose,contributions
BM1-1,BM1,1,Winter plan,local_government,public,decision,vcse:co_produced; healthwatch
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _count(gov: Gov, table) -> int:
    with gov.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_import_reconciles_and_is_idempotent(gov: Gov, tmp_path: Path):
    folder = _write(
        tmp_path / "in",
        {
            "bodies.csv": BODIES,
            "members.csv": MEMBERS,
            "meetings.yaml": MEETINGS,
            "items.csv": ITEMS,
        },
    )
    report = import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    assert not report.problems
    assert all(f.reconciles for f in report.files)
    assert report.total("created") == 2 + 2 + 3 + 1
    assert _count(gov, g.gov_person) == 2
    assert _count(gov, g.gov_item_contribution) == 2
    audited = _count(gov, g.gov_audit)
    assert audited == 8 + 2 + 2  # rows, people, contributions
    again = import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    assert again.total("unchanged") == 8
    assert again.total("created") == 0
    assert _count(gov, g.gov_audit) == audited


def test_bad_rows_are_quarantined_with_located_reasons(gov: Gov, tmp_path: Path):
    bad = BODIES + (
        "B3,E54000099,Bad date,icb_committee,,yes,2022-13-01,\n"
        "B4,E54000099,Bad kind,board,,yes,2022-07-01,\n"
        "B5,E54000099,Orphan,icb_committee,NOPE,yes,2022-07-01,\n"
        "B6,E54000099,,icb_committee,,maybe,2022-07-01,\n"
        "BOARD,E54000099,Again,icb_board,,yes,2022-07-01,\n"
        "B7,E54000099,Ends first,icb_committee,,yes,2022-07-01,2022-06-30\n"
        "B8,E54000099,Too many,icb_committee,,yes,2022-07-01,,extra\n"
    )
    folder = _write(tmp_path / "in", {"bodies.csv": bad})
    report = import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    path = str(folder / "bodies.csv")
    got = [(p.line, p.column, p.value, p.reason) for p in report.problems]
    assert got == [
        (10, "-", "", "has 9 fields, the header has 8"),
        (4, "valid_from", "2022-13-01", "'2022-13-01' is not a date (expected YYYY-MM-DD)"),
        (
            5,
            "kind",
            "board",
            (
                "'board' is not one of icb_board, integrated_care_partnership, icb_committee, "
                "place_partnership_board, joint_committee, provider_collaborative_board, "
                "health_and_wellbeing_board"
            ),
        ),
        (6, "parent_id", "NOPE", "unknown body 'NOPE'"),
        (7, "name", "", "is required"),
        (7, "meets_in_public", "maybe", "'maybe' is not a yes/no value"),
        (8, "id", "BOARD", f"duplicate of {path} line 2"),
        (9, "valid_to", "2022-06-30", "2022-06-30 is before valid_from 2022-07-01"),
    ]
    (f,) = report.files
    assert (f.rows_read, f.count("created"), f.count("quarantined")) == (9, 2, 7)
    assert f.reconciles
    assert f.quarantine_file is not None
    with Path(f.quarantine_file).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 8
    assert rows[1] == {
        "file": path,
        "line": "4",
        "column": "valid_from",
        "value": "2022-13-01",
        "reason": got[1][3],
    }


def test_children_of_a_quarantined_row_are_quarantined_too(gov: Gov, tmp_path: Path):
    items = ITEMS + "BM1-2,NOPE,2,Orphan,vcse,public,decision,local_government:co_produced\n"
    folder = _write(
        tmp_path / "in",
        {
            "bodies.csv": BODIES,
            "members.csv": MEMBERS,
            "meetings.yaml": MEETINGS,
            "items.csv": items,
        },
    )
    report = import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (3, "meeting_id", "unknown meeting 'NOPE'")
    ]
    assert _count(gov, g.gov_item_contribution) == 2  # only BM1-1's


def test_bad_contributions_field(gov: Gov, tmp_path: Path):
    items = ITEMS.replace("vcse:co_produced", "vcse:wrote_it")
    folder = _write(
        tmp_path / "in",
        {
            "bodies.csv": BODIES,
            "members.csv": MEMBERS,
            "meetings.yaml": MEETINGS,
            "items.csv": items,
        },
    )
    report = import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (2, "contributions", "'wrote_it' is not one of proposed, co_produced, consulted")
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "bodies.csv",
            BODIES.replace("valid_to", "colour"),
            (
                "{path}, line 1, column 'colour': unknown column for bodies (expected id, system_code, name, kind, "
                "parent_id, place_code, meets_in_public, terms_of_reference, valid_from, valid_to)"
            ),
        ),
        (
            "bodies.csv",
            BODIES.replace(",kind,", ",")
            .replace(",icb_board,", ",")
            .replace(",place_partnership_board,", ","),
            "{path}, line 1, column 'kind': a required column of bodies is missing",
        ),
        ("bodies.csv", "", "{path}, line 1: is empty (no header)"),
        (
            "minutes.csv",
            BODIES,
            (
                "{path}: the file name does not say which kind of record it holds (expected a "
                "name ending with one of people, bodies, members, meetings, attendance, items, item_contributions, "
                "decisions, decision_contributions, votes, dissents, decision_indicators, actions, allocations, "
                "delegations, delegation_budgets, posts, tenures)"
            ),
        ),
        (
            "m.yaml",
            "meetings:\n  - {id: X\n",
            "{path}, line 3: is not valid YAML: expected ',' or '}', but got '<stream end>'",
        ),
        (
            "m.yaml",
            "meetings:\n  - id: X\nminutes: []\n",
            (
                "{path}, line 3: 'minutes' is not a kind of governance "
                "record (expected people, bodies, members, meetings, attendance, items, item_contributions, decisions, "
                "decision_contributions, votes, dissents, decision_indicators, actions, allocations, delegations, "
                "delegation_budgets, posts, tenures)"
            ),
        ),
        (
            "m.yaml",
            "meetings:\n  - id: X\n    colour: red\n",
            (
                "{path}, line 2, column 'colour': unknown field for "
                "meetings (expected id, body_id, meeting_date, status, public_part, private_part, notice_on)"
            ),
        ),
        ("m.yaml", "meetings: 3\n", "{path}, line 1: meetings must be a list of records"),
    ],
)
def test_malformed_files_stop_the_import_before_anything_is_written(
    gov: Gov, tmp_path: Path, name, text, message
):
    folder = _write(tmp_path / "in", {"a-bodies.csv": BODIES, name: text})
    with pytest.raises(InputFileError) as err:
        import_governance(gov.engine, gov.settings, [folder], actor="secretary")
    assert str(err.value) == message.replace("{path}", str(folder / name))
    assert _count(gov, g.gov_body) == 0


def test_not_utf8(gov: Gov, tmp_path: Path):
    path = tmp_path / "bodies.csv"
    path.write_bytes(
        BODIES.encode() + "B9,E54000099,Caf\xe9,icb_board,,yes,2022-07-01,\n".encode("latin-1")
    )
    with pytest.raises(InputFileError, match=r"bodies.csv, line 4: is not UTF-8 \(byte 2\d\d\)"):
        import_governance(gov.engine, gov.settings, [path], actor="secretary")


def test_strict_changes_nothing(gov: Gov, tmp_path: Path):
    folder = _write(
        tmp_path / "in",
        {"bodies.csv": BODIES + "B3,E54000099,Bad,icb_committee,,yes,2022-13-01,\n"},
    )
    with pytest.raises(QuarantineError) as err:
        import_governance(gov.engine, gov.settings, [folder], actor="secretary", strict=True)
    assert str(err.value) == (
        f"1 problem(s) and --strict was given; first: {folder / 'bodies.csv'} line 4 column 'valid_from': "
        "'2022-13-01' is not a date (expected YYYY-MM-DD)"
    )
    assert _count(gov, g.gov_body) == 0
    assert _count(gov, g.gov_audit) == 0
