"""The analysts' prompt: ``kpi-formula repl``.

Type a formula to see its value and how it was computed; set driver values
(``A = 110``, ``A-1 = 100``, ``A@2024 = 100``, Italian values such as
``1.100 N.`` or ``72,10 %`` accepted); everything else is a command
(``:year 2025``, ``:load data.csv``, ``:plan plan.toml``, ``:check ...``),
listed in :data:`HELP` and by ``:help`` at the prompt.

A line that ends with an operator, or leaves a parenthesis open, continues on
the next line, so multi-line formulas can be pasted.  With prompt_toolkit
installed (the ``repl`` extra) the prompt keeps a history across sessions and
completes commands and driver codes with Tab; without it, or when the input
is not a terminal (``kpi-formula repl < script.txt``), a plain prompt reads
the same language (``KPI_FORMULA_PROMPT=plain`` asks for it on a terminal too:
readline history and completion where the platform has readline).  An error
is shown with its caret and the prompt goes on; with piped input the exit
status is 2 if any line failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .ast import Ref
from .catalog import Catalog
from .data import DataTable, load_data, parse_data_value
from .decimals import decimal_text
from .display import display_percent, display_value
from .errors import KpiFormulaError
from .evaluator import MissingPolicy, evaluate
from .formula import Formula, parse
from .lint import lint
from .missing import ND
from .output import check_typed, driver_lines, driver_rows, outcome_text, parse_scoring
from .plan.evaluate import evaluate_plan
from .plan.model import Plan
from .plan.planfile import load_plan
from .plan.scorecard import render_text
from .targets import OPENING_WORDS, parse_target

__all__ = ["COMMANDS", "HELP", "Session", "run_repl"]

HELP = """\
FORMULA                    its value, and how it was computed
CODE = VALUE               set a driver: CODE-1 = ..., CODE@2024 = ...
                           (values such as 1.100 N., 72,10 %, N/D)
:year 2025                 the evaluation year
:load data.csv             driver data (CSV, long or wide)
:plan plan.toml            a plan: its drivers, indicators and scorecard
:data                      the driver values set so far
:unset CODE                forget a driver's values
:drivers FORMULA           the drivers a formula needs, and which are missing
:check ACTUAL TARGET       e.g. :check 1.136 N. >= 1.100 N.
                           or :check 94,7 % maggiore o uguale al 90%
                           (relative: :check 1.800 N. +20% rispetto al 2023, baseline 1.500 N.)
