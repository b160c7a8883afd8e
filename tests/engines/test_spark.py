"""to_sql on Spark itself: the seed's formulas over the Modena example data.

Runs where pyspark and a Java runtime are installed (the ``spark`` extra);
skipped elsewhere.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .seed_sql import FORMULAS, check_on_engine, modena_rows

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
    frame = session.createDataFrame(modena_rows(), "code string, year int, value double")
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
