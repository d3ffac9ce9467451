"""Making Data Count variation and assurance icons as small inline SVGs.

Names follow :mod:`icsys.analytics.methods.spc_rules` (NHSRplotthedots): ``common_cause``,
``improvement_high``/``_low``, ``concern_high``/``_low``, ``neutral_high``/``_low``,
``consistent_pass``, ``consistent_fail`` and ``inconsistent``. Each icon is a ring in the MDC
colour with a letter (H/L for a special cause high or low, P/F/? for assurance) and a small dot
pattern, and carries its meaning as a ``<title>`` and an ``aria-label``: the colour is never
the only cue.
"""

from __future__ import annotations

from html import escape
from typing import Final

IMPROVEMENT: Final = "#289de0"
CONCERN: Final = "#fab428"
COMMON: Final = "#7b7d7d"
NEUTRAL: Final = "#361475"
TARGET: Final = "#de1b1b"
# Darker shades of the MDC colours for letters and outlines (contrast ≥ 4.5:1 on white).
IMPROVEMENT_DARK: Final = "#005eb8"
CONCERN_DARK: Final = "#8a4f00"
COMMON_DARK: Final = "#4c4e4e"

ICON_LABELS: Final[dict[str, str]] = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (high values)",
    "improvement_low": "Special cause variation: improvement (low values)",
    "concern_high": "Special cause variation: concern (high values)",
    "concern_low": "Special cause variation: concern (low values)",
    "neutral_high": "Special cause variation: higher values (neither improvement nor concern)",
    "neutral_low": "Special cause variation: lower values (neither improvement nor concern)",
    "consistent_pass": "Assurance: the target will consistently be met",
    "consistent_fail": "Assurance: the target will consistently be missed",
    "inconsistent": "Assurance: the target will be hit and missed at random",
}

# ring colour, letter colour, letter, dot heights (0 = centre line, +1 high, -1 low)
_ICONS: Final[dict[str, tuple[str, str, str, tuple[int, ...]]]] = {
    "common_cause": (COMMON, COMMON_DARK, "", (0, 1, -1, 0, 1, -1, 0)),
    "improvement_high": (IMPROVEMENT, IMPROVEMENT_DARK, "H", (-1, 0, -1, 0, 1, 1, 1)),
    "improvement_low": (IMPROVEMENT, IMPROVEMENT_DARK, "L", (1, 0, 1, 0, -1, -1, -1)),
    "concern_high": (CONCERN, CONCERN_DARK, "H", (-1, 0, -1, 0, 1, 1, 1)),
    "concern_low": (CONCERN, CONCERN_DARK, "L", (1, 0, 1, 0, -1, -1, -1)),
    "neutral_high": (NEUTRAL, NEUTRAL, "H", (-1, 0, -1, 0, 1, 1, 1)),
    "neutral_low": (NEUTRAL, NEUTRAL, "L", (1, 0, 1, 0, -1, -1, -1)),
    "consistent_pass": (IMPROVEMENT, IMPROVEMENT_DARK, "P", ()),
    "consistent_fail": (CONCERN, CONCERN_DARK, "F", ()),
    "inconsistent": (COMMON, COMMON_DARK, "?", ()),
}


def icon_label(icon: str) -> str:
    """The words of an icon (its text alternative).

    Raises:
        ValueError: for an unknown icon name.
    """
    if icon not in ICON_LABELS:
        raise ValueError(f"unknown SPC icon {icon!r}: one of {', '.join(ICON_LABELS)}")
    return ICON_LABELS[icon]


def icon_svg(icon: str, *, size: int = 40) -> str:
    """An MDC icon as an inline SVG of ``size`` pixels, with its name as title and label.

    Raises:
        ValueError: for an unknown icon name.
    """
    label = escape(icon_label(icon))
    ring, ink, letter, dots = _ICONS[icon]
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="icsys-mdc-icon" role="img" '
            f'viewBox="0 0 40 40" width="{size}" height="{size}" aria-label="{label}" '
            f'focusable="false" data-icon="{icon}">'
        ),
        f"<title>{label}</title>",
        f'<circle cx="20" cy="20" r="18" fill="#ffffff" stroke="{ring}" stroke-width="3" />',
    ]
    if dots:
        parts.append(_dots(dots, ring))
    else:  # assurance: a target line with the dots' band above or below it
        parts.append(_assurance(icon, ring))
    if letter:
        parts.append(
            f'<text x="20" y="{17 if dots else 21}" fill="{ink}" font-size="13" '
            f'font-weight="bold" text-anchor="middle" '
            f'font-family="Arial, sans-serif">{escape(letter)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _dots(heights: tuple[int, ...], colour: str) -> str:
    special = colour != COMMON
    out = []
    for k, h in enumerate(heights):
        x = 9 + k * 3.7
        y = 26 - h * 3.5
        fill = colour if special and k >= len(heights) - 3 else COMMON
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.7" fill="{fill}" />')
    return "".join(out)


def _assurance(icon: str, colour: str) -> str:
    line_y = {"consistent_pass": 31, "consistent_fail": 25, "inconsistent": 28}[icon]
    band_y = {"consistent_pass": 25, "consistent_fail": 31, "inconsistent": 28}[icon]
    return (
        f'<line x1="8" y1="{line_y}" x2="32" y2="{line_y}" stroke="{TARGET}" '
        f'stroke-width="1.5" />'
        f'<line x1="9" y1="{band_y}" x2="31" y2="{band_y}" stroke="{colour}" '
        f'stroke-width="2.5" stroke-dasharray="2 2" />'
    )
