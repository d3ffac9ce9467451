"""``icsys assess`` on the demo world: every command, json and csv output."""

from __future__ import annotations

import csv
import io
import json

import pytest

from icsys.assessment.frameworks import shipped_frameworks
from icsys.cli.main import main

pytestmark = pytest.mark.slow
WHEN = ["--as-of", "2025-03-31"]


@pytest.fixture(scope="module")
def environ(tmp_path_factory):
    env = {"ICSYS_HOME": str(tmp_path_factory.mktemp("assess") / "data")}
    assert main(["demo", "--no-serve", "--persons", "0"], env) == 0
    return env


def run(args, env, capsys):
    code = main(args, env)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_demo_assessed_every_system_at_two_dates(environ, capsys):
    code, out, _ = run(["assess", "run", *WHEN, "--no-record", "-f", "json"], environ, capsys)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 14
    assert {"system", "transparency", "overall", "segment"} <= set(rows[0])
    assert all(r["overall"] in {"emerging", "developing", "maturing", "thriving"} for r in rows)
    code, out, _ = run(["assess", "history", rows[0]["system"], "-f", "json"], environ, capsys)
    assert [h["as_of"] for h in json.loads(out)] == ["2024-09-30", "2025-03-31"]


def test_explain_lists_every_criterion_with_value_rule_outcome_and_evidence(environ, capsys):
    code, out, _ = run(["assess", "explain", "E54900001", *WHEN, "-f", "csv"], environ, capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 37
    assert {"rule", "value", "threshold", "outcome", "evidence", "cites", "domain_stage"} <= set(
        rows[0]
    )
    public = next(r for r in rows if r["criterion"] == "meets_in_public")
    assert public["rule"] == "governance.public_meeting_share >= threshold"
    assert public["outcome"] in {"met", "not_met"}
    assert any(r["evidence"].startswith("evidence DEMO-") for r in rows)


def test_compare_and_peers(environ, capsys):
    code, out, _ = run(
        ["assess", "compare", "governance.papers_on_time_share", "E54900001", *WHEN, "-f", "json"],
        environ,
        capsys,
    )
    assert code == 0
    groups = json.loads(out)
    assert [g["comparator"].split()[0] for g in groups] == ["England", "region", "peers"]
    assert all(g["lower_95"] < g["upper_95"] for g in groups)
    code, out, _ = run(["assess", "peers", "E54900001", *WHEN, "-f", "json"], environ, capsys)
    peers = json.loads(out)
    assert [p["rank"] for p in peers] == [1, 2, 3, 4, 5]
    assert all(p["differs_most_on"] for p in peers)
    code, out, _ = run(
        ["assess", "peers", "E54900001", *WHEN, "--weight", "height=1"], environ, capsys
    )
    assert code == 10


def test_sensitivity_and_oversight(environ, capsys):
    code, out, _ = run(
        ["assess", "sensitivity", *WHEN, "--set", "stages.thriving=0.95", "-f", "json"],
        environ,
        capsys,
    )
    assert code == 0
    changes = json.loads(out)
    assert changes
    assert all(c["after"] != c["before"] for c in changes)
    code, out, _ = run(["assess", "oversight", *WHEN], environ, capsys)
    assert code == 0
    assert "Assumptions that are ours, not NHS England's" in out


def test_a_changed_framework_under_a_used_version_is_refused(environ, capsys, tmp_path):
    text = (
        shipped_frameworks()["icsys_maturity_v1"]
        .read_text()
        .replace("thriving: 0.8", "thriving: 0.9")
    )
    path = tmp_path / "f.yaml"
    path.write_text(text)
    code, _, err = run(["assess", "run", *WHEN, "--framework", str(path)], environ, capsys)
    assert code == 19
    assert "a used framework version never changes" in err
