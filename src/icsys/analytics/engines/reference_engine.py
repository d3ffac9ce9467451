"""The reference engine: the indicator semantics in plain Polars, written apart from the plan.

It reads the same input files and returns the same long frame as the Ibis engines, but computes
each indicator on its own, person by person and period by period, with no families, shared
scans, period keys or caches, and assigns segments with :mod:`icsys.analytics.methods`'
``segment_person`` and the Bridges to Health rules (the plan encodes them as a CASE
expression). It is slow by design and exists to be the oracle of the property tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import polars as pl

from icsys.analytics.definitions.model import Filter, Indicator, Measure, Method
from icsys.analytics.engines.base import InputFiles
from icsys.analytics.families import LONG_COLUMNS, Plan
from icsys.analytics.methods.segmentation import (
    BRIDGES_TO_HEALTH_DEFAULT,
    BRIDGES_TO_HEALTH_RULES,
    CMS_GENERAL_WEIGHTS,
    Person,
    segment_person,
)
from icsys.analytics.sources import (
    AGE_BANDS,
    CATEGORIES,
    CMS_BANDS,
    CMS_CLUSTER_WEIGHTS,
    ETHNICITY_GROUPS,
    LEVELS,
    LTC_CLUSTERS,
    NOT_STATED,
    SEXES,
    SOURCES,
    UNKNOWN,
)
from icsys.feeds.codes import CLUSTERS

NO_BAND = -1


def _age(born: date, on: date) -> int:
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return min(years, 90)


def _bvalue(row: dict[str, Any], name: str) -> str:  # noqa: PLR0911
    decile = row.get("imd_decile")
    if name == "all":
        return "all"
    if name == "sex":
        return str(row["sex_v"])
    if name == "age_band":
        return next(label for low, label in reversed(AGE_BANDS) if row["age"] >= low)
    if name == "imd_decile":
        return UNKNOWN if decile is None else str(decile)
    if name == "imd_quintile":
        return UNKNOWN if decile is None else str((decile + 1) // 2)
    if name == "core20":
        return UNKNOWN if decile is None else ("Core20" if decile <= 2 else "Other")
    return str(row["eth_group"])


def _field(row: dict[str, Any], name: str) -> Any:
    if name == "sex":
        return row["sex_v"]
    if name == "ethnicity_group":
        return row["eth_group"]
    if name in {"imd_quintile", "core20"}:
        return _bvalue(row, name)
    return row.get(name)


def _holds(row: dict[str, Any], f: Filter) -> bool:
    value = _field(row, f.field)
    op = f.operator
    if op == "is_null":
        return (value is None) == f.is_null
    if value is None:
        return False
    if op == "in":
        return str(value) in (f.in_ or ())
    target = getattr(f, op)
    if isinstance(target, str):
        value = str(value)
    return bool(
        {
            "eq": value == target,
            "ne": value != target,
            "ge": value >= target,
            "gt": value > target,
            "le": value <= target,
            "lt": value < target,
        }[op]
    )


class ReferenceEngine:
    """Indicator by indicator, in Python over Polars frames (small data only)."""

    name = "reference"

    def aggregate(
        self,
        plan: Plan,
        inputs: InputFiles,
        *,
        standardise: bool = False,  # noqa: ARG002 - always per age band (finish takes both)
    ) -> pd.DataFrame:
        self.t = {n: pl.read_parquet([str(p) for p in ps]) for n, ps in inputs.tables.items()}
        self.periods = self.t["periods"].to_dicts()
        self.deciles = dict(
            zip(self.t["lsoa_map"]["lsoa_code"], self.t["lsoa_map"]["imd_decile"], strict=True)
        )
        self._pops: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._by_person: dict[tuple[str, date], dict[str, dict[str, Any]]] = {}
        rows: list[dict[str, Any]] = []
        for ip in plan.indicators:
            rows += self._indicator(ip.indicator)
        if not rows:
            return pd.DataFrame(columns=list(LONG_COLUMNS))
        return pd.DataFrame(rows)[list(LONG_COLUMNS)]

    # --- people ---------------------------------------------------------------------------
    def _person_row(self, p: dict[str, Any], on: date, lsoa: str | None) -> dict[str, Any]:
        return {
            "person_id": p["person_id"],
            "age": _age(p["date_of_birth"], on),
            "sex_v": SEXES.get(p["sex"], UNKNOWN),
            "eth_group": ETHNICITY_GROUPS.get(p["ethnicity"] or "", NOT_STATED),
            "imd_decile": self.deciles.get(lsoa) if lsoa else None,
        }

    def _population(self, basis: str, snap: date) -> list[dict[str, Any]]:  # noqa: C901, PLR0912 - the semantics, spelled out
        key = (basis, snap)
        if key in self._pops:
            return self._pops[key]
        regs: dict[str, tuple[date, str]] = {}
        for r in self.t["registrations"].to_dicts():
            if r["start_date"] <= snap and (r["end_date"] is None or r["end_date"] > snap):
                best = regs.get(r["person_id"])
                cand = (r["start_date"], r["practice_code"])
                if best is None or (cand[0], _neg(cand[1])) > (best[0], _neg(best[1])):
                    regs[r["person_id"]] = cand
        conds: dict[str, list[dict[str, Any]]] = {}
        for c in self.t["conditions"].to_dicts():
            conds.setdefault(c["person_id"], []).append(c)
        acute: dict[str, int] = {}
        for s in self.t["hospital_spells"].to_dicts():
            if (
                s["admission_type"] == "emergency"
                and snap - timedelta(days=365) < s["admission_date"] <= snap
            ):
                acute[s["person_id"]] = acute.get(s["person_id"], 0) + 1
        out = []
        for p in self.t["persons"].to_dicts():
            if p["date_of_birth"] > snap or (p["date_of_death"] and p["date_of_death"] <= snap):
                continue
            if basis == "registered":
                if p["person_id"] not in regs:
                    continue
                leaf = regs[p["person_id"]][1]
            else:
                if p["lsoa_code"] is None:
                    continue
                leaf = p["lsoa_code"]
            row = self._person_row(p, snap, p["lsoa_code"]) | {"leaf": leaf}
            mine = [c for c in conds.get(p["person_id"], []) if c["onset_date"] <= snap]
            have = {c["cluster"] for c in mine}
            for k in CLUSTERS:
                row[f"has_{k}"] = int(k in have)
            n_ltc = sum(1 for k in LTC_CLUSTERS if k in have)
            cms = sum(
                round(CMS_GENERAL_WEIGHTS[CMS_CLUSTER_WEIGHTS[k]] * 100)
                for k in have
                if k in CMS_CLUSTER_WEIGHTS
            )
            recent_cancer = any(
                c["cluster"] == "cancer" and c["onset_date"] > snap - timedelta(days=365)
                for c in mine
            )
            flags = set()
            if recent_cancer:
                flags.add("end_of_life")
            if row["age"] >= 85 and n_ltc >= 2:
                flags.add("severe_frailty")
            if "learning_disability" in have:
                flags.add("learning_disability")
            person = Person(
                p["person_id"],
                row["age"],
                conditions=frozenset(have),
                counts={
                    "long_term_conditions": n_ltc,
                    "acute_episodes_12m": acute.get(p["person_id"], 0),
                },
                flags=frozenset(flags),
            )
            row |= {
                "n_ltc": n_ltc,
                "cms_band": next(lb for low, lb in reversed(CMS_BANDS) if cms >= low),
                "segment": segment_person(
                    person, BRIDGES_TO_HEALTH_RULES, BRIDGES_TO_HEALTH_DEFAULT
                ),
            }
            out.append(row)
        self._pops[key] = out
        return out

    # --- rows of a source in a period ------------------------------------------------------
    def _rows(  # noqa: C901, PLR0912
        self, source: str, basis: str, period: dict[str, Any], *, distinct: bool = False
    ) -> list[dict[str, Any]]:
        """The source's rows in ``period`` with the person's leaf and attributes: events of
        registered people as the person was at the end of the event's month (at the period's
        end when counting ``distinct`` people), snapshots at the period's end."""
        src = SOURCES[source]
        start, end = period["start"], period["end"]
        if source == "population":
            return self._population(basis, end)
        if source == "ons_population":
            return [
                {
                    "leaf": r["lsoa_code"],
                    "age": r["age"],
                    "sex_v": r["sex"],
                    "eth_group": NOT_STATED,
                    "imd_decile": self.deciles.get(r["lsoa_code"]),
                    "weight": r["population"],
                }
                for r in self.t["ons_population"].to_dicts()
                if r["year"] == period["pop_year"]
            ]
        feed = self.t[str(src.feed)].to_dicts()
        if not src.person_level:
            col = str(src.event_date)
            leaf = "organisation_code" if source == "workforce" else "org_code"
            return [r | {"leaf": r[leaf]} for r in feed if start <= r[col] <= end]
        if source == "deaths":
            out = []
            for p in feed:
                d = p["date_of_death"]
                if d is not None and start <= d <= end and p["lsoa_code"] is not None:
                    out.append(self._person_row(p, d, p["lsoa_code"]) | {"leaf": p["lsoa_code"]})
            return out
        picked = []
        for r in feed:
            if src.time == "events":
                d = r[str(src.event_date)]
                d = d.date() if hasattr(d, "date") and callable(d.date) else d
                if start <= d <= end:
                    picked.append(r | {"_day": d})
            else:
                a, b = (
                    ("clock_start", "clock_stop")
                    if source == "waiting_list"
                    else ("start_date", "end_date")
                )
                if r[a] <= end and (r[b] is None or r[b] > end):
                    picked.append(r)
        for r in picked:
            if source == "ae_attendances":
                dep, arr = r["departure_time"], r["arrival_time"]
                r["wait_minutes"] = None if dep is None else _minutes(dep, arr)
            if source == "waiting_list":
                r["weeks_waiting"] = (end - r["clock_start"]).days / 7.0
            if source == "social_care_services":
                r["long_term"] = int(r["service_type"].startswith("long_term"))
        if basis == "resident" and src.time == "events":
            persons = {p["person_id"]: p for p in self.t["persons"].to_dicts()}
            out = []
            for r in picked:
                who = persons.get(r["person_id"])
                if who is None:
                    continue
                p = who
                lsoa = r.get("lsoa_code") or p["lsoa_code"]
                if lsoa is None:
                    continue
                out.append(r | self._person_row(p, r["_day"], lsoa) | {"leaf": lsoa})
            return out
        out = []
        for r in picked:
            on = _month_end(r["_day"]) if src.time == "events" and not distinct else end
            pop = self._people_on(basis, on)
            if r["person_id"] in pop:
                mine = {k: v for k, v in r.items() if k not in {"lsoa_code", "practice_code"}}
                out.append(mine | pop[r["person_id"]])
        return out

    def _people_on(self, basis: str, snap: date) -> dict[str, dict[str, Any]]:
        key = (basis, snap)
        if key not in self._by_person:
            self._by_person[key] = {p["person_id"]: p for p in self._population(basis, snap)}
        return self._by_person[key]

    # --- one indicator ---------------------------------------------------------------------
    def _side(  # noqa: C901
        self, ind: Indicator, m: Measure, category: tuple[str, str] | None, period: dict[str, Any]
    ) -> dict[tuple[Any, ...], float]:
        rows = self._rows(str(m.source), ind.basis, period, distinct=m.value == "persons")
        banded = ind.method is Method.DSR
        breakdowns = ["all"] if period["period_type"] == "month" else ["all", *ind.breakdowns]
        levels_table = {
            "registered": "practice_levels",
            "resident": "lsoa_levels",
            "provider": "org_levels",
        }[ind.basis]
        leaf_levels = {r["leaf"]: r for r in self.t[levels_table].to_dicts()}
        sums: dict[tuple[Any, ...], float] = {}
        seen: dict[tuple[Any, ...], set[str]] = {}
        for r in rows:
            ok = all(_holds(r, f) for f in m.where)
            if category is not None:
                ok = ok and str(_field(r, category[0])) == category[1]
            if m.source == "ons_population":
                amount = float(r["weight"])
            elif m.value == "sum":
                amount = sum(
                    (-1 if c.startswith("-") else 1) * float(r[c.lstrip("-")] or 0.0)
                    for c in m.columns
                )
            else:
                amount = 1.0
            band = min(r["age"] // 5, 18) if banded else NO_BAND
            area_row = leaf_levels.get(r["leaf"])
            if area_row is None:
                continue
            for level in LEVELS[ind.basis]:
                code = area_row.get(f"{level}_code")
                if code is None:
                    continue
                for b in breakdowns if src_has_breakdowns(m) else ["all"]:
                    key = (level, code, area_row.get(f"{level}_parent"), b, _bvalue(r, b), band)
                    sums.setdefault(key, 0.0)
                    if not ok:
                        continue
                    if m.value == "persons":
                        if r["person_id"] in seen.setdefault(key, set()):
                            continue
                        seen[key].add(r["person_id"])
                    sums[key] += amount
        return sums

    def _indicator(self, ind: Indicator) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cats = (
            [("", None)]
            if ind.category is None
            else [(v, (ind.category, v)) for v in CATEGORIES[ind.category]]
        )
        for period in self.periods:
            if period["period_type"] not in ind.periods:
                continue
            for label, category in cats:
                num = self._side(ind, ind.numerator, category, period)
                den: dict[tuple[Any, ...], float] = {}
                if ind.denominator is not None and not ind.denominator.category_total:
                    den_cat = (
                        category
                        if ind.denominator.source is not None
                        and (ind.category in SOURCES[ind.denominator.source].fields_for(ind.basis))
                        else None
                    )
                    den = self._side(ind, ind.denominator, den_cat, period)
                for key in set(num) | set(den):
                    level, code, parent, b, value, band = key
                    out.append(
                        {
                            "indicator_id": ind.id,
                            "period_id": period["period_id"],
                            "level": level,
                            "area_code": code,
                            "parent_code": parent,
                            "breakdown": b,
                            "breakdown_value": value,
                            "esp_band": band,
                            "category": label,
                            "numerator": num.get(key, 0.0),
                            "denominator": den.get(key, float("nan")),
                        }
                    )
        return out


def src_has_breakdowns(m: Measure) -> bool:
    return bool(SOURCES[str(m.source)].breakdowns)


def _neg(code: str) -> tuple[int, ...]:
    """Orders practice codes descending (the plan prefers the smallest on a tie)."""
    return tuple(-ord(ch) for ch in code)


def _minutes(later: Any, earlier: Any) -> float:
    """Whole minute boundaries crossed, as DuckDB's and Spark's date_diff count them."""
    a = later.replace(second=0, microsecond=0)
    b = earlier.replace(second=0, microsecond=0)
    return float((a - b).total_seconds() // 60)


def read_inputs(paths: dict[str, list[Path]]) -> InputFiles:
    return InputFiles(paths)


def _month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    first_next = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)
