"""Which numbers a caller may see: the one rule every page and API route showing counts derived
from patient data (indicators, segments) goes through.

Analysts see their own system's aggregates unsuppressed (admins every system's); everyone else
sees them after statistical disclosure control (``icsys.privacy.disclosure``: counts from 1 to
the threshold redacted, the rest rounded, totals from the published cells). Published reference
figures (ONS populations, practice list sizes) are public and do not pass through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from icsys.privacy.disclosure import DEFAULT_THRESHOLD, RoundingMode, suppress_and_round
from icsys.web.auth import Principal


@dataclass(frozen=True)
class Counts:
    """Counts as a caller may see them; ``None`` is a redacted cell."""

    values: tuple[int | None, ...]
    total: int
    controlled: bool  # False only for an analyst's own system (or an admin)
    note: str


def counts_for(
    principal: Principal,
    system_code: str | None,
    counts: Sequence[int],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    mode: RoundingMode = "nearest5",
) -> Counts:
    if principal.sees_unsuppressed(system_code):
        return Counts(tuple(counts), sum(counts), controlled=False, note="Unsuppressed counts.")
    released = suppress_and_round(counts, threshold=threshold, mode=mode)
    note = (
        f"Counts from 1 to {threshold} are suppressed and others rounded"
        f"{' to the nearest 5' if mode == 'nearest5' else ''} to protect privacy."
    )
    return Counts(released.values, released.total, controlled=True, note=note)
