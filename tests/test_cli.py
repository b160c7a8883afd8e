"""The kpi-formula command line: output, exit status, errors without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import kpi_formula as kf
from kpi_formula.cli import main


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
    }
    status, output = run("check", ">= 98,00 %", "90,32 %", "--scoring", "range:0.7:0.9", "--json")
    payload = json.loads(output)
    assert (payload["met"], payload["achievement"]) == (False, "1")
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
