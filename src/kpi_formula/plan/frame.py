"""A whole plan in columns: every indicator over many entities and years at once.

:func:`evaluate_plan_frame` adds one column per indicator of a plan to a wide
polars frame (a row per entity and year, a column per driver code), in
dependency order so that indicators can use indicators, as one lazy query.
The columnar semantics are :mod:`kpi_formula.engines.columnar`'s (64-bit
floating point, N/D and division by zero as null).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..ast import Ref
from ..catalog import Catalog
from ..engines.columnar import checked_keys, is_ordered, polars_module, with_formula_column
from ..lint import scales_by_hundred
from ..resolver import resolve
from .evaluate import dependency_order
from .sqlplan import point_at_computed

if TYPE_CHECKING:
    import polars as pl

    from .model import Plan

__all__ = ["evaluate_plan_frame"]


def evaluate_plan_frame(
    plan: Plan, frame: pl.DataFrame, *, year: str = "year", by: Sequence[str] = ("entity",)
) -> pl.DataFrame:
    """``frame`` with one column per indicator of ``plan`` (named by its id),
    evaluated in dependency order so that indicators can use indicators.

    An input indicator (no formula, or its own code) is its code's column; as in
    :func:`~kpi_formula.plan.evaluate_plan`, an input in % beyond ±1 (95 typed for
    95 %) is null, and a % indicator whose formula scales by 100 is divided by 100.
    Milestones (dates) are not computed here.
    """
    polars = polars_module()
    indicators = plan.indicators()
    catalog = Catalog(plan.drivers, strict=False)
    by = checked_keys(frame, year, by)
    ordered = is_ordered(frame, year, by)  # adding columns keeps the rows where they are
    # one lazy query for the whole plan, collected once: polars plans it as a whole
    result = frame.lazy()
    columns = list(frame.columns)
    for key in dependency_order(plan):
        indicator = indicators[key]
        formula = indicator.parsed_formula()
        own = f"{key}#value"
        if formula is None:
            column = (
                polars.col(indicator.code).cast(polars.Float64, strict=False)
                if indicator.code in columns
                else polars.lit(None, dtype=polars.Float64)
            )
            if indicator.unit == "%":  # a percentage typed without its sign is no fraction
                column = polars.when(column.abs() <= 1).then(column)
            result = result.with_columns(column.alias(own))
        else:
            resolved = resolve(formula, catalog).formula
            renamed = point_at_computed(resolved, indicators, indicator.code, "{}#value")
            result = with_formula_column(
                renamed, result, columns=columns, year=year, by=by, output=own, ordered=ordered
            )
            if indicator.unit == "%" and scales_by_hundred(formula):  # percentage points
                result = result.with_columns((polars.col(own) / 100).alias(own))
            elif indicator.unit == "%" and isinstance(formula.root, Ref):  # an input, renamed
                value = polars.col(own)
                result = result.with_columns(polars.when(value.abs() <= 1).then(value).alias(own))
        columns.append(own)
    renames = {f"{key}#value": key for key in indicators}
    collected: pl.DataFrame = result.collect()
    return collected.rename(
        {old: new for old, new in renames.items() if new not in frame.columns}
        | {old: f"{new} (indicator)" for old, new in renames.items() if new in frame.columns}
    )
