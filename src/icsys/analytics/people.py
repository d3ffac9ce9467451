"""Stage 1's people: who is on a basis at a date, with their attributes and conditions.

Never materialised per date: only one row a person (``people``, with an integer key), the
registrations, each person's first onset per condition cluster and the leaf → unit maps are
cached, and a person's practice, age and conditions on a date are looked up from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.attributes import age_on, ethnicity_group, segment, sex_label, tidy
from icsys.analytics.methods.segmentation import CMS_GENERAL_WEIGHTS
from icsys.analytics.sources import CMS_BANDS, CMS_CLUSTER_WEIGHTS, LTC_CLUSTERS, Basis
from icsys.feeds.codes import CLUSTERS

TableGetter = Callable[[str], ir.Table]
LOOKBACK_DAYS = 365
LEAF_MAPS: dict[str, str] = {
    "registered": "practice_levels",
    "resident": "lsoa_levels",
    "provider": "org_levels",
}


class People:
    """The people in the data, looked up by date: the cached parts every family shares (one row
    a person with an integer key, registrations, first onsets per condition cluster, units)."""

    def __init__(
        self,
        table: TableGetter,
        period_types: Iterable[str],
        *,
        shared: dict[str, ir.Table] | None = None,
        cache: Callable[[ir.Table], ir.Table] = lambda t: t,
        clusters: frozenset[str] | None = None,
        ends: Sequence[date] | None = None,
    ) -> None:
        self.table = table
        periods = table("periods")
        self.periods = periods.filter(periods.period_type.isin(sorted(set(period_types))))
        if ends is not None:  # only the periods ending on these days (a chunk of snapshots)
            self.periods = self.periods.filter(self.periods.end.isin(list(ends)))
        self._snaps = self.periods.select(snap=self.periods.end).distinct()
        self._shared = shared if shared is not None else {}
        self._cache = cache  # tables shared by every family
        self._clusters = clusters  # None: every condition flag, multimorbidity and segments

    def months(self) -> ir.Table:
        """(month_no, start, end): the calendar months of this family's periods."""
        mine = self.period_months().select("month_no").distinct()
        months = self.table("months")
        return months.filter(months.month_no.isin(mine.month_no))

    def period_months(self) -> ir.Table:
        """(period_no, period_type, month_no): the months of each of this family's periods."""
        pm = self.table("period_months")
        return tidy(pm.join(self.periods.select("period_no", "period_type"), "period_no"))

    def population(self, basis: Basis, *, full: bool) -> ir.Table:
        """The people on a basis at each snapshot date of this family's periods (with
        conditions and segments when ``full``). An expression over small cached parts (people,
        registrations, first onsets): never materialised."""
        if basis == "registered":
            base = self._registered_at(self._snaps)
        else:
            base = self._resident_leaves().cross_join(self._snaps)
        return self._attributes(base, full=full)

    def _resident_leaves(self) -> ir.Table:
        """(pid, unit): the unit of each person's LSOA of residence, people without one left
        out."""
        people = self.people()
        people = people.filter(people.lsoa_code.notnull())
        units = self.units("resident")[0]
        return tidy(people.join(units, people.lsoa_code == units.leaf)).select("pid", "unit")

    def units(self, basis: Basis) -> tuple[ir.Table, ir.Table]:
        """(leaf → unit, unit → its code and parent at every level) of a basis, cached.

        A *unit* is the set of leaves (practices, LSOAs or organisations) that fall in the same
        area at every level of the basis: about one per PCN where there are five practices.
        Stage 2 groups by the unit's number rather than the leaf's code: fewer groups, on an
        integer key, with the same sums at every level (a unit never straddles two areas).

        The areas also come numbered: ``<column>_no`` is the :meth:`area_numbers` number of
        each code column (stage 3 groups and returns numbers, not text)."""
        key = f"units:{basis}"
        if key not in self._shared:
            levels = self.table(LEAF_MAPS[basis])
            areas = [c for c in levels.columns if c != "leaf"]
            # ordering treats missing codes as equal, which an equality join would not
            unit = ibis.dense_rank().over(order_by=[levels[c] for c in areas]).cast("int64")
            ranked = levels.mutate(unit=unit)
            self._shared[key] = self._cache(ranked.select("leaf", "unit"))
            numbered = ranked.select("unit", *areas).distinct()
            codes = self.area_numbers(basis)
            for c in areas:
                named = codes.select(**{c: codes.code, f"{c}_no": codes.area_no})
                numbered = tidy(numbered.left_join(named, c))
            self._shared[f"{key}:areas"] = self._cache(numbered)
        return self._shared[key], self._shared[f"{key}:areas"]

    def area_numbers(self, basis: Basis) -> ir.Table:
        """(code, area_no): every area code of a basis's levels, numbered from 0 in code order,
        cached."""
        key = f"area_numbers:{basis}"
        if key not in self._shared:
            levels = self.table(LEAF_MAPS[basis])
            every = [levels.select(code=levels[c]) for c in levels.columns if c != "leaf"]
            codes = ibis.union(*every, distinct=True)
            codes = codes.filter(codes.code.notnull())
            number = ibis.dense_rank().over(order_by=codes.code).cast("int32")
            self._shared[key] = self._cache(codes.mutate(area_no=number))
        return self._shared[key]

    def unit_sizes(self, basis: Basis) -> ir.Table:
        """(unit, n): at least as many as the people in each unit on any date (a unit of
        people with no known unit too): the registrations with its practices (a person
        registered twice with one unit counts twice), or the people living in it (on another
        basis, everyone as if in one unit)."""
        if basis == "registered":
            t = self._registrations().select("unit")
        elif basis == "resident":
            t = self._resident_leaves().select("unit")
        else:
            t = self.people().select(unit=ibis.literal(0, "int64"))
        return t.group_by("unit").aggregate(n=t.count())

    def _unit_of_leaf(self, t: ir.Table, basis: Basis) -> ir.Table:
        """``t`` with the unit of its text ``leaf`` (null for a leaf outside the structure: the
        row is left out at stage 3, as an unknown leaf always was)."""
        units = self.units(basis)[0]
        t = tidy(t.left_join(units, t.leaf == units.leaf))
        return t.drop("leaf")

    def people(self) -> ir.Table:
        """One row per person (cached): an integer key ``pid`` and the attributes that do not
        change with the date. Joins on ``pid`` are much cheaper than on the pseudonym."""
        if "people" not in self._shared:
            persons = self.table("persons")
            lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
            people = persons.mutate(
                pid=ibis.row_number().over(order_by=persons.person_id).cast("int64"),
                sex_v=sex_label(persons.sex),
                eth_group=ethnicity_group(persons.ethnicity),
            )
            people = tidy(people.left_join(lsoa, "lsoa_code"))
            self._shared["people"] = self._cache(
                people.select(
                    "pid",
                    "person_id",
                    "date_of_birth",
                    "date_of_death",
                    "lsoa_code",
                    "sex_v",
                    "eth_group",
                    "imd_decile",
                )
            )
        return self._shared["people"]

    def _attributes(self, t: ir.Table, *, full: bool) -> ir.Table:
        """``t`` (pid, snap, ...) with the person's attributes on that date; people not alive
        on it dropped."""
        people = self.people().drop("person_id", "lsoa_code")
        t = tidy(t.join(people, "pid"))
        t = t.filter(
            (t.date_of_birth <= t.snap) & (t.date_of_death.isnull() | (t.date_of_death > t.snap))
        )
        t = t.mutate(age=age_on(t.date_of_birth, t.snap)).drop("date_of_birth", "date_of_death")
        return self._conditions(t) if full else t

    def _pids(self, t: ir.Table) -> ir.Table:
        """``t`` with the person's integer key (rows of unknown people dropped)."""
        return tidy(t.join(self.people().select("person_id", "pid"), "person_id"))

    def _registrations(self) -> ir.Table:
        """Registrations (cached) with the person's key and whether any two of theirs overlap."""
        if "registrations" not in self._shared:
            reg = self.table("registrations")
            reg = reg.filter(reg.end_date.isnull() | (reg.end_date > reg.start_date))
            order = ibis.window(
                group_by=reg.person_id, order_by=[reg.start_date, reg.practice_code]
            )
            reg = reg.mutate(next_start_=reg.start_date.lead().over(order))
            clash = reg.next_start_.notnull() & (
                reg.end_date.isnull() | (reg.end_date > reg.next_start_)
            )
            reg = reg.mutate(clash_=clash.cast("int64"))
            reg = self._pids(reg.mutate(overlaps_=reg.clash_.max().over(group_by=reg.person_id)))
            units = self.units("registered")[0]
            reg = tidy(reg.left_join(units, reg.practice_code == units.leaf))
            self._shared["registrations"] = self._cache(
                reg.select("pid", "practice_code", "unit", "start_date", "end_date", "overlaps_")
            )
        return self._shared["registrations"]

    def _registered_at(self, keys: ir.Table) -> ir.Table:
        """(pid, snap, unit, and ``keys``' other columns): the practice each person is
        registered with on each date of ``keys`` (a table of ``snap``, for everyone, or of
        ``pid`` and ``snap``): the registration open that day, the latest started when several
        are (ties: the smallest practice code).

        Most people's registrations never overlap, so at most one is open at any date and a
        join finds it; only people with overlapping registrations are ranked. The practice is
        given as its unit (see :meth:`units`)."""
        reg = self._registrations()
        by_person = "pid" in keys.columns

        def at(part: ir.Table) -> ir.Table:
            on = (part.start_date <= keys.snap) & (
                part.end_date.isnull() | (part.end_date > keys.snap)
            )
            if by_person:
                on = (part.pid == keys.pid) & on
            return tidy(part.join(keys, on))

        columns = list(dict.fromkeys(["pid", *keys.columns, "unit"]))
        simple = at(reg.filter(reg.overlaps_ == 0)).select(*columns)
        several = at(reg.filter(reg.overlaps_ == 1))
        several = several.mutate(
            rank_=ibis.row_number().over(
                group_by=[several.pid, several.snap],
                order_by=[ibis.desc(several.start_date), several.practice_code],
            )
        )
        several = several.filter(several.rank_ == 0).select(*columns)
        return simple.union(several)

    def _demographics(self, t: ir.Table, on: ir.DateValue) -> ir.Table:
        lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
        t = t.mutate(
            age=age_on(t.date_of_birth, on),
            sex_v=sex_label(t.sex),
            eth_group=ethnicity_group(t.ethnicity),
        )
        return tidy(t.left_join(lsoa, "lsoa_code"))

    def _condition_parts(self) -> tuple[list[str], ir.Table | None, ir.Table | None]:
        """The flags read, each person's first onset per cluster (cached), and the recent
        cancer and emergency-admission counts per person and snapshot (cached, few rows);
        the last is None when the plan reads no segment."""
        wanted = sorted(self._clusters) if self._clusters is not None else list(CLUSTERS)
        if "first_onsets" not in self._shared:
            cond = self.table("conditions")
            c = cond.filter(cond.cluster.isin(wanted))
            first = c.group_by("person_id").aggregate(
                **{f"on_{k}": c.onset_date.min(where=c.cluster == k) for k in wanted}
            )
            self._shared["first_onsets"] = self._cache(self._pids(first).drop("person_id"))
            if self._clusters is None:
                self._shared["recent"] = self._cache(self._recent(cond))
        return wanted, self._shared["first_onsets"], self._shared.get("recent")

    def _recent(self, cond: ir.Table) -> ir.Table:
        """(pid, snap, recent_cancer, acute_12m) at every period end and month end (activity is
        counted as the person was at the end of its month)."""
        periods = self.table("periods").select(snap="end")
        snaps = periods.union(self.table("months").select(snap="end")).distinct()
        window = snaps.snap.cast("date") - ibis.interval(days=LOOKBACK_DAYS)
        cancer = cond.filter(cond.cluster == "cancer")
        cancer = cancer.join(
            snaps, (cancer.onset_date <= snaps.snap) & (cancer.onset_date > window)
        ).select("person_id", "snap", recent_cancer=ibis.literal(1, "int64"), acute_12m=0)
        spells = self.table("hospital_spells")
        spells = spells.filter(spells.admission_type == "emergency")
        acute = spells.join(
            snaps, (spells.admission_date <= snaps.snap) & (spells.admission_date > window)
        ).select("person_id", "snap", recent_cancer=ibis.literal(0, "int64"), acute_12m=1)
        both = cancer.union(acute)
        both = both.group_by(["person_id", "snap"]).aggregate(
            recent_cancer=both.recent_cancer.max(), acute_12m=both.acute_12m.sum()
        )
        return self._pids(both).drop("person_id")

    def _conditions(self, pop: ir.Table) -> ir.Table:
        """Condition flags on each row's date from each person's first onset per cluster (a
        flag is on from its first onset); n_ltc, the CMS band and the segment when the plan
        reads them."""
        wanted, first, recent = self._condition_parts()
        if wanted:
            pop = tidy(pop.left_join(first, "pid"))
            pop = pop.mutate(
                **{
                    f"has_{k}": (pop[f"on_{k}"] <= pop.snap).fill_null(False).cast("int64")
                    for k in wanted
                }
            ).drop(*(f"on_{k}" for k in wanted))
        if recent is None:  # only the flags the plan reads
            return pop
        pop = tidy(pop.left_join(recent, ["pid", "snap"]))
        pop = pop.mutate(
            recent_cancer=pop.recent_cancer.fill_null(0), acute_12m=pop.acute_12m.fill_null(0)
        )
        n_ltc = sum((pop[f"has_{k}"] for k in LTC_CLUSTERS), ibis.literal(0))
        cms = sum(
            (
                pop[f"has_{k}"] * round(CMS_GENERAL_WEIGHTS[w] * 100)
                for k, w in CMS_CLUSTER_WEIGHTS.items()
            ),
            ibis.literal(0),
        )
        pop = pop.mutate(n_ltc=n_ltc.cast("int64"), cms_x100=cms.cast("int64"))
        return pop.mutate(
            cms_band=ibis.cases(
                *((pop.cms_x100 >= low, label) for low, label in reversed(CMS_BANDS))
            ),
            segment=segment(pop),
        )
