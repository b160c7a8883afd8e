"""A plan's formulas are walked, not compiled: the walk keeps the closures' rules.

:class:`~kpi_formula.engines.steps.TreeProgram` reads the tree on each run where
:class:`~kpi_formula.engines.steps.Program` builds closures once; on any formula,
odd data and either policy they give the same results, reasons, inputs and
errors, and refuse the same numbers when they are built.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.engines.steps import Program, TreeProgram, as_source
from kpi_formula.result import MissingPolicy, ZeroDivisionPolicy

from .test_agreement import odd_values


@given(
    kst.formulas(max_leaves=8, driver_codes=st.sampled_from(["A", "B", "C"])),
    st.sampled_from(["propagate", "zero"]),
    st.sampled_from(["missing", "error"]),
    st.data(),
)
def test_walking_the_tree_agrees_with_the_closures(
    formula: kf.Formula,
    on_missing: MissingPolicy,
    on_zero_division: ZeroDivisionPolicy,
    data: st.DataObject,
) -> None:
    table = {
        (ref.code, 2025 + ref.offset): data.draw(odd_values())
        for ref in formula.references
        if data.draw(st.booleans(), label="present")
    }
    closures = Program(formula, on_missing, on_zero_division, ("a note",))
    walked = TreeProgram(formula, on_missing, on_zero_division, ("a note",))
    try:
        expected = closures.run(table, 2025)
    except kf.KpiFormulaError as error:
        with pytest.raises(type(error)) as raised:
            walked.run(table, 2025)
        assert str(raised.value) == str(error)
        with pytest.raises(type(error)) as raised:  # a plan's run, without the Result
            walked.value_on(as_source(table), 2025)
        assert str(raised.value) == str(error)
        return
    result = walked.run(table, 2025)
    # a plan's run: the plain arithmetic where it can, else the walk; one answer
    value, reasons = walked.value_on(as_source(table), 2025)
    assert (str(value), reasons) == (str(result.value), result.reasons)
    assert result == expected
    assert str(result.value) == str(expected.value)  # the sign of a zero too
    assert result.reasons == expected.reasons
    assert result.notes == expected.notes
    assert result.inputs == expected.inputs
    assert list(result.inputs or ()) == list(expected.inputs or ())  # read in the same order
    assert result.explain() == expected.explain()


def test_numbers_past_the_limits_are_refused_when_built_as_by_the_closures() -> None:
    formula = kf.parse("A + " + "9" * 2000)
    with pytest.raises(kf.KpiFormulaError) as closures:
        Program(formula, "propagate", "missing", ())
    with pytest.raises(type(closures.value)) as walked:
        TreeProgram(formula, "propagate", "missing", ())
    assert str(walked.value) == str(closures.value)


def test_a_walked_program_builds_nothing_for_the_collector_per_node() -> None:
    import gc

    walked = TreeProgram(kf.parse("(A - A-1) / A-1 * 100 + 2"), "propagate", "missing", ())
    assert not gc.is_tracked(walked._constants)  # ints and Decimals only
    assert walked.run({"A": Decimal(110), ("A", 2024): 100}, 2025).value == Decimal(12)
