"""The example service (examples/service/app.py), through FastAPI's test client."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

import kpi_formula as kf

from .conftest import EXAMPLES

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient


def _app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("service_app", EXAMPLES / "service" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app().app)


def test_a_formula_is_evaluated(client: TestClient) -> None:
    response = client.post(
        "/evaluate",
        json={
            "formula": "(A - A-1) / A-1",
            "year": 2025,
            "data": [
                {"code": "A", "year": 2025, "value": "110"},
                {"code": "A", "year": 2024, "value": 100},
            ],
        },
    )
    assert response.status_code == 200
    result = kf.Result.from_dict(response.json())
    assert result == kf.Result(value="0.1", year=2025, formula="(A - A-1) / A-1")


def test_nd_is_a_value_with_reasons(client: TestClient) -> None:
    response = client.post(
        "/evaluate",
        json={
            "formula": "A / B",
            "year": 2025,
            "data": [
                {"code": "A", "year": 2025, "value": 1},
                {"code": "B", "year": 2025, "value": None},
            ],
        },
    )
    assert response.status_code == 200
    assert response.json()["value"] is None
    assert response.json()["reasons"] == ["B@2025 is N/D"]


def test_a_bad_formula_is_a_422_with_the_caret(client: TestClient) -> None:
    response = client.post("/evaluate", json={"formula": "(A - B) * / C", "year": 2025})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "formula"]
    assert "two operators in a row" in error["msg"]
    assert "  (A - B) * / C\n            ^" in error["msg"]
    assert (error["ctx"]["line"], error["ctx"]["column"]) == (1, 11)


def test_bad_data_is_a_422_too(client: TestClient) -> None:
    response = client.post(
        "/evaluate",
        json={
            "formula": "A",
            "year": 2025,
            "data": [{"code": "A", "year": 2025, "value": "1,2,3"}],
        },
    )
    assert response.status_code == 422
    assert "A@2025" in response.json()["detail"][0]["msg"]


def test_targets_are_checked(client: TestClient) -> None:
    response = client.post("/check", json={"target": ">= 98,00 %", "actual": "90,32 %"})
    assert response.status_code == 200
    assert response.json()["met"] is False
    bad = client.post("/check", json={"target": ">= ?", "actual": "1"})
    assert bad.status_code == 422 and "target" in bad.json()["detail"][0]["msg"]
