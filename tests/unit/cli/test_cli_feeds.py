"""``icsys feeds load|status|contracts`` through ``main(args, environ)``: exit codes and output.

The conditions feed checks no register codes, so these tests need no structure loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icsys.cli.main import main
from icsys.feeds.contracts import render_markdown

CONDITIONS = (
    "person_id,cluster,onset_date\n"
    "P1,diabetes,2020-01-01\n"
    "P2,asthma,2021-05-01\n"
    "P3,gout,2021-06-01\n"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ICSYS_HOME": str(tmp_path / "data"),
        "ICSYS_PSEUDONYM_KEY": str(tmp_path / "keys" / "pseudonym.key"),
    }


def run(
    args: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(args, env)
    out = capsys.readouterr()
    return code, out.out, out.err


def _file(tmp_path: Path, text: str = CONDITIONS, name: str = "conditions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_prints_the_reconciliation_and_the_quarantine_file(env, tmp_path, capsys):
    path = _file(tmp_path)
    code, out, _ = run(
        ["feeds", "load", "conditions", str(path), "--today", "2025-06-01"], env, capsys
    )
    assert code == 0
    assert "conditions: rows read = loaded + quarantined + out of scope" in out
    (row,) = [line for line in out.splitlines() if line.startswith("│")]
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[1:] == ["loaded", "3", "2", "1", "0", "yes"]
    assert "1 row(s) quarantined" in out
    assert "2 rows loaded" in out
    quarantine = list(
        (Path(env["ICSYS_HOME"]) / "quarantine" / "feeds" / "conditions").glob("*.csv")
    )
    assert len(quarantine) == 1
    assert "conditions.csv,4,cluster,gout,code not in the contract's list" in quarantine[
        0
    ].read_text(encoding="utf-8")


def test_loading_the_same_file_again_loads_nothing(env, tmp_path, capsys):
    path = _file(tmp_path)
    assert run(["feeds", "load", "conditions", str(path)], env, capsys)[0] == 0
    code, out, _ = run(["feeds", "load", "conditions", str(path)], env, capsys)
    assert code == 0
    assert "already" in out  # the status cell "already loaded" wraps in an 80-column table
    assert "batch (nothing new): 0 rows loaded" in out


def test_status_shows_each_feed_and_the_files_of_one(env, tmp_path, capsys):
    assert run(["feeds", "load", "conditions", str(_file(tmp_path))], env, capsys)[0] == 0
    code, out, _ = run(["feeds", "status", "--format", "json"], env, capsys)
    assert code == 0
    rows = {r["feed"]: r for r in json.loads(out)}
    assert set(rows) >= {"persons", "conditions", "ae_attendances", "ae_provider_monthly"}
    assert (rows["conditions"]["batches"], rows["conditions"]["files"]) == (1, 1)
    assert (rows["conditions"]["rows_loaded"], rows["conditions"]["rows_quarantined"]) == (2, 1)
    assert rows["persons"]["batches"] == 0
    code, out, _ = run(["feeds", "status", "conditions", "-f", "json"], env, capsys)
    assert code == 0
    (batch,) = json.loads(out)
    assert batch["file"] == "conditions.csv"
    assert (batch["rows_read"], batch["rows_loaded"], batch["rows_quarantined"]) == (3, 2, 1)
    assert batch["rows_out_of_scope"] == 0


def test_strict_load_fails_with_exit_code_14_and_loads_nothing(env, tmp_path, capsys):
    code, _, err = run(
        ["feeds", "load", "conditions", str(_file(tmp_path)), "--strict"], env, capsys
    )
    assert code == 14
    assert "1 row(s) would be quarantined and --strict was given" in err
    code, out, _ = run(["feeds", "status", "conditions", "-f", "json"], env, capsys)
    assert code == 0
    assert json.loads(out) == []


def test_errors_have_their_exit_codes(env, tmp_path, capsys):
    code, _, err = run(["feeds", "load", "conditions", str(tmp_path / "absent.csv")], env, capsys)
    assert code == 12
    assert "no such file or folder" in err
    code, _, err = run(["feeds", "load", "nonsense", str(_file(tmp_path))], env, capsys)
    assert code == 15
    assert "no feed 'nonsense'" in err
    code, _, _ = run(["feeds", "status", "nonsense"], env, capsys)
    assert code == 15
    code, _, _ = run(["feeds", "load", "conditions"], env, capsys)
    assert code == 2


def test_the_key_inside_the_data_folder_is_refused(env, tmp_path, capsys):
    env = {**env, "ICSYS_PSEUDONYM_KEY": str(Path(env["ICSYS_HOME"]) / "key")}
    text = "nhs_number,cluster,onset_date\n9434765919,diabetes,2020-01-01\n"
    code, _, err = run(["feeds", "load", "conditions", str(_file(tmp_path, text))], env, capsys)
    assert code == 11
    assert "inside the data folder" in err


def test_contracts_prints_one_contract_or_the_whole_reference(env, capsys):
    code, out, _ = run(["feeds", "contracts", "conditions"], env, capsys)
    assert code == 0
    assert out.startswith("### `conditions` (person)")
    assert "| `cluster` | code → string |" in out
    code, out, _ = run(["feeds", "contracts", "--markdown"], env, capsys)
    assert code == 0
    assert out == render_markdown()
    code, _, err = run(["feeds", "contracts", "nonsense"], env, capsys)
    assert code == 15
    assert "no feed 'nonsense'" in err
