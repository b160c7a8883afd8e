"""Formulas as SQL: run on DuckDB against the evaluator, and printed for other engines."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst

from .seed_sql import FORMULAS as SEED_FORMULAS
from .seed_sql import check_on_engine, modena_rows

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

YEARS = (2023, 2024, 2025)
ENTITIES = ("MO", "BO")


TABLE = (
    "CREATE OR REPLACE TABLE kpi_values "
    "(chamber VARCHAR, code VARCHAR, year INTEGER, value DECIMAL(18, 2))"
)


def load(connection: Any, rows: list[tuple[str, str, int, Decimal | None]]) -> None:
    connection.execute(TABLE)
    if rows:
        connection.executemany("INSERT INTO kpi_values VALUES (?, ?, ?, ?)", rows)


@st.composite
def cases(draw: st.DrawFn) -> tuple[kf.Formula, dict[str, dict[tuple[str, int], object]]]:
    codes = st.sampled_from(["A", "B", "82.A3.1_INSTAGRAM", "N ImprAtt", "D1.1.2_PROMOS.ATT."])
    formula = draw(
        kst.formulas(max_leaves=6, driver_codes=codes, literals=st.integers(0, 50).map(str))
    )
    data: dict[str, dict[tuple[str, int], object]] = {
        entity: dict(
            draw(
                kst.datasets(
                    formula,
                    year=year,
                    nd_rate=0.1,
                    zero_rate=0.2,
                    absent_rate=0.1,
                    max_magnitude=100,
                    places=0,
                )
            )
        )
        for entity in ENTITIES
        for year in YEARS[-1:]
    }
    return formula, data


@given(cases())
def test_duckdb_runs_the_sql_with_the_evaluator_semantics(
    case: tuple[kf.Formula, dict[str, dict[tuple[str, int], object]]],
) -> None:
    formula, data = case
    connection = duckdb.connect()
    rows = [
        (entity, code, year, value if isinstance(value, Decimal) else None)
        for entity, table in data.items()
        for (code, year), value in table.items()
    ]
    load(connection, rows)
    query = kf.to_sql(formula, entity_column="chamber")
    got = {(entity, year): value for entity, year, value in connection.execute(query).fetchall()}
    year = YEARS[-1]
    for entity, table in data.items():
        if not any(key[1] == year for key in table):
            continue  # no row for that year: SQL has no row to report
        ours = kf.evaluate(formula, table, year=year)
        theirs = got.get((entity, year))
        if ours.missing:
            if theirs is not None:
                # only a zero divisor computed from a quotient may differ in doubles
                assert any("division by zero" in reason for reason in ours.reasons)
            continue
        assert theirs is not None, (str(formula), table)
        assert isinstance(ours.value, Decimal)
        scale = max(Fraction(1), abs(Fraction(ours.value)))
        assert abs(Fraction(theirs) - Fraction(ours.value)) <= scale * Fraction(1, 10**6), (
            str(formula),
            table,
        )


def test_prior_years_and_entities_join_on_the_same_table() -> None:
    connection = duckdb.connect()
    load(
        connection,
        [
            ("MO", "A", 2024, Decimal(100)),
            ("MO", "A", 2025, Decimal(110)),
            ("BO", "A", 2025, Decimal(7)),
        ],
    )
    query = kf.to_sql("(A - A-1) / A-1", entity_column="chamber")
    rows = sorted(connection.execute(query).fetchall(), key=str)
    assert rows == [("BO", 2025, None), ("MO", 2024, None), ("MO", 2025, pytest.approx(0.1))]


def test_catalog_reads_numeric_tokens_as_drivers_in_sql_too() -> None:
    catalog = kf.Catalog([kf.Driver("50"), kf.Driver("D2.1_MIMIT.1")])
    query = kf.to_sql("D2.1_MIMIT.1 * 1000 / 50", catalog=catalog)
    assert "'50'" in query and "NULLIF" in query


@pytest.mark.parametrize(
    "dialect", ["duckdb", "spark", "postgres", "bigquery", "snowflake", "tsql"]
)
def test_every_dialect_prints_sql_it_reads_back(dialect: str) -> None:
    query = kf.to_sql(
        "(EUREKA.anno.n - EUREKA.anno-1) / EUREKA.anno-1", dialect=dialect, entity_column="chamber"
    )
    assert "NULLIF" in query.upper()
    parsed = sqlglot.parse_one(query, read=dialect)
    assert parsed.find(sqlglot.exp.Join) is not None


def test_dialects_spell_the_cast_their_own_way() -> None:
    assert "DOUBLE PRECISION" in kf.to_sql("A / B", dialect="postgres")
    assert "FLOAT64" in kf.to_sql("A / B", dialect="bigquery")
    assert "`code`" in kf.to_sql("A / B", dialect="spark")


def test_codes_with_spaces_and_dots_are_string_literals() -> None:
    connection = duckdb.connect()
    load(
        connection,
        [("MO", "N ImprAtt", 2025, Decimal(4)), ("MO", "D1.1.2_PROMOS.ATT.", 2025, Decimal("2.5"))],
    )
    query = kf.to_sql("N ImprAtt + D1.1.2_PROMOS.ATT.")
    assert connection.execute(query).fetchall() == [(2025, Decimal("6.5"))]


@pytest.fixture(scope="module")
def modena() -> Any:
    """DuckDB holding the Modena example data as a long table (code, year, value)."""
    connection = duckdb.connect()
    connection.execute("CREATE TABLE kpi_values (code VARCHAR, year INTEGER, value DOUBLE)")
    connection.executemany("INSERT INTO kpi_values VALUES (?, ?, ?)", modena_rows())
    return connection


@pytest.mark.parametrize("dialect", ["duckdb", "bigquery", "snowflake", "tsql"])
@pytest.mark.parametrize("text", SEED_FORMULAS)
def test_sql_of_engines_not_here_means_what_the_evaluator_means(
    modena: Any, dialect: str, text: str
) -> None:
    """BigQuery, Snowflake and T-SQL text, as sqlglot reads it in that dialect, run on DuckDB.

    No such engine runs here; this checks what a reader of each dialect takes
    the text to mean (which quotes are names and which are strings, the casts,
    NULLIF, the join on years) against the evaluator over the Modena data.
    """

    def run(query: str) -> dict[int, float | None]:
        in_duckdb = sqlglot.transpile(query, read=dialect, write="duckdb")[0]
        return dict(modena.execute(in_duckdb).fetchall())

    check_on_engine(text, dialect, run)
