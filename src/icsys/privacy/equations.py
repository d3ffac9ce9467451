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

from dataclasses import dataclass

import numba
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


@dataclass(frozen=True)
class Members:
    """Every equation each cell belongs to (as child or parent), in equation order:
    ``member[member_ptr[c]:member_ptr[c + 1]]`` for cell ``c``; ``owner``: each child's
    equation. They depend only on the equations, so problems that share equations share them."""

    owner: IntArray
    member_ptr: IntArray
    member: IntArray


def members(equations: Equations, n_cells: int) -> Members:
    """The :class:`Members` of ``equations`` over ``n_cells`` cells."""
    parents, ptr, children = equations.parents, equations.ptr, equations.children
    n_eq = len(parents)
    owner = np.repeat(np.arange(n_eq, dtype=np.int64), np.diff(ptr))
    cells = np.concatenate([children, parents])
    eqs = np.concatenate([owner, np.arange(n_eq, dtype=np.int64)])
    order = np.argsort(cells * max(n_eq, 1) + eqs, kind="stable")  # by cell, then equation
    counts = np.bincount(cells, minlength=n_cells)
    member_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Members(owner, member_ptr, eqs[order].astype(np.int64))


def suppress(
    counts: IntArray,
    equations: Equations,
    start: BoolArray,
    threshold: int,
    tiebreak: IntArray,
    *,
    shared: Members | None = None,
    absent: BoolArray | None = None,
) -> BoolArray:
    """Cells suppressed to protect ``start`` (the primary and never-published cells): the new
    (secondary) suppressions only. ``shared``: :func:`members` of ``equations``, when already
    built; ``absent``: cells treated as if they were in no equation (an equation's remainder
    that is empty this time), which lets problems with the same equations but different
    remainders share them."""
    n_cells = len(counts)
    parents, ptr, children = equations.parents, equations.ptr, equations.children
    n_eq = len(parents)
    found = shared if shared is not None else members(equations, n_cells)
    gone = np.zeros(n_cells, dtype=np.bool_) if absent is None else absent.astype(np.bool_)
    active = start & ~gone
    touched = np.zeros(n_eq, dtype=bool)
    touched[found.owner[active[children]]] = True
    touched |= active[parents]
    out = start.astype(np.bool_).copy()
    added = np.zeros(n_cells, dtype=np.bool_)
    _repair(
        counts.astype(np.int64),
        tiebreak.astype(np.int64),
        parents.astype(np.int64),
        ptr.astype(np.int64),
        children.astype(np.int64),
        found.member_ptr,
        found.member,
        np.flatnonzero(touched).astype(np.int64),
        gone,
        out,
        added,
        int(threshold),
    )
    return added


@numba.njit(cache=True, nogil=True)
def _repair(  # noqa: PLR0912, C901 - one compiled loop over flat arrays
    count: IntArray,
    rank: IntArray,
    parent_of: IntArray,
    first: IntArray,
    kids: IntArray,
    member_ptr: IntArray,
    member: IntArray,
    touched: IntArray,
    gone: BoolArray,
    out: BoolArray,
    added: BoolArray,
    threshold: int,
) -> None:
    """The work queue: sets ``out`` and ``added`` in place (compiled by Numba; the queue is a
    ring buffer, as each equation is queued at most once at a time)."""
    n_eq = len(parent_of)
    size = n_eq + 1
    queue = np.empty(size, dtype=np.int64)
    queued = np.zeros(n_eq, dtype=np.bool_)
    head = 0
    tail = 0
    for i in touched:
        queue[tail] = i
        tail += 1
        queued[i] = True
    while head != tail:
        i = queue[head]
        head = (head + 1) % size
        queued[i] = False
        parent = parent_of[i]
        n_hidden = 0
        hidden_sum = 0
        extra = -1
        for k in range(first[i], first[i + 1]):
            c = kids[k]
            if gone[c]:
                continue
            if out[c]:
                n_hidden += 1
                hidden_sum += count[c]
            elif extra < 0 or _smaller(count, rank, c, extra):
                extra = c
        if out[parent]:
            needs_more = n_hidden == 0
        else:
            needs_more = n_hidden > 0 and (n_hidden == 1 or hidden_sum <= threshold)
        if not needs_more:
            continue
        if extra < 0:
            if out[parent]:
                continue
            extra = parent
        out[extra] = True
        added[extra] = True
        if not queued[i]:
            queue[tail] = i
            tail = (tail + 1) % size
            queued[i] = True
        for k in range(member_ptr[extra], member_ptr[extra + 1]):
            j = member[k]
            if not queued[j]:
                queue[tail] = j
                tail = (tail + 1) % size
                queued[j] = True


@numba.njit(cache=True, inline="always")
def _smaller(count: IntArray, rank: IntArray, a: int, b: int) -> bool:
    """Whether cell ``a`` is the better pick than ``b``: non-zero first, then the smaller
    count, then the smaller ``rank``."""
    za, zb = count[a] == 0, count[b] == 0
    if za != zb:
        return bool(zb)
    if count[a] != count[b]:
        return bool(count[a] < count[b])
    return bool(rank[a] < rank[b])


def equations_from_lists(families: list[tuple[int, list[int]]]) -> Equations:
    """Equations from (parent, children) pairs of cell ids."""
    parents = np.array([p for p, _ in families], dtype=np.int64)
    sizes = [len(c) for _, c in families]
    ptr = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
    children = np.array([c for _, cs in families for c in cs], dtype=np.int64)
    return Equations(parents, ptr, children)
