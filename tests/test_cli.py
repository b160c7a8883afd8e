"""The kpi-formula command line: output, exit status, errors without tracebacks."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.decimals import decimal_text
from kpi_formula.values import Quantity, format_value

from .conftest import EXAMPLES


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_eval_json_of_the_contract() -> None:
    status, output = run(
        "eval", "(A - A-1) / A-1", "A=110", "A@2024=100", "--year", "2025", "--json"
    )
    assert status == 0
    payload = json.loads(output)
    assert {key: payload[key] for key in ("value", "missing", "reasons")} == {
        "value": "0.1",
        "missing": False,
        "reasons": [],
    }
    # the same shape as Result.to_dict(): a service reads it back as a Result
    expected = kf.evaluate("(A - A-1) / A-1", {"A": 110, ("A", 2024): 100}, year=2025)
    assert kf.Result.from_dict(payload) == expected
    assert kf.Result.from_dict(payload).inputs == expected.inputs


def test_eval_nd_is_a_success_with_reasons() -> None:
    status, output = run("eval", "A / B", "A=1", "B=0", "--year", "2025", "--json")
    assert status == 0
    payload = json.loads(output)
    assert {key: payload[key] for key in ("value", "missing", "reasons")} == {
        "value": None,
        "missing": True,
        "reasons": ["division by zero in 'A / B' (B = 0)"],
    }


def test_eval_reads_italian_values_and_data_files(tmp_path: pytest.TempPathFactory) -> None:
    data = tmp_path / "data.csv"  # type: ignore[operator]
    data.write_text("code;year;value\nA;2024;1.000\nA;2025;1.100\n", encoding="utf-8")
    status, output = run("eval", "(A - A-1) / A-1", "--data", str(data), "--year", "2025")
    assert (status, output) == (0, "0.1\n")


def test_check_json_of_the_contract() -> None:
    status, output = run("check", ">= 1.100 N.", "1.136 N.", "--json")
    assert status == 0
    assert json.loads(output) == {
        "met": True,
        "achievement": "1",
        "actual": "1136",
        "actual_text": "1.136 N.",
        "target": ">= 1.100 N.",
        "threshold": "1100",
        "notes": [],
        "unit": "N.",
    }
    status, output = run("check", ">= 98,00 %", "90,32 %", "--scoring", "range:0.7:0.9", "--json")
    payload = json.loads(output)
    assert (payload["met"], payload["achievement"]) == (False, "0.999")  # missed: never 100 %
    assert kf.Outcome.from_dict(payload) == kf.parse_target(">= 98,00 %").check(
        "90,32 %", scoring=kf.RangeScoring()
    )


def test_parse_json() -> None:
    status, output = run("parse", "(EUREKA.anno.n - EUREKA.anno-1) / EUREKA.anno-1", "--json")
    assert status == 0
    assert json.loads(output) == {
        "canonical": "(EUREKA - EUREKA-1) / EUREKA-1",
        "references": [{"code": "EUREKA", "offset": -1}, {"code": "EUREKA", "offset": 0}],
        "drivers": ["EUREKA"],
    }


def test_explain_and_drivers() -> None:
    status, output = run("explain", "A / B", "A=3", "B=0", "--year", "2025")
    assert status == 0 and "B = 0  (B@2025)" in output
    status, output = run("drivers", "A / B-1", "A=3", "--year", "2025", "--json")
    assert json.loads(output)["drivers"] == [
        {"code": "A", "year": 2025, "offset": 0, "status": "given", "value": "3"},
        {"code": "B", "year": 2024, "offset": -1, "status": "missing", "value": None},
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "A +"],
        ["eval", "A", "A=1.100"],
        ["eval", "A", "oops"],
        ["check", ">= 5", "abc"],
        ["check", ">= 5 N.", "5 gg"],
        ["check", ">= 5", "5", "--scoring", "median"],
        ["eval", "A", "--data", "/nonexistent.csv"],
        ["nonsense"],
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = run(*argv)
    assert status == 2
    error = capsys.readouterr().err
    assert error
    assert "Traceback" not in error


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_formula.cli", "eval", "A +"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "ends with the operator" in done.stderr
    assert "Traceback" not in done.stderr


EVAL_ARGUMENTS = ["eval", "A / B", "A=1", "B=4", "--year", "2025"]


def _command(
    arguments: list[str],
    *,
    closing: int | None = None,
    in_child: Callable[[], None] | None = None,
    **options: Any,
) -> subprocess.CompletedProcess[str]:
    """The command in a fresh process, with the descriptor ``closing`` closed in it and
    ``in_child`` run in it first; ``options`` go to :func:`subprocess.run`."""

    def prepare() -> None:
        if closing is not None:
            os.close(closing)
        if in_child is not None:
            in_child()

    return subprocess.run(
        [sys.executable, "-m", "kpi_formula", *arguments],
        text=True,
        check=False,
        timeout=60,
        preexec_fn=prepare,
        **options,
    )


def test_a_closed_output_is_said_on_stderr_with_status_1() -> None:
    done = _command(EVAL_ARGUMENTS, closing=1, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr.startswith("kpi-formula: the standard output is closed")
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("arguments", [EVAL_ARGUMENTS, ["--lang", "it", *EVAL_ARGUMENTS]])
def test_a_full_disk_is_said_on_stderr_with_status_1(arguments: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = _command(arguments, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] in (
        "kpi-formula: cannot write the output: the disk is full",
        "kpi-formula: impossibile scrivere il risultato: il disco è pieno",
    )
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_a_reader_that_left_ends_the_command_quietly_with_status_1() -> None:
    reading, writing = os.pipe()
    os.close(reading)  # as `| head` does once it has read enough
    try:
        done = _command(EVAL_ARGUMENTS, stdout=writing, stderr=subprocess.PIPE)
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (1, "")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_a_stderr_that_cannot_be_written_leaves_the_answer_alone(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    # a warning is due (no --year), and stderr is full
    with answer.open("w") as stdout, open("/dev/full", "w", encoding="utf-8") as full:
        done = _command(["eval", "A / B", "A=1", "B=4"], stdout=stdout, stderr=full)
    assert done.returncode == 0
    assert answer.read_text(encoding="utf-8") == "0.25\n"


def test_a_closed_stderr_leaves_the_answer_and_the_status_alone() -> None:
    # no --year: a warning is due, on a stderr that is closed
    done = _command(["eval", "A / B", "A=1", "B=4"], closing=2, stdout=subprocess.PIPE)
    assert (done.returncode, done.stdout) == (0, "0.25\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_help_that_cannot_be_written_is_said_as_any_output_is() -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = _command(["--help"], stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr.startswith("kpi-formula: cannot write the output: the disk is full")
    assert "Exception ignored" not in done.stderr


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_an_answer_cut_short_by_a_file_size_limit_is_said(tmp_path: Path, unbuffered: str) -> None:
    # unbuffered, the interpreter itself ignores a write that takes only part of the text
    import resource

    answer = tmp_path / "answer.csv"
    modena = EXAMPLES / "modena_2025"
    arguments = [
        *("plan", "scorecard", str(modena / "plan.toml"), "--data", str(modena / "data.csv")),
        *("--year", "2024", "--targets", "2025", "--csv"),
    ]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))

    with answer.open("w") as stdout:
        done = _command(
            arguments,
            in_child=limit,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": unbuffered},
        )
    assert done.returncode == 1
    assert "kpi-formula: cannot write the output: File too large" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_script_at_the_prompt_cut_short_by_ctrl_c_ends_with_status_130() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kpi_formula", "repl", "--year", "2025"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("1 + 1\n")
    process.stdin.flush()
    assert process.stdout.readline().startswith("1 + 1 = 2")  # it runs, and waits for more
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in error


def test_help_is_the_answer_and_goes_where_the_answer_goes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    assert main(["--help"], out=out) == 0
    assert out.getvalue().startswith("usage: kpi-formula")
    assert capsys.readouterr().out == ""


def test_the_prompt_with_its_input_closed_says_so_with_status_2() -> None:
    done = _command(["repl"], closing=0, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.startswith("kpi-formula: the standard input is closed")
    assert "Traceback" not in done.stderr


def run_with_stderr(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status, output = run(*argv)
    return status, output, capsys.readouterr().err


def test_a_missing_code_gets_the_close_codes_of_the_data(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dati.csv"  # type: ignore[operator]
    data.write_text(
        "code;year;value\nPRATICHE_EVASE;2025;947\nPRATICHE_RICEVUTE;2025;1000\n"
        "pratiche_sospese;2025;3\n",
        encoding="utf-8",
    )
    status, output, err = run_with_stderr(
        capsys, "eval", "PRATICHE_EVAS / PRATICHE_RICEVUTE", "--data", str(data), "--year", "2025"
    )
    assert status == 0 and output.startswith("N/D")
    assert "PRATICHE_EVAS is not in the data: did you mean 'PRATICHE_EVASE'?" in err
    status, output, err = run_with_stderr(
        capsys, "eval", "PRATICHE_SOSPESE", "--data", str(data), "--year", "2025", "--json"
    )
    warnings = json.loads(output)["warnings"]
    assert warnings == ["PRATICHE_SOSPESE is not in the data: did you mean 'pratiche_sospese'?"]


def test_values_given_but_never_read_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    status, output, err = run_with_stderr(capsys, "eval", "A / B", "A@2025=1", "B@2025=2")
    assert (status, output) == (0, "0.5\n")
    assert "evaluation year 2025: the latest year in the data (pass --year)" in err
    # a bare CODE=VALUE beside CODE@YEAR=VALUE: whose year? asked, never guessed
    status, output, err = run_with_stderr(capsys, "eval", "A / B", "A=1", "B=2", "A@2024=4")
    assert status == 2 and "names no year, and others do" in err
    status, output, err = run_with_stderr(capsys, "eval", "A", "A=1", "A=2", "--year", "2025")
    assert status == 2 and "given twice" in err
    status, output, err = run_with_stderr(
        capsys, "eval", "A / B", "A=1", "B=2", "A@2024=4", "--year", "2025", "--json"
    )
    assert json.loads(output)["warnings"] == ["given but not read by the formula for 2025: A@2024"]


def test_the_year_is_stated_when_assumed_and_required_when_it_matters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, output, err = run_with_stderr(capsys, "eval", "A * 2", "A=3")
    assert status == 0 and output == "6\n"
    assert "evaluation year" in err and "this year (pass --year)" in err
    status, output, err = run_with_stderr(capsys, "eval", "(A - A-1) / A-1", "A=3")
    assert status == 2
    assert "reads prior years" in err and "--year" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", ">= 90,00 %", "50"], "is 50 without a unit, against a unit of %"),
        (["check", ">= 90,00 %", "1.5"], "is 1,5 without a unit, against a unit of %"),
        (["check", ">= 1.000 N.", "1.100"], "ambiguous"),
        (["eval", "A", "A=1.100", "--year", "2025"], "ambiguous"),
        (["eval", "A / 1.000.000", "A=1", "--year", "2025"], "write the number without dots"),
        (["check", "Aumento del 20% rispetto alla baseline", "1.800 N."], "--baseline VALUE"),
        (["check", ">= 1", "1", "--scoring", "range:90%:70%"], "floor < ceiling"),
        (["check", ">= 1", "1", "--scoring", "rnage"], "range:70%:90%"),
    ],
)
def test_typed_numbers_follow_one_rule_and_hints_speak_cli(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_with_stderr(capsys, *argv)
    assert status == 2
    assert words in err
    assert "Decimal(" not in err and "kf." not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("actual", "met"),
    [("95 %", True), ("95,0 %", True), ("71.90 %", False), ("0,95 %", False), ("0,95", True)],
)
def test_percentages_typed_with_their_sign(actual: str, met: bool) -> None:
    status, output = run("check", ">= 90,00 %", actual, "--json")
    assert status == 0 and json.loads(output)["met"] is met


@pytest.mark.parametrize(
    "scoring", ["range:70%:90%", "range:70:90", "range:0,7:0,9", "range:0.7:0.9"]
)
def test_scoring_in_the_users_words(scoring: str) -> None:
    status, output = run("check", ">= 98,00 %", "90,32 %", "--scoring", scoring, "--json")
    assert status == 0 and json.loads(output)["achievement"] == "0.999"  # missed: below 100 %


def test_relative_targets_on_the_command_line() -> None:
    status, output = run(
        "check",
        "Aumento del 20% rispetto alla baseline",
        "1.750 N.",
        "--baseline",
        "1.500 N.",
        "--json",
    )
    payload = json.loads(output)
    assert (status, payload["met"], payload["baseline"]) == (0, False, "1500")


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_formula", "eval", "A * 2", "A=3", "--year", "2025"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "6\n")


def test_a_baseline_for_a_target_that_is_not_relative_is_said_unused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, output, err = run_with_stderr(capsys, "check", ">= 5", "5", "--baseline", "3")
    assert status == 0 and output.startswith("met") and "baseline was not used" in err
    status, output = run("check", ">= 5", "5", "--baseline", "3", "--json")
    assert any("baseline was not used" in note for note in json.loads(output)["notes"])


def test_a_zero_achievement_has_no_sign() -> None:
    status, output = run("check", "<= -19 gg", "0 gg")
    assert (status, output) == (0, "not met; achievement 0,0 %\n")
    status, output = run("check", "<= -19 gg", "0 gg", "--json")
    assert json.loads(output)["achievement"] == "0"


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("2024: <= 150 gg  2025: <= 12 gg", "needs the year it is judged for"),
        (">= 90% nel 2025", "give one target"),
        ("=> 50,00 %    => 60,00 %", "give one target"),
    ],
)
def test_a_cell_of_several_targets_is_explained_in_words_not_functions(
    target: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_with_stderr(capsys, "check", target, "10 gg")
    assert status == 2 and words in err and "holds 2 targets: " in err
    assert "parse_targets" not in err and "kf." not in err


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("30 gg prima della scadenza", "'prima'"),
        ("Aumento del 10 rispetto al 2023", "the % is missing"),
    ],
)
def test_words_that_change_the_meaning_are_refused_on_the_command_line(
    target: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_with_stderr(
        capsys, "check", target, "-24 gg", "--direction", "decrescente", "--baseline", "3 gg"
    )
    assert status == 2 and words in err and "hint:" in err


def _places(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and -6 <= exponent <= 0


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12
    ).filter(_places)
)
def test_eval_prints_its_value_the_readers_way(value: Decimal) -> None:
    typed = f"A={format_value(Quantity(value, 'N.'))}"
    status, italian = run("eval", "A", typed, "--year", "2025", "--lang", "it")
    assert status == 0
    shown = italian.strip()
    assert kf.parse_value(shown).amount == value  # type: ignore[union-attr]  # read as written
    status, english = run("eval", "A", typed, "--year", "2025", "--lang", "en")
    assert Decimal(english.strip()) == value and "," not in english
    status, output = run("eval", "A", typed, "--year", "2025", "--lang", "it", "--json")
    assert json.loads(output)["value"] == decimal_text(value)


def test_eval_of_the_readme_examples_in_italian_and_english() -> None:
    assert run("eval", "A * 1.000", "A=5", "--year", "2025", "--lang", "it")[1] == "5,000\n"
    assert run("eval", "A * 1.000", "A=5", "--year", "2025", "--lang", "en")[1] == "5.000\n"
    assert run("eval", "A", "A=1,000", "--year", "2025", "--lang", "it")[1] == "1,000\n"
    assert run("eval", "A", "A=1234567,5", "--year", "2025", "--lang", "it")[1] == "1.234.567,5\n"
    assert run("eval", "A", "A=1234567,5", "--year", "2025", "--lang", "en")[1] == "1234567.5\n"
