"""The scorecard as one self-contained HTML page: what people look at.

``kpi-formula plan scorecard PLAN --data FILE --year Y --html FILE`` writes it:
the tree with its weights and rolled-up scores, and for each indicator its
value, target, met or not, an achievement bar, the reasons for an N/D value,
and a small chart of every year of the data against the baselines and the
target.  Everything is inline — CSS and SVG, no script, no font, no network —
so the page opens anywhere, prints on A4 and reads on a phone.

Plans are documents written by others: every name, code, note and target they
hold is escaped, so no text of theirs becomes an element of the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from ..display import display_percent, display_value, display_weight
from ..errors import KpiFormulaError
from ..targets import parse_targets
from ..values import Quantity, parse_value
from .model import Indicator
from .scores import IndicatorResult, IndicatorValue, NodeScore, PlanEvaluation

__all__ = ["render_page"]

_CSS = """
:root { --ink: #1d2733; --muted: #5b6877; --line: #d7dde4; --ok: #1f7a4d; --ko: #b3261e;
        --nd: #7a7a7a; --bar: #e9edf1; --accent: #2f5d8a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 16px; max-width: 1100px; }
header h1 { font-size: 1.35em; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
.total { font-size: 1.1em; color: var(--ink); font-weight: 600; }
.problems { border-left: 4px solid var(--ko); padding: 4px 12px; margin: 12px 0;
            background: #fdf3f2; }
.node { border-top: 1px solid var(--line); margin-top: 10px; padding-top: 6px; }
.node > h2 { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline;
             font-size: 1.05em; margin: 0 0 6px; }
.node .node > h2 { font-size: 1em; }
.children { padding-left: 14px; }
.code { color: var(--muted); font-variant-numeric: tabular-nums; }
.weight, .score { font-variant-numeric: tabular-nums; color: var(--muted); font-weight: 400; }
.score { color: var(--accent); font-weight: 600; }
.indicators { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
              gap: 10px; }
.indicator { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
             break-inside: avoid; page-break-inside: avoid; }
.indicator h3 { font-size: .95em; margin: 0 0 6px; }
.indicator dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0 0 6px; }
.indicator dt { color: var(--muted); }
.indicator dd { margin: 0; font-variant-numeric: tabular-nums; }
.met-yes { color: var(--ok); font-weight: 600; }
.met-no { color: var(--ko); font-weight: 600; }
.met-nd { color: var(--nd); }
.bar { height: 8px; background: var(--bar); border-radius: 4px; overflow: hidden; margin: 4px 0; }
.bar > span { display: block; height: 100%; background: var(--accent); }
.chart { width: 100%; height: auto; max-height: 110px; }
.reasons, .notes { margin: 4px 0 0; padding-left: 18px; color: var(--muted); font-size: .9em; }
@page { size: A4; margin: 12mm; }
@media print { body { max-width: none; padding: 0; font-size: 11px; }
               .indicators { grid-template-columns: repeat(2, 1fr); } }
@media (max-width: 520px) { body { padding: 8px; } .children { padding-left: 6px; }
                            .indicators { grid-template-columns: 1fr; } }
"""

_MET = {True: ("yes", "met"), False: ("no", "not met"), None: ("nd", "N/D")}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _threshold(result: IndicatorResult) -> Decimal | None:
    if result.target is None:
        return None
    try:
        target = next(iter(parse_targets(result.target)), None)
    except KpiFormulaError:
        return None
    if target is None:  # n.d.: no target that year
        return None
    threshold = target.threshold
    return threshold.amount if isinstance(threshold, Quantity) else None


def _baselines(indicator: Indicator | None) -> dict[int, Decimal]:
    found: dict[int, Decimal] = {}
    for year, text in (indicator.baselines if indicator else {}).items():
        try:
            value = parse_value(text)
        except KpiFormulaError:
            continue
        if isinstance(value, Quantity):
            found[year] = value.amount
    return found


def _chart(
    values: Mapping[int, IndicatorValue],
    baselines: Mapping[int, Decimal],
    threshold: Decimal | None,
    target_year: int,
) -> str:
    """A small SVG: the data's values by year (line), the document's baselines
    (hollow dots) and the target (a dashed line, its year marked)."""
    numbers = {year: value for year, value in values.items() if isinstance(value, Decimal)}
    years = sorted({*numbers, *baselines, target_year})
    points = [*numbers.values(), *baselines.values()] + (
        [threshold] if threshold is not None else []
    )
    if not points or len(years) < 2:
        return ""
    low, high = float(min(points)), float(max(points))
    if low == high:
        low, high = low - 1, high + 1
    width, height, pad = 300, 90, 14

    def x(year: int) -> float:
        return pad + (width - 2 * pad) * (years.index(year) / (len(years) - 1))

    def y(value: Decimal) -> float:
        return height - pad - (height - 2 * pad) * ((float(value) - low) / (high - low))

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="values by year against baseline and target">'
    ]
    if threshold is not None:
        parts.append(
            f'<line class="target" x1="{pad}" x2="{width - pad}" y1="{y(threshold):.1f}" '
            f'y2="{y(threshold):.1f}" stroke="#b3261e" stroke-dasharray="4 3"/>'
        )
    line = " ".join(f"{x(year):.1f},{y(value):.1f}" for year, value in sorted(numbers.items()))
    if len(numbers) > 1:
        parts.append(f'<polyline class="values" points="{line}" fill="none" stroke="#2f5d8a"/>')
    for year, value in sorted(numbers.items()):
        parts.append(
            f'<circle class="value" cx="{x(year):.1f}" cy="{y(value):.1f}" r="3" fill="#2f5d8a">'
            f"<title>{year}: {escape(display_value(value))}</title></circle>"
        )
    for year, value in sorted(baselines.items()):
        parts.append(
            f'<circle class="baseline" cx="{x(year):.1f}" cy="{y(value):.1f}" r="4" '
            f'fill="none" stroke="#5b6877"><title>baseline {year}</title></circle>'
        )
    for year in years:
        parts.append(
            f'<text x="{x(year):.1f}" y="{height - 2}" font-size="9" text-anchor="middle" '
            f'fill="#5b6877">{year}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Page:
    """What every card of the page draws on: values by year, baselines, the target year."""

    history: Mapping[str, Mapping[int, IndicatorValue]]
    indicators: Mapping[str, Indicator]
    target_year: int


def _indicator(node: NodeScore, page: _Page) -> str:
    result = node.indicator
    assert result is not None
    css, words = _MET[result.met]
    achievement = result.achievement
    bar = (
        f'<div class="bar" role="meter" aria-valuemin="0" aria-valuemax="1" '
        f'aria-valuenow="{_number(achievement)}"><span style="width:'
        f'{float(achievement) * 100:.1f}%"></span></div>'
        if achievement is not None
        else ""
    )
    value = display_value(result.value, result.unit)
    rows = [
        ("value", escape(value)),
        ("target", escape(result.target or "—")),
        ("met", f'<span class="met-{css}">{words}</span>'),
        ("achievement", escape(display_percent(achievement))),
        ("weight", escape(display_weight(node.weight))),
    ]
    listed = "".join(f"<dt>{name}</dt><dd>{shown}</dd>" for name, shown in rows)
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in result.reasons)
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.notes)
    chart = _chart(
        page.history.get(result.id, {}),
        _baselines(page.indicators.get(result.id)),
        _threshold(result),
        page.target_year,
    )
    return (
        f'<article class="indicator" data-met="{css}">'
        f'<h3><span class="code">{escape(result.code)}</span> {escape(result.name)}</h3>'
        f"<dl>{listed}</dl>{bar}{chart}"
        + (f'<ul class="reasons">{reasons}</ul>' if reasons else "")
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
        + "</article>"
    )


def _node(node: NodeScore, page: _Page) -> str:
    cards = [_indicator(child, page) for child in node.children if child.indicator is not None]
    groups = [_node(child, page) for child in node.children if child.indicator is None]
    code = f'<span class="code">{escape(node.code)}</span> ' if node.kind != "group" else ""
    return (
        f'<section class="node kind-{escape(node.kind)}">'
        f'<h2>{code}<span class="name">{escape(node.name)}</span>'
        f'<span class="weight">weight {escape(display_weight(node.weight))}</span>'
        f'<span class="score">{escape(display_percent(node.score))}</span></h2>'
        + (f'<div class="indicators">{"".join(cards)}</div>' if cards else "")
        + (f'<div class="children">{"".join(groups)}</div>' if groups else "")
        + "</section>"
    )


def render_page(
    evaluation: PlanEvaluation,
    *,
    history: Mapping[str, Mapping[int, IndicatorValue]] | None = None,
    indicators: Mapping[str, Indicator] | None = None,
    problems: Sequence[str] = (),
) -> str:
    """The scorecard page: ``history`` maps indicator ids to their value by year
    (the charts), ``indicators`` gives their baselines, ``problems`` what
    validation found (shown at the top, never hidden)."""
    page = _Page(history or {}, indicators or {}, evaluation.target_year)
    title = evaluation.tree.name
    body = "".join(_node(area, page) for area in evaluation.tree.children)
    listed = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return (
        '<!doctype html>\n<html lang="it"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>values {evaluation.year}, targets "
        f"{evaluation.target_year}, N/D: {escape(evaluation.nd_policy)} · score "
        f'<span class="total">{escape(display_percent(evaluation.score))}</span></p></header>'
        + (
            f'<section class="problems"><h2>Problems</h2><ul>{listed}</ul></section>'
            if listed
            else ""
        )
        + f"<main>{body}</main></body></html>\n"
    )
