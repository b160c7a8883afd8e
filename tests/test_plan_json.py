"""The plan's JSON: exact decimals for the Python engine, 15 digits (and saying so) for
DuckDB's floating point; each error of a plan said once."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any

import pytest

from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.decimals import decimal_text
from kpi_formula.plan.evaluate import evaluate_plan
from kpi_formula.plan.planfile import load_plan

from .conftest import EXAMPLES

MODENA = EXAMPLES / "modena_2025"
ARGV = [
    "plan",
    "evaluate",
    str(MODENA / "plan.toml"),
    "--data",
    str(MODENA / "data.csv"),
    "--year",
    "2024",
    "--targets",
    "2025",
    "--json",
]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_the_python_engines_json_is_exact_as_check_json_is() -> None:
    status, output = run(*ARGV)
    payload = json.loads(output)
    assert status == 0 and payload["significant_digits"] is None
    evaluation = evaluate_plan(
        load_plan(MODENA / "plan.toml"),
        load_data(MODENA / "data.csv"),
        year=2024,
        target_year=2025,
    )
    assert evaluation.score is not None
    assert Decimal(payload["score"]) == evaluation.score
    assert len(payload["score"]) == len("0.9665562858480360436591439631")
    by_id = {entry["id"]: entry for entry in payload["indicators"]}
    _, checked = run("check", ">= 98,00 %", "90,32 %", "--json")
    assert by_id["803.S1"]["achievement"] == json.loads(checked)["achievement"]
    assert by_id["803.S1"]["achievement"] == "0.9216326530612244897959183673"
    for result in evaluation.indicators:
        if isinstance(result.value, Decimal):
            assert Decimal(by_id[result.id]["value"]) == result.value, result.id


_FIFTEEN = Context(prec=15, rounding=ROUND_HALF_EVEN)


_NUMBERS = {"value", "achievement", "score", "weight"}


def _rounded(value: Any, key: str = "") -> Any:
    """The decimals of a plan's JSON object at 15 significant digits."""
    if isinstance(value, dict):
        return {name: _rounded(each, name) for name, each in value.items()}
    if isinstance(value, list):
        return [_rounded(each, key) for each in value]
    if key in _NUMBERS and isinstance(value, str) and "-" not in value[1:]:  # not a date
        rounded = _FIFTEEN.normalize(Decimal(value))
        return decimal_text(rounded) if rounded else "0"
    return value


@pytest.mark.parametrize("year", ["2022", "2023", "2024"])
def test_duckdb_states_its_digits_and_agrees_to_fifteen(year: str) -> None:
    pytest.importorskip("duckdb")
    argv = [*ARGV[:6], year, *ARGV[7:]]
    _, exact = run(*argv)
    _, duck = run(*argv, "--engine", "duckdb")
    python_payload, duck_payload = json.loads(exact), json.loads(duck)
    assert duck_payload.pop("significant_digits") == 15
    assert python_payload.pop("significant_digits") is None
    assert _rounded(python_payload) == duck_payload
    assert _rounded(duck_payload) == duck_payload  # nothing beyond its fifteen digits


BAD = (
    "codice;padre;nome;peso;algoritmo;unità;target 2025\n"
    "G;;Gruppo;100 %;;;\n"
    "X;G;Indicatore X;50 %;A +* B;N.;>= 5 N.\n"
    "Y;G;Indicatore Y;50 %;A;N.;>= 5 N.\n"
)


@pytest.mark.parametrize("force", [False, True])
def test_an_unparsable_formula_is_reported_once(
    tmp_path: Path, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "piano.csv"
    plan.write_text(BAD, encoding="utf-8")
    data = tmp_path / "dati.csv"
    data.write_text("code;year;value\nA;2025;3\nB;2025;4\n", encoding="utf-8")
    argv = ["plan", "scorecard", str(plan), "--data", str(data), "--year", "2025"]
    status, output = run(*argv, *(["--force"] if force else []))
    err = capsys.readouterr().err
    assert (status, output) == (1, "")
    assert err.count("two operators in a row") == 1, err
    assert ("cannot be scored, even with --force" in err) is force
    status, output = run("plan", "validate", str(plan))
    assert status == 1 and output.count("two operators in a row") == 1, output
