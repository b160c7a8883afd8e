"""Every kind of target held to the independent judge (``tests/judge.py``).

Target specs are drawn as structured data — every kind, every comparison,
positive, negative and zero thresholds, percentages and per mille, directions,
relative targets on positive, negative and zero references, dates around
deadlines — and written as a document writes them, by this test's own writer.
The library reads each text with ``kf.parse_target`` and builds the same target
with its constructor; both must give the judge's verdict on random values:
``met`` equal, ``achievement`` within the division's precision (28 significant
digits), the threshold worked out equal, and a refusal where the judge refuses.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf

from . import judge as J  # noqa: N812 - the judge's verdicts read J.judge(...)
from .judge import Op, Unit

UNITS: tuple[Unit | None, ...] = (None, "%", "‰", "N.", "gg", "€")
OPS: tuple[Op | None, ...] = (None, ">=", "<=", ">", "<", "=")
SCALE = {"%": 100, "‰": 1000}
MONTHS = (
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
)


# ----------------------------------------------------------------------------- writing


def italian(amount: Fraction) -> str:
    """An exact decimal written the Italian way: ``-1.234,5``."""
    text = str(Decimal(amount.numerator) / Decimal(amount.denominator))  # exact: drawn decimals
    assert "E" not in text, text
    sign = "-" if text.startswith("-") else ""
    whole, _, decimals = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    grouped = ".".join([whole, *groups])
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


def written(amount: Fraction, unit: Unit | None) -> str:
    """An amount with its unit as documents write it (a percentage in points)."""
    if unit is None:
        return italian(amount)
    return f"{italian(amount * SCALE.get(unit, 1))} {unit}"


def as_decimal(amount: Fraction) -> Decimal:
    return Decimal(amount.numerator) / Decimal(amount.denominator)


# ----------------------------------------------------------------------------- drawing


def amounts(unit: Unit | None) -> st.SearchStrategy[Fraction]:
    """Amounts stored as the unit stores them, up to two decimals as written."""
    scale = SCALE.get(unit or "", 1)
    written_amounts = st.one_of(
        st.integers(-200, 200),
        st.integers(-(10**6), 10**6),
        st.sampled_from([0, 1, -1, 100, 9000]),
    ).flatmap(lambda whole: st.sampled_from([Fraction(whole), Fraction(whole, 100)]))
    return written_amounts.map(lambda amount: amount / scale)


@dataclass(frozen=True)
class Drawn:
    """A target as data, its text, and how to build it with the constructor."""

    spec: J.Spec
    text: str
    target: kf.Target


COMPARISON_WORDS: dict[Op, tuple[str, ...]] = {
    ">=": (">=", "=>", "≥", "almeno", "maggiore o uguale a", "non meno di", "non inferiore a"),
    "<=": ("<=", "=<", "≤", "non oltre", "al massimo", "non superiore a", "fino a"),
    ">": (">", "superiore a", "maggiore di", "più di"),
    "<": ("<", "inferiore a", "minore di", "meno di"),
    "=": ("=", "pari a", "uguale a"),
}


@st.composite
def comparisons(draw: st.DrawFn) -> Drawn:
    unit = draw(st.sampled_from(UNITS))
    threshold = draw(amounts(unit))
    op = draw(st.sampled_from(OPS))
    amount = written(threshold, unit)
    text = amount if op is None else f"{draw(st.sampled_from(COMPARISON_WORDS[op]))} {amount}"
    quantity = kf.Quantity(as_decimal(threshold), unit)
    target = kf.Target(op or ">=", threshold=quantity, implied=op is None)
    return Drawn(J.Comparison(op, threshold, unit), text, target)


@st.composite
def ranges(draw: st.DrawFn) -> Drawn:
    unit = draw(st.sampled_from(UNITS))
    lower, upper = sorted(draw(st.lists(amounts(unit), min_size=2, max_size=2, unique=True)))
    low, high = written(lower, unit), written(upper, unit)
    forms = [f"tra {low} e {high}", f"da {low} a {high}", f"compreso tra {low} e {high}"]
    if lower >= 0:
        forms.append(f"{low} - {high}")
    text = draw(st.sampled_from(forms))
    target = kf.Target(
        "tra",
        threshold=kf.Quantity(as_decimal(lower), unit),
        upper=kf.Quantity(as_decimal(upper), unit),
    )
    return Drawn(J.Range(lower, upper, unit), text, target)


@st.composite
def yes_no(draw: st.DrawFn) -> Drawn:
    yes = draw(st.booleans())
    text = draw(st.sampled_from(["SI", "Sì", "Realizzato", "Adottato"] if yes else ["NO"]))
    target = kf.Target("=", threshold=kf.Quantity(Decimal(int(yes)), J.YES_NO))
    return Drawn(J.YesNo(yes), text, target)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@st.composite
def deadlines(draw: st.DrawFn) -> Drawn:
    year = draw(st.integers(2020, 2030))
    form = draw(st.sampled_from(["date", "month", "year", "semester", "quarter"]))
    if form == "date":
        date = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
        text = draw(
            st.sampled_from(
                [
                    f"Entro {date:%d-%m-%Y}",
                    f"entro il {date:%d/%m/%Y}",
                    f"entro il {date.day} {MONTHS[date.month - 1]} {date.year}",
                    f"{date:%d.%m.%Y}",
                ]
            )
        )
    elif form == "month":
        month = draw(st.integers(1, 12))
        date, text = _last_day(year, month), f"entro {MONTHS[month - 1]} {year}"
    elif form == "year":
        date, text = dt.date(year, 12, 31), f"entro il {year}"
    elif form == "semester":
        half = draw(st.sampled_from([1, 2]))
        date = _last_day(year, 6 * half)
        text = f"entro il {['primo', 'secondo'][half - 1]} semestre {year}"
    else:
        quarter = draw(st.integers(1, 4))
        date = _last_day(year, 3 * quarter)
        text = f"entro il {['primo', 'secondo', 'terzo', 'quarto'][quarter - 1]} trimestre {year}"
    return Drawn(J.Deadline(date), text, kf.Target("entro", threshold=date))


INEQUALITIES: tuple[Op, ...] = (">=", "<=", ">", "<")
ABSOLUTE_UNITS: tuple[Unit, ...] = ("N.", "gg", "€")
MAINTAIN: tuple[tuple[J.Reference, str], ...] = (
    ("baseline", "Mantenimento"),
    ("previous", "mantenimento del valore dell'anno precedente"),
)
REFERENCES: tuple[tuple[J.Reference, str], ...] = (
    ("baseline", "rispetto alla baseline"),
    ("previous", "rispetto all'anno precedente"),
    (2023, "rispetto al 2023"),
)


@st.composite
def relatives(draw: st.DrawFn) -> Drawn:
    reference: J.Reference
    reference, words = draw(st.sampled_from(REFERENCES))
    spec: J.Relative
    unit: Unit
    form = draw(st.sampled_from(["percent", "absolute", "further", "maintain", "compare"]))
    if form == "percent":
        points = draw(st.sampled_from([Fraction(p) for p in (1, 5, 10, 20, 50, 100, 150)]))
        points += draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(37, 100)]))
        up = draw(st.booleans())
        shown = italian(points)
        text = draw(
            st.sampled_from(
                [
                    f"Aumento del {shown}% {words}",
                    f"Incremento del {shown} % {words}",
                    f"+{shown}% {words}",
                ]
                if up
                else [f"Riduzione del {shown}% {words}", f"-{shown} % {words}"]
            )
        )
        change = points / 100 if up else -points / 100
        spec = J.Relative(">=" if up else "<=", change, True, reference)
        amount = kf.Quantity(as_decimal(change), "%")
    elif form in ("absolute", "further"):
        unit = draw(st.sampled_from(ABSOLUTE_UNITS))
        size = draw(amounts(unit).filter(lambda amount: amount > 0))
        up = form == "further" or draw(st.booleans())
        shown = written(size, unit)
        if form == "further":
            reference, text = "previous", f"ulteriori {italian(size)} imprese"
            unit = "N."
        elif up:
            text = draw(st.sampled_from([f"Aumento di {shown} {words}", f"+{shown} {words}"]))
        else:
            text = draw(st.sampled_from([f"Riduzione di {shown} {words}", f"-{shown} {words}"]))
        change = size if up else -size
        spec = J.Relative(">=" if up else "<=", change, False, reference, unit)
        amount = kf.Quantity(as_decimal(change), unit)
    elif form == "maintain":
        reference, text = draw(st.sampled_from(MAINTAIN))
        spec = J.Relative(None, Fraction(0), True, reference)
        amount = kf.Quantity(Decimal(0), "%")
    else:
        op = draw(st.sampled_from(INEQUALITIES))
        if draw(st.booleans()):
            reference, text = 2023, f"{op} valore del 2023"
        else:
            reference, text = "previous", f"{op} valore anno precedente"
        spec = J.Relative(op, Fraction(0), True, reference)
        amount = kf.Quantity(Decimal(0), "%")
    target = kf.Target(
        spec.op or ">=",
        change=kf.Change(amount, spec.reference),
        implied=spec.op is None,
    )
    return Drawn(spec, text, target)


def targets() -> st.SearchStrategy[Drawn]:
    return st.one_of(comparisons(), ranges(), yes_no(), deadlines(), relatives())


DIRECTIONS: dict[str, J.Direction | None] = {
    "higher": "higher",
    "lower": "lower",
    "crescente": "higher",
    "decrescente": "lower",
    "↑": "higher",
    "↓": "lower",
}


def rules() -> st.SearchStrategy[tuple[J.Rule, kf.Scoring]]:
    hundredths = st.lists(st.integers(0, 100), min_size=2, max_size=2, unique=True).map(sorted)
    ranged = hundredths.map(
        lambda pair: (
            J.RangeRule(Fraction(pair[0], 100), Fraction(pair[1], 100)),
            kf.RangeScoring(Decimal(pair[0]) / 100, Decimal(pair[1]) / 100),
        )
    )
    return st.one_of(
        st.just((J.Proportional(), kf.PROPORTIONAL)),
        st.just((J.Binary(), kf.BINARY)),
        st.just((J.RangeRule(), kf.RangeScoring())),
        ranged,
    )


def near(centre: Fraction, unit: Unit | None) -> st.SearchStrategy[Fraction]:
    """Values on, beside and far from ``centre``, as the unit stores them."""
    step = Fraction(1, 100 * SCALE.get(unit or "", 1))
    return st.one_of(
        st.integers(-3, 3).map(lambda k: centre + k * step),
        st.integers(-3, 3).map(lambda k: centre + k * 100 * step),
        st.sampled_from([Fraction(0), -centre, 2 * centre, centre / 2]),
        amounts(unit),
    )


@dataclass(frozen=True)
class Given:
    """A value as handed to ``check`` and as the judge reads it."""

    passed: object
    amount: Fraction
    unit: Unit | None


@st.composite
def values_for(draw: st.DrawFn, amount: Fraction, unit: Unit | None) -> Given:
    """``amount`` handed over as a Decimal, a Quantity or document text, mostly in
    the unit asked for, sometimes in another or none."""
    shown_unit = draw(
        st.one_of(st.just(unit), st.just(unit), st.just(None), st.sampled_from(UNITS))
    )
    form = draw(st.sampled_from(["decimal", "quantity", "text"]))
    if shown_unit is None:
        passed: object = as_decimal(amount) if form != "text" else italian(amount)
    elif form == "text" and shown_unit != J.YES_NO:
        passed = written(amount, shown_unit)
    else:
        passed = kf.Quantity(as_decimal(amount), shown_unit)
    return Given(passed, amount, shown_unit)


# ----------------------------------------------------------------------------- checking


def tolerance(rule: J.Rule) -> Fraction:
    """How far an achievement may lie from the exact one: a quotient rounded to 28
    significant digits, stretched by a range of evaluation's slope."""
    slope = 1 / (rule.ceiling - rule.floor) if isinstance(rule, J.RangeRule) else Fraction(1)
    return Fraction(1, 10**27) * (2 + slope)


