"""An independent judge of targets and of a plan's roll-up, for the tests.

It is written from what README documents ("Values, units and targets",
"Scoring", "Plans") and from the public docstrings alone, in plain
:class:`fractions.Fraction` arithmetic, and knows nothing of how the library
judges: a target is given to it as structured data (a :data:`Spec`), a value as
a Fraction or a date, and it answers the verdict README promises.  The tests
hold ``Target.check`` and ``evaluate_plan`` to it, so a verdict the library gets
wrong disagrees with it instead of being copied into a golden file.

What README says, as read here:

* a comparison (``>=``, ``>``, ``<=``, ``<``, ``=``) is met as written; a bare
  amount's comparison is *implied*: at most for a falling indicator, at least
  otherwise;
* a range is met inside, bounds included; a yes/no target when the value is
  yes (1) or no (0) as asked; a deadline when the date is on or before it;
* a relative target works out its threshold from the reference: ``reference +
  p × |reference|`` for a change of ``p`` in percent (a share of a zero
  reference is refused, unless the share is zero: *Mantenimento* of 0 asks for
  0), ``reference + amount`` for an absolute change; then it is a comparison;
* a met target scores exactly 1, an N/D value (or reference) gives no verdict;
  a missed one scores by its *ratio*, oriented so that 1 is on target: higher
  is better ``actual / target`` (``target / actual`` for a negative target),
  lower is better ``target / actual`` (``actual / target`` for a negative
  target); a range below its lower bound as at least that bound, above its
  upper as at most that one; a zero threshold, an equality, yes/no and a
  deadline score 0 when missed;
* the scoring rule turns the ratio into the achievement — proportional (the
  ratio within [0, 1]), binary (0), a range of evaluation (0 up to the floor, 1
  from the ceiling, linear between) — and a missed target never scores more
  than 0,999;
* a value with a unit must have the target's; a number without a unit against
  ``%`` or ``‰`` is a fraction within ±1 and refused beyond, against yes/no 1
  or 0; a target without a unit is read in its value's unit, but a threshold
  beyond ±1 against a value in ``%`` or ``‰`` is refused;
* a plan's groups score the weighted average of their children's scores; N/D is
  left out with its weight shared among the siblings that have a score
  (``renormalise``) or counted as 0 (``zero``);
* a relative target refers to the year it names, to the year before the target
  year (``anno precedente``), or to the latest baseline year before the target
  year (``baseline``: the indicator's baseline cells, else the plan's baseline
  years, else the year before the target year); its value is the indicator's
  computed from the data, else the baseline the plan writes for that year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Op = Literal[">=", ">", "<=", "<", "="]
Direction = Literal["higher", "lower"]
Reference = Literal["baseline", "previous"] | int
Policy = Literal["renormalise", "zero"]
Unit = Literal["€", "%", "‰", "N.", "gg", "sì/no"]

MISSED_CEILING = Fraction(999, 1000)
"""What a missed target scores at most, whatever the rule (99,9 %)."""

PERCENT_UNITS: frozenset[Unit | None] = frozenset({"%", "‰"})
YES_NO: Unit = "sì/no"


# ----------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Comparison:
    """A comparison with an amount; ``op`` None when only implied (a bare amount)."""

    op: Op | None
    threshold: Fraction
    unit: Unit | None = None


@dataclass(frozen=True)
class Range:
    """Met from ``lower`` to ``upper``, both included."""

    lower: Fraction
    upper: Fraction
    unit: Unit | None = None


@dataclass(frozen=True)
class YesNo:
    """The value must be yes (1) when ``yes``, else no (0)."""

    yes: bool


@dataclass(frozen=True)
class Deadline:
    """Met by a date on or before ``date``."""

    date: dt.date


@dataclass(frozen=True)
class Relative:
    """Relative to a reference value: moved by ``change`` — a share of the
    reference's size when ``percent``, else an amount in the value's unit — and
    compared by ``op`` (None when implied: *Mantenimento*)."""

    op: Op | None
    change: Fraction
    percent: bool
    reference: Reference = "baseline"
    unit: Unit | None = None


Spec = Comparison | Range | YesNo | Deadline | Relative


@dataclass(frozen=True)
class Proportional:
    """The ratio within [0, 1]."""


@dataclass(frozen=True)
class Binary:
    """A missed target scores 0."""


@dataclass(frozen=True)
class RangeRule:
    """The *range di valutazione*: 0 up to ``floor``, 1 from ``ceiling``, linear between."""

    floor: Fraction = Fraction(7, 10)
    ceiling: Fraction = Fraction(9, 10)


Rule = Proportional | Binary | RangeRule


@dataclass(frozen=True)
class Verdict:
    """``met`` None when the value or the reference is N/D; ``threshold`` what the
    value was compared with (None for yes/no, deadlines and N/D)."""

    met: bool | None
    achievement: Fraction | None
    threshold: Fraction | None = None


class ZeroReference(Exception):  # noqa: N818 - named after what it judges, as the library's
    """A change in percent of a reference of zero: a share of nothing."""


class UnitRefused(Exception):  # noqa: N818
    """A value that may not be judged in the unit asked for."""


def implied(op: Op | None, direction: Direction | None) -> Op:
    """The comparison a target asks for: as written, or, when implied, at most
    for a falling indicator and at least otherwise."""
    if op is not None:
        return op
    return "<=" if direction == "lower" else ">="


def meets(op: Op, actual: Fraction, threshold: Fraction) -> bool:
    """Whether ``actual`` satisfies ``op threshold``."""
    return {
        ">=": actual >= threshold,
        ">": actual > threshold,
        "<=": actual <= threshold,
        "<": actual < threshold,
        "=": actual == threshold,
    }[op]


def ratio(op: Op, actual: Fraction, threshold: Fraction) -> Fraction:
    """How far a missed comparison got, 1 meaning on target."""
    if op == "=" or threshold == 0:
        return Fraction(0)
    if op in (">=", ">"):
        return actual / threshold if threshold > 0 else threshold / actual
    return threshold / actual if threshold > 0 else actual / threshold


def score(rule: Rule, missed_ratio: Fraction) -> Fraction:
    """The achievement of a missed target whose ratio is ``missed_ratio``."""
    if isinstance(rule, Binary):
        raw = Fraction(0)
    elif isinstance(rule, RangeRule):
        if missed_ratio <= rule.floor:
            raw = Fraction(0)
        elif missed_ratio >= rule.ceiling:
            raw = Fraction(1)
        else:
            raw = (missed_ratio - rule.floor) / (rule.ceiling - rule.floor)
    else:
        raw = min(max(missed_ratio, Fraction(0)), Fraction(1))
    return min(raw, MISSED_CEILING)


def relative_threshold(spec: Relative, reference: Fraction) -> Fraction:
    """The value a relative target asks for, given its reference's value."""
    if not spec.percent:
        return reference + spec.change
    if reference == 0 and spec.change != 0:
        raise ZeroReference(spec)
    return reference + spec.change * abs(reference)


