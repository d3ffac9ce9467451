"""Peer groups of the 42 real systems from the real reference files (../shared/data)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from icsys.assessment import service
from icsys.assessment.peers import build_peer_model, system_features
from icsys.config import Settings
from icsys.reference.load import load_reference
from icsys.reference.register import Snapshot
from icsys.store.db import open_store

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
AS_OF = date(2025, 6, 1)
WEST_YORKSHIRE = "E54000054"


@pytest.fixture(scope="module")
def engine(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """All of ../shared/data loaded once for the module."""
    settings = Settings(home=tmp_path_factory.mktemp("assess-real"))
    engine = open_store(settings)
    load_reference(engine, settings, [shared_data])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def features(engine):
    return system_features(Snapshot(engine, AS_OF))


def test_every_real_system_has_every_structural_feature(features):
    assert len(features) == 42
    for code, row in features.items():
        for name in ("population", "share_65_plus", "imd_score", "core20_share", "rural_share"):
            assert row[name] is not None, (code, name)
        assert row["places"] >= 1
        assert row["local_authorities"] >= 1
    england = sum(r["population"] for r in features.values())
    assert 56_000_000 < england < 57_000_000  # mid-2020 estimates, 2011 LSOAs mapped to 2021
    core20 = sum(r["population"] * r["core20_share"] for r in features.values()) / england
    assert 0.18 < core20 < 0.22  # deciles 1-2 hold about a fifth of the population
    wy = features[WEST_YORKSHIRE]
    assert 2_300_000 < wy["population"] < 2_500_000
    assert wy["local_authorities"] == 6  # Bradford, Calderdale, Kirklees, Leeds, Wakefield, Craven


def test_peer_groups_of_the_42_systems_are_explained(engine):
    model = service.peer_model(engine, as_of=AS_OF)
    for system in model.systems:
        peers = model.peers(system)
        assert len(peers) == 5
        assert system not in [p.code for p in peers]
        assert [p.distance for p in peers] == sorted(p.distance for p in peers)
        for p in peers:
            assert math.fsum(c.share for c in p.contributions) == pytest.approx(1)
            assert p.drivers
    assert "E54000057" in [p.code for p in model.peers(WEST_YORKSHIRE)]  # Greater Manchester


def test_real_peer_groups_do_not_depend_on_input_order(features):
    base = build_peer_model(features)
    codes = list(features)
    random.Random(7).shuffle(codes)
    shuffled = build_peer_model({c: features[c] for c in codes})
    for system in features:
        assert [(p.code, p.distance) for p in shuffled.peers(system)] == [
            (p.code, p.distance) for p in base.peers(system)
        ]
