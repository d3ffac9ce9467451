"""Synthetic governance records for every system in the store, deterministic from a seed.

Each system draws its own character (how often bodies meet in public, how early papers go out,
how far non-NHS partners lead, how much is delegated, how often leaders change), so the measures
differ between systems as they do in England. Organisations come from the structure register:
the ICB, its places (local authorities), PCNs and trusts. Two financial years of meetings
(2023/24 and 2024/25) with agendas, papers (small Markdown documents), decisions with votes,
dissent, contributions and indicator links, delegations with budgets, and a leadership register
from July 2022 with interims and vacancies. Everything goes through the audited governance
service (actor ``synthetic``); a system that already has bodies is left as it is.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.governance import records
from icsys.governance.papers import PaperMeta, store_new_papers
from icsys.governance.schema import ORDER
from icsys.governance.vocab import Background, BodyKind, Classification
from icsys.reference.register import Snapshot
from icsys.store import governance_models as g

ACTOR = "synthetic"
START, END = date(2023, 4, 1), date(2025, 3, 31)
POSTS_FROM = date(2022, 7, 1)
INDICATORS = (
    ("ae_4hr_performance", "increase"),
    ("emergency_admissions_rate", "decrease"),
    ("smoking_prevalence", "decrease"),
    ("hypertension_treated_to_target", "increase"),
    ("rtt_52_week_waits", "decrease"),
    ("cancer_early_diagnosis", "increase"),
)
TOPICS = (
    "Winter plan",
    "Joint forward plan refresh",
    "Financial position",
    "Health inequalities",
    "Urgent and emergency care recovery",
    "Mental health investment",
    "Primary care access",
    "Children and young people",
    "Workforce plan",
    "Population health management",
    "Community services review",
    "Discharge to assess",
    "Cancer programme",
    "Quality report",
)
NON_NHS = ("local_government", "vcse", "social_care", "healthwatch")


@dataclass(frozen=True)
class Character:
    """What makes one system's governance unlike another's."""

    public: float  # chance a non-board meeting has a public part
    on_time: float  # chance a public paper goes out 5+ working days ahead
    partner_lead: float  # chance an agenda item is led by a non-NHS sector
    attendance: float  # base attendance rate
    dissent: float
    to_place: float  # share of the allocation delegated to places
    to_collaborative: float
    churn: float  # yearly chance a leader leaves
    interim: float  # chance a successor is interim


def _character(rng: random.Random) -> Character:
    return Character(
        public=rng.uniform(0.35, 1.0),
        on_time=rng.uniform(0.45, 0.98),
        partner_lead=rng.uniform(0.05, 0.45),
        attendance=rng.uniform(0.65, 0.95),
        dissent=rng.uniform(0.0, 0.12),
        to_place=rng.choice([0.0, rng.uniform(0.02, 0.08), rng.uniform(0.08, 0.25)]),
        to_collaborative=rng.choice([0.0, rng.uniform(0.01, 0.12)]),
        churn=rng.uniform(0.08, 0.45),
        interim=rng.uniform(0.1, 0.6),
    )


@dataclass
class _Out:
    rows: dict[str, list[dict[str, Any]]]
    papers: list[tuple[PaperMeta, bytes]]


def build_governance(
    engine: Engine,
    settings: Settings,
    *,
    seed: int = 2026,
    as_of: date = date(2025, 1, 1),
    progress: Callable[[str], None] = lambda _m: None,
) -> int:
    """Add records for every system without any; returns how many systems were added."""
    snap = Snapshot(engine, as_of)
    with engine.connect() as conn:
        done = {s for (s,) in conn.execute(select(g.gov_body.c.system_code).distinct())}
    places = defaultdict(list)
    for row in snap.places():
        places[row.system_code].append(row)
    pcns = defaultdict(list)
    for row in snap.rows(Level.PCN):
        pcns[row.system_code].append(row.code)
    trusts = defaultdict(list)
    for row in snap.rows(Level.TRUST):
        trusts[row.system_code].append(row.code)
    added = 0
    for system in snap.rows(Level.SYSTEM):
        if system.code in done:
            continue
        progress(f"writing governance records for {system.name or system.code}")
        rng = random.Random(f"{seed}:{system.code}")  # noqa: S311 - synthetic data, not security
        builder = _System(
            rng, system.code, system.ods_code or system.code, system.name or system.code
        )
        out = builder.build(
            [(p.code, p.name or p.code) for p in places[system.code]],
            sorted(pcns[system.code]),
            sorted(trusts[system.code]),
        )
        with engine.begin() as conn:
            _write(conn, settings, out)
        added += 1
    return added


def _write(conn: Connection, settings: Settings, out: _Out) -> None:
    for kind in ORDER:
        rows = out.rows.get(kind, [])
        if kind == "people":
            rows = list({r["id"]: r for r in rows}.values())
        records.insert_new(conn, kind, rows, actor=ACTOR)
    papers = [(meta, f"{meta.id}.md", content) for meta, content in out.papers]
    store_new_papers(conn, settings, papers, actor=ACTOR)


class _System:
    def __init__(self, rng: random.Random, code: str, ods: str, name: str) -> None:
        self.rng, self.code, self.ods, self.name = rng, code, ods, name
        self.c = _character(rng)
        self.out = _Out(defaultdict(list), [])
        self.people = 0

    def add(self, kind_name: str, /, **values: Any) -> dict[str, Any]:
        self.out.rows[kind_name].append(values)
        return values

    def person(self) -> str:
        self.people += 1
        key = f"{self.ods}-P{self.people:04d}"
        self.add("people", id=key, name=f"Person {self.people} of {self.ods}")
        return key

    def build(self, places: list[tuple[str, str]], pcns: list[str], trusts: list[str]) -> _Out:
        board = self.body("BOARD", BodyKind.ICB_BOARD, f"{self.name} board", 6, public=True)
        self.body("ICP", BodyKind.ICP, f"{self.name} integrated care partnership", 4)
        for short in ("QUALITY", "FINANCE"):
            self.body(short, BodyKind.ICB_COMMITTEE, f"{short.title()} committee", 6, parent=board)
        for n, (place, place_name) in enumerate(places, start=1):
            self.body(
                f"PLACE{n}",
                BodyKind.PLACE_BOARD,
                f"{place_name} place partnership board",
                4,
                parent=board,
                place=place,
            )
        self.body("PC", BodyKind.PROVIDER_COLLABORATIVE_BOARD, "Acute provider collaborative", 4)
        self.body("JC", BodyKind.JOINT_COMMITTEE, "Specialised services joint committee", 4)
        if places:
            self.body(
                "HWB1",
                BodyKind.HEALTH_AND_WELLBEING_BOARD,
                f"{places[0][1]} health and wellbeing board",
                4,
                place=places[0][0],
            )
        self.delegations(board, places, trusts)
        self.leadership(places, pcns)
        return self.out

    # --- bodies, members, meetings --------------------------------------------------------
    def body(
        self,
        short: str,
        kind: BodyKind,
        name: str,
        per_year: int,
        *,
        public: bool = False,
        parent: str | None = None,
        place: str | None = None,
    ) -> str:
        key = f"{self.ods}-{short}"
        in_public = (
            public
            or kind in {BodyKind.ICP, BodyKind.HEALTH_AND_WELLBEING_BOARD}
            or (self.rng.random() < self.c.public)
        )
        self.add(
            "bodies",
            id=key,
            system_code=self.code,
            name=name,
            kind=kind.value,
            parent_id=parent,
            place_code=place,
            meets_in_public=in_public,
            terms_of_reference=None,
            valid_from=POSTS_FROM,
            valid_to=None,
        )
        members = self.members(key, kind)
        month = 4
        day = START
        while day <= END:
            self.meeting(key, day + timedelta(days=self.rng.randint(5, 20)), in_public, members)
            month += 12 // per_year
            day = date(START.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        return key

    def members(self, body: str, kind: BodyKind) -> list[tuple[str, str, bool]]:
        mix = {
            BodyKind.ICB_BOARD: ["nhs_commissioner"] * 5
            + ["nhs_provider"] * 2
            + ["primary_care", "local_government", "mental_health"],
            BodyKind.ICP: ["local_government"] * 3
            + ["vcse"] * 2
            + [
                "healthwatch",
                "social_care",
                "nhs_commissioner",
                "nhs_commissioner",
                "nhs_provider",
            ],
            BodyKind.PLACE_BOARD: ["local_government"] * 2
            + ["primary_care"] * 2
            + ["nhs_commissioner", "vcse", "social_care", "nhs_provider", "healthwatch"],
            BodyKind.HEALTH_AND_WELLBEING_BOARD: ["local_government"] * 4
            + ["nhs_commissioner", "healthwatch", "vcse", "social_care"],
        }.get(kind, ["nhs_commissioner"] * 4 + ["nhs_provider"] * 2 + ["local_government"])
        found = []
        for n, sector in enumerate(mix):
            person = self.person()
            role = "chair" if n == 0 else "vice_chair" if n == 1 else "member"
            voting = kind is not BodyKind.ICP or sector != "healthwatch"
            if n == len(mix) - 1 and self.rng.random() < 0.5:  # moves sector half-way
                switch = date(2024, 4, 1)
                self.add(
                    "members",
                    id=f"{body}-M{n}a",
                    body_id=body,
                    person_id=person,
                    org_code=None,
                    org_name=None,
                    sector="vcse",
                    role=role,
                    voting=voting,
                    valid_from=POSTS_FROM,
                    valid_to=switch - timedelta(days=1),
                )
                self.add(
                    "members",
                    id=f"{body}-M{n}",
                    body_id=body,
                    person_id=person,
                    org_code=None,
                    org_name=None,
                    sector=sector,
                    role=role,
                    voting=voting,
                    valid_from=switch,
                    valid_to=None,
                )
            else:
                self.add(
                    "members",
                    id=f"{body}-M{n}",
                    body_id=body,
                    person_id=person,
                    org_code=None,
                    org_name=None,
                    sector=sector,
                    role=role,
                    voting=voting,
                    valid_from=POSTS_FROM,
                    valid_to=None,
                )
            found.append((person, sector, voting))
        observer = self.person()
        self.add(
            "members",
            id=f"{body}-OBS",
            body_id=body,
            person_id=observer,
            org_code=None,
            org_name="NHS England",
            sector="nhs_commissioner",
            role="observer",
            voting=False,
            valid_from=POSTS_FROM,
            valid_to=None,
        )
        return found

    def meeting(
        self, body: str, day: date, in_public: bool, members: list[tuple[str, str, bool]]
    ) -> None:
        rng, c = self.rng, self.c
        while day.weekday() >= 5:
            day += timedelta(days=1)
        key = f"{body}-{day.isoformat()}"
        status = "cancelled" if rng.random() < 0.05 else "held"
        has_private = rng.random() < 0.6
        public = in_public or not has_private
        self.add(
            "meetings",
            id=key,
            body_id=body,
            meeting_date=day,
            status=status,
            public_part=public,
            private_part=has_private,
            notice_on=day - timedelta(days=rng.randint(3, 21)),
        )
        if status == "held":
            for person, sector, _ in members:
                rate = c.attendance - (0.15 if sector in NON_NHS else 0.0)
                roll = rng.random()
                state = (
                    "present"
                    if roll < rate
                    else "deputy"
                    if roll < rate + 0.05
                    else rng.choice(["apologies", "absent"])
                )
                self.add(
                    "attendance",
                    meeting_id=key,
                    person_id=person,
                    status=state,
                    deputy_name="Deputy" if state == "deputy" else None,
                )
        for seq in range(1, rng.randint(3, 6) + 1):
            part = "public" if public and (not has_private or rng.random() < 0.75) else "private"
            self.item(key, seq, day, part, status, members)

    def item(
        self,
        meeting: str,
        seq: int,
        day: date,
        part: str,
        status: str,
        members: list[tuple[str, str, bool]],
    ) -> None:
        rng, c = self.rng, self.c
        key = f"{meeting}-{seq}"
        led = rng.random() < c.partner_lead
        sector = (
            rng.choice(NON_NHS)
            if led
            else rng.choice(["nhs_commissioner", "nhs_provider", "primary_care", "mental_health"])
        )
        purpose = rng.choice(["decision", "decision", "discussion", "information"])
        self.add(
            "items",
            id=key,
            meeting_id=meeting,
            seq=seq,
            title=rng.choice(TOPICS),
            presenting_org=None,
            presenting_sector=sector,
            part=part,
            purpose=purpose,
        )
        if rng.random() < c.partner_lead:
            partner = rng.choice(NON_NHS)
            if partner != sector:
                self.add(
                    "item_contributions",
                    item_id=key,
                    sector=partner,
                    kind=rng.choice(["co_produced", "consulted", "consulted"]),
                )
        if rng.random() < 0.6:
            confidential = part == "private" or rng.random() < 0.05
            lead = rng.randint(5, 12) if rng.random() < c.on_time else rng.randint(0, 4)
            published = None if confidential and rng.random() < 0.5 else day - timedelta(days=lead)
            meta = PaperMeta(
                f"{key}-P",
                f"Paper: {key}",
                Classification.CONFIDENTIAL if confidential else Classification.PUBLIC,
                published,
                self.name,
                key,
                None,
            )
            self.out.papers.append(
                (meta, f"# {key}\n\nSynthetic board paper for {self.name}.\n".encode())
            )
        if purpose == "decision" and status == "held":
            self.decision(key, day, members)

    def decision(self, item: str, day: date, members: list[tuple[str, str, bool]]) -> None:
        rng, c = self.rng, self.c
        key = f"{item}-D"
        outcome = rng.choices(["approved", "rejected", "deferred", "noted"], [80, 4, 8, 8])[0]
        self.add(
            "decisions",
            id=key,
            item_id=item,
            resolution="The board resolved as set out in the paper.",
            outcome=outcome,
        )
        if rng.random() < c.partner_lead:
            self.add(
                "decision_contributions",
                decision_id=key,
                sector=rng.choice(NON_NHS),
                kind="co_produced",
            )
        if rng.random() < 0.3:
            for person, _, voting in members:
                if voting:
                    vote = "against" if rng.random() < c.dissent else "for"
                    self.add("votes", decision_id=key, person_id=person, vote=vote)
        if rng.random() < c.dissent:
            person = rng.choice(members)[0]
            self.add(
                "dissents",
                decision_id=key,
                person_id=person,
                reason="Concerned about the impact on services.",
            )
        if rng.random() < 0.3:
            indicator, direction = rng.choice(INDICATORS)
            self.add(
                "decision_indicators",
                decision_id=key,
                indicator_id=indicator,
                area_code=None,
                expected_direction=direction,
                review_on=day + timedelta(days=365),
            )
            self.add(
                "actions",
                id=f"{key}-A1",
                decision_id=key,
                description="Report progress to the board",
                owner="Director of strategy",
                due_on=day + timedelta(days=120),
                status=rng.choice(["open", "in_progress", "done"]),
                progress=None,
            )

    # --- delegation and leadership ---------------------------------------------------------
    def delegations(self, board: str, places: list[tuple[str, str]], trusts: list[str]) -> None:
        rng, c = self.rng, self.c
        for year in (2023, 2024):
            allocation = rng.randint(900, 2600) * 1_000_000
            self.add(
                "allocations", system_code=self.code, financial_year=year, amount_gbp=allocation
            )
            if c.to_place and places:
                for n, _ in enumerate(places, start=1):
                    key = f"{self.ods}-DEL-PLACE{n}"
                    if year == 2023:
                        self.add(
                            "delegations",
                            id=key,
                            system_code=self.code,
                            from_kind="body",
                            from_code=board,
                            to_kind="body",
                            to_code=f"{self.ods}-PLACE{n}",
                            recipient_type="place",
                            functions="Community services; primary care commissioning; BCF",
                            scheme_ref="SoD 4.2",
                            valid_from=date(2023, 4, 1),
                            valid_to=None,
                        )
                    share = c.to_place * (1.2 if year == 2024 else 1.0) / len(places)
                    self.add(
                        "delegation_budgets",
                        delegation_id=key,
                        financial_year=year,
                        amount_gbp=int(allocation * share),
                    )
            if c.to_collaborative:
                key = f"{self.ods}-DEL-PC"
                lead = trusts[0] if trusts else f"{self.ods}-PC"
                if year == 2023:
                    self.add(
                        "delegations",
                        id=key,
                        system_code=self.code,
                        from_kind="organisation",
                        from_code=self.ods,
                        to_kind="organisation",
                        to_code=lead,
                        recipient_type="lead_provider",
                        functions="Elective recovery (lead provider)",
                        scheme_ref="SoD 5.1",
                        valid_from=date(2023, 4, 1),
                        valid_to=None,
                    )
                self.add(
                    "delegation_budgets",
                    delegation_id=key,
                    financial_year=year,
                    amount_gbp=int(allocation * c.to_collaborative),
                )

    def leadership(self, places: list[tuple[str, str]], pcns: list[str]) -> None:
        posts: list[tuple[str, str, str | None, str]] = [
            ("ICBCHAIR", "icb_chair", None, "ICB chair"),
            ("ICBCEO", "icb_chief_executive", None, "ICB chief executive"),
            ("ICPCHAIR", "icp_chair", None, "ICP chair"),
            ("PCLEAD", "provider_collaborative_lead", None, "Provider collaborative lead"),
        ]
        posts += [
            (f"PLACELEAD{n}", "place_lead", p, f"Place lead, {name}")
            for n, (p, name) in enumerate(places, 1)
        ]
        posts += [(f"CD-{p}", "pcn_clinical_director", p, f"Clinical director, {p}") for p in pcns]
        for short, kind, scope, title in posts:
            key = f"{self.ods}-{short}"
            self.add(
                "posts",
                id=key,
                system_code=self.code,
                kind=kind,
                scope_code=scope,
                title=title,
                valid_from=POSTS_FROM,
                valid_to=None,
            )
            self.tenures(key, kind)

    def tenures(self, post: str, kind: str) -> None:
        rng, c = self.rng, self.c
        day, n = POSTS_FROM, 0
        person, interim = self.person(), False
        background = self._background(kind)
        while day <= END:
            stay = int(rng.expovariate(c.churn / 365)) + 60
            if interim:
                stay = min(stay, rng.randint(90, 270))
            end = day + timedelta(days=stay)
            n += 1
            self.add(
                "tenures",
                id=f"{post}-T{n}",
                post_id=post,
                person_id=person,
                start_on=day,
                end_on=end if end <= END else None,
                interim=interim,
                background=background,
            )
            if end > END:
                return
            if interim and rng.random() < 0.4:
                interim = False  # the interim is made substantive the next day
                day = end + timedelta(days=1)
            else:
                gap = 0 if rng.random() < 0.5 else rng.randint(14, 150)
                day = end + timedelta(days=gap + 1)
                person, background = self.person(), self._background(kind)
                interim = rng.random() < c.interim

    def _background(self, kind: str) -> str:
        weights = {
            "pcn_clinical_director": {Background.PRIMARY_CARE: 9, Background.OTHER: 1},
            "place_lead": {
                Background.LOCAL_GOVERNMENT: 4,
                Background.COMMISSIONING: 4,
                Background.PROVIDER_TRUST: 2,
            },
        }.get(
            kind,
            {
                Background.COMMISSIONING: 3,
                Background.PROVIDER_TRUST: 3,
                Background.LOCAL_GOVERNMENT: 1,
                Background.VCSE: 1,
                Background.OTHER: 1,
            },
        )
        return self.rng.choices(list(weights), list(weights.values()))[0].value
