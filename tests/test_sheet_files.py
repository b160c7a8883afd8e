"""Sheets and plan files keep the meaning and lose nothing: drivers, titles, languages,
directions, descriptions and every text travel through .toml, .csv and .xlsx."""

from __future__ import annotations

import csv
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data, read_data
from kpi_formula.plan import Group, Indicator, Plan, evaluation_payload
from kpi_formula.plan.evaluate import evaluate_plan
from kpi_formula.plan.planfile import dump_plan, load_plan, read_plan, save_plan
from kpi_formula.plan.sheet import neutralise, write_sheet

from .conftest import EXAMPLES

MODENA = EXAMPLES / "modena_2025"
FORMATS = ("toml", "csv", "xlsx")

# Texts a spreadsheet could take for a formula, or that read back wrongly when trimmed.
ODD_TEXTS = (
    "'=1+1",
    "=1+1",
    " =1+1",
    "\n=1+1",
    "\uff1d1+1",
    "\uff0bSUM(A1)",
    "\uff20x",
    "\u3000=1",
    "+39 059 208",
    "-",
    "@SUM(A1)",
    "'",
    "''",
    "'quoted'",
    " padded ",
    "\t=tab",
    "L'Aquila",
    '"virgolette" e ; e ,',
    "due\nrighe",
    "N/D",
)


