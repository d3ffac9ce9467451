"""Hand-set measures for assessment tests, and a store holding nothing but two systems."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.domain.levels import Level, Relation
from icsys.store import models as m
from icsys.store.db import open_store

AS_OF = date(2025, 3, 31)
SYSTEMS = ("E54000901", "E54000902")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An empty store with two systems in force from 2020 (nothing else)."""
    engine = open_store(settings)
    with engine.begin() as conn:
        for code in SYSTEMS:
            conn.execute(
                m.edge.insert().values(
                    relation=Relation.EXISTS,
                    child_level=Level.SYSTEM,
                    child=code,
                    parent_level="",
                    parent="",
                    valid_from=date(2020, 1, 1),
                )
            )
    yield engine
    engine.dispose()
