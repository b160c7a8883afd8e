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
    (the evaluator names why); and whether it was written with a unit."""
    try:
        value, unit = read_with_unit(raw, "a data value")
    except KpiFormulaError:
        return None, False
    return (float(value) if isinstance(value, Decimal) else None), unit is not None


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
    united: set[str] = set()  # names of codes whose data carry a unit

    def add_row(name: str, when: int, raw: object) -> None:
        value, has_unit = _read(raw)
        rows.append((name, when, value))
        if has_unit:
            united.add(name)

    for key, raw in data.items():
        if isinstance(key, tuple) and len(key) == 2:
            code, when = key
            # a year as the evaluator's lookups find it (numpy's integers too), no bool
            if code in names and isinstance(when, Integral) and not isinstance(when, bool):
                add_row(names[code], int(when), raw)
        elif isinstance(key, str) and key in names and (key, year) not in data:
            add_row(names[key], year, raw)
    # a formula reading values written with units is left to the plan evaluator, which
    # refuses + and - between different units (SQL has doubles only, and would add them)
    queries = {
        key: query
        for key, query in queries.items()
        if not any(ref.code in united for ref in query.references)
    }
    connection = duckdb.connect()
    try:
        connection.execute("CREATE TABLE kpi_values (code VARCHAR, year INTEGER, value DOUBLE)")
        if rows:
            connection.executemany("INSERT INTO kpi_values VALUES (?, ?, ?)", rows)
        return _run(connection, plan, outputs, copies, queries, on_missing=on_missing)
    finally:
        connection.close()


def _run(
    connection: Any,
    plan: PreparedPlan,
    outputs: Mapping[str, str],
    copies: Mapping[str, str],
    queries: Mapping[str, Formula],
    *,
    on_missing: MissingPolicy,
) -> dict[str, dict[int, Decimal]]:
    """Each computed indicator's query in order, its values kept for those that read it."""
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
        if key not in queries:  # left to the plan evaluator: nothing in SQL reads it
            continue
        found = connection.execute(
            to_sql(queries[key], dialect="duckdb", on_missing=on_missing)
        ).fetchall()
        results[key] = {int(year): _decimal(value) for year, value in found if value is not None}
        if key in plan.in_points:
            # percentage points: the indicator is the fraction, for the formulas that read it
            found = [(year, None if value is None else value / 100) for year, value in found]
        if found:
            connection.executemany(
                "INSERT INTO kpi_values VALUES (?, ?, ?)",
                [(own, int(year), value) for year, value in found],
            )
    return results

