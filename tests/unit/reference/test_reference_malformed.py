"""Malformed copies of every reference file type: a missing column, a bad code, a truncated
line, a wrong encoding. Each fails with a message naming file, line and column, or quarantines
the row with its reason, and the counts reconcile.

The base files are the first rows of the real published files in ../shared/data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from icsys.errors import InputFileError
from icsys.reference.load import parse_files

# real file, column to damage (name, or position for headerless files), format kind
CASES = [
    ("lsoa21_sicbl24_icb24_en.csv", "sicbl24_code", "geography"),
    ("lsoa11_sicbl22_icb22_lad22_en.csv", "icb22_code", "geography"),
    ("sicbl22_icb22_nhser22_en.csv", "ICB22CD", "geography"),
    ("icb24_names_codes_en.csv", "ICB24CD", "geography"),
    ("lad24_region24_en.csv", "ltla24_code", "geography"),
    ("lsoa11_lsoa21_lad22_ew.csv", "lsoa21_code", "geography"),
    ("imd2025_lsoa21_en.csv", "IMD_decile", "imd"),
    ("imd2019_lsoa11_ranks_deciles_en.csv", "lsoa11_code", "imd"),
    ("ruc21_lsoa21_ew.csv", "ruc21_code", "ruc"),
    ("population_mid2020_lsoa11_sya_ew.csv", "lsoa11_code", "population_sya"),
    ("gp_reg_pat_prac_all_2021-01.csv", "CODE", "gp_registered"),
    ("qof_obesity_prevalence_practice_2019_2025.csv", "practice_code", "qof_prevalence"),
    ("qof_obesity_practice_geography_2019_2025.csv", "icb_ods_code", "qof_geography"),
    ("openprescribing_practices_2025.csv", "sub_icb_location_ods_code", "op_practices"),
    ("openprescribing_sub_icb_locations_2025.csv", "code", "op_commissioners"),
    ("epcn_2023-01_pcn_details.csv", "PCN Code", "epcn_pcns"),
    ("epcn_2023-01_practice_pcn_membership.csv", "PCN Code", "epcn_members"),
    ("nhs_trusts22_nhs_region21.csv", "nhs_trust22_code", "trust_region"),
    ("nhs_trusts22_icb22_catchment_share.csv", "icb22_code", "trust_catchment"),
    ("fingertips_93553_imd2019_score_gp_practice.csv", "Area Code", "fingertips"),
    ("ods_etr_nhs_trusts_2025.csv", 0, "ods_trusts"),
    ("epraccur_2022-12.csv", 0, "ods_practices"),
    ("ods_eccg_commissioners_2025.csv", 0, "ods_commissioners"),
]
BAD_CODE = "!BAD!"
SAMPLE_FILTERS = {
    "openprescribing_practices_2025.csv": lambda r: r[10] == "4",
    "openprescribing_sub_icb_locations_2025.csv": lambda r: r[3] in {"CCG", "PCT"},
}
ROWS = 60


def _sample(shared_data: Path, name: str) -> tuple[list[list[str]], bool, str]:
    """The first rows of a real file (header included) and whether every field was quoted."""
    text = (shared_data / name).read_text(encoding="utf-8-sig")
    lines = text.splitlines()[: ROWS + 1]
    rows = list(csv.reader(lines))
    wanted = SAMPLE_FILTERS.get(name)
    if wanted is not None:  # take rows that are in scope, so the damage hits a loaded row
        every = list(csv.reader(text.splitlines()))
        rows = [every[0], *(r for r in every[1:] if wanted(r))][: ROWS + 1]
    return rows, lines[0].startswith('"'), text


def _write(path: Path, rows: list[list[str]], quoted: bool) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL, lineterminator="\n"
    )
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _outcome(path: Path) -> tuple[str | None, list, list]:
    """The error message (if the file was refused), and what was parsed and skipped."""
    try:
        parsed, skipped = _parse(path)
    except InputFileError as exc:
        return str(exc), [], []
    return None, parsed, skipped


def _parse(path: Path):
    parsed, skipped = parse_files(
        [path], valid_from=None, encoding="utf-8", progress=lambda _m: None
    )
    return parsed, skipped


def _headerless(name: str) -> bool:
    return name.startswith(("ods_", "epraccur"))


def _position(rows: list[list[str]], column: str | int) -> int:
    return column if isinstance(column, int) else rows[0].index(column)


@pytest.mark.parametrize(("name", "column", "kind"), CASES, ids=[c[0] for c in CASES])
def test_the_sample_itself_loads_cleanly(shared_data, tmp_path, name, column, kind):
    rows, quoted, _ = _sample(shared_data, name)
    parsed, _ = _parse(_write(tmp_path / f"renamed-{name.replace('_en', '')}", rows, quoted))
    assert [p.kind for p in parsed] == [kind]
    p = parsed[0]
    assert p.rows_read == len(rows) - (0 if _headerless(name) else 1)
    assert p.rows_read == p.rows_loaded + p.rows_quarantined + p.rows_out_of_scope


@pytest.mark.parametrize(("name", "column", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_missing_column_fails_naming_the_file(shared_data, tmp_path, name, column, kind):
    rows, quoted, _ = _sample(shared_data, name)
    pos = _position(rows, column)
    damaged = [r[:pos] + r[pos + 1 :] for r in rows]
    path = _write(tmp_path / f"missing-{name}", damaged, quoted)
    message, parsed, skipped = _outcome(path)
    if message is None:  # no longer recognisable at all: reported, never silently loaded
        assert parsed == []
        assert [s.status for s in skipped] == ["not reference data"]
    else:
        assert path.name in message


@pytest.mark.parametrize(("name", "column", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_code_is_quarantined_with_line_column_and_reason(
    shared_data, tmp_path, name, column, kind
):
    rows, quoted, _ = _sample(shared_data, name)
    pos = _position(rows, column)
    target = 1 if _headerless(name) else 2  # the second line of data
    rows[target][pos] = BAD_CODE
    path = _write(tmp_path / f"badcode-{name}", rows, quoted)
    parsed, _ = _parse(path)
    (p,) = parsed
    assert p.rows_quarantined == 1
    (q,) = [q for q in p.quarantine if q.value == BAD_CODE]
    assert q.file == path.name
    assert q.line == target + 1
    assert q.column == (column if isinstance(column, str) else "Organisation Code (column 1)")
    assert q.reason.startswith("expected")
    assert p.rows_read == p.rows_loaded + p.rows_quarantined + p.rows_out_of_scope


@pytest.mark.parametrize(("name", "column", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_truncated_last_line_is_quarantined_or_fails_with_its_line(
    shared_data, tmp_path, name, column, kind
):
    rows, quoted, _ = _sample(shared_data, name)
    path = _write(tmp_path / f"truncated-{name}", rows, quoted)
    text = path.read_text(encoding="utf-8").rstrip("\n")
    last = text.rsplit("\n", 1)[1]
    cut = last[: max(3, len(last) // 3)]
    path.write_text(text.rsplit("\n", 1)[0] + "\n" + cut, encoding="utf-8")
    last_line = len(rows)
    message, parsed, _ = _outcome(path)
    if message is not None:
        assert f"{path.name}, line {last_line}" in message
        return
    (p,) = parsed
    assert last_line in p.quarantined_lines
    assert any(q.line == last_line and "fields" in q.reason for q in p.quarantine)
    assert p.rows_read == p.rows_loaded + p.rows_quarantined + p.rows_out_of_scope


@pytest.mark.parametrize(("name", "column", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_wrong_encoding_fails_naming_file_and_line(shared_data, tmp_path, name, column, kind):
    rows, quoted, _ = _sample(shared_data, name)
    path = _write(tmp_path / f"encoding-{name}", rows, quoted)
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b",", b",\xa3", 1)  # a Windows-1252 pound sign
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputFileError) as caught:
        _parse(path)
    assert f"{path.name}, line 4" in str(caught.value)
    assert "UTF-8" in str(caught.value) or "utf-8" in str(caught.value)


def test_a_tab_separated_file_is_refused_with_what_was_expected(shared_data, tmp_path):
    rows, _, _ = _sample(shared_data, "lad24_region24_en.csv")
    path = tmp_path / "tabs.csv"
    path.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"tab-separated.*expected comma-separated values"):
        _parse(path)


def test_a_file_that_is_not_reference_data_is_reported_not_loaded(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("when,what\n2024-01-01,meeting\n", encoding="utf-8")
    parsed, skipped = _parse(path)
    assert parsed == []
    assert [(s.label, s.status) for s in skipped] == [("notes.csv", "not reference data")]
