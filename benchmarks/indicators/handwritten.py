"""The benchmark indicators as one hand-written DuckDB SQL script (no Ibis, no plan).

Written the way an analyst would: the registered population at each period end and month end
(latest open registration, alive, with diabetes on the register), its cells per practice and
breakdown value at the period ends, the A&E attendances and emergency spells in each period of
that population at the end of their month, the leaf
(practice) rolled up to every level of the structure, and one SELECT per indicator giving the
long frame's columns. ``sql(periods, levels, indicators)`` also serves the per-indicator,
per-period, per-level loop contender, which calls it with one of each.
"""

# ruff: noqa: ISC004 - SQL written as adjacent string pieces

from __future__ import annotations

from collections.abc import Sequence

INDICATORS = (
    "registered_population",
    "prevalence_diabetes",
    "prevalence_diabetes_dsr",
    "ae_attendances_rate",
    "ae_4hr_performance",
    "emergency_admissions_rate",
)
LEVELS = ("pcn", "place", "sub_icb", "system", "region", "england")
SIX = ("sex", "age_band", "imd_quintile", "imd_decile", "core20", "ethnicity_group")
# indicator -> (period types, breakdowns)
SHAPE = {
    "registered_population": (("month", "quarter", "financial_year"), SIX),
    "prevalence_diabetes": (("quarter", "financial_year"), SIX),
    "prevalence_diabetes_dsr": (("financial_year",), tuple(b for b in SIX if b != "age_band")),
    "ae_attendances_rate": (("month", "quarter", "financial_year"), SIX),
    "ae_4hr_performance": (("month", "quarter", "financial_year"), SIX),
    "emergency_admissions_rate": (("month", "quarter", "financial_year"), SIX),
}

AGE = """least((year(s.snap) - year(p.date_of_birth))
    - CAST(month(s.snap) * 100 + day(s.snap) < month(p.date_of_birth) * 100 + day(p.date_of_birth)
    AS INTEGER), 90)"""
SEX = "CASE p.sex WHEN '1' THEN 'M' WHEN '2' THEN 'F' ELSE 'U' END"
ETHNICITY = """CASE WHEN p.ethnicity IN ('A', 'B', 'C') THEN 'White'
    WHEN p.ethnicity IN ('D', 'E', 'F', 'G') THEN 'Mixed'
    WHEN p.ethnicity IN ('H', 'J', 'K', 'L') THEN 'Asian'
    WHEN p.ethnicity IN ('M', 'N', 'P') THEN 'Black'
    WHEN p.ethnicity IN ('R', 'S') THEN 'Other' ELSE 'Not stated' END"""
VALUE = """CASE b.breakdown
    WHEN 'all' THEN 'all'
    WHEN 'sex' THEN x.sex_v
    WHEN 'age_band' THEN CASE WHEN x.age >= 85 THEN '85+' WHEN x.age >= 75 THEN '75-84'
        WHEN x.age >= 65 THEN '65-74' WHEN x.age >= 50 THEN '50-64' WHEN x.age >= 35 THEN '35-49'
        WHEN x.age >= 18 THEN '18-34' WHEN x.age >= 0 THEN '0-17' ELSE 'U' END
    WHEN 'imd_decile' THEN coalesce(CAST(x.imd_decile AS VARCHAR), 'U')
    WHEN 'imd_quintile' THEN coalesce(CAST((x.imd_decile + 1) // 2 AS VARCHAR), 'U')
    WHEN 'core20' THEN CASE WHEN x.imd_decile IS NULL THEN 'U' WHEN x.imd_decile <= 2 THEN 'Core20'
        ELSE 'Other' END
    WHEN 'ethnicity_group' THEN x.eth_group END"""


def _list(items: Sequence[str]) -> str:
    return ", ".join("'" + i.replace("'", "''") + "'" for i in items)


def _breakdowns(name: str, values: Sequence[str]) -> str:
    rows = ", ".join(f"('{v}')" for v in ("all", *values))
    return f"(VALUES {rows}) AS {name}(breakdown)"


def _rollup(cells: str, key: str, measures: Sequence[str], levels: Sequence[str]) -> str:
    """Cells per (key, leaf, breakdown, value[, band]) → every level of the structure."""
    sums = ", ".join(f"sum({m}) AS {m}" for m in measures)
    parts = [
        f"SELECT {key}, '{lv}' AS level, l.{lv}_code AS area_code, l.{lv}_parent AS parent_code, "
        f"c.breakdown, c.breakdown_value, c.esp_band, {sums} "
        f"FROM {cells} AS c JOIN practice_levels AS l ON l.leaf = c.leaf "
        f"WHERE l.{lv}_code IS NOT NULL GROUP BY ALL"
        for lv in levels
    ]
    return " UNION ALL ".join(parts)


