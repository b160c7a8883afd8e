"""Plan evaluation: what each indicator's result carries, and how a plan is judged whole."""

from __future__ import annotations

import datetime as dt
import importlib.util
import pickle
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.errors import Message
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan, validate_plan


def plan_of(*indicators: Indicator, title: str = "p") -> Plan:
    """A plan of one group holding ``indicators``."""
    return Plan(title, groups=(Group("G", "group", Decimal(1), indicators),))


def indicator(code: str, formula: str | None = None, **fields: object) -> Indicator:
    weight = fields.pop("weight", Decimal(1))
    return Indicator(code, f"name of {code}", weight, formula, **fields)  # type: ignore[arg-type]


def test_a_result_carries_its_verdict_so_nobody_parses_again() -> None:
    plan = plan_of(
        indicator(
            "SHARE",
            "EVASE / RICEVUTE",
            unit="%",
            weight=Decimal("0.5"),
            baselines={2023: "72,10 %", 2024: "n.d."},
            targets={2025: "Aumento del 10% rispetto al 2023"},
        ),
        indicator(
            "DAYS",
            weight=Decimal("0.5"),
            unit="gg",
            baselines={2024: "20 gg"},
            targets={2025: "<= 15 gg"},
        ),
    )
    data = {
        ("EVASE", 2025): 80,
        ("RICEVUTE", 2025): 100,
        ("EVASE", 2023): 70,
        ("RICEVUTE", 2023): 100,
        ("DAYS", 2025): 12,
    }
    results = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    share, days = results["SHARE"], results["DAYS"]
    assert share.outcome is not None and days.outcome is not None
    assert share.parsed_target == kf.parse_target("Aumento del 10% rispetto al 2023")
    # the reference is the indicator's own value of 2023, and the threshold 10 % above it
    assert share.outcome.baseline == Decimal("0.7")
    assert share.threshold == Decimal("0.77")
    assert share.met is True and share.achievement == 1
    assert share.baselines == {2023: Decimal("0.7210"), 2024: kf.ND}
    assert days.threshold == Decimal(15) and days.outcome.actual == Decimal(12)
    assert days.baselines == {2024: Decimal(20)}
    # plain values: equal when rebuilt, and pickled whole
    assert pickle.loads(pickle.dumps(share)) == share


def test_a_deadline_carries_its_date_and_an_unjudged_indicator_no_outcome() -> None:
    plan = plan_of(
        indicator("M", "MILESTONE", weight=Decimal("0.5"), targets={2025: "Entro 31-12-2025"}),
        indicator("FREE", weight=Decimal("0.5")),
    )
    data = {("MILESTONE", 2025): dt.date(2025, 6, 30), ("FREE", 2025): 3}
    results = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    assert results["M"].threshold == dt.date(2025, 12, 31) and results["M"].met is True
    assert results["FREE"].outcome is None and results["FREE"].threshold is None
    assert results["FREE"].parsed_target is None


def test_a_numeric_code_that_names_an_indicator_is_computed_before_its_readers() -> None:
    # listed first, X reads the indicator 401.50 through a number-looking token
    plan = plan_of(
        indicator("X", "401.50 * 2", weight=Decimal("0.5")),
        indicator("401.50", "A / B", weight=Decimal("0.5")),
    )
    results = {r.id: r for r in evaluate_plan(plan, {"A": 1, "B": 4}, year=2025).indicators}
    assert results["X"].value == Decimal("0.5"), results["X"].reasons


def test_a_bare_code_in_the_data_is_a_value_of_the_evaluation_year_only() -> None:
    # B is an input; A reads B's prior year, which the data does not hold
    plan = plan_of(
        indicator("A", "B-1 + 1", weight=Decimal("0.5")), indicator("B", weight=Decimal("0.5"))
    )
    results = {r.id: r for r in evaluate_plan(plan, {"B": 5}, year=2025).indicators}
    assert results["B"].value == 5
    assert results["A"].value is kf.ND
    assert results["A"].reasons == ("B@2024 is N/D",)


