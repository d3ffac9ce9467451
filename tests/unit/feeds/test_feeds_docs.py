from pathlib import Path

from icsys.feeds.contracts import CONTRACTS, render_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "feeds.md"


def test_docs_feeds_md_is_current():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/feeds.md is out of date: run `icsys feeds contracts --markdown > docs/feeds.md`"
    )


def test_every_feed_of_the_issue_has_a_contract():
    assert set(CONTRACTS) == {
        "persons",
        "registrations",
        "conditions",
        "hospital_spells",
        "ae_attendances",
        "outpatient_appointments",
        "community_contacts",
        "mental_health_contacts",
        "social_care_services",
        "waiting_list",
        "workforce",
    }
