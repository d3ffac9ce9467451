"""The reference file formats icsys reads, recognised by their columns (never their names)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from icsys.errors import InputFileError
from icsys.reference.formats import deprivation, geography, ods, population, successions
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

Scorer = Callable[[Table], tuple[float, list[str]]]
Parser = Callable[[Table, Parsed], None]

NEAR_MISS = 0.6  # a file with this share of a format's columns is that format, damaged


@dataclass(frozen=True)
class Format:
    kind: str
    description: str
    score: Scorer
    parse: Parser


FORMATS: tuple[Format, ...] = (
    Format(
        "successions",
        "Declared code successions (level, old_code, new_code, effective_date)",
        successions.score,
        successions.parse,
    ),
    Format(
        "imd",
        "English Indices of Deprivation by LSOA (ranks, deciles, scores)",
        deprivation.imd_score,
        deprivation.parse_imd,
    ),
    Format(
        "ruc",
        "ONS rural-urban classification of LSOAs",
        deprivation.ruc_score,
        deprivation.parse_ruc,
    ),
    Format(
        "fingertips",
        "OHID Fingertips indicator export",
        deprivation.fingertips_score,
        deprivation.parse_fingertips,
    ),
    Format(
        "population_sya",
        "ONS small-area population estimates by single year of age",
        population.sya_score,
        population.parse_sya,
    ),
    Format(
        "gp_registered",
        "Patients registered at a GP practice",
        population.gp_reg_score,
        population.parse_gp_reg,
    ),
    Format(
        "qof_prevalence",
        "QOF registers and list sizes by practice",
        population.qof_score,
        population.parse_qof,
    ),
    Format(
        "qof_geography",
        "QOF practice geography by year",
        population.qof_geo_score,
        population.parse_qof_geo,
    ),
    Format(
        "op_practices", "OpenPrescribing practices", ods.op_practice_score, ods.parse_op_practices
    ),
    Format(
        "op_commissioners",
        "OpenPrescribing sub-ICB locations and CCGs",
        ods.op_orgs_score,
        ods.parse_op_orgs,
    ),
    Format("op_icbs", "ICB codes and names", ods.op_icbs_score, ods.parse_op_icbs),
    Format("epcn_pcns", "ODS ePCN: PCN details", ods.pcn_score, ods.parse_pcns),
    Format(
        "epcn_members", "ODS ePCN: practice to PCN membership", ods.member_score, ods.parse_members
    ),
    Format(
        "trust_region",
        "NHS trusts and their NHS region (2022)",
        ods.trust_region_score,
        ods.parse_trust_region,
    ),
    Format(
        "trust_catchment",
        "Share of each trust's patients by ICB (2022)",
        ods.catchment_score,
        ods.parse_catchment,
    ),
    Format(
        "ods_extract",
        "Headerless ODS extract (etr trusts, epraccur practices, eccg)",
        ods.ods_score,
        ods.parse_ods,
    ),
    Format(
        "geography", "ONS/NHS geography lookup or names and codes", geography.score, geography.parse
    ),
)


def recognise(table: Table) -> Format | None:
    """The format of a table; ``None`` if it is none of ours.

    Raises :class:`InputFileError` when a table is most of one format but lacks columns of it.
    """
    scored = [(fmt.score(table), fmt) for fmt in FORMATS]
    complete = [(s, fmt) for (s, missing), fmt in scored if s >= 1.0 and not missing]
    if complete:
        return complete[0][1]
    best = max(scored, key=lambda item: item[0][0])
    (share, missing), fmt = best
    if share >= NEAR_MISS and missing:
        raise InputFileError(
            f"looks like {fmt.description} but lacks column(s) {', '.join(missing)}",
            path=table.label,
            line=1,
            column=missing[0],
            expected="the published column names",
        )
    if fmt is FORMATS[-1] and share >= NEAR_MISS:
        return fmt
    return None
