"""Leadership stability, as at a date, per system and across all systems (docs/governance.md).

Posts are those of the leadership register (``gov_post``) in force on the date; holders are
tenures, whose ``end_on`` is the last day in post. A post nobody holds on a day is vacant that day.

* ``stable_6m_share`` / ``stable_12m_share``: posts held by one and the same person on every day
  of the 6 (12) months ending on the date / posts in force on every day of that window. A post
  vacant on any day of the window, or that changed holder, is not stable. A person re-appointed
  the day after their tenure ended (interim made substantive) has not changed.
* ``turnover_12m``: departures in the 12 months ending on the date (a tenure that ended and was
  not continued the next day by the same person) / posts in force on the date.
* ``vacancy_share``: posts vacant on the date / posts in force on the date.
* ``interim_share``: posts held on the date by an interim / posts held on the date.
* ``median_vacancy_days``: median length in days (both ends counted) of the vacancy spells that
  overlap the 12 months ending on the date, each counted from its first vacant day to its last,
  or to the date when still open.
* ``background_share`` by background: posts held on the date by a holder of that background /
  posts held on the date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, select

from icsys.governance.measures.common import ALL_SYSTEMS, MeasureValue, median, ratio
from icsys.governance.measures.period import months_before
from icsys.governance.vocab import Background
from icsys.store import governance_models as g

FAMILY = "leadership"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Tenure:
    person_id: str
    start: date
    end: date | None
    interim: bool
    background: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Post:
    id: str
    system_code: str
    valid_from: date
    valid_to: date | None
    tenures: tuple[Tenure, ...]  # in start order, never overlapping

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def holder(self, day: date) -> Tenure | None:
        return next((t for t in self.tenures if t.covers(day)), None)

    def same_holder(self, start: date, end: date) -> bool:
        """One person held the post on every day from ``start`` to ``end``."""
        current = self.holder(start)
        if current is None:
            return False
        while current.end is not None and current.end < end:
            following = self.holder(current.end + DAY)
            if following is None or following.person_id != current.person_id:
                return False
            current = following
        return True

    def departures(self, after: date, until: date) -> int:
        """Tenures ending in ``(after, until]`` not continued the next day by the same person."""
        count = 0
        for t in self.tenures:
            if t.end is not None and after < t.end <= until:
                following = self.holder(t.end + DAY)
                count += following is None or following.person_id != t.person_id
        return count

    def vacancies(self, until: date) -> list[tuple[date, date]]:
        """Vacancy spells (first and last vacant day) up to ``until``."""
        last = min(self.valid_to, until) if self.valid_to else until
        spells = []
        day = self.valid_from
        for t in self.tenures:
            if day > last:
                break
            if t.start > day:
                spells.append((day, min(t.start - DAY, last)))
            if t.end is None:
                return spells
            day = max(day, t.end + DAY)
        if day <= last:
            spells.append((day, last))
        return spells


def load_posts(engine: Engine, *, system: str | None = None) -> list[Post]:
    p, t = g.gov_post, g.gov_tenure
    posts_q = select(p)
    tenures_q = select(t).join(p, p.c.id == t.c.post_id).order_by(t.c.start_on)
    if system is not None:
        posts_q = posts_q.where(p.c.system_code == system)
        tenures_q = tenures_q.where(p.c.system_code == system)
    held: dict[str, list[Tenure]] = defaultdict(list)
    with engine.connect() as conn:
        for r in conn.execute(tenures_q).mappings():
            held[r["post_id"]].append(
                Tenure(
                    r["person_id"], r["start_on"], r["end_on"], bool(r["interim"]), r["background"]
                )
            )
        return [
            Post(r["id"], r["system_code"], r["valid_from"], r["valid_to"], tuple(held[r["id"]]))
            for r in conn.execute(posts_q.order_by(p.c.id)).mappings()
        ]


def stability(posts: list[Post], as_of: date, *, system_code: str) -> list[MeasureValue]:
    """The leadership measures of ``posts`` as at ``as_of``."""
    year_start = months_before(as_of, 12)

    def value(
        measure: str,
        breakdown: str | None,
        v: float | None,
        num: float | None,
        den: float | None,
        start: date = year_start,
    ) -> MeasureValue:
        return MeasureValue(
            FAMILY,
            measure,
            system_code,
            None,
            breakdown,
            v,
            num,
            den,
            start.isoformat(),
            as_of.isoformat(),
        )

    current = [p for p in posts if p.in_force(as_of)]
    holders = [h for p in current if (h := p.holder(as_of)) is not None]
    out = []
    for months in (6, 12):
        start = months_before(as_of, months)
        window = [p for p in current if p.in_force(start)]
        stable = sum(p.same_holder(start, as_of) for p in window)
        out.append(
            value(
                f"stable_{months}m_share",
                None,
                ratio(stable, len(window)),
                stable,
                len(window),
                start,
            )
        )
    departures = sum(p.departures(year_start, as_of) for p in posts)
    out.append(
        value("turnover_12m", None, ratio(departures, len(current)), departures, len(current))
    )
    vacant = len(current) - len(holders)
    out.append(
        value("vacancy_share", None, ratio(vacant, len(current)), vacant, len(current), as_of)
    )
    interim = sum(h.interim for h in holders)
    out.append(
        value("interim_share", None, ratio(interim, len(holders)), interim, len(holders), as_of)
    )
    spells = [
        float((end - start).days + 1)
        for p in posts
        for start, end in p.vacancies(as_of)
        if end >= year_start
    ]
    out.append(value("median_vacancy_days", None, median(spells), None, len(spells)))
    backgrounds = Counter(h.background for h in holders)
    for background in Background:
        n = backgrounds[background]
        out.append(
            value(
                "background_share", background.value, ratio(n, len(holders)), n, len(holders), as_of
            )
        )
    return out


def leadership(engine: Engine, as_of: date, *, system: str | None = None) -> list[MeasureValue]:
    """Per system (the one asked, or every system with posts, then ``ALL`` across them)."""
    posts = load_posts(engine, system=system)
    by_system: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_system[post.system_code].append(post)
    out = [
        row
        for code in sorted(by_system)
        for row in stability(by_system[code], as_of, system_code=code)
    ]
    if system is None:
        out.extend(stability(posts, as_of, system_code=ALL_SYSTEMS))
    return out
