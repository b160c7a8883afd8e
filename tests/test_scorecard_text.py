"""The text and CSV scorecards, for people: their rows, their width, their language."""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import ROUND_UP, Context, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_formula import ND
from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.display import display_percent, display_weight
from kpi_formula.i18n import Language
from kpi_formula.plan import Group, Indicator, Plan
from kpi_formula.plan.evaluate import evaluate_plan
from kpi_formula.plan.html import render_page
from kpi_formula.plan.planfile import load_plan, read_plan
from kpi_formula.plan.scorecard import render_csv, render_html, render_text
from kpi_formula.plan.scores import NodeScore, PlanEvaluation

from .conftest import EXAMPLES
from .test_plan_evaluation import indicator, plan_of

MODENA = EXAMPLES / "modena_2025"


@pytest.fixture(scope="module")
def evaluation() -> PlanEvaluation:
    plan = load_plan(MODENA / "plan.toml")
    return evaluate_plan(plan, load_data(MODENA / "data.csv"), year=2024, target_year=2025)


def test_rows_say_each_indicators_verdict(evaluation: PlanEvaluation) -> None:
    text = render_text(evaluation, width=160)
    lines = {line.strip().split(" ")[0]: line for line in text.splitlines() if line.strip()}
    missed, met, undecided = lines["301.50"], lines["D1"], lines["83.2_FATT.PAG."]
    assert missed.split()[-3:] == ["no", "72,3", "%"]
    assert ">= 18.800.000.000 €" in missed and "13.595.300.000 €" in missed
    assert met.split()[-3:] == ["yes", "100,0", "%"]
    assert undecided.split()[-2:] == ["-", "N/D"]
    # a group: its rolled-up score alone, short of 1 (802.A1.1 missed): never shown as 100
    assert lines["802"].split()[-2:] == ["99,9", "%"]
    assert text.splitlines()[1].startswith("score 96,7 %; values 2024, targets 2025")


def _table(text: str) -> tuple[str, list[str]]:
    """The header and the rows of a text scorecard (between the first blank line
    and the next)."""
    lines = text.splitlines()
    start = lines.index("") + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start], lines[start + 1 : end]


def _preorder(node: NodeScore) -> list[NodeScore]:
    return [node, *(each for child in node.children for each in _preorder(child))]


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("width", [80, 200])
def test_each_row_states_its_nodes_verdict_and_score(
    evaluation: PlanEvaluation, language: str, width: int
) -> None:
    text = render_text(evaluation, language=language, width=width)  # type: ignore[arg-type]
    _, rows = _table(text)
    nodes = _preorder(evaluation.tree)[1:]
    assert len(rows) == len(nodes)
    words = {"en": {True: "yes", False: "no"}, "it": {True: "sì", False: "no"}}[language]
    for row, node in zip(rows, nodes, strict=True):
        assert row.endswith(display_percent(node.score).rjust(7)), (row, node.code)
        assert display_weight(node.weight) in row
        result = node.indicator
        if result is None:
            assert row.split()[-2:] == display_percent(node.score).split()
            continue
        verdict = row.split()[-3] if node.score is not None and result.met is not None else None
        if result.met is None:
            assert row.split()[-2:] == ["-", "N/D"] or " - " in row, row
        else:
            assert verdict == words[result.met], (row, result.id)


@pytest.mark.parametrize("width", [80, 100, 132])
def test_the_text_fits_the_terminal_and_cuts_no_number(
    evaluation: PlanEvaluation, width: int
) -> None:
    for language in ("en", "it"):
        text = render_text(evaluation, language=language, width=width)
        lines = text.splitlines()
        assert max(map(len, lines)) <= width
        assert any("…" in line for line in lines)  # names shortened, rows kept whole
        table = lines[: lines.index("", 3)] if "" in lines[3:] else lines
        for line in table[3:]:
            assert line[:1] != " " or line.strip()  # no continuation lines
        # values and targets come whole: the Modena targets are all short enough
        for result in evaluation.indicators:
            if result.target:
                assert result.target in text, result.target
        assert "13.595.300.000 €" in text


