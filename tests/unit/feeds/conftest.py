"""A small structure (the synthetic demo world) and a key outside the data folder, per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.store.db import open_store
from icsys.synth.demo import build_demo


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    base = tmp_path_factory.mktemp("world")
    settings = Settings(home=base / "structure")
    engine = open_store(settings)
    build_demo(engine, settings)
    yield engine, base
    engine.dispose()


@pytest.fixture
def feed_env(world: tuple[Engine, Path], tmp_path: Path) -> tuple[Engine, Settings, dict[str, str]]:
    engine, _ = world
    return (
        engine,
        Settings(home=tmp_path / "data"),
        {"ICSYS_PSEUDONYM_KEY": str(tmp_path / "keys" / "k")},
    )
