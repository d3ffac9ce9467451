"""Pages of the assessment pillar: a system's maturity assessment (every criterion explained,
its oversight segment and the history of its assessments) and its peer group."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from icsys.assessment.frameworks.model import Stage
from icsys.assessment.peers import FEATURES
from icsys.assessment.words import is_share
from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.charts import Chart, bar_chart
from icsys.web.routes.api_assessment import AssessedOn, FrameworkQ, PeersN, assessments
from icsys.web.routes.api_structure import Code
from icsys.web.services import assessment as svc
from icsys.web.services.structure import Register
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])

STAGES = [s.label for s in Stage]
OUTCOMES = {
    "met": ("Met", "green"),
    "not_met": ("Not met", "red"),
    "no_data": ("No data", "grey"),
    "no_evidence": ("No evidence", "grey"),
    "pending": ("Awaiting review", "yellow"),
}
STAGE_COLOURS = {
    "emerging": "orange",
    "developing": "yellow",
    "maturing": "blue",
    "thriving": "green",
}
PERCENT_FEATURES = {"share_65_plus", "core20_share", "rural_share"}


def _describe_domains(data: Sequence[tuple[str, float | None]]) -> str:
    known = [(k, v) for k, v in data if v is not None]
    if not known:
        return "No domain has data."
    best = max(known, key=lambda x: x[1])
    worst = min(known, key=lambda x: x[1])
    return (
        f"{len(data)} domains. Highest share met: {best[0]}, {best[1]:g}%. "
        f"Lowest: {worst[0]}, {worst[1]:g}%. The table below has every value."
    )


def domain_chart(found: s.SystemAssessment) -> Chart:
    return bar_chart(
        "domains",
        "Share of each domain's criteria met (weighted)",
        [(d.title, None if d.score is None else round(100 * d.score, 1)) for d in found.domains],
        unit="%",
        label_header="Domain",
        value_header="Criteria met",
        describe=_describe_domains,
    )


def history_chart(history: Sequence[s.AssessmentSummary]) -> Chart:
    points = list(reversed(history))  # oldest first
    return bar_chart(
        "history",
        "Overall stage at each recorded assessment (1 emerging, 2 developing, 3 maturing, "
        "4 thriving)",
        [
            (
                f"{h.as_of.isoformat()} ({h.framework} v{h.version}, run {h.run_id})",
                None if h.overall is None else float(Stage.parse(h.overall)),
            )
            for h in points
        ],
        label_header="Assessment",
        value_header="Overall stage",
        describe=lambda d: (
            f"{len(d)} recorded assessments, oldest first. "
            + "; ".join(
                f"{label}: {STAGES[int(v) - 1] if v is not None else 'no stage'}" for label, v in d
            )
            + "."
        ),
    )


@router.get("/systems/{system}/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    data: Annotated[svc.AssessmentData, Depends(assessments)],
    register: Annotated[Register, Depends(deps.register)],
    system: Code,
    as_of: AssessedOn = None,
    framework: FrameworkQ = None,
) -> HTMLResponse:
    found = svc.system_assessment(data, register, system, as_of=as_of, framework=framework)
    history = svc.list_assessments(
        data.engine, register, found.as_of, system=found.system_code, framework=framework
    )
    charts = [domain_chart(found)]
    if history:
        charts.append(history_chart(history))
    return render(
        request,
        "assessment.jinja",
        {
            "a": found,
            "history": history,
            "charts": charts,
            "outcomes": OUTCOMES,
            "stage_colours": STAGE_COLOURS,
            "is_share": is_share,
            "as_of": found.as_of,
        },
    )


def _feature(feature: str, value: float | None) -> str:
    if value is None:
        return "–"
    if feature in PERCENT_FEATURES:
        return f"{100 * value:.1f}%"
    if feature == "imd_score":
        return f"{value:.1f}"
    return f"{round(value):,}"


@router.get("/systems/{system}/peers", response_class=HTMLResponse)
def peers_page(
    request: Request,
    data: Annotated[svc.AssessmentData, Depends(assessments)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    n: PeersN = 5,
) -> HTMLResponse:
    group = svc.peer_group(data, register, system, day, n)
    chart = bar_chart(
        "distances",
        f"Distance of each peer from {group.system_name or group.system_code} "
        "(0 = identical on every feature)",
        [(p.name or p.code, p.distance) for p in group.peers],
        label_header="Peer",
        value_header="Distance",
    )
    return render(
        request,
        "peers.jinja",
        {
            "g": group,
            "distance_chart": chart,
            "titles": FEATURES,
            "show": _feature,
            "as_of": day,
        },
    )
