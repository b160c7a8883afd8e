"""What a plan evaluation yields: each indicator's result, and the scored tree.

Plain frozen values, shared by the evaluation that makes them and by the
scorecards that show them (:mod:`kpi_formula.plan.scorecard`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from ..direction import Direction
from ..missing import ND, NotAvailable
from ..targets import Outcome, Target
from ..values import YES_NO, Quantity

__all__ = ["IndicatorResult", "IndicatorValue", "NDPolicy", "NodeScore", "PlanEvaluation"]

NDPolicy: TypeAlias = Literal["renormalise", "zero"]
IndicatorValue: TypeAlias = Decimal | dt.date | NotAvailable


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator evaluated for a year and judged against its target.

    It carries its verdict whole, so that whoever shows it (a scorecard, a
    page, a table) reads what was judged and never parses the plan again:
    ``outcome`` is what :meth:`~kpi_formula.Target.check` gave (the parsed
    target, the value judged, the reference of a relative target),
    ``baselines`` the document's baselines as values, ``threshold`` the value the
    target asks for.
    """

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
    outcome: Outcome | None = None
    """The verdict as the target gave it; None when the indicator was not judged
    (no target for the year, or one that could not be read: ``reasons`` says why)."""
    baselines: Mapping[int, IndicatorValue] = field(default_factory=dict, hash=False)
    """The baselines the plan writes for the indicator, read as values by year
    (a baseline that cannot be read is left out; validation reports it)."""
    direction: Direction | None = None
    """The indicator's direction as the plan gives it (None: not said)."""

    @property
    def missing(self) -> bool:
        """True when the value is N/D."""
        return self.value is ND

    @property
    def parsed_target(self) -> Target | None:
        """The target judged (None when the indicator was not judged)."""
        return None if self.outcome is None else self.outcome.target

    @property
    def shown_unit(self) -> str | None:
        """The unit its value is shown in: its own, else ``sì/no`` for a yes/no
        target's indicator whose plan declares no unit (its 1 is ``SI``, not 1)."""
        target = self.parsed_target
        if self.unit is None and target is not None and target.kind == "yes-no":
            return YES_NO
        return self.unit

    @property
    def threshold(self) -> Decimal | dt.date | None:
        """What the target asks for: its amount (a percentage as a fraction) or its
        deadline, and for a relative target the amount computed from its reference
        (1.800 for *+20 %* on 1.500); None when not judged, or when the reference
        is N/D."""
        outcome = self.outcome
        if outcome is None:
            return None
        target = outcome.target
        if isinstance(target.threshold, Quantity):
            return target.threshold.amount
        if isinstance(target.threshold, dt.date):
            return target.threshold
        if target.change is not None and isinstance(outcome.baseline, Decimal):
            return target.change.threshold(outcome.baseline)
        return None


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
    judged: bool = True
    """False for an indicator not judged that year (a value but no verdict: no
    target for the year, or one that could not be read) and a group of nothing but
    such: left out of the roll-up under either N/D policy, whereas an N/D counts as
    0 under ``zero``."""


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

    def to_frame(self, library: Literal["polars", "pandas"] = "polars") -> Any:
        """A data frame with one row an indicator and typed columns — numbers as
        floats, dates in columns of their own, N/D as null — in polars (the
        ``polars`` extra) or pandas (``library="pandas"``, the ``pandas`` extra);
        the columns are listed in :mod:`kpi_formula.plan.table`.

        >>> evaluation.to_frame().filter(pl.col("met").not_())  # doctest: +SKIP
        """
        from .table import evaluation_frame

        return evaluation_frame(self, library)

    def __repr__(self) -> str:
        return (
            f"PlanEvaluation(year={self.year}, target_year={self.target_year}, "
            f"score={self.score!r}, indicators={len(self.indicators)})"
        )

    def _repr_html_(self) -> str:
        from .scorecard import render_html

        return render_html(self)
