"""A plan's formulas run as SQL in an embedded DuckDB (``engine="duckdb"``).

Each computed indicator's values for every year are one query (see
:func:`kpi_formula.to_sql`); computed values go back into the table under a code
of their own so that indicators reading indicators find them.  Inputs,
milestones, targets and the roll-up stay with :mod:`kpi_formula.plan.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..ast import Node, Number, Ref, map_leaves
from ..catalog import Catalog
from ..decimals import to_decimal
from ..errors import KpiFormulaError
from ..formula import Formula
from ..inputs import require_module
from ..lint import scales_by_hundred
from ..missing import ND
from ..resolver import resolve
from .model import Indicator

__all__ = ["duckdb_values", "names_one_driver", "point_at_computed"]


def names_one_driver(root: Node, indicators: Mapping[str, Indicator]) -> bool:
    return isinstance(root, Ref) and root.offset == 0 and root.code not in indicators


def duckdb_values(
    *,
    indicators: Mapping[str, Indicator],
    formulas: Mapping[str, Formula | None],
    catalog: Catalog,
    data: Mapping[Any, Any],
    order: Sequence[str],
    on_missing: str,
) -> dict[str, dict[int, Decimal]]:
    """Every computed indicator's values for every year, by SQL in DuckDB.

    Computed values go back into the table under a code of their own
    (``#indicator:CODE``), so that indicators using indicators read them while
    an indicator's own code inside its formula stays the driver of that code.
    """
    duckdb = require_module("duckdb", extra="duckdb", purpose="the duckdb engine")
    from ..engines.sql import to_sql

    connection = duckdb.connect()
    connection.execute("CREATE TABLE kpi_values (code VARCHAR, year INTEGER, value DOUBLE)")
    rows = []
    for key, raw in data.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            continue
        try:
            value = to_decimal(raw, "a data value")
        except KpiFormulaError:
            value = ND
        rows.append((key[0], key[1], float(value) if isinstance(value, Decimal) else None))
    if rows:
        connection.executemany("INSERT INTO kpi_values VALUES (?, ?, ?)", rows)
    results: dict[str, dict[int, Decimal]] = {}
    for key in order:
        indicator = indicators[key]
        formula = formulas[key]
        own = f"#indicator:{indicator.code}"
        if formula is None or names_one_driver(formula.root, indicators):
            root = None if formula is None else formula.root
            source = root.code if isinstance(root, Ref) else indicator.code
            # an input in % beyond ±1 was typed without its sign: N/D, as _read says
            kept = "CASE WHEN abs(value) <= 1 THEN value END" if indicator.unit == "%" else "value"
            connection.execute(
                f"INSERT INTO kpi_values SELECT ?, year, {kept} FROM kpi_values WHERE code = ?",
                [own, source],
            )
            continue
        resolved = resolve(formula, catalog).formula
        renamed = point_at_computed(resolved, indicators, indicator.code, "#indicator:{}")
        query = to_sql(renamed, dialect="duckdb", on_missing=on_missing)
        found = connection.execute(query).fetchall()
        results[key] = {
            int(year): Decimal(repr(value)) for year, value in found if value is not None
        }
        if indicator.unit == "%" and scales_by_hundred(formula):
            # percentage points: the indicator is the fraction, for the formulas that read it
            found = [(year, None if value is None else value / 100) for year, value in found]
        if found:
            connection.executemany(
                "INSERT INTO kpi_values VALUES (?, ?, ?)",
                [(own, int(year), value) for year, value in found],
            )
    return results


def point_at_computed(
    formula: Formula, indicators: Mapping[str, object], own: str, spelling: str
) -> Formula:
    """``formula`` with references to other indicators renamed by ``spelling``
    (``"#indicator:{}"``), where their computed values are kept; its own code
    stays the driver of that code."""

    def rename(leaf: Number | Ref) -> Node:
        if isinstance(leaf, Ref) and leaf.code in indicators and leaf.code != own:
            return Ref(spelling.format(leaf.code), leaf.offset, span=leaf.span)
        return leaf

    return Formula(map_leaves(formula.root, rename))
