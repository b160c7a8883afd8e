"""What the command line and the prompt share: reading what people type, and
saying what came out.

Both faces — ``kpi-formula`` (:mod:`kpi_formula.cli`, :mod:`kpi_formula.plan.cli`)
and the prompt (:mod:`kpi_formula.repl`) — read values, assignments, scoring
rules and targets with the same rules, and write outcomes, drivers and
warnings in the same words; this module is where those rules and words live,
below the faces.  Its words are English :class:`~kpi_formula.errors.Message` s:
each face says them in its reader's language (:mod:`kpi_formula.i18n`).

**Numbers typed by people** follow one rule (README, *Numbers typed by
people*): a comma is the decimal mark; a dot followed by exactly three digits
(``1.100``) is ambiguous and refused, unless the context settles it — several
groups (``1.100.000``), a unit as documents write it (``1.100 N.``), or a ``;``
file read the Italian way; a dot followed by one, two, or four or more digits
is a decimal point (``0.95``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from .data import DataTable, parse_data_value, parse_typed_value
from .decimals import decimal_text
from .display import display_percent, display_value
from .errors import KpiFormulaError, Message, msg
from .missing import ND, NotAvailable
from .values import Quantity

if TYPE_CHECKING:  # targets and scoring are imported where judging needs them: the
    # command line evaluates a formula without loading them (and json without --json)
    from .formula import Formula
    from .result import Result
    from .scoring import Scoring
    from .targets import Outcome, Target

__all__ = [
    "UsageError",
    "check_typed",
    "data_value_with_unit",
    "driver_lines",
    "driver_rows",
    "evaluation_warnings",
    "outcome_payload",
    "outcome_text",
    "parse_assignment",
    "parse_scoring",
    "print_json",
    "result_payload",
    "verdict",
]

_ASSIGNMENT = re.compile(r"(?P<code>[^=@]+?)(?:@(?P<year>[0-9]{4}))?=(?P<value>.*)", re.DOTALL)


class UsageError(KpiFormulaError):
    """Bad command-line or prompt arguments."""

    error_code: ClassVar[str] = "usage"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)  # pragma: no cover


def print_json(payload: object, out: TextIO) -> None:
    """Write one JSON object; decimals as strings."""
    import json

    json.dump(payload, out, ensure_ascii=False, default=_json_default)
    out.write("\n")


def parse_assignment(text: str, year: int | None) -> tuple[tuple[str, int | None], Any]:
    """Read ``CODE=VALUE`` or ``CODE@YEAR=VALUE``; the value by the one rule for
    numbers typed by people.  The year is ``year`` when the text names none
    (None: not known yet)."""
    match = _ASSIGNMENT.fullmatch(text)
    if match is None or not match["code"].strip():
        raise UsageError(
            msg("cannot read the assignment {text!r}", text=text),
            hint=msg("write CODE=VALUE or CODE@YEAR=VALUE, e.g. A=110 or A@2024=100"),
        )
    key_year = int(match["year"]) if match["year"] else year
    return (match["code"].strip(), key_year), data_value_with_unit(match["value"])


def data_value_with_unit(text: str) -> Decimal | Quantity | NotAvailable:
    """A typed value by :func:`~kpi_formula.data.parse_data_value`'s rule, its unit
    kept when it has one (``3 gg`` is a Quantity in gg, ``0.5`` a Decimal), so
    that evaluation can refuse adding values of different units."""
    value = parse_data_value(text)
    if isinstance(value, Decimal):
        typed = parse_typed_value(text)
        if isinstance(typed, Quantity) and typed.unit is not None:
            return typed
    return value


def result_payload(result: Result, warnings: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON object of an evaluation: :meth:`Result.to_dict` (``value``,
    ``missing``, ``reasons`` first, as CONTRACT §3 has them) and ``warnings``."""
    return {**result.to_dict(), "warnings": list(warnings)}


def outcome_payload(outcome: Outcome) -> dict[str, Any]:
    """The JSON object of a target check: :meth:`Outcome.to_dict`."""
    return outcome.to_dict()


def verdict(met: bool | None) -> Message:
    """``met``, ``not met`` or ``N/D`` (*raggiunto*, *non raggiunto*)."""
    if met is None:
        return msg("N/D")
    return msg("met") if met else msg("not met")


def outcome_text(outcome: Outcome, *, raw: bool = False) -> Message:
    """An outcome in words, numbers the Italian way: ``not met; achievement 92,2 %``
    (with ``raw``, the achievement's exact digits)."""
    achieved = outcome.achievement
    shown = decimal_text if raw else display_percent
    return msg(
        "{verdict}; achievement {achievement}",
        verdict=verdict(outcome.met),
        achievement="-" if achieved is None else shown(achieved),
    )


def driver_rows(formula: Formula, data: DataTable, year: int) -> list[dict[str, Any]]:
    """The drivers a formula needs for ``year``: each ``code@year``, whether the
    data gives it, holds it as N/D or lacks it, and its value."""
    rows = []
    for ref in sorted(formula.references):
        when = year + ref.offset
        value = data.get((ref.code, when))
        if isinstance(value, Quantity):
            value = value.amount  # the formula reads the amount, a percentage as a fraction
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


_STATUS = {"missing": msg("missing"), "N/D": msg("N/D"), "given": msg("given")}