def assert_agrees(outcome: kf.Outcome, verdict: J.Verdict, rule: J.Rule, spec: J.Spec) -> None:
    assert outcome.met is verdict.met, (outcome, verdict)
    if verdict.achievement is None:
        assert outcome.achievement is None
        return
    assert outcome.achievement is not None
    if verdict.met:
        assert outcome.achievement == 1
    else:
        assert outcome.achievement <= Decimal("0.999")
        assert abs(Fraction(outcome.achievement) - verdict.achievement) <= tolerance(rule), (
            outcome,
            verdict,
        )
    if isinstance(spec, J.Comparison | J.Relative) and verdict.threshold is not None:
        assert outcome.threshold is not None
        assert Fraction(outcome.threshold) == verdict.threshold


def judged(
    drawn: Drawn,
    given: Given,
    reference: Given | None,
    direction: str | None,
    rule: tuple[J.Rule, kf.Scoring],
) -> None:
    """Both the text's target and the constructed one against the judge."""
    spec = drawn.spec
    expected: J.Verdict | type[Exception]
    try:
        amount = J.in_unit(given.amount, given.unit, spec)
        base = None if reference is None else J.in_unit(reference.amount, reference.unit, spec)
        expected = J.judge(
            spec,
            amount,
            reference=base,
            direction=None if direction is None else DIRECTIONS[direction],
            rule=rule[0],
        )
    except J.UnitRefused:
        expected = kf.UnitMismatchError
    except J.ZeroReference:
        expected = kf.ZeroBaselineError
    for target in (kf.parse_target(drawn.text), drawn.target):
        baseline = None if reference is None else reference.passed
        if isinstance(expected, type):
            with pytest.raises(expected):
                target.check(given.passed, baseline=baseline, direction=direction, scoring=rule[1])
            continue
        outcome = target.check(
            given.passed, baseline=baseline, direction=direction, scoring=rule[1]
        )
        assert_agrees(outcome, expected, rule[0], spec)


