"""Load the indicator library: the YAML files shipped with icsys plus any extra folder.

The library's *version* is a hash of every definition file's name and bytes, recorded with each
computed result so a value can always be traced to the definitions that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from icsys.analytics.definitions.derived import DERIVED, DerivedIndicator
from icsys.analytics.definitions.model import Indicator
from icsys.errors import NotFoundError, UserError


class DefinitionError(UserError):
    """An indicator definition file is invalid (the message names the file)."""

    exit_code = 13
    http_status = 422
    code = "definition_error"


@dataclass(frozen=True)
class Library:
    """The indicators (from files) and derived indicators (from Python), and their version."""

    indicators: tuple[Indicator, ...]
    derived: tuple[DerivedIndicator, ...]
    version: str

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise NotFoundError(f"no indicator {indicator_id!r} (try `icsys indicators list`)")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators) + tuple(d.id for d in self.derived)

    def select(self, ids: Iterable[str] | None) -> Library:
        """The library restricted to ``ids`` (derived indicators bring their inputs)."""
        if ids is None:
            return self
        wanted = set(ids)
        unknown = wanted - set(self.ids)
        if unknown:
            raise NotFoundError(f"no indicator {min(unknown)!r} (try `icsys indicators list`)")
        derived = tuple(d for d in self.derived if d.id in wanted)
        wanted |= {i for d in derived for i in d.inputs}
        return Library(tuple(i for i in self.indicators if i.id in wanted), derived, self.version)


def builtin_folder() -> Path:
    return Path(str(resources.files("icsys.analytics.definitions") / "indicators"))


def load_file(path: Path) -> Indicator:
    """One definition file; its name must be ``<id>.yaml``.

    Raises:
        DefinitionError: naming the file and the problem.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path}: cannot read the definition: {exc}") from None
    try:
        indicator = Indicator.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise DefinitionError(f"{path}: {problems}") from None
    if path.stem != indicator.id:
        raise DefinitionError(f"{path}: the file must be named {indicator.id}.yaml")
    return indicator


def load_library(extra: Path | None = None) -> Library:
    """The built-in definitions (plus ``extra``'s ``*.yaml``, which may not reuse an id)."""
    files = sorted(builtin_folder().glob("*.yaml"))
    if extra is not None:
        files += sorted(extra.glob("*.yaml"))
    digest = hashlib.sha256()
    indicators: dict[str, Indicator] = {}
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        indicator = load_file(path)
        if indicator.id in indicators:
            raise DefinitionError(f"{path}: indicator id {indicator.id!r} is defined twice")
        indicators[indicator.id] = indicator
    for d in DERIVED:
        digest.update(f"derived:{d.id}:{d.version}".encode())
        missing = [i for i in d.inputs if i not in indicators]
        if missing or d.id in indicators:
            raise DefinitionError(f"derived indicator {d.id!r}: bad inputs or id clash {missing}")
    return Library(tuple(indicators.values()), DERIVED, digest.hexdigest()[:16])
