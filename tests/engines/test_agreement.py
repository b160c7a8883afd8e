"""The generated code agrees with the step engine it stands in for.

Straight-line generated code against the closures, on data with N/D values,
zeros and odd types: the same results, explanations and inputs, and plain data
never falls back.
"""

from __future__ import annotations

import decimal
import math
import types
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.engines import generated
from kpi_formula.engines.generated import build_compiled
from kpi_formula.engines.steps import Program
from kpi_formula.result import ZeroDivisionPolicy

from ..hostcontext import same_under_hostile_context
from ..oddvalues import NumpyLikeFloat


def both_paths(
    formula: kf.Formula, on_zero_division: ZeroDivisionPolicy = "missing"
) -> tuple[Program, Callable[..., kf.Result], list[object]]:
    """The step engine, and generated code that records each fallback to it."""
    program = Program(formula, "propagate", on_zero_division, ())
    fallbacks: list[object] = []

    def general(data: object, year: object) -> kf.Result:
        fallbacks.append(data)
        return program.run(data, year)  # type: ignore[arg-type]

    recording = types.SimpleNamespace(
        formula=formula, notes=(), on_missing="propagate", run=general
    )
    function = build_compiled(cast(Program, recording))

    def compiled(data: object, *, year: object) -> kf.Result:
        return cast(kf.Result, function(None, data, year=year))

    return program, compiled, fallbacks


def plain(value: object) -> bool:
    return (
        (type(value) is Decimal and value.is_finite())
        or (type(value) is int and abs(value) < 10**100)
        or (type(value) is float and math.isfinite(value))
    )


@st.composite
def odd_values(draw: st.DrawFn) -> object:
    return draw(
        st.one_of(
            st.integers(-(10**6), 10**6),
            st.decimals(allow_nan=True, allow_infinity=False, places=3),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from(
                [None, kf.ND, "1.100 N.", "N/D", 0, Decimal(0), Decimal("-0"), 10**1000]
                + [Decimal(text) for text in ("NaN", "sNaN", "Infinity", "-Infinity")]
            ),
        )
    )


@given(kst.formulas(max_leaves=8, driver_codes=st.sampled_from(["A", "B", "C"])), st.data())
def test_compiled_functions_agree_with_the_general_evaluator(
    formula: kf.Formula, data: st.DataObject
) -> None:
    table = {(ref.code, 2025 + ref.offset): data.draw(odd_values()) for ref in formula.references}
    program, compiled, fallbacks = both_paths(formula)
    try:
        expected = program.run(table, 2025)
    except kf.KpiFormulaError as error:
        with pytest.raises(type(error)):
            compiled(table, year=2025)
        return
    result = compiled(table, year=2025)
    assert result == expected
    assert str(result.value) == str(expected.value)  # the sign of a zero too
    assert result.explain() == expected.explain()
    assert result.inputs == expected.inputs
    if not expected.missing and all(map(plain, table.values())):
        assert not fallbacks, "plain data must not need the general evaluator"


@pytest.mark.parametrize(
    ("data", "year", "fast"),
    [
        ({("A", 2025): Decimal(3), ("A", 2024): 2}, 2025, True),
        ({"A": Decimal(3), ("A", 2024): 2}, 2025, True),  # the bare code for the year itself
        ({("A", 2025): None, "A": 3, ("A", 2024): 2}, 2025, False),  # None wins over the code
        ({("A", 2025): 3, ("A", 2024): 0}, 2025, False),  # division by zero
        ({("A", 2025): 0, ("A", 2024): 0}, 2025, False),  # zero by zero
        ({("A", 2025): 3, ("A", 2024): Decimal("-Infinity")}, 2025, False),  # would hide it
        ({("A", 2025): 3, ("A", 2024): 2.5}, 2025, True),  # a float, read by its repr
        ({("A", 2025): -0.0, ("A", 2024): 2.5}, 2025, True),  # the sign of its zero kept
        ({("A", 2025): 3, ("A", 2024): float("nan")}, 2025, False),  # N/D
        ({("A", 2025): float("inf"), ("A", 2024): 2}, 2025, False),  # an error
        ({("A", 2025): True, ("A", 2024): 2}, 2025, False),  # a bool is refused
        ({("A", 2025): Decimal("-0"), ("A", 2024): 2}, 2025, True),
        ({("A", 2025): Decimal("1E+999999"), ("A", 2024): 2}, 2025, False),  # past the limits
        ({("A", 2025): 3, ("A", 2024): 2}, True, False),  # a bool year
        (MappingProxyType({("A", 2025): 3, ("A", 2024): 2}), 2025, False),  # not a dict
    ],
)
def test_which_path_a_call_takes(data: Mapping[Any, object], year: object, fast: bool) -> None:
    """Which calls the generated code answers itself, once it has seen the data's shape
    (data keyed by a bare code costs one call on the general path, see below)."""
    formula = kf.parse("(A - A-1) * 10 / -A-1")
    program, compiled, fallbacks = both_paths(formula)
    try:
        expected: object = program.run(data, year)
    except kf.KpiFormulaError as error:
        expected = type(error)
    for _ in range(2):
        fallbacks.clear()
        try:
            result: object = compiled(data, year=year)
        except kf.KpiFormulaError as error:
            result = type(error)
        assert result == expected
    assert (not fallbacks) is fast