def _centre(spec: J.Spec) -> Fraction:
    if isinstance(spec, J.Comparison):
        return spec.threshold
    if isinstance(spec, J.Range):
        return spec.lower if spec.lower else spec.upper
    return Fraction(1) if isinstance(spec, J.YesNo) and spec.yes else Fraction(0)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=400)
@given(st.data(), st.one_of(comparisons(), ranges(), yes_no()))
def test_comparisons_ranges_and_yes_no_follow_the_judge(
    st_data: st.DataObject, drawn: Drawn
) -> None:
    spec = drawn.spec
    unit = J.spec_unit(spec)
    amount = st_data.draw(
        st.sampled_from([Fraction(0), Fraction(1)])
        if unit == J.YES_NO
        else near(_centre(spec), unit)
    )
    given_value = st_data.draw(values_for(amount, unit))
    direction = st_data.draw(st.sampled_from([None, *DIRECTIONS]))
    judged(drawn, given_value, None, direction, st_data.draw(rules()))


@settings(max_examples=200)
@given(st.data(), deadlines())
def test_deadlines_follow_the_judge(st_data: st.DataObject, drawn: Drawn) -> None:
    assert isinstance(drawn.spec, J.Deadline)
    deadline = drawn.spec.date
    actual = st_data.draw(
        st.one_of(
            st.integers(-2, 2).map(lambda days: deadline + dt.timedelta(days=days)),
            st.dates(dt.date(2019, 1, 1), dt.date(2031, 12, 31)),
        )
    )
    passed = st_data.draw(st.sampled_from([actual, f"{actual:%d-%m-%Y}", f"{actual:%d/%m/%Y}"]))
    rule = st_data.draw(rules())
    expected = J.judge(drawn.spec, actual, rule=rule[0])
    for target in (kf.parse_target(drawn.text), drawn.target):
        assert target.kind == "deadline"
        assert target.threshold == deadline
        assert_agrees(target.check(passed, scoring=rule[1]), expected, rule[0], drawn.spec)


