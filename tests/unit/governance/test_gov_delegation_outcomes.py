"""Delegation shares and decisions-to-outcomes, worked out by hand."""

from __future__ import annotations

from datetime import date

from conftest import SYSTEM, Gov
from icsys.analytics.methods.spc import xmr_chart
from icsys.governance.measures import Period, decision_outcomes, delegation

YEARS = Period(date(2023, 4, 1), date(2025, 3, 31))
M = 1_000_000


def _delegate(
    gov: Gov,
    key: str,
    frm: tuple[str, str],
    to: tuple[str, str],
    recipient: str,
    budgets: dict[int, int],
) -> None:
    gov.save(
        "delegations",
        id=key,
        system_code=SYSTEM,
        from_kind=frm[0],
        from_code=frm[1],
        to_kind=to[0],
        to_code=to[1],
        recipient_type=recipient,
        functions="Community services",
        scheme_ref="SoD 1",
        valid_from=date(2023, 4, 1),
    )
    for year, amount in budgets.items():
        gov.save(
            "delegation_budgets",
            delegation_id=key,
            financial_year=f"{year}/{(year + 1) % 100}",
            amount_gbp=f"£{amount:,}",
        )


def test_delegation_shares_by_year(gov: Gov):
    gov.body("BOARD")
    gov.body("PLACE1", kind="place_partnership_board")
    gov.body("PC", kind="provider_collaborative_board")
    gov.save("allocations", system_code=SYSTEM, financial_year="2024/25", amount_gbp=1000 * M)
    _delegate(
        gov, "D1", ("body", "BOARD"), ("body", "PLACE1"), "place", {2023: 40 * M, 2024: 50 * M}
    )
    _delegate(
        gov,
        "D2",
        ("organisation", SYSTEM),
        ("organisation", "RXX"),
        "lead_provider",
        {2024: 30 * M},
    )
    _delegate(
        gov, "D3", ("body", "PLACE1"), ("organisation", "XYZ"), "place", {2024: 10 * M}
    )  # onward
    _delegate(
        gov, "D4", ("body", "BOARD"), ("body", "PC"), "provider_collaborative", {2024: 20 * M}
    )
    got = {
        (r.measure, r.breakdown): (r.numerator, r.denominator, r.value)
        for r in delegation(gov.engine, YEARS, system=SYSTEM)
    }
    assert got[("delegated_to_place_share", "2024/25")] == (50 * M, 1000 * M, 0.05)
    assert got[("delegated_to_provider_collaborative_share", "2024/25")] == (50 * M, 1000 * M, 0.05)
    assert got[("delegated_to_place_share", "2023/24")] == (40 * M, None, None)  # no allocation
    assert got[("delegated_to_provider_collaborative_share", "2023/24")] == (0, None, None)


class Series:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def series(self, indicator_id: str, area_code: str) -> list[tuple[date, float]]:
        self.asked.append((indicator_id, area_code))
        if indicator_id != "ae_4hr":
            return []
        before = [(date(2023, m, 1), 10.0 if m % 2 else 12.0) for m in range(1, 13)]
        after = [(date(2024, m, 1), 14.0 if m % 2 else 16.0) for m in range(1, 13)]
        return before + after


def test_decisions_to_outcomes(gov: Gov):
    gov.body("B1")
    gov.meeting("M1", date(2024, 1, 1))
    gov.item("I1", "M1")
    gov.decision("D1", "I1")
    gov.save(
        "decision_indicators",
        decision_id="D1",
        indicator_id="ae_4hr",
        expected_direction="increase",
        review_on=date(2025, 1, 1),
    )
    gov.save(
        "decision_indicators",
        decision_id="D1",
        indicator_id="smoking",
        area_code="E06000001",
        expected_direction="decrease",
    )
    provider = Series()
    out = {o.indicator_id: o for o in decision_outcomes(gov.engine, provider, xmr_chart)}
    assert provider.asked == [("ae_4hr", SYSTEM), ("smoking", "E06000001")]
    ae = out["ae_4hr"]
    assert (ae.n_before, ae.n_after, ae.mean_before, ae.mean_after) == (12, 12, 11.0, 15.0)
    assert ae.moved_as_expected is True
    assert ae.review_on == date(2025, 1, 1)
    assert ae.chart is not None
    assert len(ae.chart.groups) == 2
    none = out["smoking"]
    assert (none.n_before, none.n_after, none.mean_before, none.moved_as_expected) == (
        0,
        0,
        None,
        None,
    )
