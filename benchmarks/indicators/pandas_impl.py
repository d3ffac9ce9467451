"""The benchmark indicators in pandas, as a careful analyst would write them: one month end at
a time (the registered population on that day, its cells when a period ends then, the events of
that month), so memory stays at one day's population; then each period's events are summed from
its months, the practice cells rolled up to every level and the long frame assembled indicator
by indicator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from benchmarks.indicators.handwritten import LEVELS, SHAPE, SIX

AGE_BANDS = ((85, "85+"), (75, "75-84"), (65, "65-74"), (50, "50-64"), (35, "35-49"))
AGE_BANDS += ((18, "18-34"), (0, "0-17"))
ETHNICITY = {**dict.fromkeys("ABC", "White"), **dict.fromkeys("DEFG", "Mixed")}
ETHNICITY |= {**dict.fromkeys("HJKL", "Asian"), **dict.fromkeys("MNP", "Black")}
ETHNICITY |= dict.fromkeys("RS", "Other")
CELL = ["leaf", "breakdown", "breakdown_value", "esp_band"]


def _read(tables: dict[str, list[str]], name: str, columns: list[str]) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(Path(p), columns=columns) for p in tables[name]])


def _value(x: pd.DataFrame, breakdown: str) -> pd.Series:  # noqa: PLR0911
    decile = x["imd_decile"]
    if breakdown == "all":
        return pd.Series("all", index=x.index)
    if breakdown == "sex":
        return x["sex_v"]
    if breakdown == "age_band":
        out = pd.Series("U", index=x.index)
        for low, label in reversed(AGE_BANDS):
            out = out.mask(x["age"] >= low, label)
        return out
    if breakdown == "imd_decile":
        return decile.astype("Int64").astype(str).replace("<NA>", "U")
    if breakdown == "imd_quintile":
        return ((decile + 1) // 2).astype("Int64").astype(str).replace("<NA>", "U")
    if breakdown == "core20":
        return pd.Series(
            np.where(decile.isna(), "U", np.where(decile <= 2, "Core20", "Other")), index=x.index
        )
    return x["eth_group"]


def _cells(
    x: pd.DataFrame,
    breakdowns: tuple[str, ...],
    measures: dict[str, pd.Series],
    band: pd.Series | None,
) -> pd.DataFrame:
    parts = []
    for b in ("all", *breakdowns):
        frame = pd.DataFrame(
            {
                "leaf": x["leaf"].to_numpy(),
                "breakdown": b,
                "breakdown_value": _value(x, b).to_numpy(),
                "esp_band": -1 if band is None else band.to_numpy(),
            }
        )
        for name, m in measures.items():
            frame[name] = m.to_numpy()
        parts.append(frame.groupby(CELL, as_index=False, sort=False).sum())
    return pd.concat(parts, ignore_index=True)


def long_frame(tables: dict[str, list[str]], indicators: tuple[str, ...]) -> pd.DataFrame:  # noqa: PLR0915 - one script
    periods = _read(tables, "periods", ["period_id", "period_type", "start", "end"])
    persons = _read(
        tables,
        "persons",
        ["person_id", "sex", "date_of_birth", "ethnicity", "lsoa_code", "date_of_death"],
    )
    lsoa = _read(tables, "lsoa_map", ["lsoa_code", "imd_decile"])
    persons = persons.merge(lsoa, on="lsoa_code", how="left")
    persons["sex_v"] = persons["sex"].map({"1": "M", "2": "F"}).fillna("U")
    persons["eth_group"] = persons["ethnicity"].map(ETHNICITY).fillna("Not stated")
    regs = _read(tables, "registrations", ["person_id", "practice_code", "start_date", "end_date"])
    regs = regs.sort_values(
        ["person_id", "start_date", "practice_code"], ascending=[True, False, True]
    )
    conds = _read(tables, "conditions", ["person_id", "cluster", "onset_date"])
    onset = conds[conds["cluster"] == "diabetes"].groupby("person_id")["onset_date"].min()
    ae = _read(tables, "ae_attendances", ["person_id", "arrival_time", "departure_time"])
    ae["day"] = ae["arrival_time"].dt.normalize()
    ae["wait"] = (
        ae["departure_time"].dt.floor("min") - ae["arrival_time"].dt.floor("min")
    ).dt.total_seconds() / 60
    spells = _read(tables, "hospital_spells", ["person_id", "admission_date", "admission_type"])
    spells["day"] = pd.to_datetime(spells["admission_date"])
    periods["start"] = pd.to_datetime(periods["start"])
    periods["end"] = pd.to_datetime(periods["end"])
    # every month end of the periods: events are counted for the person as they were at the
    # end of their month, and a period's events are the sum of its months'
    month_ends = {
        first + pd.offsets.MonthEnd(0)
        for p in periods.itertuples()
        for first in pd.date_range(p.start, p.end, freq="MS")
    }
    in_month = pd.DataFrame(
        [
            (p.period_id, p.period_type, e)
            for p in periods.itertuples()
            for e in month_ends
            if p.start <= e <= p.end
        ],
        columns=["period_id", "period_type", "snap"],
    )
    ends = set(periods["end"])
    pop_cells, band_cells, ae_cells, spell_cells = [], [], [], []
    for snap in sorted(month_ends | ends):
        ending = periods[periods["end"] == snap]
        day = snap.date()
        dob, dod = persons["date_of_birth"], persons["date_of_death"]
        alive = persons[(dob <= day) & (dod.isna() | (dod > day))]
        open_ = regs[
            (regs["start_date"] <= day) & (regs["end_date"].isna() | (regs["end_date"] > day))
        ]
        first = open_.drop_duplicates("person_id")[["person_id", "practice_code"]]
        x = alive.merge(first, on="person_id").rename(columns={"practice_code": "leaf"})
        born = pd.to_datetime(x["date_of_birth"])
        later = (day.month * 100 + day.day) < (born.dt.month * 100 + born.dt.day)
        x["age"] = np.minimum(day.year - born.dt.year - later.astype(int), 90)
        x["diabetes"] = (x["person_id"].map(onset) <= day).fillna(False).astype(bool)
        x = x.reset_index(drop=True)
        adult = x["age"] >= 17
        detail = (ending["period_type"] != "month").any()
        measures = {
            "n_all": pd.Series(1, index=x.index),
            "n_17": adult.astype(int),
            "n_d17": (adult & x["diabetes"]).astype(int),
        }
        if len(ending):
            cells = _cells(x, SIX if detail else (), measures, None)
            pop_cells.append(cells.assign(snap=snap))
        if (ending["period_type"] == "financial_year").any():
            band = np.minimum(x["age"] // 5, 18)
            cells = _cells(
                x,
                SHAPE["prevalence_diabetes_dsr"][1],
                {"n_17": measures["n_17"], "n_d17": measures["n_d17"]},
                band,
            )
            band_cells.append(cells.assign(snap=snap))
        if snap in month_ends:
            first = snap - pd.offsets.MonthBegin(1)
            inside = ae[(ae["day"] >= first) & (ae["day"] <= snap)]
            e = inside.merge(x, on="person_id")
            m = {"n_att": pd.Series(1, index=e.index), "n_4h": (e["wait"] <= 240).astype(int)}
            ae_cells.append(_cells(e, SIX, m, None).assign(snap=snap))
            inside = spells[(spells["day"] >= first) & (spells["day"] <= snap)]
            s = inside.merge(x, on="person_id")
            m = {"n_em": (s["admission_type"] == "emergency").astype(int)}
            spell_cells.append(_cells(s, SIX, m, None).assign(snap=snap))
    levels = _read(
        tables,
        "practice_levels",
        ["leaf", *[f"{lv}_{k}" for lv in LEVELS for k in ("code", "parent")]],
    )
    by_snap = periods[["period_id", "period_type", "end"]].rename(columns={"end": "snap"})
    kinds = periods.set_index("period_id")["period_type"]
    pop = (
        _rollup(pd.concat(pop_cells), "snap", levels).merge(by_snap, on="snap").drop(columns="snap")
    )
    band = (
        _rollup(pd.concat(band_cells), "snap", levels)
        .merge(by_snap, on="snap")
        .drop(columns="snap")
    )
    ae_up = _rollup(_by_period(ae_cells, in_month), "period_id", levels)
    ae_up["period_type"] = ae_up["period_id"].map(kinds)
    spell_up = _rollup(_by_period(spell_cells, in_month), "period_id", levels)
    spell_up["period_type"] = spell_up["period_id"].map(kinds)
    keys = [
        "period_id",
        "level",
        "area_code",
        "parent_code",
        "breakdown",
        "breakdown_value",
        "esp_band",
    ]
    out = []
    for ind in indicators:
        if ind == "registered_population":
            out.append(_keep(ind, pop, "n_all", None, keys))
        elif ind == "prevalence_diabetes":
            out.append(_keep(ind, pop, "n_d17", "n_17", keys))
        elif ind == "prevalence_diabetes_dsr":
            out.append(_keep(ind, band, "n_d17", "n_17", keys))
        elif ind == "ae_4hr_performance":
            out.append(_keep(ind, ae_up, "n_4h", "n_att", keys))
        else:
            events, measure = (
                (ae_up, "n_att") if ind == "ae_attendances_rate" else (spell_up, "n_em")
            )
            both = pop[[*keys, "n_all"]].merge(events[[*keys, measure]], on=keys, how="outer")
            both[measure] = both[measure].fillna(0)
            # a cell can have events and no population at the period's end
            both["period_type"] = both["period_id"].map(kinds)
            out.append(_keep(ind, both, measure, "n_all", keys))
    return pd.concat(out, ignore_index=True)


def _by_period(months: list[pd.DataFrame], in_month: pd.DataFrame) -> pd.DataFrame:
    """Each period's cells summed from its months' (months as totals only)."""
    cells = pd.concat(months).merge(in_month, on="snap")
    cells = cells[(cells["period_type"] != "month") | (cells["breakdown"] == "all")]
    measures = [c for c in cells.columns if c.startswith("n_")]
    group = ["period_id", *CELL]
    return cells.groupby(group, as_index=False, sort=False)[measures].sum()


def _rollup(cells: pd.DataFrame, key: str, levels: pd.DataFrame) -> pd.DataFrame:
    joined = cells.merge(levels, on="leaf")
    measures = [c for c in cells.columns if c.startswith("n_")]
    parts = []
    for lv in LEVELS:
        sel = joined[joined[f"{lv}_code"].notna()]
        group = [key, f"{lv}_code", f"{lv}_parent", "breakdown", "breakdown_value", "esp_band"]
        summed = sel.groupby(group, dropna=False, as_index=False, sort=False)[measures].sum()
        parts.append(
            summed.rename(
                columns={f"{lv}_code": "area_code", f"{lv}_parent": "parent_code"}
            ).assign(level=lv)
        )
    return pd.concat(parts, ignore_index=True)


def _keep(
    ind: str, frame: pd.DataFrame, num: str, den: str | None, keys: list[str]
) -> pd.DataFrame:
    types, breakdowns = SHAPE[ind]
    ok = frame["period_type"].isin(types) & frame["breakdown"].isin(("all", *breakdowns))
    ok &= (frame["period_type"] != "month") | (frame["breakdown"] == "all")
    part = frame.loc[ok, keys].copy()
    part["indicator_id"] = ind
    part["category"] = ""
    part["numerator"] = frame.loc[ok, num].astype(float)
    part["denominator"] = np.nan if den is None else frame.loc[ok, den].astype(float)
    return part
