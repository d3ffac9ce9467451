"""The synthetic world: deterministic, realistic in shape, and written in the real file formats."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icsys.errors import UserError
from icsys.synth import _names, _people
from icsys.synth.world import (
    AGES,
    FILE_FORMATS,
    HEADERS,
    IMD_DOMAINS,
    RUC21_LABELS,
    TrustKind,
    World,
    WorldSpec,
    build_world,
    write_world_files,
)

SMALL = WorldSpec(regions=2, systems_per_region=2, lsoas_per_place=(8, 12), closed_practices=2)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def files(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {p.name: p for p in write_world_files(world, tmp_path_factory.mktemp("world"))}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _real_column(folder: Path, name: str, column: str | int) -> set[str]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        if isinstance(column, int):
            return {row[column] for row in csv.reader(handle) if row}
        return {row[column] for row in csv.DictReader(handle)}


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_writes_byte_identical_files(tmp_path, files):
    again = write_world_files(build_world(WorldSpec()), tmp_path)
    assert [p.name for p in again] == list(files)
    for path in again:
        assert path.read_bytes() == files[path.name].read_bytes(), path.name


def test_a_different_seed_gives_a_different_world(tmp_path, files):
    other = {p.name: p for p in write_world_files(build_world(WorldSpec(seed=7)), tmp_path)}
    for name in (
        "imd2025_lsoa21_synth.csv",
        "population_mid2022_lsoa21_sya_synth.csv",
        "practices_synth.csv",
    ):
        assert other[name].read_bytes() != files[name].read_bytes()


def test_build_world_uses_no_global_random_state(world):
    import random  # noqa: PLC0415 - only this test touches the global generator

    random.seed(1)
    assert build_world() == world


# --- file formats ------------------------------------------------------------------------------


def test_writes_the_twelve_files_with_their_headers(files):
    assert list(files) == list(FILE_FORMATS)
    for name, path in files.items():
        header = HEADERS[name]
        if header is not None:
            assert tuple(_rows(path)[0]) == header, name


@pytest.mark.realdata
def test_headers_equal_the_published_files(files, shared_data):
    for name, real_name in FILE_FORMATS.items():
        real = _rows(shared_data / real_name)
        ours = _rows(files[name])
        if HEADERS[name] is None:  # headerless ODS extract: same width
            assert {len(r) for r in ours} == {len(real[0])}
            continue
        expected = real[0]
        if real_name.startswith("population_mid2020_lsoa11"):  # same layout, LSOA 2021 names
            expected = [c.replace("lsoa11", "lsoa21") for c in expected]
        assert ours[0] == expected, name


@pytest.mark.realdata
def test_quoting_and_line_endings_follow_the_published_files(files, shared_data):
    for name, real_name in FILE_FORMATS.items():
        real_head = (shared_data / real_name).read_bytes().removeprefix(b"\xef\xbb\xbf")[:400]
        ours_head = files[name].read_bytes()[:400]
        assert (b"\r\n" in real_head) == (b"\r\n" in ours_head), name
        assert real_head.startswith(b'"') == ours_head.startswith(b'"'), name


def test_ods_trust_extract_quotes_every_field(files):
    raw = files["ods_etr_trusts_synth.csv"].read_text(encoding="utf-8")
    for line in raw.split("\r\n")[:-1]:
        fields = line.split('","')
        assert len(fields) == 27
        assert line.startswith('"')
        assert line.endswith('"')


def test_imd_file_quotes_codes_but_not_numbers(files):
    first = files["imd2025_lsoa21_synth.csv"].read_text(encoding="utf-8").splitlines()[1]
    assert re.fullmatch(r'"E019\d{5}"(,-?\d+(\.\d+)?){24}', first)


def test_ruc_codes_and_labels_are_the_real_ones(world, files):
    rows = _rows(files["ruc21_lsoa21_synth.csv"])[1:]
    assert {(r[1], r[2], r[3]) for r in rows} <= {(c, *v) for c, v in RUC21_LABELS.items()}
    codes = Counter(r[1] for r in rows)
    assert 0.65 < sum(n for c, n in codes.items() if c.startswith("U")) / len(rows) < 0.95
    assert len(codes) == 6


@pytest.mark.realdata
def test_ruc_labels_match_the_published_file(shared_data):
    real = {(r[1], r[2], r[3]) for r in _rows(shared_data / "ruc21_lsoa21_ew.csv")[1:]}
    assert real == {(c, *v) for c, v in RUC21_LABELS.items()}


def test_dates_are_formatted_as_in_each_source(files):
    practices = _rows(files["practices_synth.csv"])[1:]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[14]) for r in practices)
    closed = [r for r in practices if r[15] == "C"]
    assert len(closed) == 2
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[11]) for r in closed)
    assert all(r[10] == "4" for r in practices)
    membership = _rows(files["epcn_practice_pcn_membership_synth.csv"])[1:]
    assert all(re.fullmatch(r"\d{8}", r[8]) for r in membership)
    assert [r[9] for r in membership if r[9]] == ["20230930"]  # the history case
    assert all(r[10] == "True" for r in membership)
    lists = _rows(files["gp_reg_pat_prac_all_synth.csv"])[1:]
    assert {r[1] for r in lists} == {"01JAN2025"}


def test_files_agree_with_the_world(world, files):
    population = _rows(files["population_mid2022_lsoa21_sya_synth.csv"])[1:]
    assert sum(int(r[2]) for r in population) == world.total_population
    assert all(int(r[2]) == sum(map(int, r[3:])) for r in population)
    lists = _rows(files["gp_reg_pat_prac_all_synth.csv"])[1:]
    active = [p for p in world.practices if p.is_active]
    assert sum(int(r[9]) for r in lists) == sum(p.list_size for p in active)
    lookup = _rows(files["lsoa21_sicbl24_icb24_nhser24_lad24_en_synth.csv"])[1:]
    assert [r[0] for r in lookup] == [x.code for x in world.lsoas]
    assert all(r[4].startswith("NHS ") and r[4].endswith(f"ICB - {r[3]}") for r in lookup)
    assert len(_rows(files["lad24_region24_synth.csv"])) == len(world.places) + 1
    assert len(_rows(files["epcn_pcn_details_synth.csv"])) == len(world.pcns) + 1


def test_writing_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "new" / "folder"
    written = write_world_files(build_world(SMALL), target)
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in written)


# --- codes -------------------------------------------------------------------------------------


def test_codes_are_shaped_like_real_codes_in_unused_ranges(world):
    patterns = [
        ([r.code for r in world.regions], r"E409\d{5}"),
        ([r.ons_code for r in world.regions], r"E129\d{5}"),
        ([r.ods_code for r in world.regions], r"Y9\d"),
        ([s.code for s in world.systems], r"E549\d{5}"),
        ([s.ods_code for s in world.systems], r"QZ[1-9A-Z]"),
        ([s.code for s in world.sub_icbs], r"E389\d{5}"),
        ([s.ods_code for s in world.sub_icbs], r"Z[1-9A-Z][A-Z]"),
        ([p.code for p in world.places], r"E0[68]9\d{5}"),
        ([x.code for x in world.lsoas], r"E019\d{5}"),
        ([p.code for p in world.practices], r"Z9\d{4}"),
        ([p.code for p in world.pcns], r"U99[5-9]\d\d"),
        ([t.code for t in world.trusts], r"Z[A-Z]\d"),
    ]
    for codes, pattern in patterns:
        assert len(set(codes)) == len(codes), pattern
        assert all(re.fullmatch(pattern, c) for c in codes), pattern


@pytest.mark.realdata
def test_codes_never_collide_with_real_codes(world, shared_data):
    lookup = "lsoa21_sicbl24_icb24_nhser24_lad24_en_DERIVED.csv"
    ours_and_real = [
        (
            {s.code for s in world.systems},
            _real_column(shared_data, "icb24_names_codes_en.csv", "ICB24CD"),
        ),
        (
            {s.ods_code for s in world.systems},
            _real_column(shared_data, "icb24_names_codes_en.csv", "ICB24CDH"),
        ),
        (
            {s.ods_code for s in world.systems},
            _real_column(shared_data, "openprescribing_icbs_2025.csv", "code"),
        ),
        ({x.code for x in world.lsoas}, _real_column(shared_data, lookup, "lsoa21_code")),
        (
            {x.code for x in world.lsoas},
            _real_column(shared_data, "ruc21_lsoa21_ew.csv", "lsoa21_code"),
        ),
        ({x.name for x in world.lsoas}, _real_column(shared_data, lookup, "lsoa21_name")),
        ({s.code for s in world.sub_icbs}, _real_column(shared_data, lookup, "sicbl24_code")),
        (
            {s.ods_code for s in world.sub_icbs},
            _real_column(shared_data, "openprescribing_sub_icb_locations_2025.csv", "code"),
        ),
        (
            {p.code for p in world.places},
            _real_column(shared_data, "lad24_region24_en.csv", "ltla24_code"),
        ),
        (
            {p.name for p in world.places},
            _real_column(shared_data, "lad24_region24_en.csv", "ltla24_name"),
        ),
        ({r.code for r in world.regions}, _real_column(shared_data, lookup, "nhser24_code")),
        (
            {r.ods_code for r in world.regions},
            _real_column(shared_data, lookup, "nhser24_code_nhs"),
        ),
        ({r.ons_code for r in world.regions}, _real_column(shared_data, lookup, "region24_code")),
        (
            {p.code for p in world.practices},
            _real_column(shared_data, "openprescribing_practices_2025.csv", 0),
        ),
        ({p.code for p in world.practices}, _real_column(shared_data, "epraccur_2022-12.csv", 0)),
        (
            {p.code for p in world.pcns},
            _real_column(shared_data, "epcn_2023-01_pcn_details.csv", "PCN Code"),
        ),
        (
            {p.code for p in world.pcns},
            _real_column(shared_data, "openprescribing_practices_2025.csv", 9),
        ),
        (
            {t.code for t in world.trusts},
            _real_column(shared_data, "ods_etr_nhs_trusts_2025.csv", 0),
        ),
        (
            {t.code for t in world.trusts},
            _real_column(shared_data, "ods_eccg_commissioners_2025.csv", 0),
        ),
    ]
    for ours, real in ours_and_real:
        assert real, "the real column was read"
        assert not ours & real, sorted(ours & real)[:5]


def test_names_are_plausible_and_clearly_synthetic(world):
    for system in world.systems:
        assert re.fullmatch(
            r"NHS [A-Z][a-z]+shire and [A-Z][a-z]+ Integrated Care Board", system.name
        )
    assert all(re.fullmatch(r"[A-Z][a-z]+ \d{3}[A-Z]", x.name) for x in world.lsoas)
    assert len({x.name for x in world.lsoas}) == len(world.lsoas)
    assert all(x.name.startswith(world.place(x.place_code).name + " ") for x in world.lsoas)
    assert all(
        p.postcode.startswith("Z") and not p.postcode.startswith("ZE") for p in world.practices
    )


def test_trust_kinds_can_be_read_from_their_names(world):
    words = {
        TrustKind.ACUTE: "HOSPITALS NHS",
        TrustKind.MENTAL_HEALTH: "MENTAL HEALTH NHS FOUNDATION TRUST",
        TrustKind.COMMUNITY: "COMMUNITY HEALTHCARE NHS TRUST",
        TrustKind.AMBULANCE: "AMBULANCE SERVICE NHS TRUST",
    }
    for trust in world.trusts:
        assert words[trust.kind] in trust.name
        assert trust.name == trust.name.upper()
    for system in world.systems:
        kinds = Counter(t.kind for t in world.trusts_of(system.code))
        assert 1 <= kinds[TrustKind.ACUTE] <= 2
        assert kinds[TrustKind.MENTAL_HEALTH] == kinds[TrustKind.COMMUNITY] == 1
    ambulance = [t for t in world.trusts if t.kind is TrustKind.AMBULANCE]
    assert sorted(t.region_code for t in ambulance) == [r.code for r in world.regions]


# --- deprivation -------------------------------------------------------------------------------


def test_every_lsoa_has_one_decile_with_about_a_tenth_in_each(world):
    n = len(world.lsoas)
    for d in range(len(IMD_DOMAINS)):
        counts = Counter(x.deprivation.deciles[d] for x in world.lsoas)
        assert sorted(counts) == list(range(1, 11))
        assert all(abs(c - n / 10) <= 1 for c in counts.values())
        assert sorted(x.deprivation.ranks[d] for x in world.lsoas) == list(range(1, n + 1))


def test_deciles_follow_ranks_and_scores_fall_as_ranks_rise(world):
    n = len(world.lsoas)
    by_rank = sorted(world.lsoas, key=lambda x: x.deprivation.ranks[0])
    assert [x.imd_decile for x in by_rank] == [(r * 10) // n + 1 for r in range(n)]
    scores = [x.deprivation.scores[0] for x in by_rank]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] < 8
    assert 40 < scores[0] <= 95


def test_deprivation_differs_between_systems_and_clusters_by_place(world):
    def mean_decile(code: str) -> float:
        lsoas = world.lsoas_of(code)
        return sum(x.imd_decile for x in lsoas) / len(lsoas)

    by_system = [mean_decile(s.code) for s in world.systems]
    assert max(by_system) - min(by_system) > 2
    by_place = [mean_decile(p.code) for p in world.places]
    assert max(by_place) - min(by_place) > 3


def test_rural_lsoas_are_less_deprived_on_average(world):
    rural = [x.imd_decile for x in world.lsoas if x.ruc21_code.startswith("R")]
    urban = [x.imd_decile for x in world.lsoas if x.ruc21_code.startswith("U")]
    assert sum(rural) / len(rural) > sum(urban) / len(urban)


# --- structure and population ------------------------------------------------------------------


def _assert_nesting(world: World) -> None:
    systems = {s.code for s in world.systems}
    regions = {r.code for r in world.regions}
    assert all(s.region_code in regions for s in world.systems)
    assert all(s.system_code in systems for s in world.sub_icbs)
    for system in world.systems:
        assert 1 <= len(world.sub_icbs_of(system.code)) <= 3
        subs = {s.code for s in world.sub_icbs_of(system.code)}
        assert {p.sub_icb_code for p in world.places_of(system.code)} == subs
    for lsoa in world.lsoas:
        place = world.place(lsoa.place_code)
        assert (lsoa.sub_icb_code, lsoa.system_code) == (place.sub_icb_code, place.system_code)
    practices = {p.code: p for p in world.practices}
    for practice in world.practices:
        assert world.sub_icb(practice.sub_icb_code).system_code == practice.system_code
        assert world.place(practice.place_code).sub_icb_code == practice.sub_icb_code
    for pcn in world.pcns:
        members = [practices[c] for c in pcn.practice_codes]
        assert 3 <= len(members) <= 6
        assert {m.sub_icb_code for m in members} == {pcn.sub_icb_code}
        assert all(m.pcn_code == pcn.code and m.is_active for m in members)
    assert all(p.pcn_code for p in world.practices if p.is_active)


def test_nesting_is_consistent(world):
    _assert_nesting(world)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_nesting_holds_for_any_seed(seed):
    _assert_nesting(build_world(WorldSpec(seed=seed, regions=2, lsoas_per_place=(5, 9))))


def test_default_world_has_the_documented_scale(world):
    assert len(world.regions) == 7
    assert len(world.systems) == 14
    assert 2_000 <= len(world.lsoas) <= 3_000
    assert 300 <= len([p for p in world.practices if p.is_active]) <= 600
    assert 3_000_000 <= world.total_population <= 5_000_000
    for system in world.systems:
        assert 120_000 <= world.population_of(system.code) <= 600_000
        assert 2 <= len(world.places_of(system.code)) <= 4
    assert all(1_000 <= x.total_population <= 3_500 for x in world.lsoas)


def test_age_structure_is_realistic(world):
    def share_65_plus(lsoas: tuple) -> float:
        return sum(sum(x.population[65:]) for x in lsoas) / sum(x.total_population for x in lsoas)

    assert 0.15 <= share_65_plus(world.lsoas) <= 0.25
    for system in world.systems:
        assert 0.12 <= share_65_plus(world.lsoas_of(system.code)) <= 0.30
    rural = tuple(x for x in world.lsoas if x.ruc21_code.startswith("R"))
    deprived_urban = tuple(x for x in world.lsoas if x.ruc21_code == "UN1" and x.imd_decile == 1)
    assert share_65_plus(rural) > share_65_plus(world.lsoas) > share_65_plus(deprived_urban)
    assert all(len(x.population) == AGES for x in world.lsoas)


def test_list_sizes_share_out_the_population_of_each_place(world):
    for place in world.places:
        registered = sum(p.list_size for p in world.practices_of(place.code))
        assert 1.0 <= registered / world.population_of(place.code) <= 1.06
    assert all(p.list_size > 0 for p in world.practices if p.is_active)
    assert all(p.list_size == 0 for p in world.practices if not p.is_active)


def test_practices_sit_in_england(world):
    assert all(49.9 < p.latitude < 55.8 and -5.7 < p.longitude < 1.8 for p in world.practices)


def test_accessors_return_tuples_of_the_right_records(world):
    system = world.systems[0]
    assert world.system(system.code) is system
    assert world.region(system.region_code).code == system.region_code
    assert world.systems_of(system.region_code)[0] is system
    assert all(p.system_code == system.code for p in world.places_of(system.code))
    assert isinstance(world.practices_of(system.code), tuple)
    assert len(world.practices_of(system.code, active_only=False)) >= len(
        world.practices_of(system.code)
    )
    assert world.pcns_of(system.code)
    with pytest.raises(KeyError):
        world.system(world.places[0].code)


@pytest.mark.parametrize(
    "spec",
    [
        {"regions": 0},
        {"regions": 11},
        {"places_per_system": (3, 2)},
        {"lsoas_per_place": (0, 4)},
        {"practices_per_place": (2, 8)},
        {"closed_practices": -1},
        {"regions": 10, "systems_per_region": 3, "practices_per_place": (3, 20)},
        {"lsoas_per_place": (40, 5000)},
    ],
)
def test_an_impossible_spec_is_a_user_error(spec):
    with pytest.raises(UserError):
        WorldSpec(**spec)


def test_model_constants_have_the_right_shape():
    assert len(_people._ENGLAND_AGE_PROFILE) == AGES
    assert len(_people._DOMAIN_MODEL) == len(IMD_DOMAINS)
    assert sum(_people._ENGLAND_AGE_PROFILE) == pytest.approx(100_000, abs=50)
    assert _names.sub_icb_ods(0) == "Z1A"
    assert _names.sub_icb_ods(26) == "Z2A"
    assert _names.gss("E54", 1) == "E54900001"


def test_the_reference_loader_reads_every_file_without_quarantine(files):
    from icsys.reference.load import parse_files  # noqa: PLC0415 - the loader under test

    parsed, skipped = parse_files(
        list(files.values()), valid_from=None, encoding="utf-8", progress=lambda _: None
    )
    assert not skipped
    assert sorted(p.label for p in parsed) == sorted(files)
    for p in parsed:
        assert p.quarantine == [], (p.label, p.quarantine[:3])
        assert p.rows_out_of_scope == 0, p.label
