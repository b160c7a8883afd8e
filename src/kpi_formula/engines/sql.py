"""Formulas as SQL, for warehouses: DuckDB, Spark SQL, PostgreSQL, BigQuery, ...

:func:`to_sql` writes one query over a *long* table of driver values
(``code``, ``year``, ``value`` and optionally an entity column, such as the
chamber) that returns the formula's value for every entity and year.  The SQL
is built as a tree with `sqlglot <https://github.com/tobymao/sqlglot>`_ and
printed in the dialect asked for (install the ``sql`` extra).

The semantics are the evaluator's, with SQL's own means:

* N/D is NULL: a value stored as NULL, or a row that is not there, makes
  every expression that uses it NULL;
* division by zero is ``x / NULLIF(y, 0)``: NULL, as the default
  ``on_zero_division="missing"``;
* prior years come from the same table joined on ``year - K``;
* ``on_missing="zero"`` reads a NULL driver as 0 (``COALESCE``);
* arithmetic is carried out in floating point (``DOUBLE``): SQL engines differ
  in integer and decimal arithmetic (and overflow in it), so numbers are cast, as
  is every numerator.  Values therefore agree with the exact evaluator to about
  15 significant digits.

>>> print(to_sql("(A - A-1) / A-1", dialect="duckdb"))  # doctest: +ELLIPSIS
WITH pivoted AS (SELECT "year", MAX(CASE WHEN "code" = 'A' THEN "value" END) AS "v0" FROM ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ast import Neg, Node, Number, Ref
from ..catalog import Catalog
from ..formula import Formula, parse
from ..inputs import require_module
from ..resolver import resolve

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["to_sql"]


def to_sql(
    formula: Formula | str,
    *,
    dialect: str = "duckdb",
    table: str = "kpi_values",
    code_column: str = "code",
    year_column: str = "year",
    value_column: str = "value",
    entity_column: str | None = None,
    catalog: Catalog | None = None,
    on_missing: str = "propagate",
) -> str:
    """A query returning ``[entity,] year, value`` for every entity and year of
    ``table``; see the module documentation for the semantics."""
    require_module("sqlglot", extra="sql", purpose="to_sql")
    from sqlglot import exp

    if not isinstance(formula, Formula):
        formula = parse(formula)
    if catalog is not None:
        formula = resolve(formula, catalog).formula
    codes = sorted(formula.drivers)
    slots = {code: f"v{index}" for index, code in enumerate(codes)}
    offsets = sorted({ref.offset for ref in formula.references if ref.offset != 0})
    aliases = {
        0: "cur",
        **{offset: f"y{'m' if offset < 0 else 'p'}{abs(offset)}" for offset in offsets},
    }

    def double() -> exp.DataType:
        return exp.DataType(this=exp.DataType.Type.DOUBLE)

    def column(name: str, alias: str | None = None) -> exp.Column:
        return (
            exp.column(name, table=alias, quoted=True) if alias else exp.column(name, quoted=True)
        )

    def expression(node: Node) -> exp.Expression:
        if isinstance(node, Number):
            # a double, as the values are: integer and decimal literals would do their
            # arithmetic in types that overflow (999999 * 999999 in INT32) or differ by engine
            return exp.Cast(this=exp.Literal.number(node.text), to=double())
        if isinstance(node, Ref):
            reference = column(slots[node.code], aliases[node.offset])
            if on_missing == "zero":
                return exp.Coalesce(this=reference, expressions=[exp.Literal.number(0)])
            return reference
        if isinstance(node, Neg):
            return exp.Paren(this=exp.Neg(this=expression(node.operand)))
        left, right = expression(node.left), expression(node.right)
        if node.op == "/":
            numerator = exp.Cast(this=left, to=double())
            divisor = exp.Nullif(this=right, expression=exp.Literal.number(0))
            return exp.Paren(this=exp.Div(this=numerator, expression=divisor))
        operation = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}[node.op]
        return exp.Paren(this=operation(this=left, expression=right))

    keys = ([entity_column] if entity_column else []) + [year_column]
    pivot_columns: list[Any] = [column(key) for key in keys]
    for code in codes:
        case = exp.Case().when(
            exp.EQ(this=column(code_column), expression=exp.Literal.string(code)),
            column(value_column),
        )
        pivot_columns.append(exp.alias_(exp.Max(this=case), slots[code], quoted=True))
    # built in place (copy=False): each builder call would otherwise copy the whole
    # query, the formula's expression with it, and a long formula many times over
    pivoted = (
        exp.select(*pivot_columns, copy=False)
        .from_(exp.to_table(table), copy=False)
        .where(
            exp.column(code_column, quoted=True).isin(*[exp.Literal.string(c) for c in codes]),
            copy=False,
        )
        .group_by(*[column(key) for key in keys], copy=False)
    )
    outputs: list[Any] = [column(key, "cur") for key in keys]
    outputs.append(exp.alias_(expression(formula.root), value_column, quoted=True, copy=False))
    query = exp.select(*outputs, copy=False).from_(
        exp.alias_(exp.to_table("pivoted"), "cur", table=True), copy=False
    )
    for offset in offsets:
        alias = aliases[offset]
        step = exp.Sub if offset < 0 else exp.Add
        shifted = step(this=column(year_column, "cur"), expression=exp.Literal.number(abs(offset)))
        condition: Any = exp.EQ(this=column(year_column, alias), expression=shifted)
        if entity_column:
            condition = exp.and_(
                condition,
                exp.EQ(this=column(entity_column, alias), expression=column(entity_column, "cur")),
            )
        query = query.join(
            exp.alias_(exp.to_table("pivoted"), alias, table=True),
            on=condition,
            join_type="left",
            copy=False,
        )
    if not codes:
        query = (
            exp.select(
                *[column(key) for key in keys],
                exp.alias_(expression(formula.root), value_column, quoted=True, copy=False),
                copy=False,
            )
            .from_(exp.to_table(table), copy=False)
            .group_by(*[column(key) for key in keys], copy=False)
        )
        return str(query.sql(dialect=dialect, copy=False))
    statement = query.with_("pivoted", as_=pivoted, copy=False)
    return str(statement.sql(dialect=dialect, copy=False))
