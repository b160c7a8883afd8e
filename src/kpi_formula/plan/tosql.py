"""A whole plan as one SQL query: every indicator, for every entity and year.

:func:`plan_to_sql` is :func:`kpi_formula.to_sql` for a plan.  The query reads
the same *long* table of driver values (``[entity,] code, year, value``) and
returns a row per entity and year the table holds, with a column per indicator
named by its id, in the order the plan lists them.  Its semantics are
:func:`~kpi_formula.plan.evaluate_plan`'s, in SQL's means (those of
:mod:`kpi_formula.engines.sql`: N/D and absent values are NULL, ``x / 0`` is
NULL, arithmetic in ``DOUBLE``):

* the formulas are those the plan binds for every engine
  (:mod:`kpi_formula.plan.prepared`): indicators read the indicators computed
  before them, their prior years too, and inside its own formula an
  indicator's code is the driver of that code;
* an input in % beyond ±1 (95 typed for 95 %) is NULL, as the plan evaluator
  refuses it, and a % indicator whose formula scales by 100 is the fraction;
* a year the table holds no row of, for an entity, is N/D for every indicator
  there, as it is in a frame given to :func:`~kpi_formula.plan.frame.evaluate_plan_frame`:
  a formula reading the year before reads NULL.  Dates are not values of the
  table: milestones are judged by :func:`~kpi_formula.plan.evaluate_plan`.

The query is laid out in levels, each a common table expression: the table
pivoted to a row per entity and year (a column per code read), then each level
of indicators that read only the drivers and the levels before them, joined to
itself on ``year - K`` where they read a prior year.  Codes and ids never name
a column of the query: every code is read under a name of the engine's own
(``d0``, ``d1``, …), every indicator under another (``i0``, …), and only the
last select names the columns by the indicators' ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..ast import Neg, Node, Number, Ref
from ..errors import KpiFormulaError, msg
from ..inputs import require_module
from .layout import ColumnLayout
from .prepared import PreparedPlan, prepared

if TYPE_CHECKING:
    from .model import Plan

__all__ = ["plan_to_sql"]

_YEAR = "y"
_ENTITY = "e"
_DOUBLE = "DOUBLE"


def plan_to_sql(
    plan: Plan,
    *,
    dialect: str = "duckdb",
    table: str = "kpi_values",
    code_column: str = "code",
    year_column: str = "year",
    value_column: str = "value",
    entity_column: str | None = None,
) -> str:
    """One query computing every indicator of ``plan`` over ``table``: a row per
    ``[entity,] year`` of the table, a column per indicator named by its id (see
    the module documentation for the semantics).

    The query is written once per plan object and set of arguments.  An
    indicator whose id is the name of a key column is refused.  Install the
    ``sql`` extra.
    """
    require_module("sqlglot", extra="sql", purpose="plan_to_sql")
    keys = (entity_column, year_column) if entity_column else (year_column,)
    ready: PreparedPlan = prepared(plan)
    for key in ready.listed:
        if key in keys:
            raise KpiFormulaError(
                msg("the indicator {id!r} has the name of a key column of the table", id=key),
                hint=msg("name the key columns with entity_column=... and year_column=..."),
            )
    layout = (dialect, table, code_column, year_column, value_column, entity_column)
    text: str = plan.prepared(
        f"sql:{layout!r}",
        lambda _: _query(
            ready,
            dialect,
            table=table,
            code_column=code_column,
            year_column=year_column,
            value_column=value_column,
            entity_column=entity_column,
        ),
    )
    return text


class _Writer:
    """Identifiers and literals of the query, written by sqlglot in DuckDB's dialect."""

    def __init__(self) -> None:
        from sqlglot import exp

        self.exp = exp

    def name(self, text: str) -> str:
        return str(self.exp.to_identifier(text, quoted=True).sql(dialect="duckdb"))

    def string(self, text: str) -> str:
        return str(self.exp.Literal.string(text).sql(dialect="duckdb"))

    def number(self, text: str) -> str:
        return str(self.exp.Literal.number(text).sql(dialect="duckdb"))


