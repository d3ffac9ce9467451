"""Numbers from patient data: unsuppressed only for the analyst's own system (and admins)."""

from __future__ import annotations

import pytest

from icsys.web.auth import Principal, Role
from icsys.web.services.disclosure import counts_for

ANALYST = Principal(Role.ANALYST, "an", 1, system_code="E54000001")


@pytest.mark.parametrize(
    ("who", "system", "controlled"),
    [
        (Principal(), "E54000001", True),
        (Principal(Role.MEMBER, "m", 2, person_id="P1"), "E54000001", True),
        (ANALYST, "E54000001", False),
        (ANALYST, "E54000002", True),
        (Principal(Role.ADMIN, "ad", 3), "E54000002", False),
    ],
)
def test_who_sees_unsuppressed_counts(who, system, controlled):
    shown = counts_for(who, system, [0, 3, 12, 48])
    assert shown.controlled is controlled
    if controlled:
        assert shown.values == (0, None, 10, 50)
        assert shown.total == 60
        assert "suppressed" in shown.note
    else:
        assert shown.values == (0, 3, 12, 48)
        assert shown.total == 63
