"""The analysts' prompt: ``kpi-formula repl``.

Type a formula to see its value and how it was computed (``_`` is the last
value); set driver values (``A = 110``, ``A-1 = 100``, ``A@2024 = 100``,
Italian values such as ``1.100 N.`` or ``72,10 %`` accepted); everything else
is a command (``:year 2025``, ``:load data.csv``, ``:plan plan.toml``,
``:explain D1``, ``:missing``, ``:check ...``), listed in :data:`HELP` and by
``:help`` at the prompt.  A code the data lacks gets the close codes the
session knows (``did you mean ...?``).  The prompt speaks Italian or English
(``--lang``, ``:lang``, ``KPI_FORMULA_LANG``, a plan's ``language``, the locale).

A line that ends with an operator, or leaves a parenthesis open, continues on
the next line, so multi-line formulas can be pasted.  With prompt_toolkit
installed (the ``repl`` extra) the prompt keeps a history across sessions and
completes commands and codes — spaces inside codes included — with Tab;
without it, or when the input is not a terminal (``kpi-formula repl <
script.txt``), a plain prompt reads the same language
(``KPI_FORMULA_PROMPT=plain`` asks for it on a terminal too: readline history
and completion where the platform has readline).  An error is shown with its
caret and the prompt goes on; with piped input the exit status is 2 if any
line failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .ast import Ref
from .catalog import Catalog
from .data import DataTable, load_data
from .decimals import decimal_text
from .display import display_percent, display_value
from .errors import KpiFormulaError, Message, msg
from .evaluator import MissingPolicy, Result, evaluate
from .formula import Formula, parse
from .i18n import Language, Translator, choose_language, translator
from .lint import lint
from .missing import ND, NotAvailable
from .output import (
    check_typed,
    data_value_with_unit,
    driver_lines,
    driver_rows,
    evaluation_warnings,
    outcome_text,
    parse_scoring,
    verdict,
)
from .plan.evaluate import evaluate_plan
from .plan.model import Plan
from .plan.planfile import load_plan
from .plan.scorecard import render_text
from .streams import STDERR
from .targets import OPENING_WORDS, parse_target
from .values import Quantity

__all__ = ["COMMANDS", "HELP", "Session", "complete_code", "run_repl"]

HELP = msg(
    """\
FORMULA                    its value, and how it was computed (_ is the last value)
CODE = VALUE               set a driver: CODE-1 = ..., CODE@2024 = ...
                           (values such as 1.100 N., 72,10 %, N/D, or _)
:year 2025                 the evaluation year
:load data.csv             driver data (CSV, long or wide)
:plan plan.toml            a plan: its drivers, indicators and scorecard
:data                      the driver values set so far
:unset CODE                forget a driver's values
:drivers FORMULA           the drivers a formula needs, and which are missing
:missing [FORMULA|CODE]    what the data lacks: for a formula, an indicator,
                           or (without one) the whole plan or the last formula
:explain FORMULA|CODE      how a formula, or a plan's indicator, is computed
:check ACTUAL TARGET       e.g. :check 1.136 N. >= 1.100 N.
                           or :check 94,7 % maggiore o uguale al 90%
                           (relative: :check 1.800 N. +20% rispetto al 2023, baseline 1.500 N.)
:indicator CODE [YEAR]     a plan indicator's value and outcome (targets of YEAR)
:scorecard [TARGET_YEAR]   the plan's scorecard for the year
:set                       the settings; :set explain on|off (the steps of each
                           formula), :set missing propagate|zero (the N/D policy),
                           :set raw on|off (exact digits instead of 8,38 % and 1.136)