def judge(
    spec: Spec,
    actual: Fraction | dt.date | None,
    *,
    reference: Fraction | None = None,
    direction: Direction | None = None,
    rule: Rule = Proportional(),
) -> Verdict:
    """The verdict on ``actual`` (None: N/D); ``reference`` is a relative
    target's reference value (None: N/D)."""
    if actual is None:
        return Verdict(None, None)
    if isinstance(spec, Deadline):
        assert isinstance(actual, dt.date)
        met = actual <= spec.date
        return Verdict(met, Fraction(1) if met else Fraction(0))
    assert isinstance(actual, Fraction)
    if isinstance(spec, YesNo):
        met = actual == (1 if spec.yes else 0)
        return Verdict(met, Fraction(1) if met else Fraction(0))
    if isinstance(spec, Range):
        if actual < spec.lower:
            return _compared(">=", actual, spec.lower, rule)
        if actual > spec.upper:
            return _compared("<=", actual, spec.upper, rule)
        nearer = spec.lower if actual - spec.lower <= spec.upper - actual else spec.upper
        return Verdict(True, Fraction(1), nearer)
    if isinstance(spec, Relative):
        if reference is None:
            return Verdict(None, None)
        threshold = relative_threshold(spec, reference)
        return _compared(implied(spec.op, direction), actual, threshold, rule)
    return _compared(implied(spec.op, direction), actual, spec.threshold, rule)


