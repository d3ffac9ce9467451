"""NHS numbers: the modulus 11 check, and the keyed pseudonym that replaces them at ingest.

``person_id = hex(HMAC-SHA256(key, nhs_number))[:32]``. The key is a file outside the data
folder: ``ICSYS_PSEUDONYM_KEY`` names it, else ``~/.config/icsys/pseudonym.key``, created on first
use with 32 random bytes and mode 0600. Whoever holds the key can link the same person across
feeds and loads; without it a pseudonym cannot be turned back into an NHS number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from icsys.config import Settings
from icsys.errors import ConfigError

KEY_ENV = "ICSYS_PSEUDONYM_KEY"
DEFAULT_KEY = Path("~/.config/icsys/pseudonym.key")
PSEUDONYM_CHARS = 32
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CACHE_LIMIT = 4_000_000


def key_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(KEY_ENV) or DEFAULT_KEY).expanduser()


def load_key(settings: Settings, environ: Mapping[str, str] | None = None) -> bytes:
    """Read (or on first use create) the pseudonymisation key; never one inside the data folder."""
    path = key_path(environ)
    home = settings.home.expanduser().resolve()
    resolved = path.resolve()
    if resolved == home or home in resolved.parents:
        raise ConfigError(
            f"the pseudonymisation key {path} is inside the data folder {settings.home}: keep it "
            f"elsewhere (set {KEY_ENV} to a file outside the data folder)"
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) < 16:
        raise ConfigError(f"the pseudonymisation key {path} is shorter than 16 bytes")
    return key


def is_valid_nhs_number(text: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the first nine."""
    if len(text) != 10 or not text.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(text[:9], _WEIGHTS, strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(text[9])


def nhs_number_problem(expr: pl.Expr) -> pl.Expr:
    """Per value: null when valid, else the reason (vectorised; ``expr`` is trimmed text)."""
    digits = [expr.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(10)]
    total = pl.sum_horizontal([d * w for d, w in zip(digits, _WEIGHTS, strict=False)])
    check = 11 - total % 11
    check = pl.when(check == 11).then(0).otherwise(check)
    shape_ok = expr.str.contains(r"^\d{10}$")
    return (
        pl.when(~shape_ok)
        .then(pl.lit("NHS number is not 10 digits"))
        .when(check == 10)
        .then(pl.lit("NHS number is invalid (check digit would be 10)"))
        .when(check != digits[9])
        .then(pl.lit("NHS number fails the modulus 11 check"))
        .otherwise(pl.lit(None, pl.String))
    )


class Pseudonymiser:
    """HMAC-SHA256 pseudonyms, with a bounded cache (people recur across event rows)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cache: dict[str, str] = {}

    def one(self, nhs_number: str) -> str:
        return hmac.new(self._key, nhs_number.encode(), hashlib.sha256).hexdigest()[
            :PSEUDONYM_CHARS
        ]

    def series(self, values: pl.Series) -> pl.Series:
        """Pseudonyms of a column of (valid) NHS numbers; nulls stay null."""
        unique = values.drop_nulls().unique()
        cache = self._cache
        if len(cache) + len(unique) > _CACHE_LIMIT:
            cache.clear()
        key = self._key
        mapping: dict[str, str] = {}
        for value in unique.to_list():
            found = cache.get(value)
            if found is None:
                found = hmac.digest(key, value.encode(), "sha256").hex()[:PSEUDONYM_CHARS]
                cache[value] = found
            mapping[value] = found
        return values.replace_strict(mapping, default=None, return_dtype=pl.String)
