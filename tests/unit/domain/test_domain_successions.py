"""Code successions found from dated edges."""

from __future__ import annotations

from datetime import date

from icsys.domain.successions import detect_successions

D22, D24 = date(2022, 7, 1), date(2024, 4, 1)


def test_a_new_gss_code_for_the_same_ods_code_is_a_code_change():
    exists = {
        "system": [("E54000052", D22, D24), ("E54000063", D24, None), ("E54000008", D22, None)]
    }
    ods = {
        ("system", "E54000052"): "QXU",
        ("system", "E54000063"): "QXU",
        ("system", "E54000008"): "QYG",
    }
    found = detect_successions(exists, ods, {})
    assert [(s.old_code, s.new_code, s.effective, s.kind) for s in found] == [
        ("E54000052", "E54000063", D24, "code_change")
    ]
    assert "QXU" in found[0].basis


def test_districts_whose_lsoas_move_to_one_new_code_have_merged():
    april = date(2020, 4, 1)
    exists = {
        "lad": [
            ("E07000004", date(2019, 4, 1), april),
            ("E07000005", date(2019, 4, 1), april),
            ("E06000060", april, None),
        ]
    }
    children = {
        "lad": [
            ("lsoa:1", "E07000004", date(2019, 4, 1), april),
            ("lsoa:1", "E06000060", april, None),
            ("lsoa:2", "E07000005", date(2019, 4, 1), april),
            ("lsoa:2", "E06000060", april, None),
        ]
    }
    found = detect_successions(exists, {}, children)
    assert {(s.old_code, s.new_code, s.kind, s.share) for s in found} == {
        ("E07000004", "E06000060", "merger", 1.0),
        ("E07000005", "E06000060", "merger", 1.0),
    }


def test_a_code_whose_children_go_two_ways_is_split_with_shares():
    april = date(2023, 4, 1)
    exists = {"lad": [("OLD", date(2019, 4, 1), april), ("N1", april, None), ("N2", april, None)]}
    children = {
        "lad": [
            *[(f"c{i}", "OLD", date(2019, 4, 1), april) for i in range(4)],
            ("c0", "N1", april, None),
            ("c1", "N1", april, None),
            ("c2", "N1", april, None),
            ("c3", "N2", april, None),
        ]
    }
    found = {(s.new_code, s.kind, s.share) for s in detect_successions(exists, {}, children)}
    assert found == {("N1", "split", 0.75), ("N2", "split", 0.25)}


def test_a_code_still_in_force_has_no_successor():
    exists = {"lad": [("A", date(2019, 4, 1), None), ("B", date(2024, 4, 1), None)]}
    children = {
        "lad": [("c", "A", date(2019, 4, 1), date(2024, 4, 1)), ("c", "B", date(2024, 4, 1), None)]
    }
    assert detect_successions(exists, {}, children) == []
