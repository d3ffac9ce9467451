"""Stage 1 of a population family by *spans*: each person once per run of period ends over
which nothing the family reads changes, instead of once per period end.

A person counted at the 25 period ends of three years is, at most of them, the same person with
the same practice, age band and conditions. What a family counts them as can only change at a
registration's start or end, their birth or death, a condition's first onset, a birthday that
reaches an age where a band, a rule or a filter changes (:func:`age_breaks`), and the period
ends with a recent cancer or emergency admission (segments). Each such date becomes a
*breakpoint*: the position of the first period end on or after it. A person's *span* runs from
one breakpoint to the next, and the person is looked up once, at the span's first period end,
with the same rules as at any period end (:mod:`icsys.analytics.people`).

A breakpoint too many costs a row; one missing would be wrong, so every date that enters a rule
is a breakpoint, and the spans are checked against the person-date population and the
independent reference engine (tests/unit/analytics/test_spans.py, tests/spec).
Stage 2 sums the spans back into period ends (:func:`icsys.analytics.stages.span_expression`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.attributes import OLDEST_AGE, age_on, tidy
from icsys.analytics.families import Family
from icsys.analytics.people import People
from icsys.analytics.sources import AGE_BANDS, Basis
from icsys.feeds.codes import CLUSTERS

AGE_FREE_FIELDS = frozenset(
    {"sex", "ethnicity_group", "imd_decile", "imd_quintile", "core20", "n_ltc", "cms_band"}
    | {f"has_{c}" for c in CLUSTERS}
)
"""Fields whose value does not depend on the person's age."""

RULE_AGES = frozenset(
    {low for low, _label in AGE_BANDS}  # the age-band breakdown
    | set(range(5, OLDEST_AGE + 1, 5))  # ESP 2013 bands, and the open band from 90
    | {1, 85}  # segments: new-born (age 0), severe frailty (85+)
)
"""Ages at which a person's breakdown, age band or segment can change."""


def age_breaks(fam: Family) -> tuple[int, ...]:
    """The ages at which anything ``fam`` reads can change as a person gets older: the bands'
    and rules' ages and those its filters on age name (every age from 1 when a filter or
    category reads a field this cannot tell is age-free)."""
    ages = set(RULE_AGES)
    every = tuple(range(1, OLDEST_AGE + 1))
    for col in fam.columns:
        if col.category is not None and col.category[0] not in AGE_FREE_FIELDS | {"segment"}:
            return every
        for f in col.measure.where:
            if f.field in AGE_FREE_FIELDS | {"segment"}:  # the segments' ages are rules' ages
                continue
            if f.field != "age":
                return every
            values = (f.in_ or ()) if f.operator == "in" else (getattr(f, f.operator),)
            for value in values:
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    return every
                ages |= {math.floor(number), math.floor(number) + 1, math.ceil(number)}
    return tuple(sorted(a for a in ages if 1 <= a <= OLDEST_AGE))


SPANS_FROM_ENDS = 6
"""The fewest period ends a population family is computed by spans at. With few, a person has
nearly as many spans as period ends and finding the breakpoints costs more than it saves: at
1M people the age-standardised family (3 year ends, 1.8 spans a person) took 19 CPU-s by spans
and 16 by person-dates, the registered population (25 period ends, 2.1 spans a person) 36
instead of 74 (docs/benchmarks.md)."""


def spans_apply(fam: Family, ends: Sequence[date]) -> bool:
    """Whether a family is computed by spans: a population family of counts (a sum of
    amounts, added and taken away again, would not come back exactly) with at least
    :data:`SPANS_FROM_ENDS` period ends."""
    counts = all(c.measure.value != "sum" for c in fam.columns)
    return fam.source == "population" and counts and len(ends) >= SPANS_FROM_ENDS


def _day_key(day: ir.DateValue) -> ir.IntegerValue:
    """A date as the whole number yyyymmdd (ordered as the dates are)."""
    return day.year().cast("int64") * 10000 + day.month() * 100 + day.day()


def _end_keys(ends: Sequence[date]) -> list[int]:
    """The period ends as whole numbers yyyymmdd (see :func:`_day_key`)."""
    return [e.year * 10000 + e.month * 100 + e.day for e in ends]


def _position(key: ir.IntegerValue, ends: Sequence[int]) -> ir.IntegerValue:
    """How many of the (sorted) ``ends`` are before ``key``: the position of the first period
    end on or after it (``len(ends)`` when none is)."""
    return ibis.cases(*((key <= end, i) for i, end in enumerate(ends)), else_=len(ends)).cast(
        "int64"
    )