def _compared(op: Op, actual: Fraction, threshold: Fraction, rule: Rule) -> Verdict:
    if meets(op, actual, threshold):
        return Verdict(True, Fraction(1), threshold)
    return Verdict(False, score(rule, ratio(op, actual, threshold)), threshold)


def spec_unit(spec: Spec) -> Unit | None:
    """The unit a target is written in (None: a plain number, or a share of its
    reference)."""
    if isinstance(spec, YesNo):
        return YES_NO
    if isinstance(spec, Comparison | Range):
        return spec.unit
    if isinstance(spec, Relative):
        return None if spec.percent else spec.unit
    return None


def spec_amounts(spec: Spec) -> tuple[Fraction, ...]:
    """The amounts a target is written with, for the unit rule."""
    if isinstance(spec, Comparison):
        return (spec.threshold,)
    if isinstance(spec, Range):
        return (spec.lower, spec.upper)
    if isinstance(spec, Relative) and not spec.percent:
        return (spec.change,)
    return ()


def in_unit(amount: Fraction, unit: Unit | None, spec: Spec) -> Fraction:
    """``amount`` (written with ``unit``, None for a bare number) read in the
    target's unit by the one rule for units, or :class:`UnitRefused`."""
    wanted = spec_unit(spec)
    if unit is not None:
        if wanted is not None and unit != wanted:
            raise UnitRefused(f"{unit} against {wanted}")
        # a target without a unit, read in per cent: its amounts must be fractions
        if (
            wanted is None
            and unit in PERCENT_UNITS
            and any(abs(each) > 1 for each in spec_amounts(spec))
        ):
            raise UnitRefused(f"a bare threshold against a value in {unit}")
        return amount
    if wanted in PERCENT_UNITS and abs(amount) > 1:
        raise UnitRefused(f"{amount} without a unit against {wanted}")
    if wanted == YES_NO and amount not in (0, 1):
        raise UnitRefused(f"{amount} against yes/no")
    return amount


# ----------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Node:
    """A node of a plan tree: a group (``children``) or an indicator (``key``,
    its id), with its weight within its parent."""

    weight: Fraction
    children: tuple[Node, ...] = ()
    key: str | None = None


@dataclass(frozen=True)
class Unjudged:
    """An indicator with a value but nothing to judge it by (no target that year)."""


UNJUDGED = Unjudged()
Score = Fraction | None | Unjudged
"""An indicator's: its achievement, None when N/D (its value or its reference),
or :data:`UNJUDGED`."""


def roll_up(node: Node, scores: Mapping[str, Score], policy: Policy) -> Fraction | None:
    """The node's score: the weighted average of its children's, leaving out the
    unjudged and, under ``renormalise``, N/D (its weight goes to the siblings);
    under ``zero`` an N/D indicator counts as 0.  None when nothing is left to
    average."""
    if node.key is not None:
        own = scores[node.key]
        return None if isinstance(own, Unjudged) else own
    weighted: list[tuple[Fraction, Fraction]] = []
    for child in node.children:
        child_score = roll_up(child, scores, policy)
        if child_score is None:
            if policy == "renormalise" or child.key is None or scores[child.key] is not None:
                continue
            child_score = Fraction(0)
        weighted.append((child.weight, child_score))
    total = sum((weight for weight, _ in weighted), Fraction(0))
    if not weighted or total == 0:
        return None
    return sum((weight * each for weight, each in weighted), Fraction(0)) / total


def reference_year(
    reference: Reference,
    target_year: int,
    baseline_cells: Iterable[int],
    plan_baseline_years: Iterable[int],
) -> int:
    """The year a relative target refers to."""
    if isinstance(reference, int):
        return reference
    if reference == "previous":
        return target_year - 1
    for years in (baseline_cells, plan_baseline_years):
        before = [year for year in years if year < target_year]
        if before:
            return max(before)
    return target_year - 1