def sql(period_ids: Sequence[str], levels: Sequence[str], indicators: Sequence[str]) -> str:
    """One query: the long rows of ``indicators`` for ``period_ids`` at ``levels``."""
    wanted = _list(period_ids)
    ends = f'SELECT "end" FROM periods WHERE period_id IN ({wanted})'
    detail = f"SELECT \"end\" FROM periods WHERE period_id IN ({wanted}) AND period_type <> 'month'"
    fy = f"SELECT \"end\" FROM periods WHERE period_id IN ({wanted}) AND period_type = 'financial_year'"
    ctes = [
        # the period ends, and every month end (events count the person as at their month's)
        f'snaps AS (SELECT DISTINCT "end" AS snap FROM periods WHERE period_id IN ({wanted}) '
        "UNION SELECT DISTINCT last_day(CAST(m AS DATE)) FROM (SELECT unnest(generate_series("
        'CAST(start AS TIMESTAMP), CAST("end" AS TIMESTAMP), INTERVAL 1 MONTH)) AS m '
        f"FROM periods WHERE period_id IN ({wanted})))",
        "alive AS (SELECT p.person_id, s.snap, p.lsoa_code, "
        f"{AGE} AS age, {SEX} AS sex_v, {ETHNICITY} AS eth_group "
        "FROM persons AS p JOIN snaps AS s ON p.date_of_birth <= s.snap "
        "AND (p.date_of_death IS NULL OR p.date_of_death > s.snap))",
        "reg AS (SELECT r.person_id, s.snap, r.practice_code, row_number() OVER ("
        "PARTITION BY r.person_id, s.snap ORDER BY r.start_date DESC, r.practice_code) AS rn "
        "FROM registrations AS r JOIN snaps AS s ON r.start_date <= s.snap "
        "AND (r.end_date IS NULL OR r.end_date > s.snap))",
        "diabetes AS (SELECT DISTINCT c.person_id, s.snap FROM conditions AS c "
        "JOIN snaps AS s ON c.onset_date <= s.snap WHERE c.cluster = 'diabetes')",
        "pop AS MATERIALIZED (SELECT a.person_id, a.snap, g.practice_code AS leaf, a.age, a.sex_v, a.eth_group, "
        "m.imd_decile, d.person_id IS NOT NULL AS diabetes FROM alive AS a "
        "JOIN reg AS g ON g.person_id = a.person_id AND g.snap = a.snap AND g.rn = 1 "
        "LEFT JOIN lsoa_map AS m ON m.lsoa_code = a.lsoa_code "
        "LEFT JOIN diabetes AS d ON d.person_id = a.person_id AND d.snap = a.snap)",
        f"pop_cells AS (SELECT x.snap, x.leaf, b.breakdown, {VALUE} AS breakdown_value, "
        "-1 AS esp_band, count(*) AS n_all, sum(CAST(x.age >= 17 AS INTEGER)) AS n_17, "
        "sum(CAST(x.diabetes AND x.age >= 17 AS INTEGER)) AS n_d17 "
        f"FROM pop AS x, {_breakdowns('b', SIX)} "
        f"WHERE x.snap IN ({ends}) AND (b.breakdown = 'all' OR x.snap IN ({detail})) GROUP BY ALL)",
        f"band_cells AS (SELECT x.snap, x.leaf, b.breakdown, {VALUE} AS breakdown_value, "
        "least(x.age // 5, 18) AS esp_band, sum(CAST(x.age >= 17 AS INTEGER)) AS n_17, "
        "sum(CAST(x.diabetes AND x.age >= 17 AS INTEGER)) AS n_d17 "
        f"FROM pop AS x, {_breakdowns('b', SHAPE['prevalence_diabetes_dsr'][1])} "
        f"WHERE x.snap IN ({fy}) GROUP BY ALL)",
        'periods_in AS (SELECT period_id, period_type, start, "end" FROM periods '
        f"WHERE period_id IN ({wanted}))",
        "ae AS (SELECT p.period_id, p.period_type, x.*, "
        "date_diff('minute', e.arrival_time, e.departure_time) AS wait "
        "FROM ae_attendances AS e JOIN periods_in AS p "
        'ON CAST(e.arrival_time AS DATE) BETWEEN p.start AND p."end" '
        "JOIN pop AS x ON x.person_id = e.person_id "
        "AND x.snap = last_day(CAST(e.arrival_time AS DATE)))",
        f"ae_cells AS (SELECT x.period_id, x.leaf, b.breakdown, {VALUE} AS breakdown_value, "
        "-1 AS esp_band, count(*) AS n_att, "
        "sum(CAST(coalesce(x.wait <= 240, false) AS INTEGER)) AS n_4h "
        f"FROM ae AS x, {_breakdowns('b', SIX)} "
        "WHERE b.breakdown = 'all' OR x.period_type <> 'month' GROUP BY ALL)",
        "spells AS (SELECT p.period_id, p.period_type, x.*, h.admission_type "
        "FROM hospital_spells AS h JOIN periods_in AS p "
        'ON h.admission_date BETWEEN p.start AND p."end" '
        "JOIN pop AS x ON x.person_id = h.person_id AND x.snap = last_day(h.admission_date))",
        f"spell_cells AS (SELECT x.period_id, x.leaf, b.breakdown, {VALUE} AS breakdown_value, "
        "-1 AS esp_band, sum(CAST(coalesce(x.admission_type = 'emergency', false) AS INTEGER)) "
        f"AS n_em FROM spells AS x, {_breakdowns('b', SIX)} "
        "WHERE b.breakdown = 'all' OR x.period_type <> 'month' GROUP BY ALL)",
        f"pop_up AS MATERIALIZED ({_rollup('pop_cells', 'c.snap', ['n_all', 'n_17', 'n_d17'], levels)})",
        f"band_up AS ({_rollup('band_cells', 'c.snap', ['n_17', 'n_d17'], levels)})",
        f"ae_up AS MATERIALIZED ({_rollup('ae_cells', 'c.period_id', ['n_att', 'n_4h'], levels)})",
        f"spell_up AS ({_rollup('spell_cells', 'c.period_id', ['n_em'], levels)})",
        "pop_p AS (SELECT p.period_id, p.period_type, u.* EXCLUDE (snap) FROM pop_up AS u "
        'JOIN periods_in AS p ON p."end" = u.snap)',
        "band_p AS (SELECT p.period_id, p.period_type, u.* EXCLUDE (snap) FROM band_up AS u "
        'JOIN periods_in AS p ON p."end" = u.snap)',
    ]
    selects = [_indicator(ind) for ind in indicators]
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)


