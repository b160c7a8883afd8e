"""The example service held to the library: for any formula and data, ``/evaluate``
answers what :func:`kpi_formula.evaluate` gives, and for any target and value
``/check`` answers what :meth:`kpi_formula.Target.check` gives — or both refuse,
with the same error code."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.evaluator import MissingPolicy

from .test_service_example import load_service

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient

CLIENT = TestClient(load_service().app)


class Raw(str):
    """JSON text to write as it is: a number with every digit."""


def dumps(value: object) -> str:
    """JSON text in which :class:`Raw` numbers are written as they are (not through float)."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    return json.dumps(value)


def post(path: str, body: dict[str, Any]) -> Any:
    return CLIENT.post(path, content=dumps(body), headers={"content-type": "application/json"})


def agree(response: Any, judge: Any) -> None:
    """The service answered what ``judge()`` returns, or refused as it raises."""
    event(f"status {response.status_code}")
    try:
        expected = judge()
    except kf.KpiFormulaError as error:
        assert response.status_code == 422, response.text
        assert error.error_code in {item["type"] for item in response.json()["detail"]}
    else:
        assert response.status_code == 200, response.text
        assert response.json() == expected.to_dict()


@st.composite
def sent(draw: st.DrawFn, value: Decimal | kf.NotAvailable) -> tuple[object, object]:
    """(what the request holds, what the library is given) for one number or N/D."""
    if value is kf.ND:
        return None, None
    assert isinstance(value, Decimal)
    if draw(st.booleans()):
        return Raw(str(value)), value
    text = kf.format_value(kf.Quantity(value))
    return text, text


@settings(max_examples=60)
@given(st.data())
def test_evaluate_answers_what_the_library_gives(data: st.DataObject) -> None:
    formula = data.draw(kst.formulas(max_leaves=6), label="formula")
    values = data.draw(kst.datasets(formula, nd_rate=0.2, zero_rate=0.1), label="values")
    on_missing: MissingPolicy = data.draw(st.sampled_from(["propagate", "zero"]))
    items, given_values = [], {}
    for (code, year), value in values.items():
        item, given_value = data.draw(sent(value))
        items.append({"code": code, "year": year, "value": item})
        given_values[code, year] = given_value
    body = {"formula": str(formula), "year": 2025, "data": items, "on_missing": on_missing}
    agree(
        post("/evaluate", body),
        lambda: kf.evaluate(formula, given_values, year=2025, on_missing=on_missing),
    )


@st.composite
def judged(draw: st.DrawFn, unit: str | None) -> tuple[object, object]:
    """(what the request holds, what the library is given) for a value to judge:
    often in ``unit`` (the target's), else anything a client might send."""
    value = draw(
        st.one_of(kst.quantities(units=(unit,)), kst.values()) if unit is not None else kst.values()
    )
    if value is kf.ND:
        return draw(st.sampled_from([(None, kf.ND), ("N/D", "N/D")]))
    if isinstance(value, kf.Quantity) and draw(st.booleans()):
        return Raw(str(value.amount)), value.amount  # a bare number, as the target's unit has it
    text = kf.format_value(value)
    assert isinstance(value, kf.Quantity | dt.date)
    return text, text


@settings(max_examples=80)
@given(
    kst.targets(),
    st.sampled_from([None, "higher", "lower", "crescente", "decrescente", "↑", "↓"]),
    st.data(),
)
def test_check_answers_what_the_library_gives(
    target: kf.Target, direction: str | None, data: st.DataObject
) -> None:
    actual = data.draw(judged(target.unit), label="actual")
    baseline = data.draw(judged(target.unit), label="baseline")
    text = str(target)
    body: dict[str, object] = {"target": text, "actual": actual[0]}
    if target.needs_baseline:
        body["baseline"] = baseline[0]
    if direction is not None:
        body["direction"] = direction
    given_baseline = baseline[1] if target.needs_baseline else None
    agree(
        post("/check", body),
        lambda: kf.parse_target(text).check(
            actual[1], baseline=given_baseline, direction=direction
        ),
    )
