"""Board-pack content: agenda order, what the public pack leaves out, the decisions log, the
performance report from the public view only, and the errors a user can fix."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from icsys.analytics import mart
from icsys.cli.main import app, main
from icsys.config import Settings
from icsys.errors import NotFoundError, UserError
from icsys.governance import records
from icsys.governance.papers import PaperMeta, store_paper
from icsys.reports.board_pack import build_board_pack, write_board_pack
from icsys.reports.board_pack.render import render_html
from icsys.store.db import open_store

SYSTEM = "E54000099"
DAY = date(2024, 5, 10)
ACTOR = "test"


def _save(engine, kind_name, /, **values):
    with engine.begin() as conn:
        records.save(conn, kind_name, values, actor=ACTOR)


def _paper(engine, settings, key, item, classification, published):
    meta = PaperMeta(key, f"Paper {key}", classification, published, "ICB", item, None)
    with engine.begin() as conn:
        store_paper(
            conn, settings, meta, filename=f"{key}.md", content=f"# {key}\n".encode(), actor=ACTOR
        )


def _meeting(engine, key, day, *, public=True, private=True):
    _save(
        engine,
        "meetings",
        id=key,
        body_id="B1",
        meeting_date=day,
        status="held",
        public_part=public,
        private_part=private,
        notice_on=day - timedelta(days=10),
    )


def _item(engine, key, meeting, seq, part, title):
    _save(
        engine,
        "items",
        id=key,
        meeting_id=meeting,
        seq=seq,
        title=title,
        presenting_org="The ICB",
        presenting_sector="nhs_commissioner",
        part=part,
        purpose="decision",
    )


def _decision(engine, key, item, outcome, resolution):
    _save(engine, "decisions", id=key, item_id=item, resolution=resolution, outcome=outcome)


@pytest.fixture
def world(settings: Settings):
    """One body; a meeting with items saved out of order, papers of every kind, decisions in
    public and in private, an earlier meeting and one more than a year before."""
    engine = open_store(settings)
    _save(
        engine,
        "bodies",
        id="B1",
        system_code=SYSTEM,
        name="Test ICB board",
        kind="icb_board",
        meets_in_public=True,
        valid_from=date(2020, 1, 1),
    )
    _meeting(engine, "M-OLD", date(2023, 3, 1))
    _meeting(engine, "M0", date(2023, 11, 1))
    _meeting(engine, "M1", DAY)
    _item(engine, "I-OLD", "M-OLD", 1, "public", "Old business")
    _item(engine, "I0", "M0", 1, "public", "Winter plan")
    _item(engine, "I3", "M1", 3, "private", "Contract award")
    _item(engine, "I1", "M1", 1, "public", "Welcome and apologies")
    _item(engine, "I2", "M1", 2, "public", "Financial position")
    _paper(engine, settings, "PUB", "I2", "public", DAY - timedelta(days=7))
    _paper(engine, settings, "CONF", "I2", "confidential", DAY - timedelta(days=7))
    _paper(engine, settings, "UNPUB", "I2", "public", None)
    _paper(engine, settings, "PRIV", "I3", "public", DAY - timedelta(days=7))
    _decision(engine, "D-OLD", "I-OLD", "approved", "Old resolution.")
    _decision(engine, "D0", "I0", "approved", "Winter plan approved.")
    _decision(engine, "D2", "I2", "noted", "Financial position noted.")
    _decision(engine, "D3", "I3", "rejected", "Contract award rejected.")
    _save(
        engine,
        "decision_indicators",
        decision_id="D0",
        indicator_id="ae_4hr_performance",
        area_code=None,
        expected_direction="increase",
        review_on=date(2024, 11, 1),
    )
    _save(
        engine,
        "actions",
        id="D0-A1",
        decision_id="D0",
        description="Report on winter",
        owner="Director of operations",
        due_on=date(2024, 3, 1),
        status="done",
        progress=None,
    )
    yield settings, engine
    engine.dispose()


# --- a small mart: A&E 4-hour performance for the system -----------------------------------
MONTHS = [date(2024, m, 1) for m in range(4, 13)] + [date(2025, m, 1) for m in range(1, 4)]
MONTHLY = [71.0, 72.5, 70.8, 73.1, 72.0, 71.7, 74.2, 73.9, 72.8, 75.1, 74.6, 76.3]
ANALYST_Q1 = 64.25  # the analyst's unsuppressed value of quintile 1; the public view hides it


def _row(period_type, start, end, period, breakdown, value, disclosure):
    return {
        "indicator_id": "ae_4hr_performance",
        "level": "system",
        "area_code": SYSTEM,
        "parent_code": "E40000099",
        "period_type": period_type,
        "period": period,
        "period_start": start,
        "period_end": end,
        "breakdown": breakdown[0],
        "breakdown_value": breakdown[1],
        "category": "",
        "value": value,
        "numerator": None,
        "denominator": None,
        "lower": None if value is None else value - 1.0,
        "upper": None if value is None else value + 1.0,
        "method": "proportion",
        "spc_point_type": None,
        "disclosure": disclosure,
    }


def _frames():
    rows = [
        _row("month", s, s + timedelta(days=27), f"{s:%Y-%m}", ("all", "all"), v, "rounded")
        for s, v in zip(MONTHS, MONTHLY, strict=True)
    ]
    fy = ("financial_year", date(2024, 4, 1), date(2025, 3, 31), "2024-25")
    quintiles = {"1": None, "2": 70.1, "3": 73.4, "4": 75.0, "5": 77.9}
    rows += [
        _row(*fy, ("imd_quintile", q), v, "suppressed" if v is None else "rounded")
        for q, v in quintiles.items()
    ]
    rows += [
        _row(*fy, ("all", "all"), 73.0, "rounded"),
        _row(*fy, ("core20", "Core20"), 69.4, "rounded"),
        _row(*fy, ("core20", "Other"), 74.8, "rounded"),
    ]
    public = pd.DataFrame(rows)
    analyst = public.copy()
    analyst.loc[analyst["breakdown_value"] == "1", "value"] = ANALYST_Q1
    return analyst.drop(columns="disclosure"), public


@pytest.fixture
def with_mart(world):
    settings, engine = world
    analyst, public = _frames()
    mart.write_mart(
        settings,
        analyst,
        public,
        {"definitions_version": "test", "period_end": "2025-03-31", "as_of": "2025-03-31"},
    )
    return settings, engine


# --- agenda ---------------------------------------------------------------------------------
def test_the_agenda_is_in_order_and_the_public_pack_leaves_out_private_items(world):
    settings, engine = world
    public = build_board_pack(settings, engine, "B1", DAY)
    assert [i.seq for i in public.agenda.items] == [1, 2]
    assert public.agenda.withheld == 1
    members = build_board_pack(settings, engine, "B1", DAY, audience="members")
    assert [i.title for i in members.agenda.items] == [
        "Welcome and apologies",
        "Financial position",
        "Contract award",
    ]
    assert members.agenda.withheld == 0


def test_the_public_pack_has_no_confidential_unpublished_or_private_part_papers(world, tmp_path):
    settings, engine = world
    pack = build_board_pack(settings, engine, "B1", DAY)
    papers = [p.id for item in pack.agenda.items for p in item.papers]
    assert papers == ["PUB"]
    html = render_html(pack)
    assert "Paper PUB" in html
    for hidden in ("Paper CONF", "Paper UNPUB", "Paper PRIV", "Contract award"):
        assert hidden not in html
    members = build_board_pack(settings, engine, "B1", DAY, audience="members")
    assert sorted(p.id for item in members.agenda.items for p in item.papers) == [
        "CONF",
        "PRIV",
        "PUB",
        "UNPUB",
    ]
    assert "Members' pack: confidential" in render_html(members)


def test_papers_published_after_the_pack_date_are_not_in_it(world):
    settings, engine = world
    early = build_board_pack(settings, engine, "B1", DAY, as_of=DAY - timedelta(days=8))
    assert [p for item in early.agenda.items for p in item.papers] == []


# --- decisions log --------------------------------------------------------------------------
def test_the_decisions_log_covers_the_year_to_the_meeting_with_links_and_actions(world):
    settings, engine = world
    log = build_board_pack(settings, engine, "B1", DAY).decisions
    assert [d.id for d in log.entries] == ["D0", "D2"]  # D3 was private, D-OLD too old
    winter = log.entries[0]
    assert (winter.outcome, winter.meeting_date) == ("approved", date(2023, 11, 1))
    assert [i.indicator_id for i in winter.indicators] == ["ae_4hr_performance"]
    assert winter.indicators[0].title.startswith("A&E: seen within 4 hours")
    assert winter.indicators[0].area_code == SYSTEM  # a link without an area: the system's
    assert winter.indicators[0].latest is None  # no mart yet
    assert [a.status for a in winter.actions] == ["done"]
    members = build_board_pack(settings, engine, "B1", DAY, audience="members").decisions
    assert [d.id for d in members.entries] == ["D0", "D2", "D3"]


# --- performance report -------------------------------------------------------------------
def test_without_a_mart_the_pack_says_how_to_add_the_report(world):
    settings, engine = world
    ipr = build_board_pack(settings, engine, "B1", DAY).ipr
    assert ipr.entries == ()
    assert "icsys indicators compute" in ipr.note
    assert "icsys indicators compute" in render_html(build_board_pack(settings, engine, "B1", DAY))


def test_the_report_charts_the_public_series_and_keeps_suppressed_cells_hidden(with_mart):
    settings, engine = with_mart
    pack = build_board_pack(settings, engine, "B1", DAY)
    (entry,) = pack.ipr.entries  # only A&E is in this mart
    assert entry.indicator_id == "ae_4hr_performance"
    assert entry.points == len(MONTHLY)
    assert entry.latest is not None
    assert (entry.latest.label, entry.latest.value) == ("2025-03", MONTHLY[-1])
    assert entry.chart_svg is not None
    assert "<svg" in entry.chart_svg
    assert entry.variation_icon is not None
    assert entry.assurance_icon is not None  # A&E has a target
    q = entry.inequality
    assert q is not None
    assert q.period == "2024-25"
    assert q.total is not None
    assert q.total.value == 73.0  # the year's total beside its quintiles, not the last month
    assert [r.label.split()[1] for r in q.quintiles] == ["1", "2", "3", "4", "5"]
    assert q.quintiles[0].suppressed
    assert q.quintiles[0].value is None
    assert [r.value for r in q.core20] == [69.4, 74.8]
    html = " ".join(render_html(pack).split())
    assert '<td>IMD 1 (most deprived)</td><td class="num">suppressed</td>' in html
    linked = pack.decisions.entries[0].indicators[0]
    assert linked.latest is not None
    assert linked.latest.value == MONTHLY[-1]


def test_a_place_body_gets_its_system_figures_where_the_place_has_none(with_mart):
    settings, engine = with_mart
    with engine.begin() as conn:
        records.update_fields(
            conn, "bodies", {"id": "B1"}, {"place_code": "E06000099"}, actor=ACTOR
        )
    pack = build_board_pack(settings, engine, "B1", DAY)
    assert (pack.ipr.area_level, pack.ipr.area_code) == ("place", "E06000099")
    (entry,) = pack.ipr.entries
    assert (entry.area.level, entry.area.code) == ("system", SYSTEM)
    assert "the indicator is not published for E06000099" in " ".join(render_html(pack).split())


# --- errors ---------------------------------------------------------------------------------
def test_an_unknown_body_is_a_not_found_error_with_a_suggestion(world):
    settings, engine = world
    with pytest.raises(NotFoundError, match=r"no governance body 'B2'; did you mean B1"):
        build_board_pack(settings, engine, "B2", DAY)


def test_a_date_without_a_meeting_lists_the_bodys_meeting_dates(world):
    settings, engine = world
    with pytest.raises(NotFoundError) as caught:
        build_board_pack(settings, engine, "B1", date(2024, 5, 11))
    assert "has no meeting on 2024-05-11" in str(caught.value)
    assert "2023-03-01, 2023-11-01, 2024-05-10" in str(caught.value)


def test_an_unknown_audience_is_refused(world):
    settings, engine = world
    with pytest.raises(UserError, match="unknown audience"):
        build_board_pack(settings, engine, "B1", DAY, audience="press")  # type: ignore[arg-type]


# --- files and the CLI --------------------------------------------------------------------
def test_write_board_pack_writes_the_html_named_after_the_meeting(world, tmp_path):
    settings, engine = world
    pack = build_board_pack(settings, engine, "B1", DAY)
    (path,) = write_board_pack(pack, tmp_path / "out", formats=("html",))
    assert path.name == "board-pack-B1-2024-05-10-public.html"
    assert "Test ICB board" in path.read_text(encoding="utf-8")


def test_cli_writes_the_html_pack(world, tmp_path: Path):
    settings, _ = world
    out = tmp_path / "packs"
    result = CliRunner().invoke(
        app,
        ["report", "board-pack", "--body", "B1", "--meeting", "2024-05-10", "--out", str(out),
         "--format", "html"],
        env={"ICSYS_HOME": str(settings.home)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = out / "board-pack-B1-2024-05-10-public.html"
    assert str(written.name) in result.output.replace("\n", "")
    assert "Financial position" in written.read_text(encoding="utf-8")


def test_cli_reports_a_missing_meeting_with_the_not_found_exit_code(world, tmp_path, capsys):
    settings, _ = world
    code = main(
        ["report", "board-pack", "--body", "B1", "--meeting", "2024-01-01", "--out",
         str(tmp_path), "--format", "html"],
        environ={"ICSYS_HOME": str(settings.home)},
    )  # fmt: skip
    assert code == NotFoundError.exit_code
    assert "has no meeting on 2024-01-01" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.html"))
