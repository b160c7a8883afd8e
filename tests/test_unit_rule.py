"""One rule for units, wherever a value meets a unit.

For a value written in some unit (or none) and an indicator or target in a known
unit, every path that reads the value — :func:`kpi_formula.units.in_unit`
itself, ``Target.check``, ``kpi-formula check``, the example service's
``/check``, a plan's baseline cell (plan file and sheet), a data file read for
a plan (with its units, and by ``evaluate_plan`` on both engines), and a number
in a polars frame — accepts the same values, refuses the same (with the same
kind of error where the path raises one), and reads the same amount.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import read_data
from kpi_formula.decimals import decimal_text
from kpi_formula.plan import evaluate_plan, load_plan, read_plan, validate_plan
from kpi_formula.plan.dataunits import data_units
from kpi_formula.plan.prepared import prepared
from kpi_formula.units import in_unit
from kpi_formula.values import FRACTION_SHIFT, YES_NO, Quantity, Unit, format_value

from .oddvalues import NumpyLikeFloat

KNOWN: tuple[Unit, ...] = ("%", "‰", "€", "N.", "gg", YES_NO)
WRITTEN: tuple[Unit | None, ...] = (None, *KNOWN)

PLAN = """title = "t"
[[driver]]
code = "D"
unit = "{unit}"

[[area]]
code = "1"
name = "a"
weight = "100 %"

[[area.objective]]
code = "11"
name = "o"
weight = "100 %"
indicators_weight = "100 %"
operational_weight = "0 %"

[[area.objective.indicator]]
code = "Q"
name = "q"
weight = "50 %"
unit = "{unit}"
baselines = {{ 2024 = "{baseline}" }}
targets = {{ 2025 = "{target}" }}

