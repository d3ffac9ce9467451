"""NHS organisation files: headerless ODS extracts (etr, epraccur, eccg), OpenPrescribing tables,
ePCN (CSV or the .xlsx as published), and trust lookups.

Practices, PCNs and trusts are levels of the registered hierarchy and organisations with a
type and sector. Their parents in ODS files are ODS codes (``16C``, ``QHM``); the register
resolves them to the GSS code in force at the date asked, so a sub-ICB location that changed
GSS code keeps its practices.
"""

from __future__ import annotations

import re
from datetime import date

from icsys.domain import codes
from icsys.domain.levels import Level, OrgType, Relation, TrustType, sector_of
from icsys.reference.formats._common import (
    RowCheck,
    field,
    has_columns,
    header_index,
    parse_date,
    row_width,
)
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

SUB_ICB_ODS = "sub_icb_ods"
SYSTEM_ODS = "system_ods"
ODS_WIDTH = 27
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")


def _latest_date(table: Table, positions: list[int], *, headerless: bool) -> date | None:
    latest: date | None = None
    for _line, row in table.all_rows(headerless=headerless):
        for pos in positions:
            try:
                when = parse_date(field(row, pos))
            except ValueError:
                continue
            if when is not None and (latest is None or when > latest):
                latest = when
    return latest


def trust_type(name: str) -> TrustType:
    upper = name.upper()
    if "AMBULANCE" in upper:
        return TrustType.AMBULANCE
    if any(
        w in upper
        for w in (
            "MENTAL HEALTH",
            "PARTNERSHIP",
            "PSYCHIATRIC",
            "TAVISTOCK",
            "CARE NHS",
            "BEHAVIOURAL",
        )
    ):
        return TrustType.MENTAL_HEALTH
    if "COMMUNITY" in upper:
        return TrustType.COMMUNITY
    if any(w in upper for w in ("HOSPITAL", "HEALTHCARE", "UNIVERSITY", "MEDICAL CENTRE")):
        return TrustType.ACUTE
    return TrustType.UNKNOWN


def _org(
    parsed: Parsed,
    code: str,
    name: str,
    org_type: OrgType,
    *,
    snapshot: date,
    postcode: str = "",
    opened: date | None = None,
    closed: date | None = None,
    status: str = "",
    kind_of_trust: TrustType | None = None,
) -> None:
    parsed.orgs.append(
        (
            code,
            name or None,
            org_type.value,
            kind_of_trust.value if kind_of_trust else None,
            sector_of(org_type, kind_of_trust).value,
            postcode or None,
            opened,
            closed,
            status or None,
            snapshot,
        )
    )


def _org_code(check: RowCheck, column: str, code: str) -> str:
    """Any ODS organisation code: 3 to 6 capital letters and digits."""
    if not _ODS_CODE.match(code):
        check.fail(column, code, "expected an ODS code of 3 to 6 capital letters and digits")
    return code


# --- headerless ODS extracts --------------------------------------------------------------


def ods_score(table: Table) -> tuple[float, list[str]]:
    first = table.first
    if len(first) < 20 or not _ODS_CODE.match(first[0].strip()):
        return 0.0, []
    try:
        parse_date(field(first, 10))
    except ValueError:
        return 0.0, []
    return 1.0, []


def _ods_kind(table: Table) -> str:
    rows = table.all_rows(headerless=True)
    names = [field(r, 1).upper() for _, r in rows]
    if sum(bool(re.match(r"^[A-Z]\d{5}$", field(r, 0))) for _, r in rows) > len(rows) / 2:
        return "practices"
    if sum("TRUST" in n for n in names) > len(rows) / 2:
        return "trusts"
    return "commissioners"


