"""The seed's formulas run as SQL on a real engine, checked against the evaluator."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal

import kpi_formula as kf
from kpi_formula.data import load_data
from kpi_formula.plan.planfile import load_plan

from ..conftest import EXAMPLES

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

MODENA_DATA = EXAMPLES / "modena_2025" / "data.csv"


def modena_rows() -> list[tuple[str, int, float | None]]:
    """The Modena data as rows of a long table (code, year, value), N/D as None."""
    return [
        (code, year, float(value) if isinstance(value, Decimal) else None)
        for (code, year), value in load_data(MODENA_DATA).items()
    ]


def check_on_engine(
    text: str, dialect: str, run: Callable[[str], Mapping[int, float | None]]
) -> None:
    """``run`` executes a query over the Modena data and gives each year's value."""
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    catalog = kf.Catalog(plan.drivers, strict=False)
    data = load_data(MODENA_DATA)
    got = run(kf.to_sql(text, dialect=dialect, catalog=catalog))
    for year in (2022, 2023, 2024):
        ours = kf.evaluate(text, data, year=year, catalog=catalog)
        theirs = got.get(year)
        if ours.missing:
            assert theirs is None, (text, year, theirs)
        else:
            assert theirs is not None, (text, year)
            assert math.isclose(float(ours.value), theirs, rel_tol=1e-12), (text, year)  # type: ignore[arg-type]
