"""Columnar bulk evaluation with polars: many entities and years at once.

A national body evaluates every chamber's plan over every year: one formula,
millions of rows.  :func:`evaluate_frame` turns the formula into one polars
query over a *wide* frame — a row per entity and year, a column per driver
code (:func:`kpi_formula.plan.frame.evaluate_plan_frame` does so for every
indicator of a plan).

The semantics are the evaluator's, in columnar form (install the ``polars``
extra):

* N/D is null (and NaN, as pandas writes missing data, and infinities): any
  null operand makes the result null;
* division by zero is null, as the default ``on_zero_division="missing"``;
* ``CODE-K`` reads the row of the same entity for ``year - K``, null when the
  frame has no such row;
* arithmetic is in 64-bit floating point, for speed: values agree with the
  exact evaluator to about 15 significant digits.  Use :func:`kpi_formula.evaluate`
  when every digit matters.

The query never names a column after a code: the columns it reads are copied
under names of its own (``d0``, ``d1``, … for drivers, ``y`` and ``e0``, … for
the keys), so no code — ``"A@-1"``, ``"value"``, anything in quotes — can meet
a column the engine made.  A driver whose code is a key column (``year``) is
refused, as is a frame with two rows for one entity and year where a formula
reads other years.

>>> import polars as pl
>>> frame = pl.DataFrame({"entity": ["MO", "MO"], "year": [2024, 2025], "A": [100, 110]})
>>> evaluate_frame("(A - A-1) / A-1", frame).get_column("value").to_list()
[None, 0.1]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..ast import Neg, Node, Number, Ref
from ..catalog import Catalog
from ..errors import KpiFormulaError, msg
from ..formula import Formula, parse
from ..inputs import require_module
from ..resolver import resolve

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ColumnPlan",
    "Step",
    "evaluate_frame",
    "frame_keys",
    "polars_module",
    "run_columns",
    "to_polars",
]

YEAR = "y"
"""The engine's name for the year key; entity keys are ``e0``, ``e1``, …"""
_ORDER = "r"  # the rows' original order, while they are sorted


def polars_module() -> Any:
    return require_module("polars", extra="polars", purpose="bulk evaluation")


def _build(node: Node, column: Callable[[Ref], Any]) -> Any:
    """The formula as a polars expression, each reference read by ``column``."""
    polars = polars_module()
    if isinstance(node, Number):
        return polars.lit(float(node.value), dtype=polars.Float64)
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Neg):
        return -_build(node.operand, column)
    left, right = _build(node.left, column), _build(node.right, column)
    if node.op == "/":
        return polars.when(right == 0).then(None).otherwise(left / right)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    return left * right


def to_polars(formula: Formula | str) -> pl.Expr:
    """The formula as a polars expression over columns named by code (``A``)
    and, for other years, by code and offset (``A@-1``): for frames widened by
    hand.  A formula in which two references would read one column (``"A@-1" +
    A-1``) is refused."""
    polars = polars_module()
    if not isinstance(formula, Formula):
        formula = parse(formula)
    named: dict[str, Ref] = {}
    for ref in sorted(formula.references):
        name = ref.code if ref.offset == 0 else f"{ref.code}@{ref.offset:+d}"
        other = named.setdefault(name, ref)
        if other != ref:
            raise KpiFormulaError(
                msg(
                    "{first} and {second} would both read the column {name!r}",
                    first=str(Formula(other)),
                    second=str(Formula(ref)),
                    name=name,
                ),
                hint=msg("use evaluate_frame, which keeps every reference apart"),
            )

    def column(ref: Ref) -> Any:
        name = ref.code if ref.offset == 0 else f"{ref.code}@{ref.offset:+d}"
        return _finite(polars.col(name).cast(polars.Float64))

    expression: pl.Expr = _build(formula.root, column)
    return expression


def _finite(column: Any) -> Any:
    """A value column with NaN and infinities as null: N/D, as the evaluator reads them."""
    return polars_module().when(column.is_finite()).then(column)


@dataclass(frozen=True, slots=True)
class Step:
    """One column the engine computes: ``build(prior)`` gives its expression, where
    ``prior(name, offset)`` reads another column of the same entity ``offset``
    years away (columns of earlier steps, or the drivers read)."""

    name: str
    build: Callable[[Callable[[str, int], Any]], Any]
    offsets: frozenset[int]
    """The year offsets, other than 0, that the expression reads."""


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """What a query computes, worked out once and reusable on any frame: the driver
    columns it reads (code → the engine's name), and its steps in levels (each
    level reads only the drivers and the levels before it)."""

    drivers: Mapping[str, str]
    levels: tuple[tuple[Step, ...], ...]
    built: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """The polars expressions, once built for a kind of frame (see :func:`run_columns`)."""

    @property
    def offsets(self) -> frozenset[int]:
        """The year offsets, other than 0, that the steps read."""
        return frozenset().union(*(step.offsets for level in self.levels for step in level))


