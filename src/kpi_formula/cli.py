"""The ``kpi-formula`` command line.

Exit status: 0 on success (an N/D result is a success), 1 when a plan check
finds problems, 2 on bad input — with a one-paragraph message on stderr and
never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from .data import DataTable, load_data
from .decimals import decimal_text
from .errors import KpiFormulaError
from .evaluator import Result, evaluate
from .formula import Formula, parse
from .lint import lint
from .missing import ND
from .output import (
    UsageError,
    check_typed,
    driver_lines,
    driver_rows,
    evaluation_warnings,
    outcome_payload,
    outcome_text,
    parse_assignment,
    parse_scoring,
    print_json,
    result_payload,
)
from .plan.cli import add_plan_commands
from .targets import parse_target

__all__ = ["main"]


def _year_and_data(
    args: argparse.Namespace, formula: Formula
) -> tuple[int, DataTable, list[tuple[str, int]], list[str]]:
    """The evaluation year, the data, the keys typed on the command line, and
    what was assumed.  Without ``--year``: the latest year the data names;
    the calendar year when the formula reads no prior year; else an error."""
    data: DataTable = {}
    if getattr(args, "data", None):
        data.update(load_data(args.data, sheet=args.sheet))
    pending: list[tuple[tuple[str, int | None], Any]] = [
        parse_assignment(text, args.year) for text in getattr(args, "assignments", None) or ()
    ]
    notes: list[str] = []
    year = args.year
    texts = getattr(args, "assignments", None) or ()
    bare = [text for text, ((_, key_year), _) in zip(texts, pending, strict=True) if not key_year]
    if year is None and bare and any(key_year is not None for (_, key_year), _ in pending):
        raise UsageError(
            f"{bare[0]!r} names no year, and others do: which year is the evaluation year?",
            hint="pass --year 2025 (CODE=VALUE is then CODE@2025=VALUE)",
        )
    if year is None:
        named = [key_year for (_, key_year), _ in pending if key_year is not None]
        named += [key_year for _, key_year in data]
        if named:
            year = max(named)
            notes.append(f"evaluation year {year}: the latest year in the data (pass --year)")
        elif any(ref.offset for ref in formula.references):
            raise UsageError(
                "the formula reads prior years, and neither --year nor the data names one",
                hint="pass --year 2025, or give values as CODE@2025=VALUE",
            )
        else:
            year = dt.date.today().year
            notes.append(f"evaluation year {year}: this year (pass --year)")
    typed: list[tuple[str, int]] = []
    for (code, key_year), value in pending:
        key = (code, year if key_year is None else key_year)
        if key in typed and data[key] != value:
            raise UsageError(
                f"{key[0]}@{key[1]} is given twice, with different values",
                hint="give each code one value a year",
            )
        data[key] = value
        typed.append(key)
    return year, data, typed, notes


def _evaluated(args: argparse.Namespace) -> tuple[Result, list[str]]:
    formula = parse(args.formula)
    year, data, typed, notes = _year_and_data(args, formula)
    result = evaluate(formula, data, year=year, on_missing=args.on_missing)
    return result, [*notes, *evaluation_warnings(result, data, typed)]


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        sys.stderr.write(f"kpi-formula: warning: {warning}\n")


def _cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    result, warnings = _evaluated(args)
    if args.json:
        print_json(result_payload(result, warnings), out)
        return 0
    out.write(("N/D" if result.value is ND else decimal_text(result.value)) + "\n")  # type: ignore[arg-type]
    for reason in result.reasons:
        out.write(f"  {reason}\n")
    _warn(warnings)
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    result, warnings = _evaluated(args)
    out.write(result.explain() + "\n")
    _warn(warnings)
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
    formula = parse(args.formula)
    year, data, _, notes = _year_and_data(args, formula)
    _warn(notes)
    args.year = year
    rows = driver_rows(formula, data, year)
    if args.json:
        print_json({"year": args.year, "drivers": rows}, out)
    else:
        out.writelines(f"{line}\n" for line in driver_lines(rows))
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    outcome = check_typed(
        parse_target(args.target),
        args.actual,
        scoring=parse_scoring(args.scoring),
        baseline_text=args.baseline,
    )
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
        parser.add_argument("--data", metavar="FILE", help="driver data (.csv or .xlsx)")
        parser.add_argument(
            "--sheet", metavar="NAME", help="the sheet of .xlsx data (default: dati, or the first)"
        )
        parser.add_argument(
            "--on-missing",
            choices=["propagate", "zero"],
            default="propagate",
            help="N/D operands make the result N/D (propagate) or count as 0 (zero)",
        )
    parser.add_argument(
        "--year",
        type=int,
        help="evaluation year (default: the latest year the data names; required when the "
        "formula reads prior years and the data names none)",
    )


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
    command.add_argument("actual", help="e.g. '1.136 N.', '95 %%' or '28-06-2024'")
    command.add_argument(
        "--baseline",
        metavar="VALUE",
        help="the reference value of a relative target (Aumento del 20%% rispetto alla baseline)",
    )
    command.add_argument(
        "--scoring",
        default="proportional",
        help="proportional (default), binary, or range[:FLOOR:CEILING], e.g. range:70%%:90%%",
    )
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_cmd_check)

    command = commands.add_parser("repl", help="open the analysts' prompt")
    command.add_argument("--year", type=int, help="evaluation year (default: this year)")
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