def test_data_keyed_by_bare_codes_turns_the_code_to_reading_by_get() -> None:
    """Data read by subscripts until a call lacks a ``(code, year)`` key; that call goes
    to the general path, and every later one reads by ``dict.get`` and the bare code,
    at full speed for either shape of data."""
    program, compiled, fallbacks = both_paths(kf.parse("A / B-1"))
    keyed = {("A", 2025): Decimal(3), ("B", 2024): Decimal(4)}
    bare = {"A": Decimal(3), ("B", 2024): Decimal(4)}
    assert compiled(keyed, year=2025) == program.run(keyed, 2025)
    assert not fallbacks
    assert compiled(bare, year=2025) == program.run(bare, 2025)
    assert fallbacks == [bare]
    fallbacks.clear()
    for data in (bare, keyed, bare):
        result = compiled(data, year=2025)
        assert (result, result.inputs) == (program.run(data, 2025), program.run(data, 2025).inputs)
    assert not fallbacks


@given(
    kst.formulas(max_leaves=6, driver_codes=st.sampled_from(["A", "B"])),
    st.lists(st.tuples(st.booleans(), st.booleans(), odd_values()), min_size=1, max_size=6),
)
def test_a_sequence_of_calls_agrees_whatever_the_shapes_seen_before(
    formula: kf.Formula, calls: list[tuple[bool, bool, object]]
) -> None:
    """However the data of earlier calls was keyed (which decides how later calls read
    it), each call gives what the general evaluator gives."""
    program, compiled, _ = both_paths(formula)
    for bare, drop_one, odd in calls:
        table: dict[object, object] = {
            (ref.code, 2025 + ref.offset): Decimal(7 + ref.offset) for ref in formula.references
        }
        if formula.references:
            first = min(formula.references, key=lambda ref: (ref.code, ref.offset))
            key = (first.code, 2025 + first.offset)
            if drop_one:
                del table[key]
            elif bare and first.offset == 0:
                table[first.code] = table.pop(key)
            else:
                table[key] = odd
        try:
            expected = program.run(table, 2025)
        except kf.KpiFormulaError as error:
            with pytest.raises(type(error)):
                compiled(table, year=2025)
            continue
        result = compiled(table, year=2025)
        assert (result, str(result.value), result.inputs) == (
            expected,
            str(expected.value),
            expected.inputs,
        )


def test_compiled_formulas_are_functions_carrying_their_formula() -> None:
    formula = kf.parse("(A - A-1) / A-1")
    compiled = formula.compile(on_zero_division="error")
    assert isinstance(compiled, kf.CompiledFormula)
    assert compiled.formula == formula
    assert (compiled.on_missing, compiled.on_zero_division, compiled.notes) == (
        "propagate",
        "error",
        (),
    )
    assert "(A - A-1) / A-1" in repr(compiled)
    assert formula.compile(on_zero_division="error") is compiled  # compiled once
    result = compiled({("A", 2025): 110, ("A", 2024): 100}, year=2025)
    assert type(result).__name__ == "Result" and isinstance(result, kf.Result)
    assert (result.value, result.reasons, result.notes) == (Decimal("0.1"), (), ())
    with pytest.raises(kf.EvaluationError, match="division by zero"):
        compiled({("A", 2025): 110, ("A", 2024): 0}, year=2025)
    with pytest.raises(kf.KpiFormulaError, match="on_missing"):
        formula.compile(on_missing="skip")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["B / A", "B / (A + 1)", "B / -A", "B * A", "A"])