class SpanPeople(People):
    """:class:`People` with their spans between breakpoints."""

    def spans(
        self, basis: Basis, ends: Sequence[date], *, full: bool, ages: Sequence[int]
    ) -> ir.Table:
        """One row a person and span of the period ends ``ends`` (the family's, sorted) over
        which they are on ``basis`` with the same attributes: ``pid``, ``from_`` and ``to_``
        (positions in ``ends``, ``to_`` excluded), ``snap`` (the span's first period end),
        the unit and the attributes at ``snap`` (as :meth:`population`'s)."""
        n = len(ends)
        points = self._breakpoints(basis, ends, full=full, ages=ages)
        points = points.filter(points.bp < n).distinct()
        order = ibis.window(group_by=points.pid, order_by=points.bp)
        spans = points.mutate(to_=points.bp.lead().over(order).fill_null(n))
        spans = tidy(spans.join(self.snapshot_positions(), "bp")).rename(from_="bp")
        if basis == "registered":
            base = self._registered_at(spans)
        else:
            base = tidy(spans.join(self._resident_leaves(), "pid"))
        return self._attributes(base, full=full)

    def snapshot_positions(self) -> ir.Table:
        """(snap, bp): each of this family's period ends and its position among them."""
        snaps = self._snaps
        return snaps.mutate(bp=ibis.row_number().over(order_by=snaps.snap).cast("int64"))

    def _breakpoints(
        self, basis: Basis, ends: Sequence[date], *, full: bool, ages: Sequence[int]
    ) -> ir.Table:
        """(pid, bp): every position where something a person is counted as may change (and
        0); positions past the last period end included, to be dropped."""
        keys = _end_keys(ends)

        def at(day: ir.DateValue) -> ir.IntegerValue:
            return _position(_day_key(day), keys)

        people = self.people()
        parts = [
            people.select(
                "pid",
                bp=ibis.array(
                    [ibis.literal(0, "int64"), at(people.date_of_birth), at(people.date_of_death)]
                ).unnest(),
            ),
            self._birthdays(ends, ages),
        ]
        if basis == "registered":
            reg = self._registrations()
            parts.append(
                reg.select("pid", bp=ibis.array([at(reg.start_date), at(reg.end_date)]).unnest())
            )
        if full:
            wanted, first, recent = self._condition_parts()
            if wanted and first is not None:
                onsets = [at(first[f"on_{k}"]) for k in wanted]
                parts.append(first.select("pid", bp=ibis.array(onsets).unnest()))
            if recent is not None:
                parts.append(self._recent_changes(recent))
        return ibis.union(*parts)

    def _recent_changes(self, recent: ir.Table) -> ir.Table:
        """(pid, bp): where a person's recent cancer or emergency admissions (``recent``: a row
        a person and period end with any) change: the first period end of each run of equal
        rows, and the one after its last."""
        t = recent.join(self.snapshot_positions(), "snap")
        order = ibis.window(group_by=t.pid, order_by=t.bp)
        before = t.bp.lag().over(order)
        same = (before == t.bp - 1) & (t.recent_cancer.lag().over(order) == t.recent_cancer)
        same = same & (t.acute_12m.lag().over(order) == t.acute_12m)
        # the edges as columns first: Spark refuses window functions inside an unnest
        t = t.select(
            "pid",
            start_=ibis.ifelse(same.fill_null(False), 0, t.bp),  # 0: always a breakpoint
            stop_=ibis.ifelse(t.bp.lead().over(order).fill_null(-1) == t.bp + 1, 0, t.bp + 1),
        )
        return t.select("pid", bp=ibis.array([t.start_, t.stop_]).unnest())

    def _birthdays(self, ends: Sequence[date], ages: Sequence[int]) -> ir.Table:
        """(pid, bp): the positions of the birthdays on which people reach one of ``ages``
        between the first and last period end. A person is ``a`` on a period end when its
        (year, month, day) is at least (year of birth + a, month and day of birth): the rule of
        :func:`icsys.analytics.attributes.age_on`, 29 February included."""
        people = self.people().select("pid", "date_of_birth")
        born = people.date_of_birth
        first = age_on(born, ibis.literal(ends[0]))
        last = age_on(born, ibis.literal(ends[-1]))
        years = (ends[-1] - ends[0]).days // 365 + 2  # at most this many birthdays in between
        t = people.mutate(
            last_=last, age_=ibis.array([first + i for i in range(1, years + 1)]).unnest()
        )
        t = t.filter((t.age_ <= t.last_) & t.age_.isin(list(ages)))
        dob = t.date_of_birth
        key = (dob.year().cast("int64") + t.age_) * 10000 + dob.month() * 100 + dob.day()
        return t.select("pid", bp=_position(key, _end_keys(ends)))