@st.composite
def chained_plans(draw: st.DrawFn) -> tuple[Plan, dict[tuple[str, int], object]]:
    """Small plans whose indicators read later ones, in their own and prior years,
    beside drivers and numbers; and sparse data for them, N/D and zeros among it."""
    size = draw(st.integers(2, 6))
    indicators = []
    for k in range(size):
        later = [f"I{j}" for j in range(k + 1, size)]
        operands = st.one_of(
            st.sampled_from([*later, "D0", "D1"]).flatmap(
                lambda code: st.sampled_from([code, f"{code}-1", f"{code}-2"])
            ),
            st.integers(1, 9).map(str),
        )
        if not later or draw(st.integers(0, 4)) == 0:
            formula = None
        else:
            terms = draw(st.lists(operands, min_size=1, max_size=4))
            signs = draw(
                st.lists(st.sampled_from("+-*/"), min_size=len(terms), max_size=len(terms))
            )
            formula = terms[0] + "".join(
                f" {sign} {term}" for sign, term in zip(signs[1:], terms[1:], strict=True)
            )
        indicators.append(
            indicator(f"I{k}", formula, weight=Decimal(1) / size, targets={2025: ">= 1"})
        )
    codes = [f"I{k}" for k in range(size)] + ["D0", "D1"]
    # each code held for some years: mostly numbers, some N/D (-1), a zero now and then
    data: dict[tuple[str, int], object] = {}
    for code in codes:
        for year in sorted(draw(st.sets(st.integers(2018, 2025)))):
            cell = draw(st.integers(-1, 20))
            data[(code, year)] = None if cell == -1 else cell
    return plan_of(*indicators), data


def oracle(
    plan: Plan, data: dict[tuple[str, int], object], year: int, on_missing: str
) -> dict[str, object]:
    """Each indicator's value, the plain way: every slot its formula reads computed
    first (recursion is fine at this size), then kf.evaluate on the data and them.
    An input, and an indicator whose formula names one driver, are read from the
    data as they stand (N/D when absent, whatever the policy: a milestone may be a
    date)."""
    indicators = plan.indicators()
    memo: dict[tuple[str, int], object] = {}

    def value(code: str, when: int) -> object:
        if (code, when) in memo:
            return memo[(code, when)]
        formula = indicators[code].parsed_formula()
        root = None if formula is None else formula.root
        if formula is None or (
            isinstance(root, kf.Ref) and root.offset == 0 and root.code not in indicators
        ):
            raw = data.get((code if root is None else root.code, when))  # type: ignore[union-attr]
            found: object = kf.ND if raw is None else Decimal(raw)  # type: ignore[arg-type]
        else:
            assert formula is not None
            table: dict[object, object] = dict(data)
            for ref in formula.references:
                if ref.code in indicators and ref.code != code:
                    table[(ref.code, when + ref.offset)] = value(ref.code, when + ref.offset)
            found = kf.evaluate(formula, table, year=when, on_missing=on_missing).value  # type: ignore[arg-type]
        memo[(code, when)] = found
        return found

    return {key: value(key, year) for key in indicators}


@settings(max_examples=80)
@given(chained_plans(), st.sampled_from(["propagate", "zero"]))
def test_values_read_across_years_match_the_plain_way(
    drawn: tuple[Plan, dict[tuple[str, int], object]], on_missing: str
) -> None:
    plan, data = drawn
    evaluation = evaluate_plan(plan, data, year=2025, on_missing=on_missing)  # type: ignore[arg-type]
    assert {r.id: r.value for r in evaluation.indicators} == oracle(plan, data, 2025, on_missing)


def test_prior_years_of_indicators_are_computed_where_the_data_holds_what_they_read() -> None:
    plan = plan_of(
        indicator("I0", "I1-1 + D1-2", weight=Decimal("0.5")),
        indicator("I1", "D0-1 * 2", weight=Decimal("0.5")),
    )
    data = {("D0", 2023): 5, ("D1", 2023): 1, ("D0", 2024): 7}
    by_id = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    assert by_id["I0"].value == 11  # I1 of 2024 (D0 of 2023 × 2) + D1 of 2023
    assert by_id["I1"].value == 14
    # a year whose inputs the data lacks: N/D, naming the indicator read
    by_id = {r.id: r for r in evaluate_plan(plan, data, year=2026).indicators}
    assert by_id["I0"].value is kf.ND and by_id["I1"].value is kf.ND
    assert by_id["I0"].reasons == ("D1@2024 is missing from the data",)