@settings(max_examples=400)
@given(st.data(), relatives())
def test_relative_targets_follow_the_judge(st_data: st.DataObject, drawn: Drawn) -> None:
    spec = drawn.spec
    assert isinstance(spec, J.Relative)
    unit = st_data.draw(st.sampled_from(UNITS)) if spec.percent else spec.unit
    reference = st_data.draw(
        st.one_of(st.sampled_from([Fraction(0), Fraction(-50), Fraction(1500)]), amounts(unit))
    )
    try:
        centre = J.relative_threshold(spec, reference)
    except J.ZeroReference:
        centre = Fraction(0)
    amount = st_data.draw(near(centre, unit))
    given_value = st_data.draw(values_for(amount, unit))
    # the reference is handed over as the value is: the same unit, or none
    passed_reference: object = as_decimal(reference)
    if given_value.unit is not None:
        passed_reference = kf.Quantity(as_decimal(reference), given_value.unit)
    base = Given(passed_reference, reference, given_value.unit)
    direction = st_data.draw(st.sampled_from([None, *DIRECTIONS]))
    judged(drawn, given_value, base, direction, st_data.draw(rules()))


@given(relatives())
def test_relative_targets_read_their_change_and_reference(drawn: Drawn) -> None:
    """The text says the change, its direction and its reference: the target
    read from it is the one the constructor builds from the judge's data."""
    target = kf.parse_target(drawn.text)
    assert target.kind == "relative"
    assert target.needs_baseline
    assert target.change is not None
    assert drawn.target.change is not None
    assert target.change.reference == drawn.target.change.reference
    assert Fraction(target.change.amount.amount) == Fraction(drawn.target.change.amount.amount)
    assert target.change.relative == drawn.target.change.relative
    assert (target.comparison, target.implied) == (
        drawn.target.comparison,
        drawn.target.implied,
    )
    with pytest.raises(kf.BaselineRequiredError):
        target.check(Decimal(1))


