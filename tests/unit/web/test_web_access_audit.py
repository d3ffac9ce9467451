"""Restricted reads are audited (who read which confidential paper, which unsuppressed
figures); public reads are not; only an administrator can list the audit."""

from __future__ import annotations


def _reads(client, resource: str) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/access-audit?resource={resource}&page_size=500")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_members_read_of_a_confidential_paper_is_audited(clients, world):
    before = len(_reads(clients["admin"], "paper"))
    assert (
        clients["member"].get(f"/api/v1/governance/papers/{world.confidential}/content").status_code
        == 200
    )
    after = _reads(clients["admin"], "paper")
    assert len(after) == before + 1
    newest = after[0]
    assert (newest["actor"], newest["role"], newest["record_key"]) == (
        "member",
        "member",
        world.confidential,
    )


def test_public_reads_are_not_audited(clients, world):
    before = len(_reads(clients["admin"], "paper"))
    for role in ("anonymous", "member"):
        response = clients[role].get(f"/api/v1/governance/papers/{world.public_paper}/content")
        assert response.status_code == 200
    assert len(_reads(clients["admin"], "paper")) == before


def test_only_an_administrator_lists_the_audit(clients):
    assert clients["anonymous"].get("/api/v1/access-audit").status_code == 401
    for role in ("member", "analyst"):
        response = clients[role].get("/api/v1/access-audit")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
