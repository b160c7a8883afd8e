"""``kpi-formula plan ...``: import, validate, evaluate and score plans.

Each command speaks the plan's ``language`` unless ``--lang`` or
``KPI_FORMULA_LANG`` says otherwise (:func:`kpi_formula.i18n.choose_language`).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TextIO

from ..data import DataTable, load_data
from ..errors import KpiFormulaError, Message, PlanError, msg
from ..i18n import Translator, choose_language, translator
from ..output import parse_scoring, print_json
from ..streams import STDERR
from .dataunits import data_units
from .evaluate import evaluate_plan
from .html import render_page
from .model import Plan
from .nodes import rows_from_plan
from .planfile import SHEET_SUFFIXES, load_plan, save_plan
from .report import import_report
from .scorecard import evaluation_payload, render_csv, render_text
from .scores import IndicatorValue, PlanEvaluation
from .sheet import write_sheet
from .validate import Problem, validate_plan

__all__ = ["add_plan_commands", "problem_text"]

SHARED_DIGITS = 15
"""Significant digits of the DuckDB engine's decimals in the plan's JSON: it
computes in 64-bit floating point, whose digits beyond these are noise."""


def _speaker(args: argparse.Namespace, plan: Plan | None = None) -> Translator:
    """The translator of a plan command: ``--lang``, the environment, the plan, the locale."""
    return translator(
        choose_language(getattr(args, "lang", None), plan=None if plan is None else plan.language)
    )


def _stderr(say: Translator, text: Message) -> None:
    STDERR.write(say.say(text) + "\n")


def _warn(say: Translator, warning: Message) -> None:
    _stderr(say, msg("kpi-formula: warning: {warning}", warning=warning))


def problem_text(problem: Problem) -> Message:
    """A validation finding in words: ``error: G › X: weights add up to …``."""
    severity = msg("error") if problem.severity == "error" else msg("warning")
    return msg(
        "{severity}: {where}: {message}",
        severity=severity,
        where=problem.where,
        message=problem.message,
    )


def _import(args: argparse.Namespace, out: TextIO) -> int:
    if Path(args.report).suffix.lower() in SHEET_SUFFIXES:
        plan = load_plan(args.report, sheet=args.sheet, title=args.title)
        save_plan(plan, args.output)
        say = _speaker(args, plan)
        out.write(
            say.say(
                msg(
                    "{file}: {groups} top groups, {rows} indicator rows ({distinct} distinct)",
                    file=args.output,
                    groups=len(plan.tree()),
                    rows=sum(1 for _ in plan.occurrences()),
                    distinct=len(plan.indicators()),
                )
            )
            + "\n"
        )
        return 0
    report = import_report(args.report, title=args.title or "")
    save_plan(report.plan, args.output)
    say = _speaker(args, report.plan)
    out.write(
        say.say(
            msg(
                "{file}: {areas} areas, {rows} indicator rows ({distinct} distinct), "
                "{drivers} drivers",
                file=args.output,
                areas=len(report.plan.areas),
                rows=sum(1 for _ in report.plan.occurrences()),
                distinct=len(report.plan.indicators()),
                drivers=len(report.plan.drivers),
            )
        )
        + "\n"
    )
    for line, notice in report.notices:
        _stderr(say, msg("{file}:{line}: note: {text}", file=args.report, line=line, text=notice))
    for line, why in report.unread:
        _stderr(say, msg("{file}:{line}: not read: {text}", file=args.report, line=line, text=why))
    return 0 if report.complete else 1


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan, sheet=args.sheet, title=args.title)
    say = _speaker(args, plan)
    data = (
        load_data(args.data, sheet=args.data_sheet, units=data_units(plan)) if args.data else None
    )
    year = args.year
    if data and year is None:
        year = max(key_year for _, key_year in data)
        out.write(
            say.say(
                msg("note: checking the data for {year}, its latest year (pass --year)", year=year)
            )
            + "\n"
        )
    problems = validate_plan(plan, data, year=year)
    for problem in problems:
        out.write(say.say(problem_text(problem)) + "\n")
    errors = sum(1 for problem in problems if problem.severity == "error")
    summary = msg(
        "{errors} errors, {warnings} warnings", errors=errors, warnings=len(problems) - errors
    )
    out.write(say.say(summary) + "\n")
    return 1 if errors else 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan, sheet=args.sheet, title=args.title)
    say = _speaker(args, plan)
    if Path(args.output).suffix.lower() not in SHEET_SUFFIXES:
        raise PlanError(
            msg("cannot export to {file}", file=args.output),
            hint=msg("name a .csv or .xlsx file: -o plan.xlsx"),
        )
    write_sheet(plan, args.output)
    rows = msg("{file}: {rows} rows", file=args.output, rows=len(rows_from_plan(plan)))
    out.write(say.say(rows) + "\n")
    return 0


def _errors(plan: Plan, say: Translator) -> list[Problem]:
    """A plan's errors, each said on stderr once: a plan is never scored in silence."""
    errors = [problem for problem in validate_plan(plan) if problem.severity == "error"]
    for problem in errors:
        STDERR.write(f"kpi-formula: {say.say(problem_text(problem))}\n")
    return errors


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    plan = load_plan(args.plan, sheet=args.sheet, title=args.title)
    say = _speaker(args, plan)
    problems = _errors(plan, say)
    if problems and not args.force:
        _stderr(
            say,
            msg(
                "kpi-formula: the plan has {count} errors, so it is not scored\n"
                "hint: fix them (kpi-formula plan validate), or pass --force to score it anyway",
                count=len(problems),
            ),
        )
        return 1
    data = load_data(args.data, sheet=args.data_sheet, units=data_units(plan))
    try:
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
    except KpiFormulaError:
        if not problems:
            raise
        # the errors listed above stop the evaluation: say that, not them again
        _stderr(say, msg("kpi-formula: the plan cannot be scored, even with --force"))
        return 1
    _check_years(plan, data, evaluation, args, say)
    if getattr(args, "html", None):
        listed = [say.say(problem_text(problem)) for problem in problems]
        _write_page(plan, data, evaluation, listed, args, say=say)
        out.write(say.say(msg("{file}: the scorecard page", file=args.html)) + "\n")
    elif args.json:
        digits = SHARED_DIGITS if args.engine == "duckdb" else None
        print_json(evaluation_payload(evaluation, digits=digits), out)
    elif args.csv:
        out.write(render_csv(evaluation, language=say.language))
    else:
        out.write(render_text(evaluation, language=say.language))
        if problems:
            heading = msg("the plan has {count} errors (scored with --force):", count=len(problems))
            out.write("\n" + say.say(heading) + "\n")
            out.writelines(f"  {say.say(problem_text(problem))}\n" for problem in problems)
    return 0


