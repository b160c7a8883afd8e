"""A plan's formulas run as SQL in an embedded DuckDB (``engine="duckdb"``).

Each computed indicator's values for every year are one query (see
:func:`kpi_formula.to_sql`) over a table of the values the plan reads.  Codes
never name anything in that table: every code read is stored under a name of
the engine's own (``d0``, ``d1``, …), and each indicator's values under another
(``i0``, …), so that indicators reading indicators find them while no code — a
quoted ``"#indicator:X"``, anything a catalog declares — can meet them; inside
its own formula an indicator's code stays the driver of that code.  The
formulas are those :mod:`kpi_formula.plan.prepared` binds for every engine;
inputs, milestones, targets and the roll-up stay with
:mod:`kpi_formula.plan.evaluate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from numbers import Integral
from typing import Any

from ..ast import Node, Number, Ref, map_leaves
from ..engines.sql import to_sql
from ..errors import KpiFormulaError
from ..formula import Formula
from ..formulaunits import read_with_unit
from ..inputs import require_module
from ..result import MissingPolicy
from .prepared import PreparedPlan

__all__ = ["duckdb_values"]


def _read(raw: object) -> tuple[float | None, bool]:
    """A data value for the table: a double, or NULL for N/D and what cannot be read
    (the evaluator names why); and whether SQL must leave it to the evaluator: a value
    written with a unit, or one a double cannot hold (beyond ±1E+308, or so small it
    would be 0), which SQL would turn into an infinity or a zero."""
    try:
        value, unit = read_with_unit(raw, "a data value")
    except KpiFormulaError:
        return None, False
    if not isinstance(value, Decimal):
        return None, unit is not None
    double = float(value)
    held = math.isfinite(double) and (double != 0 or value.is_zero())
    return double, unit is not None or not held


def _decimal(value: object) -> Decimal:
    """A value DuckDB returned, exactly as it came (a double by its shortest repr)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value))  # type: ignore[call-overload]


def duckdb_values(
    plan: PreparedPlan, data: Mapping[Any, Any], *, year: int, on_missing: MissingPolicy
) -> dict[str, dict[int, Decimal]]:
    """Every computed indicator's values for every year, by SQL in DuckDB.

    ``data`` is read as the evaluator reads it for ``year``: a key ``(code, y)``
    is the value of ``code`` in ``y``, a bare ``code`` its value in ``year``
    (unless the data also hold ``(code, year)``).  A value SQL gives as NULL is
    absent from the answer: the plan evaluator computes it, and tells why it is N/D.
    """
    duckdb = require_module("duckdb", extra="duckdb", purpose="the duckdb engine")
    indicators = plan.indicators
    served = {indicator.code: key for key, indicator in indicators.items() if indicator.code == key}
    outputs = {key: f"i{number}" for number, key in enumerate(plan.order)}
    names: dict[str, str] = {}  # code read from the data -> its name in the table

    def driver(code: str) -> str:
        return names.setdefault(code, f"d{len(names)}")

    queries: dict[str, Formula] = {}
    copies: dict[str, str] = {}  # indicators read from the data: the name they are read under
    for key in plan.order:
        indicator = indicators[key]
        source = plan.read_from_data.get(key)
        if source is not None:
            copies[key] = driver(source)
            continue
        own = indicator.code

        def rename(leaf: Number | Ref, own: str = own) -> Node:
            if not isinstance(leaf, Ref):
                return leaf
            other = served.get(leaf.code)
            code = outputs[other] if other is not None and leaf.code != own else driver(leaf.code)
            return Ref(code, leaf.offset, span=leaf.span)

        queries[key] = Formula(map_leaves(plan.resolved[key].root, rename))

    rows = []
    # names SQL leaves to the evaluator: codes of data written with units, which the
    # evaluator refuses to join by + and - (SQL has doubles only, and would add them),
    # or of values no double holds; then the indicators reading them (see _run)
    left: set[str] = set()

    def add_row(name: str, when: int, raw: object) -> None:
        value, leave = _read(raw)
        rows.append((name, when, value))
        if leave:
            left.add(name)

    for key, raw in data.items():
        if isinstance(key, tuple) and len(key) == 2:
            code, when = key
            # a year as the evaluator's lookups find it (numpy's integers too), no bool
            if code in names and isinstance(when, Integral) and not isinstance(when, bool):
                add_row(names[code], int(when), raw)
        elif isinstance(key, str) and key in names and (key, year) not in data:
            add_row(names[key], year, raw)
    connection = duckdb.connect()
    try:
        connection.execute("CREATE TABLE kpi_values (code VARCHAR, year INTEGER, value DOUBLE)")
        if rows:
            connection.executemany("INSERT INTO kpi_values VALUES (?, ?, ?)", rows)
        return _run(connection, plan, outputs, copies, queries, left=left, on_missing=on_missing)
    finally:
        connection.close()


def _run(
    connection: Any,
    plan: PreparedPlan,
    outputs: Mapping[str, str],
    copies: Mapping[str, str],
    queries: Mapping[str, Formula],
    *,
    left: set[str],
    on_missing: MissingPolicy,
) -> dict[str, dict[int, Decimal]]:
    """Each computed indicator's query in order, its values kept for those that read it.
    An indicator SQL cannot compute as the evaluator does (reading a name in ``left``, a
    value no double holds in its formula or result) is left out, and added to ``left``
    for every indicator reading it."""
    import duckdb  # required by duckdb_values, which calls this
    results: dict[str, dict[int, Decimal]] = {}
    for key in plan.order:
        own = outputs[key]
        if key in copies:
            # read in the indicator's unit before any engine (plan.dataunits): 150 % is 1,5
            connection.execute(
                "INSERT INTO kpi_values SELECT ?, year, value FROM kpi_values WHERE code = ?",
                [own, copies[key]],
            )
            continue
        query = queries[key]
        if any(ref.code in left for ref in query.references):
            left.add(own)  # it reads one the evaluator computes: so does it
            continue
        try:
            found = connection.execute(
                to_sql(query, dialect="duckdb", on_missing=on_missing)
            ).fetchall()
        except duckdb.Error:
            left.add(own)  # a number no double holds, written in the formula
            continue
        if any(isinstance(value, float) and not math.isfinite(value) for _, value in found):
            left.add(own)  # past what a double holds: the evaluator computes it exactly
            continue
        results[key] = {int(year): _decimal(value) for year, value in found if value is not None}
        scale = plan.in_points.get(key)
        if scale is not None:
            # percentage or per-mille points: the indicator is the fraction, for the
            # formulas that read it
            found = [(year, None if value is None else value / scale) for year, value in found]
        if found:
            connection.executemany(
                "INSERT INTO kpi_values VALUES (?, ?, ?)",
                [(own, int(year), value) for year, value in found],
            )
    return results

