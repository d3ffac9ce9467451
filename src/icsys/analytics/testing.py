"""A small random world for indicator tests: structure tables and lake files, from a seed.

Two regions, three systems (one with two sub-ICB locations), PCNs, practices, LSOAs with IMD
deciles and ONS estimates, and people with registrations (some moving practice), conditions,
deaths and every feed's events over 2023-04 to 2025-03. Used by the spec tests (every
indicator on every engine) and the property tests (the reference engine against DuckDB), and
by anyone writing an indicator who wants to run it without real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from icsys.analytics.engines.base import FEEDS
from icsys.analytics.structure import PROVIDER, REGISTERED, RESIDENT, Structure
from icsys.domain.codes import ENGLAND_CODE
from icsys.feeds.codes import CLUSTERS
from icsys.feeds.contracts import contract
from icsys.feeds.lake import schema

START = date(2023, 4, 1)
END = date(2025, 3, 31)
REGIONS = ("E40000001", "E40000002")
SYSTEMS = {"E54000001": REGIONS[0], "E54000002": REGIONS[0], "E54000003": REGIONS[1]}
SUB_ICBS = {
    "E38000001": "E54000001",
    "E38000002": "E54000001",
    "E38000003": "E54000002",
    "E38000004": "E54000003",
}
TRUSTS = {"RAA": "E54000001", "RBB": "E54000002", "RCC": "E54000003"}


@dataclass(frozen=True)
class World:
    structure: Structure
    lake: dict[str, list[Path]]


def _levels(rows: list[dict[str, Any]], levels: tuple[str, ...]) -> pa.Table:
    names = ["leaf"] + [f"{lv}_{k}" for lv in levels for k in ("code", "parent")]
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


def _upper(system: str) -> dict[str, str | None]:
    region = SYSTEMS[system]
    return {
        "system_code": system,
        "system_parent": region,
        "region_code": region,
        "region_parent": ENGLAND_CODE,
        "england_code": ENGLAND_CODE,
        "england_parent": None,
    }


def _day(rng: random.Random, start: date = START, end: date = END) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def synthetic_world(folder: Path, *, seed: int = 1, persons: int = 300) -> World:  # noqa: C901, PLR0912, PLR0915
    """Write a random world of ``persons`` people under ``folder``."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    folder.mkdir(parents=True, exist_ok=True)
    lsoas, practices, pcns = [], [], []
    lsoa_rows, practice_rows = [], []
    for i, (sub, system) in enumerate(sorted(SUB_ICBS.items())):
        lad = f"E0600000{i // 2 + 1}"  # two LADs per pair of sub-ICBs; LAD 1 spans two systems
        for j in range(rng.randint(2, 4)):
            code = f"E0100{i}{j:03d}"
            lsoas.append(code)
            lsoa_rows.append(
                {
                    "leaf": code,
                    "place_code": lad,
                    "place_parent": system,
                    "sub_icb_code": sub,
                    "sub_icb_parent": system,
                    **_upper(system),
                }
            )
        for j in range(2):
            pcn = f"U{i}{j:04d}"
            pcns.append(pcn)
            for k in range(rng.randint(1, 2)):
                practice = f"P{i}{j}{k:03d}"
                practices.append(practice)
                practice_rows.append(
                    {
                        "leaf": practice,
                        "pcn_code": pcn,
                        "pcn_parent": sub,
                        "sub_icb_code": sub,
                        "sub_icb_parent": system,
                        **_upper(system),
                    }
                )
    practice_rows.append(
        {
            "leaf": "PORPHAN",
            "sub_icb_code": "E38000004",
            "sub_icb_parent": "E54000003",
            **_upper("E54000003"),
        }
    )
    practices.append("PORPHAN")  # a practice in no PCN
    deciles = {c: rng.choice([None, *range(1, 11), 1, 2]) for c in lsoas}
    org_rows = [
        {"leaf": t, "trust_code": t, "trust_parent": s, **_upper(s)} for t, s in TRUSTS.items()
    ]
    org_rows += [{"leaf": r["leaf"], **_upper(str(r["system_code"]))} for r in practice_rows]
    ons: dict[str, list[Any]] = {
        "year": [],
        "lsoa_code": [],
        "sex": [],
        "age": [],
        "population": [],
    }
    for year in (2022, 2023, 2024):
        for code in lsoas:
            for sex in ("M", "F"):
                for age in range(91):
                    if rng.random() < 0.7:
                        ons["year"].append(year)
                        ons["lsoa_code"].append(code)
                        ons["sex"].append(sex)
                        ons["age"].append(age)
                        ons["population"].append(float(rng.randint(1, 40)))
    structure = Structure(
        END,
        {
            "lsoa_map": pa.table(
                {
                    "lsoa_code": pa.array(lsoas, pa.string()),
                    "imd_decile": pa.array([deciles[c] for c in lsoas], pa.int64()),
                }
            ),
            "practice_levels": _levels(practice_rows, REGISTERED),
            "lsoa_levels": _levels(lsoa_rows, RESIDENT),
            "org_levels": _levels(org_rows, PROVIDER),
            "ons_population": pa.table(
                {
                    "year": pa.array(ons["year"], pa.int64()),
                    "lsoa_code": pa.array(ons["lsoa_code"], pa.string()),
                    "sex": pa.array(ons["sex"], pa.string()),
                    "age": pa.array(ons["age"], pa.int64()),
                    "population": pa.array(ons["population"], pa.float64()),
                }
            ),
        },
    )
    feeds: dict[str, list[dict[str, Any]]] = {n: [] for n in FEEDS}
    trusts = list(TRUSTS)
    for n in range(persons):
        pid = f"p{n:05d}"
        born = date(1925, 1, 1) + timedelta(days=rng.randrange(36500))
        died = _day(rng) if rng.random() < 0.08 else None
        if died is not None and died <= born:
            died = None
        lsoa = rng.choice([*lsoas, None]) if rng.random() < 0.95 else "E01999999"
        feeds["persons"].append(
            {
                "person_id": pid,
                "sex": rng.choice("1122129X"),
                "date_of_birth": born,
                "ethnicity": rng.choice([*"ABCDHJMNRSZ", None]),
                "lsoa_code": lsoa,
                "date_of_death": died,
            }
        )
        first = max(born, date(2020, 1, 1))
        start = first + timedelta(days=rng.randrange(max(1, (END - first).days)))
        if rng.random() < 0.85:
            start = min(start, date(2022, 1, 1)) if start > born else start
        moved = _day(rng) if rng.random() < 0.2 else None
        p1 = rng.choice(practices)
        end1 = moved if moved and moved > start else died
        feeds["registrations"].append(
            {"person_id": pid, "practice_code": p1, "start_date": start, "end_date": end1}
        )
        if moved and moved > start:
            feeds["registrations"].append(
                {
                    "person_id": pid,
                    "practice_code": rng.choice(practices),
                    "start_date": moved,
                    "end_date": died,
                }
            )
        if rng.random() < 0.06:  # overlapping or empty registrations: the latest started wins
            extra = rng.choice([start, start - timedelta(days=90), start + timedelta(days=30)])
            feeds["registrations"].append(
                {
                    "person_id": pid,
                    "practice_code": rng.choice(practices),
                    "start_date": extra,
                    "end_date": rng.choice([None, extra, extra + timedelta(days=400)]),
                }
            )
        for cluster in rng.sample(list(CLUSTERS), rng.choice([0, 0, 1, 1, 2, 3, 5])):
            onset = max(born, _day(rng, date(2015, 1, 1)))
            feeds["conditions"].append(
                {
                    "person_id": pid,
                    "cluster": cluster,
                    "onset_date": onset,
                    "code_system": None,
                    "code": None,
                }
            )
        for k in range(rng.choice([0, 0, 1, 2, 4])):
            day = _day(rng)
            method = rng.choice(["21", "22", "11", "12", "31", "2B"])
            kind = {"1": "elective", "2": "emergency", "3": "other"}[method[0]]
            feeds["hospital_spells"].append(
                {
                    "spell_id": f"{pid}s{k}",
                    "person_id": pid,
                    "provider_code": rng.choice(trusts),
                    "admission_date": day,
                    "discharge_date": day + timedelta(days=rng.randint(0, 9)),
                    "admission_method": method,
                    "primary_diagnosis": "I21.0",
                    "cost": rng.choice([None, float(rng.randint(100, 9000))]),
                    "practice_code": None,
                    "lsoa_code": rng.choice([None, None, *lsoas]),
                    "admission_type": kind,
                }
            )
        for k in range(rng.choice([0, 1, 2, 3])):
            arrive = datetime.combine(_day(rng), datetime.min.time()) + timedelta(
                minutes=rng.randrange(1440)
            )
            stay = rng.choice([None, *[rng.randrange(60, 1000) for _ in range(5)], 240, 720])
            feeds["ae_attendances"].append(
                {
                    "attendance_id": f"{pid}a{k}",
                    "person_id": pid,
                    "provider_code": rng.choice(trusts),
                    "arrival_time": arrive,
                    "departure_time": None if stay is None else arrive + timedelta(minutes=stay),
                    "department_type": rng.choice(["01", "03"]),
                    "disposal": "03",
                    "practice_code": None,
                    "lsoa_code": None,
                }
            )
        for k in range(rng.choice([0, 1, 3])):
            status = rng.choice(["5", "6", "7", "2", "3", "4"])
            feeds["outpatient_appointments"].append(
                {
                    "appointment_id": f"{pid}o{k}",
                    "person_id": pid,
                    "provider_code": rng.choice(trusts),
                    "appointment_date": _day(rng),
                    "first_attendance": "1",
                    "attendance_status": status,
                    "treatment_function": "100",
                    "practice_code": None,
                    "lsoa_code": None,
                    "appointment_type": "first",
                    "attendance_outcome": {
                        "5": "attended",
                        "6": "attended",
                        "7": "did_not_attend",
                        "3": "did_not_attend",
                    }.get(status, "cancelled"),
                }
            )
        for feed in ("community_contacts", "mental_health_contacts"):
            for k in range(rng.choice([0, 0, 1, 2])):
                feeds[feed].append(
                    {
                        "contact_id": f"{pid}{feed[0]}{k}",
                        "person_id": pid,
                        "provider_code": rng.choice(trusts),
                        "contact_date": _day(rng),
                        "service": None,
                        "attended": rng.choice([None, "attended", "did_not_attend"]),
                        "practice_code": None,
                        "lsoa_code": None,
                    }
                )
        if rng.random() < 0.1:
            s = _day(rng, date(2022, 1, 1))
            feeds["social_care_services"].append(
                {
                    "service_id": f"{pid}c",
                    "person_id": pid,
                    "la_code": "E06000001",
                    "service_type": rng.choice(
                        ["long_term_residential", "long_term_community", "short_term"]
                    ),
                    "start_date": s,
                    "end_date": rng.choice([None, s + timedelta(days=200)]),
                    "weekly_cost": 500.0,
                }
            )
        for k in range(rng.choice([0, 0, 1, 2])):
            s = _day(rng, date(2022, 1, 1))
            stop = rng.choice([None, s + timedelta(days=rng.randint(10, 500))])
            feeds["waiting_list"].append(
                {
                    "pathway_id": f"{pid}w{k}",
                    "person_id": pid,
                    "provider_code": rng.choice(trusts),
                    "treatment_function": "110",
                    "clock_start": s,
                    "clock_stop": stop,
                }
            )
    month = START
    while month <= END:
        for org in [*trusts, practices[0]]:
            for group in ("nursing", "medical"):
                fte = float(rng.randint(50, 400))
                feeds["workforce"].append(
                    {
                        "organisation_code": org,
                        "month": month,
                        "staff_group": group,
                        "fte_in_post": fte,
                        "vacancies": rng.choice([None, float(rng.randint(0, 40))]),
                        "joiners": 2.0,
                        "leavers": float(rng.randint(0, 9)),
                    }
                )
        for org in trusts:
            counts = {
                c: rng.randint(0, 900)
                for c in schema(contract("ae_provider_monthly")).names
                if c.startswith(("attendances", "dta", "emergency"))
            }
            for kind in ("type1", "type2", "other", "booked_type1", "booked_type2", "booked_other"):
                counts[f"over_4h_{kind}"] = rng.randint(0, counts[f"attendances_{kind}"])
            feeds["ae_provider_monthly"].append(
                {"period": month, "org_code": org, "parent_org": "R", "org_name": org, **counts}
            )
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    lake: dict[str, list[Path]] = {}
    for feed, rows in feeds.items():
        sch = schema(contract(feed))
        data = {f.name: [r.get(f.name) for r in rows] for f in sch if f.name in sch.names}
        data["source_file"] = [0] * len(rows)
        data["source_line"] = list(range(len(rows)))
        path = folder / f"{feed}.parquet"
        pq.write_table(pa.table(data, schema=sch), path)
        lake[feed] = [path]
    return World(structure, lake)
