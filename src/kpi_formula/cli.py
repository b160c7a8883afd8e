"""The ``kpi-formula`` command line.

Exit status: 0 on success (an N/D result is a success), 1 when a plan check
finds problems or the output cannot be written, 2 on bad input, 130 for Ctrl-C —
with a one-paragraph message on stderr (where it can be written) and never a
traceback.

People read it in Italian or English (``--lang``, then ``KPI_FORMULA_LANG``,
then a plan's ``language``, then the locale): help, messages, warnings and
errors; JSON stays English, for programs.  Only what a command needs is
imported: ``eval`` starts without the plan package.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from .display import display_exact
from .errors import KpiFormulaError, Message, msg
from .i18n import Translator, argparse_speaking, choose_language, translator
from .missing import ND
from .output import (
    UsageError,
    driver_lines,
    driver_rows,
    evaluation_warnings,
    print_json,
    result_payload,
)
from .streams import STDERR, OutputFailedError, dropping, guarded, settle

if False:  # pragma: no cover - typing only, and never imported at run time
    from .data import DataTable
    from .evaluator import Result
    from .formula import Formula

__all__ = ["main"]


def _year_and_data(
    args: argparse.Namespace, formula: Formula
) -> tuple[int, DataTable, list[tuple[str, int]], list[Message]]:
    """The evaluation year, the data, the keys typed on the command line, and
    what was assumed.  Without ``--year``: the latest year the data names;
    the calendar year when the formula reads no prior year; else an error."""
    from .data import load_data
    from .output import parse_assignment

    data: DataTable = {}
    if getattr(args, "data", None):
        data.update(load_data(args.data, sheet=args.sheet))
    pending: list[tuple[tuple[str, int | None], Any]] = [
        parse_assignment(text, args.year) for text in getattr(args, "assignments", None) or ()
    ]
    notes: list[Message] = []
    year = args.year
    texts = getattr(args, "assignments", None) or ()
    bare = [text for text, ((_, key_year), _) in zip(texts, pending, strict=True) if not key_year]
    if year is None and bare and any(key_year is not None for (_, key_year), _ in pending):
        raise UsageError(
            msg(
                "{text!r} names no year, and others do: which year is the evaluation year?",
                text=bare[0],
            ),
            hint=msg("pass --year 2025 (CODE=VALUE is then CODE@2025=VALUE)"),
        )
    if year is None:
        named = [key_year for (_, key_year), _ in pending if key_year is not None]
        named += [key_year for _, key_year in data]
        if named:
            year = max(named)
            notes.append(
                msg("evaluation year {year}: the latest year in the data (pass --year)", year=year)
            )
        elif any(ref.offset for ref in formula.references):
            raise UsageError(
                msg("the formula reads prior years, and neither --year nor the data names one"),
                hint=msg("pass --year 2025, or give values as CODE@2025=VALUE"),
            )
        else:
            year = dt.date.today().year
            notes.append(msg("evaluation year {year}: this year (pass --year)", year=year))
    typed: list[tuple[str, int]] = []
    for (code, key_year), value in pending:
        key = (code, year if key_year is None else key_year)
        if key in typed and data[key] != value:
            raise UsageError(
                msg(
                    "{code}@{year} is given twice, with different values", code=key[0], year=key[1]
                ),
                hint=msg("give each code one value a year"),
            )
        data[key] = value
        typed.append(key)
    return year, data, typed, notes


def lint_warnings(formula: Formula) -> list[Message]:
    """The formula's lint warnings, as the prompt shows them."""
    from .lint import lint

    return [
        msg("{kind}: {message}", kind=warning.kind, message=warning.message)
        for warning in lint(formula)
    ]


def _evaluated(args: argparse.Namespace) -> tuple[Result, list[Message]]:
    from .evaluator import evaluate
    from .formula import parse

    formula = parse(args.formula)
    year, data, typed, notes = _year_and_data(args, formula)
    result = evaluate(formula, data, year=year, on_missing=args.on_missing)
    return result, [
        *notes,
        *evaluation_warnings(result, data, typed),
        *lint_warnings(result.formula),
    ]


def _warn(args: argparse.Namespace, warnings: Sequence[str]) -> None:
    say: Translator = args.translator
    for warning in warnings:
        STDERR.write(say.say(msg("kpi-formula: warning: {warning}", warning=warning)) + "\n")


