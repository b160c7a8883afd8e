"""Showing an evaluated plan: a terminal scorecard, JSON, CSV and HTML.

The JSON object is the one of CONTRACT §4: ``year``, ``score`` and one entry
per indicator (``code``, ``value``, ``missing``, ``reasons``, ``target``,
``met``, ``achievement``), decimals as strings; plus the rolled-up ``tree``.
Decimals in it are rounded to 15 significant digits, trailing zeros dropped:
the precision the Python and DuckDB engines share, so that both give the same
object (the Python API keeps every digit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_EVEN, Context, Decimal
from html import escape
from typing import Any

from ..decimals import decimal_text
from ..display import display_percent, display_value, display_weight
from ..missing import ND
from .scores import IndicatorResult, NodeScore, PlanEvaluation
from .sheet import neutralise

__all__ = ["evaluation_payload", "render_csv", "render_html", "render_text"]

_NAME_WIDTH = 58


_SHARED_PRECISION = Context(prec=15, rounding=ROUND_HALF_EVEN)


def _number(value: Decimal) -> str:
    """A decimal for the JSON object: 15 significant digits, no trailing zeros."""
    rounded = _SHARED_PRECISION.plus(value)
    return decimal_text(_SHARED_PRECISION.normalize(rounded) if rounded else Decimal(0))


def _value(value: Decimal | dt.date | object) -> str | None:
    if value is ND:
        return None
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _indicator_payload(result: IndicatorResult) -> dict[str, Any]:
    return {
        "code": result.code,
        "id": result.id,
        "name": result.name,
        "value": _value(result.value),
        "unit": result.unit,
        "missing": result.missing,
        "reasons": list(result.reasons),
        "target": result.target,
        "met": result.met,
        "achievement": None if result.achievement is None else _number(result.achievement),
        "notes": list(result.notes),
    }


def _node_payload(node: NodeScore) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": node.kind,
        "code": node.code,
        "name": node.name,
        "weight": _number(node.weight),
        "score": None if node.score is None else _number(node.score),
    }
    if node.indicator is not None:
        payload["id"] = node.indicator.id
    if node.children:
        payload["children"] = [_node_payload(child) for child in node.children]
    return payload


def evaluation_payload(evaluation: PlanEvaluation) -> dict[str, Any]:
    """The JSON object of an evaluated plan."""
    return {
        "year": evaluation.year,
        "target_year": evaluation.target_year,
        "score": None if evaluation.score is None else _number(evaluation.score),
        "nd_policy": evaluation.nd_policy,
        "indicators": [_indicator_payload(result) for result in evaluation.indicators],
        "tree": _node_payload(evaluation.tree),
    }


def _italian(number: str | None) -> str:
    """A JSON decimal string as Italian Excel reads a number: a decimal comma."""
    return "" if number is None else number.replace(".", ",")


def render_csv(evaluation: PlanEvaluation) -> str:
    """One row per indicator, for spreadsheets: Italian Excel's dialect (``;``
    between cells, a decimal comma), text cells safe from formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "code",
            "id",
            "name",
            "year",
            "value",
            "unit",
            "target_year",
            "target",
            "met",
            "achievement",
            "reasons",
        ]
    )
    for result in evaluation.indicators:
        payload = _indicator_payload(result)
        value = payload["value"]
        shown = "N/D" if value is None else value if "-" in value[1:] else _italian(value)
        writer.writerow(
            [
                neutralise(result.code),
                neutralise(result.id),
                neutralise(result.name),
                evaluation.year,
                shown,
                result.unit or "",
                evaluation.target_year,
                neutralise(result.target or ""),
                {True: "yes", False: "no", None: ""}[result.met],
                _italian(payload["achievement"]),
                neutralise("; ".join(result.reasons)),
            ]
        )
    return buffer.getvalue()


def _shown(result: IndicatorResult) -> str:
    return display_value(result.value, result.unit)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(evaluation: PlanEvaluation) -> str:
    """The scorecard as a tree for the terminal."""
    lines = [
        evaluation.tree.name,
        f"values {evaluation.year}, targets {evaluation.target_year}, N/D: "
        f"{evaluation.nd_policy}; score {display_percent(evaluation.score)}",
        "",
        f"{'':{_NAME_WIDTH}}  {'weight':>8}  {'value':>18}  {'target':<22} {'met':<4} {'score':>8}",
    ]

    def visit(node: NodeScore, depth: int) -> None:
        indent = "  " * depth
        label = (
            f"{indent}{node.code} {node.name}".rstrip()
            if node.kind != "group"
            else f"{indent}{node.name}"
        )
        label = _clip(label, _NAME_WIDTH)
        weight = display_weight(node.weight)
        if node.indicator is None:
            blank = f"{'':>18}  {'':<22} {'':<4}"
            score = display_percent(node.score)
            lines.append(f"{label:<{_NAME_WIDTH}}  {weight:>8}  {blank} {score:>8}")
        else:
            result = node.indicator
            met = {True: "yes", False: "no", None: "-"}[result.met]
            target = _clip(result.target or "", 22)
            lines.append(
                f"{label:<{_NAME_WIDTH}}  {weight:>8}  {_shown(result):>18}  {target:<22} {met:<4} "
                f"{display_percent(node.score):>8}"
            )
        for child in node.children:
            visit(child, depth + 1)

    for area in evaluation.tree.children:
        visit(area, 0)
    missing = [result for result in evaluation.indicators if result.missing]
    if missing:
        lines += ["", f"N/D ({len(missing)}):"]
        lines += [f"  {result.id}: {'; '.join(result.reasons) or 'N/D'}" for result in missing]
    return "\n".join(lines) + "\n"


def render_html(evaluation: PlanEvaluation) -> str:
    """The scorecard as an HTML table (notebooks)."""
    rows = []

    def visit(node: NodeScore, depth: int) -> None:
        result = node.indicator
        cells = [
            f'<td style="padding-left:{depth}em">{escape(node.code)} {escape(node.name)}</td>',
            f"<td>{escape(display_weight(node.weight))}</td>",
            f"<td>{escape(_shown(result)) if result else ''}</td>",
            f"<td>{escape(result.target or '') if result else ''}</td>",
            f"<td>{ {True: 'yes', False: 'no', None: '-'}[result.met] if result else '' }</td>",
            f"<td>{escape(display_percent(node.score))}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
        for child in node.children:
            visit(child, depth + 1)

    for area in evaluation.tree.children:
        visit(area, 0)
    header = "".join(
        f"<th>{name}</th>" for name in ("", "weight", "value", "target", "met", "score")
    )
    return (
        f"<div><b>{escape(evaluation.tree.name)}</b> — values {evaluation.year}, targets "
        f"{evaluation.target_year}, score {escape(display_percent(evaluation.score))}"
        f"<table><tr>{header}</tr>{''.join(rows)}</table></div>"
    )
