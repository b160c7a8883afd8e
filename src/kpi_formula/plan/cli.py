"""``kpi-formula plan ...``: import, validate, evaluate and score plans."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, TextIO

from ..data import DataTable, load_data
from ..errors import PlanError
from ..i18n import choose_language
from ..output import parse_scoring, print_json
from .evaluate import evaluate_plan
from .html import render_page
from .model import Plan
from .nodes import rows_from_plan
from .planfile import SHEET_SUFFIXES, load_plan, save_plan
from .report import import_report
from .scorecard import evaluation_payload, render_csv, render_text
from .scores import IndicatorValue, PlanEvaluation
from .sheet import write_sheet
from .validate import validate_plan

__all__ = ["add_plan_commands"]


def _import(args: argparse.Namespace, out: TextIO) -> int:
    if Path(args.report).suffix.lower() in SHEET_SUFFIXES:
        plan = load_plan(args.report)
        save_plan(plan, args.output)
        indicators = sum(1 for _ in plan.occurrences())
        out.write(
            f"{args.output}: {len(plan.tree())} top groups, {indicators} indicator rows "
            f"({len(plan.indicators())} distinct)\n"
        )
        return 0
    report = import_report(args.report)
    save_plan(report.plan, args.output)
    indicators = sum(1 for _ in report.plan.occurrences())
    out.write(
        f"{args.output}: {len(report.plan.areas)} areas, {indicators} indicator rows "
        f"({len(report.plan.indicators())} distinct), {len(report.plan.drivers)} drivers\n"
    )
    for line, notice in report.notices:
        sys.stderr.write(f"{args.report}:{line}: note: {notice}\n")
    for line, why in report.unread:
        sys.stderr.write(f"{args.report}:{line}: not read: {why}\n")
    return 0 if report.complete else 1


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan)
    data = load_data(args.data) if args.data else None
    year = args.year
    if data and year is None:
        year = max(key_year for _, key_year in data)
        out.write(f"note: checking the data for {year}, its latest year (pass --year)\n")
    problems = validate_plan(plan, data, year=year)
    for problem in problems:
        out.write(f"{problem}\n")
    errors = sum(1 for problem in problems if problem.severity == "error")
    out.write(f"{errors} errors, {len(problems) - errors} warnings\n")
    return 1 if errors else 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan)
    if Path(args.output).suffix.lower() not in SHEET_SUFFIXES:
        raise PlanError(
            f"cannot export to {args.output}", hint="name a .csv or .xlsx file: -o plan.xlsx"
        )
    write_sheet(plan, args.output)
    out.write(f"{args.output}: {len(rows_from_plan(plan))} rows\n")
    return 0


def _errors(plan: Plan) -> list[str]:
    """A plan's errors, each said on stderr: a plan is never scored in silence."""
    errors = [str(problem) for problem in validate_plan(plan) if problem.severity == "error"]
    for problem in errors:
        sys.stderr.write(f"kpi-formula: {problem}\n")
    return errors


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan)
    problems = _errors(plan)
    if problems and not args.force:
        sys.stderr.write(
            f"kpi-formula: the plan has {len(problems)} errors, so it is not scored\n"
            "hint: fix them (kpi-formula plan validate), or pass --force to score it anyway\n"
        )
        return 1
    data = load_data(args.data)
    evaluation = evaluate_plan(
        plan,
        data,
        year=args.year,
        target_year=args.targets,
        scoring=parse_scoring(args.scoring),
        nd_policy=args.nd_policy,
        on_missing=args.on_missing,
        engine=args.engine,
    )
    if getattr(args, "html", None):
        _write_page(plan, data, evaluation, problems, args)
        out.write(f"{args.html}: the scorecard page\n")
    elif args.json:
        print_json(evaluation_payload(evaluation), out)
    elif args.csv:
        out.write(render_csv(evaluation))
    else:
        out.write(render_text(evaluation))
        if problems:
            out.write(f"\nthe plan has {len(problems)} errors (scored with --force):\n")
            out.writelines(f"  {problem}\n" for problem in problems)
    return 0


