"""The ``kpi-formula`` command line.

Exit status: 0 on success (an N/D result is a success), 1 when a plan check
finds problems, 2 on bad input — with a one-paragraph message on stderr and
never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TextIO

from .data import DataTable, load_data, parse_data_value
from .decimals import decimal_text
from .errors import KpiFormulaError
from .evaluator import Result, evaluate
from .formula import Formula, parse
from .lint import lint
from .missing import ND
from .plan.cli import add_plan_commands
from .targets import BINARY, PROPORTIONAL, Outcome, RangeScoring, Scoring, parse_target

__all__ = ["main"]

_ASSIGNMENT = re.compile(r"(?P<code>[^=@]+?)(?:@(?P<year>[0-9]{4}))?=(?P<value>.*)", re.DOTALL)


class _UsageError(KpiFormulaError):
    """Bad command-line arguments."""


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)  # pragma: no cover


def print_json(payload: object, out: TextIO) -> None:
    """Write one JSON object; decimals as strings."""
    json.dump(payload, out, ensure_ascii=False, default=_json_default)
    out.write("\n")


def parse_assignment(text: str, year: int) -> tuple[tuple[str, int], Any]:
    """Read ``CODE=VALUE`` or ``CODE@YEAR=VALUE`` (the value in either format)."""
    match = _ASSIGNMENT.fullmatch(text)
    if match is None or not match["code"].strip():
        raise _UsageError(
            f"cannot read the assignment {text!r}",
            hint="write CODE=VALUE or CODE@YEAR=VALUE, e.g. A=110 or A@2024=100",
        )
    key_year = int(match["year"]) if match["year"] else year
    return (match["code"].strip(), key_year), parse_data_value(match["value"])


def _data(args: argparse.Namespace) -> DataTable:
    data: DataTable = {}
    if getattr(args, "data", None):
        data.update(load_data(args.data))
    for assignment in getattr(args, "assignments", None) or ():
        key, value = parse_assignment(assignment, args.year)
        data[key] = value
    return data


def result_payload(result: Result) -> dict[str, Any]:
    """The JSON object of an evaluation: :meth:`Result.to_dict` (``value``,
    ``missing``, ``reasons`` first, as CONTRACT §3 has them)."""
    return result.to_dict()


def outcome_payload(outcome: Outcome) -> dict[str, Any]:
    """The JSON object of a target check: :meth:`Outcome.to_dict`."""
    return outcome.to_dict()


def outcome_text(outcome: Outcome) -> str:
    """An outcome in words: ``met; achievement 1``."""
    met = {True: "met", False: "not met", None: "N/D"}[outcome.met]
    achievement = "-" if outcome.achievement is None else decimal_text(outcome.achievement)
    return f"{met}; achievement {achievement}"


def driver_rows(formula: Formula, data: DataTable, year: int) -> list[dict[str, Any]]:
    """The drivers a formula needs for ``year``: each ``code@year``, whether the
    data gives it, holds it as N/D or lacks it, and its value."""
    rows = []
    for ref in sorted(formula.references):
        when = year + ref.offset
        value = data.get((ref.code, when))
        status = "missing" if value is None else ("N/D" if value is ND else "given")
        rows.append(
            {
                "code": ref.code,
                "year": when,
                "offset": ref.offset,
                "status": status,
                "value": value if isinstance(value, Decimal) else None,
            }
        )
    return rows


def driver_lines(rows: list[dict[str, Any]]) -> list[str]:
    """``code@year  value`` (or its status) for each row of :func:`driver_rows`."""
    return [
        f"{row['code']}@{row['year']}  "
        + (decimal_text(row["value"]) if row["value"] is not None else row["status"])
        for row in rows
    ]


def parse_scoring(text: str) -> Scoring:
    """``proportional``, ``binary`` or ``range[:FLOOR:CEILING]`` (fractions)."""
    name, _, bounds = text.partition(":")
    if name == "proportional" and not bounds:
        return PROPORTIONAL
    if name == "binary" and not bounds:
        return BINARY
    if name == "range":
        if not bounds:
            return RangeScoring()
        floor, _, ceiling = bounds.partition(":")
        try:
            return RangeScoring(Decimal(floor), Decimal(ceiling))
        except ArithmeticError:
            pass
    raise _UsageError(
        f"unknown scoring {text!r}",
        hint="use proportional, binary, range or range:0.7:0.9",
    )


def _cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    result = evaluate(args.formula, _data(args), year=args.year, on_missing=args.on_missing)
    if args.json:
        print_json(result_payload(result), out)
    else:
        out.write(("N/D" if result.value is ND else decimal_text(result.value)) + "\n")  # type: ignore[arg-type]
        for reason in result.reasons:
            out.write(f"  {reason}\n")
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    result = evaluate(args.formula, _data(args), year=args.year, on_missing=args.on_missing)
    out.write(result.explain() + "\n")
    return 0


def _cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
    formula = parse(args.formula)
    references = sorted(formula.references, key=lambda ref: (ref.code, ref.offset))
    if args.json:
        print_json(
            {
                "canonical": str(formula),
                "references": [{"code": ref.code, "offset": ref.offset} for ref in references],
                "drivers": sorted(formula.drivers),
            },
            out,
        )
    else:
        out.write(f"{formula}\n")
        for ref in references:
            when = "evaluation year" if ref.offset == 0 else f"{ref.offset:+d} year(s)"
            out.write(f"  {ref.code}  ({when})\n")
    return 0


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    warnings = lint(args.formula)
    if args.json:
        print_json({"warnings": [warning.to_dict() for warning in warnings]}, out)
    elif not warnings:
        out.write("no warnings\n")
    else:
        for warning in warnings:
            out.write(f"column {warning.column}: {warning.kind}: {warning.message}\n")
    return 0


def _cmd_drivers(args: argparse.Namespace, out: TextIO) -> int:
    rows = driver_rows(parse(args.formula), _data(args), args.year)
    if args.json:
        print_json({"year": args.year, "drivers": rows}, out)
    else:
        out.writelines(f"{line}\n" for line in driver_lines(rows))
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    outcome = parse_target(args.target).check(args.actual, scoring=parse_scoring(args.scoring))
    if args.json:
        print_json(outcome_payload(outcome), out)
    else:
        out.write(outcome_text(outcome) + "\n")
    return 0


def _cmd_repl(args: argparse.Namespace, out: TextIO) -> int:
    from .repl import run_repl

    return run_repl(year=args.year, data_file=args.data, plan_file=args.plan, out=out)


def _add_formula_arguments(parser: argparse.ArgumentParser, *, assignments: bool = True) -> None:
    parser.add_argument("formula", help="the formula, e.g. '(A - A-1) / A-1'")
    if assignments:
        parser.add_argument(
            "assignments",
            nargs="*",
            metavar="CODE=VALUE",
            help="driver values: A=110 (evaluation year) or A@2024=100",
        )
        parser.add_argument("--data", metavar="FILE", help="a CSV file of driver data")
        parser.add_argument(
            "--on-missing",
            choices=["propagate", "zero"],
            default="propagate",
            help="N/D operands make the result N/D (propagate) or count as 0 (zero)",
        )
    parser.add_argument("--year", type=int, default=dt.date.today().year, help="evaluation year")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kpi-formula``."""
    parser = argparse.ArgumentParser(
        prog="kpi-formula",
        description="Parse, check and evaluate the algorithms of performance indicators.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = commands.add_parser("eval", help="evaluate a formula")
    _add_formula_arguments(command)
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_eval)

    command = commands.add_parser("explain", help="show how a formula's value is computed")
    _add_formula_arguments(command)
    command.set_defaults(run=_cmd_explain)

    command = commands.add_parser("parse", help="print the canonical text and the references")
    _add_formula_arguments(command, assignments=False)
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_parse)

    command = commands.add_parser(
        "lint", help="warn where a formula reads otherwise than its writer may have meant"
    )
    command.add_argument("formula", help="the formula, e.g. 'A + B / C + D'")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_lint)

    command = commands.add_parser("drivers", help="list the drivers a formula needs")
    _add_formula_arguments(command)
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_drivers)

    command = commands.add_parser("check", help="judge a value against a target")
    command.add_argument("target", help="e.g. '>= 1.100 N.' or 'Entro 31-12-2025'")
    command.add_argument("actual", help="e.g. '1.136 N.', '0.95' or '28-06-2024'")
    command.add_argument(
        "--scoring",
        default="proportional",
        help="proportional (default), binary, or range[:FLOOR:CEILING] e.g. range:0.7:0.9",
    )
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_check)

    command = commands.add_parser("repl", help="open the analysts' prompt")
    command.add_argument("--year", type=int, default=dt.date.today().year, help="evaluation year")
    command.add_argument("--data", metavar="FILE", help="a CSV file of driver data to load")
    command.add_argument("--plan", metavar="FILE", help="a plan file to load")
    command.set_defaults(run=_cmd_repl)

    add_plan_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    try:
        return run(args, out)
    except KpiFormulaError as error:
        sys.stderr.write(f"kpi-formula: {error}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