@given(targets())
def test_n_d_is_never_a_verdict(drawn: Drawn) -> None:
    for target in (kf.parse_target(drawn.text), drawn.target):
        outcome = target.check(kf.ND, baseline=Decimal(1) if target.needs_baseline else None)
        assert (outcome.met, outcome.achievement) == (None, None)
        if target.needs_baseline:
            actual = Decimal("0.5")
            outcome = target.check(actual, baseline=kf.ND)
            assert (outcome.met, outcome.achievement) == (None, None)


# ----------------------------------------------------------------------------- README's examples


PROPORTIONAL = J.Proportional()


def F(text: str) -> Fraction:  # noqa: N802 - reads like a literal
    return Fraction(Decimal(text))


@dataclass(frozen=True)
class Example:
    """One of README's worked examples: a target, a value (and reference), the verdict."""

    text: str
    spec: J.Spec
    actual: str
    met: bool
    achievement: Fraction
    reference: str | None = None
    direction: J.Direction | None = None
    rule: J.Rule = PROPORTIONAL


AT_LEAST_1100 = J.Comparison(">=", F("1100"), "N.")
AHEAD_19_DAYS = J.Comparison("<=", F("-19"), "gg")
AT_LEAST_98 = J.Comparison(">=", F("0.98"), "%")
BARE_25 = J.Comparison(None, F("25"))
BETWEEN_70_90 = J.Range(F("0.7"), F("0.9"), "%")
README_EXAMPLES = [
    Example(">= 1.100 N.", AT_LEAST_1100, "1.136 N.", True, Fraction(1)),
    Example("<= -19 gg", AHEAD_19_DAYS, "-24,31 gg", True, Fraction(1)),
    Example("<= -19 gg", AHEAD_19_DAYS, "-10 gg", False, Fraction(10, 19)),
    Example("<= -19 gg", AHEAD_19_DAYS, "0 gg", False, Fraction(0)),
    Example(">= 98,00 %", AT_LEAST_98, "90,32 %", False, F("0.9032") / F("0.98")),
    Example(">= 98,00 %", AT_LEAST_98, "90,32 %", False, F("0.999"), rule=J.RangeRule()),
    Example("25", BARE_25, "25,7", False, F("25") / F("25.7"), direction="lower"),
    Example("25", BARE_25, "25,7", True, Fraction(1)),
    Example("> 100", J.Comparison(">", F("100")), "100", False, F("0.999")),
    Example("tra 70% e 90%", BETWEEN_70_90, "63 %", False, F("0.9")),
    Example("tra 70% e 90%", BETWEEN_70_90, "100 %", False, F("0.9")),
    Example(
        "Aumento del 20% rispetto alla baseline",
        J.Relative(">=", F("0.2"), True),
        "1.750 N.",
        False,
        Fraction(1750, 1800),
        reference="1.500 N.",
    ),
    Example(
        "Aumento del 10% rispetto alla baseline",
        J.Relative(">=", F("0.1"), True),
        "-45",
        True,
        Fraction(1),
        reference="-50",
    ),
    Example(
        "Riduzione del 10% rispetto alla baseline",
        J.Relative("<=", F("-0.1"), True),
        "-45",
        False,
        Fraction(45, 55),
        reference="-50",
    ),
    Example(
        "+5 % rispetto al 2024",
        J.Relative(">=", F("0.05"), True, 2024),
        "63 %",
        True,
        Fraction(1),
        reference="60 %",
    ),
    Example("Mantenimento", J.Relative(None, F("0"), True), "0", True, Fraction(1), reference="0"),
]


