"""to_sql on Spark itself: the seed's formulas over the Modena example data.

Runs where pyspark and a Java runtime are installed (the ``spark`` extra);
skipped elsewhere.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kpi_formula.data import load_data

from .seed_sql import FORMULAS, MODENA_DATA, check_on_engine

pyspark_sql = pytest.importorskip("pyspark.sql")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("kpi_formula tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    data = load_data(MODENA_DATA)
    rows = [
        (code, year, float(value) if isinstance(value, Decimal) else None)
        for (code, year), value in data.items()
    ]
    frame = session.createDataFrame(rows, "code string, year int, value double")
    frame.createOrReplaceTempView("kpi_values")
    yield session
    session.stop()


@pytest.mark.parametrize("text", FORMULAS)
def test_spark_runs_the_sql_of_seed_formulas(spark: Any, text: str) -> None:
    check_on_engine(
        text,
        "spark",
        lambda query: {row["year"]: row["value"] for row in spark.sql(query).collect()},
    )