def formula_step(
    name: str, formula: Formula, column_of: Callable[[Ref], str], *, points: int | None = None
) -> Step:
    """The step computing ``formula``, each reference read from the column
    ``column_of(ref)`` (of the same row, or of ``ref.offset`` years away); divided by
    ``points`` where given (a share computed in percentage points, 100, or per-mille
    points, 1000)."""
    offsets = frozenset(ref.offset for ref in formula.references if ref.offset)

    def build(prior: Callable[[str, int], Any]) -> Any:
        expression = _build(formula.root, lambda ref: prior(column_of(ref), ref.offset))
        return expression if points is None else expression / points

    return Step(name, build, offsets)


def frame_keys(frame: pl.DataFrame, year: str, by: Sequence[str] | None) -> list[str]:
    """The entity columns (``by``; by default ``entity`` where the frame has one),
    after checking that the frame has them and an integer ``year`` column."""
    columns = frame.columns
    if year not in columns:
        raise KpiFormulaError(
            msg("the frame has no {year!r} column", year=year),
            hint=msg("pass year='...', the column holding each row's year"),
        )
    dtype = frame.schema[year]
    if not dtype.is_integer():
        raise KpiFormulaError(
            msg("the year column {year!r} holds {dtype}, not years", year=year, dtype=str(dtype)),
            hint=msg("cast it to integers: pl.col({year!r}).cast(pl.Int64)", year=year),
        )
    if by is None:
        return ["entity"] if "entity" in columns else []
    if isinstance(by, str):
        by = [by]
    keys = list(by)
    for key in keys:
        if key not in columns:
            raise KpiFormulaError(
                msg("the frame has no entity column {key!r}", key=key),
                hint=msg("pass by=(...) naming the frame's entity columns, or by=() for none"),
            )
    if year in keys or len(set(keys)) != len(keys):
        raise KpiFormulaError(
            msg("the key columns {keys} repeat a column", keys=", ".join(map(repr, [*keys, year]))),
            hint=msg("name each entity column once in by=(...), and the year apart"),
        )
    return keys


def check_codes(frame: pl.DataFrame, codes: Iterable[str], year: str, keys: Sequence[str]) -> None:
    """Refuse a driver whose code is a key column (it would read the years or the
    entities as values) or whose column holds no numbers."""
    schema = frame.schema
    for code in codes:
        if code == year or code in keys:
            role = "year" if code == year else "entity"
            raise KpiFormulaError(
                msg(
                    "the driver {code!r} has the name of the frame's {role} column, which "
                    "holds no values of it",
                    code=code,
                    role=role,
                ),
                hint=msg("rename the key column and name it with year='...' or by=(...)"),
            )
        dtype = schema.get(code)
        if dtype is not None and not (_numeric(dtype) or dtype.is_temporal()):
            raise KpiFormulaError(
                msg("the column {code!r} holds {dtype}, not numbers", code=code, dtype=str(dtype)),
                hint=msg("read the values into numbers first (N/D as null)"),
            )


def _numeric(dtype: Any) -> bool:
    return bool(dtype.is_numeric()) or str(dtype) == "Null"


def _prior(column: str, offset: int, entities: int) -> Any:
    """``column`` of the same entity ``offset`` years away, in a frame whose rows are
    in increasing years, each entity's together: that row, if any, is at most
    ``|offset|`` rows away."""
    polars = polars_module()
    if offset == 0:
        return polars.col(column)
    value: Any = None
    year = polars.col(YEAR)
    for step in range(1, abs(offset) + 1):
        shift = step if offset < 0 else -step
        same = year.shift(shift) == year + offset
        for index in range(entities):
            key = polars.col(f"e{index}")
            same = same & (key.shift(shift) == key)
        taken = polars.col(column).shift(shift)
        value = polars.when(same).then(taken) if value is None else value.when(same).then(taken)
    return value


def _is_ordered(frame: pl.DataFrame, year: str, keys: Sequence[str]) -> bool:
    """Whether each entity's rows are together, in strictly increasing years."""
    polars = polars_module()
    if frame.height < 2:
        return True
    if keys:
        changes = polars.any_horizontal(
            *[polars.col(key).ne_missing(polars.col(key).shift(1)) for key in keys]
        )
        distinct = (polars.col(keys[0]) if len(keys) == 1 else polars.struct(*keys)).n_unique()
    else:
        changes = polars.lit(False)
        distinct = polars.lit(1)
    increasing = polars.col(year) > polars.col(year).shift(1)
    checks = frame.select(
        (changes | increasing).fill_null(True).all().alias("ordered"),
        # as many runs of one entity as entities; the first row starts a run of its own
        (changes.slice(1).fill_null(False).sum() + 1 == distinct).alias("together"),
    ).row(0)
    return bool(checks[0]) and bool(checks[1])


