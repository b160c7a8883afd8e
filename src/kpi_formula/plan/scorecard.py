"""Showing an evaluated plan: a terminal scorecard, JSON, CSV and an HTML table.

The JSON object is the one of CONTRACT §4, for programs (English keys, exact
decimals as strings): ``year``, ``score`` and one entry per indicator
(``code``, ``value``, ``missing``, ``reasons``, ``target``, ``met``,
``achievement``), plus the rolled-up ``tree``.  Decimals carry every digit the
evaluation has, as ``check --json`` does; ``significant_digits`` says when they
were rounded (the DuckDB engine computes in floating point: its JSON is
rounded to 15 significant digits, and says so).

The text scorecard and the CSV are for people: in Italian or English
(``language``), numbers the Italian way for Italian, and the text fits the
terminal (at least 80 columns: names are shortened, rows never wrap).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from html import escape
from typing import Any

from ..decimals import EXACT, decimal_text
from ..display import display_percent, display_value, display_weight, shown_score
from ..errors import msg
from ..i18n import Language, Translator, translator
from ..missing import ND
from .scores import IndicatorResult, NodeScore, PlanEvaluation
from .sheet import neutralise

__all__ = ["MIN_WIDTH", "evaluation_payload", "render_csv", "render_html", "render_text"]

MIN_WIDTH = 80
"""The narrowest text scorecard: a terminal narrower than this still gets 80 columns."""


def _rounder(digits: int | None) -> Context:
    return EXACT if digits is None else Context(prec=digits, rounding=ROUND_HALF_EVEN)


def _number(value: Decimal, rounding: Context = EXACT) -> str:
    """A decimal for the JSON object, without trailing zeros (``0.60`` and ``0.6``
    are one weight, however a sheet wrote it): exact, or rounded to
    ``rounding``'s digits."""
    rounded = rounding.normalize(value)
    return decimal_text(rounded) if rounded else "0"


def _value(value: Decimal | dt.date | object, rounding: Context) -> str | None:
    if value is ND:
        return None
    if isinstance(value, Decimal):
        return _number(value, rounding)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _indicator_payload(result: IndicatorResult, rounding: Context) -> dict[str, Any]:
    return {
        "code": result.code,
        "id": result.id,
        "name": result.name,
        "value": _value(result.value, rounding),
        "unit": result.unit,
        "missing": result.missing,
        "reasons": list(result.reasons),
        "target": result.target,
        "met": result.met,
        "achievement": None
        if result.achievement is None
        else _number(result.achievement, rounding),
        "notes": list(result.notes),
    }


def _node_payload(node: NodeScore, rounding: Context) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": node.kind,
        "code": node.code,
        "name": node.name,
        "weight": _number(node.weight, rounding),
        "score": None if node.score is None else _number(node.score, rounding),
    }
    if node.indicator is not None:
        payload["id"] = node.indicator.id
    if node.children:
        payload["children"] = [_node_payload(child, rounding) for child in node.children]
    return payload


def evaluation_payload(evaluation: PlanEvaluation, *, digits: int | None = None) -> dict[str, Any]:
    """The JSON object of an evaluated plan: decimals exact, or rounded to
    ``digits`` significant digits (as ``significant_digits`` then says)."""
    rounding = _rounder(digits)
    return {
        "year": evaluation.year,
        "target_year": evaluation.target_year,
        "score": None if evaluation.score is None else _number(evaluation.score, rounding),
        "significant_digits": digits,
        "nd_policy": evaluation.nd_policy,
        "indicators": [_indicator_payload(result, rounding) for result in evaluation.indicators],
        "tree": _node_payload(evaluation.tree, rounding),
    }


# Words of the scorecards, said through the reader's catalog.

