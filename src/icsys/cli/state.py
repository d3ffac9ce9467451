"""What commands share: the settings, and the store opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.store.db import open_store


@dataclass
class State:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.settings)
        return self._engine


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - the callback always sets it
        msg = "icsys settings were not initialised"
        raise TypeError(msg)
    return obj
