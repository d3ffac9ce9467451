"""The CLI on the demo world: output formats, exit codes, and the generated reference."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from icsys.cli.docgen import render
from icsys.cli.main import app, main

DOCS = Path(__file__).resolve().parents[3] / "docs" / "cli.md"


@pytest.fixture(scope="module")
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {"ICSYS_HOME": str(tmp_path_factory.mktemp("cli") / "data")}
    assert main(["demo", "--no-serve"], env) == 0
    return env


def run(
    args: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(args, env)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_areas_as_json_has_the_documented_columns(environ, capsys):
    code, out, _ = run(
        ["areas", "--level", "system", "--as-of", "2025-01-01", "--format", "json"], environ, capsys
    )
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 14
    assert {"code", "ods_code", "name", "parent_code", "system_code"} <= set(rows[0])
    assert all(r["code"] == r["system_code"] and r["parent_code"].startswith("E40") for r in rows)


def test_lsoas_as_csv_carry_their_imd_decile(environ, capsys):
    code, out, _ = run(
        ["areas", "--level", "lsoa", "--as-of", "2025-01-01", "-f", "csv"], environ, capsys
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert all(1 <= int(r["imd_decile"]) <= 10 for r in rows)


def test_areas_filtered_to_one_system_by_ods_code(environ, capsys):
    _, out, _ = run(
        ["areas", "--level", "system", "--as-of", "2025-01-01", "-f", "json"], environ, capsys
    )
    first = json.loads(out)[0]
    code, out, _ = run(
        ["areas", "--level", "practice", "--system", first["ods_code"], "-f", "json"],
        environ,
        capsys,
    )
    assert code == 0
    practices = json.loads(out)
    assert practices
    assert {p["system_code"] for p in practices} == {first["code"]}


def test_structure_show_for_one_system_lists_places_and_sub_icbs(environ, capsys):
    code, out, _ = run(
        ["structure", "show", "--as-of", "2025-06-01", "-f", "json"], environ, capsys
    )
    assert code == 0
    systems = json.loads(out)
    assert len(systems) == 14
    assert all(
        s["places"] and s["sub_icbs"] and s["resident_population"] > 100_000 for s in systems
    )


def test_an_unknown_system_is_not_found_with_exit_code_15(environ, capsys):
    code, _, err = run(["areas", "--level", "practice", "--system", "Nowhere"], environ, capsys)
    assert code == 15
    assert "no system 'Nowhere'" in err


def test_a_bad_level_is_a_usage_error(environ, capsys):
    code, _, err = run(["areas", "--level", "county"], environ, capsys)
    assert code == 2
    assert "unknown level 'county'" in err


def test_a_missing_folder_is_an_input_error(environ, capsys, tmp_path):
    code, _, err = run(["reference", "load", str(tmp_path / "absent")], environ, capsys)
    assert code == 12
    assert "no such file or folder" in err


def test_a_folder_with_nothing_known_is_unrecognised(environ, capsys, tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(["reference", "load", str(tmp_path)], environ, capsys)
    assert code == 13
    assert "notes.csv" in err


def test_a_bad_date_is_a_usage_error(environ, capsys):
    code, _, err = run(["areas", "--level", "system", "--as-of", "1st May"], environ, capsys)
    assert code == 2
    assert "expected YYYY-MM-DD" in err


def test_the_demo_is_idempotent(environ, capsys):
    code, out, _ = run(["demo", "--no-serve"], environ, capsys)
    assert code == 0
    assert "0 file(s) loaded" in out


def test_the_cli_reference_is_current():
    assert DOCS.read_text(encoding="utf-8") == render(app), (
        "run `make docs` to regenerate docs/cli.md"
    )