:lang it|en                the language of the prompt
:quit                      leave (or Ctrl-D)
A line ending with an operator or an open parenthesis continues on the next;
an empty line, a :command or Ctrl-C cancels it."""
)

COMMANDS = (
    ":year",
    ":load",
    ":plan",
    ":data",
    ":unset",
    ":drivers",
    ":missing",
    ":explain",
    ":check",
    ":indicator",
    ":scorecard",
    ":set",
    ":lang",
    ":help",
    ":quit",
)
LAST = "_"
"""The code that names the last value in a formula (``_ * 100``)."""
_PATH_COMMANDS = (":load", ":plan")
_BARE_WORDS = {
    "quit": msg("Use :quit or Ctrl-D (i.e. EOF) to leave"),
    "exit": msg("Use :quit or Ctrl-D (i.e. EOF) to leave"),
    "help": msg("Type :help for the commands (they start with ':')"),
}
CONTINUATION = "... (empty line cancels)> "
"""The prompt of a continued formula: it says how to get out (in the session's language)."""
_CONTINUATION = msg("... (empty line cancels)> ")
_CANCELLED = msg("(the unfinished formula was cancelled)")
_ASSIGNMENT = re.compile(r"(?P<target>[^=]+?)\s*=\s*(?P<value>[^=<>].*)", re.DOTALL)
_NO_VALUE = re.compile(r"(?P<target>[^=<>]*[^=<>\s])\s*=\s*")
"""An assignment with nothing after its ``=``."""
_ABSOLUTE = re.compile(r"(?P<code>.+?)@(?P<year>[0-9]{4})")
_TARGET_START = re.compile(
    r"(>=|=>|<=|=<|≥|≤|>|<|=|[+-][0-9]|\b(?:"
    + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in OPENING_WORDS)
    + r"|anno [0-9]{4}\s*:)\b)",
    re.IGNORECASE,
)
_CODE_BOUNDARY = frozenset(" \t()+-*/=,")
"""Characters after which a code may start (a code itself holds single spaces)."""
_SETTINGS = {
    "explain": ("on", "off"),
    "missing": ("propagate", "zero"),
    "raw": ("on", "off"),
}


def complete_code(before: str, codes: Iterable[str]) -> tuple[int, list[str]]:
    """The codes that complete ``before`` (the text left of the cursor), and
    where the completed code starts in it.

    A code may hold spaces (``N ImprAtt_UULL_Tot``), so the code being typed may
    start after any space, operator or parenthesis: the earliest start that some
    code completes wins (``A + N Impr`` completes ``N Impr``, not ``Impr``).
    Case is kept; codes equal to what is typed are left out.

    >>> complete_code("A + N Impr", ["N ImprAtt_UULL_Tot", "ImprX"])
    (4, ['N ImprAtt_UULL_Tot'])
    """
    known = sorted(set(codes))
    starts = [0, *(index + 1 for index, char in enumerate(before) if char in _CODE_BOUNDARY)]
    for start in starts:
        prefix = before[start:]
        if not prefix or prefix[0].isspace():
            continue
        found = [code for code in known if code.startswith(prefix) and code != prefix]
        if found:
            return start, found
    return len(before), []


