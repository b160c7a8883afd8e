"""The example service deployed as README says (uvicorn, on loopback), and its load
test (benchmarks/service_load.py) run small: real HTTP, real sockets."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

import kpi_formula as kf

from .conftest import ROOT

pytest.importorskip("fastapi")
pytest.importorskip("psutil")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")
import httpx


def load_test() -> ModuleType:
    path = ROOT / "benchmarks" / "service_load.py"
    spec = importlib.util.spec_from_file_location("service_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def load() -> ModuleType:
    return load_test()


def test_the_deployed_service_answers_exactly(load: ModuleType) -> None:
    body = (
        '{"formula": "(A - A-1) / A-1", "year": 2025, "data": ['
        '{"code": "A", "year": 2025, "value": 12345678901234567890.123},'
        '{"code": "A", "year": 2024, "value": 3}]}'
    )
    with load.serving() as server:
        response = httpx.post(
            f"{server.url}/evaluate",
            content=body,
            headers={"content-type": "application/json"},
            timeout=30,
        )
        refused = httpx.post(
            f"{server.url}/evaluate", json={"formula": "A +", "year": 2025}, timeout=30
        )
    assert response.status_code == 200
    expected = kf.evaluate(
        "(A - A-1) / A-1",
        {("A", 2025): kf.parse_value("12345678901234567890.123"), ("A", 2024): 3},
        year=2025,
    )
    assert response.json() == expected.to_dict()
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "formula-syntax"


def test_the_workload_is_the_modena_plan_with_refusals(load: ModuleType) -> None:
    requests = load.workload()
    paths = {path for _, path, _ in requests}
    assert paths == {"/evaluate", "/check"}
    assert sum(path == "/evaluate" for _, path, _ in requests) >= 81  # every formula


def test_the_load_test_runs_without_server_errors(load: ModuleType) -> None:
    found = load.run(requests=120, clients=3, rounds=2, warm_passes=1)
    assert found.server_errors == 0
    assert set(found.service.statuses) == {200, 422}  # the refusals are meant
    assert set(found.health.statuses) == {200}
    assert len(found.service.latencies) == len(found.health.latencies) == 120
    assert len(found.memory) == 3 and min(found.memory) > 0
    rows = load.rows_of(found, 3)
    assert [len(row) for row in rows] == [5] * 6
    assert rows[4][1] == "0 of 120"
    assert found.health.server_cpu > 0 and found.service.server_cpu > 0


def test_measure_adds_rows_to_the_benchmark_table(load: ModuleType) -> None:
    rows: list[list[str]] = []
    load.measure(rows, requests=20, clients=1, warm_passes=0)
    assert len(rows) == 6 and rows[0][4] == "baseline"