:indicator CODE [YEAR]     a plan indicator's value and outcome (targets of YEAR)
:scorecard [TARGET_YEAR]   the plan's scorecard for the year
:missing propagate|zero    the N/D policy
:explain on|off            show how each value was computed
:raw on|off                exact digits instead of 8,38 % and 1.136
:quit                      leave (or Ctrl-D)
A line ending with an operator or an open parenthesis continues on the next;
an empty line, a :command or Ctrl-C cancels it."""

COMMANDS = (
    ":year",
    ":load",
    ":plan",
    ":data",
    ":unset",
    ":drivers",
    ":check",
    ":indicator",
    ":scorecard",
    ":missing",
    ":explain",
    ":raw",
    ":help",
    ":quit",
)
_PATH_COMMANDS = (":load", ":plan")
_BARE_WORDS = {
    "quit": "Use :quit or Ctrl-D (i.e. EOF) to leave",
    "exit": "Use :quit or Ctrl-D (i.e. EOF) to leave",
    "help": "Type :help for the commands (they start with ':')",
}
CONTINUATION = "... (empty line cancels)> "
"""The prompt of a continued formula: it says how to get out."""
_ASSIGNMENT = re.compile(r"(?P<target>[^=]+?)\s*=\s*(?P<value>[^=<>].*)", re.DOTALL)
_ABSOLUTE = re.compile(r"(?P<code>.+?)@(?P<year>[0-9]{4})")
_TARGET_START = re.compile(
    r"(>=|=>|<=|=<|≥|≤|>|<|=|[+-][0-9]|\b(?:"
    + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in OPENING_WORDS)
    + r"|anno [0-9]{4}\s*:)\b)",
    re.IGNORECASE,
)


@dataclass
class Session:
    """The state of one prompt session, and what each line does to it.

    ``handle(line)`` returns the text to show; errors are raised as
    :class:`~kpi_formula.KpiFormulaError` for the caller to show.
    """

    year: int = field(default_factory=lambda: dt.date.today().year)
    data: DataTable = field(default_factory=dict)
    plan: Plan | None = None
    on_missing: MissingPolicy = "propagate"
    explain: bool = True
    raw: bool = False
    """Show exact digits (``:raw on``) instead of the Italian display."""
    finished: bool = False
    """Set by :quit; the prompt stops reading."""

    def codes(self) -> list[str]:
        """Codes worth completing: data, plan drivers and indicators."""
        codes = {code for code, _ in self.data}
        if self.plan is not None:
            codes |= {driver.code for driver in self.plan.drivers}
            codes |= {indicator.code for indicator in self.plan.indicators().values()}
        return sorted(codes)

    def catalog(self) -> Catalog | None:
        if self.plan is None:
            return None
        return Catalog(self.plan.drivers, strict=False)

    def handle(self, line: str) -> str:
        """Do what ``line`` says; return what to show."""
        text = line.strip()
        if not text or text.startswith("#"):
            return ""
        if text.startswith(":"):
            name, _, argument = text.partition(" ")
            return self._command(name, argument.strip())
        if "=" in text and _ASSIGNMENT.fullmatch(text):
            return self._assign(text)
        if text.lower() in _BARE_WORDS and text not in self.codes():
            return _BARE_WORDS[text.lower()]
        return self._evaluate(text)

    def _number(self, value: Decimal) -> str:
        return decimal_text(value) if self.raw else display_value(value)

    def _indicator_values(self, formula: Formula) -> dict[tuple[str, int], object]:
        """The values of the plan's computed indicators that ``formula`` names,
        each from its own formula, for the years the formula reads."""
        plan = self.plan
        if plan is None:
            return {}
        indicators = plan.indicators()
        wanted = {
            ref
            for ref in formula.references
            if ref.code in indicators and not indicators[ref.code].is_input
        }
        values: dict[tuple[str, int], object] = {}
        for year in sorted({self.year + ref.offset for ref in wanted}):
            evaluation = evaluate_plan(plan, self.data, year=year, on_missing=self.on_missing)
            by_code = {result.id: result.value for result in evaluation.indicators}
            for ref in wanted:
                if self.year + ref.offset == year:
                    values[(ref.code, year)] = by_code[ref.code]
        return values

    def _evaluate(self, text: str) -> str:
        formula = parse(text)
        data = {**self.data, **self._indicator_values(formula)}
        result = evaluate(
            formula, data, year=self.year, catalog=self.catalog(), on_missing=self.on_missing
        )
        warnings = [f"warning: {w.kind}: {w.message}" for w in lint(result.formula)]
        if self.explain:
            explained = result.explain() if self.raw else result.explain(number=display_value)
            return "\n".join([explained, *warnings])
        value = "N/D" if result.value is ND else self._number(result.value)  # type: ignore[arg-type]
        return "\n".join([value, *(f"  {reason}" for reason in result.reasons), *warnings])

    def _assign(self, text: str) -> str:
        match = _ASSIGNMENT.fullmatch(text)
        assert match is not None
        target, value_text = match["target"].strip(), match["value"].strip()
        absolute = _ABSOLUTE.fullmatch(target)
        if absolute:
            code, year = absolute["code"].strip(), int(absolute["year"])
        else:
            root = parse(target).root
            if not isinstance(root, Ref):
                raise KpiFormulaError(
                    f"cannot assign to {target!r}",
                    hint="write CODE = VALUE, CODE-1 = VALUE or CODE@2024 = VALUE",
                )
            code, year = root.code, self.year + root.offset
        value = parse_data_value(value_text)
        self.data[(code, year)] = value
        shown = "N/D" if value is ND else self._number(value)  # type: ignore[arg-type]
        return f"{code}@{year} = {shown}"

    def _command(self, name: str, argument: str) -> str:
        handler = {
            ":year": self._year,
            ":load": self._load,
            ":plan": self._plan,
            ":data": self._data,
            ":unset": self._unset,
            ":drivers": self._drivers,
            ":check": self._check,
            ":indicator": self._indicator,
            ":scorecard": self._scorecard,
            ":missing": self._missing,
            ":explain": self._explain,
            ":raw": self._raw,
            ":help": lambda _: HELP,
            ":quit": self._quit,
            ":q": self._quit,
            ":exit": self._quit,
        }.get(name)
        if handler is None:
            raise KpiFormulaError(
                f"unknown command {name!r}", hint=f"commands: {', '.join(COMMANDS)}"
            )
        return handler(argument)

    def _quit(self, _argument: str) -> str:
        self.finished = True
        return ""

    def _year(self, argument: str) -> str:
        if not argument:
            return f"year {self.year}"
        if not re.fullmatch(r"[0-9]{4}", argument):
            raise KpiFormulaError(f"{argument!r} is not a year", hint="write :year 2025")
        self.year = int(argument)
        return f"year {self.year}"

    def _load(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError("which file?", hint="write :load data.csv")
        table = load_data(Path(argument).expanduser())
        self.data.update(table)
        return f"{len(table)} values loaded from {argument}"

    def _plan(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError("which plan file?", hint="write :plan plan.toml")
        self.plan = load_plan(Path(argument).expanduser())
        count = len(self.plan.indicators())
        return f"plan {self.plan.title!r}: {count} indicators, {len(self.plan.drivers)} drivers"

    def _data(self, _argument: str) -> str:
        if not self.data:
            return "no data yet: set A = 110, or :load a CSV file"
        lines = []
        for (code, year), value in sorted(self.data.items()):
            shown = (
                "N/D"
                if value is ND
                else value.isoformat()
                if isinstance(value, dt.date)
                else self._number(value)  # type: ignore[arg-type]
            )
            lines.append(f"{code}@{year} = {shown}")
        return "\n".join(lines)

    def _unset(self, argument: str) -> str:
        keys = [key for key in self.data if key[0] == argument]
        for key in keys:
            del self.data[key]
        return f"{len(keys)} values of {argument} forgotten"

    def _drivers(self, argument: str) -> str:
        rows = driver_rows(parse(argument), self.data, self.year)
        return "\n".join(driver_lines(rows, raw=self.raw))

    def _check(self, argument: str) -> str:
        argument, _, baseline = argument.partition(", baseline ")
        # the target starts at its first comparison, word or sign after the value
        match = next((m for m in _TARGET_START.finditer(argument) if m.start() > 0), None)
        if match is None or not argument[: match.start()].strip():
            raise KpiFormulaError(
                "write the value, then the target", hint="for example :check 1.136 N. >= 1.100 N."
            )
        actual, target = argument[: match.start()].strip(), argument[match.start() :].strip()
        outcome = check_typed(
            parse_target(target),
            actual,
            scoring=parse_scoring("proportional"),
            baseline_text=baseline.strip() or None,
        )
        return outcome_text(outcome, raw=self.raw)

    def _require_plan(self) -> Plan:
        if self.plan is None:
            raise KpiFormulaError("no plan loaded", hint="write :plan plan.toml first")
        return self.plan

    def _indicator(self, argument: str) -> str:
        plan = self._require_plan()
        code, _, target_text = argument.partition(" ")
        target_text = target_text.strip()
        if target_text and not re.fullmatch(r"[0-9]{4}", target_text):
            raise KpiFormulaError(
                f"{target_text!r} is not a year", hint="write :indicator D1 or :indicator D1 2025"
            )
        target_year = int(target_text) if target_text else None
        evaluation = evaluate_plan(
            plan, self.data, year=self.year, target_year=target_year, on_missing=self.on_missing
        )
        for result in evaluation.indicators:
            if code in (result.id, result.code):
                value = (
                    str(result.value)
                    if self.raw or not isinstance(result.value, Decimal | dt.date)
                    else display_value(result.value, result.unit)
                )
                met = {True: "met", False: "not met", None: "-"}[result.met]
                if result.achievement is None:
                    achievement = ""
                else:
                    shown = (
                        decimal_text(result.achievement)
                        if self.raw
                        else display_percent(result.achievement)
                    )
                    achievement = f"; achievement {shown}"
                judged = (
                    f"target {evaluation.target_year} {result.target}: {met}{achievement}"
                    if result.target
                    else f"no target for {evaluation.target_year}"
                )
                lines = [f"{result.id}  {result.name}", f"value {value}; {judged}"]
                lines += [f"  {reason}" for reason in result.reasons]
                return "\n".join(lines)
        raise KpiFormulaError(
            f"no indicator {code!r} in the plan", hint="see :scorecard for the codes"
        )

    def _scorecard(self, argument: str) -> str:
        plan = self._require_plan()
        target_year = int(argument) if argument.isdigit() else None
        evaluation = evaluate_plan(
            plan, self.data, year=self.year, target_year=target_year, on_missing=self.on_missing
        )
        return render_text(evaluation).rstrip()

    def _missing(self, argument: str) -> str:
        if argument not in ("propagate", "zero"):
            raise KpiFormulaError("write :missing propagate or :missing zero", hint=None)
        self.on_missing = argument  # type: ignore[assignment]
        return f"N/D policy: {argument}"

    def _explain(self, argument: str) -> str:
        if argument not in ("on", "off"):
            raise KpiFormulaError("write :explain on or :explain off", hint=None)
        self.explain = argument == "on"
        return f"explain {argument}"

    def _raw(self, argument: str) -> str:
        if argument not in ("on", "off"):
            raise KpiFormulaError("write :raw on or :raw off", hint=None)
        self.raw = argument == "on"
        return f"raw digits {argument}"


def needs_more(text: str) -> bool:
    """True when a formula is visibly unfinished: an open parenthesis or a
    trailing operator (so pasted multi-line formulas read as one)."""
    stripped = text.rstrip()
    if stripped.startswith(":") or not stripped:
        return False
    return stripped.count("(") > stripped.count(")") or stripped[-1] in "+-*/"


def cancels(line: str) -> bool:
    """True when ``line``, typed while a formula continues, cancels it: an empty
    line or a command."""
    stripped = line.strip()
    return not stripped or stripped.startswith(":")


@dataclass(frozen=True, slots=True)
class _Statement:
    """What to run, and the input line where it started (1-based)."""

    text: str
    line: int
    cancelled: str | None = None
    """The unfinished formula this line cancelled, if it did."""


def _statements(lines: Iterable[str]) -> Iterator[_Statement]:
    pending, start = "", 0
    for number, line in enumerate(lines, start=1):
        if pending and cancels(line):
            yield _Statement("", start, pending)  # where the unfinished formula began
            pending = ""
        if pending:
            pending = f"{pending}\n{line}"
        else:
            pending, start = line, number
        if not needs_more(pending):
            yield _Statement(pending, start)
            pending = ""
    if pending:
        yield _Statement("", start, pending)


def history_path() -> Path:
    """Where the prompt keeps its history: ``$KPI_FORMULA_HISTORY``, or the
    XDG state folder."""
    explicit = os.environ.get("KPI_FORMULA_HISTORY")
    if explicit:
        return Path(explicit)
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "kpi_formula" / "history"


def _show(session: Session, statement: str, out: TextIO, err: TextIO, where: str = "") -> bool:
    try:
        text = session.handle(statement)
    except KpiFormulaError as error:
        err.write(f"error{where}: {error}\n")
        err.flush()
        return False
    if text:
        out.write(text + "\n")
        out.flush()
    return True


def _run_plain(session: Session, interactive: bool, out: TextIO, err: TextIO) -> int:
    failed = False

    def lines() -> Iterator[str]:
        prompt = "kpi> "
        pending = ""
        while True:
            try:
                line = input(prompt) if interactive else sys.stdin.readline()
            except EOFError:
                return
            if not interactive and not line:
                return
            line = line.rstrip("\n")
            yield line
            joined = f"{pending}\n{line}" if pending else line
            pending = "" if pending and cancels(line) else joined
            if needs_more(pending):
                prompt = CONTINUATION
            else:
                prompt, pending = "kpi> ", ""

    try:
        for statement in _statements(lines()):
            if statement.cancelled is not None:
                if interactive:
                    out.write("(the unfinished formula was cancelled)\n")
                else:  # a script whose formula never ends: say where, and fail
                    err.write(
                        f"error (line {statement.line}): the formula "
                        f"{statement.cancelled.strip()!r} is not finished\n"
                    )
                    failed = True
            if not statement.text:
                continue
            where = "" if interactive else f" (line {statement.line})"
            failed |= not _show(session, statement.text, out, err, where)
            if session.finished:
                break
    except KeyboardInterrupt:
        out.write("\n")
    return 2 if failed and not interactive else 0


def _run_prompt_toolkit(session: Session, out: TextIO, err: TextIO) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion, PathCompleter
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.input.vt100 import raw_mode

    paths = PathCompleter(expanduser=True)

    class _Completer(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterator[Completion]:
            before = document.text_before_cursor
            command, space, rest = before.partition(" ")
            if space and command in _PATH_COMMANDS:
                yield from paths.get_completions(Document(rest, len(rest)), complete_event)
                return
            word = re.search(r"[:\w.']*$", before)
            prefix = word.group() if word else ""
            if not prefix:
                return
            candidates = COMMANDS if prefix.startswith(":") else session.codes()
            for candidate in candidates:
                if candidate.startswith(prefix) and candidate != prefix:
                    yield Completion(candidate, start_position=-len(prefix))

    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(path)), completer=_Completer(), complete_while_typing=False
    )
    pending = ""
    while True:
        try:
            line = prompt.prompt(CONTINUATION if pending else "kpi> ")
        except EOFError:
            return 0
        except KeyboardInterrupt:
            if pending:
                out.write("(the unfinished formula was cancelled)\n")
            pending = ""
            continue
        if pending and cancels(line):
            out.write("(the unfinished formula was cancelled)\n")
            pending = ""
            if not line.strip():
                continue
        pending = f"{pending}\n{line}" if pending else line
        if needs_more(pending):
            continue
        statement, pending = pending, ""
        # Keys typed while the answer is printed (a Ctrl-D, the next line) must wait
        # for the next prompt as bytes: in the terminal's cooked mode an early Ctrl-D
        # would be swallowed as an end-of-file nobody reads.
        with raw_mode(sys.stdin.fileno()):
            _show(session, statement, out, err)
        if session.finished:
            return 0


def run_repl(
    *,
    year: int | None = None,
    data_file: str | None = None,
    plan_file: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the prompt on the terminal, or on piped standard input."""
    out = out or sys.stdout
    err = err or sys.stderr
    session = Session()
    if year is not None:
        session.year = year
    for command, argument in ((":load", data_file), (":plan", plan_file)):
        if argument:
            try:
                out.write(session.handle(f"{command} {argument}") + "\n")
            except KpiFormulaError as error:
                err.write(f"error: {error}\n")
                return 2
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        out.write(f"kpi_formula — year {session.year}; :help for commands, Ctrl-D to leave\n")
        if os.environ.get("KPI_FORMULA_PROMPT") != "plain":
            try:
                import prompt_toolkit  # noqa: F401
            except ImportError:
                pass
            else:
                return _run_prompt_toolkit(session, out, err)
        _readline_setup(session)
        return _run_plain(session, True, out, err)
    return _run_plain(session, False, out, err)


def _readline_setup(session: Session) -> None:
    """History and Tab completion for the plain prompt, where readline exists."""
    try:
        import atexit
        import readline
    except ImportError:  # pragma: no cover - platforms without readline
        return
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    atexit.register(readline.write_history_file, path)

    def complete(prefix: str, state: int) -> str | None:
        line = readline.get_line_buffer()
        command, space, _ = line.partition(" ")
        if space and command in _PATH_COMMANDS:
            # "/" splits words for formulas: complete the whole path, replace its last part
            argument = line[len(command) + 1 : readline.get_endidx()].lstrip()
            base = argument[: len(argument) - len(prefix)]
            matches = [
                name[len(base) :] + ("/" if os.path.isdir(name) else "")
                for name in sorted(glob.glob(glob.escape(argument) + "*"))
            ]
        else:
            candidates = COMMANDS if prefix.startswith(":") else tuple(session.codes())
            matches = [candidate for candidate in candidates if candidate.startswith(prefix)]
        return matches[state] if state < len(matches) else None

    readline.set_completer_delims(" \t\n()+*/=")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