def parse_ods(table: Table, parsed: Parsed) -> None:
    kind = _ods_kind(table)
    parsed.kind = f"ods_{kind}"
    snapshot = _latest_date(table, [10, 11, 15, 16], headerless=True) or date.today()  # noqa: DTZ011 - a calendar date
    for line, row in table.all_rows(headerless=True):
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, ODS_WIDTH - 1):
            continue
        code, name = field(row, 0), field(row, 1)
        if kind == "trusts" and field(row, 23) == "W" and not field(row, 2):
            parsed.skip("Welsh trust (icsys covers England)")
            continue
        opened = check.date("Open Date (column 11)", field(row, 10))
        closed = check.date("Close Date (column 12)", field(row, 11))
        postcode = field(row, 9)
        if kind == "practices":
            _ods_practice(parsed, check, row, snapshot, opened, closed)
        elif kind == "trusts":
            check.ods("Organisation Code (column 1)", code, Level.TRUST)
            icb = field(row, 3)
            if not check.ok:
                continue
            start = opened or snapshot
            parsed.exists(Level.TRUST, code, start, closed, name=name, ods=code, snapshot=snapshot)
            if icb:
                parsed.link(
                    Relation.PARENT,
                    Level.TRUST,
                    code,
                    SYSTEM_ODS,
                    icb,
                    start,
                    closed,
                    snapshot=snapshot,
                )
            _org(
                parsed,
                code,
                name,
                OrgType.NHS_TRUST,
                snapshot=snapshot,
                postcode=postcode,
                opened=opened,
                closed=closed,
                kind_of_trust=trust_type(name),
            )
        elif _org_code(check, "Organisation Code (column 1)", code) and check.ok:
            org_type = OrgType.ICB if re.match(r"^Q[A-Z0-9]{2}$", code) else OrgType.COMMISSIONER
            _org(
                parsed,
                code,
                name,
                org_type,
                snapshot=snapshot,
                postcode=postcode,
                opened=opened,
                closed=closed,
            )


def _ods_practice(
    parsed: Parsed,
    check: RowCheck,
    row: list[str],
    snapshot: date,
    opened: date | None,
    closed: date | None,
) -> None:
    setting = field(row, 25)
    if setting != "4":
        parsed.skip(f"prescribing setting {setting or 'blank'} is not a GP practice")
        return
    if field(row, 0).startswith("W"):
        parsed.skip("Welsh practice (icsys covers England)")
        return
    code = check.ods("Organisation Code (column 1)", field(row, 0), Level.PRACTICE)
    commissioner = field(row, 14)
    joined = check.date("Join Provider/Purchaser Date (column 16)", field(row, 15))
    left = check.date("Left Provider/Purchaser Date (column 17)", field(row, 16))
    if not check.ok:
        return
    start = opened or snapshot
    name = field(row, 1)
    parsed.exists(Level.PRACTICE, code, start, closed, name=name, ods=code, snapshot=snapshot)
    if commissioner:
        parsed.link(
            Relation.PARENT,
            Level.PRACTICE,
            code,
            SUB_ICB_ODS,
            commissioner,
            joined or start,
            left or closed,
            snapshot=snapshot,
        )
    _org(
        parsed,
        code,
        name,
        OrgType.GP_PRACTICE,
        snapshot=snapshot,
        postcode=field(row, 9),
        opened=opened,
        closed=closed,
        status=field(row, 12),
    )


# --- OpenPrescribing tables -----------------------------------------------------------------

_OP_PRACTICE = (
    "code",
    "name",
    "postcode",
    "sub_icb_location_ods_code",
    "pcn_id",
    "setting",
    "open_date",
    "close_date",
    "status_code",
)


def op_practice_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_OP_PRACTICE)
    return present / len(_OP_PRACTICE), missing


