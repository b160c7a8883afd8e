"""The analysts' prompt: its language and piped input (a real terminal: test_prompt_terminal)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import kpi_formula as kf
from kpi_formula.i18n import translator
from kpi_formula.repl import Session, complete_code, needs_more

from .conftest import EXAMPLES

MODENA = EXAMPLES / "modena_2025"
KPI = [sys.executable, "-m", "kpi_formula.cli"]


def test_formulas_assignments_and_explain() -> None:
    session = Session(year=2025)
    assert session.handle("A = 110") == "A@2025 = 110"
    assert session.handle("A-1 = 1.000 N.") == "A@2024 = 1.000 N."
    assert session.handle("A@2023 = N/D") == "A@2023 = N/D"
    assert (
        session.handle("(A - A-1) / A-1").splitlines()[0] == "(A - A-1) / A-1 = -0,89  [year 2025]"
    )
    session.handle(":set explain off")
    assert session.handle("A-2 + 1") == "N/D\n  A@2023 is N/D"
    assert session.handle("A * 72") == "7.920"
    assert session.handle("A / 3") == "36,67"
    assert session.handle(":set raw on") == ":set raw on"
    assert session.handle("A / 3") == "36.66666666666666666666666667"


def test_commands() -> None:
    session = Session(year=2025)
    session.handle("A = 3")
    assert session.handle(":year 2024") == "year 2024"
    assert session.handle(":drivers A / B") == "A@2024  missing\nB@2024  missing"
    session.handle(":year 2025")
    assert session.handle(":drivers A / B-1") == "A@2025  3\nB@2024  missing"
    assert session.handle(":data") == "A@2025 = 3"
    assert session.handle(":unset A") == "1 values of A forgotten"
    assert session.handle(":check 1.136 N. >= 1.100 N.") == "met; achievement 100,0 %"
    assert session.handle(":check -10 gg <= -19 gg") == "not met; achievement 52,6 %"
    assert session.handle(":check 94,7 % maggiore o uguale al 90%") == "met; achievement 100,0 %"
    assert session.handle(":check 90,32 % non inferiore al 98 %") == ("not met; achievement 92,2 %")
    assert session.handle(":check 1.800 N. +20% rispetto al 2023, baseline 1.500 N.") == (
        "met; achievement 100,0 %"
    )
    assert session.handle(":set missing zero") == ":set missing zero"
    assert session.handle(":set") == ":set explain on\n:set missing zero\n:set raw off"
    assert ":scorecard" in session.handle(":help")


def test_drivers_holding_dates_are_listed_as_given() -> None:
    session = Session(year=2025)
    session.data[("B1.1.1", 2025)] = dt.date(2024, 12, 25)
    assert session.handle(":drivers B1.1.1") == "B1.1.1@2025  given"


def test_plans_and_data_files() -> None:
    session = Session(year=2024)
    assert "101 indicators" in session.handle(f":plan {MODENA / 'plan.toml'}")
    assert session.handle(f":load {MODENA / 'data.csv'}").startswith("426 values")
    assert "value 1.136 N.; no target for 2024" in session.handle(":indicator D1")
    assert "value 1.136 N.; target 2025 >= 1.100 N.: met; achievement 100,0 %" in (
        session.handle(":indicator D1 2025")
    )
    assert "value 3,86 N.; target 2025 >= 2,60 N.: met" in session.handle(":indicator 400.53 2025")
    assert "score 96,7 %" in session.handle(":scorecard 2025")
    # the plan's catalog reads 50 as the driver of registered firms
    assert session.handle("D2.1_MIMIT.1 * 1000 / 50").startswith(
        "D2.1_MIMIT.1 * 1000 / 50[0] = 3,86"
    )
    # an indicator's code inside a formula is computed from the indicator's own formula
    # (D1 = D1.1.0 + D1.1.1 + ..., where the data has no D1)
    assert ("D1", 2024) not in session.data
    assert session.handle("D1 / 2").splitlines()[:2] == [
        "D1 / 2 = 568  [year 2024]",
        "├─ D1 = 1.136  (D1@2024)",
    ]


@pytest.mark.parametrize(
    "line",
    [
        ":nonsense",
        "A +",
        "1 = 2",
        ":year twenty",
        ":check 5",
        ":check 50 >= 90 %",  # a bare number against a target in %: never guessed
        ":check 1.800 N. +20% rispetto al 2023",  # a relative target without its baseline
        ":indicator D1",
        ":load /no/such.csv",
        "A = abc",
    ],
)
def test_errors_are_library_errors(line: str) -> None:
    with pytest.raises(kf.KpiFormulaError):
        Session(year=2025).handle(line)


def test_continuation_of_unfinished_formulas() -> None:
    assert needs_more("(A +")
    assert needs_more("A *")
    assert not needs_more("(A + B)")
    assert not needs_more(":check 5 >= 4")


@pytest.mark.parametrize("word", ["quit", "exit", "help"])
def test_bare_words_answer_as_pythons_prompt_does(word: str) -> None:
    answer = Session(year=2025).handle(word)
    assert ":quit" in answer or ":help" in answer
    session = Session(year=2025)
    session.handle(f"{word} = 3")  # a driver of that name is a driver
    session.handle(":set explain off")
    assert session.handle(word) == "3"


def test_piped_mode_names_the_line_of_each_error_and_of_unfinished_formulas() -> None:
    done = run_piped("A = 1\n(A +\n\nA +* 2\n:set explain off\nA\n(A +\n", "--year", "2025")
    assert done.returncode == 2
    assert done.stdout.splitlines() == ["A@2025 = 1", ":set explain off", "1"]
    errors = done.stderr.splitlines()
    assert "error (line 2): the formula '(A +' is not finished" in errors
    assert any(line.startswith("error (line 4): two operators in a row") for line in errors)
    assert "error (line 7): the formula '(A +' is not finished" in errors


def test_a_command_on_a_continuation_line_cancels_the_formula_and_runs() -> None:
    done = run_piped("(A +\n:year 2024\n", "--year", "2025")
    assert done.stdout.splitlines() == ["year 2024"]
    assert "(A +" in done.stderr


def run_piped(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KPI, "repl", *args],
        input=script,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_piped_input_scripts_the_prompt() -> None:
    done = run_piped("A = 110\nA-1 = 100\n:set explain off\n(A - A-1) /\n  A-1\n", "--year", "2025")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["A@2025 = 110", "A@2024 = 100", ":set explain off", "0,10"]
    assert "kpi>" not in done.stdout


def test_piped_errors_keep_going_and_set_the_exit_status() -> None:
    done = run_piped("A +* 2\nA = 1\n:set explain off\nA\n", "--year", "2025")
    assert done.returncode == 2
    assert done.stdout.splitlines()[-1] == "1"
    assert "two operators in a row" in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_quit_stops_reading() -> None:
    session = Session(year=2025)
    assert session.handle(":quit") == ""
    assert session.finished
    done = run_piped("A = 1\n:quit\nA +* 2\n", "--year", "2025")
    assert (done.returncode, done.stdout) == (0, "A@2025 = 1\n")


def test_a_mistyped_code_gets_the_close_codes_of_the_session() -> None:
    session = Session(year=2025)
    session.handle("PRATICHE_EVASE = 947")
    session.handle("PRATICHE_RICEVUTE = 1000")
    answer = session.handle("PRATICHE_EVAS / PRATICHE_RICEVUTE")
    assert "N/D" in answer
    assert "warning: PRATICHE_EVAS is not in the data: did you mean 'PRATICHE_EVASE'?" in answer
    assert "did you mean" not in session.handle("PRATICHE_EVASE / PRATICHE_RICEVUTE")


def test_a_plans_codes_are_suggested_too() -> None:
    session = Session(year=2024)
    session.handle(f":plan {MODENA / 'plan.toml'}")
    session.handle(":set explain off")
    answer = session.handle("D2.1_MIMIT.I * 2")
    assert "D2.1_MIMIT.I is not in the data: did you mean" in answer
    assert "'D2.1_MIMIT.1'" in answer


def test_explain_is_a_command_on_a_formula_or_an_indicator() -> None:
    session = Session(year=2024)
    session.handle(f":plan {MODENA / 'plan.toml'}")
    session.handle(f":load {MODENA / 'data.csv'}")
    session.handle(":set explain off")
    explained = session.handle(":explain D1").splitlines()
    assert explained[0].startswith("D1.1.0 + D1.1.1")
    assert explained[0].endswith("= 1.136  [year 2024]")
    assert any(line.endswith("D1.1.0 = 95  (D1.1.0@2024)") for line in explained)
    assert session.handle(":explain A / 2").startswith("A / 2 = N/D")
    with pytest.raises(kf.KpiFormulaError, match=":set explain off"):
        session.handle(":explain off")
    with pytest.raises(kf.KpiFormulaError, match="explain what"):
        session.handle(":explain")


def test_missing_lists_what_the_data_lacks() -> None:
    session = Session(year=2025)
    session.handle("A = 1")
    session.handle("B-1 = N/D")
    assert session.handle(":missing A + B-1 + C") == (
        "B@2024  N/D  (for A + B-1 + C)\nC@2025  missing  (for A + B-1 + C)"
    )
    assert session.handle(":missing A") == "nothing is missing for 2025"
    session.handle("A / D")
    assert session.handle(":missing") == "D@2025  missing  (for A / D)"
    with pytest.raises(kf.KpiFormulaError, match=":set missing zero"):
        session.handle(":missing zero")
    with pytest.raises(kf.KpiFormulaError, match="missing for what"):
        Session(year=2025).handle(":missing")


def test_missing_for_a_plan_names_who_needs_each_value() -> None:
    session = Session(year=2024)
    session.handle(f":plan {MODENA / 'plan.toml'}")
    session.handle(f":load {MODENA / 'data.csv'}")
    lines = session.handle(":missing").splitlines()
    assert "82.A3.1_INSTAGRAM@2024  N/D  (for 82.A3.1_INSTAGRAM)" in lines
    assert all("missing" in line or "N/D" in line for line in lines)
    session.handle(":year 2026")
    assert "D1.1.0_0@2026  missing  (for D1.1.0)" in session.handle(":missing")


def test_underscore_is_the_last_value() -> None:
    session = Session(year=2025)
    session.handle(":set explain off")
    with pytest.raises(kf.KpiFormulaError, match="nothing has been evaluated yet"):
        session.handle("_ * 2")
    session.handle("A = 110")
    assert session.handle("A / 3") == "36,67"
    assert session.handle("_ * 3") == "110"
    assert session.handle("_ + 1") == "111"
    assert session.handle("B = _") == "B@2025 = 111"
    session.handle("_ = 5")  # a driver named _ is a driver
    assert session.handle("_ * 2") == "10"


def test_codes_with_spaces_complete() -> None:
    codes = ["N ImprAtt", "N ImprAtt_UULL_Tot", "Controlli Servizi", "Controlli Voucher", "A"]
    assert complete_code("N ImprAtt_U", codes) == (0, ["N ImprAtt_UULL_Tot"])
    assert complete_code("(A + Controlli S", codes) == (5, ["Controlli Servizi"])
    assert complete_code("A / Controlli ", codes) == (4, ["Controlli Servizi", "Controlli Voucher"])
    assert complete_code("A", codes) == (1, [])  # complete already
    assert complete_code("A + ", codes) == (4, [])


def test_the_prompt_speaks_italian() -> None:
    session = Session(year=2025, language="it")
    assert session.handle(":year") == "anno 2025"
    assert session.handle(":check 90,32 % >= 98 %") == (
        "non raggiunto; grado di raggiungimento 92,2 %"
    )
    assert session.handle(":data").startswith("ancora nessun dato")
    assert session.handle(":help").startswith("FORMULA                    il suo valore")
    assert session.handle(":lang en") == "language: en"
    assert session.handle(":year") == "year 2025"
    error = None
    try:
        Session(language="it").handle(":nonsense")
    except kf.KpiFormulaError as raised:
        error = raised
    assert error is not None
    assert translator("it").error(error).startswith("comando sconosciuto: ':nonsense'")


def test_piped_errors_speak_the_language() -> None:
    done = run_piped("A +* 2\n(A +\n", "--year", "2025", "--lang", "it")
    assert done.returncode == 2
    assert "errore (riga 1): " in done.stderr
    assert "errore (riga 2): la formula '(A +' non è finita" in done.stderr


def test_unset_without_a_code_says_what_it_needs() -> None:
    session = Session(year=2025)
    with pytest.raises(kf.KpiFormulaError) as caught:
        session.handle(":unset")
    assert ":unset CODE" in str(caught.value.hint)


@pytest.mark.parametrize("line", ["A =", "A = ", "A-1 =  ", "A@2024 ="])
def test_an_assignment_without_a_value_is_hinted_for_the_prompt(line: str) -> None:
    session = Session(year=2025)
    with pytest.raises(kf.KpiFormulaError) as caught:
        session.handle(line)
    assert "needs a value" in str(caught.value.reason)
    assert "parse_target" not in str(caught.value.hint)
    assert "CODE = VALUE" in str(caught.value.hint)


@pytest.mark.parametrize("divisor", ["0", "0.0", "(1 - 1)"])
def test_a_division_by_zero_says_no_empty_equation(divisor: str) -> None:
    result = kf.evaluate(f"A / {divisor}", {"A": 1}, year=2025)
    (reason,) = result.reasons
    assert reason.startswith(f"division by zero in 'A / {divisor}'")
    assert ("0 = 0" in reason) is False
    assert ("(1 - 1 = 0)" in reason) is (divisor == "(1 - 1)")


def test_values_typed_with_units_keep_them_at_the_prompt() -> None:
    session = Session(year=2025)
    session.handle("A = 72,10 %")
    session.handle("B = 3 gg")
    with pytest.raises(kf.UnitMismatchError):
        session.handle("A + B")
    assert session.handle("C = 1.000 €") == "C@2025 = 1.000 €"
    assert session.handle("C * 2").startswith("C * 2 = 2.000")