def _expression(node: Node, column: Callable[[Ref], str], writer: _Writer) -> str:
    """The formula in SQL, as :func:`kpi_formula.to_sql` writes it."""
    if isinstance(node, Number):
        return f"CAST({writer.number(node.text)} AS {_DOUBLE})"
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Neg):
        return f"(-{_expression(node.operand, column, writer)})"
    left = _expression(node.left, column, writer)
    right = _expression(node.right, column, writer)
    if node.op == "/":
        return f"(CAST({left} AS {_DOUBLE}) / NULLIF({right}, 0))"
    return f"({left} {node.op} {right})"


def _alias(offset: int) -> str:
    return "cur" if offset == 0 else f"y{'m' if offset < 0 else 'p'}{abs(offset)}"


def _query(
    ready: PreparedPlan,
    dialect: str,
    *,
    table: str,
    code_column: str,
    year_column: str,
    value_column: str,
    entity_column: str | None,
) -> str:
    import sqlglot

    writer = _Writer()
    layout = ColumnLayout(ready)
    outputs, drivers = layout.outputs, layout.drivers
    # each indicator's expression, by level: a level reads the drivers and the levels before
    levels: list[list[tuple[str, str, frozenset[int]]]] = []
    for key, level in layout.levels():
        indicator = ready.indicators[key]
        source = ready.read_from_data.get(key)
        if source is not None:
            read = f"cur.{layout.driver(source)}"
            if indicator.unit == "%":  # typed without its sign (95 for 95 %): N/D
                read = f"CASE WHEN abs({read}) <= 1 THEN {read} END"
            expression, offsets = read, frozenset[int]()
        else:
            formula = ready.resolved[key]
            column_of = layout.reader(indicator.code)

            def column(ref: Ref, column_of: Callable[[Ref], str] = column_of) -> str:
                return f"{_alias(ref.offset)}.{column_of(ref)}"

            expression = _expression(formula.root, column, writer)
            scale = ready.in_points.get(key)
            if scale is not None:  # percentage or per-mille points: the indicator is the fraction
                expression = f"({expression} / CAST({scale} AS {_DOUBLE}))"
            offsets = frozenset(ref.offset for ref in formula.references if ref.offset)
        while len(levels) <= level:
            levels.append([])
        levels[level].append((outputs[key], expression, offsets))

    quoted = writer.name
    entity = [f"{quoted(entity_column)} AS {_ENTITY}"] if entity_column else []
    pivot = ", ".join(
        [
            *entity,
            f"{quoted(year_column)} AS {_YEAR}",
            *(
                f"MAX(CASE WHEN {quoted(code_column)} = {writer.string(code)} "
                f"THEN CAST({quoted(value_column)} AS {_DOUBLE}) END) AS {name}"
                for code, name in drivers.items()
            ),
        ]
    )
    group = ", ".join([quoted(column) for column in (entity_column, year_column) if column])
    ctes = [f"l0 AS (SELECT {pivot} FROM {_table(table)} GROUP BY {group})"]
    for number, steps in enumerate(levels, start=1):
        before = f"l{number - 1}"
        joins = []
        for offset in sorted(frozenset[int]().union(*(offsets for _, _, offsets in steps))):
            alias = _alias(offset)
            on = f"{alias}.{_YEAR} = cur.{_YEAR} {'-' if offset < 0 else '+'} {abs(offset)}"
            if entity_column:
                on += f" AND {alias}.{_ENTITY} = cur.{_ENTITY}"
            joins.append(f" LEFT JOIN {before} AS {alias} ON {on}")
        computed = ", ".join(f"{expression} AS {name}" for name, expression, _ in steps)
        ctes.append(f"l{number} AS (SELECT cur.*, {computed} FROM {before} AS cur{''.join(joins)})")
    last = f"l{len(levels)}"
    columns = ", ".join(
        ([f"{_ENTITY} AS {quoted(entity_column)}"] if entity_column else [])
        + [f"{_YEAR} AS {quoted(year_column)}"]
        + [f"{outputs[key]} AS {quoted(key)}" for key in ready.listed]
    )
    text = f"WITH {', '.join(ctes)} SELECT {columns} FROM {last}"
    if dialect == "duckdb":
        return text
    return str(sqlglot.transpile(text, read="duckdb", write=dialect)[0])


def _table(name: str) -> str:
    """The table as written: a name, or a dotted ``schema.table``."""
    from sqlglot import exp

    return str(exp.to_table(name).sql(dialect="duckdb"))
