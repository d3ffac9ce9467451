"""One row per system (and ``ALL``): the headline governance measures side by side."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from icsys.domain.levels import Level
from icsys.governance.measures.common import ALL_SYSTEMS, MeasureValue
from icsys.governance.measures.period import Period
from icsys.governance.schema import fy_label
from icsys.store import models as m

# column -> (measure, breakdown); a breakdown of "FY" means the period's last financial year
HEADLINES: dict[str, tuple[str, str | None]] = {
    "public_meetings": ("public_meeting_share", None),
    "papers_on_time": ("papers_on_time_share", None),
    "notice_days": ("median_notice_days", None),
    "attendance": ("attendance_rate", "all"),
    "non_nhs_items": ("item_share", "non_nhs"),
    "non_nhs_decisions": ("decision_share", "non_nhs"),
    "dissent": ("dissent_rate", None),
    "to_place": ("delegated_to_place_share", "FY"),
    "to_collaboratives": ("delegated_to_provider_collaborative_share", "FY"),
    "stable_6m": ("stable_6m_share", None),
    "stable_12m": ("stable_12m_share", None),
    "turnover": ("turnover_12m", None),
    "interim": ("interim_share", None),
    "vacancy_days": ("median_vacancy_days", None),
}
SHARES = {k for k, (m, _) in HEADLINES.items() if m.endswith(("share", "rate", "turnover_12m"))}


def system_table(
    engine: Engine, rows: list[MeasureValue], period: Period, *, as_percent: bool = True
) -> list[dict[str, Any]]:
    """Pivot measure rows (system level, no body) into one row per system."""
    year = fy_label(period.financial_years()[-1])
    wanted = {(measure, year if b == "FY" else b): col for col, (measure, b) in HEADLINES.items()}
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        col = wanted.get((r.measure, r.breakdown))
        if col is None or r.body_id is not None:
            continue
        row = table.setdefault(r.system_code, {"system": r.system_code})
        value = r.value
        if value is not None and as_percent and col in SHARES:
            value = round(100 * value, 1)
        elif value is not None:
            value = round(value, 2)
        row[col] = value
    with engine.connect() as conn:
        query = select(m.area.c.code, m.area.c.name).where(m.area.c.level == Level.SYSTEM)
        names: dict[str, str | None] = {r[0]: r[1] for r in conn.execute(query)}
    out = []
    for code in sorted(table, key=lambda c: (c == ALL_SYSTEMS, c)):
        name = "All systems" if code == ALL_SYSTEMS else names.get(code) or ""
        out.append({"system": code, "name": name} | {c: table[code].get(c) for c in HEADLINES})
    return out


def as_of_default(period: Period, today: date) -> date:
    return min(period.end, today)