def parse_op_practices(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _OP_PRACTICE}
    joined_pos, left_pos = index.get("joinproviderdate"), index.get("leaveproviderdate")
    date_cols = [
        p for p in (pos["open_date"], pos["close_date"], joined_pos, left_pos) if p is not None
    ]
    snapshot = _latest_date(table, date_cols, headerless=False) or date.today()  # noqa: DTZ011 - a calendar date
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        setting = field(row, pos["setting"])
        if setting != "4":
            parsed.skip(f"prescribing setting {setting or 'blank'} is not a GP practice")
            continue
        if field(row, pos["code"]).startswith("W"):
            parsed.skip("Welsh practice (icsys covers England)")
            continue
        code = check.ods("code", field(row, pos["code"]), Level.PRACTICE)
        opened = check.date("open_date", field(row, pos["open_date"]))
        closed = check.date("close_date", field(row, pos["close_date"]))
        joined = check.date("join_provider_date", field(row, joined_pos))
        left = check.date("leave_provider_date", field(row, left_pos))
        sub_icb_ods = field(row, pos["sub_icb_location_ods_code"])
        if sub_icb_ods:
            check.ods("sub_icb_location_ods_code", sub_icb_ods, Level.SUB_ICB)
        pcn = field(row, pos["pcn_id"])
        if pcn:
            check.ods("pcn_id", pcn, Level.PCN)
        if not check.ok:
            continue
        name, sub_icb = field(row, pos["name"]), field(row, pos["sub_icb_location_ods_code"])
        start = opened or joined or snapshot
        parsed.exists(Level.PRACTICE, code, start, closed, name=name, ods=code, snapshot=snapshot)
        if sub_icb:
            parsed.link(
                Relation.PARENT,
                Level.PRACTICE,
                code,
                SUB_ICB_ODS,
                sub_icb,
                joined or start,
                left or closed,
                snapshot=snapshot,
            )
        if pcn and closed is None:
            parsed.link(Relation.PARENT, Level.PRACTICE, code, Level.PCN, pcn, snapshot)
        _org(
            parsed,
            code,
            name,
            OrgType.GP_PRACTICE,
            snapshot=snapshot,
            postcode=field(row, pos["postcode"]),
            opened=opened,
            closed=closed,
            status=field(row, pos["status_code"]),
        )


_OP_ORGS = ("code", "name", "ons_code", "org_type", "open_date", "close_date", "stp_id")


def op_orgs_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_OP_ORGS)
    return present / len(_OP_ORGS), missing


def parse_op_orgs(table: Table, parsed: Parsed) -> None:
    """OpenPrescribing's commissioner table (sub-ICB locations, and historical CCGs and PCTs)."""
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _OP_ORGS}
    snapshot = (
        _latest_date(table, [pos["open_date"], pos["close_date"]], headerless=False) or date.today()  # noqa: DTZ011 - a calendar date
    )
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        org_type = field(row, pos["org_type"])
        name = field(row, pos["name"])
        if org_type.lower() in {"", "unknown"} or not name:
            parsed.skip("organisation of unknown type or without a name")
            continue
        _org_code(check, "code", field(row, pos["code"]))
        opened = check.date("open_date", field(row, pos["open_date"]))
        closed = check.date("close_date", field(row, pos["close_date"]))
        if check.ok:
            _org(
                parsed,
                field(row, pos["code"]),
                name,
                OrgType.COMMISSIONER,
                snapshot=snapshot,
                opened=opened,
                closed=closed,
                status=org_type,
            )


def op_icbs_score(table: Table) -> tuple[float, list[str]]:
    names = [h.strip().lower() for h in table.first]
    if names != ["code", "name"]:
        return 0.0, []
    looks_icb = sum("INTEGRATED CARE BOARD" in field(r, 1).upper() for _, r in table.rows)
    return (1.0 if looks_icb > len(table.rows) / 2 else 0.0), []


def parse_op_icbs(table: Table, parsed: Parsed) -> None:
    """ICBs by ODS code and name (includes the merged ICBs created for 2026)."""
    snapshot = parsed.valid_from_override or date.today()  # noqa: DTZ011 - the file has no dates
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        code = _org_code(check, "code", field(row, 0))
        if check.ok:
            _org(parsed, code, field(row, 1), OrgType.ICB, snapshot=snapshot)
            if not re.match(r"^Q[A-Z0-9]{2}$", code):
                parsed.notes.append(f"new ICB organisation {code} ({field(row, 1)})")


# --- ePCN -----------------------------------------------------------------------------------

_PCN = ("PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Open Date", "Close Date")
_MEMBER = (
    "Partner Organisation Code",
    "PCN Code",
    "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date",
)


def pcn_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_PCN)
    return present / len(_PCN), missing


def member_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_MEMBER)
    return present / len(_MEMBER), missing


