"""A whole plan over many chambers: the engines against the same work written by hand.

The Modena plan (examples/modena_2025) over N chambers, each a scaled copy of
Modena's data (N/D where Modena has N/D), for every year of the data:

* polars: ``evaluate_plan_frame`` against the plain polars program a user would
  write for the same formulas — columns named by code, the year before joined
  on ``year + 1``, ``when(divisor == 0)`` for division, the % inputs beyond ±1
  set aside, indicators reading indicators computed in a later ``with_columns``;
* DuckDB: ``plan_to_sql``'s one query against the plain SQL a user would write
  over the same long table — ``PIVOT`` to a row per chamber and year, the year
  before joined, ``NULLIF`` for division, a CTE per level of indicators.

The hand-written programs are spelled out from the plan's formulas (101
indicators are too many to type here), with nothing but those plain constructs.
Both sides produce the same table, held to each other before they are timed.

    python benchmarks/plan_bulk.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import timeit
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import kpi_formula as kf
from kpi_formula.ast import Neg, Node, Number, Ref
from kpi_formula.plan.model import Plan
from kpi_formula.plan.prepared import PreparedPlan, prepared

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "modena_2025"


def chambers(entities: int) -> tuple[Plan, dict[tuple[str, int], Any], list[str], list[int]]:
    from kpi_formula.data import load_data
    from kpi_formula.plan.planfile import load_plan

    plan = load_plan(EXAMPLE / "plan.toml")
    modena = load_data(EXAMPLE / "data.csv")
    codes = sorted({code for code, _ in modena})
    years = sorted({year for _, year in modena})
    return plan, modena, codes, years


def value(modena: dict[tuple[str, int], Any], code: str, year: int, entity: int) -> float | None:
    """Every chamber a scaled copy of Modena (shares kept within ±1 by the scale)."""
    known = modena.get((code, year))
    return float(known) * (1 - entity % 97 / 200) if isinstance(known, Decimal) else None


def _walk(node: Node, leaf: Callable[[Ref], Any], number: Callable[[Number], Any], ops: Any) -> Any:
    if isinstance(node, Number):
        return number(node)
    if isinstance(node, Ref):
        return leaf(node)
    if isinstance(node, Neg):
        return ops.neg(_walk(node.operand, leaf, number, ops))
    left = _walk(node.left, leaf, number, ops)
    right = _walk(node.right, leaf, number, ops)
    return ops.binary(node.op, left, right)


def _levels(ready: PreparedPlan) -> list[list[str]]:
    depth: dict[str, int] = {}
    levels: list[list[str]] = []
    for key in ready.order:
        level = 1 + max((depth[other] for other, _ in ready.reads[key]), default=-1)
        depth[key] = level
        while len(levels) <= level:
            levels.append([])
        levels[level].append(key)
    return levels


def _reader(ready: PreparedPlan, key: str) -> Callable[[Ref], tuple[str, int]]:
    """What a reference reads, as a user names it: (column, offset)."""
    served = {ind.code: k for k, ind in ready.indicators.items() if ind.code == k}
    own = ready.indicators[key].code

    def read(ref: Ref) -> tuple[str, int]:
        other = served.get(ref.code)
        if other is not None and ref.code != own:
            return f"= {other}", ref.offset  # the indicator, computed before
        return ref.code, ref.offset

    return read


def polars_by_hand(plan: Plan, *, prior: str = "join") -> Callable[[Any], Any]:
    """The plain polars program for the plan's formulas (see the module doc); with
    ``prior="over"`` the year before is ``shift(1).over("entity")``, right only for a
    frame sorted by year with no year missing."""
    import polars as pl

    ready = prepared(plan)
    before = sorted(
        {
            code
            for key, formula in ready.resolved.items()
            if key not in ready.read_from_data
            for code, offset in map(_reader(ready, key), formula.references)
            if offset == -1
        }
    )

    class Ops:
        @staticmethod
        def neg(x: Any) -> Any:
            return -x

        @staticmethod
        def binary(op: str, left: Any, right: Any) -> Any:
            if op == "/":
                return pl.when(right == 0).then(None).otherwise(left / right)
            return {"+": left + right, "-": left - right, "*": left * right}[op]

    stages = []
    for level in _levels(ready):
        expressions = []
        for key in level:
            source = ready.read_from_data.get(key)
            if source is not None:
                column = pl.col(source)
                if ready.indicators[key].unit == "%":
                    column = pl.when(column.abs() <= 1).then(column)
                expressions.append(column.alias(f"= {key}"))
                continue
            formula = ready.resolved[key]
            read = _reader(ready, key)

            def leaf(ref: Ref, read: Callable[[Ref], tuple[str, int]] = read) -> Any:
                column, offset = read(ref)
                return pl.col(column if offset == 0 else f"{column} -1")

            expression = _walk(formula.root, leaf, lambda n: pl.lit(float(n.value)), Ops)
            if key in ready.in_points:
                expression = expression / 100
            expressions.append(expression.alias(f"= {key}"))
        stages.append(expressions)
    outputs = [pl.col(f"= {key}").alias(key) for key in ready.listed]

    def run_over(frame: Any) -> Any:
        lazy = frame.lazy().with_columns(
            pl.col(code).shift(1).over("entity").alias(f"{code} -1") for code in before
        )
        for expressions in stages:
            lazy = lazy.with_columns(expressions)
        return lazy.select("entity", "year", *outputs).collect()

    def run(frame: Any) -> Any:
        lazy = frame.lazy()
        previous = lazy.select(
            "entity",
            (pl.col("year") + 1).alias("year"),
            *[pl.col(code).alias(f"{code} -1") for code in before],
        )
        lazy = lazy.join(previous, on=["entity", "year"], how="left", maintain_order="left")
        for expressions in stages:
            lazy = lazy.with_columns(expressions)
        return lazy.select("entity", "year", *outputs).collect()

    return run_over if prior == "over" else run


def sql_by_hand(plan: Plan, codes: list[str]) -> str:
    """The plain DuckDB SQL for the plan's formulas over the long table."""
    ready = prepared(plan)

    def name(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    class Ops:
        @staticmethod
        def neg(x: str) -> str:
            return f"(-{x})"

        @staticmethod
        def binary(op: str, left: str, right: str) -> str:
            if op == "/":
                return f"({left} / NULLIF({right}, 0))"
            return f"({left} {op} {right})"

    listed = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    pivot = f"PIVOT kpi_values ON code IN ({listed}) USING first(value) GROUP BY entity, year"
    ctes = [f"w0 AS ({pivot})"]
    for number, level in enumerate(_levels(ready), start=1):
        expressions = []
        joined = False
        for key in level:
            source = ready.read_from_data.get(key)
            if source is not None:
                column = f"cur.{name(source)}"
                if ready.indicators[key].unit == "%":
                    column = f"CASE WHEN abs({column}) <= 1 THEN {column} END"
                expressions.append(f"{column} AS {name('= ' + key)}")
                continue
            formula = ready.resolved[key]
            read = _reader(ready, key)

            def leaf(ref: Ref, read: Callable[[Ref], tuple[str, int]] = read) -> str:
                column, offset = read(ref)
                return f"{'cur' if offset == 0 else 'prev'}.{name(column)}"

            text = _walk(formula.root, leaf, lambda n: f"{n.text}::DOUBLE", Ops)
            joined = joined or any(ref.offset for ref in formula.references)
            if key in ready.in_points:
                text = f"({text} / 100)"
            expressions.append(f"{text} AS {name('= ' + key)}")
        join = (
            f" LEFT JOIN w{number - 1} AS prev ON prev.entity = cur.entity"
            " AND prev.year = cur.year - 1"
            if joined
            else ""
        )
        ctes.append(
            f"w{number} AS (SELECT cur.*, {', '.join(expressions)} FROM w{number - 1} AS cur{join})"
        )
    outputs = ", ".join(f"{name('= ' + key)} AS {name(key)}" for key in ready.listed)
    return f"WITH {', '.join(ctes)} SELECT entity, year, {outputs} FROM w{len(ctes) - 1}"


def _best(functions: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Best time of each, the functions taking turns in every round."""
    times: dict[str, list[float]] = {key: [] for key in functions}
    for _ in range(rounds):
        for key, function in functions.items():
            times[key].append(timeit.timeit(function, number=1))
    return {key: min(values) for key, values in times.items()}


def _same(ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> None:
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    for mine, other in zip(sorted(ours), sorted(theirs), strict=True):
        for a, b in zip(mine, other, strict=True):
            assert (a is None and b is None) or (
                a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)
            ), (mine[:2], a, b)


def measure(rows: list[list[str]], entities: int = 10_000, rounds: int = 5) -> None:
    """Append the whole-plan rows to ``rows`` (``run.py``'s table)."""
    try:
        import duckdb
        import polars as pl
        import sqlglot  # noqa: F401
    except ImportError:
        rows.append(["whole-plan bulk", "polars/duckdb/sqlglot not installed", "", "", ""])
        return
    from kpi_formula.plan import plan_to_sql
    from kpi_formula.plan.frame import evaluate_plan_frame

    plan, modena, codes, years = chambers(entities)
    schema = {"entity": pl.Int64, "year": pl.Int64, **{c: pl.Float64 for c in codes}}

    def frame_of(count: int) -> Any:
        records = [
            {"entity": e, "year": y, **{c: value(modena, c, y, e) for c in codes}}
            for e in range(count)
            for y in years
        ]
        return pl.DataFrame(records, schema=schema)

    frame = frame_of(entities)
    small = frame_of(1)
    by_hand = polars_by_hand(plan)
    over = polars_by_hand(plan, prior="over")
    ours_table = evaluate_plan_frame(plan, frame)
    for program in (by_hand, over):
        theirs_table = program(frame)
        _same(ours_table.rows(), theirs_table.select(ours_table.columns).rows())
    times = _best(
        {
            "ours": lambda: evaluate_plan_frame(plan, frame),
            "hand": lambda: by_hand(frame),
            "over": lambda: over(frame),
            "ours small": lambda: evaluate_plan_frame(plan, small),
            "hand small": lambda: by_hand(small),
        },
        rounds,
    )
    # a plan object as just read: the query is worked out on its first frame
    fresh = min(
        timeit.repeat(lambda: evaluate_plan_frame(_reread(), frame), number=1, repeat=rounds)
    )
    size = f"{len(plan.indicators())} indicators"
    label = f"Modena plan ({size}) × {entities:,} chambers × {len(years)} years"
    ms = 1e3
    rows.append(
        [
            f"polars by hand, {label}",
            f"{times['hand'] * ms:,.1f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    rows.append(
        [
            f"kpi_formula `evaluate_plan_frame`, {label}",
            f"{times['ours'] * ms:,.1f} ms",
            "polars by hand",
            f"{times['ours'] / times['hand']:.2f}×",
            "≤ 1.5×",
        ]
    )
    rows.append(
        [
            "… polars by hand with `shift(1).over(entity)` (sorted, no year missing)",
            f"{times['over'] * ms:,.1f} ms",
            "polars by hand",
            f"{times['over'] / times['hand']:.2f}×",
            "reference",
        ]
    )
    rows.append(
        [
            "… kpi_formula `evaluate_plan_frame` against that",
            f"{times['ours'] * ms:,.1f} ms",
            "shift().over() by hand",
            f"{times['ours'] / times['over']:.2f}×",
            "—",
        ]
    )
    rows.append(
        [
            "… the same with a plan object just read (query built on the first call)",
            f"{fresh * ms:,.1f} ms",
            "polars by hand",
            f"{fresh / times['hand']:.2f}×",
            "—",
        ]
    )
    rows.append(
        [
            f"polars by hand, one chamber × {len(years)} years",
            f"{times['hand small'] * ms:,.2f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    rows.append(
        [
            f"kpi_formula `evaluate_plan_frame`, one chamber × {len(years)} years",
            f"{times['ours small'] * ms:,.2f} ms",
            "polars by hand",
            f"{times['ours small'] / times['hand small']:.2f}×",
            "no floor",
        ]
    )

    connection = duckdb.connect()
    long = frame.unpivot(index=["entity", "year"], variable_name="code", value_name="value")
    with tempfile.TemporaryDirectory() as folder:  # to DuckDB by a file: no pyarrow needed
        path = Path(folder) / "long.parquet"
        long.write_parquet(path)
        connection.execute(
            "CREATE TABLE kpi_values AS SELECT entity, code, year, value FROM read_parquet(?)",
            [str(path)],
        )
    ours_sql = plan_to_sql(plan, entity_column="entity")
    hand_sql = sql_by_hand(plan, codes)
    ours_rows = connection.execute(ours_sql).fetchall()
    hand_rows = connection.execute(hand_sql).fetchall()
    _same(ours_rows, hand_rows)

    def execute(query: str) -> Callable[[], object]:
        statement = f"CREATE OR REPLACE TEMP TABLE answer AS {query}"
        return lambda: connection.execute(statement)

    times = _best({"ours": execute(ours_sql), "hand": execute(hand_sql)}, rounds)
    rows.append(
        [
            f"DuckDB, SQL by hand (PIVOT, joins), {label}",
            f"{times['hand'] * ms:,.1f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    rows.append(
        [
            f"DuckDB running `plan_to_sql` (one query), {label}",
            f"{times['ours'] * ms:,.1f} ms",
            "SQL by hand",
            f"{times['ours'] / times['hand']:.2f}×",
            "≤ 2×",
        ]
    )
    connection.close()


def _reread() -> Plan:
    from kpi_formula.plan.planfile import load_plan

    return load_plan(EXAMPLE / "plan.toml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 chambers, not 10,000")
    args = parser.parse_args()
    rows: list[list[str]] = []
    measure(rows, 1_000 if args.quick else 10_000, rounds=3 if args.quick else 5)
    for line in rows:
        print("| " + " | ".join(line) + " |")
    print(f"\nkpi_formula {kf.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
