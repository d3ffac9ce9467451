"""Transparency of a body or a system over a period (definitions in docs/governance.md).

* ``meetings_held``: meetings with status ``held`` dated in the period (cancelled and still
  scheduled meetings are not counted anywhere below).
* ``public_meeting_share``: held meetings with a public part / held meetings.
* ``papers_on_time_share``: public papers on the agenda of held meetings that were published at
  least 5 working days before the meeting (publication day counted, meeting day not; weekends and
  England and Wales bank holidays skipped) / public papers on the agenda of held meetings. A public
  paper with no publication date counts as late. Confidential papers are not counted.
* ``median_notice_days``: median, over held meetings with a recorded notice date, of calendar
  days from notice to meeting.
"""

from __future__ import annotations

from icsys.governance.measures.common import MeasureValue, median, ratio
from icsys.governance.measures.data import Meeting
from icsys.governance.measures.period import Period
from icsys.governance.vocab import Classification, MeetingStatus
from icsys.governance.workdays import working_days_before

FAMILY = "transparency"
NOTICE_WORKING_DAYS = 5


def transparency(
    meetings: list[Meeting], period: Period, *, system_code: str, body_id: str | None = None
) -> list[MeasureValue]:
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    public = sum(m.public_part for m in held)
    on_time = papers = 0
    for meeting in held:
        for item in meeting.items:
            for paper in item.papers:
                if paper["classification"] != Classification.PUBLIC:
                    continue
                papers += 1
                published = paper["published_on"]
                if published is not None and (
                    working_days_before(published, meeting.day) >= NOTICE_WORKING_DAYS
                ):
                    on_time += 1
    notice = [float((m.day - m.notice_on).days) for m in held if m.notice_on is not None]

    def value(measure: str, v: float | None, num: float | None, den: float | None) -> MeasureValue:
        return MeasureValue(
            FAMILY,
            measure,
            system_code,
            body_id,
            None,
            v,
            num,
            den,
            period.start.isoformat(),
            period.end.isoformat(),
        )

    return [
        value("meetings_held", float(len(held)), float(len(held)), None),
        value("public_meeting_share", ratio(public, len(held)), public, len(held)),
        value("papers_on_time_share", ratio(on_time, papers), on_time, papers),
        value("median_notice_days", median(notice), None, len(notice)),
    ]
