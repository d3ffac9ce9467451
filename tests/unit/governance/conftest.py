"""A small governance world built by hand through the audited service, for measure tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.governance import records
from icsys.governance.papers import PaperMeta, store_paper
from icsys.store.db import open_store

SYSTEM = "E54000099"


class Gov:
    """Shortcuts for building records; defaults keep each test to what it is about."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def save(self, kind_name: str, /, **values: Any) -> str:
        with self.engine.begin() as conn:
            return records.save(conn, kind_name, values, actor="test")

    def body(
        self, key: str = "B1", *, kind: str = "icb_board", system: str = SYSTEM, **kw: Any
    ) -> str:
        values = {
            "system_code": system,
            "name": f"Body {key}",
            "kind": kind,
            "meets_in_public": True,
            "valid_from": date(2020, 1, 1),
        } | kw
        self.save("bodies", id=key, **values)
        return key

    def person(self, key: str, name: str | None = None) -> str:
        self.save("people", id=key, name=name or f"Person {key}")
        return key

    def member(
        self,
        key: str,
        person: str,
        sector: str,
        *,
        body: str = "B1",
        role: str = "member",
        voting: bool = True,
        start: date = date(2020, 1, 1),
        end: date | None = None,
    ) -> None:
        if records_missing(self.engine, "people", person):
            self.person(person)
        self.save(
            "members",
            id=key,
            body_id=body,
            person_id=person,
            sector=sector,
            role=role,
            voting=voting,
            valid_from=start,
            valid_to=end,
        )

    def meeting(
        self,
        key: str,
        day: date,
        *,
        body: str = "B1",
        status: str = "held",
        public: bool = True,
        private: bool = False,
        notice: date | None = None,
    ) -> str:
        self.save(
            "meetings",
            id=key,
            body_id=body,
            meeting_date=day,
            status=status,
            public_part=public,
            private_part=private,
            notice_on=notice,
        )
        return key

    def item(
        self,
        key: str,
        meeting: str,
        *,
        seq: int = 1,
        sector: str | None = None,
        part: str = "public",
        purpose: str = "decision",
        contributions: dict[str, str] | None = None,
    ) -> str:
        self.save(
            "items",
            id=key,
            meeting_id=meeting,
            seq=seq,
            title=f"Item {key}",
            presenting_sector=sector,
            part=part,
            purpose=purpose,
        )
        for s, k in (contributions or {}).items():
            self.save("item_contributions", item_id=key, sector=s, kind=k)
        return key

    def decision(
        self,
        key: str,
        item: str,
        *,
        outcome: str = "approved",
        contributions: dict[str, str] | None = None,
    ) -> str:
        self.save("decisions", id=key, item_id=item, resolution=f"Resolved {key}", outcome=outcome)
        for s, k in (contributions or {}).items():
            self.save("decision_contributions", decision_id=key, sector=s, kind=k)
        return key


def records_missing(engine: Engine, kind: str, ident: str) -> bool:
    with engine.connect() as conn:
        return records.get(conn, kind, {"id": ident}) is None


@pytest.fixture
def gov(settings: Settings) -> Iterator[Gov]:
    engine = open_store(settings)
    yield Gov(engine, settings)
    engine.dispose()


def add_paper(
    gov: Gov,
    key: str,
    item: str | None,
    classification: str,
    published: date | None,
    *,
    body: str | None = None,
    content: bytes | None = None,
) -> None:
    meta = PaperMeta(key, f"Paper {key}", classification, published, "ICB", item, body)
    with gov.engine.begin() as conn:
        store_paper(
            conn,
            gov.settings,
            meta,
            filename=f"{key}.md",
            content=content or f"# {key}\n".encode(),
            actor="test",
        )
