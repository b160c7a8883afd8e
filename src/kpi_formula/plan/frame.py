"""A whole plan in columns: every indicator over many entities and years at once.

:func:`evaluate_plan_frame` evaluates every indicator of a plan over a wide
polars frame (a row per entity and year, a column per driver code) and returns
a row per row of the frame: its keys and a column per indicator, named by the
indicator's id.  Its semantics are :func:`~kpi_formula.plan.evaluate_plan`'s —
the same formulas bound to the same catalog, indicators reading indicators
(their prior years too), an indicator's own code inside its formula read as the
driver of that code, inputs in % beyond ±1 refused, percentage points divided
by 100 — in the columnar engine's arithmetic (:mod:`kpi_formula.engines.columnar`:
64-bit floating point, N/D and division by zero as null).

The query is worked out once per plan object (:meth:`~kpi_formula.plan.Plan.prepared`)
and run on each frame it is given: a small frame costs little more than its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engines.columnar import (
    ColumnPlan,
    Step,
    check_codes,
    formula_step,
    frame_keys,
    polars_module,
    run_columns,
)
from ..errors import KpiFormulaError, msg
from .dataunits import check_frame_units
from .layout import ColumnLayout
from .prepared import PreparedPlan, prepared

if TYPE_CHECKING:
    import polars as pl

    from .model import Plan

__all__ = ["evaluate_plan_frame"]


@dataclass(frozen=True, slots=True)
class _PlanColumns:
    """A plan's query: what it reads and computes, and which column is which indicator."""

    columns: ColumnPlan
    outputs: tuple[tuple[str, str], ...]
    """(indicator id, the engine's column), in the order of the plan's listing."""


def _read_step(name: str, driver: str, share: bool) -> Step:
    """An indicator read from the data: a share in % beyond ±1 was typed without its
    sign (95 for 95 %) and is null, as the plan evaluator refuses it."""

    def build(prior: Callable[[str, int], Any]) -> Any:
        column = prior(driver, 0)
        return polars_module().when(column.abs() <= 1).then(column) if share else column

    return Step(name, build, frozenset())


def _plan_columns(plan: Plan) -> _PlanColumns:
    ready: PreparedPlan = prepared(plan)
    layout = ColumnLayout(ready)
    steps: list[list[Step]] = []
    for key, level in layout.levels():
        indicator = ready.indicators[key]
        source = ready.read_from_data.get(key)
        if source is not None:
            step = _read_step(layout.outputs[key], layout.driver(source), indicator.unit == "%")
        else:
            formula = ready.resolved[key]
            column_of = layout.reader(indicator.code)
            for ref in formula.references:  # every driver named now, before any query runs
                column_of(ref)
            step = formula_step(
                layout.outputs[key], formula, column_of, points=ready.in_points.get(key)
            )
        while len(steps) <= level:
            steps.append([])
        steps[level].append(step)
    return _PlanColumns(
        ColumnPlan(layout.drivers, tuple(map(tuple, steps))),
        tuple((key, layout.outputs[key]) for key in ready.listed),
    )


def evaluate_plan_frame(
    plan: Plan, frame: pl.DataFrame, *, year: str = "year", by: Sequence[str] | None = None
) -> pl.DataFrame:
    """A row per row of ``frame``: its entity and year columns, and one column per
    indicator of ``plan``, named by its id, in the order the plan lists them.

    ``by`` names the entity columns (default: ``entity``, where the frame has one).
    Columns of dates are read as null: milestones are judged by
    :func:`~kpi_formula.plan.evaluate_plan`.  A driver named like a key column, a
    driver column holding text, an indicator whose id is a key column's name, and
    two rows of one entity and year (where formulas read other years) are refused.
    """
    polars = polars_module()
    query: _PlanColumns = plan.prepared("columns", _plan_columns)
    keys = frame_keys(frame, year, by)
    check_codes(frame, query.columns.drivers, year, keys)
    check_frame_units(plan, frame, year, keys)
    for key, _ in query.outputs:
        if key == year or key in keys:
            raise KpiFormulaError(
                msg("the indicator {id!r} has the name of a key column of the frame", id=key),
                hint=msg("rename the key column and name it with year='...' or by=(...)"),
            )
    computed = run_columns(frame, query.columns, year=year, keys=keys)
    values = computed.select([polars.col(name).alias(key) for key, name in query.outputs])
    result: pl.DataFrame = frame.select([*keys, year]).hstack(values)
    return result
