"""The pseudonymisation key: created once, whole, even when feeds load in several processes."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from icsys.config import Settings
from icsys.errors import ConfigError
from icsys.feeds.pseudonym import KEY_ENV, load_key


def _key(home: str, path: str) -> bytes:
    return load_key(Settings(home=Path(home)), {KEY_ENV: path})


def test_first_use_creates_a_private_key_and_reuses_it(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "pseudonym.key"
    first = _key(str(tmp_path / "home"), str(path))
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _key(str(tmp_path / "home"), str(path)) == first
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no temporary left


_RACERS = 6
_start: Barrier | None = None


def _ready(barrier: Barrier) -> None:
    global _start  # noqa: PLW0603 - the pool initialiser hands each worker the shared barrier
    _start = barrier


def _race(home: str, path: str) -> bytes:
    assert _start is not None
    _start.wait()  # every worker asks for the key at the same moment
    return _key(home, path)


def test_processes_racing_to_create_the_key_all_get_the_same_whole_key(tmp_path: Path) -> None:
    context = get_context("fork")
    barrier = context.Barrier(_RACERS)
    home = str(tmp_path / "home")
    with ProcessPoolExecutor(_RACERS, context, _ready, (barrier,)) as pool:
        for attempt in range(20):
            path = str(tmp_path / f"keys{attempt}" / "pseudonym.key")
            keys = list(pool.map(_race, [home] * _RACERS, [path] * _RACERS))
            assert {len(k) for k in keys} == {32}
            assert len(set(keys)) == 1
            assert Path(path).read_bytes() == keys[0]


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_bytes(b"too short")
    with pytest.raises(ConfigError, match="shorter than 16 bytes"):
        _key(str(tmp_path / "home"), str(path))
