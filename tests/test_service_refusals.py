"""The example service refuses what it cannot read for sure, and says so to the
client: a key given twice, a key of the other endpoint, a bad direction, a
driver-year in two units, values of different units added in the formula."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .test_service_example import load_service, refusal

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

SERVICE: ModuleType = load_service()
CLIENT = TestClient(SERVICE.app)

KEYS: dict[str, dict[str, Any]] = {
    "/evaluate": {"formula": "A", "year": 2025, "data": [], "on_missing": "zero"},
    "/check": {"target": ">= 5", "actual": "6", "baseline": "3", "direction": "higher"},
}


def post_raw(path: str, text: str) -> Any:
    return CLIENT.post(path, content=text.encode(), headers={"content-type": "application/json"})


@given(path=st.sampled_from(sorted(KEYS)), data=st.data())
def test_a_key_given_twice_is_refused_naming_it(path: str, data: st.DataObject) -> None:
    body = KEYS[path]
    key = data.draw(st.sampled_from(sorted(body)))
    pairs = [f"{json.dumps(name)}: {json.dumps(value)}" for name, value in body.items()]
    pairs.append(f"{json.dumps(key)}: {json.dumps(body[key])}")  # even the same value
    error = refusal(post_raw(path, "{" + ", ".join(pairs) + "}"))
    assert error["type"] == "duplicate-key"
    assert repr(key) in error["msg"]


def test_a_key_given_twice_inside_an_item_is_refused() -> None:
    item = '{"code": "A", "year": 2025, "value": 1, "value": 2}'
    text = '{"formula": "A", "year": 2025, "data": [' + item + "]}"
    error = refusal(post_raw("/evaluate", text))
    assert (error["type"], error["loc"]) == ("duplicate-key", ["body"])
    assert "'value'" in error["msg"]


@given(path=st.sampled_from(sorted(KEYS)), data=st.data())
def test_an_unknown_key_hint_offers_this_endpoints_keys_never_itself(
    path: str, data: st.DataObject
) -> None:
    other = next(each for each in KEYS if each != path)
    key = data.draw(
        st.sampled_from(sorted(KEYS[other]))
        | st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
    )
    if key in KEYS[path]:
        return
    body = {**KEYS[path], key: 1}
    error = refusal(CLIENT.post(path, json=body))
    assert error["type"] == "extra_forbidden"
    assert f"did you mean {key!r}" not in error["hint"]
    named = {name for name in SERVICE._ENDPOINTS[path].model_fields if repr(name) in error["hint"]}
    listed = {name for name in SERVICE._ENDPOINTS[path].model_fields if name in error["hint"]}
    assert named or listed == set(SERVICE._ENDPOINTS[path].model_fields)
    for name in SERVICE._ENDPOINTS[other].model_fields.keys() - KEYS[path].keys():
        if name != key:
            assert repr(name) not in error["hint"]
    if key in KEYS[other]:
        assert other in error["hint"]


def test_a_bad_direction_has_a_stable_type_and_lists_every_spelling() -> None:
    body = {"target": "25", "actual": "25,7", "direction": "down"}
    error = refusal(CLIENT.post("/check", json=body))
    assert (error["type"], error["loc"]) == ("direction", ["body", "direction"])
    for spelling in ("higher", "lower", "crescente", "decrescente", "↑", "↓"):
        assert spelling in error["hint"]


def _evaluate(*values: tuple[str, object], formula: str = "A") -> Any:
    items = [{"code": code, "year": 2025, "value": value} for code, value in values]
    return CLIENT.post("/evaluate", json={"formula": formula, "year": 2025, "data": items})


def test_one_driver_year_in_two_units_is_a_conflict() -> None:
    error = refusal(_evaluate(("A", "1.000 €"), ("A", "1.000 N.")))
    assert (error["type"], error["loc"]) == ("duplicate-driver-year", ["body", "data", 1])
    assert _evaluate(("A", "1.000 €"), ("A", "1.000 €")).status_code == 200
    assert _evaluate(("A", "1.000 €"), ("A", 1000)).json()["value"] == "1000"


@pytest.mark.parametrize("code", [" A", "A ", "\tA\n"])
def test_spaces_around_a_code_are_no_part_of_it(code: str) -> None:
    response = _evaluate((code, 7))
    assert response.status_code == 200
    assert response.json()["value"] == "7"


def test_a_blank_code_is_refused() -> None:
    error = refusal(_evaluate(("  ", 7)))
    assert error["loc"] == ["body", "data", 0, "code"]


def test_adding_values_of_different_units_is_refused_at_the_operator() -> None:
    error = refusal(_evaluate(("A", "72,10 %"), ("B", "3 gg"), formula="A + B"))
    assert (error["type"], error["loc"]) == ("unit-mismatch", ["body", "formula"])
    assert "%" in error["msg"] and "gg" in error["msg"]
    assert (error["line"], error["column"]) == (1, 3)
    response = _evaluate(("A", "72,10 %"), ("B", "3 gg"), formula="A * B")
    assert response.json()["value"] == "2.1630"
    assert _evaluate(("A", "1.000 €"), ("B", "5 €"), formula="A - B").json()["value"] == "995"