[[area.objective.indicator]]
code = "R"
name = "r"
weight = "50 %"
formula = "D * 1"
"""


def _target(unit: Unit) -> str:
    return "SI" if unit == YES_NO else f">= 0 {unit}"


@st.composite
def _written(draw: st.DrawFn) -> tuple[str, Unit | None]:
    """A value as a person writes it, and the unit written with it (None: a bare
    number, written as machines do, so that no path reads its dot two ways)."""
    unit = draw(st.sampled_from(WRITTEN))
    if unit == YES_NO:
        return format_value(Quantity(Decimal(draw(st.sampled_from((0, 1)))), unit)), unit
    number = draw(
        st.one_of(
            st.decimals(min_value=-1, max_value=1, places=2),
            st.decimals(min_value=-2000, max_value=2000, places=2),
        )
    )
    if unit is None:
        return decimal_text(number.normalize()), None
    amount = number.scaleb(-FRACTION_SHIFT.get(unit, 0))
    return format_value(Quantity(amount, unit)), unit


def _amount(value: object) -> object:
    return value.amount if isinstance(value, Quantity) else value


def _reading(read: object) -> tuple[str, Decimal | None]:
    """What a path made of the value: ("ok", amount) or (error code, None)."""
    return ("ok", read) if isinstance(read, Decimal) else (str(read), None)


def _expected(text: str, unit: Unit) -> tuple[str, Decimal | None]:
    try:
        return _reading(in_unit(text, unit))
    except kf.KpiFormulaError as error:
        return error.code, None


def _same(found: tuple[str, Decimal | None], expected: tuple[str, Decimal | None]) -> bool:
    if expected[0] == "ok":
        return found[0] == "ok" and found[1] == expected[1]
    return found[0] == expected[0]


def _accepted(found: tuple[str, Decimal | None], expected: tuple[str, Decimal | None]) -> bool:
    """For a path that says no without the unit error's kind (a PlanError, an exit
    status, a baseline left out): the same yes, the same amount, or a no."""
    if expected[0] == "ok":
        return found == expected
    return found[0] != "ok"


def _paths(text: str, unit: Unit, tmp: Path) -> dict[str, tuple[str, Decimal | None]]:
    found: dict[str, tuple[str, Decimal | None]] = {}

    def attempt(name: str, run: object) -> None:
        try:
            found[name] = _reading(run())  # type: ignore[operator]
        except kf.KpiFormulaError as error:
            found[name] = (error.code, None)

    target = kf.parse_target(_target(unit))
    attempt("Target.check", lambda: target.check(text).actual)

    out = io.StringIO()
    status = main(["check", _target(unit), text, "--json"], out=out)
    found["kpi-formula check"] = (
        ("ok", Decimal(json.loads(out.getvalue())["actual"])) if status == 0 else ("refused", None)
    )

    plan = read_plan(PLAN.format(unit=unit, baseline=text, target=_target(unit)))
    baseline = prepared(plan).baselines["Q"].get(2024)
    found["plan baseline"] = ("ok", baseline) if isinstance(baseline, Decimal) else ("no", None)
    if baseline is None:  # left out of the evaluation, and said by validation
        assert any("2024" in str(p) or "baseline" in str(p) for p in validate_plan(plan)), text

    sheet = tmp / "piano.csv"
    sheet.write_text(
        "code;parent;name;weight;formula;unit;baseline 2024;target 2025\n"
        f"M;;m;100 %;;;;\nQ;M;q;100 %;;{unit};{text};{_target(unit)}\n",
        encoding="utf-8",
    )
    try:
        read = prepared(load_plan(sheet)).baselines["Q"].get(2024)
        found["sheet baseline"] = ("ok", read) if isinstance(read, Decimal) else ("no", None)
    except kf.PlanError:
        found["sheet baseline"] = ("refused", None)

    for code in ("Q", "D"):  # an input indicator, a driver the plan declares
        csv = f"code;year;value\n{code};2025;{text}\n"
        attempt(
            f"data file of {code}, read with the plan's units",
            lambda csv=csv, code=code: _amount(
                read_data(csv, units=data_units(plan))[(code, 2025)]
            ),
        )
        data = read_data(csv)
        for engine in ("python", "duckdb"):
            attempt(
                f"evaluate_plan of {code} ({engine})",
                lambda data=data, engine=engine, code=code: {
                    r.code: r.value
                    for r in evaluate_plan(plan, data, year=2025, engine=engine).indicators
                }["Q" if code == "Q" else "R"],
            )
        attempt(
            f"evaluate_plan of {code}, a mapping of text",
            lambda code=code: {
                r.code: r.value for r in evaluate_plan(plan, {code: text}, year=2025).indicators
            }["Q" if code == "Q" else "R"],
        )
    return found


@pytest.fixture(scope="module")
def service_client() -> object:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from .test_service_example import load_service

    return TestClient(load_service().app)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(written=_written(), data=st.data())
def test_every_path_reads_a_value_in_a_unit_alike(
    written: tuple[str, Unit | None], data: st.DataObject, tmp_path: Path, service_client: object
) -> None:
    text, written_unit = written
    # half the time the unit it was written in: amounts beyond ±1 in % and ‰ are met
    same = () if written_unit is None else (written_unit,) * len(KNOWN)
    unit = data.draw(st.sampled_from((*same, *KNOWN)), label="unit")
    expected = _expected(text, unit)
    found = _paths(text, unit, tmp_path)
    response = service_client.post(  # type: ignore[attr-defined]
        "/check", json={"target": _target(unit), "actual": text}
    )
    if response.status_code == 200:
        found["service /check"] = ("ok", Decimal(response.json()["actual"]))
    else:
        found["service /check"] = (response.json()["detail"][0]["type"], None)
    loose = {"kpi-formula check", "plan baseline", "sheet baseline"}
    for path, read in found.items():
        agrees = _accepted(read, expected) if path in loose else _same(read, expected)
        assert agrees, (path, text, unit, read, expected)


@settings(max_examples=60, deadline=None)
@given(
    number=st.decimals(min_value=-2000, max_value=2000, places=2),
    unit=st.sampled_from(KNOWN),
)
def test_a_frame_reads_its_numbers_as_in_unit_reads_bare_numbers(
    number: Decimal, unit: Unit
) -> None:
    pl = pytest.importorskip("polars")
    from kpi_formula.plan.frame import evaluate_plan_frame

    expected = _expected(decimal_text(number.normalize()), unit)
    plan = read_plan(PLAN.format(unit=unit, baseline="N/D", target=_target(unit)))
    frame = pl.DataFrame({"entity": ["X"], "year": [2025], "Q": [float(number)]})
    try:
        value = evaluate_plan_frame(plan, frame).to_dicts()[0]["Q"]
    except kf.KpiFormulaError as error:
        assert error.code == expected[0], (number, unit)
        assert "Q@2025 (X)" in str(error)
        return
    assert expected[0] == "ok", (number, unit, value)
    assert value == pytest.approx(float(expected[1]))  # type: ignore[arg-type]


def test_a_float_subclass_is_read_in_a_unit_by_the_shortest_repr_of_its_value() -> None:
    assert in_unit(NumpyLikeFloat(0.5), None) == in_unit(0.5, None) == Decimal("0.5")