def test_infinities_are_never_hidden(text: str) -> None:
    _, compiled, fallbacks = both_paths(kf.parse(text))
    with pytest.raises(kf.EvaluationError, match="infinite"):
        compiled({("A", 2025): Decimal("-Infinity"), ("B", 2025): 0}, year=2025)
    assert fallbacks


@given(
    kst.formulas(max_leaves=6, driver_codes=st.sampled_from(["A", "B"])),
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=80),
)
def test_every_year_reads_its_own_keys(formula: kf.Formula, years: list[int]) -> None:
    """The keys kept per year never answer for another year, however many years are asked."""
    program, compiled, _ = both_paths(formula)
    for year in years:
        table = {
            (ref.code, year + ref.offset): Decimal(year % 97 + 3 * len(ref.code) + ref.offset)
            for ref in formula.references
        }
        try:
            expected = program.run(table, year)
        except kf.KpiFormulaError as error:
            with pytest.raises(type(error)):
                compiled(table, year=year)
            continue
        result = compiled(table, year=year)
        assert (result, result.inputs) == (expected, expected.inputs)


def test_the_keys_kept_per_year_stay_bounded() -> None:
    compiled = kf.parse("A / A-1 + B").compile(on_zero_division="error")
    for year in range(1, 10_000, 7):
        data = {("A", year): year, ("A", year - 1): 2, ("B", year): 1}
        assert compiled(data, year=year).value == Decimal(year) / 2 + 1
    function = cast(types.MethodType, compiled).__func__
    table = function.__globals__["_table"]
    assert 0 < len(table) <= generated._KEY_YEARS


def test_the_host_decimal_context_is_neither_read_nor_changed() -> None:
    """The operators run in the library's contexts: a host's context of three digits
    changes no answer, and the host's flags stay as they were."""
    compiled = kf.parse("(A - A-1) / A-1 * B + C").compile()
    data = {("A", 2025): Decimal("1210.5"), ("A", 2024): 1100, ("B", 2025): 3, ("C", 2025): 1.25}
    expected = same_under_hostile_context(compiled, data, year=2025)
    # the quotient to 28 digits, then exact: 0.1004545454545454545454545455 * 3 + 1.25
    assert expected.value == Decimal("1.5513636363636363636363636365")
    with decimal.localcontext(decimal.Context()) as host:
        compiled(data, year=2025)
        assert not any(host.flags.values())


def test_a_private_context_already_entered_sends_the_call_to_the_general_path() -> None:
    """As a second thread of a free-threaded build would find it: the same answer, taken
    by the general evaluator instead of failing."""
    formula = kf.parse("(A - A-1) / A-1")
    program, compiled, fallbacks = both_paths(formula)
    data = {("A", 2025): 110, ("A", 2024): 100}
    assert generated._IN_DIVISION is not None
    result = generated._IN_DIVISION(compiled, data, year=2025)
    assert result == program.run(data, 2025) and result.value == Decimal("0.1")
    assert fallbacks


def test_without_private_contexts_the_methods_give_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where decimal keeps no context variable, the contexts' own methods are called."""
    monkeypatch.setattr(generated, "_IN_EXACT", None)
    monkeypatch.setattr(generated, "_IN_DIVISION", None)
    formula = kf.parse("(A - A-1) * 10 / -A-1 + B")
    program, compiled, fallbacks = both_paths(formula)
    data = {("A", 2025): Decimal(3), ("A", 2024): 7, ("B", 2025): 0.5}
    assert compiled(data, year=2025) == program.run(data, 2025)
    assert not fallbacks