_KINDS = {
    "plan": msg("plan"),
    "area": msg("area"),
    "objective": msg("strategic objective"),
    "operational": msg("operational objective"),
    "group": msg("group"),
    "indicator": msg("indicator"),
}
_POLICIES = {
    "renormalise": msg("N/D: weights shared among the others"),
    "zero": msg("N/D: counted as 0"),
}


_ZERO = Decimal(0)


def _counted(node: NodeScore, evaluation: PlanEvaluation) -> Decimal | None:
    """The score a node counts for in its parent's: its own, and under the N/D
    policy ``zero`` 0 for an N/D one, which the roll-up counts as 0 — a scorecard
    shows what it adds up; an unjudged one counts for nothing, under either policy."""
    if (
        node.score is None
        and node.judged
        and evaluation.nd_policy == "zero"
        and node is not evaluation.tree
    ):
        return _ZERO
    return node.score


def _met_word(met: bool | None, say: Translator) -> str:
    if met is None:
        return "-"
    return say.say(msg("yes") if met else msg("no"))


def _kind(node: NodeScore, say: Translator) -> str:
    known = _KINDS.get(node.kind)
    return say.say(known) if known is not None else node.kind


# CSV: one row per node, for spreadsheets in the reader's language.

_CSV_PLACES = Decimal("0.01")
_CSV_CONTEXT = Context(prec=1000, rounding=ROUND_HALF_EVEN)
_CSV_FRACTION_PLACES = Decimal("0.0001")  # two decimals of a percentage


def _csv_number(value: Decimal, language: Language) -> str:
    """A number for a spreadsheet cell: two decimals at most, no thousands
    separator, a decimal comma for Italian."""
    rounded = value.quantize(_CSV_PLACES, context=_CSV_CONTEXT)
    if rounded == rounded.to_integral_value(context=_CSV_CONTEXT):
        rounded = rounded.quantize(Decimal(1), context=_CSV_CONTEXT)
    text = decimal_text(rounded)
    return text.replace(".", ",") if language == "it" else text


def _csv_value(result: IndicatorResult, language: Language) -> str:
    value = result.value
    if value is ND:
        return "N/D"
    if isinstance(value, dt.date):
        return value.isoformat()
    assert isinstance(value, Decimal)
    points = value.scaleb(2, _CSV_CONTEXT) if result.unit == "%" else value
    return _csv_number(points, language)


def _percent_cell(fraction: Decimal | None, language: Language) -> str:
    """A weight, an achievement or a score in percentage points, two decimals: a
    fraction short of 1 is never written 100 (see :func:`shown_score`)."""
    if fraction is None:
        return ""
    shown = shown_score(fraction, _CSV_FRACTION_PLACES) if fraction <= 1 else fraction
    return _csv_number(shown.scaleb(2, _CSV_CONTEXT), language)


_CSV_HEADER = (
    msg("kind"),
    msg("code"),
    msg("id"),
    msg("parent"),
    msg("name"),
    msg("weight %"),
    msg("year"),
    msg("value"),
    msg("unit"),
    msg("target year"),
    msg("target"),
    msg("met"),
    msg("achievement %"),
    msg("score %"),
    msg("reasons"),
)


def _walk(node: NodeScore, parent: str) -> Iterator[tuple[NodeScore, str]]:
    yield node, parent
    for child in node.children:
        yield from _walk(child, node.code)