def driver_lines(rows: list[dict[str, Any]], *, raw: bool = False) -> list[Message]:
    """``code@year  value`` (or its status) for each row of :func:`driver_rows`."""
    return [
        msg(
            "{code}@{year}  {value}",
            code=row["code"],
            year=row["year"],
            value=(decimal_text(row["value"]) if raw else display_value(row["value"]))
            if row["value"] is not None
            else _STATUS[row["status"]],
        )
        for row in rows
    ]


_NOT_A_NUMBER = {
    "floor": msg("the floor of the range, {text!r}, is not a number"),
    "ceiling": msg("the ceiling of the range, {text!r}, is not a number"),
}


def _fraction(text: str, what: str) -> Decimal:
    """A bound of a range: ``70%``, ``70 %``, ``0,7``, ``0.7`` or ``70`` (percent)."""
    cleaned = text.strip()
    try:
        if cleaned.endswith("%"):
            return Decimal(cleaned[:-1].strip().replace(",", ".")).scaleb(-2)
        number = Decimal(cleaned.replace(",", "."))
    except ArithmeticError:
        raise UsageError(
            Message(_NOT_A_NUMBER[what].template, text=text),
            hint=msg("write range:70%:90%, range:0,7:0,9 or range:70:90"),
        ) from None
    return number.scaleb(-2) if number > 1 else number


def parse_scoring(text: str) -> Scoring:
    """``proportional``, ``binary`` or ``range[:FLOOR:CEILING]``, the bounds in
    percent (``range:70%:90%``, ``range:70:90``) or as fractions (``range:0,7:0,9``)."""
    from .scoring import BINARY, PROPORTIONAL, RangeScoring

    name, _, bounds = text.partition(":")
    if name == "proportional" and not bounds:
        return PROPORTIONAL
    if name == "binary" and not bounds:
        return BINARY
    if name == "range":
        if not bounds:
            return RangeScoring()
        floor_text, separator, ceiling_text = bounds.partition(":")
        if separator:
            floor, ceiling = _fraction(floor_text, "floor"), _fraction(ceiling_text, "ceiling")
            if Decimal(0) <= floor < ceiling <= Decimal(1):
                return RangeScoring(floor, ceiling)
            raise UsageError(
                msg("the range {bounds!r} needs 0 % <= floor < ceiling <= 100 %", bounds=bounds),
                hint=msg("for example range:70%:90%"),
            )
    raise UsageError(
        msg("unknown scoring {text!r}", text=text),
        hint=msg("use proportional, binary, range, or range:70%:90% (also range:0,7:0,9)"),
    )


def check_typed(
    target: Target,
    actual_text: str,
    *,
    scoring: Scoring,
    baseline_text: str | None = None,
    direction: str | None = None,
) -> Outcome:
    """Judge a value a person typed against ``target``, in ``direction`` if given.

    The value follows the one rule for numbers typed by people (``1.100`` alone
    is refused as ambiguous), then the one rule for units of
    :func:`kpi_formula.units.in_unit`, which :meth:`Target.check` applies: a
    number without a unit judged against a target in % is a fraction
    (``0,95``) when it lies within ±1, and is refused beyond (is 95 meant as
    95 % or as 9.500 %?) rather than guessed.  A bare-number target without a
    direction is read as *at least*, and the outcome's notes say so.
    """
    actual = parse_typed_value(actual_text)
    baseline = None if baseline_text is None else parse_typed_value(baseline_text)
    if target.needs_baseline and baseline is None:
        raise UsageError(
            msg(
                "the target {target!r} is relative: judging it needs the value it is relative to",
                target=str(target),
            ),
            hint=msg(
                "give it: --baseline VALUE on the command line, or "
                "':check ACTUAL TARGET, baseline VALUE' at the prompt"
            ),
        )
    return target.check(actual, baseline=baseline, direction=direction, scoring=scoring)


def evaluation_warnings(
    result: Result,
    data: Mapping[tuple[str, int], object],
    typed: Iterable[tuple[str, int]] = (),
    known: Iterable[str] = (),
) -> list[Message]:
    """What a person should hear about an evaluation: codes missing from ``data``
    that look like codes it has (case aside too), and values ``typed`` on the
    command line that the formula never read.  ``known`` adds codes worth
    suggesting that the data may not hold (a plan's drivers and indicators)."""
    warnings = []
    held = {code for code, _ in data}
    named = {ref.code for ref in result.formula.references}
    # a code the data lacks in every year is the likely typo; what it meant is among the
    # codes the data holds (or the session knows) and the formula does not read
    candidates = (held | set(known)) - named
    missing = sorted(named - held - set(known))
    if missing:
        from .catalog import close_matches  # difflib and catalogs: only for a code missing

    for code in missing:
        suggestions = close_matches(code, candidates, cutoff=0.8)
        if suggestions:
            warnings.append(
                msg(
                    "{code} is not in the data: did you mean {names}?",
                    code=code,
                    names=", ".join(repr(each) for each in suggestions),
                )
            )
    read = {(ref.code, result.year + ref.offset) for ref in result.formula.references}
    unread = sorted(key for key in set(typed) if key not in read)
    if unread:
        warnings.append(
            msg(
                "given but not read by the formula for {year}: {keys}",
                year=result.year,
                keys=", ".join(f"{code}@{year}" for code, year in unread),
            )
        )
    return warnings