def _check_years(
    plan: Plan,
    data: DataTable,
    evaluation: PlanEvaluation,
    args: argparse.Namespace,
    say: Translator,
) -> None:
    """Say why a scorecard would be all N/D or all unjudged, rather than show one in
    silence: a target year the plan sets no target for (a typo in ``--targets`` is
    an error), a year the data holds no value for."""
    year, target_year = evaluation.year, evaluation.target_year
    if evaluation.indicators and all(result.target is None for result in evaluation.indicators):
        years = sorted(
            {*plan.target_years, *(y for i in plan.indicators().values() for y in i.targets)}
        )
        listed = ", ".join(map(str, years)) or "-"
        if args.targets is not None:
            raise PlanError(
                msg(
                    "the plan sets no target for {year} (its target years: {years})",
                    year=target_year,
                    years=listed,
                ),
                hint=msg("pass --targets with one of the plan's target years"),
            )
        _warn(
            say,
            msg(
                "the plan sets no target for {year} (its target years: {years}): no "
                "indicator is judged; pass --targets to judge the values of {year} against "
                "another year's targets",
                year=target_year,
                years=listed,
            ),
        )
    held = sorted({key_year for _, key_year in data})
    if year not in held:
        _warn(
            say,
            msg(
                "the data holds no value for {year} (its years: {years})",
                year=year,
                years=", ".join(map(str, held)) or "-",
            ),
        )


def _write_page(
    plan: Plan,
    data: DataTable,
    evaluation: PlanEvaluation,
    problems: list[str],
    args: argparse.Namespace,
    *,
    say: Translator,
) -> None:
    """The HTML scorecard, in ``say``'s language, with every year of the data for the charts."""
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
        language=say.language,
        evaluated=dt.date.today(),
        source=args.data,
    )
    try:
        Path(args.html).write_text(page, encoding="utf-8")
    except OSError as error:
        raise PlanError(
            msg("cannot write {file}: {error}", file=args.html, error=error.strerror or str(error)),
            hint=msg("check the path"),
        ) from None