class _Incomparable:
    """A data key that hashes like another and refuses to be compared, raising
    ``error``."""

    def __init__(self, like: object, error: type[Exception] = TypeError) -> None:
        self.like = like
        self.error = error

    def __hash__(self) -> int:
        return hash(self.like)

    def __eq__(self, other: object) -> bool:
        raise self.error("incomparable")


@pytest.mark.parametrize("like", [("A", 2025), "A"])
def test_a_key_that_refuses_comparison_is_absent_on_both_paths(like: object) -> None:
    program, compiled, _ = both_paths(kf.parse("A + B"))
    data = {_Incomparable(like): 1, ("B", 2025): 2}
    expected = program.run(data, 2025)
    assert expected.reasons == ("A@2025 is missing from the data",)
    assert compiled(data, year=2025) == expected


@pytest.mark.parametrize(
    ("text", "data"),
    [
        # a bool, text that is no number, a number past the limits: refused before B is read
        ("A + B", {("A", 2025): True, _Incomparable(("B", 2025), ValueError): 3}),
        ("A + B", {("A", 2025): "abc", _Incomparable(("B", 2025), ValueError): 3}),
        ("A + B", {("A", 2025): 10**1000, _Incomparable(("B", 2025), ValueError): 3}),
        # a division by zero, an error under on_zero_division="error", before C is read
        (
            "A / B-1 + C",
            {("A", 2025): 1, ("B", 2024): 0, _Incomparable(("C", 2025), ValueError): 3},
        ),
    ],
)
def test_the_general_path_errors_come_out_as_they_are_whatever_the_fast_path_met(
    text: str, data: dict[object, object]
) -> None:
    """The fast path reads every reference before it computes; whatever that meets (a key
    that cannot be compared, here), the call gets the general path's own answer or error,
    and the general path runs once."""
    program, compiled, fallbacks = both_paths(kf.parse(text), on_zero_division="error")
    with pytest.raises(kf.EvaluationError) as expected:
        program.run(data, 2025)
    with pytest.raises(kf.EvaluationError) as raised:
        compiled(data, year=2025)
    assert str(raised.value) == str(expected.value)
    assert len(fallbacks) == 1


def test_a_float_of_a_subclass_is_read_by_the_shortest_repr_of_its_value() -> None:
    program, compiled, _ = both_paths(kf.parse("A / B"))
    data = {("A", 2025): NumpyLikeFloat(1.5), ("B", 2025): 4}
    expected = program.run(data, 2025)
    assert expected.value == Decimal("0.375")
    assert compiled(data, year=2025) == expected
    assert kf.evaluate("A / B", data, year=2025).value == Decimal("0.375")


@pytest.mark.parametrize("year", [10**18, -(10**18), 10**4300], ids=["1E18", "-1E18", "1E4300"])
def test_a_year_of_more_than_18_digits_is_refused_on_both_paths(year: int) -> None:
    program, compiled, _ = both_paths(kf.parse("A * 2"))
    for value in (Decimal(21), 21, 21.0):
        data = {("A", year): value}
        with pytest.raises(kf.EvaluationError, match="more than 18 digits"):
            program.run(data, year)
        with pytest.raises(kf.EvaluationError, match="more than 18 digits"):
            compiled(data, year=year)
    assert compiled({("A", 10**18 - 1): 21}, year=10**18 - 1).value == 42
    with pytest.raises(kf.KpiFormulaError, match="more than 18 digits"):
        kf.Result(value=1, year=year, formula="A")


def test_a_compiled_call_in_a_fresh_thread_leaves_it_without_a_decimal_context() -> None:
    """Reading a float names the library's context, so a thread that never used decimal
    is not given one by a compiled call (the host's context is not even read)."""
    import contextvars
    import threading

    compiled = kf.parse("A + 1").compile()
    seen: list[object] = []
    keyed = {"A": 2, ("A", 2025): Decimal(7)}  # (made here: Decimal() reads the context)

    def work() -> None:  # (comparing decimals would read the thread's context: done after)
        seen.append(compiled({"A": 3.5}, year=2025).value)
        seen.append(compiled(keyed, year=2025).value)
        seen.append(any(var.name == "decimal_context" for var in contextvars.copy_context()))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [Decimal("4.5"), Decimal(8), False]