def _written(plan: Plan, tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"plan.{suffix}"
    if suffix == "toml":
        save_plan(plan, path)
    else:
        write_sheet(plan, path)
    return path


def _round_trips(plan: Plan, tmp_path: Path) -> dict[str, Plan]:
    pytest.importorskip("openpyxl")
    return {suffix: load_plan(_written(plan, tmp_path, suffix)) for suffix in FORMATS}


def test_the_modena_drivers_travel_in_sheets_so_400_53_stays_3_86(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    data = load_data(MODENA / "data.csv")
    original = load_plan(MODENA / "plan.toml")
    expected = evaluate_plan(original, data, year=2024, target_year=2025)
    for suffix in ("csv", "xlsx"):
        sheet = tmp_path / f"m.{suffix}"
        assert main(["plan", "export", str(MODENA / "plan.toml"), "-o", str(sheet)]) == 0
        again = load_plan(sheet)
        assert again.drivers == original.drivers and again.title == original.title
        evaluation = evaluate_plan(again, data, year=2024, target_year=2025)
        by_id = {result.id: result for result in evaluation.indicators}
        assert kf.format_value(by_id["400.53"].value.quantize(Decimal("0.01"))) == "3,86"  # type: ignore[union-attr]
        assert evaluation_payload(evaluation) == evaluation_payload(expected)
        assert again.tree() == original.tree()


def _full_plan(texts: tuple[str, ...] = ODD_TEXTS) -> Plan:
    """A plan that uses every column: groups with kinds and descriptions, drivers with
    units and aliases, ids, directions, a language, odd texts everywhere."""
    names = itertools.cycle(texts)
    indicators = (
        Indicator(
            "EVASE",
            next(names),
            Decimal("0.5"),
            "PRATICHE_EVASE / 50 * 100",
            description=next(names),
            unit="%",
            baselines={2024: "90,00 %"},
            targets={2025: ">= 90,00 %"},
            direction="higher",
        ),
        Indicator(
            "TEMPI",
            next(names),
            Decimal("0.3333"),
            "GIORNI / PRATICHE_EVASE",
            unit="gg",
            targets={2025: "<= 20 gg"},
            direction="lower",
        ),
        Indicator(
            "TEMPI",
            "Tempi, sportello 2",
            Decimal("0.1667"),
            "GIORNI_2 / PRATICHE_EVASE",
            unit="gg",
            id="TEMPI#2",
            targets={2025: "25"},
            direction="lower",
        ),
        Indicator("RD", next(names), Decimal("1"), None, unit="N.", description=next(names)),
    )
    return Plan(
        next(names),
        drivers=(
            kf.Driver("50", next(names), "N.", ("IMPRESE", "N. imprese")),
            kf.Driver("GIORNI", "", "gg"),
            kf.Driver("GIORNI_2"),
            kf.Driver("PRATICHE_EVASE", next(names)),
        ),
        baseline_years=(2024,),
        target_years=(2025,),
        groups=(
            Group(
                "M1",
                next(names),
                Decimal("0.6"),
                (
                    Group(
                        "P1",
                        next(names),
                        Decimal(1),
                        indicators[:3],
                        "programma",
                        description=next(names),
                    ),
                ),
                "missione",
                description=next(names),
            ),
            Group("M2", next(names), Decimal("0.4"), indicators[3:], description=next(names)),
        ),
        language="it",
    )


DATA = (
    "code;year;value\nPRATICHE_EVASE;2025;45\n50;2025;50\nGIORNI;2025;900\n"
    "GIORNI_2;2025;1.350\nRD;2025;7\n"
)


def test_a_plan_using_every_column_is_the_same_plan_as_toml_csv_and_xlsx(tmp_path: Path) -> None:
    plan = _full_plan()
    expected = evaluation_payload(evaluate_plan(plan, read_data(DATA), year=2025))
    for suffix, again in _round_trips(plan, tmp_path).items():
        assert again == plan, suffix
        assert evaluation_payload(evaluate_plan(again, read_data(DATA), year=2025)) == expected
    # the driver 50 is read as a driver, not as the number 50, after every trip
    by_id = {r.id: r for r in evaluate_plan(plan, read_data(DATA), year=2025).indicators}
    assert by_id["EVASE"].value == Decimal("0.9")


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_every_text_reads_back_as_written(tmp_path: Path, text: str) -> None:
    plan = _full_plan((text,))
    for suffix, again in _round_trips(plan, tmp_path).items():
        assert again == plan, suffix


@pytest.mark.parametrize(
    "text", ["=1+1", " =1+1", "\n=1+1", "\uff1d1+1", "\uff0d1", "\uff20A", "\u0007x", "\t=1"]
)
def test_cells_a_spreadsheet_could_run_are_neutralised(tmp_path: Path, text: str) -> None:
    assert neutralise(text) == "'" + text
    plan = _full_plan((text,))
    sheet = _written(plan, tmp_path, "csv")
    cells = [
        cell
        for row in csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig")), delimiter=";")
        for cell in row
    ]
    assert ("'" + text) in cells and text not in cells
    if "\u0007" not in text:  # a control character that .xlsx cannot hold at all
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.load_workbook(_written(plan, tmp_path, "xlsx"))
        values = [cell.value for row in book["piano"].iter_rows() for cell in row]
        assert ("'" + text) in values and text not in values
        assert all(cell.data_type != "f" for row in book["piano"].iter_rows() for cell in row)


def test_plain_texts_are_not_touched() -> None:
    for text in ("Servizi al cittadino", "L'Aquila", "1.136 N.", ">= 90 %", "€ 5", ""):
        assert neutralise(text) == text


def test_a_text_xlsx_cannot_hold_is_refused_on_export_not_mangled(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    plan = _full_plan(("a\x01b", "a\rb"))
    with pytest.raises(
        kf.PlanError, match=r"U\+000[1D], which an \.xlsx file cannot hold"
    ) as caught:
        write_sheet(plan, tmp_path / "p.xlsx")
    assert "export to .csv" in str(caught.value.hint)
    assert load_plan(_written(plan, tmp_path, "csv")) == plan  # CSV holds any text


def test_a_sheet_carries_its_title_and_language_above_the_header(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "Titolo:;Comune di Esempio, Piano 2025\nlingua;it\n\ncodice;padre;nome;peso\n"
        "M;;Missione;100 %\nA;M;a;100 %\n",
        encoding="utf-8",
    )
    plan = load_plan(sheet)
    assert (plan.title, plan.language) == ("Comune di Esempio, Piano 2025", "it")
    assert load_plan(sheet, title="Altro").title == "Altro"
    untitled = tmp_path / "senza titolo.csv"
    untitled.write_text("codice;padre;nome;peso\nM;;m;100 %\nA;M;a;100 %\n", encoding="utf-8")
    assert load_plan(untitled).title == "senza titolo"  # the file's name, as before
    toml = tmp_path / "piano.toml"
    out = io.StringIO()
    argv = ["plan", "import", str(untitled), "-o", str(toml), "--title", "Piano 2025"]
    assert main(argv, out=out) == 0
    assert load_plan(toml).title == "Piano 2025"


def test_a_comma_in_the_title_does_not_change_how_the_separator_is_told(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "titolo;Uno, due, tre, quattro\ncodice;padre;nome;peso\nM;;m;100 %\nA;M;a;0,5\nB;M;b;0,5\n",
        encoding="utf-8",
    )
    assert [node.weight for node in load_plan(sheet).groups[0].children] == [Decimal("0.5")] * 2


def test_a_group_keeps_its_description(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "codice;padre;nome;peso;descrizione\nM;;m;100 %;La missione\nA;M;a;100 %;\n",
        encoding="utf-8",
    )
    plan = load_plan(sheet)
    assert plan.groups[0].description == "La missione"
    assert read_plan(dump_plan(plan)).groups[0].description == "La missione"


@pytest.mark.parametrize(
    ("rows", "words", "line", "column"),
    [
        ("M;;m;100 %;;x\nA;M;a;100 %\n", "F2 holds 'x', under no column", 2, 6),
        ("M;;m;100 %\nA;M;a;100 %;;;;;;;;7\n", "L3 holds '7', under no column", 3, 12),
        ("M;;m;100 %;€\nA;M;a;100 %\n", "a group has no unit", 2, None),
        ("M;;m;100 %;;;M1\nA;M;a;100 %\n", "a group has no id", 2, None),
        ("M;;m;100 %;;;;;crescente\nA;M;a;100 %\n", "a group has no direction", 2, None),
        ("M;;m;100 %\nA;M;a;100 %;;;;;su\n", "unknown direction 'su'", 3, 9),
        ("M;;m;100 %\nA;M;a;100 %;;;;progr.\n", "'A' is of the kind 'progr.'", 3, None),
        ("M;;m;100 %\nA;M;a;100 %;€€\n", "unknown unit '€€'", 3, 5),
        ("M;;m;100 %\nA;M;a;60\n", "'A': the weight is 60 without a unit", 3, 4),
        ("M;;m;100 %\nA;M;a;100 %\nX;;;5 %;;;;driver\n", "'X' is a driver, so its peso", 4, 4),
        ("M;;m;100 %\nA;M;a;100 %\nB;M;b;0 %;;;;;;;IMPRESE\n", "only a driver has them", 4, 11),
    ],
)
def test_what_a_row_cannot_hold_is_an_error_naming_row_and_column(
    tmp_path: Path, rows: str, words: str, line: int, column: int | None
) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "codice;padre;nome;peso;unità;;id;tipo;direzione;;alias\n" + rows,
        encoding="utf-8",
    )
    with pytest.raises(kf.PlanError) as caught:
        load_plan(sheet)
    assert words in str(caught.value)
    assert caught.value.line == line
    if column is not None:
        assert caught.value.column == column
        assert str(caught.value).startswith(f"{sheet}:{line}:{column}: ")
    assert caught.value.hint


def test_directions_read_in_every_spelling_and_are_written_in_the_files_language(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "code;parent;name;weight;direction\nM;;m;100 %;\nA;M;a;25 %;Decrescente\nB;M;b;25 %;↑\n"
        "C;M;c;25 %;lower\nD;M;d;25 %;\n",
        encoding="utf-8",
    )
    plan = load_plan(sheet)
    assert [i.direction for i in plan.indicators().values()] == ["lower", "higher", "lower", None]
    text = dump_plan(plan)
    assert 'direction = "lower"' in text and 'direction = "higher"' in text
    assert read_plan(text) == plan
    written = _written(plan, tmp_path, "csv").read_text(encoding="utf-8-sig")
    assert ";decrescente;" in written and ";crescente;" in written


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        (
            '[[node]]\ncode = "M"\nweight = "100 %"\n\n[[node]]\ncode = "A"\nparent = "M"\n'
            'weight = "100 %"\ndirection = "su"\n',
            "unknown direction 'su'",
            9,
        ),
        ('language = "italiano!"\n[[node]]\ncode = "M"\nweight = "100 %"\n', "not a language", 1),
        (
            '[[node]]\ncode = "M"\nweight = "100 %"\n[[node]]\ncode = "A"\nparent = "M"\n'
            "weight = nan\n",
            "node 2: weight: the weight nan is not a number",
            7,
        ),
        ('[[node]]\ncode = "M"\nweight = inf\n', "the weight inf is not a number", 3),
        ('[[node]]\ncode = "M"\nweight = 60\n', "is it 60 % or 6.000 %?", 3),
        ('[[node]]\ncode = "M"\nweight = "1e999999999 %"\n', "weight", 3),
        ("baseline_years = [99999]\n[[node]]\ncode = 'M'\nweight = '100 %'\n", "list of years", 1),
        ("[[node]]\ncode = 'M'\nweight = " + "9" * 5000 + "\n", "too long", None),
        (
            '[[area]]\ncode = "1"\nweight = "100 %"\n[[area.objective]]\ncode = "2"\n'
            'weight = "100 %"\n[[area.objective.indicator]]\ncode = "X"\nweight = "100 %"\n'
            '[[area.objective.indicator]]\ncode = "Y"\nweight = "1 %"\nunit = "kg"\n',
            "area 1, objective 1, indicator 2: unknown unit 'kg'",
            13,
        ),
    ],
)
def test_plan_file_values_are_checked_where_they_stand(
    text: str, words: str, line: int | None
) -> None:
    with pytest.raises(kf.PlanError) as caught:
        read_plan(text, source="p.toml")
    assert words in str(caught.value)
    assert caught.value.line == line
    assert caught.value.hint


