"""The scorecard page draws each kind of target, in a real browser.

A small plan holds one indicator of each kind — a range met and one missed, yes
and no, a value with a deadline, deadlines by period and by date, a sentence with
the words of what is counted, a bare amount with and without a direction, a cell
of several years, a relative target with words, a year without a target
(``n.d.``), per mille — and each card is read back from the DOM Chromium builds,
in English and in Italian, and from the A4 print.  A property test draws targets
of every kind and holds each card the page makes to its verdict.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.errors import KpiFormulaError
from kpi_formula.missing import ND
from kpi_formula.plan import evaluate_plan, load_plan, render_page
from kpi_formula.plan.html import traffic_light
from kpi_formula.plan.scores import IndicatorResult, IndicatorValue, NodeScore, PlanEvaluation
from kpi_formula.strategies import quantities, targets
from kpi_formula.targets import Target
from kpi_formula.values import YES_NO, Quantity

from .test_html import Element, _Tree, expected_state, needs_browser, pdf_pages, rendered

KINDS_PLAN = """\
title = "Comune di Prova — Piano della performance 2025"
baseline_years = [2024]

[[node]]
code = "S"
name = "Servizi"
weight = "100 %"

[[node]]
code = "RANGE"
parent = "S"
name = "Quota di pratiche digitali"
weight = "8 %"
unit = "%"
baselines = { 2024 = "65,00 %" }
targets = { 2025 = "tra 70% e 90%" }

[[node]]
code = "OVER"
parent = "S"
name = "Quota di ricorsi accolti"
weight = "8 %"
unit = "%"
targets = { 2025 = "70% - 90%" }

[[node]]
code = "YES"
parent = "S"
name = "Regolamento adottato"
weight = "8 %"
unit = "sì/no"
targets = { 2025 = "Realizzato" }

[[node]]
code = "NO"
parent = "S"
name = "Carta dei servizi pubblicata"
weight = "8 %"
unit = "sì/no"
targets = { 2025 = "SI" }

[[node]]
code = "BYDATE"
parent = "S"
name = "Copertura del servizio"
weight = "8 %"
unit = "%"
targets = { 2025 = "100% entro il 31/12/2025" }

[[node]]
code = "PERIOD"
parent = "S"
name = "Avvio del portale"
weight = "8 %"
targets = { 2025 = "entro giugno 2025" }

[[node]]
code = "DATED"
parent = "S"
name = "Approvazione del piano"
weight = "8 %"
targets = { 2025 = "Entro 31-12-2025" }

[[node]]
code = "COUNT"
parent = "S"
name = "Pratiche evase"
weight = "8 %"
unit = "N."
baselines = { 2024 = "1.050 N." }
targets = { 2025 = "Almeno 1.100 pratiche evase nell'anno." }

[[node]]
code = "BARE"
parent = "S"
name = "Tempo medio di risposta"
weight = "8 %"
unit = "gg"
baselines = { 2024 = "27 gg" }
targets = { 2025 = "25" }

[[node]]
code = "DOWN"
parent = "S"
name = "Tempo medio di pagamento"
weight = "8 %"
unit = "gg"
direction = "decrescente"
baselines = { 2024 = "27 gg" }
targets = { 2025 = "25" }

[[node]]
code = "YEARS"
parent = "S"
name = "Tempo di rilascio"
weight = "5 %"
unit = "gg"
targets = { 2025 = "2024: <= 150 gg  2025: <= 12 gg" }

[[node]]
code = "REL"
parent = "S"
name = "Uso dello sportello digitale"
weight = "5 %"
unit = "%"
baselines = { 2024 = "72,10 %" }
targets = { 2025 = "Incremento medio del 10% rispetto alla baseline dell'ente." }

[[node]]
code = "ND"
parent = "S"
name = "Soddisfazione degli utenti"
weight = "5 %"
unit = "%"
targets = { 2025 = "n.d.", 2026 = ">= 80 %" }

[[node]]
code = "MILLE"
parent = "S"
name = "Tasso di reclami"
weight = "5 %"
unit = "‰"
direction = "lower"
baselines = { 2024 = "56,10 ‰" }
targets = { 2025 = "<= 53 ‰" }
"""

KINDS_DATA = """\
code;year;value
RANGE;2023;60 %
RANGE;2024;65 %
RANGE;2025;80 %
OVER;2024;88 %
OVER;2025;95 %
YES;2024;NO
YES;2025;SI
NO;2024;SI
NO;2025;NO
BYDATE;2024;85 %
BYDATE;2025;100 %
PERIOD;2025;15/05/2025
DATED;2025;20/12/2025
COUNT;2023;980
COUNT;2024;1.050
COUNT;2025;1.136
BARE;2024;27
BARE;2025;25,7
DOWN;2024;27
DOWN;2025;25,7
YEARS;2024;140
YEARS;2025;11
REL;2024;72,10 %
REL;2025;80 %
ND;2024;71 %
ND;2025;74 %
MILLE;2023;58,2 ‰
MILLE;2024;56,1 ‰
MILLE;2025;54,24 ‰
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("kinds")
    plan, data = folder / "piano.toml", folder / "dati.csv"
    plan.write_text(KINDS_PLAN, encoding="utf-8")
    data.write_text(KINDS_DATA, encoding="utf-8")
    return plan, data


