"""A plan evaluation as a table for analysts: one row an indicator, typed columns.

:meth:`PlanEvaluation.to_frame() <kpi_formula.plan.PlanEvaluation.to_frame>`
builds it in polars (the ``polars`` extra) or, asked, in pandas (``pandas``).
Each column holds one kind of value, so that a frame can be filtered, sorted and
summed as it comes:

============== ========================================================================
column         holds
============== ========================================================================
id, code,      text (``unit`` and ``direction`` null when the plan does not say)
name, unit,
direction
year,          integers: the evaluation year and the year of the targets
target_year
value          a float: the indicator's value (a percentage as a fraction); null when
               N/D or a date
date           a date: the value of a milestone (null otherwise)
missing        a boolean: the value is N/D
target         text: the target cell as written (null: no target that year)
threshold      a float: what the target asks for, a relative target's worked out from
               its reference (null for deadlines, and when not judged)
deadline       a date: a deadline's date
baseline       a float: the reference a relative target was judged against
met            a boolean, null when not judged or N/D
achievement    a float in [0, 1], null when not judged or N/D
reasons, notes lists of text: why a value is N/D or a target not judged; what a reader
               should know
============== ========================================================================

Floats hold about 15 significant digits: the table is for looking and
aggregating; the exact decimals stay in the results.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ..errors import KpiFormulaError, msg
from ..inputs import require_module

if TYPE_CHECKING:
    from .scores import PlanEvaluation

__all__ = ["COLUMNS", "evaluation_frame"]

COLUMNS = (
    "id",
    "code",
    "name",
    "unit",
    "direction",
    "year",
    "target_year",
    "value",
    "date",
    "missing",
    "target",
    "threshold",
    "deadline",
    "baseline",
    "met",
    "achievement",
    "reasons",
    "notes",
)
"""The columns of the table, in order."""


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, Decimal) else None


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _columns(evaluation: PlanEvaluation) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for result in evaluation.indicators:
        outcome = result.outcome
        threshold = result.threshold
        row: dict[str, Any] = {
            "id": result.id,
            "code": result.code,
            "name": result.name,
            "unit": result.unit,
            "direction": result.direction,
            "year": evaluation.year,
            "target_year": evaluation.target_year,
            "value": _float(result.value),
            "date": _date(result.value),
            "missing": result.missing,
            "target": result.target,
            "threshold": _float(threshold),
            "deadline": _date(threshold),
            "baseline": None if outcome is None else _float(outcome.baseline),
            "met": result.met,
            "achievement": _float(result.achievement),
            "reasons": [str(reason) for reason in result.reasons],
            "notes": [str(note) for note in result.notes],
        }
        for name, value in row.items():
            columns[name].append(value)
    return columns


def evaluation_frame(
    evaluation: PlanEvaluation, library: Literal["polars", "pandas"] = "polars"
) -> Any:
    """The evaluation as a data frame of ``library``; see the module documentation."""
    if library == "polars":
        return _polars(evaluation)
    if library == "pandas":
        return _pandas(evaluation)
    raise KpiFormulaError(
        msg("no data frames of {library!r}", library=library),
        hint=msg("ask for 'polars' or 'pandas'"),
    )


def _polars(evaluation: PlanEvaluation) -> Any:
    pl = require_module("polars", extra="polars", purpose="a table of the evaluation")
    text, number, day, flag = pl.String, pl.Float64, pl.Date, pl.Boolean
    schema = {
        "id": text,
        "code": text,
        "name": text,
        "unit": text,
        "direction": text,
        "year": pl.Int64,
        "target_year": pl.Int64,
        "value": number,
        "date": day,
        "missing": flag,
        "target": text,
        "threshold": number,
        "deadline": day,
        "baseline": number,
        "met": flag,
        "achievement": number,
        "reasons": pl.List(text),
        "notes": pl.List(text),
    }
    return pl.DataFrame(_columns(evaluation), schema=schema)


def _pandas(evaluation: PlanEvaluation) -> Any:
    pd = require_module("pandas", extra="pandas", purpose="a table of the evaluation")
    columns = _columns(evaluation)
    dtypes = {
        "id": "string",
        "code": "string",
        "name": "string",
        "unit": "string",
        "direction": "string",
        "year": "Int64",
        "target_year": "Int64",
        "value": "Float64",
        "missing": "boolean",
        "target": "string",
        "threshold": "Float64",
        "baseline": "Float64",
        "met": "boolean",
        "achievement": "Float64",
    }
    frame = pd.DataFrame(
        {name: pd.Series(columns[name], dtype=dtypes.get(name, object)) for name in COLUMNS}
    )
    for name in ("date", "deadline"):
        frame[name] = pd.to_datetime(pd.Series(columns[name], dtype=object)).astype(
            "datetime64[ns]"
        )
    return frame