@pytest.mark.parametrize("example", README_EXAMPLES, ids=lambda example: example.text)
def test_readme_examples_agree_with_the_judge_and_the_library(example: Example) -> None:
    """README's worked examples: the judge gives them (so it reads README as
    written), and so does the library."""
    value = kf.parse_value(example.actual)
    base = None if example.reference is None else kf.parse_value(example.reference)
    assert isinstance(value, kf.Quantity)
    verdict = J.judge(
        example.spec,
        Fraction(value.amount),
        reference=Fraction(base.amount) if isinstance(base, kf.Quantity) else None,
        direction=example.direction,
        rule=example.rule,
    )
    assert (verdict.met, verdict.achievement) == (example.met, example.achievement)
    scoring = kf.RangeScoring() if isinstance(example.rule, J.RangeRule) else kf.PROPORTIONAL
    outcome = kf.parse_target(example.text).check(
        example.actual, baseline=example.reference, direction=example.direction, scoring=scoring
    )
    assert_agrees(outcome, verdict, example.rule, example.spec)


def test_readme_thresholds_of_relative_targets() -> None:
    """README's table: what a relative target asks for on each reference."""
    increase_20, increase_10 = J.Relative(">=", F("0.2"), True), J.Relative(">=", F("0.1"), True)
    reduction_10 = J.Relative("<=", F("-0.1"), True)
    assert J.relative_threshold(increase_20, F("1500")) == 1800
    assert J.relative_threshold(increase_10, F("-50")) == -45
    assert J.relative_threshold(reduction_10, F("-50")) == -55
    assert J.relative_threshold(J.Relative(">=", F("0.05"), True), F("0.6")) == F("0.63")
    assert J.relative_threshold(J.Relative(">=", F("0.1"), True), F("0.7210")) == F("0.7931")
    assert J.relative_threshold(J.Relative(None, F("0"), True), F("0")) == 0
    with pytest.raises(J.ZeroReference):
        J.relative_threshold(increase_10, F("0"))
    with pytest.raises(kf.ZeroBaselineError):
        kf.parse_target("Aumento del 10% rispetto alla baseline").check(5, baseline=0)
    assert J.score(J.RangeRule(), F("0.8")) == F("0.5")
    assert J.judge(J.Deadline(dt.date(2025, 12, 31)), dt.date(2024, 12, 25)).met is True
