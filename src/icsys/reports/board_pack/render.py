"""A board pack as one self-contained HTML document (inline CSS and SVG, nothing fetched).

Templates are in ``icsys/reports/templates/board_pack/``; the print stylesheet there gives A4
pages with running headers, page numbers, repeated table headers and charts kept whole.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from icsys.reports.board_pack.model import BoardPack, Reading
from icsys.reports.spc_svg import icon_label, icon_svg

SECTORS = {
    "nhs_commissioner": "NHS commissioner",
    "nhs_provider": "NHS provider",
    "vcse": "VCSE",
    "independent": "Independent sector",
}


def _label(value: Any) -> str:
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _sector(value: Any) -> str:
    return SECTORS.get(str(value), _label(value))


def _nicedate(value: date | None) -> str:
    return "–" if value is None else f"{value.day} {value:%B %Y}"


def _number(value: float | None, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif float(value).is_integer():
        text = f"{int(value)}"
    else:
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    return f"{text}{unit}" if unit in {"", "%"} else f"{text} {unit}"


def _interval(r: Reading | None) -> str:
    if r is None or r.suppressed:
        return ""
    if r.lower is None or r.upper is None:
        return ""
    return f"{_number(r.lower)} to {_number(r.upper)}"


def _value(r: Reading | None, unit: str = "") -> str:
    if r is None:
        return "no value"
    if r.suppressed:
        return "suppressed (small numbers)"
    return _number(r.value, unit)


def _cell(r: Reading | None) -> str:
    return "suppressed" if r is not None and r.suppressed else _value(r)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} bytes"


def _icon(name: str | None) -> Markup:
    if name is None:
        return Markup("")
    return Markup(icon_svg(name, size=36))  # noqa: S704 - our own SVG, names and labels escaped


_ENV = Environment(
    loader=PackageLoader("icsys.reports", "templates/board_pack"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(
    label=_label,
    sector=_sector,
    nicedate=_nicedate,
    number=_number,
    interval=_interval,
    value=_value,
    cell=_cell,
    size=_size,
    icon=_icon,
    icon_label=lambda n: icon_label(n) if n else "",
    svg=lambda s: Markup(s or ""),  # noqa: S704 - charts from icsys.reports.spc_svg, text escaped
)


def render_html(pack: BoardPack, *, generated_at: datetime | None = None) -> str:
    """The pack as an HTML document (``generated_at`` defaults to now)."""
    when = generated_at or datetime.now().astimezone()
    return _ENV.get_template("pack.html.jinja").render(
        pack=pack,
        c=pack.cover,
        members=pack.audience == "members",
        generated=f"{when.day} {when:%B %Y, %H:%M}",
    )
