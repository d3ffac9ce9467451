"""Criteria in plain words: what each reference means and what a rule asks, for readers who do
not read the rule language (the portal shows these beside the rule itself).

``describe(criterion)`` turns ``governance.public_meeting_share >= threshold`` with
``threshold = 0.8`` into "the share of meetings held with a public part is at least 80%". Rules
outside the common shapes fall back to the rule text with its parameters filled in.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from icsys.assessment.frameworks.expr import MIN_TREND_POINTS, TREND_WINDOW
from icsys.assessment.frameworks.model import Criterion
from icsys.assessment.measures import PROPORTIONS
from icsys.assessment.peers import FEATURES

GOVERNANCE: dict[str, str] = {
    "public_meeting_share": "the share of meetings held with a public part",
    "papers_on_time_share": "the share of public papers published five working days ahead",
    "median_notice_days": "the median days of notice given of meetings",
    "attendance_rate": "the attendance rate of {who} members",
    "item_share": "the share of agenda items led by {who}",
    "decision_share": "the share of decisions proposed or co-produced by {who}",
    "delegated_to_place_share": "the share of the allocation delegated to place",
    "delegated_to_provider_collaborative_share": (
        "the share of the allocation delegated to provider collaboratives"
    ),
    "stable_12m_share": "the share of leadership posts held by the same person for 12 months",
    "stable_6m_share": "the share of leadership posts held by the same person for 6 months",
    "interim_share": "the share of leadership posts held by interims",
    "vacancy_share": "the share of leadership posts vacant",
    "turnover_12m": "leadership turnover over 12 months",
    "place_board_coverage": "the share of places with a place partnership board",
    "place_lead_coverage": "the share of places with a place lead in post",
    "decisions_linked_share": "the share of decisions that name an indicator they should move",
    "icp_meetings_held": "the number of integrated care partnership meetings held",
}
SECTORS: dict[str, str] = {
    "non_nhs": "non-NHS partners",
    "local_government": "local government",
    "vcse": "VCSE",
    "primary_care": "primary care",
    "mental_health": "mental health",
    "social_care": "social care",
    "nhs_provider": "NHS providers",
    "all": "all",
}
STRUCTURE: dict[str, str] = {
    "pcn_practice_share": "the share of GP practices in a primary care network",
}
_OPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "is below",
    ast.LtE: "is at most",
    ast.Gt: "is above",
    ast.GtE: "is at least",
    ast.Eq: "is",
    ast.NotEq: "is not",
}
_DIRECTION = {"increase": "higher is better", "decrease": "lower is better"}


@lru_cache(maxsize=1)
def _indicator_titles() -> dict[str, str]:
    from icsys.analytics.definitions.loader import load_library  # noqa: PLC0415 - slow import

    library = load_library()
    titles = {i.id: i.title for i in library.indicators}
    titles.update({d.id: d.title for d in library.derived})
    return titles


def label(ref: str) -> str:
    """A reference (``governance.item_share.vcse``) in words."""
    namespace, _, rest = ref.partition(".")
    name, _, part = rest.partition(".")
    if namespace == "governance" and name in GOVERNANCE:
        who = SECTORS.get(part or "all", part.replace("_", " "))
        return GOVERNANCE[name].format(who=who)
    if namespace == "indicator":
        title = _indicator_titles().get(name)
        title = title or name.replace("_", " ")
        return f"the indicator “{title}”" + (f" ({part})" if part else "")
    if namespace == "structure":
        if name in STRUCTURE:
            return STRUCTURE[name]
        if name in FEATURES:
            return FEATURES[name][:1].lower() + FEATURES[name][1:]
    return ref


def is_share(ref: str) -> bool:
    """Whether the reference is a share from 0 to 1 (shown as a percentage)."""
    namespace, _, rest = ref.partition(".")
    name = rest.partition(".")[0]
    if namespace == "governance":
        return name in PROPORTIONS or name.endswith("_share") or name == "turnover_12m"
    return namespace == "structure" and name.endswith("_share")


def _number(value: float, share: bool) -> str:
    if share and 0 <= value <= 1:
        return f"{100 * value:g}%"
    return f"{value:g}"


def _ref(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and parts:
        return ".".join([node.id, *reversed(parts)])
    return None


class _Words:
    def __init__(self, params: dict[str, float]) -> None:
        self.params = params

    def operand(self, node: ast.expr, share: bool) -> str | None:
        if isinstance(node, ast.Name) and node.id in self.params:
            return _number(self.params[node.id], share)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return _number(float(node.value), share)
        ref = _ref(node)
        return None if ref is None else label(ref)

    def say(self, node: ast.expr) -> str | None:  # noqa: PLR0911 - one case per shape
        if isinstance(node, ast.BoolOp):
            parts = [self.say(v) for v in node.values]
            if any(p is None for p in parts):
                return None
            joiner = " and " if isinstance(node.op, ast.And) else " or "
            return joiner.join(f"({p})" if len(parts) > 1 else str(p) for p in parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.say(node.operand)
            return None if inner is None else f"it is not so that {inner}"
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            share = any(is_share(r) for r in (_ref(left), _ref(right)) if r)
            a, b = self.operand(left, share), self.operand(right, share)
            if a is None or b is None:
                return None
            return f"{a} {_OPS[type(node.ops[0])]} {b}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args)
        return None

    def call(self, name: str, args: list[ast.expr]) -> str | None:
        ref = _ref(args[0]) if args else None
        if ref is None:
            return None
        if name == "known":
            return f"{label(ref)} has a value"
        direction = args[1].value if len(args) > 1 and isinstance(args[1], ast.Constant) else ""
        better = _DIRECTION.get(str(direction), "")
        chart = f"the SPC chart of {label(ref)} ({better}; at least {MIN_TREND_POINTS} points)"
        if name == "trend_improving":
            return (
                f"{chart} shows special-cause improvement in its last {TREND_WINDOW} points and "
                "its latest point is not a concern"
            )
        if name == "no_concern":
            return f"the latest point of {chart} is not special-cause concern"
        return None


def describe(criterion: Criterion) -> str:
    """What must be true for the criterion to be met, in words."""
    if criterion.kind == "evidenced":
        statement = (criterion.statement or "").strip().rstrip(".")
        if statement[1:2].islower():  # "The ICB ..." reads on as "the ICB ..."
            statement = statement[:1].lower() + statement[1:]
        return f"Met when a reviewer accepts evidence that {statement}."
    text = _Words(dict(criterion.params)).say(criterion.expression.tree.body)
    if text is None:
        filled = ", ".join(f"{k} = {v:g}" for k, v in criterion.params.items())
        text = f"the rule {criterion.rule} holds" + (f" ({filled})" if filled else "")
    missing = (
        "; without the data it is left out of the score"
        if criterion.missing == "exclude"
        else "; without the data it counts as not met"
    )
    return f"Met when {text}{missing}."