def test_the_width_is_the_terminals(
    evaluation: PlanEvaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert max(map(len, render_text(evaluation).splitlines())) == 120
    monkeypatch.setenv("COLUMNS", "40")  # narrower than any scorecard can be
    assert max(map(len, render_text(evaluation).splitlines())) == 80


def test_long_targets_are_shortened_whole_numbers_are_not(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "codice;padre;nome;peso;algoritmo;unità;target 2025\n"
        "M1;;Servizi;100 %;;;\n"
        "EVASE;M1;Pratiche evase;50 %;;N.;Aumento del 20% rispetto alla baseline\n"
        "GRANDE;M1;Fatturato;50 %;;€;>= 123.456.789.012.345 €\n",
        encoding="utf-8",
    )
    data = {("EVASE", 2025): Decimal(10), ("EVASE", 2024): Decimal(9), ("GRANDE", 2025): 1}
    text = render_text(evaluate_plan(load_plan(sheet), data, year=2025), width=80)
    assert ">= 123.456.789.012.345 €" in text
    assert "Aumento del 20% rispett…" in text
    assert max(map(len, text.splitlines())) <= 80


def test_italian_for_an_italian_officer(evaluation: PlanEvaluation) -> None:
    text = render_text(evaluation, language="it", width=160)
    header, _ = _table(text)
    assert header.split() == ["peso", "valore", "target", "raggiunto", "punteggio"]
    assert text.splitlines()[1].startswith("punteggio 96,7 %; valori 2024, target 2025")
    lines = {line.strip().split(" ")[0]: line for line in text.splitlines() if line.strip()}
    assert lines["301.50"].split()[-3:] == ["no", "72,3", "%"]
    assert lines["D1"].split()[-3:] == ["sì", "100,0", "%"]
    assert "è N/D" in text or "is N/D" in text  # reasons, as the library words them


def _csv(text: str, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_the_csv_has_a_row_per_group_and_indicator(evaluation: PlanEvaluation) -> None:
    rows = _csv(render_csv(evaluation), ",")
    assert list(rows[0]) == [
        "kind",
        "code",
        "id",
        "parent",
        "name",
        "weight %",
        "year",
        "value",
        "unit",
        "target year",
        "target",
        "met",
        "achievement %",
        "score %",
        "reasons",
    ]
    assert (rows[0]["kind"], rows[0]["score %"]) == ("plan", "96.66")
    area = next(row for row in rows if row["code"] == "1")
    assert (area["kind"], area["weight %"], area["score %"], area["met"]) == (
        "area",
        "33.33",
        "95.41",
        "",
    )
    by_id = {row["id"]: row for row in rows if row["kind"] == "indicator"}
    assert len(by_id) == len({result.id for result in evaluation.indicators})
    assert {key: by_id["301.50"][key] for key in ("value", "unit", "met", "achievement %")} == {
        "value": "13595300000",
        "unit": "€",
        "met": "no",
        "achievement %": "72.32",
    }
    assert (by_id["D1"]["met"], by_id["401.50"]["value"]) == ("yes", "72.70")
    assert by_id["83.2_FATT.PAG."]["value"] == "N/D"
    assert by_id["83.2_FATT.PAG."]["reasons"]
    groups = [row for row in rows if row["kind"] not in ("indicator", "plan")]
    assert groups and all(row["score %"] for row in groups)


def test_the_italian_csv_is_for_italian_excel(evaluation: PlanEvaluation) -> None:
    text = render_csv(evaluation, language="it")
    rows = _csv(text, ";")
    assert list(rows[0])[:8] == [
        "tipo",
        "codice",
        "id",
        "padre",
        "nome",
        "peso %",
        "anno",
        "valore",
    ]
    by_id = {row["id"]: row for row in rows if row["tipo"] == "indicatore"}
    assert (by_id["301.50"]["raggiunto"], by_id["D1"]["raggiunto"]) == ("no", "sì")
    assert by_id["301.50"]["grado di raggiungimento %"] == "72,32"
    assert by_id["82.EUREKA"]["valore"] == "-16,60"
    assert {row["tipo"] for row in rows} >= {
        "piano",
        "ambito",
        "obiettivo strategico",
        "gruppo",
        "obiettivo operativo",
        "indicatore",
    }
    assert "\r\n" in text


def test_csv_cells_are_neutralised(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "codice;padre;nome;peso;algoritmo;unità;target 2025\n"
        "M1;;=HYPERLINK(1);100 %;;;\n"
        "A;M1;@SUM(1);100 %;;N.;>= 1 N.\n",
        encoding="utf-8",
    )
    text = render_csv(evaluate_plan(load_plan(sheet), {"A": 1}, year=2025))
    rows = _csv(text, ",")
    assert {row["name"] for row in rows[1:]} == {"'=HYPERLINK(1)", "'@SUM(1)"}


def _nested() -> PlanEvaluation:
    """An area, a group below it and three indicators: met (a long amount),
    missed in %, and N/D for two reasons (counted as 0)."""
    indicators = (
        Indicator("MET", "Pratiche", Decimal("0.5"), targets={2025: ">= 10"}),
        Indicator("PCT", "Quota", Decimal("0.375"), targets={2025: ">= 80%"}, unit="%"),
        Indicator(
            "ND", "Mancante", Decimal("0.125"), targets={2025: "Aumento del 10% rispetto al 2024"}
        ),
    )
    group = Group(code="M1.1", name="Sportelli", weight=Decimal(1), children=indicators)
    plan = Plan(
        title="Piano",
        groups=(Group(code="M1", name="Servizi", weight=Decimal(1), children=(group,)),),
    )
    data = {
        ("MET", 2025): Decimal("1234567.125"),
        ("PCT", 2025): Decimal("0.7512345"),
        ("ND", 2025): ND,
        ("ND", 2024): ND,
    }
    return evaluate_plan(plan, data, year=2025, nd_policy="zero")


_ND_REASONS = {
    "en": "ND@2025 is N/D; target 'Aumento del 10% rispetto al 2024': no value or baseline of 2024",
    "it": (
        "ND@2025 è N/D; target 'Aumento del 10% rispetto al 2024': nessun valore né baseline "
        "del 2024"
    ),
}
NESTED_CSV = {
    "en": [
        "kind,code,id,parent,name,weight %,year,value,unit,target year,target,met,"
        "achievement %,score %,reasons",
        "plan,,,,Piano,100,2025,,,2025,,,,85.21,",
        "group,M1,,,Servizi,100,2025,,,2025,,,,85.21,",
        "group,M1.1,,M1,Sportelli,100,2025,,,2025,,,,85.21,",
        "indicator,MET,MET,M1.1,Pratiche,50,2025,1234567.12,,2025,>= 10,yes,100,100,",
        "indicator,PCT,PCT,M1.1,Quota,37.50,2025,75.12,%,2025,>= 80%,no,93.90,93.90,",
        "indicator,ND,ND,M1.1,Mancante,12.50,2025,N/D,,2025,Aumento del 10% rispetto al 2024,"
        ",,0," + _ND_REASONS["en"],  # N/D counts as 0 under the policy zero
    ],
    "it": [
        "tipo;codice;id;padre;nome;peso %;anno;valore;unità;anno target;target;raggiunto;"
        "grado di raggiungimento %;punteggio %;motivi",
        "piano;;;;Piano;100;2025;;;2025;;;;85,21;",
        "gruppo;M1;;;Servizi;100;2025;;;2025;;;;85,21;",
        "gruppo;M1.1;;M1;Sportelli;100;2025;;;2025;;;;85,21;",
        "indicatore;MET;MET;M1.1;Pratiche;50;2025;1234567,12;;2025;>= 10;sì;100;100;",
        "indicatore;PCT;PCT;M1.1;Quota;37,50;2025;75,12;%;2025;>= 80%;no;93,90;93,90;",
        "indicatore;ND;ND;M1.1;Mancante;12,50;2025;N/D;;2025;Aumento del 10% rispetto al 2024;"
        ';;0;"' + _ND_REASONS["it"] + '"',
    ],
}


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_csv_cell_by_cell(language: str) -> None:
    """Every cell as a spreadsheet gets it: empty cells empty (not a dash),
    two decimals rounded half to even, a decimal comma in each Italian number,
    a percentage in points, each row's parent (none for the plan and an area),
    the reasons of an N/D joined, CRLF lines."""
    expected = "".join(line + "\r\n" for line in NESTED_CSV[language])
    assert render_csv(_nested(), language=language) == expected  # type: ignore[arg-type]
    if language == "en":
        assert render_csv(_nested()) == expected


def test_the_csv_ignores_the_callers_decimal_context(evaluation: PlanEvaluation) -> None:
    """A program that rounds its own decimals otherwise (fewer digits, another
    rounding) gets the same scorecard: the writer keeps its own arithmetic."""
    nested = _nested()
    modena = render_csv(evaluation, language="it")
    with localcontext(Context(prec=3, rounding=ROUND_UP)):
        for language in ("en", "it"):
            text = render_csv(nested, language=language)
            assert text.split("\r\n")[:-1] == NESTED_CSV[language]
        assert render_csv(evaluation, language="it") == modena  # 13.595.300.000 € among them


NESTED_TEXT = {
    ("en", 80): [
        "Piano",
        "score 85,2 %; values 2025, targets 2025; N/D: counted as 0",
        "",
        "                        weight        value target                   met   score",
        "Servizi                  100 %                                            85,2 %",
        " Sportelli               100 %                                            85,2 %",
        "  MET Pratiche            50 % 1.234.567,12 >= 10                    yes 100,0 %",
        "  PCT Quota             37,5 %      75,12 % >= 80%                   no   93,9 %",
        "  ND Mancante           12,5 %          N/D Aumento del 10% rispett… -     0,0 %",
        "",
        "N/D (1):",
        "  ND: ND@2025 is N/D; target 'Aumento del 10% rispetto al 2024': no value or ba…",
    ],
    ("en", 120): [
        "Piano",
        "score 85,2 %; values 2025, targets 2025; N/D: counted as 0",
        "",
        " " * 64 + "weight        value target                   met   score",
        "Servizi" + " " * 58 + "100 %" + " " * 44 + "85,2 %",
        "  Sportelli" + " " * 54 + "100 %" + " " * 44 + "85,2 %",
        "    MET Pratiche" + " " * 50 + "50 % 1.234.567,12 >= 10                    yes 100,0 %",
        "    PCT Quota" + " " * 51 + "37,5 %      75,12 % >= 80%                   no   93,9 %",
        "    ND Mancante" + " " * 49 + "12,5 %          N/D Aumento del 10% rispett… -     0,0 %",
        "",
        "N/D (1):",
        "  ND: " + _ND_REASONS["en"],
    ],
    ("it", 120): [
        "Piano",
        "punteggio 85,2 %; valori 2025, target 2025; N/D contati come 0",
        "",
        " " * 58 + "peso       valore target                   raggiunto punteggio",
        "Servizi" + " " * 50 + "100 %" + " " * 52 + "85,2 %",
        "  Sportelli" + " " * 46 + "100 %" + " " * 52 + "85,2 %",
        "    MET Pratiche"
        + " " * 42
        + "50 % 1.234.567,12 >= 10"
        + " " * 20
        + "sì          100,0 %",
        "    PCT Quota"
        + " " * 43
        + "37,5 %      75,12 % >= 80%"
        + " " * 19
        + "no           93,9 %",
        "    ND Mancante"
        + " " * 41
        + "12,5 %          N/D Aumento del 10% rispett… -"
        + " " * 13
        + "0,0 %",
        "",
        "N/D (1):",
        "  ND: " + _ND_REASONS["it"],
    ],
}


@pytest.mark.parametrize(("language", "width"), list(NESTED_TEXT))
def test_the_text_scorecard_line_by_line(language: str, width: int) -> None:
    """The whole text scorecard: each level indented below its parent (by one
    column when names are short of room, by two otherwise), the policy for N/D
    in the summary, the N/D indicators listed with all their reasons."""
    text = render_text(_nested(), language=language, width=width)  # type: ignore[arg-type]
    assert text.splitlines() == NESTED_TEXT[language, width]
    assert text.endswith("\n")


def test_the_command_line_writes_them_in_the_chosen_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [
        "plan",
        "scorecard",
        str(MODENA / "plan.toml"),
        "--data",
        str(MODENA / "data.csv"),
        "--year",
        "2024",
        "--targets",
        "2025",
    ]
    out = io.StringIO()
    assert main([*argv, "--lang", "it"], out=out) == 0
    assert _table(out.getvalue())[0].split() == [
        "peso",
        "valore",
        "target",
        "raggiunto",
        "punteggio",
    ]
    monkeypatch.setenv("KPI_FORMULA_LANG", "it")
    out = io.StringIO()
    assert main([*argv, "--csv"], out=out) == 0
    assert out.getvalue().startswith("tipo;codice;")
    out = io.StringIO()
    assert main([*argv, "--csv", "--lang", "en"], out=out) == 0  # --lang first
    assert out.getvalue().startswith("kind,code,")


@settings(max_examples=40, deadline=None)
@given(
    actual=st.integers(min_value=900, max_value=999),
    missed_weight=st.integers(min_value=1, max_value=50),
)
def test_a_score_with_a_missed_target_is_never_shown_as_100(
    actual: int, missed_weight: int
) -> None:
    # one indicator missed (at most 99,9 %), the other met: the roll-up is short
    # of 1 however small the missed one's weight, and every scorecard says so
    plan = read_plan(
        'title = "P"\ntarget_years = [2025]\n'
        '[[node]]\ncode = "G"\nname = "Gruppo"\nweight = "100 %"\n'
        f'[[node]]\ncode = "I1"\nparent = "G"\nname = "Uno"\nweight = "{missed_weight} %"\n'
        'formula = "X"\nunit = "N."\ntargets = { 2025 = ">= 1000" }\n'
        f'[[node]]\ncode = "I2"\nparent = "G"\nname = "Due"\nweight = "{100 - missed_weight} %"\n'
        'formula = "Y"\nunit = "N."\ntargets = { 2025 = ">= 1" }\n'
    )
    evaluation = evaluate_plan(plan, {"X": actual, "Y": 5}, year=2025)
    assert evaluation.score is not None and evaluation.score < 1
    for language in ("en", "it"):
        text = render_text(evaluation, language=language, width=120)
        summary, rows = text.splitlines()[1], _table(text)[1]
        assert "100,0 %" not in summary
        assert not rows[0].endswith("100,0 %"), rows[0]  # the group
        assert rows[2].endswith("100,0 %")  # the met indicator is 100 %
        page = render_page(evaluation, language=language)
        assert display_percent(evaluation.score) in page
        assert display_percent(evaluation.score) != "100,0 %"
        separator = ";" if language == "it" else ","
        for row in _csv(render_csv(evaluation, language=language), separator)[:2]:
            assert float(row[_SCORE_COLUMN[language]].replace(",", ".")) < 100


_SCORE_COLUMN = {"en": "score %", "it": "punteggio %"}


@pytest.mark.parametrize(
    ("score", "shown"),
    [("0.9996", "99,9 %"), ("0.99949", "99,9 %"), ("1", "100,0 %"), ("0.92163", "92,2 %")],
)
def test_scores_are_rounded_half_even_short_of_100(score: str, shown: str) -> None:
    assert display_percent(Decimal(score)) == shown


_SMALL_PLAN = """title = "P"
target_years = [2025]

[[node]]
code = "M1"
name = "Missione"
weight = "100 %"

[[node]]
code = "A"
parent = "M1"
name = "ratio"
weight = "25 %"
formula = "X / Y"
unit = "%"
targets = { 2025 = ">= 50 %" }

[[node]]
code = "E"
parent = "M1"
name = "yesno"
weight = "25 %"
targets = { 2025 = "SI" }

[[node]]
code = "F"
parent = "M1"
name = "no"
weight = "25 %"
targets = { 2025 = "NO" }

[[node]]
code = "G"
parent = "M1"
name = "count"
weight = "25 %"
unit = "N."
"""


def _small(**options: object) -> PlanEvaluation:
    data = {("X", 2025): 3, ("Y", 2025): 0, ("E", 2025): 1, ("F", 2025): 0, ("G", 2025): 7}
    return evaluate_plan(read_plan(_SMALL_PLAN), data, year=2025, **options)  # type: ignore[arg-type]


def _row(text: str, code: str) -> list[str]:
    return next(line.split() for line in _table(text)[1] if line.split()[0] == code)


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_yes_no_indicator_without_a_unit_shows_yes_or_no(language: Language) -> None:
    evaluation = _small()
    text = render_text(evaluation, language=language)
    assert _row(text, "E")[4] == "SI" and _row(text, "F")[4] == "NO"
    assert "<td>SI</td>" in render_html(evaluation, language=language)
    rows = _csv(render_csv(evaluation), ",")
    assert [row["unit"] for row in rows if row["code"] in ("E", "F")] == ["sì/no"] * 2


@pytest.mark.parametrize("language", ["en", "it"])
def test_under_nd_policy_zero_a_row_shows_the_score_it_counts_for(language: Language) -> None:
    evaluation = _small(nd_policy="zero")
    text = render_text(evaluation, language=language)
    # A is N/D and counts as 0; G has no target for 2025: not judged, it counts for
    # nothing under either policy, so the group is A's 0 beside E's and F's 100 %
    assert evaluation.score is not None and round(evaluation.score, 20) == round(
        Decimal(2) / Decimal(3), 20
    )
    assert _row(text, "A")[-2:] == ["0,0", "%"] and _row(text, "G")[-1] == "N/D"
    assert _row(text, "A")[4] == "N/D"
    rows = {row["code"]: row for row in _csv(render_csv(evaluation), ",")}
    assert rows["A"]["score %"] == "0" and rows["A"]["achievement %"] == ""
    # renormalised, they are left out and shown N/D
    text = render_text(_small(), language=language)
    assert _row(text, "A")[-1] == "N/D" and _row(text, "G")[-1] == "N/D"


def test_indicators_not_judged_are_listed_with_their_reason() -> None:
    text = render_text(_small(), width=100)
    assert text.split("not judged (1):\n", 1)[1].splitlines()[0] == "  G: no target for 2025"
    text = render_text(_small(), language="it", width=100)
    assert "  G: " in text.split("N/D (1):", 1)[1]


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("policy", ["renormalise", "zero"])
def test_the_summary_breaks_between_clauses_within_the_width(
    language: Language, policy: str
) -> None:
    evaluation = _small(nd_policy=policy)
    whole = render_text(evaluation, language=language, width=300).splitlines()[1]
    for width in range(80, 100):
        lines = render_text(evaluation, language=language, width=width).splitlines()
        summary = lines[1 : lines.index("")]
        assert " ".join(summary) == whole
        assert all(len(line) <= width for line in summary)
        assert all(line.endswith(";") for line in summary[:-1]), summary


def _plan_cli(tmp_path: Path, *options: str) -> tuple[int, str, str]:
    plan, data = tmp_path / "p.toml", tmp_path / "d.csv"
    plan.write_text(_SMALL_PLAN, encoding="utf-8")
    data.write_text("code,year,value\nX,2025,3\nY,2025,1\nX,2024,1\nY,2024,1\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["plan", "scorecard", str(plan), "--data", str(data), *options], out=out)
    return status, out.getvalue(), err.getvalue()


def test_a_target_year_the_plan_has_no_target_for_is_said(tmp_path: Path) -> None:
    status, out, err = _plan_cli(tmp_path, "--year", "2025", "--targets", "3000")
    assert status == 2 and out == ""
    assert "the plan sets no target for 3000 (its target years: 2025)" in err
    # the year of the values, taken for the targets' too: scored unjudged, with a word why
    status, out, err = _plan_cli(tmp_path, "--year", "2024")
    assert status == 0
    assert "warning: the plan sets no target for 2024 (its target years: 2025)" in err
    assert "pass --targets" in err
    status, out, err = _plan_cli(tmp_path, "--year", "2024", "--targets", "2025")
    assert (status, err) == (0, "")


def test_a_year_the_data_holds_nothing_for_is_said(tmp_path: Path) -> None:
    status, out, err = _plan_cli(tmp_path, "--year", "2026", "--targets", "2025")
    assert status == 0
    assert "warning: the data holds no value for 2026 (its years: 2024, 2025)" in err
    assert "score N/D" in out


@pytest.mark.parametrize(("width", "indent"), [(96, " "), (97, "  ")])
def test_levels_are_indented_by_two_once_names_have_forty_columns(width: int, indent: str) -> None:
    lines = render_text(_nested(), width=width).splitlines()
    assert any(line.startswith(f"{indent}Sportelli ") for line in lines)


def test_an_indicator_without_a_target_shows_empty_target_cells() -> None:
    evaluation = evaluate_plan(plan_of(indicator("T")), {("T", 2025): 3}, year=2025)
    assert (
        render_csv(evaluation).splitlines()[-1] == "indicator,T,T,G,name of T,100,2025,3,,2025,,,,,"
    )
    text = render_text(evaluation, width=80)
    assert _row(text, "T") == ["T", "name", "of", "T", "100", "%", "3", "-", "N/D"]
    assert text.splitlines()[-1] == "  T: no target for 2025"  # listed as not judged


def test_a_plan_without_groups_still_has_a_scorecard() -> None:
    evaluation = evaluate_plan(Plan("vuoto", groups=()), {}, year=2025)
    assert render_text(evaluation, width=80).splitlines()[-1].split() == [
        "weight",
        "value",
        "target",
        "met",
        "score",
    ]
    assert render_csv(evaluation).splitlines()[-1] == "plan,,,,vuoto,100,2025,,,2025,,,,,"


def test_the_title_and_summary_wrap_at_the_scorecards_width() -> None:
    title = (
        "Piano integrato di attività e organizzazione 2025-2027 del Comune, obiettivi di "
        "performance"
    )
    plan = Plan(title, groups=())
    lines = render_text(evaluate_plan(plan, {}, year=2025), width=120).splitlines()
    assert lines[0] == title
    assert render_text(evaluate_plan(plan, {}, year=2025), width=80).splitlines()[:3] == [
        "Piano integrato di attività e organizzazione 2025-2027 del Comune, obiettivi di",
        "performance",
        # the summary too: 75 columns fit in 80
        "score N/D; values 2025, targets 2025; N/D: weights shared among the others",
    ]


def test_a_weight_of_a_third_is_shown_to_two_decimals() -> None:
    third = Decimal(1) / Decimal(3)
    group = Group(
        "G",
        "Servizi",
        Decimal(1),
        tuple(Indicator(code, f"name of {code}", third, targets={2025: ">= 1"}) for code in "ABC"),
    )
    evaluation = evaluate_plan(Plan("P", groups=(group,)), {"A": 1, "B": 1, "C": 1}, year=2025)
    text = render_text(evaluation, width=80)
    assert _row(text, "A")[4:6] == ["33,33", "%"]
    assert "3333333" not in text
    assert display_weight(third) == "33,33 %" and display_weight(Decimal("0.125")) == "12,5 %"