def _cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    say: Translator = args.translator
    result, warnings = _evaluated(args)
    if args.json:
        print_json(result_payload(result, warnings), out)
        return 0
    value = result.value
    out.write(("N/D" if value is ND else display_exact(value, say.language)) + "\n")  # type: ignore[arg-type]
    for reason in result.reasons:
        out.write(f"  {say.say(reason)}\n")
    _warn(args, warnings)
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    say: Translator = args.translator
    result, warnings = _evaluated(args)
    out.write(say.say(result.explain()) + "\n")
    _warn(args, warnings)
    return 0


def _cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
    from .formula import parse

    say: Translator = args.translator
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
            offset = format(ref.offset, "+d")
            when = (
                msg("evaluation year")
                if ref.offset == 0
                else msg("{offset} year(s)", offset=offset)
            )
            out.write(f"  {ref.code}  ({say.say(when)})\n")
    return 0


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    from .lint import lint

    say: Translator = args.translator
    warnings = lint(args.formula)
    if args.json:
        print_json({"warnings": [warning.to_dict() for warning in warnings]}, out)
    elif not warnings:
        out.write(say("no warnings") + "\n")
    else:
        for warning in warnings:
            line = msg(
                "column {column}: {kind}: {message}",
                column=warning.column,
                kind=warning.kind,
                message=warning.message,
            )
            out.write(say.say(line) + "\n")
    return 0


def _cmd_drivers(args: argparse.Namespace, out: TextIO) -> int:
    from .formula import parse

    say: Translator = args.translator
    formula = parse(args.formula)
    year, data, _, notes = _year_and_data(args, formula)
    _warn(args, notes)
    args.year = year
    rows = driver_rows(formula, data, year)
    if args.json:
        print_json({"year": args.year, "drivers": rows}, out)
    else:
        out.writelines(f"{say.say(line)}\n" for line in driver_lines(rows))
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .output import check_typed, outcome_payload, outcome_text, parse_scoring
    from .targets import parse_target

    say: Translator = args.translator
    outcome = check_typed(
        parse_target(args.target),
        args.actual,
        scoring=parse_scoring(args.scoring),
        baseline_text=args.baseline,
        direction=args.direction,
    )
    if args.json:
        print_json(outcome_payload(outcome), out)  # its notes say what was assumed
        return 0
    out.write(say.say(outcome_text(outcome)) + "\n")
    _warn(args, outcome.notes)
    return 0


def _cmd_repl(args: argparse.Namespace, out: TextIO) -> int:
    from .repl import run_repl

    return run_repl(
        year=args.year, data_file=args.data, plan_file=args.plan, out=out, language=args.lang
    )


def _add_formula_arguments(
    parser: argparse.ArgumentParser, _: Translator, *, assignments: bool = True
) -> None:
    parser.add_argument("formula", help=_("the formula, e.g. '(A - A-1) / A-1'"))
    if assignments:
        parser.add_argument(
            "assignments",
            nargs="*",
            metavar="CODE=VALUE",
            help=_("driver values: A=110 (evaluation year) or A@2024=100"),
        )
        parser.add_argument("--data", metavar="FILE", help=_("driver data (.csv or .xlsx)"))
        parser.add_argument(
            "--sheet",
            metavar="NAME",
            help=_("the sheet of .xlsx data (default: dati, or the first)"),
        )
        parser.add_argument(
            "--on-missing",
            choices=["propagate", "zero"],
            default="propagate",
            help=_("N/D operands make the result N/D (propagate) or count as 0 (zero)"),
        )
    parser.add_argument(
        "--year",
        type=year_type(_),
        help=_(
            "evaluation year (default: the latest year the data names; required when the "
            "formula reads prior years and the data names none)"
        ),
    )


def year_type(_: Translator) -> Callable[[str], int]:
    """The ``type`` of a year option: an int of at most 18 digits, as every path takes."""

    def read(text: str) -> int:
        from .result import checked_year

        try:
            return checked_year(int(text), KpiFormulaError)
        except KpiFormulaError as error:
            raise argparse.ArgumentTypeError(_.say(error.reason)) from None

    read.__name__ = "int"  # argparse names the type: "invalid int value" for non-numbers
    return read


def language_argument(parser: argparse.ArgumentParser, _: Translator) -> None:
    """``--lang``, on every command that prints for people."""
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default=argparse.SUPPRESS,
        help=_("the language people read: it (Italiano) or en (English)"),
    )


