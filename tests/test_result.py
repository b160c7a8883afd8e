"""Results are plain values a service can build, keep, ship and trust."""

from __future__ import annotations

import gc
import json
import pickle
import threading
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst


def test_a_hand_built_result_equals_the_evaluated_one() -> None:
    evaluated = kf.evaluate("(A - A-1) / A-1", {("A", 2025): 110, ("A", 2024): 100}, year=2025)
    made = kf.Result(value=Decimal("0.1"), year=2025, formula="(A - A-1) / A-1")
    assert made == evaluated and hash(made) == hash(evaluated)
    assert made.inputs is None and evaluated.inputs == {
        ("A", 2025): Decimal(110),
        ("A", 2024): Decimal(100),
    }
    assert made != kf.Result(value=Decimal("0.2"), year=2025, formula="(A - A-1) / A-1")
    assert made != kf.Result(value=Decimal("0.1"), year=2024, formula="(A - A-1) / A-1")
    nd = kf.Result(value=kf.ND, year=2025, formula="A / B", reasons=("B@2025 is N/D",))
    assert nd == kf.evaluate("A / B", {"A": 1, "B": None}, year=2025)
    assert nd.missing and repr(nd) == (
        "Result(value=ND, year=2025, formula='A / B', reasons=('B@2025 is N/D',))"
    )


def test_results_are_read_only() -> None:
    result = kf.evaluate("A + 1", {"A": 1}, year=2025)
    with pytest.raises(AttributeError):
        result.value = Decimal(5)  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.inputs[("A", 2025)] = Decimal(9)  # type: ignore[index]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"value": 1.5, "year": 2025, "formula": "A"}, "value must be"),
        ({"value": "abc", "year": 2025, "formula": "A"}, "not a decimal"),
        ({"value": 1, "year": "2025", "formula": "A"}, "year must be an int"),
        ({"value": 1, "year": 2025, "formula": "A +"}, "ends with the operator"),
        ({"value": 1, "year": 2025, "formula": 5}, "formula must be"),
        ({"value": 1, "year": 2025, "formula": "A", "reasons": "x"}, "tuple of strings"),
        ({"value": 1, "year": 2025, "formula": "A", "inputs": {"A": 1}}, "keyed by"),
        ({"value": 1, "year": 2025, "formula": "A", "on_missing": "skip"}, "on_missing"),
    ],
)
def test_a_bad_result_is_refused_clearly(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(kf.KpiFormulaError, match=message):
        kf.Result(**arguments)
    with pytest.raises(TypeError):
        kf.Result(1, 2025, "A")  # type: ignore[call-arg]  # keywords only


def test_explain_shows_the_values_used_after_the_caller_changes_its_data() -> None:
    data: dict[Any, Any] = {"A": 110, "B": 10}
    result = kf.evaluate("A / B", data, year=2025)
    compiled = kf.parse("A / B").compile()({"A": Decimal(110), "B": Decimal(10)}, year=2025)
    data["A"], data["B"] = 999, 0
    for each in (result, compiled):
        text = each.explain()
        assert "A = 110" in text and "B = 10" in text and "999" not in text
        assert text.splitlines()[0] == "A / B = 11  [year 2025]"


def test_a_result_keeps_nothing_of_the_callers() -> None:
    class Data(dict[Any, Any]):
        pass

    def by_evaluate(data: Data) -> kf.Result:
        return kf.evaluate("A / B-1 + C", data, year=2025)

    def by_compiled(data: Data) -> kf.Result:
        return kf.parse("A / B-1 + C").compile()(data, year=2025)

    for evaluate in (by_evaluate, by_compiled):
        data = Data({"A": 110, ("B", 2024): 10, "C": None})
        alive = weakref.ref(data)
        result = evaluate(data)
        del data
        gc.collect()
        assert alive() is None, "the result must not hold the caller's data"
        expected: dict[tuple[str, int], object] = {
            ("A", 2025): 110,
            ("B", 2024): 10,
            ("C", 2025): kf.ND,
        }
        assert dict(result.inputs or {}) == expected
        assert "C@2025 is N/D" in result.explain()


def test_explain_with_hand_built_inputs_never_contradicts_the_value() -> None:
    made = kf.Result(
        value=Decimal(3), year=2025, formula="A + B", inputs={("A", 2025): 1, ("B", 2025): 1}
    )
    assert "these inputs give 2, not the value 3" in made.explain()
    bare = kf.Result(value=Decimal(3), year=2025, formula="A + B")
    assert "not recorded" in bare.explain()


def test_absent_references_are_not_inputs_and_explain_alike() -> None:
    result = kf.evaluate("A + B", {"A": 1}, year=2025, on_missing="zero")
    assert dict(result.inputs or {}) == {("A", 2025): Decimal(1)}
    assert result.value == 1 and "B@2025 is missing from the data; counted as 0" in (
        result.explain()
    )


@given(st.data())
def test_pickled_and_json_results_equal_the_evaluated(data: st.DataObject) -> None:
    formula = data.draw(kst.formulas(max_leaves=6))
    values = data.draw(kst.datasets(formula, nd_rate=0.2, zero_rate=0.2, absent_rate=0.1))
    policy: kf.evaluator.MissingPolicy = data.draw(st.sampled_from(["propagate", "zero"]))
    result = kf.evaluate(formula, values, year=2025, on_missing=policy)
    for copy in (
        pickle.loads(pickle.dumps(result)),
        kf.Result.from_dict(json.loads(json.dumps(result.to_dict()))),
    ):
        assert copy == result and type(copy) is kf.Result
        assert copy.inputs == result.inputs
        assert copy.explain() == result.explain()


def test_the_json_form() -> None:
    result = kf.evaluate("A / B", {"A": 1, "B": None}, year=2025)
    assert result.to_dict() == {
        "value": None,
        "missing": True,
        "reasons": ["B@2025 is N/D"],
        "year": 2025,
        "formula": "A / B",
        "notes": [],
        "inputs": [
            {"code": "A", "year": 2025, "value": "1"},
            {"code": "B", "year": 2025, "value": None},
        ],
        "on_missing": "propagate",
    }
    with pytest.raises(kf.KpiFormulaError, match="needs the key 'year'"):
        kf.Result.from_dict({"value": "1", "formula": "A"})
    with pytest.raises(kf.KpiFormulaError, match="contradicts"):
        kf.Result.from_dict({"value": "1", "missing": True, "year": 2025, "formula": "A"})


def _run_compiled(job: tuple[Any, dict[Any, Any]]) -> kf.Result:
    compiled, data = job
    return compiled(data, year=2025)  # type: ignore[no-any-return]


def test_compiled_formulas_pickle_and_run_in_a_process_pool() -> None:
    compiled = kf.parse("(A - A-1) / A-1").compile(on_missing="zero")
    copy = pickle.loads(pickle.dumps(compiled))
    assert (copy.formula, copy.on_missing, copy.on_zero_division) == (
        compiled.formula,
        "zero",
        "missing",
    )
    tables = [{("A", 2025): n + 1, ("A", 2024): n} for n in range(20)]
    expected = [compiled(table, year=2025) for table in tables]
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(_run_compiled, [(compiled, t) for t in tables])) == expected