@dataclass
class Session:
    """The state of one prompt session, and what each line does to it.

    ``handle(line)`` returns the text to show, in the session's language;
    errors are raised as :class:`~kpi_formula.KpiFormulaError` for the caller to
    show (:meth:`Translator.error` says them in the same language).
    """

    year: int = field(default_factory=lambda: dt.date.today().year)
    data: DataTable = field(default_factory=dict)
    plan: Plan | None = None
    on_missing: MissingPolicy = "propagate"
    explain: bool = True
    raw: bool = False
    """Show exact digits (``:set raw on``) instead of the Italian display."""
    finished: bool = False
    """Set by :quit; the prompt stops reading."""
    language: Language | None = None
    """The language asked for (``--lang``, ``:lang``); None: the environment,
    then the plan's, then the locale's (:func:`~kpi_formula.i18n.choose_language`)."""
    last: Result | None = None
    """The last formula evaluated: ``_`` in a formula is its value."""

    @property
    def say(self) -> Translator:
        """The translator of the session's language."""
        return translator(
            choose_language(self.language, plan=None if self.plan is None else self.plan.language)
        )

    def codes(self) -> list[str]:
        """Codes worth completing and suggesting: data, plan drivers and indicators."""
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
        unfinished = _NO_VALUE.fullmatch(text)
        if unfinished:
            raise KpiFormulaError(
                msg("{target} = needs a value", target=unfinished["target"]),
                hint=msg(
                    "write CODE = VALUE (A = 110, A-1 = 1.000 N., A@2024 = 72,10 %); "
                    ":unset CODE forgets its values"
                ),
            )
        if text.lower() in _BARE_WORDS and text not in self.codes():
            return self.say.say(_BARE_WORDS[text.lower()])
        return self._evaluate(text)

    def _number(self, value: Decimal) -> str:
        return decimal_text(value) if self.raw else display_value(value)

    def _shown(self, value: object) -> str:
        if value is ND:
            return "N/D"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Quantity):  # loaded with the unit it was written with
            shown = decimal_text(value.amount) if self.raw else None
            return shown or display_value(value.amount, value.unit)
        assert isinstance(value, Decimal)
        return self._number(value)

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

    def _last_value(self) -> Decimal | NotAvailable:
        if self.last is None:
            raise KpiFormulaError(
                msg("_ is the last value, and nothing has been evaluated yet"),
                hint=msg("evaluate a formula first, e.g. A / B"),
            )
        return self.last.value

    def _data_for(self, formula: Formula) -> dict[tuple[str, int], object]:
        """The session's data, the plan's indicators ``formula`` names, and ``_``."""
        data: dict[tuple[str, int], object] = {**self.data, **self._indicator_values(formula)}
        if LAST in formula.drivers and not any(code == LAST for code, _ in self.data):
            data[(LAST, self.year)] = self._last_value()
        return data

    def _result(self, formula: Formula) -> tuple[Result, dict[tuple[str, int], object]]:
        data = self._data_for(formula)
        result = evaluate(
            formula, data, year=self.year, catalog=self.catalog(), on_missing=self.on_missing
        )
        return result, data

    def _warnings(self, result: Result, data: dict[tuple[str, int], object]) -> list[str]:
        """Close codes for codes the data lacks, then the formula's lint warnings."""
        say = self.say
        found: list[Message] = []
        if result.missing:
            found += evaluation_warnings(result, data, known=self.codes())
        found += [
            msg("{kind}: {message}", kind=warning.kind, message=warning.message)
            for warning in lint(result.formula)
        ]
        return [say.say(msg("warning: {warning}", warning=warning)) for warning in found]

    def _explained(self, result: Result) -> str:
        explained = result.explain() if self.raw else result.explain(number=display_value)
        return self.say.say(explained)

    def _evaluate(self, text: str) -> str:
        result, data = self._result(parse(text))
        self.last = result
        warnings = self._warnings(result, data)
        if self.explain:
            return "\n".join([self._explained(result), *warnings])
        reasons = [f"  {self.say.say(reason)}" for reason in result.reasons]
        return "\n".join([self._shown(result.value), *reasons, *warnings])

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
                    msg("cannot assign to {target!r}", target=target),
                    hint=msg("write CODE = VALUE, CODE-1 = VALUE or CODE@2024 = VALUE"),
                )
            code, year = root.code, self.year + root.offset
        # a value typed with a unit keeps it, as :load keeps a file's: evaluation refuses
        # 72,10 % + 3 gg, and a plan's indicator refuses 1.050 € for a count
        value = self._last_value() if value_text == LAST else data_value_with_unit(value_text)
        self.data[(code, year)] = value
        return f"{code}@{year} = {self._shown(value)}"

    def _command(self, name: str, argument: str) -> str:
        handlers: dict[str, Callable[[str], str]] = {
            ":year": self._year,
            ":load": self._load,
            ":plan": self._plan,
            ":data": self._data,
            ":unset": self._unset,
            ":drivers": self._drivers,
            ":missing": self._missing,
            ":explain": self._explain,
            ":check": self._check,
            ":indicator": self._indicator,
            ":scorecard": self._scorecard,
            ":set": self._set,
            ":lang": self._lang,
            ":help": lambda _: self.say.say(HELP),
            ":quit": self._quit,
            ":q": self._quit,
            ":exit": self._quit,
        }
        handler = handlers.get(name)
        if handler is None:
            raise KpiFormulaError(
                msg("unknown command {name!r}", name=name),
                hint=msg("commands: {commands}", commands=", ".join(COMMANDS)),
            )
        return handler(argument)

    def _quit(self, _argument: str) -> str:
        self.finished = True
        return ""

    def _year(self, argument: str) -> str:
        if argument:
            if not re.fullmatch(r"[0-9]{4}", argument):
                raise KpiFormulaError(
                    msg("{text!r} is not a year", text=argument), hint=msg("write :year 2025")
                )
            self.year = int(argument)
        return self.say.say(msg("year {year}", year=self.year))

    def _load(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError(msg("which file?"), hint=msg("write :load data.csv"))
        table = load_data(Path(argument).expanduser())
        self.data.update(table)
        return self.say.say(
            msg("{count} values loaded from {file}", count=len(table), file=argument)
        )

    def _plan(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError(msg("which plan file?"), hint=msg("write :plan plan.toml"))
        self.plan = load_plan(Path(argument).expanduser())
        loaded = msg(
            "plan {title!r}: {indicators} indicators, {drivers} drivers",
            title=self.plan.title,
            indicators=len(self.plan.indicators()),
            drivers=len(self.plan.drivers),
        )
        return self.say.say(loaded)

    def _data(self, _argument: str) -> str:
        if not self.data:
            return self.say.say(msg("no data yet: set A = 110, or :load a CSV file"))
        return "\n".join(
            f"{code}@{year} = {self._shown(value)}"
            for (code, year), value in sorted(self.data.items())
        )

    def _unset(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError(
                msg(":unset needs the code whose values to forget"),
                hint=msg("write :unset CODE, e.g. :unset A"),
            )
        keys = [key for key in self.data if key[0] == argument]
        for key in keys:
            del self.data[key]
        return self.say.say(
            msg("{count} values of {code} forgotten", count=len(keys), code=argument)
        )

    def _drivers(self, argument: str) -> str:
        rows = driver_rows(parse(argument), self.data, self.year)
        return "\n".join(self.say.say(line) for line in driver_lines(rows, raw=self.raw))

    def _indicator_formula(self, text: str) -> Formula | None:
        """The formula of the plan's indicator named ``text`` (None: not one, or an input)."""
        if self.plan is None:
            return None
        for indicator in self.plan.indicators().values():
            if text in (indicator.id, indicator.code) and not indicator.is_input:
                return indicator.parsed_formula()
        return None

    def _formula_of(self, text: str) -> Formula:
        return self._indicator_formula(text) or parse(text)

    def _not_a_setting(self, command: str, argument: str, values: tuple[str, ...]) -> None:
        """``:explain off`` and ``:missing zero`` were settings once: say where they went
        rather than explain a code named ``off``."""
        if argument in values and argument not in self.codes():
            raise KpiFormulaError(
                msg(
                    "{command} takes a formula or a code; the setting is :set {name} {value}",
                    command=command,
                    name=command[1:],
                    value=argument,
                ),
                hint=msg("write {command} D1, or {command} A / B", command=command),
            )

    def _explain(self, argument: str) -> str:
        if not argument:
            raise KpiFormulaError(
                msg("explain what?"), hint=msg("write :explain D1, or :explain A / B")
            )
        self._not_a_setting(":explain", argument, _SETTINGS["explain"])
        result, _ = self._result(self._formula_of(argument))
        self.last = result
        return self._explained(result)

    def _missing(self, argument: str) -> str:
        self._not_a_setting(":missing", argument, _SETTINGS["missing"])
        if argument:
            needed = {
                (ref.code, self.year + ref.offset): [argument]
                for ref in self._formula_of(argument).references
            }
        elif self.plan is not None:
            needed = self._plan_needs()
        elif self.last is not None:
            needed = {
                (ref.code, self.year + ref.offset): [str(self.last.formula)]
                for ref in self.last.formula.references
            }
        else:
            raise KpiFormulaError(
                msg("missing for what?"),
                hint=msg("write :missing A / B, :missing D1, or load a plan with :plan"),
            )
        lines = []
        for (code, year), users in sorted(needed.items()):
            value = self.data.get((code, year), None)
            if value is None or value is ND:
                status = msg("missing") if value is None else msg("N/D")
                lines.append(
                    msg(
                        "{code}@{year}  {status}  (for {users})",
                        code=code,
                        year=year,
                        status=status,
                        users=", ".join(sorted(set(users))),
                    )
                )
        if not lines:
            return self.say.say(msg("nothing is missing for {year}", year=self.year))
        return "\n".join(self.say.say(line) for line in lines)

    def _plan_needs(self) -> dict[tuple[str, int], list[str]]:
        """Each driver-year the plan's indicators read for the session's year, and who reads it."""
        assert self.plan is not None
        indicators = self.plan.indicators()
        needed: dict[tuple[str, int], list[str]] = {}
        for indicator in indicators.values():
            try:
                formula = indicator.parsed_formula()
            except KpiFormulaError:
                continue  # :plan's validation is plan validate's job
            references = [Ref(indicator.code, 0)] if formula is None else sorted(formula.references)
            for ref in references:
                if ref.code in indicators and ref.code != indicator.code:
                    continue  # computed from its own formula
                needed.setdefault((ref.code, self.year + ref.offset), []).append(indicator.id)
        return needed

    def _check(self, argument: str) -> str:
        argument, _, baseline = argument.partition(", baseline ")
        # the target starts at its first comparison, word or sign after the value
        match = next((m for m in _TARGET_START.finditer(argument) if m.start() > 0), None)
        if match is None or not argument[: match.start()].strip():
            raise KpiFormulaError(
                msg("write the value, then the target"),
                hint=msg("for example :check 1.136 N. >= 1.100 N."),
            )
        actual, target = argument[: match.start()].strip(), argument[match.start() :].strip()
        outcome = check_typed(
            parse_target(target),
            actual,
            scoring=parse_scoring("proportional"),
            baseline_text=baseline.strip() or None,
        )
        said = [self.say.say(outcome_text(outcome, raw=self.raw))]
        said += [f"  {self.say.say(note)}" for note in outcome.notes]  # what was assumed
        return "\n".join(said)

    def _require_plan(self) -> Plan:
        if self.plan is None:
            raise KpiFormulaError(msg("no plan loaded"), hint=msg("write :plan plan.toml first"))
        return self.plan

    def _indicator(self, argument: str) -> str:
        plan = self._require_plan()
        code, _, target_text = argument.partition(" ")
        target_text = target_text.strip()
        if target_text and not re.fullmatch(r"[0-9]{4}", target_text):
            raise KpiFormulaError(
                msg("{text!r} is not a year", text=target_text),
                hint=msg("write :indicator D1 or :indicator D1 2025"),
            )
        target_year = int(target_text) if target_text else None
        evaluation = evaluate_plan(
            plan, self.data, year=self.year, target_year=target_year, on_missing=self.on_missing
        )
        say = self.say
        for result in evaluation.indicators:
            if code in (result.id, result.code):
                value = (
                    str(result.value)
                    if self.raw or not isinstance(result.value, Decimal | dt.date)
                    else display_value(result.value, result.unit)
                )
                achievement = result.achievement
                if result.target is None:
                    judged = msg("no target for {year}", year=evaluation.target_year)
                elif achievement is None:
                    judged = msg(
                        "target {year} {target}: {verdict}",
                        year=evaluation.target_year,
                        target=result.target,
                        verdict=verdict(result.met),
                    )
                else:
                    judged = msg(
                        "target {year} {target}: {verdict}; achievement {achievement}",
                        year=evaluation.target_year,
                        target=result.target,
                        verdict=verdict(result.met),
                        achievement=decimal_text(achievement)
                        if self.raw
                        else display_percent(achievement),
                    )
                lines = [
                    f"{result.id}  {result.name}",
                    say.say(msg("value {value}; {judged}", value=value, judged=judged)),
                ]
                lines += [f"  {say.say(text)}" for text in (*result.reasons, *result.notes)]
                return "\n".join(lines)
        raise KpiFormulaError(
            msg("no indicator {code!r} in the plan", code=code),
            hint=msg("see :scorecard for the codes"),
        )

    def _scorecard(self, argument: str) -> str:
        plan = self._require_plan()
        target_year = int(argument) if argument.isdigit() else None
        evaluation = evaluate_plan(
            plan, self.data, year=self.year, target_year=target_year, on_missing=self.on_missing
        )
        return render_text(evaluation, language=self.say.language).rstrip()

    def _set(self, argument: str) -> str:
        name, _, value = argument.partition(" ")
        value = value.strip()
        if not name:
            current = {
                "explain": "on" if self.explain else "off",
                "missing": self.on_missing,
                "raw": "on" if self.raw else "off",
            }
            return "\n".join(f":set {key} {current[key]}" for key in _SETTINGS)
        if value not in _SETTINGS.get(name, ()):
            raise KpiFormulaError(
                msg("cannot set {name!r} to {value!r}", name=name, value=value),
                hint=msg(
                    "write :set explain on|off, :set missing propagate|zero or :set raw on|off"
                ),
            )
        if name == "explain":
            self.explain = value == "on"
        elif name == "raw":
            self.raw = value == "on"
        else:
            self.on_missing = value  # type: ignore[assignment]
        return f":set {name} {value}"

    def _lang(self, argument: str) -> str:
        if argument:
            self.language = choose_language(argument)
        return self.say.say(msg("language: {language}", language=self.say.language))


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


def _error_text(session: Session, error: KpiFormulaError, line: int | None) -> str:
    said = session.say.error(error)
    if line is None:
        return session.say.say(msg("error: {error}", error=said))
    return session.say.say(msg("error (line {line}): {error}", line=line, error=said))


def _show(
    session: Session, statement: str, out: TextIO, err: TextIO, line: int | None = None
) -> bool:
    try:
        text = session.handle(statement)
    except KpiFormulaError as error:
        err.write(_error_text(session, error, line) + "\n")
        err.flush()
        return False
    if text:
        out.write(text + "\n")
        out.flush()
    return True


def _prompt(session: Session, pending: str) -> str:
    return session.say.say(_CONTINUATION) if pending else "kpi> "


def _run_plain(session: Session, interactive: bool, out: TextIO, err: TextIO) -> int:
    failed = False

    def lines() -> Iterator[str]:
        pending = ""
        while True:
            try:
                line = input(_prompt(session, pending)) if interactive else sys.stdin.readline()
            except EOFError:
                return
            if not interactive and not line:
                return
            line = line.rstrip("\n")
            yield line
            joined = f"{pending}\n{line}" if pending else line
            pending = "" if pending and cancels(line) else joined
            if not needs_more(pending):
                pending = ""

    try:
        for statement in _statements(lines()):
            if statement.cancelled is not None:
                if interactive:
                    out.write(session.say.say(_CANCELLED) + "\n")
                else:  # a script whose formula never ends: say where, and fail
                    unfinished = KpiFormulaError(
                        msg(
                            "the formula {text!r} is not finished",
                            text=statement.cancelled.strip(),
                        )
                    )
                    err.write(_error_text(session, unfinished, statement.line) + "\n")
                    failed = True
            if not statement.text:
                continue
            line = None if interactive else statement.line
            failed |= not _show(session, statement.text, out, err, line)
            if session.finished:
                break
    except KeyboardInterrupt:
        if not interactive:  # a script cut short has not run
            return 130
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
            if before.startswith(":") and not space:
                candidates: Iterable[str] = COMMANDS
                start = 0
                found = [name for name in candidates if name.startswith(before) and name != before]
            else:
                start, found = complete_code(before, session.codes())
            for candidate in found:
                yield Completion(candidate, start_position=start - len(before))

    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(path)), completer=_Completer(), complete_while_typing=False
    )
    pending = ""
    while True:
        try:
            line = prompt.prompt(_prompt(session, pending))
        except EOFError:
            return 0
        except KeyboardInterrupt:
            if pending:
                out.write(session.say.say(_CANCELLED) + "\n")
            pending = ""
            continue
        if pending and cancels(line):
            out.write(session.say.say(_CANCELLED) + "\n")
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
    language: str | None = None,
) -> int:
    """Run the prompt on the terminal, or on piped standard input, speaking
    ``language`` (``--lang``; None: the environment, the plan, the locale)."""
    out = out or sys.stdout
    err = err or STDERR
    if sys.stdin is None:  # started with its standard input closed
        raise KpiFormulaError(
            msg("the standard input is closed: the prompt has nothing to read"),
            hint=msg("run it at a terminal, or send it lines through a pipe"),
        )
    session = Session(language=None if language is None else choose_language(language))
    if year is not None:
        session.year = year
    for command, argument in ((":load", data_file), (":plan", plan_file)):
        if argument:
            try:
                out.write(session.handle(f"{command} {argument}") + "\n")
            except KpiFormulaError as error:
                err.write(_error_text(session, error, None) + "\n")
                return 2
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        welcome = msg(
            "kpi_formula — year {year}; :help for commands, Ctrl-D to leave", year=session.year
        )
        out.write(session.say.say(welcome) + "\n")
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
        end = readline.get_endidx()
        begin = end - len(prefix)
        command, space, _ = line.partition(" ")
        if space and command in _PATH_COMMANDS:
            # "/" splits words for formulas: complete the whole path, replace its last part
            argument = line[len(command) + 1 : end].lstrip()
            base = argument[: len(argument) - len(prefix)]
            matches = [
                name[len(base) :] + ("/" if os.path.isdir(name) else "")
                for name in sorted(glob.glob(glob.escape(argument) + "*"))
            ]
        elif prefix.startswith(":"):
            matches = [name for name in COMMANDS if name.startswith(prefix)]
        else:
            # readline's word is everything after the last operator: a code may hold
            # spaces, so the code being typed is found in the line, and readline's word
            # is replaced by what precedes it there and the code
            start, found = complete_code(line[:end], session.codes())
            matches = [line[begin:start] + code for code in found] if start >= begin else []
        return matches[state] if state < len(matches) else None

    readline.set_completer_delims("\t\n()+*/=")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
