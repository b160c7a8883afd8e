"""Plans: the seed imported, saved, evaluated, validated and scored."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.plan.evaluate import dependency_order, evaluate_plan
from kpi_formula.plan.model import Area, Indicator, OperationalObjective, Plan, StrategicObjective
from kpi_formula.plan.planfile import dump_plan, load_plan, read_plan
from kpi_formula.plan.report import ImportReport, import_report, read_report
from kpi_formula.plan.validate import validate_plan

from .conftest import EXAMPLES, SEED, seed_formulas
from .test_values import seed_rows

MODENA = EXAMPLES / "modena_2025"


@pytest.fixture(scope="module")
def imported() -> ImportReport:
    return import_report(SEED)


@pytest.fixture(scope="module")
def modena() -> Plan:
    return load_plan(MODENA / "plan.toml")


@pytest.fixture(scope="module")
def data() -> dict[tuple[str, int], object]:
    return dict(load_data(MODENA / "data.csv"))


def test_import_reads_every_line_of_the_seed(imported: object) -> None:
    report = imported
    assert report.complete, report.unread  # type: ignore[attr-defined]
    plan = report.plan  # type: ignore[attr-defined]
    assert [area.code for area in plan.areas] == ["1", "2", "3"]
    assert sum(1 for _ in plan.occurrences()) == 103
    assert len(plan.indicators()) == 101
    assert plan.baseline_years == (2022, 2023, 2024)
    assert plan.target_years == (2025, 2026, 2027)


def test_import_splits_every_algorithm_as_the_corpus_says(imported: object) -> None:
    plan: Plan = imported.plan  # type: ignore[attr-defined]
    by_line = {indicator.line: indicator for _, indicator in plan.occurrences()}
    corpus = {line: (code, formula) for line, code, formula in seed_formulas()}
    for line, indicator in by_line.items():
        if line in corpus:
            assert (indicator.code, indicator.formula) == corpus[line], line
        elif indicator.formula is not None:
            # a repeated indicator takes the formula of its first listing
            assert indicator.code in {"83.2_01_rev2018", "83.2_FATT.PAG."}, line
    milestones = [i for i in by_line.values() if i.formula is None]
    assert len(milestones) == 103 - 81 - 2


def test_import_keeps_baselines_and_targets_as_written(imported: object) -> None:
    plan: Plan = imported.plan  # type: ignore[attr-defined]
    rows = {int(row[0]): row for row in seed_rows()}
    for _, indicator in plan.occurrences():
        row = rows[indicator.line or 0]
        assert [indicator.baselines[year] for year in (2022, 2023, 2024)] == row[2:5]
        cells = [kf.parse_targets(cell) for cell in row[5].split(" | ")]
        flat = [target for cell in cells for target in cell]
        assert [kf.parse_target(text) for _, text in sorted(indicator.targets.items())] == flat


def test_import_tells_apart_two_indicators_sharing_a_code(imported: object) -> None:
    plan: Plan = imported.plan  # type: ignore[attr-defined]
    ids = {indicator.id: indicator.name for indicator in plan.indicators().values()}
    assert ids["82.A1.1.2"].startswith("Condivisione")
    assert ids["82.A1.1.2#2"].startswith("Partnership")
    repeated = [i for _, i in plan.occurrences() if i.code == "83.2_01_rev2018"]
    assert [i.formula for i in repeated] == ["RitPagamenti", "RitPagamenti"]
    assert [i.weight for i in repeated] == [Decimal("0.2"), Decimal("0.5")]


def test_import_reports_lines_it_cannot_read() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "25,00%\t301 - Internazionalizzazione", "25,00%\tnonsense here", 1
    )
    text += "\nwhat is this line\n"
    report = read_report(text)
    lines = [line for line, _ in report.unread]
    # the broken objective, the rows that then belong nowhere, and the stray line
    assert lines[0] == 8 and lines[-1] == len(text.splitlines())
    assert "outside any objective" in dict(report.unread)[10]
    with pytest.raises(kf.PlanError):
        read_report("hello\nworld\n")


def test_plan_file_round_trips_without_loss(imported: object, modena: Plan) -> None:
    plan: Plan = imported.plan  # type: ignore[attr-defined]
    assert read_plan(dump_plan(plan)) == plan
    assert read_plan(dump_plan(modena)) == modena
    # the example is the imported seed, with the driver "50" declared by hand
    assert replace(modena, title=plan.title, drivers=plan.drivers) == plan
    assert "50" in {driver.code for driver in modena.drivers}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("title = [", "not a valid TOML"),
        ("[[area]]\nname = 'x'\nweight = '10 %'", "'code'"),
        ("[[area]]\ncode = '1'\nweight = 'ten'", "weight"),
        ("[[area]]\ncode = '1'\nweight = '10 N.'", "percentage"),
        (
            "[[area]]\ncode='1'\nweight='100 %'\n[[area.objective]]\ncode='2'\nweight='1 %'\n"
            "[[area.objective.indicator]]\ncode='X'\nweight='1 %'\nunit='kg'",
            "unknown unit",
        ),
        (
            "[[area]]\ncode='1'\nweight='100 %'\n[[area.objective]]\ncode='2'\nweight='1 %'\n"
            "[[area.objective.indicator]]\ncode='X'\nweight='1 %'\ntargets={ 20 = 'x' }",
            "year",
        ),
        ("baseline_years = 'x'", "list of years"),
    ],
)
def test_bad_plan_files_are_plan_errors(text: str, fragment: str) -> None:
    with pytest.raises(kf.PlanError) as caught:
        read_plan(text, source="p.toml")
    assert fragment in str(caught.value)


def _places(text: str) -> int:
    digits = text.split(",")[1].split(maxsplit=1)[0] if "," in text else ""
    return len(digits) + (2 if "%" in text else 0)


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_example_data_reproduces_every_baseline_of_the_document(
    modena: Plan, data: dict[tuple[str, int], object], year: int
) -> None:
    evaluation = evaluate_plan(modena, data, year=year)
    indicators = modena.indicators()
    assert len(evaluation.indicators) == len(indicators)
    for result in evaluation.indicators:
        expected = kf.parse_value(indicators[result.id].baselines[year])
        if expected is kf.ND or isinstance(expected, dt.date):
            assert result.value == expected, (result.id, result.reasons)
            continue
        assert isinstance(expected, kf.Quantity) and isinstance(result.value, Decimal), result
        unit = Decimal(1).scaleb(-_places(indicators[result.id].baselines[year]))
        assert result.value.quantize(unit) == expected.amount.quantize(unit), result.id


def test_the_2024_scorecard_against_2025_targets(
    modena: Plan, data: dict[tuple[str, int], object]
) -> None:
    evaluation = evaluate_plan(modena, data, year=2024, target_year=2025)
    by_line = {int(row[0]): row[6] for row in seed_rows()}
    verdicts = {i.id: by_line[i.line or 0] for _, i in import_report(SEED).plan.occurrences()}
    names = {True: "met", False: "not met", None: "N/D"}
    for result in evaluation.indicators:
        assert names[result.met] == verdicts[result.id], result.id
    assert evaluation.score is not None and Decimal("0.9") < evaluation.score < 1
    by_code = {result.id: result for result in evaluation.indicators}
    assert by_code["D1"].value == 1136 and by_code["D1"].met is True
    assert by_code["D1.1.0"].achievement == Decimal("0.95")
    assert by_code["82.EUREKA"].value == Decimal("-0.166")
    assert by_code["71.B1.1.1"].value == dt.date(2024, 12, 25)
    assert by_code["82.A3.1_INSTAGRAM"].reasons == (
        "82.A3.1_INSTAGRAM@2024 is N/D",
        "82.A3.1_INSTAGRAM@2023 is N/D",
    )


def _tiny(formula_a: str | None, formula_b: str | None) -> Plan:
    a = Indicator("A", "a", Decimal("0.5"), formula_a, targets={2025: ">= 10"})
    b = Indicator("B", "b", Decimal("0.5"), formula_b, targets={2025: ">= 10"})
    objective = StrategicObjective(
        "100",
        "o",
        Decimal(1),
        Decimal("0.5"),
        (a,),
        Decimal("0.5"),
        (OperationalObjective("100.1", "op", Decimal(1), (b,)),),
    )
    return Plan("tiny", (Area("1", "area", Decimal(1), (objective,)),))


def test_indicators_using_indicators_are_evaluated_in_dependency_order() -> None:
    plan = _tiny("B * 2 + X", "Y")
    assert dependency_order(plan) == ["B", "A"]
    evaluation = evaluate_plan(plan, {"X": 1, "Y": 3}, year=2025)
    values = {result.id: result.value for result in evaluation.indicators}
    assert values == {"A": 7, "B": 3}


def test_own_code_in_a_formula_is_the_driver_of_that_code() -> None:
    plan = _tiny("A + 1", None)
    evaluation = evaluate_plan(plan, {"A": 4, "B": 20}, year=2025)
    assert {r.id: r.value for r in evaluation.indicators} == {"A": 5, "B": 20}


def test_a_cycle_is_a_clear_error_naming_it() -> None:
    with pytest.raises(kf.PlanError, match=r"cycle: (A -> B -> A|B -> A -> B)"):
        evaluate_plan(_tiny("B + 1", "A * 2"), {}, year=2025)
    problems = validate_plan(_tiny("B + 1", "A * 2"))
    assert any("cycle" in problem.message for problem in problems)


def test_roll_up_policies_for_nd() -> None:
    plan = _tiny("X", "Y")
    # A: 5 of 10 (achievement 0.5); B: N/D
    renormalised = evaluate_plan(plan, {"X": 5}, year=2025)
    assert renormalised.score == Decimal("0.5")
    zeroed = evaluate_plan(plan, {"X": 5}, year=2025, nd_policy="zero")
    assert zeroed.score == Decimal("0.25")
    assert evaluate_plan(plan, {}, year=2025).score is None
    with pytest.raises(kf.PlanError):
        evaluate_plan(plan, {}, year=2025, nd_policy="ignore")  # type: ignore[arg-type]


def test_validation_of_the_example_finds_no_errors(
    modena: Plan, data: dict[tuple[str, int], object]
) -> None:
    problems = validate_plan(modena, data, year=2024)
    assert [p for p in problems if p.severity == "error"] == []
    assert any("share this code" in p.message for p in problems)


def test_validation_reports_weights_formulas_units_and_unknown_drivers() -> None:
    plan = _tiny("X +", "Y")
    area = plan.areas[0]
    objective = area.objectives[0]
    bad_weight = replace(
        objective.indicators[0],
        weight=Decimal("0.4"),
        formula="ZZ / 2",
        unit="N.",
        targets={2025: ">= 10 gg"},
    )
    plan = replace(
        plan, areas=(replace(area, objectives=(replace(objective, indicators=(bad_weight,)),)),)
    )
    messages = [str(problem) for problem in validate_plan(plan)]
    assert any("weights add up to 40 %" in m for m in messages)
    assert any("'ZZ' is neither a declared driver" in m for m in messages)
    assert any("is in gg, the indicator in N." in m for m in messages)
    broken = _tiny("X +", "Y")
    assert any("does not parse" in str(p) for p in validate_plan(broken))


def test_rounded_weights_of_the_document_are_accepted() -> None:
    thirds = [Area(str(i), "a", Decimal(w)) for i, w in enumerate(["0.3333", "0.3333", "0.3334"])]
    assert [p for p in validate_plan(Plan("p", tuple(thirds))) if p.severity == "error"] == []
    rounded_down = [Area(str(i), "a", Decimal("0.3333")) for i in range(3)]
    assert [p for p in validate_plan(Plan("p", tuple(rounded_down))) if p.severity == "error"] == []


def run(*argv: str) -> tuple[int, str]:
    import io

    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_cli_import_validate_evaluate_scorecard(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.toml"
    status, output = run("plan", "import", str(SEED), "-o", str(plan_file))
    assert status == 0 and "103 indicator rows" in output
    assert load_plan(plan_file) == import_report(SEED).plan
    status, output = run("plan", "validate", str(MODENA / "plan.toml"))
    assert status == 0 and output.endswith("warnings\n")
    data = str(MODENA / "data.csv")
    status, output = run(
        "plan",
        "evaluate",
        str(MODENA / "plan.toml"),
        "--data",
        data,
        "--year",
        "2024",
        "--targets",
        "2025",
        "--json",
    )
    assert status == 0
    payload = json.loads(output)
    assert payload["year"] == 2024 and isinstance(payload["score"], str)
    assert len(payload["indicators"]) == 101
    first = payload["indicators"][0]
    assert set(first) >= {"code", "value", "missing", "reasons", "target", "met", "achievement"}
    assert first == {**first, "code": "301.50", "value": "13595300000", "met": False}
    status, output = run(
        "plan",
        "scorecard",
        str(MODENA / "plan.toml"),
        "--data",
        data,
        "--year",
        "2024",
        "--targets",
        "2025",
    )
    assert status == 0
    assert "1 Competitività delle" in output and "score 96,7 %" in output
    status, output = run(
        "plan",
        "evaluate",
        str(MODENA / "plan.toml"),
        "--data",
        data,
        "--year",
        "2024",
        "--csv",
        "--lang",
        "it",
    )
    lines = output.splitlines()
    assert status == 0 and lines[0].startswith("tipo;codice;id;padre;nome;peso %;anno;valore")
    export = next(line for line in lines if ";301.50;" in line)  # Italian Excel
    assert export.startswith("indicatore;301.50;301.50;301 indicatori;Fatturato export")
    assert ";13595300000;€;" in export
    share = next(line for line in lines if ";401.50;" in line)
    assert ";72,70;%;" in share  # percentage points, a decimal comma


def test_cli_plan_errors_exit_2_and_validation_errors_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("title = [", encoding="utf-8")
    assert run("plan", "validate", str(bad))[0] == 2
    broken = tmp_path / "broken.toml"
    broken.write_text(dump_plan(_tiny("X +", "Y")), encoding="utf-8")
    assert run("plan", "validate", str(broken))[0] == 1
    report = tmp_path / "report.txt"
    report.write_text(SEED.read_text(encoding="utf-8") + "\nstray line\n", encoding="utf-8")
    assert run("plan", "import", str(report), "-o", str(tmp_path / "out.toml"))[0] == 1


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_the_duckdb_engine_gives_the_same_object(
    modena: Plan, data: dict[tuple[str, int], object], year: int
) -> None:
    pytest.importorskip("duckdb")
    from kpi_formula.plan.scorecard import evaluation_payload

    python = evaluate_plan(modena, data, year=year, target_year=2025)
    duck = evaluate_plan(modena, data, year=year, target_year=2025, engine="duckdb")
    assert evaluation_payload(duck, digits=15) == evaluation_payload(python, digits=15)


@pytest.mark.parametrize("on_missing", ["propagate", "zero"])
def test_engines_agree_on_nd_zero_division_and_indicators_using_indicators(on_missing: str) -> None:
    pytest.importorskip("duckdb")
    from kpi_formula.plan.scorecard import evaluation_payload

    plan = _tiny("B / (X - 1) + X-1", "Y * 2")
    for data in ({"X": 1, "Y": 3}, {"X": 3, ("X", 2024): 2, "Y": 1}, {"Y": 5}, {}):
        python = evaluate_plan(plan, data, year=2025, on_missing=on_missing)  # type: ignore[arg-type]
        duck = evaluate_plan(plan, data, year=2025, on_missing=on_missing, engine="duckdb")  # type: ignore[arg-type]
        assert evaluation_payload(duck, digits=15) == evaluation_payload(python, digits=15), data


def test_the_modena_evaluation_is_unchanged() -> None:
    """The whole JSON object of the example plan, as committed: any tree generalised,
    the Integra shape still evaluates to the same scores and the same JSON."""
    from kpi_formula.plan import evaluation_payload

    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    payload = evaluation_payload(evaluate_plan(plan, data, year=2024, target_year=2025), digits=15)
    expected = json.loads(
        (EXAMPLES / "modena_2025" / "evaluation_2024_targets_2025.json").read_text("utf-8")
    )
    found = json.loads(json.dumps(payload, default=str))
    # keys added since: notes (only bare targets read as at least, for want of a direction)
    # and the precision the JSON's decimals carry
    notes = [note for entry in found["indicators"] for note in entry.pop("notes")]
    assert notes and all("read as at least" in note for note in notes)
    found.pop("significant_digits", None)
    assert found == expected


def test_validate_with_data_points_at_the_typo_not_at_every_driver(tmp_path: Path) -> None:
    data = (MODENA / "data.csv").read_text(encoding="utf-8")
    typo = tmp_path / "data.csv"
    typo.write_text(data.replace("\nD1.1.0_0,", "\nD1.1.0_O,"), encoding="utf-8")
    status, output = run("plan", "validate", str(MODENA / "plan.toml"), "--data", str(typo))
    assert status == 0  # warnings only
    lines = output.splitlines()
    assert lines[0] == "note: checking the data for 2024, its latest year (pass --year)"
    assert "'D1.1.0_0' is not in the data for any year; did you mean" in output
    assert "'D1.1.0_O'" in output
    assert len([line for line in lines if line.startswith("warning")]) <= 3  # no flood
    _, output = run(
        "plan", "validate", str(MODENA / "plan.toml"), "--data", str(typo), "--year", "2025"
    )
    assert "no values for 2025 of" in output  # one line for a year the data lacks