def page_of(folder: Path, files: tuple[Path, Path], language: str) -> Path:
    plan, data = files
    html = folder / f"scorecard-{language}.html"
    argv = ["plan", "scorecard", str(plan), "--data", str(data), "--year", "2025"]
    assert main([*argv, "--lang", language, "--html", str(html)], out=io.StringIO()) == 0
    return html


@pytest.fixture(scope="module")
def english_page(tmp_path_factory: pytest.TempPathFactory, files: tuple[Path, Path]) -> Element:
    folder = tmp_path_factory.mktemp("english")
    return rendered(folder, page_of(folder, files, "en"))


@pytest.fixture(scope="module")
def english(english_page: Element) -> dict[str, Element]:
    return cards_of(english_page)


def cards_of(dom: Element) -> dict[str, Element]:
    return {card.attributes["data-indicator"]: card for card in dom.all("article", "indicator")}


def rows(card: Element) -> dict[str, str]:
    """A card's rows, each term with what it says."""
    return dict(
        zip(
            (term.text for term in card.all("dt")),
            (description.text for description in card.all("dd")),
            strict=True,
        )
    )


def reading(card: Element) -> str:
    """What the card says the target was read as (``→ ≥ 25 gg``), or ''."""
    found = card.all(css="threshold")
    return found[0].text if found else ""


def evaluation_of(files: tuple[Path, Path]) -> PlanEvaluation:
    plan, data = files
    return evaluate_plan(load_plan(plan), load_data(data), year=2025)


def evaluation_with(result: IndicatorResult) -> PlanEvaluation:
    """A plan of one group holding one indicator, evaluated as ``result``."""
    card = NodeScore(
        "indicator", result.code, result.name, Decimal(1), result.achievement, indicator=result
    )
    group = NodeScore("group", "G", "gruppo", Decimal(1), result.achievement, (card,))
    tree = NodeScore("plan", "", "piano", Decimal(1), result.achievement, (group,))
    return PlanEvaluation(2025, 2025, tree, (result,))


# ----------------------------------------------------------------------------- the DOM


@needs_browser
def test_every_card_keeps_its_verdict(
    english: dict[str, Element], files: tuple[Path, Path]
) -> None:
    evaluation = evaluation_of(files)
    assert len(english) == len(evaluation.indicators) == 14
    states = {}
    for result in evaluation.indicators:
        card = english[result.id]
        assert card.attributes["data-state"] == expected_state(result), result.id
        states[result.id] = card.attributes["data-state"]
    assert states == {
        "RANGE": "met",
        "OVER": "close",  # 95 % above at most 90 %: 0,947
        "YES": "met",
        "NO": "far",  # a missed yes/no scores 0
        "BYDATE": "met",
        "PERIOD": "met",
        "DATED": "met",
        "COUNT": "met",
        "BARE": "met",  # read as at least 25: 25,7 days meet it
        "DOWN": "close",  # at most 25 days: 25,7 is 97,3 %
        "YEARS": "met",
        "REL": "met",
        "ND": "unjudged",
        "MILLE": "close",
    }


@needs_browser
def test_a_range_draws_both_bounds_and_the_band_between(english: dict[str, Element]) -> None:
    for code, inside in (("RANGE", True), ("OVER", False)):
        card = english[code]
        chart = card.one("svg", "chart")
        assert [text.text for text in chart.all("text", "target-value")] == ["70", "90"]
        low, high = (float(line.attributes["y1"]) for line in chart.all("line", "target"))
        assert high < low  # 90 % drawn above 70 %
        band = chart.one("rect", "band")
        top = float(band.attributes["y"])
        assert top == pytest.approx(high, abs=0.1)
        assert top + float(band.attributes["height"]) == pytest.approx(low, abs=0.1)
        points = dict(
            zip(
                (text.text for text in chart.all("text", "point-value")),
                (float(circle.attributes["cy"]) for circle in chart.all("circle", "value")),
                strict=True,
            )
        )
        latest = points["80" if code == "RANGE" else "95"]
        assert (high <= latest <= low) is inside
        assert rows(card)["target 2025"] == {"RANGE": "tra 70% e 90%", "OVER": "70% - 90%"}[code]


