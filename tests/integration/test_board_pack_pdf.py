"""Board packs as PDF on a small synthetic world (one system, a few thousand people, the
headline indicators computed into the mart): every SPC chart is drawn on the page that names
it, the public PDF has no confidential paper, and the CLI and the portal hand out the right pack.

Page images are kept in ``test-artifacts/board-pack/`` (gitignored), as the e2e screenshots are.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from icsys.analytics import service
from icsys.cli.main import app as cli
from icsys.config import Settings
from icsys.reference.load import load_reference
from icsys.reports.board_pack import BoardPack, build_board_pack, write_board_pack
from icsys.reports.board_pack.ipr import HEADLINE
from icsys.reports.board_pack.pdf import pdf_unavailable
from icsys.reports.svg import GRID
from icsys.store import governance_models as g
from icsys.store.db import open_store
from icsys.synth.governance import build_governance
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.service import synthesise_population
from icsys.synth.world import WorldSpec, build_world, write_world_files
from icsys.web.app import create_app
from icsys.web.auth import Role, add_user
from icsys.web.config import WebConfig

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "board-pack"
SVG = "{http://www.w3.org/2000/svg}"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account
A4 = (595.28, 841.89)  # points
SCALE = 3  # page pixels per PDF point


@dataclass(frozen=True)
class World:
    settings: Settings
    engine: Engine
    body: str
    meeting: str
    day: date
    confidential: str  # title of a confidential paper of the meeting
    public_paper: str  # title of a public paper of the meeting
    person: str  # a member of the body


def _pick(engine: Engine) -> tuple[str, str, date, str, str, str]:
    """A meeting with a public part, a confidential paper and a public one, and a member."""
    m, i, p, mb = g.gov_meeting, g.gov_item, g.gov_paper, g.gov_member
    with engine.connect() as conn:
        body, meeting, day, confidential = conn.execute(
            select(m.c.body_id, m.c.id, m.c.meeting_date, p.c.title)
            .join(i, i.c.meeting_id == m.c.id)
            .join(p, p.c.item_id == i.c.id)
            .where(m.c.public_part.is_(True), p.c.classification == "confidential")
            .where(
                m.c.id.in_(
                    select(i.c.meeting_id)
                    .join(p, p.c.item_id == i.c.id)
                    .where(
                        p.c.classification == "public",
                        p.c.published_on.is_not(None),
                        i.c.part == "public",
                    )
                )
            )
            .order_by(m.c.meeting_date.desc(), m.c.id)
        ).first()
        public = conn.execute(
            select(p.c.title)
            .join(i, i.c.id == p.c.item_id)
            .where(i.c.meeting_id == meeting, p.c.classification == "public", i.c.part == "public")
        ).scalar_one()
        person = conn.execute(
            select(mb.c.person_id).where(mb.c.body_id == body, mb.c.valid_to.is_(None))
        ).scalar()
    return body, meeting, day, confidential, public, person


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, missing_service) -> Iterator[World]:
    if pdf_unavailable() is not None:
        missing_service("Pango for WeasyPrint")
    home = tmp_path_factory.mktemp("board-pack") / "icsys-data"
    settings = Settings(home=home)
    engine = open_store(settings)
    spec = WorldSpec(seed=2026, regions=1, systems_per_region=1)
    files = write_world_files(build_world(spec), home / "synthetic-reference")
    load_reference(engine, settings, files)
    build_governance(engine, settings, seed=2026)
    synthesise_population(engine, settings, PopulationSpec(persons=4_000, years=2, seed=2026))
    ids = [h.indicator_id for h in HEADLINE] + ["sii_emergency_admissions"]
    service.compute(settings, engine, months=13, quarters=4, years=2, indicators=ids)
    body, meeting, day, confidential, public, person = _pick(engine)
    yield World(settings, engine, body, meeting, day, confidential, public, person)
    engine.dispose()


@pytest.fixture(scope="module")
def public_pdf(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[BoardPack, Path]:
    pack = build_board_pack(world.settings, world.engine, world.body, world.day)
    (path,) = write_board_pack(pack, tmp_path_factory.mktemp("pdf"), formats=("pdf",))
    return pack, path


def _texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium  # noqa: PLC0415

    pdf = pdfium.PdfDocument(path)
    try:
        return [" ".join(pdf[n].get_textpage().get_text_range().split()) for n in range(len(pdf))]
    finally:
        pdf.close()


def _image(path: Path, index: int) -> np.ndarray:
    """The page as RGB pixels, without anti-aliasing of paths (so fills keep their colour)."""
    import pypdfium2 as pdfium  # noqa: PLC0415

    pdf = pdfium.PdfDocument(path)
    try:
        picture = pdf[index].render(scale=SCALE, no_smoothpath=True).to_pil().convert("RGB")
    finally:
        pdf.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    picture.save(ARTIFACTS / f"{path.stem}-page-{index + 1}.png")
    return np.asarray(picture)


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])


def _placement(
    image: np.ndarray, grid: list[tuple[float, float, float]]
) -> tuple[float, float, float]:
    """``(x0, y0, scale)`` taking chart units to page pixels, found from the chart's horizontal
    grid lines: the longest line of the grid colour gives the scale and the left edge, and the
    vertical offset is the one most lines agree on (a line may be hidden under the mean)."""
    mask = (image == _rgb(GRID)).all(axis=-1)
    counts = mask.sum(axis=1)
    columns = np.flatnonzero(mask[int(counts.argmax())])
    left, right, _ = grid[0]
    scale = (columns.max() + 1 - columns.min()) / (right - left)
    x0 = columns.min() - left * scale
    rows = np.flatnonzero(counts >= 0.3 * counts.max())
    found = [line.mean() for line in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)]
    offsets = np.array([y - scale * tick for y in found for _, _, tick in grid])
    votes = [int((abs(offsets - o) < 2).sum()) for o in offsets]
    assert max(votes) >= len(grid) - 1, "the chart's grid lines are not on the page"
    y0 = float(np.median(offsets[abs(offsets - offsets[int(np.argmax(votes))]) < 2]))
    return x0, y0, scale


def _points_drawn(image: np.ndarray, svg: str, at: tuple[float, float, float]) -> list[bool]:
    """For each SPC point of ``svg``: is its fill colour at its place on the page image?"""
    x0, y0, scale = at
    drawn = []
    for c in ET.fromstring(svg).iter(f"{SVG}circle"):  # noqa: S314 - our own chart
        if c.get("class") != "spc-point":
            continue
        x = round(x0 + float(c.get("cx", 0)) * scale)
        y = round(y0 + float(c.get("cy", 0)) * scale)
        patch = image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
        drawn.append(int((patch == _rgb(c.get("fill", ""))).all(axis=-1).sum()) >= 5)
    return drawn


def _grid(svg: str) -> list[tuple[float, float, float]]:
    return [
        (float(line.get("x1", 0)), float(line.get("x2", 0)), float(line.get("y1", 0)))
        for line in ET.fromstring(svg).iter(f"{SVG}line")  # noqa: S314 - our own chart
        if line.get("stroke") == GRID
    ]


def test_the_pdf_is_a4_with_page_numbers_and_running_headers(public_pdf):
    import pypdfium2 as pdfium  # noqa: PLC0415

    pack, path = public_pdf
    pdf = pdfium.PdfDocument(path)
    try:
        sizes = [pdf[n].get_size() for n in range(len(pdf))]
    finally:
        pdf.close()
    assert all(
        w == pytest.approx(A4[0], abs=1) and h == pytest.approx(A4[1], abs=1) for w, h in sizes
    )
    texts = _texts(path)
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text
        assert "Public pack" in text
    assert all(pack.cover.body_name in text for text in texts[1:])  # the running header


def test_every_spc_chart_is_drawn_on_the_page_that_names_it(public_pdf):
    pack, path = public_pdf
    charted = [e for e in pack.ipr.entries if e.chart_svg]
    assert len(charted) >= 5, [e.indicator_id for e in pack.ipr.entries]
    texts = _texts(path)
    agenda_page = next(n for n, t in enumerate(texts) if t.startswith("Agenda and papers"))
    agenda = _image(path, agenda_page)
    for entry in charted:
        assert entry.chart_svg is not None
        page = next(n for n, t in enumerate(texts) if entry.title in t)
        assert f"Latest ({entry.latest.label if entry.latest else ''})" in texts[page]
        image = _image(path, page)
        at = _placement(image, _grid(entry.chart_svg))
        drawn = _points_drawn(image, entry.chart_svg, at)
        assert drawn, entry.indicator_id
        assert all(drawn), (entry.indicator_id, drawn)
        assert not any(_points_drawn(agenda, entry.chart_svg, at))  # the control: no chart there


def test_the_public_pdf_has_no_confidential_paper_and_the_members_pdf_has_it(
    world, public_pdf, tmp_path
):
    _, path = public_pdf
    public = " ".join(_texts(path))
    assert world.public_paper in public
    assert world.confidential not in public
    members = build_board_pack(
        world.settings, world.engine, world.body, world.day, audience="members"
    )
    (members_path,) = write_board_pack(members, tmp_path, formats=("pdf",))
    text = " ".join(_texts(members_path))
    assert world.confidential in text
    assert "Members' pack: confidential" in text


def test_the_cli_writes_html_and_pdf(world, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["report", "board-pack", "--body", world.body, "--meeting", world.day.isoformat(),
         "--out", str(tmp_path)],
        env={"ICSYS_HOME": str(world.settings.home)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stem = f"board-pack-{world.body}-{world.day.isoformat()}-public"
    assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
    assert world.public_paper in (tmp_path / f"{stem}.html").read_text(encoding="utf-8")


def _sign_in(client: TestClient, username: str) -> None:
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_the_portal_serves_the_public_pack_and_the_members_pack_only_to_members(world):
    add_user(world.engine, "bp-member", PASSWORD, Role.MEMBER, person_id=world.person)
    portal = create_app(world.settings, WebConfig(secret_key=b"k" * 48), engine=world.engine)
    url = f"/governance/meetings/{world.meeting}/board-pack.pdf"
    with TestClient(portal, base_url="https://testserver") as anonymous:
        page = anonymous.get(f"/governance/meetings/{world.meeting}")
        assert f'href="{url}"' in page.text
        assert "audience=members" not in page.text
        response = anonymous.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert anonymous.get(url, params={"audience": "members"}).status_code == 403
    cached = list((world.settings.home / "cache" / "board-packs").glob("*.pdf"))
    assert len(cached) == 1
    with TestClient(portal, base_url="https://testserver") as member:
        _sign_in(member, "bp-member")
        assert "audience=members" in member.get(f"/governance/meetings/{world.meeting}").text
        response = member.get(url, params={"audience": "members"})
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