def test_the_plan_file_keeps_language_and_direction() -> None:
    plan = _full_plan(("x",))
    text = dump_plan(plan)
    assert text.splitlines()[5:7] == ['title = "x"', 'language = "it"']
    assert read_plan(text) == plan


def test_nodes_of_a_large_plan_file_find_their_lines_in_linear_time() -> None:
    rows = ['[[node]]\ncode = "M"\nweight = "100 %"\n']
    rows += [
        f'[[node]]\ncode = "I{n}"\nparent = "M"\nweight = "0,01 %"\nformula = "A{n} / B"\n'
        for n in range(10_000)
    ]
    plan = read_plan("\n".join(rows))
    last = plan.groups[0].children[-1]
    assert last.line == 6 * 9_999 + 5  # the line of its [[node]]


def test_a_driver_sheet_of_a_workbook_declares_drivers(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Piano"
    for row in (
        ["codice", "padre", "nome", "peso", "algoritmo"],
        ["M", None, "m", 1, None],
        ["A", "M", "a", 1, "X * 1000 / 50"],
    ):
        book["Piano"].append(row)
    drivers = book.create_sheet("Driver")
    for line in (
        ["codice", "descrizione", "alias"],
        [50, "Imprese iscritte", "IMPRESE\nN_IMP"],
        ["X", None, None],
    ):
        drivers.append(line)
    path = tmp_path / "piano.xlsx"
    book.save(path)
    plan = load_plan(path)
    assert plan.drivers == (
        kf.Driver("50", "Imprese iscritte", None, ("IMPRESE", "N_IMP")),
        kf.Driver("X"),
    )
    (result,) = evaluate_plan(
        plan, {("X", 2025): Decimal(3), ("50", 2025): Decimal(60)}, year=2025
    ).indicators
    assert result.value == Decimal(50)


def test_exported_sheets_say_where_drivers_go(tmp_path: Path) -> None:
    plan = _full_plan(("x",))
    rows = list(
        csv.reader(
            io.StringIO(_written(plan, tmp_path, "csv").read_text(encoding="utf-8-sig")),
            delimiter=";",
        )
    )
    header = rows[2]
    assert rows[:2] == [["titolo", "x"], ["lingua", "it"]]
    drivers = [row for row in rows[3:] if row[header.index("tipo")] == "driver"]
    assert [row[0] for row in drivers] == ["50", "GIORNI", "GIORNI_2", "PRATICHE_EVASE"]
    assert drivers[0][header.index("alias")] == "IMPRESE\nN. imprese"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(_written(plan, tmp_path, "xlsx"))
    assert book.sheetnames == ["piano", "driver"]
    assert [c.value for c in next(book["driver"].iter_rows())] == [
        "codice",
        "descrizione",
        "unità",
        "alias",
    ]


def test_weights_go_to_excel_as_numbers_formatted_to_their_digits(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    plan = _full_plan(("x",))
    book = openpyxl.load_workbook(_written(plan, tmp_path, "xlsx"))
    header = [cell.value for cell in next(book["piano"].iter_rows(min_row=3))]
    weights = {
        row[header.index("id")].value or row[0].value: (row[3].value, row[3].number_format)
        for row in book["piano"].iter_rows(min_row=4)
    }
    assert weights["M1"] == (0.6, "0.00%") and weights["TEMPI"] == (0.3333, "0.00%")
    third = Plan(
        "t",
        baseline_years=(2024,),
        target_years=(2025,),
        groups=(Group("M", "m", Decimal(1) / Decimal(3), plan.groups[0].children),),
    )
    assert load_plan(_written(third, tmp_path, "xlsx")) == third  # a weight no float holds: as text


def test_json_of_a_round_tripped_plan_is_byte_for_byte_the_same(tmp_path: Path) -> None:
    plan = _full_plan(("x",))
    data = read_data(DATA)
    texts = {
        suffix: json.dumps(
            evaluation_payload(evaluate_plan(again, data, year=2025)), sort_keys=True
        )
        for suffix, again in _round_trips(plan, tmp_path).items()
    }
    assert len(set(texts.values())) == 1


@pytest.mark.parametrize(
    ("top", "words", "column"),
    [
        ("titolo;Piano;2025\n", "a titolo row holds one value, and the cell C1 holds '2025'", 3),
        ("titolo;Piano\ntitle;Altro\n", "the title is given twice", None),
        ("lingua;italiano e inglese\n", "'italiano e inglese' is not a language", 2),
        ("codice;padre;nome\n", "the sheet has no peso/weight column", None),
        ("codice;peso;codice\n", "two columns are called 'codice': A and C", 3),
        ("code;peso;codice\n", "the columns 'code' and 'codice' both hold the codice", 3),
        ("codice;peso;pesi\n", "unknown column 'pesi'", 3),
    ],
)
def test_the_rows_above_and_the_header_are_checked(
    tmp_path: Path, top: str, words: str, column: int | None
) -> None:
    sheet = tmp_path / "piano.csv"
    body = "" if top.startswith(("cod", "code")) else "codice;padre;nome;peso\n"
    sheet.write_text(top + body + "M;;m;100 %\n", encoding="utf-8")
    with pytest.raises(kf.PlanError) as caught:
        load_plan(sheet)
    assert words in str(caught.value)
    assert caught.value.column == column
    assert caught.value.hint


def test_an_integra_plan_comes_back_in_its_own_shape_empty_groups_and_all(tmp_path: Path) -> None:
    from kpi_formula.plan import Area, OperationalObjective, StrategicObjective

    indicator = Indicator("D1", "Imprese", Decimal(1), "A + B", unit="N.", targets={2025: ">= 10"})
    plan = Plan(
        "Camera di Esempio",
        areas=(
            Area(
                "1",
                "Competitività",
                Decimal(1),
                (
                    StrategicObjective(
                        "301",
                        "Export",
                        Decimal("0.6"),
                        Decimal("0.3"),
                        (indicator,),
                        Decimal("0.7"),
                        (OperationalObjective("301.1", "Fiere", Decimal(1), (indicator,)),),
                    ),
                    # no operational objective: its weight is the plan's all the same
                    StrategicObjective(
                        "302",
                        "Digitale",
                        Decimal("0.4"),
                        Decimal("0.9"),
                        (indicator,),
                        Decimal("0.1"),
                    ),
                ),
            ),
        ),
        drivers=(kf.Driver("A"), kf.Driver("B")),
        target_years=(2025,),
        baseline_years=(2023, 2024),  # years no indicator fills travel too
    )
    for suffix, again in _round_trips(plan, tmp_path).items():
        assert again == plan, suffix
        assert again.areas[0].objectives[1].operational_weight == Decimal("0.1")


_XML_TEXT = st.characters(
    exclude_categories=["Cs"],
    exclude_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\r\ufffe\uffff",
)
_STARTS = st.sampled_from(
    ["", "=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "'", " ", "\t", "\n"]
)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(_STARTS, st.text(_XML_TEXT, max_size=12)).map("".join), min_size=1, max_size=6
    )
)
def test_any_text_reads_back_as_written_from_every_format(texts: list[str]) -> None:
    import tempfile

    plan = _full_plan(tuple(texts))
    with tempfile.TemporaryDirectory() as folder:
        for suffix, again in _round_trips(plan, Path(folder)).items():
            assert again == plan, suffix


@settings(max_examples=40)
@given(
    st.lists(st.text(st.characters(exclude_categories=["Cs"]), max_size=12), min_size=1, max_size=6)
)
def test_any_text_at_all_reads_back_from_csv_and_toml(texts: list[str]) -> None:
    import tempfile

    plan = _full_plan(tuple(texts))
    with tempfile.TemporaryDirectory() as folder:
        for suffix in ("csv", "toml"):
            assert load_plan(_written(plan, Path(folder), suffix)) == plan, suffix