@needs_browser
def test_yes_and_no_are_words_and_no_chart(english: dict[str, Element]) -> None:
    yes, no = english["YES"], english["NO"]
    assert rows(yes)["value"] == "Yes" and rows(yes)["target 2025"] == "Realizzato"
    assert rows(no)["value"] == "No" and rows(no)["target 2025"] == "SI"
    assert yes.one(css="state").text == "✓\u00a0met" and no.one(css="state").text == "✗\u00a0far"
    for card in (yes, no):  # two years of data each, and still no chart of ones and zeros
        assert card.all("svg") == []


@needs_browser
def test_a_value_with_a_deadline_draws_its_threshold_and_writes_the_deadline(
    english: dict[str, Element],
) -> None:
    card = english["BYDATE"]
    shown = rows(card)
    assert shown["deadline"] == "31-12-2025"
    assert shown["target 2025"].startswith("100% entro il 31/12/2025")
    assert [text.text for text in card.one("svg").all("text", "target-value")] == ["100"]
    notes = card.one(css="notes").text
    assert "the deadline 31-12-2025 is shown with the target, not checked" in notes


@needs_browser
def test_deadlines_by_period_say_the_day_they_work_out_to(english: dict[str, Element]) -> None:
    period, dated = english["PERIOD"], english["DATED"]
    assert rows(period)["value"] == "15-05-2025"
    assert reading(period) == "→ by 30-06-2025"  # June's last day
    assert reading(dated) == ""  # the date is written already
    for card in (period, dated):
        assert card.all("svg") == [] and "deadline" not in rows(card)


@needs_browser
def test_the_words_of_what_is_counted_go_with_the_target(english: dict[str, Element]) -> None:
    count = english["COUNT"]
    assert reading(count) == "→ ≥ 1.100 N."
    assert count.one("q", "target-label").text == "pratiche evase nell'anno"
    relative = english["REL"]
    assert reading(relative) == "→ ≥ 79,31 %"  # +10 % on 72,10 %
    assert relative.one("q", "target-label").text == "medio … dell'ente"
    assert english["RANGE"].all("q") == []


@needs_browser
def test_a_bare_target_says_how_it_was_read(english: dict[str, Element]) -> None:
    bare, down = english["BARE"], english["DOWN"]
    # no direction: at least, and the note says why
    assert reading(bare) == "→ ≥ 25 gg"
    assert "direction" not in rows(bare)
    assert "for want of a direction" in bare.one(css="notes").text
    # the plan says lower is better: at most, written with its arrow
    assert reading(down) == "→ ≤ 25 gg"
    assert rows(down)["direction"] == "↓ lower is better"
    assert down.all(css="notes") == []
    assert rows(english["MILLE"])["direction"] == "↓ lower is better"
    # one year's target of a cell that holds two
    assert rows(english["YEARS"])["target 2025"].startswith("2024: <= 150 gg  2025: <= 12 gg")
    assert reading(english["YEARS"]) == "→ ≤ 12 gg"
    # a target written in symbols needs no reading
    assert reading(english["MILLE"]) == ""


@needs_browser
def test_a_year_without_a_target_is_not_judged(english: dict[str, Element]) -> None:
    card = english["ND"]
    assert card.one(css="state").text == "–\u00a0not judged in 2025"
    shown = rows(card)
    assert shown["target 2025"] == "n.d."
    assert shown["achievement"] == "—"
    chart = card.one("svg")  # the values are drawn, no threshold
    assert [text.text for text in chart.all("text", "point-value")] == ["71", "74"]
    assert chart.all("line", "target") == [] and chart.all("text", "target-value") == []


@needs_browser
def test_per_mille_keeps_its_unit(english: dict[str, Element]) -> None:
    card = english["MILLE"]
    shown = rows(card)
    assert shown["value"] == "54,24 ‰" and shown["target 2025"] == "<= 53 ‰"
    chart = card.one("svg")
    assert chart.one("text", "axis-unit").text == "‰"
    assert [text.text for text in chart.all("text", "point-value")] == ["58,2", "56,1", "54,2"]
    assert [text.text for text in chart.all("text", "target-value")] == ["53"]
    ticks = [text.text for text in chart.all("text", "tick")]
    assert ticks == ["52", "54", "56", "58", "60"]


@needs_browser
def test_the_legend_explains_the_band_where_a_card_draws_one(
    english_page: Element, tmp_path: Path
) -> None:
    legend = english_page.one(css="legend")
    assert legend.one(css="key-band").text == "a range: met between its bounds"
    result = IndicatorResult("A", "A", "a", Decimal(1), (), None, None, None)
    page = tmp_path / "page.html"
    page.write_text(render_page(evaluation_with(result)), encoding="utf-8")
    assert rendered(tmp_path, page).one(css="legend").all(css="key-band") == []


