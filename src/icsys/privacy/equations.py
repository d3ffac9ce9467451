"""Complementary suppression over many published equations at once, on integer cell ids.

The rule is :func:`icsys.privacy.complementary.protect_hierarchy`'s, applied to every equation
(a parent cell and the child cells that add up to it): in each, either nothing is suppressed
or at least two cells are and, under a published parent, the suppressed cells sum to more than
the threshold. A violation is repaired by suppressing the smallest published non-zero child
(ties by ``tiebreak``), else the parent; a suppressed parent with every child published gets its
smallest child suppressed. A work queue, in equation order, visits only the equations that
touch a suppressed cell, and revisits those touching each new suppression.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Equations:
    """``parents[i]`` = sum of ``children[ptr[i]:ptr[i + 1]]``, for every equation ``i``."""

    parents: IntArray
    ptr: IntArray
    children: IntArray


def suppress(
    counts: IntArray, equations: Equations, start: BoolArray, threshold: int, tiebreak: IntArray
) -> BoolArray:
    """Cells suppressed to protect ``start`` (the primary and never-published cells): the new
    (secondary) suppressions only."""
    n_cells = len(counts)
    parents, ptr, children = equations.parents, equations.ptr, equations.children
    n_eq = len(parents)
    sizes = np.diff(ptr)
    owner = np.repeat(np.arange(n_eq, dtype=np.int64), sizes)
    touched = np.zeros(n_eq, dtype=bool)
    touched[owner[start[children]]] = True
    touched |= start[parents]
    # every equation each cell belongs to (as child or parent), in equation order
    cells = np.concatenate([children, parents])
    eqs = np.concatenate([owner, np.arange(n_eq, dtype=np.int64)])
    order = np.lexsort((eqs, cells))
    member_ptr = np.searchsorted(cells[order], np.arange(n_cells + 1)).tolist()
    member = eqs[order].tolist()
    out = start.tolist()
    added = [False] * n_cells
    count = counts.tolist()
    rank = tiebreak.tolist()
    parent_of, first, kids = parents.tolist(), ptr.tolist(), children.tolist()
    queue = deque(np.flatnonzero(touched).tolist())
    queued = bytearray(n_eq)
    for i in queue:
        queued[i] = 1
    while queue:
        i = queue.popleft()
        queued[i] = 0
        parent = parent_of[i]
        family = kids[first[i] : first[i + 1]]
        hidden = [c for c in family if out[c]]
        if out[parent]:
            needs_more = not hidden
        else:
            needs_more = bool(hidden) and (
                len(hidden) == 1 or sum(count[c] for c in hidden) <= threshold
            )
        if not needs_more:
            continue
        shown = [c for c in family if not out[c]]
        if shown:
            extra = min(shown, key=lambda c: (count[c] == 0, count[c], rank[c]))
        elif not out[parent]:
            extra = parent
        else:
            continue
        out[extra] = True
        added[extra] = True
        for j in [i, *member[member_ptr[extra] : member_ptr[extra + 1]]]:
            if not queued[j]:
                queue.append(j)
                queued[j] = 1
    return np.array(added, dtype=bool)


def equations_from_lists(families: list[tuple[int, list[int]]]) -> Equations:
    """Equations from (parent, children) pairs of cell ids."""
    parents = np.array([p for p, _ in families], dtype=np.int64)
    sizes = [len(c) for _, c in families]
    ptr = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
    children = np.array([c for _, cs in families for c in cs], dtype=np.int64)
    return Equations(parents, ptr, children)
