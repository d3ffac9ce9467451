"""Write a synthetic world as reference files in the exact formats NHS, ONS and MHCLG publish.

Each file copies the header, quoting, date format and line ending of its real counterpart (named in
``FILE_FORMATS``), so ``icsys reference load`` reads the synthetic world through the same code path
as the real files. Files are written atomically: a temporary file beside the target, then a rename.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from icsys.synth._model import AGES, IMD_DOMAINS, Practice, World

LOOKUP = "lsoa21_sicbl24_icb24_nhser24_lad24_en_synth.csv"
ICBS = "icb24_names_codes_synth.csv"
NHS_REGIONS = "nhser24_names_codes_synth.csv"
LADS = "lad24_region24_synth.csv"
IMD = "imd2025_lsoa21_synth.csv"
RUC = "ruc21_lsoa21_synth.csv"
POPULATION = "population_mid2022_lsoa21_sya_synth.csv"
PRACTICES = "practices_synth.csv"
PCN_DETAILS = "epcn_pcn_details_synth.csv"
PCN_MEMBERSHIP = "epcn_practice_pcn_membership_synth.csv"
LIST_SIZES = "gp_reg_pat_prac_all_synth.csv"
TRUSTS = "ods_etr_trusts_synth.csv"

# Synthetic file -> the real published file whose header and layout it copies.
FILE_FORMATS = {
    LOOKUP: "lsoa21_sicbl24_icb24_nhser24_lad24_en_DERIVED.csv",
    ICBS: "icb24_names_codes_en.csv",
    NHS_REGIONS: "nhser24_names_codes_en.csv",
    LADS: "lad24_region24_en.csv",
    IMD: "imd2025_lsoa21_en.csv",
    RUC: "ruc21_lsoa21_ew.csv",
    POPULATION: "population_mid2020_lsoa11_sya_ew.csv",
    PRACTICES: "openprescribing_practices_2025.csv",
    PCN_DETAILS: "epcn_2023-01_pcn_details.csv",
    PCN_MEMBERSHIP: "epcn_2023-01_practice_pcn_membership.csv",
    LIST_SIZES: "gp_reg_pat_prac_all_2021-01.csv",
    TRUSTS: "ods_etr_nhs_trusts_2025.csv",
}

HEADERS: dict[str, tuple[str, ...] | None] = {
    LOOKUP: (
        "lsoa21_code", "lsoa21_name", "sicbl24_code", "sicbl24_code_nhs", "sicbl24_name",
        "icb24_code", "icb24_code_nhs", "icb24_name", "nhser24_code", "nhser24_code_nhs",
        "nhser24_name", "lad24_code", "lad24_name", "region24_code", "region24_name",
    ),
    ICBS: ("ICB24CD", "ICB24CDH", "ICB24NM", "ObjectId"),
    NHS_REGIONS: ("NHSER24CD", "NHSER24CDH", "NHSER24NM", "ObjectId"),
    LADS: ("ltla24_name", "ltla24_code", "region24_name", "region24_code"),
    IMD: (
        "lsoa21_code",
        *(f"{d}_decile" for d in IMD_DOMAINS),
        *(f"{d}_rank" for d in IMD_DOMAINS),
        *(f"{d}_score" for d in IMD_DOMAINS),
    ),
    RUC: ("lsoa21_code", "ruc21_code", "classification", "ruc"),
    POPULATION: (
        "lsoa21_name", "lsoa21_code", "total_population", *(str(a) for a in range(AGES - 1)), "90+",
    ),
    PRACTICES: (
        "code", "name", "address1", "address2", "address3", "address4", "address5", "postcode",
        "sub_icb_location_ods_code", "pcn_id", "setting", "close_date", "join_provider_date",
        "leave_provider_date", "open_date", "status_code", "latitude", "longitude",
    ),
    PCN_DETAILS: (
        "PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location", "Open Date",
        "Close Date", "Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4",
        "Address Line 5", "Postcode",
    ),
    PCN_MEMBERSHIP: (
        "Partner Organisation Code", "Partner Name", "Practice Parent Sub ICB Loc Code",
        "Practice Parent Sub ICB Loc Name", "PCN Code", "PCN Name", "PCN Parent Sub ICB Loc Code",
        "PCN Parent Sub ICB Loc Name", "Practice to PCN Relationship Start Date",
        "Practice to PCN Relationship End Date", "Practice Sub ICB Loc and PCN Sub ICB Loc Match",
    ),
    LIST_SIZES: (
        "PUBLICATION", "EXTRACT_DATE", "TYPE", "CCG_CODE", "ONS_CCG_CODE", "CODE", "POSTCODE",
        "SEX", "AGE", "NUMBER_OF_PATIENTS",
    ),
    TRUSTS: None,  # the ODS extracts have no header row
}  # fmt: skip

RUC21_LABELS = {
    "UN1": ("Urban: Nearer to a major town or city", "Urban"),
    "UF1": ("Urban: Further from a major town or city", "Urban"),
    "RLN1": ("Larger rural: Nearer to a major town or city", "Rural"),
    "RLF1": ("Larger rural: Further from a major town or city", "Rural"),
    "RSN1": ("Smaller rural: Nearer to a major town or city", "Rural"),
    "RSF1": ("Smaller rural: Further from a major town or city", "Rural"),
}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_PROVIDER_DATA_START = dt.date(2013, 4, 1)  # OpenPrescribing's join_provider_date floor
_ODS_COLUMNS = 27

Row = Sequence[str | int | float]
Quoting = Literal[0, 1, 2, 3]  # csv.QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_NONE


def write_world_files(world: World, directory: Path | str) -> list[Path]:
    """Write every reference file of ``world`` into ``directory`` (created if missing).

    Returns the paths written, in the order of ``FILE_FORMATS``.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    writers: dict[str, tuple[Callable[[World], Iterable[Row]], Quoting, str]] = {
        LOOKUP: (_lookup_rows, csv.QUOTE_MINIMAL, "\n"),
        ICBS: (_icb_rows, csv.QUOTE_MINIMAL, "\n"),
        NHS_REGIONS: (_region_rows, csv.QUOTE_MINIMAL, "\n"),
        LADS: (_lad_rows, csv.QUOTE_ALL, "\n"),
        IMD: (_imd_rows, csv.QUOTE_NONNUMERIC, "\n"),
        RUC: (_ruc_rows, csv.QUOTE_ALL, "\n"),
        POPULATION: (_population_rows, csv.QUOTE_NONNUMERIC, "\n"),
        PRACTICES: (_practice_rows, csv.QUOTE_MINIMAL, "\n"),
        PCN_DETAILS: (_pcn_rows, csv.QUOTE_MINIMAL, "\n"),
        PCN_MEMBERSHIP: (_membership_rows, csv.QUOTE_MINIMAL, "\n"),
        LIST_SIZES: (_list_size_rows, csv.QUOTE_MINIMAL, "\r\n"),
        TRUSTS: (_trust_rows, csv.QUOTE_ALL, "\r\n"),
    }
    written = []
    for name, (rows, quoting, line_end) in writers.items():
        header = HEADERS[name]
        body = rows(world)
        _write_atomic(target / name, [header, *body] if header else body, quoting, line_end)
        written.append(target / name)
    return written