def render_csv(evaluation: PlanEvaluation, *, language: Language = "en") -> str:
    """The scorecard for spreadsheets: a row for the plan, each group and each
    indicator, in tree order, with its weight and score (an indicator's value,
    target, met and achievement too).  Headers in ``language``; for Italian,
    Italian Excel's dialect (``;`` between cells, decimal commas), for English
    a comma and decimal points.  Percentages (weights, achievements, scores,
    values in %) are written in points with two decimals, the unit column says
    ``%``; text cells are safe from formula injection."""
    say = translator(language)
    buffer = io.StringIO()
    delimiter = ";" if language == "it" else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([say.say(header) for header in _CSV_HEADER])
    for node, parent in _walk(evaluation.tree, ""):
        result = node.indicator
        common = [
            neutralise(_kind(node, say)),
            neutralise(node.code),
            neutralise("" if result is None else result.id),
            neutralise(parent),
            neutralise(node.name),
            _percent_cell(node.weight, language),
            evaluation.year,
        ]
        if result is None:
            score = _percent_cell(_counted(node, evaluation), language)
            writer.writerow([*common, "", "", evaluation.target_year, "", "", "", score, ""])
            continue
        writer.writerow(
            [
                *common,
                _csv_value(result, language),
                result.shown_unit or "",
                evaluation.target_year,
                neutralise(result.target or ""),
                "" if result.met is None else _met_word(result.met, say),
                _percent_cell(result.achievement, language),
                _percent_cell(_counted(node, evaluation), language),
                neutralise("; ".join(say.say(reason) for reason in result.reasons)),
            ]
        )
    return buffer.getvalue()


# The text scorecard.


def terminal_width() -> int:
    """The terminal's columns (``COLUMNS`` first, as :func:`shutil.get_terminal_size`
    reads them), at least :data:`MIN_WIDTH`."""
    return max(MIN_WIDTH, shutil.get_terminal_size((MIN_WIDTH, 24)).columns)


def _clauses(text: str, width: int) -> list[str]:
    """``text`` within ``width`` columns, broken between its clauses (after a ``;``)
    where it must break, so that no clause is split across lines (only one
    longer than the width is wrapped at its words)."""
    lines: list[str] = []
    for clause in text.split("; "):
        if lines and len(lines[-1]) + 2 + len(clause) <= width:
            lines[-1] += "; " + clause
        else:
            if lines:
                lines[-1] += ";"
            lines.extend(textwrap.wrap(clause, width - 1))  # room for its own ";"
    return lines


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


@dataclass(frozen=True, slots=True)
class _Row:
    depth: int
    label: str
    weight: str
    value: str
    target: str
    met: str
    score: str


_TEXT_HEADER = (msg("weight"), msg("value"), msg("target"), msg("met"), msg("score"))
_TARGET_WIDTH = 24
"""The target column's widest: a longer target (a sentence) is shortened with
``…``; the full text is in the JSON and the CSV.  Shorter ones are never cut."""
_LABEL_FLOOR = 12
_GAP = " "


def _rows(evaluation: PlanEvaluation, say: Translator) -> list[_Row]:
    rows: list[_Row] = []

    def visit(node: NodeScore, depth: int) -> None:
        result = node.indicator
        label = f"{node.code} {node.name}".strip() if node.kind != "group" else node.name.strip()
        rows.append(
            _Row(
                depth,
                label,
                display_weight(node.weight),
                "" if result is None else display_value(result.value, result.shown_unit),
                "" if result is None else result.target or "",
                "" if result is None else _met_word(result.met, say),
                display_percent(_counted(node, evaluation)),
            )
        )
        for child in node.children:
            visit(child, depth + 1)

    for child in evaluation.tree.children:
        visit(child, 0)
    return rows


