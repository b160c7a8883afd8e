"""The units a plan knows its data in, and the data read in them.

A plan knows the unit of a code's values when an indicator read from the data
(an input, whose formula is empty, or one whose formula names one driver) has
a unit, or when the plan declares a driver with a unit (``[[driver]]``,
``unit = "%"``); the indicator's unit comes first.  Every engine reads such a
value by the one rule for units, :func:`kpi_formula.units.in_unit` (through
:func:`kpi_formula.data.in_units`, before any engine sees the data): ``95 %``
for an indicator in € is a :class:`~kpi_formula.UnitMismatchError`, a bare
``95`` for one in % an :class:`~kpi_formula.units.AmbiguousUnitError`, both
naming ``code@year``.  A code of unknown unit is read as it always was: its
amount, a percentage as a fraction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ..data import in_units
from ..errors import KpiFormulaError
from ..units import in_unit
from ..values import FRACTION_SHIFT, YES_NO, Unit
from .prepared import prepared

if TYPE_CHECKING:
    import polars as pl

    from .model import Plan

__all__ = ["check_frame_units", "data_units", "in_plan_units"]


def _units(plan: Plan) -> dict[str, Unit]:
    try:
        ready = prepared(plan)
    except KpiFormulaError:  # a plan to validate, not to evaluate: its inputs still say
        indicators = plan.indicators()
        read = {key: i.code for key, i in indicators.items() if not (i.formula or "").strip()}
    else:
        indicators, read = ready.indicators, ready.read_from_data
    found: dict[str, Unit] = {}
    for key, code in read.items():
        unit = indicators[key].unit
        if unit is not None:
            found.setdefault(code, unit)  # type: ignore[arg-type]
    for driver in plan.drivers:
        if driver.unit is not None:
            found.setdefault(driver.code, driver.unit)
    return found


def data_units(plan: Plan) -> Mapping[str, Unit]:
    """The unit each code of the data is measured in, where the plan says it
    (see the module's documentation); worked out once per plan object."""
    return plan.prepared("data-units", _units)


def in_plan_units(
    plan: Plan, data: Mapping[object, object], *, year: int
) -> Mapping[object, object]:
    """``data`` with each value of a code of known unit read in that unit (``data``
    itself where nothing changes); a value refused for its unit raises the unit
    error naming ``code@year``."""
    units = data_units(plan)
    return in_units(data, units, year=year) if units else data


def check_frame_units(plan: Plan, frame: pl.DataFrame, year: str, keys: Sequence[str]) -> None:
    """Refuse a frame whose column of a code in % or ‰ holds a number beyond ±1, or
    of a code in yes/no one other than 1 or 0: a number in a frame has no unit, and
    :func:`kpi_formula.units.in_unit` refuses those, here naming ``code@year`` and
    the row's entity."""
    import polars

    for code, unit in data_units(plan).items():
        if unit not in FRACTION_SHIFT and unit != YES_NO:
            continue
        if code not in frame.columns or not frame.schema[code].is_numeric():
            continue  # dates are milestones, text the frame engine refuses
        column = polars.col(code).cast(polars.Float64)
        wrong = column.abs() > 1 if unit != YES_NO else ~column.is_in([0.0, 1.0])
        found = frame.filter(column.is_not_null() & column.is_not_nan() & wrong).head(1)
        if found.height == 0:
            continue
        row = found.row(0, named=True)
        entity = ", ".join(str(row[key]) for key in keys)
        where = f"{code}@{row[year]}" + (f" ({entity})" if entity else "")
        in_unit(Decimal(repr(float(row[code]))), unit, what=where)