def _eval_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    _add_formula_arguments(sub, _)
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))


def _parse_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    _add_formula_arguments(sub, _, assignments=False)
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))


def _lint_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    sub.add_argument("formula", help=_("the formula, e.g. 'A + B / C + D'"))
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))


def _check_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    sub.add_argument("target", help=_("e.g. '>= 1.100 N.' or 'Entro 31-12-2025'"))
    sub.add_argument("actual", help=_("e.g. '1.136 N.', '95 %%' or '28-06-2024'"))
    sub.add_argument(
        "--baseline",
        metavar="VALUE",
        help=_(
            "the reference value of a relative target (Aumento del 20%% rispetto alla baseline)"
        ),
    )
    sub.add_argument(
        "--direction",
        metavar="DIRECTION",
        help=_(
            "whether a higher or a lower value is better: crescente|higher|↑ or "
            "decrescente|lower|↓ (a bare-number target is then at least or at most)"
        ),
    )
    sub.add_argument(
        "--scoring",
        default="proportional",
        help=_("proportional (default), binary, or range[:FLOOR:CEILING], e.g. range:70%%:90%%"),
    )
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))


def _repl_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    sub.add_argument("--year", type=year_type(_), help=_("evaluation year (default: this year)"))
    sub.add_argument("--data", metavar="FILE", help=_("a CSV file of driver data to load"))
    sub.add_argument("--plan", metavar="FILE", help=_("a plan file to load"))


def _plan_arguments(sub: argparse.ArgumentParser, _: Translator) -> None:
    from .plan.cli import add_plan_commands  # the plan package, for plan commands alone

    add_plan_commands(sub, _)


_Arguments = Callable[[argparse.ArgumentParser, Translator], None]
_COMMANDS: dict[str, tuple[Message, Callable[..., int] | None, _Arguments]] = {
    "eval": (msg("evaluate a formula"), _cmd_eval, _eval_arguments),
    "explain": (
        msg("show how a formula's value is computed"),
        _cmd_explain,
        _add_formula_arguments,
    ),
    "parse": (msg("print the canonical text and the references"), _cmd_parse, _parse_arguments),
    "lint": (
        msg("warn where a formula reads otherwise than its writer may have meant"),
        _cmd_lint,
        _lint_arguments,
    ),
    "drivers": (msg("list the drivers a formula needs"), _cmd_drivers, _eval_arguments),
    "check": (msg("judge a value against a target"), _cmd_check, _check_arguments),
    "repl": (msg("open the analysts' prompt"), _cmd_repl, _repl_arguments),
    "plan": (msg("import, validate, evaluate and score plans"), None, _plan_arguments),
}
"""Each command: its help, what runs it (``plan``'s subcommands say theirs), its arguments."""


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` reads it (``COLUMNS``,
    then the terminal, then 80): argparse asks shutil for it with every argument it
    adds, and importing shutil loads the archive modules (bz2, lzma, zlib) too."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, as wide as the terminal, told its width rather than asking shutil."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=max(_columns() - 2, 11))


def build_parser(_: Translator, *, command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``kpi-formula``, its help said by ``_``.

    Every command is listed, but only ``command``'s arguments are built (all
    of them when None): a command that runs pays for its own parser alone, and
    ``eval`` starts without importing the plan package.
    """
    parser = argparse.ArgumentParser(
        prog="kpi-formula",
        description=_("Parse, check and evaluate the algorithms of performance indicators."),
        formatter_class=_HelpFormatter,
    )
    language_argument(parser, _)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_message, run, arguments) in _COMMANDS.items():
        help_text = _.say(help_message)
        built = command in (None, name)  # the others are names in the list, nothing more
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            add_help=built,
            formatter_class=_HelpFormatter,
        )
        if run is not None:
            sub.set_defaults(run=run)
        if built:
            language_argument(sub, _)
            arguments(sub, _)
    return parser


def _language_asked(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` anywhere before ``--`` (the last one wins, as in argparse)."""
    asked = None
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(argv):
            asked = argv[index + 1]
        elif argument.startswith("--lang="):
            asked = argument.partition("=")[2]
    return asked


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first word that is not an option)."""
    skip = False
    for argument in argv:
        if skip:
            skip = False
        elif argument == "--lang":
            skip = True
        elif not argument.startswith("-"):
            return argument
    return None


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        language = choose_language(_language_asked(argv))
    except KpiFormulaError as error:
        STDERR.write(f"kpi-formula: {error}\n")
        return 2
    say = translator(language)
    with argparse_speaking(language):
        parsed = _parse(build_parser(say, command=_command_of(argv)), argv, out, say)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    if out is None:  # started with its standard output closed
        return _output_closed(say)
    args.translator = say
    args.lang = getattr(args, "lang", None)
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    answer = guarded(out)
    try:
        status = run(args, answer)
        answer.flush()  # a full disk says so here, not at exit
    except KpiFormulaError as error:
        _complain(say, error)
        return 2
    except KeyboardInterrupt:
        return 130
    except OutputFailedError as failure:
        return _output_failed(failure.error, say)
    except OSError as error:  # anything else the system refused: said, never a traceback
        _complain(
            say,
            msg("the system says: {reason}", reason=_reason(error)),
            msg("check what the command was given to read and where it writes"),
        )
        return 1
    return status


