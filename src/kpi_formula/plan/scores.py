"""What a plan evaluation yields: each indicator's result, and the scored tree.

Plain frozen values, shared by the evaluation that makes them and by the
scorecards that show them (:mod:`kpi_formula.plan.scorecard`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeAlias

from ..missing import ND, NotAvailable

__all__ = ["IndicatorResult", "IndicatorValue", "NDPolicy", "NodeScore", "PlanEvaluation"]

NDPolicy: TypeAlias = Literal["renormalise", "zero"]
IndicatorValue: TypeAlias = Decimal | dt.date | NotAvailable


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator evaluated for a year and judged against its target."""

    id: str
    code: str
    name: str
    value: IndicatorValue
    reasons: tuple[str, ...]
    target: str | None
    met: bool | None
    achievement: Decimal | None
    unit: str | None = None
    notes: tuple[str, ...] = ()
    """What the evaluation did that a reader should know (a formula in percentage
    points, the baseline a relative target was judged against)."""

    @property
    def missing(self) -> bool:
        """True when the value is N/D."""
        return self.value is ND


@dataclass(frozen=True, slots=True)
class NodeScore:
    """A node of the plan tree with its weight and rolled-up score."""

    kind: str
    """``"plan"``, ``"indicator"``, or the level of a group: ``"group"``, and in the
    Integra shape ``"area"``, ``"objective"``, ``"operational"``."""
    code: str
    name: str
    weight: Decimal
    score: Decimal | None
    children: tuple[NodeScore, ...] = ()
    indicator: IndicatorResult | None = None


@dataclass(frozen=True, slots=True)
class PlanEvaluation:
    """A plan evaluated for ``year`` and judged against ``target_year``."""

    year: int
    target_year: int
    tree: NodeScore
    indicators: tuple[IndicatorResult, ...] = field(default=())
    nd_policy: NDPolicy = "renormalise"

    @property
    def score(self) -> Decimal | None:
        """The whole plan's score, in [0, 1], or None when nothing could be scored."""
        return self.tree.score

    def __repr__(self) -> str:
        return (
            f"PlanEvaluation(year={self.year}, target_year={self.target_year}, "
            f"score={self.score!r}, indicators={len(self.indicators)})"
        )

    def _repr_html_(self) -> str:
        from .scorecard import render_html

        return render_html(self)
