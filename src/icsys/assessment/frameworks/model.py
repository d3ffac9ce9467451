"""A maturity framework as typed data: domains → criteria → level rules.

* A **criterion** is *computed* (a ``rule`` in the safe expression language of
  :mod:`icsys.assessment.frameworks.expr`, with named ``params`` such as ``threshold``) or
  *evidenced* (a ``statement`` the system shows with documents, met when a reviewer accepts it).
  Every criterion ``cites`` what it uses: each reference in a computed rule must be cited.
* A **domain**'s score is the weighted share of its criteria met; its stage is the highest whose
  score threshold (``stages``) is reached *and* whose gate criteria (``required_for``) are met.
* The **overall** stage is the domain-weighted mean of the domain stages, rounded down, and at
  most ``cap_above_lowest`` stages above the lowest domain.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from icsys.assessment.frameworks.expr import Expression, UnsafeExpressionError, parse

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Stage(IntEnum):
    """NHS ICS maturity stages (methods.md §7)."""

    EMERGING = 1
    DEVELOPING = 2
    MATURING = 3
    THRIVING = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Stage:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown stage {text!r}; expected emerging, developing, maturing or thriving"
            ) from None


StageName = Literal["emerging", "developing", "maturing", "thriving"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageThresholds(_Model):
    """Minimum weighted share of a domain's criteria met for each stage above emerging."""

    developing: float = Field(ge=0, le=1)
    maturing: float = Field(ge=0, le=1)
    thriving: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _increasing(self) -> StageThresholds:
        if not self.developing <= self.maturing <= self.thriving:
            raise ValueError("stage thresholds must not decrease: developing ≤ maturing ≤ thriving")
        return self

    def for_stage(self, stage: Stage) -> float:
        return {
            Stage.EMERGING: 0.0,
            Stage.DEVELOPING: self.developing,
            Stage.MATURING: self.maturing,
            Stage.THRIVING: self.thriving,
        }[stage]


class Criterion(_Model):
    id: str
    title: str
    kind: Literal["computed", "evidenced"]
    rule: str | None = None
    params: dict[str, float] = Field(default_factory=dict)
    statement: str | None = None
    documents: tuple[str, ...] = ()
    cites: tuple[str, ...]
    rationale: str = ""
    weight: float = Field(default=1.0, gt=0)
    required_for: StageName | None = None
    missing: Literal["unmet", "exclude"] = "unmet"

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not an id (lower case, digits and _)")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Criterion:
        if not self.cites:
            raise ValueError(f"criterion {self.id!r} cites nothing")
        if self.kind == "computed":
            if not self.rule or self.statement:
                raise ValueError(f"computed criterion {self.id!r} needs a rule and no statement")
            try:
                expression = parse(self.rule, parameters=list(self.params))
            except UnsafeExpressionError as exc:
                raise ValueError(f"criterion {self.id!r}: rule {self.rule!r}: {exc}") from None
            uncited = [r for r in expression.references if r not in self.cites]
            if uncited:
                raise ValueError(f"criterion {self.id!r} uses {uncited} without citing them")
            unused = [p for p in self.params if p not in expression.parameters]
            if unused:
                raise ValueError(f"criterion {self.id!r}: parameters {unused} are not used")
        elif not self.statement or self.rule or self.params:
            raise ValueError(f"evidenced criterion {self.id!r} needs a statement and no rule")
        return self

    @property
    def expression(self) -> Expression:
        assert self.rule is not None  # noqa: S101 - computed criteria have a rule
        return parse(self.rule, parameters=list(self.params))

    @property
    def gate(self) -> Stage | None:
        return None if self.required_for is None else Stage.parse(self.required_for)


class Domain(_Model):
    id: str
    title: str
    description: str = ""
    weight: float = Field(default=1.0, gt=0)
    stages: StageThresholds | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not an id (lower case, digits and _)")
        return value


class Overall(_Model):
    method: Literal["weighted_mean_floor"] = "weighted_mean_floor"
    cap_above_lowest: int | None = Field(default=1, ge=0, le=3)


class Framework(_Model):
    id: str
    version: int = Field(ge=1)
    title: str
    description: str = ""
    sources: tuple[str, ...] = ()
    stages: StageThresholds
    domains: tuple[Domain, ...] = Field(min_length=1)
    overall: Overall = Overall()

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not an id (lower case, digits and _)")
        return value

    @model_validator(mode="after")
    def _unique(self) -> Framework:
        seen: set[str] = set()
        for domain in self.domains:
            for key in (domain.id, *(f"{domain.id}.{c.id}" for c in domain.criteria)):
                if key in seen:
                    raise ValueError(f"{key!r} appears twice")
                seen.add(key)
        return self

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    def thresholds(self, domain: Domain) -> StageThresholds:
        return domain.stages or self.stages

    def criterion(self, ref: str) -> tuple[Domain, Criterion]:
        """``domain.criterion`` (or a criterion id unique in the framework)."""
        for domain in self.domains:
            for criterion in domain.criteria:
                if ref in {f"{domain.id}.{criterion.id}", criterion.id}:
                    return domain, criterion
        raise KeyError(ref)