def _write_atomic(path: Path, rows: Iterable[Row], quoting: Quoting, line_end: str) -> None:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename below
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            csv.writer(handle, quoting=quoting, lineterminator=line_end).writerows(rows)
        Path(handle.name).replace(path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _compact(day: dt.date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _lookup_rows(world: World) -> Iterable[Row]:
    for lsoa in world.lsoas:
        sub = world.sub_icb(lsoa.sub_icb_code)
        system = world.system(lsoa.system_code)
        region = world.region(system.region_code)
        place = world.place(lsoa.place_code)
        yield (
            lsoa.code, lsoa.name, sub.code, sub.ods_code, sub.name,
            system.code, system.ods_code, system.name, region.code, region.ods_code, region.name,
            place.code, place.name, region.ons_code, region.name,
        )  # fmt: skip


def _icb_rows(world: World) -> Iterable[Row]:
    for i, system in enumerate(world.systems, start=1):
        yield system.code, system.ods_code, system.name, i


def _region_rows(world: World) -> Iterable[Row]:
    for i, region in enumerate(world.regions, start=1):
        yield region.code, region.ods_code, region.name, i


def _lad_rows(world: World) -> Iterable[Row]:
    for place in sorted(world.places, key=lambda p: p.code):
        region = world.region(world.system(place.system_code).region_code)
        yield place.name, place.code, region.name, region.ons_code


def _imd_rows(world: World) -> Iterable[Row]:
    for lsoa in world.lsoas:
        d = lsoa.deprivation
        yield (lsoa.code, *d.deciles, *d.ranks, *d.scores)


def _ruc_rows(world: World) -> Iterable[Row]:
    for lsoa in world.lsoas:
        yield (lsoa.code, lsoa.ruc21_code, *RUC21_LABELS[lsoa.ruc21_code])


def _population_rows(world: World) -> Iterable[Row]:
    for lsoa in world.lsoas:
        yield (lsoa.name, lsoa.code, lsoa.total_population, *lsoa.population)


def _practice_rows(world: World) -> Iterable[Row]:
    for p in world.practices:
        street, town = p.address
        yield (
            p.code, p.name, street, town, "", "", "", p.postcode,
            world.sub_icb(p.sub_icb_code).ods_code, (p.pcn_code or "") if p.is_active else "", 4,
            _iso(p.close_date), _iso(max(p.open_date, _PROVIDER_DATA_START)), _iso(p.close_date),
            _iso(p.open_date), "A" if p.is_active else "C",
            f"{p.latitude:.6f}", f"{p.longitude:.6f}",
        )  # fmt: skip


def _pcn_rows(world: World) -> Iterable[Row]:
    practices = {p.code: p for p in world.practices}
    for pcn in world.pcns:
        sub = world.sub_icb(pcn.sub_icb_code)
        base: Practice = practices[pcn.practice_codes[0]]
        street, town = base.address
        yield (
            pcn.code, pcn.name, sub.ods_code, sub.name.upper(), _compact(pcn.open_date), "",
            base.name, street, "", town, "", base.postcode,
        )  # fmt: skip


def _membership_rows(world: World) -> Iterable[Row]:
    pcns = {pcn.code: pcn for pcn in world.pcns}
    for p in world.practices:
        if p.pcn_code is None:
            continue
        pcn = pcns[p.pcn_code]
        own = world.sub_icb(p.sub_icb_code)
        theirs = world.sub_icb(pcn.sub_icb_code)
        yield (
            p.code, p.name, own.ods_code, own.name.upper(), pcn.code, pcn.name,
            theirs.ods_code, theirs.name.upper(), _compact(max(pcn.open_date, p.open_date)),
            _compact(p.close_date), str(own.code == theirs.code),
        )  # fmt: skip


def _list_size_rows(world: World) -> Iterable[Row]:
    day = world.spec.extract_date
    extract = f"{day.day:02d}{_MONTHS[day.month - 1]}{day.year}"
    for p in world.practices:
        if not p.is_active:
            continue
        sub = world.sub_icb(p.sub_icb_code)
        yield (
            "GP_PRAC_PAT_LIST", extract, "GP", sub.ods_code, sub.code, p.code, p.postcode,
            "ALL", "ALL", p.list_size,
        )  # fmt: skip


def _trust_rows(world: World) -> Iterable[Row]:
    for trust in world.trusts:
        region = world.region(trust.region_code)
        street, town = trust.address
        row = [""] * _ODS_COLUMNS
        row[0:4] = [
            trust.code,
            trust.name,
            region.ods_code,
            world.system(trust.system_code).ods_code,
        ]
        row[4:12] = [street, "", "", town, "", trust.postcode, _compact(trust.open_date), ""]
        row[21] = "1"
        row[23] = region.letter
        yield row