def render_text(
    evaluation: PlanEvaluation, *, language: Language = "en", width: int | None = None
) -> str:
    """The scorecard as a tree for the terminal, in ``language``, within
    ``width`` columns (default: the terminal's, at least 80).

    Numbers are never cut: names give way (shortened with ``…``), and targets
    written as sentences are shortened; rows never wrap (the title and the
    summary above them do).
    """
    say = translator(language)
    width = terminal_width() if width is None else max(width, MIN_WIDTH)
    rows = _rows(evaluation, say)
    headers = [say.say(word) for word in _TEXT_HEADER]
    columns = list(zip(*((r.weight, r.value, r.target, r.met, r.score) for r in rows), strict=True))
    sizes = [
        max([len(header), *(len(cell) for cell in column)])
        for header, column in zip(headers, columns or [()] * 5, strict=True)
    ]
    sizes[2] = min(sizes[2], max(_TARGET_WIDTH, len(headers[2])))
    fixed = sum(sizes) + len(_GAP) * len(sizes)
    label_width = max(width - fixed, _LABEL_FLOOR)
    indent = 2 if label_width >= 40 else 1

    def line(label: str, cells: tuple[str, ...]) -> str:
        weight, value, target, met, score = cells
        return _GAP.join(
            (
                f"{label:<{label_width}}",
                f"{weight:>{sizes[0]}}",
                f"{value:>{sizes[1]}}",
                f"{_clip(target, sizes[2]):<{sizes[2]}}",
                f"{met:<{sizes[3]}}",
                f"{score:>{sizes[4]}}",
            )
        ).rstrip()

    summary = msg(
        "score {score}; values {year}, targets {target_year}; {policy}",
        year=evaluation.year,
        target_year=evaluation.target_year,
        policy=_POLICIES.get(evaluation.nd_policy, evaluation.nd_policy),
        score=display_percent(evaluation.score),
    )
    # the title and the summary are prose: wrapped, never cut (the score is in it)
    lines = [
        *textwrap.wrap(evaluation.tree.name, width),
        *_clauses(say.say(summary), width),
        "",
        line("", tuple(headers)),
    ]
    for row in rows:
        label = _clip(" " * (indent * row.depth) + row.label, label_width)
        lines.append(line(label, (row.weight, row.value, row.target, row.met, row.score)))
    missing = [result for result in evaluation.indicators if result.missing]
    if missing:
        lines += ["", say.say(msg("N/D ({count}):", count=len(missing)))]
        for result in missing:
            reasons = "; ".join(say.say(reason) for reason in result.reasons) or "N/D"
            lines.append(_clip(f"  {result.id}: {reasons}", width))
    # a value without a verdict: the table's empty target or "-" says no more
    unjudged = [r for r in evaluation.indicators if not r.missing and r.outcome is None]
    if unjudged:
        lines += ["", say.say(msg("not judged ({count}):", count=len(unjudged)))]
        no_target = msg("no target for {year}", year=evaluation.target_year)
        for result in unjudged:
            reasons = "; ".join(say.say(reason) for reason in result.reasons) or say.say(no_target)
            lines.append(_clip(f"  {result.id}: {reasons}", width))
    return "\n".join(lines) + "\n"


def render_html(evaluation: PlanEvaluation, *, language: Language = "en") -> str:
    """The scorecard as an HTML table (notebooks), in ``language``."""
    say = translator(language)
    rows = []

    def visit(node: NodeScore, depth: int) -> None:
        result = node.indicator
        met = "" if result is None else _met_word(result.met, say)
        cells = [
            f'<td style="padding-left:{depth}em">{escape(node.code)} {escape(node.name)}</td>',
            f"<td>{escape(display_weight(node.weight))}</td>",
            f"<td>{escape(display_value(result.value, result.shown_unit)) if result else ''}</td>",
            f"<td>{escape(result.target or '') if result else ''}</td>",
            f"<td>{escape(met)}</td>",
            f"<td>{escape(display_percent(_counted(node, evaluation)))}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
        for child in node.children:
            visit(child, depth + 1)

    for area in evaluation.tree.children:
        visit(area, 0)
    header = "".join(f"<th>{escape(say.say(name))}</th>" for name in _TEXT_HEADER)
    summary = msg(
        "score {score}; values {year}, targets {target_year}; {policy}",
        year=evaluation.year,
        target_year=evaluation.target_year,
        policy=_POLICIES.get(evaluation.nd_policy, evaluation.nd_policy),
        score=display_percent(evaluation.score),
    )
    return (
        f"<div><b>{escape(evaluation.tree.name)}</b> — {escape(say.say(summary))}"
        f"<table><tr><th></th>{header}</tr>{''.join(rows)}</table></div>"
    )
