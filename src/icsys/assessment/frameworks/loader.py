"""Reading framework files, their canonical form and fingerprint, and changed copies of them.

The canonical form is the validated model dumped as YAML with sorted keys, so comments, layout
and key order do not change a fingerprint but any change of meaning does. The fingerprint is the
SHA-256 of the canonical text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from icsys.assessment.frameworks.model import Framework
from icsys.errors import InputFileError, UserError

SHIPPED_DIR = Path(__file__).parent
DEFAULT_FRAMEWORK = "icsys_maturity_v1"


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    canonical: str
    fingerprint: str
    source: str


def shipped_frameworks() -> dict[str, Path]:
    """Framework files shipped with icsys, by name (``icsys_maturity_v1``)."""
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml"))}


def canonical_yaml(framework: Framework) -> str:
    return yaml.safe_dump(
        framework.model_dump(mode="json"), sort_keys=True, allow_unicode=True, width=100
    )


def from_data(data: Any, source: str) -> LoadedFramework:
    if not isinstance(data, Mapping):
        raise InputFileError("a framework file is a YAML mapping", path=source)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputFileError(f"{where or 'framework'}: {first['msg']}{more}", path=source) from None
    text = canonical_yaml(framework)
    return LoadedFramework(framework, text, hashlib.sha256(text.encode()).hexdigest(), source)


def load_framework(path: Path | str | None = None) -> LoadedFramework:
    """A framework file by path, or a shipped one by name (default ``icsys_maturity_v1``)."""
    shipped = shipped_frameworks()
    if path is None or (isinstance(path, str) and path in shipped):
        file = shipped[str(path or DEFAULT_FRAMEWORK)]
    else:
        file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        names = ", ".join(shipped)
        raise UserError(f"no framework file {str(file)!r} (shipped frameworks: {names})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read: {exc}", path=str(file)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise InputFileError(f"not YAML: {exc}", path=str(file), line=line) from None
    return from_data(data, str(file))


def with_changes(loaded: LoadedFramework, changes: Mapping[str, float]) -> LoadedFramework:
    """A copy with weights, parameters or stage thresholds changed (for the sensitivity view).

    Keys: ``stages.<stage>``; ``<domain>.weight``; ``<domain>.stages.<stage>``;
    ``<domain>.<criterion>.weight``; ``<domain>.<criterion>.<param>`` (e.g. ``.threshold``).
    """
    data = loaded.framework.model_dump(mode="json")
    for key, value in changes.items():
        _set(data, key, float(value))
    return from_data(data, f"{loaded.source} with {dict(changes)}")


def _set(data: dict[str, Any], key: str, value: float) -> None:
    parts = key.split(".")
    if parts[0] == "stages" and len(parts) == 2:
        data["stages"][parts[1]] = value
        return
    domains = {d["id"]: d for d in data["domains"]}
    domain = domains.get(parts[0])
    if domain is None:
        raise UserError(f"{key!r}: no domain {parts[0]!r} (domains: {', '.join(domains)})")
    if parts[1:] == ["weight"]:
        domain["weight"] = value
        return
    if len(parts) == 3 and parts[1] == "stages":
        domain["stages"] = dict(domain.get("stages") or data["stages"])
        domain["stages"][parts[2]] = value
        return
    criteria = {c["id"]: c for c in domain["criteria"]}
    if len(parts) != 3 or parts[1] not in criteria:
        raise UserError(
            f"{key!r}: expected stages.<stage>, <domain>.weight, <domain>.stages.<stage>, "
            "<domain>.<criterion>.weight or <domain>.<criterion>.<parameter>"
        )
    criterion = criteria[parts[1]]
    if parts[2] == "weight":
        criterion["weight"] = value
    elif parts[2] in criterion["params"]:
        criterion["params"][parts[2]] = value
    else:
        raise UserError(
            f"{key!r}: criterion {parts[1]!r} has no parameter {parts[2]!r} "
            f"(parameters: {', '.join(criterion['params']) or 'none'})"
        )
