"""An independent judge: verdicts worked out here with exact fractions, from the
rules as README states them, written apart from ``kpi_formula.targets``; every
comparison, range and relative target is held to it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import Change, Quantity, Target

CEILING = Fraction(999, 1000)  # a missed target's highest achievement


def judged(comparison: str, value: Fraction, threshold: Fraction) -> tuple[bool, Fraction]:
    """Met, and the proportional achievement, of ``value`` against ``comparison threshold``."""
    met = {
        ">=": value >= threshold,
        ">": value > threshold,
        "<=": value <= threshold,
        "<": value < threshold,
        "=": value == threshold,
    }[comparison]
    if met:
        return True, Fraction(1)
    if comparison == "=" or threshold == 0:
        return False, Fraction(0)
    more_is_better = comparison in (">=", ">")
    if more_is_better == (threshold > 0):
        share = value / threshold
    else:
        share = Fraction(0) if value == 0 else threshold / value
    return False, min(max(share, Fraction(0)), CEILING)


def close(found: Decimal | None, expected: Fraction) -> bool:
    """Equal but for the rounding of a division to 28 significant digits."""
    assert found is not None
    scale = max(Fraction(1), abs(expected))
    return abs(Fraction(found) - expected) <= Fraction(1, 10**26) * scale


amounts = st.decimals(min_value=-10_000, max_value=10_000, places=2)
units = st.sampled_from(["N.", "gg", "€", None])
directions = st.sampled_from([None, "higher", "lower"])


# a comparison as written, or a bare amount (implied: at least until a direction says)
comparisons = st.sampled_from(
    [(">=", False), (">", False), ("<=", False), ("<", False), ("=", False), (">=", True)]
)


@given(comparisons, amounts, amounts, units, directions)
def test_comparisons(
    written: tuple[str, bool],
    threshold: Decimal,
    value: Decimal,
    unit: str | None,
    direction: str | None,
) -> None:
    comparison, implied = written
    target = Target(comparison, Quantity(threshold, unit), implied=implied)  # type: ignore[arg-type]
    outcome = target.check(Quantity(value, unit), direction=direction)  # type: ignore[arg-type]
    applied = "<=" if implied and direction == "lower" else comparison
    met, achievement = judged(applied, Fraction(value), Fraction(threshold))
    assert outcome.met is met
    assert close(outcome.achievement, achievement)


@given(amounts, amounts, amounts)
def test_ranges(first: Decimal, second: Decimal, value: Decimal) -> None:
    low, high = sorted((first, second))
    outcome = Target("tra", Quantity(low, "gg"), upper=Quantity(high, "gg")).check(
        Quantity(value, "gg")
    )
    if low <= value <= high:
        assert outcome.met is True and outcome.achievement == 1
        return
    nearer, comparison = (low, ">=") if value < low else (high, "<=")
    met, achievement = judged(comparison, Fraction(value), Fraction(nearer))
    assert outcome.met is met is False
    assert close(outcome.achievement, achievement)
    assert outcome.threshold == nearer


@given(
    st.decimals(min_value=-2, max_value=2, places=2),
    st.tuples(st.sampled_from(["%", "N."]), st.sampled_from(["baseline", "previous", 2023])),
    amounts,
    amounts,
    directions,
)
def test_relative_targets(
    change: Decimal,
    measured: tuple[str, object],
    baseline: Decimal,
    value: Decimal,
    direction: str | None,
) -> None:
    unit, reference = measured
    amount = Quantity(change, unit)  # type: ignore[arg-type]
    implied = not change
    comparison = ">=" if change >= 0 else "<="
    target = Target(comparison, change=Change(amount, reference), implied=implied)  # type: ignore[arg-type]
    base = Fraction(baseline)
    if unit == "%":  # a share of the reference's size, in the direction the words say
        if base == 0 and change:
            try:
                target.check(value, baseline=baseline)
            except kf.ZeroBaselineError:
                return
            raise AssertionError("a percentage of a zero reference was judged")
        threshold = base + Fraction(change) * abs(base)
        value_in: object = value  # plain numbers, in no unit
        base_in: object = baseline
    else:
        threshold = base + Fraction(change)
        value_in, base_in = Quantity(value, "N."), Quantity(baseline, "N.")
    outcome = target.check(value_in, baseline=base_in, direction=direction)
    applied = "<=" if implied and direction == "lower" else comparison
    met, achievement = judged(applied, Fraction(value), threshold)
    assert outcome.met is met
    assert close(outcome.achievement, achievement)
    assert outcome.threshold is not None and Fraction(outcome.threshold) == threshold