KEYS = "period_id, level, area_code, parent_code, breakdown, breakdown_value, esp_band"


def _where(indicator: str, alias: str = "") -> str:
    types, breakdowns = SHAPE[indicator]
    a = f"{alias}." if alias else ""
    return (
        f"{a}period_type IN ({_list(types)}) AND {a}breakdown IN ({_list(('all', *breakdowns))}) "
        f"AND ({a}period_type <> 'month' OR {a}breakdown = 'all')"
    )


def _out(indicator: str, num: str, den: str, keys: str = KEYS) -> str:
    return (
        f"SELECT '{indicator}' AS indicator_id, {keys}, '' AS category, "
        f"CAST({num} AS DOUBLE) AS numerator, CAST({den} AS DOUBLE) AS denominator"
    )


def _indicator(ind: str) -> str:
    if ind == "registered_population":
        return f"{_out(ind, 'n_all', 'NULL')} FROM pop_p WHERE {_where(ind)}"
    if ind == "prevalence_diabetes":
        return f"{_out(ind, 'n_d17', 'n_17')} FROM pop_p WHERE {_where(ind)}"
    if ind == "prevalence_diabetes_dsr":
        return f"{_out(ind, 'n_d17', 'n_17')} FROM band_p WHERE {_where(ind)}"
    if ind == "ae_4hr_performance":
        keyed = "SELECT u.*, p.period_type FROM ae_up AS u JOIN periods_in AS p USING (period_id)"
        return f"{_out(ind, 'n_4h', 'n_att')} FROM ({keyed}) WHERE {_where(ind)}"
    events, measure = {
        "ae_attendances_rate": ("ae_up", "n_att"),
        "emergency_admissions_rate": ("spell_up", "n_em"),
    }[ind]
    on = " AND ".join(
        f"e.{k} IS NOT DISTINCT FROM d.{k}" if k == "parent_code" else f"e.{k} = d.{k}"
        for k in KEYS.split(", ")
    )
    keys = ", ".join(f"coalesce(d.{k}, e.{k}) AS {k}" for k in KEYS.split(", "))
    joined = (
        f"SELECT {keys}, coalesce(e.{measure}, 0) AS num, d.n_all AS den "
        f"FROM pop_p AS d FULL OUTER JOIN {events} AS e ON {on}"
    )
    # a cell can have events and no population at the period's end (the person was in it at
    # the end of the event's month only)
    typed = f"SELECT j.*, p.period_type FROM ({joined}) AS j JOIN periods_in AS p USING (period_id)"
    return f"{_out(ind, 'num', 'den')} FROM ({typed}) WHERE {_where(ind)}"
