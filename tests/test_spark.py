"""to_sql on Spark itself: the seed's formulas over the Modena example data.

Runs where pyspark and a Java runtime are installed (the ``spark`` extra);
skipped elsewhere.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import kpi_formula as kf
from kpi_formula.data import load_data
from kpi_formula.plan.planfile import load_plan

from .conftest import EXAMPLES

pyspark_sql = pytest.importorskip("pyspark.sql")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

FORMULAS = [
    "(EUREKA.anno.n - EUREKA.anno-1) / EUREKA.anno-1",
    "D2.1_MIMIT.1 * 1000 / 50",
    "D4.2_1 / 50",
    "S4 / N ImprAtt_UULL_Tot",
    "C1.1.1_C / N ImprAtt",
    "(ProvStrut - OnStrut) / ProvStrut",
    "D1.1.2_PROMOS.ATT. + D1.1.3_PROMOS.SAS",
    "(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1",
    "C2.5.2_DET / C2.5.2_RINNOVO",
]


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
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
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
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    catalog = kf.Catalog(plan.drivers, strict=False)
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    query = kf.to_sql(text, dialect="spark", catalog=catalog)
    got = {row["year"]: row["value"] for row in spark.sql(query).collect()}
    for year in (2022, 2023, 2024):
        ours = kf.evaluate(text, data, year=year, catalog=catalog)
        theirs = got.get(year)
        if ours.missing:
            assert theirs is None, (text, year)
        else:
            assert theirs is not None and math.isclose(float(ours.value), theirs, rel_tol=1e-12), (  # type: ignore[arg-type]
                text,
                year,
            )
