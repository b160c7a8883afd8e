"""The example service (examples/service/app.py), through FastAPI's test client."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

import kpi_formula as kf

from .conftest import EXAMPLES, ROOT

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient

SHAPE = {"loc", "msg", "type", "line", "column", "hint"}


def load_service() -> ModuleType:
    """examples/service/app.py as a module (it is an example, not a package)."""
    spec = importlib.util.spec_from_file_location("service_app", EXAMPLES / "service" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def service() -> ModuleType:
    return load_service()


@pytest.fixture(scope="module")
def client(service: ModuleType) -> TestClient:
    return TestClient(service.app)


def post(client: TestClient, path: str, body: str) -> Any:
    """POST raw JSON text, so that numbers go as written (not through float)."""
    return client.post(path, content=body, headers={"content-type": "application/json"})


def refusal(response: Any, status: int = 422) -> dict[str, Any]:
    """The one error of a refused request, checked to have the documented shape."""
    assert response.status_code == status, response.text
    (error,) = response.json()["detail"]
    assert set(error) == SHAPE
    return error  # type: ignore[no-any-return]


def evaluation(value: str, *, formula: str = "A", year: str = "2025") -> str:
    return (
        f'{{"formula": "{formula}", "year": {year}, '
        f'"data": [{{"code": "A", "year": 2025, "value": {value}}}]}}'
    )


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
    assert (
        response.json()
        == kf.evaluate("(A - A-1) / A-1", {("A", 2025): 110, ("A", 2024): 100}, year=2025).to_dict()
    )


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


# --- numbers read exactly


@pytest.mark.parametrize(
    "written",
    ["12345678901234567890.123", "0.1", "-0.000000000000000000000000000001", "1e999", "7E-3"],
)
def test_json_numbers_are_read_exactly(client: TestClient, written: str) -> None:
    response = post(client, "/evaluate", evaluation(written))
    assert response.status_code == 200, response.text
    assert Decimal(response.json()["value"]) == Decimal(written)
    assert response.json()["inputs"][0]["value"] == response.json()["value"]


def test_a_long_integer_keeps_every_digit(client: TestClient) -> None:
    digits = "9" * 500
    response = post(client, "/evaluate", evaluation(digits, formula="A + 1"))
    assert response.status_code == 200
    assert response.json()["value"] == "1" + "0" * 500


def test_a_judged_value_is_read_exactly_too(client: TestClient) -> None:
    # through float, 0.9000000000000000000001 would be 0.9 and the target met
    response = post(client, "/check", '{"target": "<= 90 %", "actual": 0.9000000000000000000001}')
    assert response.status_code == 200
    assert response.json()["met"] is False
    assert response.json()["actual"] == "0.9000000000000000000001"


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("NaN", "not-a-number"),
        ("Infinity", "evaluation"),
        ("-Infinity", "evaluation"),
        ("1e1000000", "evaluation"),  # past the library's exponent limit
        ("1" * 1001, "evaluation"),  # past its 1,000 significant digits
        ('"1E+999999999"', "value-syntax"),
        ('"12-31-2025"', "value-syntax"),
        ("true", "value-type"),
        ('{"x": 1}', "value-type"),
    ],
)
def test_numbers_past_the_limits_are_refused_naming_the_item(
    client: TestClient, written: str, kind: str
) -> None:
    error = refusal(post(client, "/evaluate", evaluation(written)))
    assert error["loc"] == ["body", "data", 0, "value"]
    assert error["type"] == kind
    assert error["msg"] and error["hint"]


def test_a_date_is_not_a_driver_value(client: TestClient) -> None:
    error = refusal(post(client, "/evaluate", evaluation('"31-12-2025"')))
    assert error["loc"] == ["body", "data", 0, "value"]
    assert "date" in error["msg"]


def test_a_nan_actual_is_refused_not_read_as_nd(client: TestClient) -> None:
    error = refusal(post(client, "/check", '{"target": ">= 1", "actual": NaN}'))
    assert error["loc"] == ["body", "actual"]
    assert error["type"] == "not-a-number"


@pytest.mark.parametrize("year", ["0", "10000", "-2025", "1" * 40, "2025.5", "NaN", '"2025"'])
def test_years_are_calendar_years(client: TestClient, year: str) -> None:
    response = post(client, "/evaluate", evaluation("1", year=year))
    if year == '"2025"':  # a year in a string reads, as pydantic reads ints
        assert response.status_code == 200
        return
    error = refusal(response)
    assert error["loc"] == ["body", "year"]


def test_driver_years_are_calendar_years_too(client: TestClient) -> None:
    body = '{"formula": "A", "year": 2025, "data": [{"code": "A", "year": 99999, "value": 1}]}'
    assert refusal(post(client, "/evaluate", body))["loc"] == ["body", "data", 0, "year"]


# --- one driver-year, one value


def test_a_driver_year_given_twice_differently_is_refused(client: TestClient) -> None:
    response = client.post(
        "/evaluate",
        json={
            "formula": "A + B",
            "year": 2025,
            "data": [
                {"code": "A", "year": 2025, "value": 1},
                {"code": "B", "year": 2025, "value": 5},
                {"code": "A", "year": 2025, "value": 2},
            ],
        },
    )
    error = refusal(response)
    assert error["loc"] == ["body", "data", 2]
    assert error["type"] == "duplicate-driver-year"
    assert "A@2025" in error["msg"] and "items 0 and 2" in error["msg"]


def test_a_driver_year_given_twice_alike_is_read_once(client: TestClient) -> None:
    body = (
        '{"formula": "A", "year": 2025, "data": [{"code": "A", "year": 2025, "value": 2.0},'
        ' {"code": "A", "year": 2025, "value": "2"}]}'
    )
    response = post(client, "/evaluate", body)
    assert response.status_code == 200
    assert Decimal(response.json()["value"]) == 2


def test_n_d_and_a_number_for_one_driver_year_are_different(client: TestClient) -> None:
    body = (
        '{"formula": "A", "year": 2025, "data": [{"code": "A", "year": 2025, "value": null},'
        ' {"code": "A", "year": 2025, "value": 0}]}'
    )
    assert refusal(post(client, "/evaluate", body))["type"] == "duplicate-driver-year"


# --- one shape for every refusal


def test_a_bad_formula_is_a_422_with_the_caret(client: TestClient) -> None:
    error = refusal(client.post("/evaluate", json={"formula": "(A - B) * / C", "year": 2025}))
    assert error["loc"] == ["body", "formula"]
    assert error["type"] == "formula-syntax"
    assert "two operators in a row" in error["msg"]
    assert "  (A - B) * / C\n            ^" in error["msg"]
    assert (error["line"], error["column"]) == (1, 11)
    assert error["hint"] == "remove one of them, or put an operand between them"
    assert "hint:" not in error["msg"]  # the hint has a key of its own


def test_bad_data_is_a_422_too(client: TestClient) -> None:
    response = client.post(
        "/evaluate",
        json={
            "formula": "A",
            "year": 2025,
            "data": [{"code": "A", "year": 2025, "value": "1,2,3"}],
        },
    )
    error = refusal(response)
    assert error["loc"] == ["body", "data", 0, "value"]
    assert error["type"] == "value-syntax"
    assert error["column"] is not None and error["hint"]


def test_an_error_while_evaluating_is_a_422_in_the_same_shape(client: TestClient) -> None:
    # each number is within the limits, their product is not
    big = "9" * 900
    body = (
        '{"formula": "A * A", "year": 2025, "data": '
        f'[{{"code": "A", "year": 2025, "value": {big}}}]}}'
    )
    error = refusal(post(client, "/evaluate", body))
    assert error["loc"] == ["body"]
    assert error["type"] == "evaluation"
    assert "significant digits" in error["msg"]


def test_readme_shows_what_the_service_answers(client: TestClient) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The example service", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    shown = 0
    for block in blocks:
        request, status, answer = re.split(r"^ *([0-9]{3}) ", block.strip(), flags=re.M)
        if "..." in answer:
            continue  # abridged
        path = "/evaluate" if '"formula"' in request else "/check"
        response = post(client, path, request)
        assert response.status_code == int(status)
        assert response.json() == json.loads(answer)
        shown += 1
    assert shown >= 2


def test_pydantic_errors_have_the_shape(client: TestClient) -> None:
    response = client.post("/evaluate", json={"year": 2025, "on_missing": "guess"})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert all(set(error) == SHAPE for error in errors)
    assert {tuple(error["loc"]): error["type"] for error in errors} == {
        ("body", "formula"): "missing",
        ("body", "on_missing"): "literal_error",
    }


def test_a_misspelt_key_is_refused_not_ignored(client: TestClient) -> None:
    # ignored, on_missing would stay "propagate" and the answer be N/D without a word
    body = {"formula": "A + B", "year": 2025, "on_mising": "zero", "data": []}
    error = refusal(client.post("/evaluate", json=body))
    assert error["loc"] == ["body", "on_mising"]
    assert error["msg"] == "unknown key 'on_mising'"
    assert error["hint"] == "did you mean 'on_missing'?"
    data = [{"code": "A", "year": 2025, "valeu": 1}]
    response = client.post("/evaluate", json={"formula": "A", "year": 2025, "data": data})
    assert response.status_code == 422
    found = {tuple(error["loc"]): error for error in response.json()["detail"]}
    assert found["body", "data", 0, "value"]["type"] == "missing"
    assert found["body", "data", 0, "valeu"]["hint"] == "did you mean 'value'?"


def test_a_formula_given_as_a_number_is_refused(client: TestClient) -> None:
    error = refusal(post(client, "/evaluate", '{"formula": 12, "year": 2025}'))
    assert error["loc"] == ["body", "formula"]
    assert "text" in error["msg"]


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [('{"formula": "A",\n "year": }', 2, 10), ("[[[" * 100_000, 1, 1), ("\xff\xfe{", 1, 1)],
)
def test_a_body_that_is_not_json_is_a_422(
    client: TestClient, body: str, line: int, column: int
) -> None:
    response = client.post(
        "/evaluate",
        content=body.encode("latin-1"),
        headers={"content-type": "application/json"},
    )
    error = refusal(response)
    assert error["loc"] == ["body"]
    assert error["type"] == "json-invalid"
    assert (error["line"], error["column"]) == (line, column)
    assert len(response.content) < 1_000


def test_a_body_past_the_limit_is_a_413(client: TestClient, service: ModuleType) -> None:
    body = evaluation('"' + "1" * service.MAX_BODY_BYTES + '"')
    error = refusal(post(client, "/evaluate", body), status=413)
    assert error["loc"] == ["body"]
    assert error["type"] == "http-413"
    assert len(client.post("/evaluate", content=body).content) < 1_000


def test_a_streamed_body_past_the_limit_is_a_413_too(
    client: TestClient, service: ModuleType
) -> None:
    chunk = b" " * 65_536

    def chunks() -> Any:  # no Content-Length: the service counts what it reads
        for _ in range(service.MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = client.post(
        "/evaluate", content=chunks(), headers={"content-type": "application/json"}
    )
    assert refusal(response, status=413)["type"] == "http-413"


def test_other_http_errors_have_the_shape(client: TestClient) -> None:
    assert refusal(client.get("/nowhere"), status=404)["type"] == "http-404"
    assert refusal(client.get("/evaluate"), status=405)["type"] == "http-405"


def test_a_fault_of_the_service_is_a_500_that_tells_nothing(
    service: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> kf.Result:
        raise RuntimeError("secret insides")

    monkeypatch.setattr(service.kf, "evaluate", broken)
    client = TestClient(service.app, raise_server_exceptions=False)
    response = client.post("/evaluate", json={"formula": "A", "year": 2025})
    error = refusal(response, status=500)
    assert error["type"] == "internal"
    assert "secret" not in response.text


def test_too_many_driver_values_are_refused(client: TestClient, service: ModuleType) -> None:
    data = [
        {"code": f"A{i}", "year": 2025, "value": i} for i in range(service.MAX_DRIVER_VALUES + 1)
    ]
    error = refusal(client.post("/evaluate", json={"formula": "A1", "year": 2025, "data": data}))
    assert error["loc"] == ["body", "data"]
    assert error["type"] == "too_long"


# --- answers and errors are bounded


def test_a_huge_formula_is_quoted_by_an_excerpt(client: TestClient) -> None:
    formula = "A + " * 25_000 + "A"  # 100 kB
    response = client.post("/evaluate", json={"formula": formula, "year": 2025})
    error = refusal(response)
    assert error["type"] == "limit-exceeded"
    assert len(response.content) < 2_000


def test_a_huge_target_or_value_is_quoted_by_an_excerpt(client: TestClient) -> None:
    for body in (
        {"target": ">= " + "1" * 100_000, "actual": 1},
        {"target": ">= 1", "actual": "x" * 100_000},
        {"target": "maggiore " * 10_000, "actual": 1},
    ):
        response = client.post("/check", json=body)
        assert response.status_code == 422
        assert len(response.content) < 2_000


def test_a_huge_code_is_refused_without_echo(client: TestClient) -> None:
    data = [{"code": "A" * 100_000, "year": 2025, "value": 1}]
    response = client.post("/evaluate", json={"formula": "A", "year": 2025, "data": data})
    assert refusal(response)["loc"] == ["body", "data", 0, "code"]
    assert len(response.content) < 2_000


# --- /check


def test_targets_are_checked(client: TestClient) -> None:
    response = client.post("/check", json={"target": ">= 98,00 %", "actual": "90,32 %"})
    assert response.status_code == 200
    assert response.json() == kf.parse_target(">= 98,00 %").check("90,32 %").to_dict()
    assert response.json()["met"] is False
    error = refusal(client.post("/check", json={"target": ">= ?", "actual": "1"}))
    assert error["loc"] == ["body", "target"]
    assert error["type"] == "target-syntax"


def test_a_relative_target_takes_a_baseline(client: TestClient) -> None:
    target = "Aumento del 20% rispetto alla baseline"
    body = {"target": target, "actual": "1.750 N.", "baseline": "1.500 N."}
    response = client.post("/check", json=body)
    assert response.status_code == 200
    expected = kf.parse_target(target).check("1.750 N.", baseline="1.500 N.")
    assert response.json() == expected.to_dict()
    assert kf.Outcome.from_dict(response.json()) == expected
    assert response.json()["met"] is False and response.json()["baseline"] == "1500"


def test_a_relative_target_without_a_baseline_says_what_to_send(client: TestClient) -> None:
    body = {"target": "Aumento del 20% rispetto alla baseline", "actual": "1.750 N."}
    error = refusal(client.post("/check", json=body))
    assert error["loc"] == ["body", "baseline"]
    assert error["type"] == "baseline-required"
    assert '"baseline"' in error["hint"] and "check(" not in error["hint"]


def test_a_null_baseline_is_nd(client: TestClient) -> None:
    body = {"target": "+5% rispetto al 2024", "actual": "63 %", "baseline": None}
    response = client.post("/check", json=body)
    assert response.status_code == 200
    assert (response.json()["met"], response.json()["baseline"]) == (None, None)


def test_an_absolute_target_answers_without_a_baseline_key(client: TestClient) -> None:
    response = client.post("/check", json={"target": ">= 1.100 N.", "actual": "1.136 N."})
    assert response.json() == {
        "met": True,
        "achievement": "1",
        "actual": "1136",
        "actual_text": "1.136 N.",
        "target": ">= 1.100 N.",
        "threshold": "1100",
        "notes": [],
        "unit": "N.",
    }


def test_a_unit_mismatch_names_the_actual(client: TestClient) -> None:
    error = refusal(client.post("/check", json={"target": ">= 4 N.", "actual": "5 gg"}))
    assert error["loc"] == ["body", "actual"]
    assert error["type"] == "unit-mismatch"


@pytest.mark.parametrize("actual", ["85", '"85"', '"85,0"'])
def test_a_bare_number_against_percent_follows_the_one_unit_rule(
    client: TestClient, actual: str
) -> None:
    # 85 as a fraction would be 8.500 %: met, silently wrong; the library refuses it
    error = refusal(post(client, "/check", f'{{"target": ">= 90 %", "actual": {actual}}}'))
    assert error["loc"] == ["body", "actual"]
    assert error["type"] == "unit-ambiguous"
    assert "85 %" in error["hint"]


@pytest.mark.parametrize(("actual", "met"), [("0.85", False), ('"85 %"', False), ("0.95", True)])
def test_a_fraction_or_a_percentage_is_judged(client: TestClient, actual: str, met: bool) -> None:
    response = post(client, "/check", f'{{"target": ">= 90 %", "actual": {actual}}}')
    assert response.status_code == 200
    assert response.json()["met"] is met


def test_a_baseline_follows_the_one_unit_rule_too(client: TestClient) -> None:
    body = {"target": "+5% rispetto al 2024", "actual": "63 %", "baseline": 60}
    response = client.post("/check", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "unit-ambiguous"


@pytest.mark.parametrize("direction", ["decrescente", "lower", "↓", "Decrescente"])
def test_a_direction_says_what_a_bare_target_means(client: TestClient, direction: str) -> None:
    body = {"target": "25 gg", "actual": "20 gg", "direction": direction}
    response = client.post("/check", json=body)
    assert response.status_code == 200
    assert response.json() == kf.parse_target("25 gg").check("20 gg", direction="lower").to_dict()
    assert response.json()["met"] is True
    assert response.json()["notes"] == []


def test_without_a_direction_a_bare_target_is_at_least_and_says_so(client: TestClient) -> None:
    response = client.post("/check", json={"target": "25 gg", "actual": "20 gg"})
    assert response.json()["met"] is False
    assert "direction" in response.json()["notes"][0]


def test_an_unknown_direction_is_refused(client: TestClient) -> None:
    body = {"target": "25 gg", "actual": "20 gg", "direction": "sideways"}
    error = refusal(client.post("/check", json=body))
    assert error["loc"] == ["body", "direction"]
    assert "crescente" in error["hint"]


def test_a_deadline_takes_a_date(client: TestClient) -> None:
    body = {"target": "Entro 31-12-2025", "actual": "25-12-2024"}
    assert client.post("/check", json=body).json()["met"] is True


# --- the schema


def test_answers_are_typed_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, answer in (("/evaluate", "EvaluationAnswer"), ("/check", "CheckAnswer")):
        responses = schema["paths"][path]["post"]["responses"]
        ok = responses["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{answer}"}
        refused = responses["422"]["content"]["application/json"]["schema"]
        assert refused == {"$ref": "#/components/schemas/ErrorAnswer"}
        assert "413" in responses
    assert set(components["EvaluationAnswer"]["properties"]) == set(
        kf.evaluate("A", {"A": 1}, year=2025).to_dict()
    )
    assert set(components["ErrorItem"]["properties"]) == SHAPE
    assert "HTTPValidationError" not in components  # FastAPI's own 422 shape is not ours


def test_the_answer_models_match_the_library_dicts(service: ModuleType) -> None:
    for result in (
        kf.evaluate("A / B", {"A": 1, "B": 3}, year=2025),
        kf.evaluate("A / B", {"A": 1, "B": 0}, year=2025),
        kf.Result(value="1E+999", year=2025, formula="A"),
    ):
        answer = service.EvaluationAnswer.model_validate(result.to_dict())
        assert json.loads(answer.model_dump_json()) == result.to_dict()
    target = kf.parse_target("Riduzione del 10% rispetto alla baseline")
    for outcome in (target.check(80, baseline=100), target.check(kf.ND, baseline=100)):
        answer = service.CheckAnswer.model_validate(outcome.to_dict())
        assert json.loads(answer.model_dump_json(exclude_unset=True)) == outcome.to_dict()


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