def parse_pcns(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.lower().replace(" ", "")] for c in _PCN}
    snapshot = (
        _latest_date(table, [pos["Open Date"], pos["Close Date"]], headerless=False) or date.today()  # noqa: DTZ011 - a calendar date
    )
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        code = check.ods("PCN Code", field(row, pos["PCN Code"]), Level.PCN)
        opened = check.date("Open Date", field(row, pos["Open Date"]), required=True)
        closed = check.date("Close Date", field(row, pos["Close Date"]))
        sub_icb = check.required(
            "Current Sub ICB Loc Code", field(row, pos["Current Sub ICB Loc Code"])
        )
        if not check.ok or opened is None:
            continue
        name = field(row, pos["PCN Name"])
        parsed.exists(Level.PCN, code, opened, closed, name=name, ods=code, snapshot=snapshot)
        parsed.link(
            Relation.PARENT,
            Level.PCN,
            code,
            SUB_ICB_ODS,
            sub_icb,
            opened,
            closed,
            snapshot=snapshot,
        )
        _org(parsed, code, name, OrgType.PCN, snapshot=snapshot, opened=opened, closed=closed)


def parse_members(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.lower().replace(" ", "")] for c in _MEMBER}
    start_col, end_col = _MEMBER[2], _MEMBER[3]
    snapshot = _latest_date(table, [pos[start_col], pos[end_col]], headerless=False) or date.today()  # noqa: DTZ011 - a calendar date
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        practice = field(row, pos["Partner Organisation Code"])
        if not codes.is_ods(practice, Level.PRACTICE):
            check.fail(
                "Partner Organisation Code",
                practice,
                f"expected {codes.expected_code(Level.PRACTICE)}",
            )
        pcn = check.ods("PCN Code", field(row, pos["PCN Code"]), Level.PCN)
        start = check.date(start_col, field(row, pos[start_col]), required=True)
        end = check.date(end_col, field(row, pos[end_col]))
        if check.ok and start is not None:
            end_exclusive = date.fromordinal(end.toordinal() + 1) if end else None
            parsed.link(
                Relation.PARENT,
                Level.PRACTICE,
                practice,
                Level.PCN,
                pcn,
                start,
                end_exclusive,
                snapshot=snapshot,
            )


# --- trust lookups (2022) -------------------------------------------------------------------

_TRUST_REGION = ("nhs_trust22_code", "nhs_trust22_name", "nhs_region21_ons_code", "status")
_CATCHMENT = ("nhs_trust22_code", "icb22_code", "proportion_trust_came_from_icb")
TRUSTS_2022 = date(2022, 4, 1)
ICB_2022 = date(2022, 7, 1)


def trust_region_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_TRUST_REGION)
    return present / len(_TRUST_REGION), missing


def catchment_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_CATCHMENT)
    return present / len(_CATCHMENT), missing


def parse_trust_region(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _TRUST_REGION}
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        code = check.ods("nhs_trust22_code", field(row, pos["nhs_trust22_code"]), Level.TRUST)
        region = field(row, pos["nhs_region21_ons_code"])
        if region:
            check.gss("nhs_region21_ons_code", region, Level.NHS_REGION)
        if check.ok:
            name = field(row, pos["nhs_trust22_name"])
            if region:
                parsed.link(
                    Relation.PARENT, Level.TRUST, code, Level.NHS_REGION, region, TRUSTS_2022
                )
            _org(
                parsed,
                code,
                name.upper(),
                OrgType.NHS_TRUST,
                snapshot=TRUSTS_2022,
                status=field(row, pos["status"]),
                kind_of_trust=trust_type(name),
            )


def parse_catchment(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _CATCHMENT}
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        code = check.ods("nhs_trust22_code", field(row, pos["nhs_trust22_code"]), Level.TRUST)
        icb = check.gss("icb22_code", field(row, pos["icb22_code"]), Level.SYSTEM)
        share = check.number(
            "proportion_trust_came_from_icb", field(row, pos["proportion_trust_came_from_icb"])
        )
        if share is not None and not 0 <= share <= 1:
            check.fail(
                "proportion_trust_came_from_icb", str(share), "expected a proportion from 0 to 1"
            )
        if check.ok:
            parsed.link(
                Relation.CATCHMENT, Level.TRUST, code, Level.SYSTEM, icb, ICB_2022, share=share
            )