# ----------------------------------------------------------------------------- Italian, paper


@needs_browser
def test_the_kinds_in_italian_and_on_paper(tmp_path: Path, files: tuple[Path, Path]) -> None:
    html = page_of(tmp_path, files, "it")
    dom = rendered(tmp_path, html)
    cards = cards_of(dom)
    assert rows(cards["YES"])["valore"] == "Sì" and rows(cards["NO"])["valore"] == "No"
    assert cards["ND"].one(css="state").text == "–\u00a0non valutato nel 2025"
    assert rows(cards["DOWN"])["direzione"] == "↓ meglio se più basso"
    assert rows(cards["BYDATE"])["scadenza"] == "31-12-2025"
    assert reading(cards["PERIOD"]) == "→ entro il 30-06-2025"
    assert "intervallo: raggiunto tra i suoi estremi" in dom.one(css="legend").text
    printed = re.sub(r"\s+", " ", " ".join(pdf_pages(tmp_path, html)))
    for said in ("non valutato nel 2025", "scadenza 31-12-2025", "54,24 ‰", "<= 53 ‰", "Sì"):
        assert said in printed, said


# ----------------------------------------------------------------------------- any target


_ALLOWED_TAGS = {
    "#document", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
    "dl", "dt", "dd", "div", "section", "span", "p", "ul", "li", "strong", "main", "article",
    "svg", "line", "polyline", "circle", "text", "rect", "q",
}  # fmt: skip


@st.composite
def _judged(draw: st.DrawFn) -> IndicatorResult:
    """An indicator judged against a target of any kind, its value of the target's
    kind (a date for a deadline, yes or no, an amount in the target's unit)."""
    target: Target = draw(targets())
    kind = target.kind
    unit = target.unit
    if unit is None and kind != "deadline":  # read in its value's unit
        unit = draw(st.sampled_from([None, "N.", "gg", "€"]))
    value: IndicatorValue
    if draw(st.integers(0, 9)) == 0:
        value = ND
    elif kind == "deadline":
        value = draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)))
    elif kind == "yes-no":
        value = Decimal(draw(st.sampled_from([0, 1])))
        unit = YES_NO
    else:
        drawn = draw(quantities(units=(unit,)))
        value = drawn.amount
    baseline = draw(quantities(units=(unit,))).amount if target.needs_baseline else None
    direction = draw(st.sampled_from([None, "higher", "lower"]))
    judged = value if not isinstance(value, Decimal) else Quantity(value, unit)
    try:
        outcome = target.check(
            judged,
            baseline=None if baseline is None else Quantity(baseline, unit),
            direction=direction,
        )
    except KpiFormulaError:  # a percentage of a zero reference, and the like: no verdict
        assume(False)
        raise
    return IndicatorResult(
        id="I",
        code="I",
        name="indicatore",
        value=value,
        reasons=(),
        target=str(target),
        met=outcome.met,
        achievement=outcome.achievement,
        unit=unit,
        notes=outcome.notes,
        outcome=outcome,
        baselines={} if baseline is None else {2024: baseline},
        direction=direction,  # type: ignore[arg-type]
    )


@settings(max_examples=80)
@given(_judged(), st.sampled_from(["en", "it"]))
def test_any_target_makes_a_card_true_to_its_verdict(
    result: IndicatorResult, language: str
) -> None:
    history: dict[str, dict[int, IndicatorValue]] = {"I": {2024: result.value, 2025: result.value}}
    page = render_page(
        evaluation_with(result),
        history=history,
        language=language,  # type: ignore[arg-type]
    )
    parsed = _Tree()
    parsed.feed(page)
    dom = parsed.root
    assert {element.tag for element in dom.walk()} <= _ALLOWED_TAGS
    card = dom.one("article", "indicator")
    assert card.attributes["data-state"] == traffic_light(result)
    target = result.parsed_target
    assert target is not None
    lines = [line for svg in card.all("svg") for line in svg.all("line", "target")]
    if target.kind in ("deadline", "yes-no") or result.unit == YES_NO:
        assert lines == [] and card.all("rect", "band") == []
    elif card.all("svg"):
        assert len(lines) == (2 if target.kind == "range" else int(result.threshold is not None))
        assert len(card.all("rect", "band")) == (target.kind == "range")
    labels = card.all("q", "target-label")
    assert [label.text for label in labels] in ([], [target.label])
    if target.implied or target.label is not None:
        # how the target was read is said, unless a relative target's reference is N/D
        assert card.all(css="threshold") or result.threshold is None
    if target.deadline is not None:
        assert any(term.text in ("deadline", "scadenza") for term in card.all("dt"))
