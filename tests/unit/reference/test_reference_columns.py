"""Official ONS/NHS column names of any vintage, case-insensitively."""

from __future__ import annotations

from datetime import date

import pytest

from icsys.reference.columns import Kind, parse_column, vintage_date


@pytest.mark.parametrize(
    ("header", "level", "vintage", "kind"),
    [
        ("LSOA21CD", "lsoa", 21, Kind.CODE),
        ("lsoa21_code", "lsoa", 21, Kind.CODE),
        ("lsoa11_name", "lsoa", 11, Kind.NAME),
        ("SICBL24CDH", "sub_icb", 24, Kind.ODS),
        ("sicbl24_code_nhs", "sub_icb", 24, Kind.ODS),
        ("LOC22CD", "sub_icb", 22, Kind.CODE),
        ("ICB24NM", "system", 24, Kind.NAME),
        ("icb22_code_h", "system", 22, Kind.ODS),
        ("\ufeffNHSER24CD", "region", 24, Kind.CODE),
        ("NHSER22CDH", "region", 22, Kind.ODS),
        ("nhs_region21_ons_code", "region", 21, Kind.CODE),
        ("ltla22_code", "lad", 22, Kind.CODE),
        ("LAD19NM", "lad", 19, Kind.NAME),
        ("region24_code", "ons_region", 24, Kind.CODE),
        ("ward24_code", "ward", 24, Kind.CODE),
    ],
)
def test_official_names_of_any_vintage_are_read(header, level, vintage, kind):
    key = parse_column(header)
    assert key is not None
    assert (key.level, key.vintage, key.kind) == (level, vintage, kind)


@pytest.mark.parametrize(
    "header", ["ObjectId", "FID", "IMD_decile", "postcode", "change_code", "code"]
)
def test_other_columns_are_not_geography(header):
    assert parse_column(header) is None


def test_lsoa_vintage_picks_the_geography():
    assert parse_column("LSOA11CD").geography == "lsoa11"  # type: ignore[union-attr]
    assert parse_column("lsoa21_code").geography == "lsoa21"  # type: ignore[union-attr]


def test_vintage_dates():
    assert vintage_date("system", 22) == date(2022, 7, 1)
    assert vintage_date("sub_icb", 24) == date(2024, 4, 1)
    assert vintage_date("lad", 19) == date(2019, 4, 1)
    assert vintage_date("lsoa", 21) == date(2021, 3, 21)
