"""Stage 1: a family's source rows in each of its periods, with the person's unit on the
family's basis and their attributes at the row's date (see :mod:`icsys.analytics.people`)."""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.attributes import tidy
from icsys.analytics.families import Family, by_month, needs_conditions, period_key_kind
from icsys.analytics.sources import NOT_STATED, SOURCES
from icsys.analytics.spans import SpanPeople


class Rows(SpanPeople):
    """Builds the stage-1 relation of each family from the engine's tables."""

    def period_keys(self, fam: Family) -> ir.Table:
        """period_no → the key stage 1 is computed by (see :func:`period_key_kind`)."""
        p = self.periods
        kind = period_key_kind(fam)
        key = {"event": p.period_no, "snapshot": p.end, "year": p.pop_year}[kind]
        return p.select("period_no", pkey=key)

    def family_rows(self, fam: Family) -> ir.Table:
        """Stage 1 of a family: one row per source row and period, with every field."""
        src = SOURCES[fam.source]
        periods = self.periods
        if fam.source == "population":
            pop = self.population(fam.basis, full=needs_conditions(fam))
            return pop.mutate(pkey=pop.snap)
        if fam.source == "ons_population":
            ons = self.table("ons_population")
            years = periods.select(year=periods.pop_year).distinct()
            t = ons.join(years, "year")
            t = t.mutate(pkey=t.year)
            lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
            t = tidy(t.left_join(lsoa, "lsoa_code"))
            t = t.mutate(
                leaf=t.lsoa_code,
                sex_v=t.sex,
                eth_group=ibis.literal(NOT_STATED),
                weight=t.population.cast("float64"),
            )
            return self._unit_of_leaf(t, fam.basis)
        if not src.person_level:
            rows = self.table(str(src.feed))
            t = self._in_periods(fam, rows.mutate(day_=rows[str(src.event_date)]))
            leaf = t.organisation_code if fam.source == "workforce" else t.org_code
            return self._unit_of_leaf(t.mutate(leaf=leaf), fam.basis)
        rows = self.table(str(src.feed))
        if fam.source == "deaths":
            rows = rows.filter(rows.date_of_death.notnull())
        rows = self._own_fields(fam.source, rows)
        resident_events = fam.basis == "resident" and src.time == "events"
        if not resident_events:  # the person's key, before the rows are repeated per period
            drop = [c for c in ("lsoa_code", "practice_code") if c in rows.columns]
            rows = self._pids(rows.drop(*drop))
        if src.time == "events":
            day = rows[str(src.event_date)]
            if day.type().is_timestamp():
                day = day.date()
            t = self._in_periods(fam, rows.mutate(day_=day))
        else:
            start, stop = _open_columns(fam.source)
            snaps = self._snaps
            t = rows.join(
                snaps,
                (rows[start] <= snaps.snap) & (rows[stop].isnull() | (rows[stop] > snaps.snap)),
            )
            t = t.mutate(pkey=t.snap)
            if fam.source == "waiting_list":
                t = t.mutate(weeks_waiting=t.snap.delta(t.clock_start, unit="day") / 7.0)
        if resident_events:
            return self._resident_events(fam, t)
        snaps = self.months().select(snap="end") if by_month(fam) else self._snaps
        return self._on_basis(fam, t, snaps)

    def _in_periods(self, fam: Family, rows: ir.Table) -> ir.Table:
        """Event rows (their date in ``day_``) in each of the family's periods (``pkey``: the
        period's number, ``snap``: its end), or, for activity summed by month
        (:func:`by_month`), once in their month (``pkey``: the month's number, ``snap``: its
        last day)."""
        if by_month(fam):
            day = rows.day_
            number = day.year().cast("int64") * 12 + day.month().cast("int64") - 1
            months = self.months()
            t = tidy(rows.mutate(month_no=number).join(months, "month_no"))
            return t.mutate(pkey=t.month_no, snap=t.end)
        periods = self.periods
        t = rows.join(periods, (rows.day_ >= periods.start) & (rows.day_ <= periods.end))
        return t.mutate(pkey=t.period_no, snap=t.end)

    def _resident_events(self, fam: Family, t: ir.Table) -> ir.Table:
        """Events on the resident basis: the LSOA recorded on the event (else the person's),
        with the person's attributes on the event's day (a death carries its own)."""
        if fam.source == "deaths":
            t = t.mutate(leaf=t.lsoa_code)
        else:
            persons = self.table("persons")
            keep = ["person_id", "sex", "date_of_birth", "ethnicity"]
            p = persons.select(*keep, person_lsoa=persons.lsoa_code)
            t = tidy(t.join(p, "person_id"))
            t = t.mutate(lsoa_code=t.lsoa_code.fill_null(t.person_lsoa))
            t = t.mutate(leaf=t.lsoa_code)
        t = self._demographics(t, t.day_)
        return self._unit_of_leaf(t.filter(t.leaf.notnull()), fam.basis)

    def _on_basis(self, fam: Family, t: ir.Table, snaps: ir.Table) -> ir.Table:
        """Rows of people (``pid``) with their unit on the family's basis and their attributes
        at each row's snapshot, one of ``snaps`` (people unregistered or not alive then are
        dropped)."""
        if fam.basis == "registered":
            t = self._registered_rows(t, snaps)
        else:
            t = tidy(t.join(self._resident_leaves(), "pid"))
        return self._attributes(t, full=needs_conditions(fam))

    def _registered_rows(self, t: ir.Table, snaps: ir.Table) -> ir.Table:
        """``t``'s rows with the unit of the practice each person is registered with at the
        row's ``snap``, one of ``snaps`` (rows of people not registered then, or registered
        with a practice outside the structure, are dropped: they would be at stage 3).

        Most people's registrations never overlap, so at most one is open on any date: the rows
        join it directly (on the person, its dates around the snapshot). People with
        overlapping registrations (none in the synthetic data, a few in real extracts) get the
        ranked registration of :meth:`_registered_at` at every one of ``snaps``."""
        reg = self._registrations()
        simple = reg.filter(reg.overlaps_ == 0)
        simple = simple.select(
            pid_r_=simple.pid,
            unit_r_=simple.unit,
            start_r_=simple.start_date,
            end_r_=simple.end_date,
        )
        t = t.left_join(
            simple,
            [
                t.pid == simple.pid_r_,
                simple.start_r_ <= t.snap,
                simple.end_r_.isnull() | (simple.end_r_ > t.snap),
            ],
        )
        several = reg.filter(reg.overlaps_ == 1).select("pid").distinct()
        at = self._registered_at(several.cross_join(snaps))
        at = at.select(pid_s_=at.pid, snap_s_=at.snap, unit_s_=at.unit)
        t = t.left_join(at, [t.pid == at.pid_s_, t.snap == at.snap_s_])
        t = t.mutate(unit=t.unit_r_.fill_null(t.unit_s_))
        t = t.filter(t.unit.notnull())
        return t.drop("pid_r_", "unit_r_", "start_r_", "end_r_", "pid_s_", "snap_s_", "unit_s_")

    def _own_fields(self, source: str, rows: ir.Table) -> ir.Table:
        if source == "ae_attendances":
            return rows.mutate(
                wait_minutes=rows.departure_time.delta(rows.arrival_time, unit="minute")
            )
        if source == "social_care_services":
            return rows.mutate(
                long_term=rows.service_type.startswith("long_term").cast("int64"),
            )
        return rows


def _open_columns(source: str) -> tuple[str, str]:
    return {
        "waiting_list": ("clock_start", "clock_stop"),
        "social_care_services": ("start_date", "end_date"),
    }[source]