def test_notes_show_numbers_as_people_read_them() -> None:
    plan = plan_of(
        indicator("SHARE", "A / B", unit="%", targets={2025: "+5% rispetto all'anno precedente"})
    )
    data = {("A", 2024): 196, ("B", 2024): 300, ("A", 2025): 70, ("B", 2025): 100}
    (result,) = evaluate_plan(plan, data, year=2025).indicators
    assert result.notes == (
        'target "+5% rispetto all\'anno precedente" judged against its value of 2024 (65,33 %)',
    )
    assert isinstance(result.notes[0], Message) and result.notes[0].values["year"] == 2024


def test_a_relative_target_without_baseline_cells_finds_its_reference_in_the_data() -> None:
    share = indicator(
        "SHARE", "A / B", unit="%", targets={2025: "Aumento del 10% rispetto alla baseline"}
    )
    plan = Plan("p", groups=plan_of(share).groups, baseline_years=(2023, 2024))
    data = {("A", 2024): 60, ("B", 2024): 100, ("A", 2025): 65, ("B", 2025): 100}
    (result,) = evaluate_plan(plan, data, year=2025).indicators
    assert result.outcome is not None and result.outcome.baseline == Decimal("0.6")
    assert result.threshold == Decimal("0.66") and result.met is False
    assert result.notes == (
        "target 'Aumento del 10% rispetto alla baseline' judged against its value of 2024 "
        "(60,00 %)",
    )
    # a plan that names no baseline year at all: the year before the target's, and it says so
    (result,) = evaluate_plan(plan_of(share), data, year=2025).indicators
    assert result.outcome is not None and result.outcome.baseline == Decimal("0.6")
    assert result.notes[0] == (
        "the plan names no baseline year before 2025: the baseline is taken as 2024, "
        "the year before the target's"
    )
    assert any("no baseline year" in p.message for p in validate_plan(plan_of(share)))
    assert not any("no baseline year" in p.message for p in validate_plan(plan))


