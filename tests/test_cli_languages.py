"""The command line speaks the reader's language: help, usage errors, messages.

``--lang`` on every command, then ``KPI_FORMULA_LANG``, then the plan's
``language``, then the locale, then English; JSON stays English.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_formula.cli import main

from .conftest import EXAMPLES

MODENA = EXAMPLES / "modena_2025"
COMMANDS = ["eval", "explain", "parse", "lint", "drivers", "check", "repl", "plan"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    captured = capsys.readouterr()
    return status, out.getvalue() + captured.out, captured.err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_lang_and_its_help_is_italian(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output, _ = run(capsys, command, "--lang", "it", "--help")
    assert status == 0
    assert output.startswith("uso: kpi-formula")
    assert "opzioni:" in output and "mostra questo aiuto ed esce" in output
    assert "--lang LANG" in output and "la lingua di chi legge" in output
    status, output, _ = run(capsys, command, "--lang", "en", "--help")
    assert output.startswith("usage: kpi-formula") and "show this help message" in output


def test_the_help_of_a_command_says_its_options_in_italian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, output, _ = run(capsys, "--lang", "it", "check", "--help")
    assert "argomenti posizionali:" in output
    assert "confronta un valore con un target" in output
    assert "--direction DIRECTION" in output and "crescente|higher|↑" in output
    _, output, _ = run(capsys, "plan", "scorecard", "--lang=it", "--help")
    assert "il foglio dei dati .xlsx" in output and "--data-sheet NAME" in output


def test_usage_errors_are_said_in_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--lang", "it", "check", ">= 5")
    assert status == 2
    assert "uso: kpi-formula check" in err
    assert "kpi-formula check: errore: mancano gli argomenti obbligatori: actual" in err
    status, _, err = run(capsys, "evl", "--lang", "it")
    assert status == 2 and "scelta non valida: 'evl'" in err
    status, _, err = run(capsys, "check", ">= 5")
    assert "the following arguments are required: actual" in err


def test_a_language_not_spoken_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "eval", "A", "A=1", "--lang", "de")
    assert status == 2 and "--lang names the language 'de'" in err


def test_the_environment_and_the_locale_choose_when_lang_does_not(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    _, output, _ = run(capsys, "check", ">= 98,00 %", "90,32 %")
    assert output == "non raggiunto; grado di raggiungimento 92,2 %\n"
    monkeypatch.setenv("KPI_FORMULA_LANG", "en")
    _, output, _ = run(capsys, "check", ">= 98,00 %", "90,32 %")
    assert output == "not met; achievement 92,2 %\n"
    _, output, _ = run(capsys, "check", ">= 98,00 %", "90,32 %", "--lang", "it")
    assert output.startswith("non raggiunto")


def test_json_stays_english_for_programs(capsys: pytest.CaptureFixture[str]) -> None:
    _, output, _ = run(capsys, "--lang", "it", "eval", "A / B", "A=1", "B=0", "--json")
    payload = json.loads(output)
    assert payload["reasons"] == ["division by zero in 'A / B' (B = 0)"]
    assert "evaluation year" in payload["warnings"][0]


def test_errors_are_italian_paragraphs(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--lang", "it", "check", ">= 90 %", "85")
    assert status == 2
    assert err.startswith("kpi-formula: il valore è 85 senza unità")
    assert "\nsuggerimento: " in err
    status, _, err = run(capsys, "--lang", "it", "eval", "A", "A=1", "A=2", "--year", "2025")
    assert "A@2025 è dato due volte, con valori diversi" in err


def test_eval_warns_as_the_prompt_does(capsys: pytest.CaptureFixture[str]) -> None:
    status, output, err = run(capsys, "eval", "A * 1.000", "A=5", "--year", "2025")
    assert (status, output) == (0, "5.000\n")
    assert "kpi-formula: warning: thousands: " in err and "1.000" in err
    _, output, _ = run(capsys, "eval", "A * 1.000", "A=5", "--year", "2025", "--json")
    warnings = json.loads(output)["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("thousands: ")
    _, _, err = run(capsys, "--lang", "it", "eval", "A * 1.000", "A=5", "--year", "2025")
    assert "kpi-formula: avviso: thousands: " in err


def test_a_bare_target_without_a_direction_is_at_least_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, output, err = run(capsys, "check", "25", "25,7")
    assert (status, output) == (0, "met; achievement 100,0 %\n")
    assert "read as at least 25" in err
    _, output, _ = run(capsys, "check", "25", "25,7", "--json")
    assert json.loads(output)["met"] is True
    assert "read as at least 25" in json.loads(output)["notes"][0]


@pytest.mark.parametrize("direction", ["decrescente", "lower", "↓", "DECRESCENTE"])
def test_a_falling_indicators_bare_target_is_at_most(
    direction: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output, err = run(capsys, "check", "25", "25,7", "--direction", direction)
    assert (status, output, err) == (0, "not met; achievement 97,3 %\n", "")


@pytest.mark.parametrize("direction", ["crescente", "higher", "↑"])
def test_a_rising_indicators_bare_target_is_at_least(
    direction: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output, err = run(capsys, "check", "25", "24", "--direction", direction, "--json")
    payload = json.loads(output)
    assert (status, payload["met"], payload["achievement"], payload["notes"], err) == (
        0,
        False,
        "0.96",
        [],
        "",
    )


def test_an_unknown_direction_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check", "25", "24", "--direction", "sideways")
    assert status == 2 and "unknown direction 'sideways'" in err


def test_a_plan_speaks_its_own_language(tmp_path: Path) -> None:
    plan = tmp_path / "piano.toml"
    text = (MODENA / "plan.toml").read_text(encoding="utf-8")
    plan.write_text('language = "it"\n' + text, encoding="utf-8")
    argv = ["plan", "scorecard", str(plan), "--data", str(MODENA / "data.csv"), "--year", "2024"]
    out = io.StringIO()
    assert main([*argv, "--targets", "2025"], out=out) == 0
    assert "punteggio 96,7 %" in out.getvalue()
    out = io.StringIO()
    assert main([*argv, "--targets", "2025", "--lang", "en"], out=out) == 0
    assert "score 96,7 %" in out.getvalue()


def test_a_process_speaks_the_language_of_its_environment() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_formula", "lint", "A * 1.000"],
        capture_output=True,
        text=True,
        check=False,
        env={"KPI_FORMULA_LANG": "it", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and done.stdout.startswith("colonna 5: thousands: ")


def test_explain_says_its_steps_in_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    status, output, _ = run(
        capsys, "explain", "A / B", "A=1", "B=0", "--year", "2025", "--lang", "it"
    )
    assert status == 0
    assert output.splitlines() == [
        "A / B = N/D  [anno 2025]",
        "├─ A = 1  (A@2025)",
        "└─ B = 0  (B@2025)",
        "N/D perché:",
        "  - divisione per zero in 'A / B' (B = 0)",
    ]