def _add_plan_file(command: argparse.ArgumentParser, _: Translator, *, data: bool = False) -> None:
    """The options of a command that reads a plan (and data): which sheet, which title."""
    command.add_argument(
        "--sheet",
        metavar="NAME",
        help=_("the sheet of an .xlsx plan (default: piano, or the first)"),
    )
    command.add_argument("--title", help=_("the plan's title, instead of the one the file gives"))
    if data:
        command.add_argument(
            "--data-sheet",
            metavar="NAME",
            help=_("the sheet of .xlsx data (default: dati, or the first)"),
        )


def add_plan_commands(plan: argparse.ArgumentParser, _: Translator) -> None:
    """Add the subcommands of ``plan`` to its parser, their help said by ``_``."""
    from ..cli import language_argument, year_type

    sub = plan.add_subparsers(dest="plan_command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=help_text
        )
        language_argument(parser, _)
        return parser

    plan_help = _("the plan (.toml, .csv or .xlsx)")
    command_ = command(
        "import", _("read an Integra planning report, or a .csv/.xlsx sheet, into a plan file")
    )
    command_.add_argument("report", help=_("the report as tab-separated text, or a sheet"))
    command_.add_argument("-o", "--output", required=True, help=_("the plan file to write (TOML)"))
    _add_plan_file(command_, _)
    command_.set_defaults(run=_import)

    command_ = command("export", _("write a plan as a .csv or .xlsx sheet"))
    command_.add_argument("plan", help=plan_help)
    command_.add_argument("-o", "--output", required=True, help=_("the sheet to write"))
    _add_plan_file(command_, _)
    command_.set_defaults(run=_export)

    command_ = command("validate", _("list a plan's problems (exit 1 on errors)"))
    command_.add_argument("plan", help=plan_help)
    command_.add_argument("--data", metavar="FILE", help=_("driver data, to report missing values"))
    command_.add_argument("--year", type=year_type(_), help=_("the year the data should cover"))
    _add_plan_file(command_, _, data=True)
    command_.set_defaults(run=_validate)

    for name, help_text in (
        ("evaluate", _("evaluate every indicator and roll the scores up")),
        ("scorecard", _("the scorecard of a plan: tree, value, target, met, achievement")),
    ):
        command_ = command(name, help_text)
        _add_scoring_arguments(command_, _, plan_help)
        _add_plan_file(command_, _, data=True)
        command_.set_defaults(run=_evaluate)


def _add_scoring_arguments(command: argparse.ArgumentParser, _: Translator, plan_help: str) -> None:
    from ..cli import year_type

    command.add_argument("plan", help=plan_help)
    command.add_argument("--data", metavar="FILE", required=True, help=_("driver data (CSV)"))
    command.add_argument(
        "--year", type=year_type(_), required=True, help=_("the year of the values")
    )
    command.add_argument(
        "--targets",
        type=year_type(_),
        metavar="YEAR",
        help=_("the year of the targets (default: --year)"),
    )
    command.add_argument(
        "--engine",
        choices=["python", "duckdb"],
        default="python",
        help=_("evaluate formulas in Python (exact) or as SQL in an embedded DuckDB"),
    )
    command.add_argument(
        "--nd-policy",
        choices=["renormalise", "zero"],
        default="renormalise",
        help=_("N/D achievements: leave out and renormalise the weights, or count as 0"),
    )
    command.add_argument(
        "--on-missing",
        choices=["propagate", "zero"],
        default="propagate",
        help=_("missing drivers inside formulas: N/D (propagate) or 0"),
    )
    command.add_argument(
        "--scoring",
        default="proportional",
        help=_("proportional, binary or range[:FLOOR:CEILING]"),
    )
    command.add_argument(
        "--force", action="store_true", help=_("score a plan even when it has errors")
    )
    output = command.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=_("print one JSON object"))
    output.add_argument(
        "--csv",
        action="store_true",
        help=_("print one row per group and indicator, for spreadsheets"),
    )
    output.add_argument(
        "--html", metavar="FILE", help=_("write the scorecard as one self-contained HTML page")
    )