def test_the_garbage_collector_is_left_as_it_was_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector's state belongs to the host (other threads may rely on it or
    change it meanwhile): an evaluation neither pauses nor freezes it."""
    import gc

    touched: list[str] = []
    for name in ("disable", "enable", "freeze", "unfreeze", "set_threshold"):
        monkeypatch.setattr(gc, name, lambda *_, name=name: touched.append(name))
    plan = plan_of(indicator("A", "B / 0", targets={2025: "not a target"}))
    evaluate_plan(plan, {"B": 1}, year=2025)  # the first call prepares the plan
    evaluate_plan(plan, {"B": 1}, year=2025)
    assert touched == []
    monkeypatch.undo()
    assert gc.isenabled()
    evaluate_plan(plan, {"B": 1}, year=2025)
    assert gc.isenabled()
    with pytest.raises(kf.PlanError):
        evaluate_plan(plan, {}, year=2025, nd_policy="bogus")  # type: ignore[arg-type]
    with pytest.raises(kf.PlanError):
        evaluate_plan(plan_of(indicator("A", "X +")), {}, year=2025)
    assert gc.isenabled()
    gc.disable()
    try:
        evaluate_plan(plan, {"B": 1}, year=2025)
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=300)
@given(kst.value_texts())
def test_baseline_cells_read_fast_as_the_value_grammar_reads_them(text: str) -> None:
    from kpi_formula.plan.prepared import _value

    try:
        expected: object = kf.parse_value(text)
    except kf.KpiFormulaError:
        with pytest.raises(kf.KpiFormulaError):
            _value(text)
        return
    assert _value(text) == expected


def test_a_value_is_judged_in_its_indicators_unit() -> None:
    plan = plan_of(
        indicator("GROWTH", "A / B", unit="%", weight=Decimal("0.4"), targets={2025: ">= 120 %"}),
        indicator("COUNT", weight=Decimal("0.3"), unit="N.", targets={2025: ">= 10"}),
        indicator("WRONG", weight=Decimal("0.3"), unit="N.", targets={2025: "<= 5 gg"}),
    )
    data = {("A", 2025): 150, ("B", 2025): 100, ("COUNT", 2025): 12, ("WRONG", 2025): 3}
    by_id = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    assert by_id["GROWTH"].value == Decimal("1.5") and by_id["GROWTH"].met is True  # 150 %
    assert by_id["COUNT"].met is True  # a bare target has no unit to compare
    # a target in days for a count is not compared as if it were a count
    assert by_id["WRONG"].met is None and by_id["WRONG"].outcome is None
    assert len(by_id["WRONG"].reasons) == 1 and "gg" in by_id["WRONG"].reasons[0]


@settings(max_examples=25, deadline=None)
@given(
    code=st.from_regex(r"[1-9][0-9]{0,3}(\.[0-9]{1,2})?", fullmatch=True),
    engine=st.sampled_from(["python", "duckdb"]),
)
def test_a_reason_writes_the_formula_as_the_plan_does(code: str, engine: str) -> None:
    # a driver with a numeric code (the seed's "50", its firms): the canonical
    # spelling 50[0] is for reading back without the catalog, never for a reader
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    written = f"W * 1000 / {code}"
    plan = Plan(
        "p",
        groups=(Group("G", "group", Decimal(1), (indicator("C", written, unit="N."),)),),
        drivers=(kf.Driver(code, "firms"),),
    )
    evaluation = evaluate_plan(plan, {"W": 200, code: 0}, year=2025, engine=engine)  # type: ignore[arg-type]
    (result,) = evaluation.indicators
    assert result.reasons == (f"division by zero in {written!r} ({code} = 0)",)


@pytest.mark.parametrize(
    ("x", "points", "shown"), [(947, "94,70", "94,70 %"), (1, "0,10", "0,10 %")]
)
def test_the_points_note_gives_the_indicators_own_value(x: int, points: str, shown: str) -> None:
    plan = plan_of(indicator("E", "X / Y * 100", unit="%"))
    (result,) = evaluate_plan(plan, {"X": x, "Y": 1000}, year=2025).indicators
    assert result.notes[0].endswith(f"percentage points ({points} is {shown})"), result.notes
    (result,) = evaluate_plan(plan, {"X": x}, year=2025).indicators  # N/D: no number at all
    assert result.notes[0] == "the formula scales by 100: its value is in percentage points"


def test_the_points_note_is_on_exactly_the_indicators_in_points() -> None:
    plan = plan_of(
        indicator("E", "X / Y * 100", unit="%"),
        indicator("F", "X / Y", unit="%"),
        indicator("G", "X * 100", unit="N."),
    )
    results = {r.id: r for r in evaluate_plan(plan, {"X": 5, "Y": 10}, year=2025).indicators}
    points = "the formula scales by 100"
    assert [r.id for r in results.values() if any(points in n for n in r.notes)] == ["E"]
    assert results["E"].value == Decimal("0.5") and results["F"].value == Decimal("0.5")


def test_a_per_mille_indicator_in_points_is_judged_as_the_share_it_is() -> None:
    # the ‰ twin of ``X / Y * 100`` in %: 54,24 per-mille points are 54,24 ‰
    plan = plan_of(
        indicator("R", "A / B * 1000", unit="‰", targets={2025: "<= 60 ‰"}),
        indicator("S", "A / B", unit="‰", targets={2025: "<= 60 ‰"}),
        indicator("T", "R * 2", unit="‰"),  # reads the share, not the points
    )
    data = {"A": Decimal(5424), "B": Decimal(100000)}
    engines: list[str] = ["python"]
    if importlib.util.find_spec("duckdb") is not None:
        engines.append("duckdb")
    for engine in engines:
        results = {
            r.id: r
            for r in evaluate_plan(plan, data, year=2025, engine=engine).indicators  # type: ignore[arg-type]
        }
        for key, share in (("R", "0.05424"), ("S", "0.05424"), ("T", "0.10848")):
            value = results[key].value
            assert isinstance(value, Decimal), engine
            # exactly in Python; DuckDB computes in doubles, to 15 significant digits
            assert abs(value - Decimal(share)) <= Decimal("1E-15"), (engine, key, value)
        assert results["R"].met is True and results["S"].met is True, engine
        assert results["R"].notes[0] == (
            "the formula scales by 1000: its value is in per-mille points (54,24 is 54,24 ‰)"
        ), engine
        assert not results["S"].notes and not results["T"].notes, engine
    if importlib.util.find_spec("polars") is not None:  # and in columns
        import polars

        from kpi_formula.plan.frame import evaluate_plan_frame

        frame = polars.DataFrame({"year": [2025], "A": [5424.0], "B": [100000.0]})
        row = evaluate_plan_frame(plan, frame).row(0, named=True)
        assert [round(row[key], 12) for key in "RST"] == [0.05424, 0.05424, 0.10848]


def test_the_points_note_at_the_exponent_limit_says_no_figure() -> None:
    plan = plan_of(indicator("E", "X * 100", unit="%"))
    huge = Decimal("9.99999999999999999999999999999E+999997")  # rounds up, divided by 100
    (result,) = evaluate_plan(plan, {"X": huge}, year=2025).indicators
    assert result.notes[0] == "the formula scales by 100: its value is in percentage points"


def test_a_hundred_the_plan_declares_a_driver_is_no_scale() -> None:
    plan = Plan(
        "p",
        groups=(Group("G", "group", Decimal(1), (indicator("E", "A * 100", unit="%"),)),),
        drivers=(kf.Driver("100", "a count"), kf.Driver("A", "a share")),
    )
    data = {"A": Decimal("0.5"), "100": Decimal(1)}
    for engine in ("python", "duckdb"):
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        (result,) = evaluate_plan(plan, data, year=2025, engine=engine).indicators
        assert result.value == Decimal("0.5"), engine  # A times the driver 100, not points
        assert not result.notes, engine


@pytest.mark.parametrize(
    ("scoring", "plain", "relative"),
    [
        (kf.PROPORTIONAL, Decimal(10) / Decimal(12), Decimal(10) / Decimal(11)),
        (kf.BINARY, Decimal(0), Decimal(0)),
        # the range of evaluation: 0,8333 of the way from 0,7 to 0,9; 0,909 is past it
        (kf.RangeScoring(), (Decimal(10) / Decimal(12) - Decimal("0.7")) / Decimal("0.2"), None),
    ],
)
def test_the_plans_scoring_rule_scores_every_missed_target(
    scoring: kf.Scoring, plain: Decimal, relative: Decimal | None
) -> None:
    """The rule given to ``evaluate_plan`` scores a missed target, whether it
    compares with a number or with the value of a year before."""
    plan = plan_of(
        indicator("PLAIN", targets={2025: ">= 12"}, weight=Decimal("0.5")),
        indicator("REL", targets={2025: "Aumento del 10% rispetto al 2024"}, weight=Decimal("0.5")),
    )
    data = {("PLAIN", 2025): 10, ("REL", 2025): 10, ("REL", 2024): 10}
    results = evaluate_plan(plan, data, year=2025, scoring=scoring).indicators
    achieved = {result.code: result.achievement for result in results}
    assert {result.met for result in results} == {False}
    assert achieved["PLAIN"] == pytest.approx(plain, abs=Decimal("1e-25"))
    if relative is None:
        assert achieved["REL"] == Decimal("0.999")  # past the ceiling, but missed
    else:
        assert achieved["REL"] == pytest.approx(relative, abs=Decimal("1e-25"))


@pytest.mark.parametrize(("value", "met"), [(9, True), (10, True), (11, False)])
def test_keeping_a_falling_indicator_is_staying_at_most_where_it_was(value: int, met: bool) -> None:
    """*Mantenimento* of days to answer (lower is better) is met at or below
    last year's value and missed above it, as the indicator's direction says."""
    plan = plan_of(indicator("GG", targets={2025: "Mantenimento"}, direction="lower"))
    data = {("GG", 2025): value, ("GG", 2024): 10}
    (result,) = evaluate_plan(plan, data, year=2025).indicators
    assert result.met is met


def test_a_relative_target_says_which_reference_it_was_judged_against() -> None:
    """The note names the year and amount, and whether it is the indicator's
    own value of that year or, without one, the baseline the plan writes."""
    plan = plan_of(
        indicator(
            "X", targets={2025: "Aumento del 10% rispetto al 2024"}, baselines={2024: "10"}
        )
    )
    (from_baseline,) = evaluate_plan(plan, {("X", 2025): 12}, year=2025).indicators
    assert from_baseline.notes == (
        "target 'Aumento del 10% rispetto al 2024' judged against its baseline 2024 (10)",
    )
    data = {("X", 2025): 12, ("X", 2024): 11}
    (from_value,) = evaluate_plan(plan, data, year=2025).indicators
    assert from_value.notes == (
        "target 'Aumento del 10% rispetto al 2024' judged against its value of 2024 (11)",
    )


def test_a_target_that_cannot_judge_the_value_says_which_and_why() -> None:
    plan = plan_of(indicator("Y", targets={2025: ">= 5 €"}, unit="gg"))
    (result,) = evaluate_plan(plan, {("Y", 2025): 3}, year=2025).indicators
    assert (result.met, result.achievement) == (None, None)
    assert result.reasons == ("target '>= 5 €': the value is in gg but the target is in €",)


def test_an_unknown_nd_policy_is_named_with_the_known_ones() -> None:
    plan = plan_of(indicator("Y", targets={2025: ">= 5"}))
    with pytest.raises(kf.KpiFormulaError) as caught:
        evaluate_plan(plan, {("Y", 2025): 3}, year=2025, nd_policy="ignore")  # type: ignore[arg-type]
    assert caught.value.reason == "unknown N/D policy 'ignore'"
    assert caught.value.hint == "use 'renormalise' or 'zero'"


@pytest.mark.parametrize(("policy", "score"), [("renormalise", "0.8"), ("zero", "0.4")])
def test_a_whole_area_nd_is_shared_out_or_counted_as_0_in_the_plans_score(
    policy: str, score: str
) -> None:
    """The plan's own score follows the N/D policy as its groups do: an area
    whose every indicator is N/D leaves its weight to the others, or scores 0."""
    plan = Plan(
        "p",
        groups=(
            Group("G1", "first", Decimal("0.5"), (indicator("A", targets={2025: ">= 10"}),)),
            Group("G2", "second", Decimal("0.5"), (indicator("B", targets={2025: ">= 10"}),)),
        ),
    )
    data = {("A", 2025): 8, ("B", 2025): kf.ND}
    evaluation = evaluate_plan(plan, data, year=2025, nd_policy=policy)  # type: ignore[arg-type]
    assert evaluation.score == Decimal(score)


@pytest.mark.parametrize(("policy", "value"), [("propagate", kf.ND), ("zero", Decimal(8))])
def test_a_missing_input_propagates_or_counts_as_0_as_the_plan_is_asked(
    policy: str, value: object
) -> None:
    plan = plan_of(indicator("C", "A1 + B1", targets={2025: ">= 10"}))
    data = {("A1", 2025): 8}
    (result,) = evaluate_plan(plan, data, year=2025, on_missing=policy).indicators  # type: ignore[arg-type]
    assert result.value == value


@pytest.mark.parametrize(
    ("option", "reason", "hint"),
    [
        ({"engine": "spark"}, "unknown engine 'spark'", "use 'python' or 'duckdb'"),
        ({"on_missing": "skip"}, "unknown on_missing policy 'skip'", "use 'propagate' or 'zero'"),
    ],
)
def test_an_unknown_option_is_named_with_the_known_ones(
    option: dict[str, str], reason: str, hint: str
) -> None:
    plan = plan_of(indicator("Y", targets={2025: ">= 5"}))
    with pytest.raises(kf.KpiFormulaError) as caught:
        evaluate_plan(plan, {("Y", 2025): 3}, year=2025, **option)  # type: ignore[arg-type]
    assert (caught.value.reason, caught.value.hint) == (reason, hint)