_OUTPUT_CLOSED = msg("the standard output is closed: there is nowhere to write the answer")
_OUTPUT_HINT = msg("send the output to a terminal, a file or a pipe")


def _complain(
    say: Translator, error: KpiFormulaError | Message, hint: Message | None = None
) -> None:
    """The error's paragraph on stderr, where it can be written (a message and its
    hint: the error they make)."""
    if not isinstance(error, KpiFormulaError):
        error = KpiFormulaError(error, hint=hint)
    STDERR.write(f"kpi-formula: {say.error(error)}\n")


def _reason(error: OSError) -> str | Message:
    """What the system said, in the command line's words where they have some."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return msg("the disk is full")
    return error.strerror or type(error).__name__


def _parse(
    parser: argparse.ArgumentParser, argv: Sequence[str], out: TextIO | None, say: Translator
) -> argparse.Namespace | int:
    """The arguments, or the exit status where argparse answered: help, or a usage
    error.  Help is the command's answer: it goes to ``out`` through the guard
    (argparse itself drops the errors of writing it); a usage error goes to the
    command line's stderr."""
    closed = io.StringIO()  # where help goes when stdout is closed, only to tell of it
    try:
        with (
            contextlib.redirect_stdout(guarded(out if out is not None else closed)),
            contextlib.redirect_stderr(dropping(sys.stderr)),
        ):
            try:
                return parser.parse_args(argv)
            except SystemExit as exit_:
                sys.stdout.flush()
                status = int(exit_.code or 0)
    except OutputFailedError as failure:
        return _output_failed(failure.error, say)
    if out is None and closed.getvalue():
        return _output_closed(say)  # help, with nowhere to write it
    return status


def _output_closed(say: Translator) -> int:
    _complain(say, _OUTPUT_CLOSED, _OUTPUT_HINT)
    return 1


def _output_failed(error: OSError | UnicodeEncodeError, say: Translator) -> int:
    """Exit status 1 for output that could not be written, said on stderr; a reader
    that went away (``| head``) asked for no more, so that is not said."""
    if isinstance(error, BrokenPipeError):
        return 1
    if isinstance(error, UnicodeEncodeError):
        character = error.object[error.start : error.end]
        _complain(
            say,
            msg(
                "cannot write the output: its encoding cannot write {character!r}",
                character=character,
            ),
            msg("set PYTHONIOENCODING=utf-8, or a UTF-8 locale"),
        )
    else:
        _complain(
            say,
            msg("cannot write the output: {reason}", reason=_reason(error)),
            msg("check the disk it goes to, or send it elsewhere"),
        )
    return 1


def command() -> int:
    """The ``kpi-formula`` process: :func:`main` on its arguments, 130 for Ctrl-C at
    any point, and the standard streams settled at the end (see
    :func:`kpi_formula.streams.settle`).  The entry points call this."""
    try:
        status = main()
    except KeyboardInterrupt:
        status = 130
    except RuntimeError as error:
        if not _interrupted(error):
            raise
        status = 130
    try:
        settle()
    except KeyboardInterrupt:
        status = 130
    return status


def _interrupted(error: RuntimeError) -> bool:
    """Whether ``error`` is Ctrl-C, as Python 3.11 wraps it when it lands inside the
    creation of a class (a dataclass's field, say)."""
    return isinstance(error.__cause__, KeyboardInterrupt)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(command())