def _write_page(
    plan: Plan,
    data: DataTable,
    evaluation: PlanEvaluation,
    problems: list[str],
    args: argparse.Namespace,
) -> None:
    """The HTML scorecard, with every year of the data for the charts."""
    history: dict[str, dict[int, IndicatorValue]] = {}
    for year in sorted({key_year for _, key_year in data}):
        each = (
            evaluation  # the scored year is evaluated already
            if year == evaluation.year
            else evaluate_plan(
                plan, data, year=year, nd_policy=args.nd_policy, on_missing=args.on_missing
            )
        )
        for result in each.indicators:
            history.setdefault(result.id, {})[year] = result.value
    page = render_page(
        evaluation,
        history=history,
        problems=problems,
        language=choose_language(getattr(args, "lang", None), plan=plan.language),
        evaluated=dt.date.today(),
        source=args.data,
    )
    try:
        Path(args.html).write_text(page, encoding="utf-8")
    except OSError as error:
        raise PlanError(f"cannot write {args.html}: {error}", hint="check the path") from None


def add_plan_commands(commands: Any) -> None:
    """Add ``plan`` and its subcommands to the ``kpi-formula`` parser."""
    plan = commands.add_parser("plan", help="import, validate, evaluate and score plans")
    sub = plan.add_subparsers(dest="plan_command", required=True, metavar="COMMAND")

    command = sub.add_parser(
        "import", help="read an Integra planning report, or a .csv/.xlsx sheet, into a plan file"
    )
    command.add_argument("report", help="the report as tab-separated text, or a sheet")
    command.add_argument("-o", "--output", required=True, help="the plan file to write (TOML)")
    command.set_defaults(run=_import)

    command = sub.add_parser("export", help="write a plan as a .csv or .xlsx sheet")
    command.add_argument("plan", help="the plan (.toml, .csv or .xlsx)")
    command.add_argument("-o", "--output", required=True, help="the sheet to write")
    command.set_defaults(run=_export)

    command = sub.add_parser("validate", help="list a plan's problems (exit 1 on errors)")
    command.add_argument("plan", help="the plan file")
    command.add_argument("--data", metavar="FILE", help="driver data, to report missing values")
    command.add_argument("--year", type=int, help="the year the data should cover")
    command.set_defaults(run=_validate)

    for name, help_text in (
        ("evaluate", "evaluate every indicator and roll the scores up"),
        ("scorecard", "the scorecard of a plan: tree, value, target, met, achievement"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("plan", help="the plan file")
        command.add_argument("--data", metavar="FILE", required=True, help="driver data (CSV)")
        command.add_argument("--year", type=int, required=True, help="the year of the values")
        command.add_argument(
            "--targets", type=int, metavar="YEAR", help="the year of the targets (default: --year)"
        )
        command.add_argument(
            "--engine",
            choices=["python", "duckdb"],
            default="python",
            help="evaluate formulas in Python (exact) or as SQL in an embedded DuckDB",
        )
        command.add_argument(
            "--nd-policy",
            choices=["renormalise", "zero"],
            default="renormalise",
            help="N/D achievements: leave out and renormalise the weights, or count as 0",
        )
        command.add_argument(
            "--on-missing",
            choices=["propagate", "zero"],
            default="propagate",
            help="missing drivers inside formulas: N/D (propagate) or 0",
        )
        command.add_argument(
            "--scoring",
            default="proportional",
            help="proportional, binary or range[:FLOOR:CEILING]",
        )
        command.add_argument(
            "--force", action="store_true", help="score a plan even when it has errors"
        )
        output = command.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print one JSON object")
        output.add_argument(
            "--csv", action="store_true", help="print one row per indicator (Italian Excel CSV)"
        )
        output.add_argument(
            "--html", metavar="FILE", help="write the scorecard as one self-contained HTML page"
        )
        command.set_defaults(run=_evaluate)
