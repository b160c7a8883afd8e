"""The scorecard as one self-contained HTML page: what people look at and print.

``kpi-formula plan scorecard PLAN --data FILE --year Y --html FILE`` writes it.
At the top, a summary: the plan's score and how many indicators met their
target of those judged, how many came close, how many fell far, how many are
N/D.  Then the tree with its weights and rolled-up scores, and for each
indicator a card: its value, its target (and the threshold a relative target
works out to), an achievement bar, and a chart of every year of the data
against the plan's baselines and the target, each value written beside its
point so that the chart reads on paper and on a phone, where nothing hovers.

Each card has a traffic-light state (*semaforo*), by its verdict:

* **met** (green) — the target is met;
* **close** (amber) — missed, with an achievement of at least :data:`CLOSE_BAND`
  (90 %): 95 N. against ``>= 100 N.``;
* **far** (red) — missed by more (a missed deadline or yes/no scores 0: far);
* **N/D** (grey) — the value is not available;
* **not judged** (grey) — a value, but no target that year (``n.d.``; or one
  that could not be judged: the card says why), written *not judged in 2025*.

Each kind of target is drawn as it reads: a range as its two bounds with the
band between them; a yes/no indicator as *Yes* or *No* and its state, without
a chart; a value with a deadline as its threshold, the deadline in a row of its
own.  Where the written target leaves something to work out, the card says what
it was read as, after an arrow: the threshold of a relative target (``→ ≥ 79,31
%``), the comparison a bare amount was given (``25 → ≤ 25 gg`` where the plan
says lower is better), a sentence's amount and the words of what is counted,
one year's target of a cell of several, the day a deadline by period comes to
(``entro giugno 2025 → by 30-06-2025``).  The plan's direction, where it gives
one, is written with its arrow (↑ ↓), and the evaluation's notes (a bare amount
read as at least for want of a direction) are listed on the card.

The state is written in words and marked with a sign (✓ ≈ ✗), never told by
colour alone.  Labels are in the language asked for (``language="it"`` or
``"en"``, through :mod:`kpi_formula.i18n`); the plan's own text is shown as
written.  Printed, the page is A4 with the title and the evaluation date at the
top of each sheet and its page number at the bottom.

Everything is inline — CSS and SVG, no script, no font, no network — so the
page opens anywhere.  Plans are documents written by others: every name, code,
note and target they hold is escaped, so no text of theirs becomes an element
of the page or a rule of its style.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, Inexact
from html import escape
from itertools import pairwise
from typing import Literal, TypeAlias

from ..decimals import DIVISION, EXACT
from ..display import display_percent, display_value, display_weight
from ..i18n import Language, Translator, translator
from ..missing import ND
from ..values import FRACTION_SHIFT, YES_NO, Quantity, format_value
from .scores import IndicatorResult, IndicatorValue, NodeScore, PlanEvaluation

__all__ = ["CLOSE_BAND", "State", "render_page", "traffic_light"]

State: TypeAlias = Literal["met", "close", "far", "nd", "unjudged"]

CLOSE_BAND = Decimal("0.9")
"""A missed target whose achievement is at least this is *close* (amber), not *far*."""


def traffic_light(result: IndicatorResult) -> State:
    """The card's state: met, close (missed within :data:`CLOSE_BAND`), far,
    N/D (no value), or not judged (a value but no verdict)."""
    if result.met:
        return "met"
    if result.met is False:
        achievement = result.achievement
        return "close" if achievement is not None and achievement >= CLOSE_BAND else "far"
    return "nd" if result.value is ND else "unjudged"


_SIGNS: dict[State, str] = {"met": "✓", "close": "≈", "far": "✗", "nd": "–", "unjudged": "–"}
_INK, _MUTED, _VALUE, _GRID = "#1d2733", "#5b6877", "#2f5d8a", "#e3e8ee"

_CSS = """
:root { --ink: #1d2733; --muted: #5b6877; --line: #d7dde4; --met: #1f7a4d; --close: #9a5b00;
        --far: #b3261e; --nd: #6b7280; --bar: #e9edf1; --accent: #2f5d8a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 16px; max-width: 1100px; }
header.page h1 { font-size: 1.35em; margin: 0 0 2px; }
.facts { margin: 0; color: var(--muted); display: flex; flex-wrap: wrap; gap: 0 14px; }
.facts dt { display: inline; } .facts dt::after { content: ":"; }
.facts dd { display: inline; margin: 0 0 0 4px; color: var(--ink); overflow-wrap: anywhere; }
.summary { display: flex; flex-wrap: wrap; gap: 10px 28px; align-items: flex-start;
           margin: 12px 0; padding: 10px 12px; background: #f5f7f9; border-radius: 6px; }
.summary .total { display: flex; flex-direction: column; }
.summary .figure { font-size: 1.9em; font-weight: 700; line-height: 1.1;
                   font-variant-numeric: tabular-nums; }
.summary .caption { color: var(--muted); font-size: .9em; }
.summary .counts { flex: 1 1 320px; }
.summary .headline { font-size: 1.15em; font-weight: 600; margin: 0 0 4px; }
.summary ul { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap;
              gap: 2px 16px; }
.stack { display: flex; height: 12px; border-radius: 3px; overflow: hidden;
         background: var(--bar); }
.stack > span { display: block; height: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 8px; color: var(--muted);
          font-size: .85em; align-items: center; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend svg { width: 26px; height: 12px; }
.problems { border-left: 4px solid var(--far); padding: 4px 12px; margin: 12px 0;
            background: #fdf3f2; }
.problems h2 { font-size: 1em; margin: 4px 0; }
.node { border-top: 1px solid var(--line); margin-top: 10px; padding-top: 6px; }
.node > h2 { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline;
             font-size: 1.05em; margin: 0 0 6px; break-after: avoid; page-break-after: avoid; }
.node .node > h2 { font-size: 1em; }
.children { padding-left: 14px; }
.code { color: var(--muted); font-variant-numeric: tabular-nums; }
.weight, .score { font-variant-numeric: tabular-nums; color: var(--muted); font-weight: 400; }
.score strong { color: var(--accent); }
.indicators { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
              gap: 10px; }
.indicator { border: 1px solid var(--line); border-left: 5px solid var(--state);
             border-radius: 6px; padding: 8px 10px; break-inside: avoid;
             page-break-inside: avoid; }
.state-met { --state: var(--met); } .state-close { --state: var(--close); }
.state-far { --state: var(--far); } .state-nd, .state-unjudged { --state: var(--nd); }
.indicator > header { display: flex; gap: 8px; justify-content: space-between;
                      align-items: baseline; margin: 0 0 6px; }
.indicator h3 { font-size: .95em; margin: 0; }
.state { color: var(--state); font-weight: 700; white-space: nowrap; font-size: .9em; }
.indicator .state { white-space: normal; text-wrap: balance; text-align: right; max-width: 45%; }
.indicator dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0 0 6px; }
.indicator dt { color: var(--muted); }
.indicator dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: break-word; }
.threshold { color: var(--muted); white-space: nowrap; }
.target-label { color: var(--muted); font-style: italic; }
.achieved { display: flex; align-items: center; gap: 8px; }
.bar { flex: 1; height: 8px; background: var(--bar); border-radius: 4px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--state); }
.chart { display: block; width: 100%; height: auto; }
.reasons, .notes { margin: 4px 0 0; padding-left: 18px; color: var(--muted); font-size: .9em; }
.summary, .indicator, .stack, .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
@media print { body { max-width: none; padding: 0; font-size: 10.5px; }
               .indicators { grid-template-columns: repeat(2, 1fr); } }
@media (max-width: 520px) { body { padding: 8px; } .children { padding-left: 6px; }
                            .indicators { grid-template-columns: 1fr; } }
"""


def _labels(_: Translator, year: int) -> dict[State, str]:
    """Each state in words, as a card of the target ``year`` writes it."""
    return {
        "met": _("met"),
        "close": _("close"),
        "far": _("far"),
        "nd": _("N/D"),
        "unjudged": _("not judged in {year}").format(year=year),
    }


# ----------------------------------------------------------------------------- numbers


_ROUNDING = EXACT.copy()  # the library's limits, rounding half-even where a chart shortens
_ROUNDING.traps[Inexact] = False


def _trimmed(value: Decimal, places: int) -> str:
    """``value`` rounded to ``places`` decimals, without trailing zeros, the Italian way."""
    rounded = value.quantize(Decimal(1).scaleb(-places, EXACT), context=_ROUNDING)
    if rounded == rounded.to_integral_value(context=EXACT):
        rounded = rounded.quantize(Decimal(1), context=_ROUNDING)
    else:
        rounded = rounded.normalize(EXACT)
    return format_value(rounded)


_SHIFTS: dict[str | None, int] = {unit: shift for unit, shift in FRACTION_SHIFT.items()}


def _short(value: Decimal, unit: str | None, _: Translator) -> str:
    """A value as a chart writes it: few digits, its unit left to the axis
    (``13,6 mld`` for 13.595.300.000 €, ``72,1`` for 72,10 %, ``54,2`` for 54,24 ‰)."""
    value = value.scaleb(_SHIFTS.get(unit, 0), EXACT)
    size = EXACT.abs(value)
    if size >= 10**9:
        return _("{number} bn").format(number=_trimmed(value.scaleb(-9, EXACT), 1))
    if size >= 10**6:
        return _("{number} M").format(number=_trimmed(value.scaleb(-6, EXACT), 1))
    return _trimmed(value, 0 if size >= 100 else 1 if size >= 10 else 2)


def _ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    """Round values (1, 2 or 5 times a power of ten apart) spanning ``low``..``high``."""
    raw = DIVISION.divide(EXACT.subtract(high, low), Decimal(3))
    exponent = raw.adjusted()
    mantissa = raw.scaleb(-exponent, EXACT)
    nice = next(step for step in (1, 2, 5, 10) if mantissa <= step)
    step = Decimal(nice).scaleb(exponent, EXACT)
    first = DIVISION.divide(low, step).to_integral_value(rounding=ROUND_FLOOR, context=EXACT)
    last = DIVISION.divide(high, step).to_integral_value(rounding=ROUND_CEILING, context=EXACT)
    count = int(EXACT.subtract(last, first))
    return [EXACT.multiply(EXACT.add(first, Decimal(k)), step) for k in range(count + 1)]


# ----------------------------------------------------------------------------- the chart

_WIDTH, _HEIGHT = 320, 132
_HALO = {"stroke": "#fff", "stroke_width": "3", "paint_order": "stroke"}
"""A white edge round the values written on a chart, so that a line crossing
one (a threshold, the values' own) does not make it unreadable."""
_DRAWABLE = Decimal("1e300")
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 262, 16, 108  # the plot's box; labels outside it


@dataclass(frozen=True, slots=True)
class _Scale:
    years: tuple[int, ...]
    low: float
    high: float

    def x(self, year: int) -> float:
        span = max(len(self.years) - 1, 1)
        return _LEFT + 12 + (_RIGHT - _LEFT - 24) * self.years.index(year) / span

    def y(self, value: Decimal) -> float:
        return _BOTTOM - (_BOTTOM - _TOP) * (float(value) - self.low) / (self.high - self.low)


def _text(x: float, y: float, text: str, *, anchor: str = "middle", **attributes: str) -> str:
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{value}"' for name, value in attributes.items()
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="9" text-anchor="{anchor}"{extra}>'
        f"{escape(text)}</text>"
    )


def _apart(heights: Sequence[float], gap: float = 10) -> list[float]:
    """Where to write the labels of lines at ``heights``: at their lines, moved
    apart (the lower one down) where two would overlap, as a narrow range's would."""
    written = list(heights)
    order = sorted(range(len(written)), key=written.__getitem__)
    for before, after in pairwise(order):
        written[after] = max(written[after], written[before] + gap)
    return written


def _chart(
    values: Mapping[int, IndicatorValue],
    baselines: Mapping[int, Decimal],
    levels: Sequence[Decimal],
    target_year: int,
    unit: str | None,
    _: Translator,
    *,
    band: bool = False,
) -> str:
    """An SVG of the data's values by year (a line, each point's value written),
    the plan's baselines (rings) and the target's threshold (a dashed line, its
    value written at its end), with the years and a scale of round values on
    the axes.  A range (``band``) has two levels, its bounds: a line each and
    the band between them shaded, where the value meets it."""
    numbers = {year: value for year, value in values.items() if isinstance(value, Decimal)}
    years = tuple(sorted({*numbers, *baselines, target_year}))
    points = [*numbers.values(), *baselines.values(), *levels]
    if not points or len(years) < 2 or any(EXACT.abs(point) > _DRAWABLE for point in points):
        return ""  # nothing to draw, or amounts beyond what a drawing's floats hold
    low, high = min(points), max(points)
    if low == high:
        margin = DIVISION.divide(EXACT.abs(low), Decimal(10)) or Decimal(1)
        low, high = EXACT.subtract(low, margin), EXACT.add(high, margin)
    ticks = _ticks(low, high)
    scale = _Scale(years, float(ticks[0]), float(ticks[-1]))
    shown_unit = unit if unit in ("%", "‰", "€", "N.", "gg") else None
    described = _("values by year against baselines and target")
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{escape(described)}">'
    ]
    for tick in ticks:  # the value axis: round values, a light rule for each
        y = scale.y(tick)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{_GRID}"/>'
        )
        parts.append(
            _text(_LEFT - 4, y + 3, _short(tick, unit, _), anchor="end", fill=_MUTED, class_="tick")
        )
    if shown_unit:
        parts.append(
            # in italics, above the scale's numbers: a unit, not one more of them (gg, not 99)
            _text(
                _LEFT - 4,
                _TOP - 9,
                shown_unit,
                anchor="end",
                fill=_MUTED,
                class_="axis-unit",
                font_style="italic",
            )
        )
    for year in years:  # the year axis
        parts.append(
            _text(
                scale.x(year),
                _HEIGHT - 10,
                str(year),
                fill=_MUTED,
                class_="year",
                font_weight="700" if year == target_year else "400",
            )
        )
    heights = [scale.y(level) for level in levels]
    if band and len(heights) == 2:  # a range: the values that meet it, shaded
        top, bottom = min(heights), max(heights)
        parts.append(
            f'<rect class="band" x="{_LEFT}" y="{top:.1f}" width="{_RIGHT - _LEFT}" '
            f'height="{bottom - top:.1f}" fill="{_INK}" fill-opacity="0.08"/>'
        )
    for level, y, at in zip(levels, heights, _apart(heights), strict=True):
        # the target, its value at the end of its line
        parts.append(
            f'<line class="target" x1="{_LEFT}" x2="{_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{_INK}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        )
        parts.append(
            _text(
                _RIGHT + 4,
                at + 3,
                _short(level, unit, _),
                anchor="start",
                fill=_INK,
                class_="target-value",
                **_HALO,
                font_weight="700",
            )
        )
    ordered = sorted(numbers.items())
    if len(ordered) > 1:
        line = " ".join(f"{scale.x(year):.1f},{scale.y(value):.1f}" for year, value in ordered)
        parts.append(
            f'<polyline class="values" points="{line}" fill="none" stroke="{_VALUE}" '
            f'stroke-width="1.5"/>'
        )
    baseline = _("baseline")
    for year, value in sorted(baselines.items()):
        parts.append(
            f'<circle class="baseline" cx="{scale.x(year):.1f}" cy="{scale.y(value):.1f}" r="5" '
            f'fill="none" stroke="{_MUTED}" stroke-width="1.2">'
            f"<title>{escape(baseline)} {year}: {escape(display_value(value, unit))}"
            f"</title></circle>"
        )
        # a baseline's own value is written only where no value of the data says it
        written = _short(value, unit, _)
        if year not in numbers or _short(numbers[year], unit, _) != written:
            below = min(scale.y(value) + 14, _BOTTOM + 2)
            parts.append(
                _text(
                    scale.x(year),
                    below,
                    written,
                    fill=_MUTED,
                    class_="baseline-value",
                    **_HALO,
                    font_style="italic",
                )
            )
    for year, value in ordered:
        x, y = scale.x(year), scale.y(value)
        parts.append(
            f'<circle class="value" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_VALUE}">'
            f"<title>{year}: {escape(display_value(value, unit))}</title></circle>"
        )
        above = y - 7 if y - 7 > _TOP - 4 else y + 13
        parts.append(
            _text(
                x,
                above,
                _short(value, unit, _),
                fill=_VALUE,
                class_="point-value",
                **_HALO,
                font_weight="700",
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(_: Translator, target_year: int, *, ranges: bool = False) -> str:
    """What the charts' marks mean, once for the page (the band of a range
    where a card draws one)."""

    def mark(drawing: str, words: str, kind: str) -> str:
        return (
            f'<span class="key-{kind}"><svg viewBox="0 0 26 12" aria-hidden="true">{drawing}</svg>'
            f"{escape(words)}</span>"
        )

    heading = _("Charts:")
    return (
        f'<p class="legend"><strong>{escape(heading)}</strong>'
        + mark(
            f'<line x1="1" x2="25" y1="6" y2="6" stroke="{_VALUE}" stroke-width="1.5"/>'
            f'<circle cx="13" cy="6" r="3" fill="{_VALUE}"/>',
            _("value of each year, written above its point"),
            "value",
        )
        + mark(
            f'<circle cx="13" cy="6" r="4.5" fill="none" stroke="{_MUTED}" stroke-width="1.2"/>',
            _("baseline written in the plan"),
            "baseline",
        )
        + mark(
            f'<line x1="1" x2="25" y1="6" y2="6" stroke="{_INK}" stroke-width="1.2" '
            f'stroke-dasharray="5 3"/>',
            _("target of {year}, its threshold at the line's end").format(year=target_year),
            "target",
        )
        + (
            mark(
                f'<rect x="1" y="2" width="24" height="8" fill="{_INK}" fill-opacity="0.08"/>'
                f'<line x1="1" x2="25" y1="2" y2="2" stroke="{_INK}" stroke-width="1.2" '
                f'stroke-dasharray="5 3"/><line x1="1" x2="25" y1="10" y2="10" stroke="{_INK}" '
                f'stroke-width="1.2" stroke-dasharray="5 3"/>',
                _("a range: met between its bounds"),
                "band",
            )
            if ranges
            else ""
        )
        + "</p>"
    )


# ----------------------------------------------------------------------------- the cards


def _levels(result: IndicatorResult) -> tuple[Decimal, ...]:
    """The amounts the verdict's target asks for, drawn as lines: its threshold
    (a relative target's computed from its reference), or a range's two bounds;
    none for a deadline, a yes/no target, or an indicator not judged."""
    target = result.parsed_target
    if target is None or target.kind in ("deadline", "yes-no"):
        return ()
    if target.kind == "range":
        assert isinstance(target.threshold, Quantity) and target.upper is not None
        return (target.threshold.amount, target.upper.amount)
    threshold = result.threshold
    return (threshold,) if isinstance(threshold, Decimal) else ()


def _yes_no(result: IndicatorResult) -> bool:
    """Whether the indicator says yes or no (*sì/no*): a state, not a number to chart."""
    target = result.parsed_target
    return result.unit == YES_NO or (target is not None and target.kind == "yes-no")


def _value(result: IndicatorResult, _: Translator) -> str:
    """The card's value: a yes/no as Yes or No in the page's language, else as
    documents write it, with its unit."""
    value = result.value
    if _yes_no(result) and isinstance(value, Decimal) and value in (0, 1):
        return _("Yes") if value == 1 else _("No")
    return display_value(value, result.unit)


_SIGNS_OF: dict[str, str] = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def _dated(text: str, day: dt.date) -> bool:
    """Whether ``text`` writes ``day`` in figures (``31-12-2025``, ``31/12/2025``,
    ``2025-12-31``), not as a month or a period (``entro giugno 2025``)."""
    figures = "".join(char for char in text if char in "0123456789")
    return f"{day:%d%m%Y}" in figures or f"{day:%Y%m%d}" in figures


def _reading(result: IndicatorResult, _: Translator) -> str:
    """What the verdict read the target as (``→ ≥ 1.100 N.``, with the words of
    what is counted), where the written target leaves it to be worked out: the
    threshold of a relative target, the comparison of a bare amount (by the
    indicator's direction), a sentence's label, one year's target of a cell of
    several, the last day of a deadline given as a period."""
    target, outcome = result.parsed_target, result.outcome
    if target is None or outcome is None:
        return ""
    kind, threshold = target.kind, target.threshold
    unit = outcome.value_unit or result.unit
    worked_out = (
        kind == "relative" or target.implied or target.label is not None or target.year is not None
    )
    if isinstance(threshold, dt.date):  # a deadline
        if not worked_out and _dated(result.target or "", threshold):
            return ""
        shown = _("by {date}").format(date=format_value(threshold))
    elif not worked_out:
        return ""
    elif kind == "range":
        assert isinstance(threshold, Quantity) and target.upper is not None
        low, high = threshold.amount, target.upper.amount
        shown = f"{display_value(low, unit)} – {display_value(high, unit)}"
    elif kind == "yes-no":
        assert isinstance(threshold, Quantity)
        shown = _("Yes") if threshold.amount == 1 else _("No")
    else:
        level = result.threshold
        if not isinstance(level, Decimal):  # a relative target's reference is N/D
            return ""
        lower = target.implied and result.direction == "lower"
        shown = f"{_SIGNS_OF['<=' if lower else target.comparison]} {display_value(level, unit)}"
    label = target.label
    return f' <span class="threshold">→ {escape(shown)}</span>' + (
        f' <q class="target-label">{escape(label)}</q>' if label else ""
    )


def _direction(result: IndicatorResult, _: Translator) -> str | None:
    """Which way is better, as the plan says (None where it does not)."""
    if result.direction is None:
        return None
    if result.direction == "lower":
        return "↓ " + _("lower is better")
    return "↑ " + _("higher is better")


@dataclass(frozen=True, slots=True)
class _Page:
    """What every card of the page draws on."""

    history: Mapping[str, Mapping[int, IndicatorValue]]
    target_year: int
    say: Translator


def _indicator(node: NodeScore, page: _Page) -> str:
    result = node.indicator
    assert result is not None
    _ = page.say
    state = traffic_light(result)
    target = result.parsed_target
    achievement = result.achievement
    achieved = _("achievement")
    bar = (
        f'<div class="bar" role="meter" aria-valuemin="0" aria-valuemax="1" '
        f'aria-valuenow="{float(achievement)}" aria-label="{escape(achieved)}">'
        f'<span style="width:{float(achievement) * 100:.1f}%"></span></div>'
        if achievement is not None
        else ""
    )
    rows = [
        (_("value"), "", escape(_value(result, _))),
        (
            _("target {year}").format(year=page.target_year),
            "",
            escape(result.target or "—") + _reading(result, _),
        ),
    ]
    if target is not None and target.deadline is not None:
        rows.append((_("deadline"), "", escape(format_value(target.deadline))))
    direction = _direction(result, _)
    if direction is not None:
        rows.append((_("direction"), "", escape(direction)))
    rows += [
        (
            achieved,
            ' class="achieved"',
            # not judged: there is no achievement to be N/D
            "—"
            if state == "unjudged"
            else f"<span>{escape(display_percent(achievement))}</span>{bar}",
        ),
        (_("weight"), "", escape(display_weight(node.weight))),
    ]
    listed = "".join(f"<dt>{escape(name)}</dt><dd{css}>{shown}</dd>" for name, css, shown in rows)
    reasons = "".join(f"<li>{escape(_.say(reason))}</li>" for reason in result.reasons)
    notes = "".join(f"<li>{escape(_.say(note))}</li>" for note in result.notes)
    baselines = {
        year: value for year, value in result.baselines.items() if isinstance(value, Decimal)
    }
    chart = (
        ""  # yes or no: the state says it all
        if _yes_no(result)
        else _chart(
            page.history.get(result.id, {}),
            baselines,
            _levels(result),
            page.target_year,
            result.unit,
            _,
            band=target is not None and target.kind == "range",
        )
    )
    label = _labels(_, page.target_year)[state]
    return (
        f'<article class="indicator state-{state}" data-indicator="{escape(result.id)}" '
        f'data-state="{state}">'
        f'<header><h3><span class="code">{escape(result.code)}</span> {escape(result.name)}</h3>'
        f'<span class="state">{_SIGNS[state]}\u00a0{escape(label)}</span></header>'
        f"<dl>{listed}</dl>{chart}"
        + (f'<ul class="reasons">{reasons}</ul>' if reasons else "")
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
        + "</article>"
    )


def _node(node: NodeScore, page: _Page) -> str:
    _ = page.say
    cards = [_indicator(child, page) for child in node.children if child.indicator is not None]
    groups = [_node(child, page) for child in node.children if child.indicator is None]
    code = f'<span class="code">{escape(node.code)}</span> ' if node.kind != "group" else ""
    weight, score = _("weight"), _("score")
    return (
        f'<section class="node kind-{escape(node.kind)}">'
        f'<h2>{code}<span class="name">{escape(node.name)}</span>'
        f'<span class="weight">{escape(weight)} {escape(display_weight(node.weight))}</span>'
        f'<span class="score">{escape(score)} '
        f"<strong>{escape(display_percent(node.score))}</strong></span></h2>"
        + (f'<div class="indicators">{"".join(cards)}</div>' if cards else "")
        + (f'<div class="children">{"".join(groups)}</div>' if groups else "")
        + "</section>"
    )


# ----------------------------------------------------------------------------- the page


def _summary(evaluation: PlanEvaluation, _: Translator) -> str:
    """The plan's score, and its indicators by state (each indicator once)."""
    counts: dict[State, int] = dict.fromkeys(_SIGNS, 0)
    for result in evaluation.indicators:
        counts[traffic_light(result)] += 1
    judged = counts["met"] + counts["close"] + counts["far"]
    stack = "".join(
        f'<span class="state-{state}" style="width:{100 * counts[state] / judged:.2f}%;'
        f'background:var(--state)"></span>'
        for state in ("met", "close", "far")
        if judged and counts[state]
    )
    items: list[tuple[State, str]] = [
        ("close", _("close to target: {count}")),
        ("far", _("far from target: {count}")),
        ("nd", _("N/D: {count}")),
        ("unjudged", _("not judged: {count}")),
    ]
    listed = "".join(
        f'<li class="state-{state}" data-count="{counts[state]}">'
        f'<span class="state">{_SIGNS[state]}</span> '
        f"{escape(words.format(count=counts[state]))}</li>"
        for state, words in items
        if counts[state] or state in ("close", "far", "nd")
    )
    headline = _("{met} of {judged} indicators met").format(met=counts["met"], judged=judged)
    band = _("close: missed with an achievement of at least {band}").format(
        band=display_weight(CLOSE_BAND)
    )
    summary, caption = _("summary"), _("score of the plan")
    return (
        f'<section class="summary" aria-label="{escape(summary)}">'
        f'<div class="total"><span class="figure">{escape(display_percent(evaluation.score))}'
        f'</span><span class="caption">{escape(caption)}</span></div>'
        f'<div class="counts"><p class="headline" data-met="{counts["met"]}" '
        f'data-judged="{judged}">{escape(headline)}</p>'
        f'<div class="stack" role="img" aria-label="{escape(headline)}">{stack}</div>'
        f"<ul>{listed}</ul>"
        f'<p class="caption">{escape(band)}</p>'
        "</div></section>"
    )


def _css_string(text: str, limit: int = 90) -> str:
    """``text`` as a CSS string, every character but letters, digits and spaces
    escaped (six hex digits and the space that ends an escape), so that nothing
    a plan writes ends the string or the style."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return (
        '"'
        + "".join(
            char if char.isascii() and (char.isalnum() or char == " ") else f"\\{ord(char):06x} "
            for char in text
        )
        + '"'
    )


def _print_css(title: str, evaluated: dt.date | None, _: Translator) -> str:
    """A4 sheets with the title (and the evaluation date) on top, page numbers below."""
    page, _sep, rest = _("page {page} of {pages}").partition("{page}")
    between, _sep, after = rest.partition("{pages}")
    numbers = (
        f"{_css_string(page)} counter(page) {_css_string(between)} counter(pages) "
        f"{_css_string(after)}"
    )
    boxes = {"top-left": _css_string(title), "bottom-right": numbers}
    if evaluated is not None:
        boxes["top-right"] = _css_string(
            _("evaluated on {date}").format(date=format_value(evaluated))
        )
    style = "font: 8pt system-ui, sans-serif; color: #5b6877;"
    margins = " ".join(
        f"@{box} {{ content: {content}; {style} }}" for box, content in boxes.items()
    )
    return f"@page {{ size: A4; margin: 16mm 12mm 14mm; {margins} }}"


def render_page(
    evaluation: PlanEvaluation,
    *,
    history: Mapping[str, Mapping[int, IndicatorValue]] | None = None,
    problems: Sequence[str] = (),
    language: Language = "en",
    evaluated: dt.date | None = None,
    source: str | None = None,
) -> str:
    """The scorecard page.

    ``history`` maps indicator ids to their value by year (the charts; the
    baselines and thresholds come with each result's verdict), ``problems`` what
    validation found (shown at the top, never hidden).  ``language`` is the labels' (``"it"`` or
    ``"en"``); ``evaluated`` the date of the evaluation and ``source`` where its
    data came from (a file name), both written under the title and ``evaluated``
    on every printed sheet.
    """
    _ = translator(language)
    page = _Page(history or {}, evaluation.target_year, _)
    title = evaluation.tree.name
    body = "".join(_node(area, page) for area in evaluation.tree.children)
    ranges = any(
        result.parsed_target is not None and result.parsed_target.kind == "range"
        for result in evaluation.indicators
    )
    listed = "".join(f"<li>{escape(_.say(problem))}</li>" for problem in problems)
    heading = _("Problems")
    policy = {
        "renormalise": _("left out, their weight shared by the others"),
        "zero": _("counted as 0"),
    }[evaluation.nd_policy]
    facts = [
        (_("values"), str(evaluation.year)),
        (_("targets"), str(evaluation.target_year)),
        *([(_("evaluation date"), format_value(evaluated))] if evaluated is not None else []),
        *([(_("data"), source)] if source else []),
        (_("N/D values"), policy),
    ]
    described = "".join(
        f"<div><dt>{escape(name)}</dt><dd>{escape(shown)}</dd></div>" for name, shown in facts
    )
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{_CSS}{_print_css(title, evaluated, _)}</style></head><body>"
        f'<header class="page"><h1>{escape(title)}</h1><dl class="facts">{described}</dl>'
        f"{_summary(evaluation, _)}{_legend(_, evaluation.target_year, ranges=ranges)}</header>"
        + (
            f'<section class="problems"><h2>{escape(heading)}</h2><ul>{listed}</ul></section>'
            if listed
            else ""
        )
        + f"<main>{body}</main></body></html>\n"
    )