def test_compiled_formulas_are_thread_safe() -> None:
    texts = [f"(A{i} - A{i}-1) / A{i}-1 * {i} + B / (C - {i})" for i in range(40)]
    jobs = []
    for i, text in enumerate(texts):
        for n in range(25):
            data = {(f"A{i}", 2025): n, (f"A{i}", 2024): n % 7, "B": n * 3, "C": n % 5}
            jobs.append((kf.parse(text).compile(), data))
    expected = [_run_compiled(job) for job in jobs]
    barrier = threading.Barrier(8)

    def run(chunk: int) -> list[kf.Result]:
        barrier.wait()
        return [_run_compiled(job) for job in jobs[chunk::8]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        chunks = list(pool.map(run, range(8)))
    for chunk, results in enumerate(chunks):
        assert results == expected[chunk::8]
        assert [r.inputs for r in results] == [r.inputs for r in expected[chunk::8]]


def test_a_formula_called_often_gets_generated_code_with_the_same_answers() -> None:
    text = "A * 3 / (B - 2) + A-1"
    data = {("A", 2025): Decimal("1.5"), ("B", 2025): 7, ("A", 2024): 2}
    first = kf.evaluate(text, data, year=2025)
    later = [kf.evaluate(text, data, year=2025) for _ in range(40)]
    assert all(result == first and result.inputs == first.inputs for result in later)


@given(kst.quantities())
def test_quantities_round_trip_through_json(quantity: kf.Quantity) -> None:
    copy = kf.Quantity.from_dict(json.loads(json.dumps(quantity.to_dict())))
    assert copy == quantity and copy.note == quantity.note
    assert pickle.loads(pickle.dumps(quantity)) == quantity


@given(kst.targets(), st.data())
def test_targets_and_outcomes_round_trip_through_json(
    target: kf.Target, data: st.DataObject
) -> None:
    assert kf.Target.from_dict(json.loads(json.dumps(target.to_dict()))) == target
    actual = data.draw(st.one_of(st.just(kf.ND), kst.values()))
    try:
        outcome = target.check(actual)
    except kf.KpiFormulaError:
        return  # a unit or kind the target does not take
    copy = kf.Outcome.from_dict(json.loads(json.dumps(outcome.to_dict())))
    assert copy == outcome and pickle.loads(pickle.dumps(outcome)) == outcome


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (kf.Quantity, {"unit": "%"}),
        (kf.Quantity, {"amount": 5}),
        (kf.Quantity, {"amount": "x"}),
        (kf.Target, {"text": ">= ?"}),
        (kf.Target, {}),
        (kf.Outcome, {"met": "yes", "achievement": "1", "actual": "1", "target": ">= 1"}),
        (kf.Outcome, {"met": True}),
        (kf.Result, {"value": "1", "year": 2025, "formula": "A", "inputs": [{"code": "A"}]}),
    ],
)
def test_a_bad_dict_is_a_library_error(kind: Any, payload: dict[str, Any]) -> None:
    with pytest.raises(kf.KpiFormulaError):
        kind.from_dict(payload)
