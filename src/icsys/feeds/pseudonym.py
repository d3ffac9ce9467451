"""NHS numbers: the modulus 11 check, and the keyed pseudonym that replaces them at ingest.

``person_id = hex(HMAC-SHA256(key, nhs_number))[:32]``. The key is a file outside the data
folder: ``ICSYS_PSEUDONYM_KEY`` names it, else ``~/.config/icsys/pseudonym.key``, created on first
use with 32 random bytes and mode 0600. Whoever holds the key can link the same person across
feeds and loads; without it a pseudonym cannot be turned back into an NHS number.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from collections import deque
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from icsys.config import Settings
from icsys.errors import ConfigError
from icsys.feeds.contracts import PERSON_ID

KEY_ENV = "ICSYS_PSEUDONYM_KEY"
DEFAULT_KEY = Path("~/.config/icsys/pseudonym.key")
PSEUDONYM_CHARS = 32
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CACHE_LIMIT = 4_000_000  # pseudonyms kept per key; past it the oldest are forgotten first
_BLOCK = 64  # SHA-256 block size


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
        _create_key(path)
    key = path.read_bytes()
    if len(key) < 16:
        raise ConfigError(f"the pseudonymisation key {path} is shorter than 16 bytes")
    return key


def _create_key(path: Path) -> None:
    """Write 32 random bytes to ``path`` whole or not at all.

    Feeds load in several processes at once; each may find no key. The key is written to a
    private file first and then linked into place, so no process ever reads a part-written key,
    and when two race the first link wins and the other uses that key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".pseudonym-")  # mode 0600
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink()


def is_valid_nhs_number(text: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the first nine."""
    if len(text) != 10 or not text.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(text[:9], _WEIGHTS, strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(text[9])


_ASCII_TEN = r"^[0-9]{10}$"


def with_nhs_number_checks(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with ``_nhs`` (the number as Int64, null unless ten ASCII digits) and
    ``_nhs_check`` (its modulus 11 check digit: 10 = none) for the trimmed text ``column``."""
    raw = pl.col(column)
    frame = frame.with_columns(
        pl.when(raw.str.contains(_ASCII_TEN)).then(raw.cast(pl.Int64, strict=False)).alias("_nhs")
    )
    number = pl.col("_nhs")
    total = pl.sum_horizontal([(number // 10 ** (9 - i)) % 10 * w for i, w in enumerate(_WEIGHTS)])
    check = (11 - total % 11) % 11
    return frame.with_columns(check.alias("_nhs_check"))


NHS_NUMBER_CHECKS: list[tuple[pl.Expr, str]] = [  # in order, over the columns added above
    (pl.col("_nhs").is_null(), "NHS number is not 10 digits"),
    (pl.col("_nhs_check") == 10, "NHS number is invalid (check digit would be 10)"),
    (pl.col("_nhs_check") != pl.col("_nhs") % 10, "NHS number fails the modulus 11 check"),
]


def nhs_number_problem(expr: pl.Expr) -> pl.Expr:
    """Per value: null when valid, else the reason (vectorised; ``expr`` is trimmed text)."""
    number = pl.when(expr.str.contains(_ASCII_TEN)).then(expr.cast(pl.Int64, strict=False))
    total = pl.sum_horizontal([(number // 10 ** (9 - i)) % 10 * w for i, w in enumerate(_WEIGHTS)])
    check = (11 - total % 11) % 11
    return (
        pl.when(number.is_null())
        .then(pl.lit("NHS number is not 10 digits"))
        .when(check == 10)
        .then(pl.lit("NHS number is invalid (check digit would be 10)"))
        .when(check != number % 10)
        .then(pl.lit("NHS number fails the modulus 11 check"))
        .otherwise(pl.lit(None, pl.String))
    )


# NHS number (Int64) -> pseudonym, per key (by a digest of it), shared by the loads of one process:
# people recur across event rows and files, and an HMAC costs about a microsecond of Python per
# number. Bounded, because every chunk is joined against it: a cache that grew with the
# population would make each chunk cost more than the last.
_CACHE_SCHEMA = {"_nhs": pl.Int64, PERSON_ID: pl.String}


class _Cache:
    """The pseudonyms of one key, in the order computed, at most ``_CACHE_LIMIT`` of them (the
    oldest parts are dropped first; a part is what one chunk added)."""

    def __init__(self) -> None:
        self.parts: deque[pl.DataFrame] = deque()
        self.rows = 0

    def frame(self) -> pl.DataFrame:
        if not self.parts:
            return pl.DataFrame(schema=_CACHE_SCHEMA)
        return pl.concat(self.parts, rechunk=False)

    def add(self, computed: pl.DataFrame) -> None:
        self.parts.append(computed)
        self.rows += computed.height
        while self.rows > _CACHE_LIMIT and len(self.parts) > 1:
            self.rows -= self.parts.popleft().height


_CACHE: dict[bytes, _Cache] = {}


def clear_cache() -> None:
    """Forget the pseudonyms computed so far (they are recomputed on demand)."""
    _CACHE.clear()


class Pseudonymiser:
    """HMAC-SHA256 pseudonyms, cached per process (people recur across event rows and feeds)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        block = (key if len(key) <= _BLOCK else hashlib.sha256(key).digest()).ljust(_BLOCK, b"\0")
        # HMAC = H(key^opad || H(key^ipad || message)): hash the padded keys once, copy per value
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._cache_id = hashlib.sha256(b"icsys pseudonym cache\0" + key).digest()

    def one(self, nhs_number: str) -> str:
        return hmac.new(self._key, nhs_number.encode(), hashlib.sha256).hexdigest()[
            :PSEUDONYM_CHARS
        ]

    def _many(self, texts: list[str]) -> list[str]:
        inner, outer = self._inner.copy, self._outer.copy
        found: list[str] = []
        add = found.append
        for text in texts:
            h = inner()
            h.update(text.encode())
            o = outer()
            o.update(h.digest())
            add(o.hexdigest()[:PSEUDONYM_CHARS])
        return found

    def numbers(self, numbers: pl.Series) -> pl.Series:
        """Pseudonyms of valid NHS numbers given as Int64 (ten digits); nulls stay null."""
        cache = _CACHE.setdefault(self._cache_id, _Cache())
        unique = numbers.drop_nulls().unique().alias("_nhs")
        # probe the cache with a hash set of this chunk's numbers (cheaper than hashing the cache)
        mapping = cache.frame().filter(pl.col("_nhs").is_in(unique.implode()))
        new = unique.filter(~unique.is_in(mapping["_nhs"].implode()))
        if len(new):
            texts = new.cast(pl.String).str.zfill(10).to_list()
            computed = pl.DataFrame(
                {"_nhs": new, PERSON_ID: pl.Series(self._many(texts), dtype=pl.String)}
            )
            mapping = pl.concat([mapping, computed])
            cache.add(computed)
        return (
            numbers.alias("_nhs")
            .to_frame()
            .join(mapping, on="_nhs", how="left", maintain_order="left")[PERSON_ID]
        )

    def series(self, values: pl.Series) -> pl.Series:
        """Pseudonyms of a column of (valid) NHS numbers as text; nulls stay null."""
        return self.numbers(values.cast(pl.Int64, strict=False)).alias(values.name)