def run_columns(
    frame: pl.DataFrame, plan: ColumnPlan, *, year: str, keys: Sequence[str]
) -> pl.DataFrame:
    """The columns of ``plan``'s steps, computed over ``frame``, one row per row of
    ``frame`` in its order, under the steps' names."""
    polars = polars_module()
    schema = frame.schema
    # a column the frame lacks is N/D, and so are dates: milestones are not computed with
    readable = tuple(code in schema and _numeric(schema[code]) for code in plan.drivers)
    reads, levels, outputs = _expressions(plan, readable, len(keys))
    entity_names = [f"e{index}" for index in range(len(keys))]
    working = frame.lazy().select(
        *[polars.col(key).alias(name) for key, name in zip(keys, entity_names, strict=True)],
        polars.col(year).alias(YEAR),
        *reads,
    )
    resort = bool(plan.offsets) and not _is_ordered(frame, year, keys)
    if resort:
        # prior years by shifting rows: sorted by entity and year, put back in order after
        working = working.with_row_index(_ORDER).sort([*entity_names, YEAR], nulls_last=True)
        _check_unique(working, entity_names, frame.height)  # an ordered frame has one
    for level in levels:
        working = working.with_columns(*level)
    if resort:
        working = working.sort(_ORDER)
    collected: pl.DataFrame = working.select(outputs).collect()
    return collected


_Expressions = tuple[tuple[Any, ...], tuple[tuple[Any, ...], ...], tuple[str, ...]]


def _expressions(plan: ColumnPlan, readable: tuple[bool, ...], entities: int) -> _Expressions:
    """The polars expressions of ``plan`` (the driver columns read, each level's
    columns, the outputs' names), built once per plan and kind of frame: which
    drivers the frame holds as numbers, and how many entity columns it has."""
    cache = plan.built
    found: _Expressions | None = cache.get((readable, entities))
    if found is not None:
        return found
    polars = polars_module()
    reads = tuple(
        _finite(polars.col(code).cast(polars.Float64)).alias(name)
        if numeric
        else polars.lit(None, dtype=polars.Float64).alias(name)
        for (code, name), numeric in zip(plan.drivers.items(), readable, strict=True)
    )

    def prior(column: str, offset: int) -> Any:
        return _prior(column, offset, entities)

    levels = tuple(
        tuple(step.build(prior).alias(step.name) for step in level) for level in plan.levels
    )
    outputs = tuple(step.name for level in plan.levels for step in level)
    found = cache[(readable, entities)] = (reads, levels, outputs)
    return found


def _check_unique(working: Any, entities: Sequence[str], height: int) -> None:
    """Refuse two rows of one entity and year, where formulas read other years: which
    of them would be the year before?"""
    polars = polars_module()
    keys = [*entities, YEAR]
    unique = working.select(polars.struct(*keys).n_unique()).collect().item()
    if unique != height:
        raise KpiFormulaError(
            msg("the frame has {count} rows more than entities and years", count=height - unique),
            hint=msg("keep one row per entity and year, or name the entity columns with by=(...)"),
        )


def evaluate_frame(
    formula: Formula | str,
    frame: pl.DataFrame,
    *,
    year: str = "year",
    by: Sequence[str] | None = None,
    output: str = "value",
    catalog: Catalog | None = None,
) -> pl.DataFrame:
    """``frame`` with a column ``output`` holding the formula's value for each
    row (entity and year); see the module documentation for the semantics.

    ``by`` names the entity columns (default: ``entity``, where the frame has
    one; ``by=()`` for a frame of one entity).  A frame that already has a
    column ``output`` is refused rather than overwritten.
    """
    if not isinstance(formula, Formula):
        formula = parse(formula)
    if catalog is not None:
        formula = resolve(formula, catalog).formula
    keys = frame_keys(frame, year, by)
    codes = sorted(formula.drivers)
    check_codes(frame, codes, year, keys)
    if output in frame.columns:
        raise KpiFormulaError(
            msg("the frame already has a column {output!r}", output=output),
            hint=msg("pass output='...' naming a new column"),
        )
    names = {code: f"d{index}" for index, code in enumerate(codes)}
    step = formula_step("o", formula, lambda ref: names[ref.code])
    computed = run_columns(frame, ColumnPlan(names, ((step,),)), year=year, keys=keys)
    result: pl.DataFrame = frame.with_columns(computed.get_column("o").alias(output))
    return result
