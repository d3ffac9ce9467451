"""Governance on each store engine (SQLite; PostgreSQL when a server is available): import,
measures, public listings, audit and the synthetic demo records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from icsys.config import Settings
from icsys.governance import audit, records, visibility
from icsys.governance.importer import import_governance
from icsys.governance.measures import Period, all_measures, leadership
from icsys.store import governance_models as g

RECORDS = """bodies:
  - {id: BOARD, system_code: E54000099, name: ICB board, kind: icb_board, meets_in_public: yes, valid_from: 2022-07-01}
members:
  - {id: m1, body_id: BOARD, person_id: p1, person_name: Ann, sector: nhs_commissioner, role: chair, voting: yes, valid_from: 2022-07-01}
  - {id: m2, body_id: BOARD, person_id: p2, person_name: Bob, sector: local_government, role: member, voting: yes, valid_from: 2022-07-01}
meetings:
  - {id: M1, body_id: BOARD, meeting_date: 2024-05-01, status: held, public_part: yes, private_part: yes, notice_on: 2024-04-21}
  - {id: M2, body_id: BOARD, meeting_date: 2024-07-01, status: cancelled, public_part: yes, private_part: no}
attendance:
  - {meeting_id: M1, person_id: p1, status: present}
items:
  - {id: I1, meeting_id: M1, seq: 1, title: Plan, presenting_sector: local_government, part: public, purpose: decision}
  - {id: I2, meeting_id: M1, seq: 2, title: Contract, presenting_sector: nhs_commissioner, part: private, purpose: decision}
decisions:
  - {id: D1, item_id: I1, resolution: Approved the plan, outcome: approved, contributions: "vcse:co_produced"}
  - {id: D2, item_id: I2, resolution: Awarded the contract, outcome: approved}
votes:
  - {decision_id: D2, person_id: p2, vote: against}
allocations:
  - {system_code: E54000099, financial_year: 2024/25, amount_gbp: 1000000}
delegations:
  - {id: DL1, system_code: E54000099, from_kind: body, from_code: BOARD, to_kind: organisation, to_code: E06000001, recipient_type: place, functions: BCF, valid_from: 2024-04-01}
delegation_budgets:
  - {delegation_id: DL1, financial_year: 2024/25, amount_gbp: 250000}
posts:
  - {id: CHAIR, system_code: E54000099, kind: icb_chair, title: ICB chair, valid_from: 2022-07-01}
  - {id: CEO, system_code: E54000099, kind: icb_chief_executive, title: ICB chief executive, valid_from: 2022-07-01}
tenures:
  - {id: T1, post_id: CHAIR, person_id: p1, start_on: 2022-07-01, interim: no, background: commissioning}
  - {id: T2, post_id: CEO, person_id: p3, person_name: Cat, start_on: 2022-07-01, end_on: 2024-12-31, interim: no, background: provider_trust}
  - {id: T3, post_id: CEO, person_id: p4, person_name: Dan, start_on: 2025-01-01, interim: yes, background: local_government}
"""


def test_governance_on_the_store(store: Engine, store_settings: Settings, tmp_path: Path):
    path = tmp_path / "records.yaml"
    path.write_text(RECORDS, encoding="utf-8")
    report = import_governance(store, store_settings, [path], actor="secretary")
    assert not report.problems
    assert report.files[0].reconciles
    assert report.total("created") == 19
    again = import_governance(store, store_settings, [path], actor="secretary")
    assert again.total("unchanged") == 19

    rows = all_measures(store, Period(date(2024, 4, 1), date(2025, 3, 31)), as_of=date(2025, 3, 31))
    got = {(r.system_code, r.measure, r.breakdown): r.value for r in rows}
    assert got[("E54000099", "public_meeting_share", None)] == 1.0
    assert got[("E54000099", "median_notice_days", None)] == 10.0
    assert got[("E54000099", "attendance_rate", "all")] == 0.5
    assert got[("E54000099", "decision_share", "vcse")] == 0.5
    assert got[("E54000099", "dissent_rate", None)] == 0.5
    assert got[("E54000099", "delegated_to_place_share", "2024/25")] == 0.25
    assert got[("E54000099", "stable_6m_share", None)] == 0.5
    assert got[("ALL", "interim_share", None)] == 0.5

    assert [d["id"] for d in visibility.public_decisions(store)] == ["D1"]
    assert [i["id"] for i in visibility.public_items(store)] == ["I1"]

    with store.begin() as conn:
        records.update_fields(conn, "tenures", {"id": "T3"}, {"interim": False}, actor="secretary")
    assert [e.action for e in audit.history(store, table="gov_tenure", key="T3")] == [
        "create",
        "update",
    ]
    assert [
        r.value for r in leadership(store, date(2025, 3, 31)) if r.measure == "interim_share"
    ] == [0.0, 0.0]
    with store.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(g.gov_audit)).scalar_one()
            == 19 + 4 + 1 + 1
        )
