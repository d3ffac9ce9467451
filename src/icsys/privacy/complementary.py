"""Primary and complementary (secondary) cell suppression in a hierarchy of counts.

Each cell with children must equal the sum of its children (add an explicit "other" child for
any remainder). Every such parent/children set is one published equation, and the function
suppresses cells until, in every equation:

1. no cell with ``1 <= count <= threshold`` is published (primary suppression);
2. the number of suppressed cells is 0 or at least 2, so no single suppressed cell — child or
   parent — equals published cells added or subtracted;
3. when the parent is published, the suppressed children together exceed ``threshold``, so
   "parent minus published children" never reveals a small count.

A violation is repaired by suppressing the smallest published non-zero sibling (any sibling if
all are zero); if no sibling is left, the parent is suppressed, which carries the problem one
level up. A suppressed parent with all children published gets its smallest child suppressed.
Because the equations form a tree, condition 2 also means no suppressed cell is determined by
the whole system of equations together. Not covered: sums of suppressed cells from different
families that several equations combine to reveal, bounds from non-negativity, and differencing
across separate tables or releases (methods.md 6 asks for consistent rounding across releases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from icsys.privacy.disclosure import (
    DEFAULT_THRESHOLD,
    RoundingMode,
    check_threshold,
    is_disclosive,
    round_count,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

SuppressionReason = Literal["primary", "secondary"]


@dataclass(frozen=True)
class Cell:
    """A count and the counts it breaks down into (empty for a leaf)."""

    key: str
    count: int
    children: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class ProtectedCell:
    """A cell as released: ``value`` is ``None`` when suppressed, with the reason."""

    key: str
    value: int | None
    reason: SuppressionReason | None
    children: tuple[ProtectedCell, ...] = ()

    def walk(self) -> Iterator[ProtectedCell]:
        """This cell and all its descendants, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()


def protect_hierarchy(
    root: Cell,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    rounding: RoundingMode = "none",
) -> ProtectedCell:
    """Apply primary and complementary suppression, then round the published cells.

    Raises:
        ValueError: for duplicate keys, negative counts, or a parent that is not the sum of
            its children.
    """
    check_threshold(threshold)
    cells = _index(root)
    suppressed: dict[str, SuppressionReason] = {
        key: "primary" for key, cell in cells.items() if is_disclosive(cell.count, threshold)
    }
    families = [cell for cell in cells.values() if cell.children]
    changed = True
    while changed:
        changed = False
        for parent in families:
            extra = _repair(parent, suppressed, threshold)
            if extra is not None:
                suppressed[extra] = "secondary"
                changed = True
    return _release(root, suppressed, rounding)


def _repair(parent: Cell, suppressed: dict[str, SuppressionReason], threshold: int) -> str | None:
    """The key of one more cell to suppress in this family, or ``None`` if it is safe."""
    hidden = [c for c in parent.children if c.key in suppressed]
    shown = [c for c in parent.children if c.key not in suppressed]
    if parent.key in suppressed:
        needs_more = not hidden
    else:
        needs_more = bool(hidden) and (
            len(hidden) == 1 or sum(c.count for c in hidden) <= threshold
        )
    if not needs_more:
        return None
    if not shown:
        return parent.key
    return min(shown, key=lambda c: (c.count == 0, c.count)).key


def _index(root: Cell) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    stack = [root]
    while stack:
        cell = stack.pop()
        if cell.key in cells:
            raise ValueError(f"cell key {cell.key!r} appears more than once")
        if isinstance(cell.count, bool) or not isinstance(cell.count, int) or cell.count < 0:
            raise ValueError(f"cell {cell.key!r}: count must be a non-negative integer")
        if cell.children and sum(c.count for c in cell.children) != cell.count:
            raise ValueError(
                f"cell {cell.key!r}: count {cell.count} is not the sum of its children "
                f"({sum(c.count for c in cell.children)}); add an explicit remainder child",
            )
        cells[cell.key] = cell
        stack.extend(cell.children)
    return cells


def _release(
    cell: Cell,
    suppressed: dict[str, SuppressionReason],
    rounding: RoundingMode,
) -> ProtectedCell:
    reason = suppressed.get(cell.key)
    return ProtectedCell(
        key=cell.key,
        value=None if reason is not None else round_count(cell.count, rounding),
        reason=reason,
        children=tuple(_release(child, suppressed, rounding) for child in cell.children),
    )
