"""Scorecards row by row: each indicator's row shows its own verdict.

The text scorecard (``render_text``) and the CSV (``render_csv``) are read back
here, row by row in the tree's order, and each row is held to the node it
stands for: an indicator's met / not met and its achievement, a group's score.
A scorecard that swapped met and missed, showed one row's score on another, or
let a missed target show 100 % fails, not only one whose totals are wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.data import load_data
from kpi_formula.plan import (
    Group,
    Indicator,
    Plan,
    PlanEvaluation,
    evaluate_plan,
    load_plan,
    render_csv,
    render_text,
)
from kpi_formula.plan.scores import NodeScore

from .conftest import EXAMPLES

WORDS = {
    "en": {True: "yes", False: "no", None: "-"},
    "it": {True: "sì", False: "no", None: "-"},
}
HEADERS = {"en": ("met", "score"), "it": ("raggiunto", "punteggio")}
CSV_WORDS = {
    "en": {True: "yes", False: "no", None: ""},
    "it": {True: "sì", False: "no", None: ""},
}
CSV_COLUMNS = {
    "en": ("code", "met", "achievement %", "score %"),
    "it": ("codice", "raggiunto", "grado di raggiungimento %", "punteggio %"),
}


def preorder(node: NodeScore) -> Iterator[NodeScore]:
    """The nodes below ``node`` in the order a scorecard lists them."""
    for child in node.children:
        yield child
        yield from preorder(child)


def percent(text: str) -> Decimal | None:
    """A percentage as a scorecard writes it (``72,3 %``, ``72.32``), None when
    the cell shows none."""
    digits = text.replace("%", "").strip()
    if not re.search(r"[0-9]", digits):
        return None
    if "," in digits:
        digits = digits.replace(".", "").replace(",", ".")
    return Decimal(digits)


def assert_shows(shown: Decimal | None, exact: Decimal | None, decimals: int, where: str) -> None:
    """``shown`` (in points, rounded to ``decimals``) is ``exact`` (a fraction);
    short of 1, it is short of 100 too (rounded down where it would reach it)."""
    if exact is None:
        assert shown is None, where
        return
    assert shown is not None, where
    step = Decimal(1).scaleb(-decimals)
    if exact < 1:
        assert shown <= 100 - step, (where, shown, exact)
        if exact * 100 > 100 - step:
            assert shown == 100 - step, (where, shown, exact)
            return
    assert abs(shown - exact * 100) <= Decimal(5).scaleb(-decimals - 1), (where, shown, exact)


# ----------------------------------------------------------------------------- text


def text_rows(evaluation: PlanEvaluation, language: str) -> list[tuple[NodeScore, str, str]]:
    """Each node of the scorecard with the met word and the score its row shows."""
    text = render_text(evaluation, language=language, width=240)  # type: ignore[arg-type]
    lines = text.splitlines()
    met_header, _score_header = HEADERS[language]
    (header_at,) = (
        index
        for index, line in enumerate(lines)
        if re.search(rf" {met_header} +{_score_header}$", line)
    )
    met_at = lines[header_at].rindex(f" {met_header} ") + 1
    rows = []
    for line in lines[header_at + 1 :]:
        if not line.strip():  # the tree ends; the reasons of N/D follow
            break
        rows.append(line)
    nodes = list(preorder(evaluation.tree))
    assert len(rows) == len(nodes)
    shown = []
    for node, row in zip(nodes, rows, strict=True):
        met_word, _, score_text = row[met_at:].strip().partition(" ")
        if node.indicator is None:  # a group has no verdict: the score alone
            met_word, score_text = "", row[met_at:].strip()
        shown.append((node, met_word, score_text.strip()))
    return shown


def counted(exact: Decimal | None, evaluation: PlanEvaluation, judged: bool) -> Decimal | None:
    """What a row's score shows: its own, or under the N/D policy ``zero`` the 0 an
    N/D row counts for in its group's score (an unjudged row counts for nothing)."""
    if exact is None and evaluation.nd_policy == "zero" and judged:
        return Decimal(0)
    return exact


def assert_text_rows(evaluation: PlanEvaluation, language: str) -> None:
    for node, met_word, score_text in text_rows(evaluation, language):
        score = percent(score_text)
        result = node.indicator
        if result is None:
            assert_shows(score, counted(node.score, evaluation, node.judged), 1, node.code)
            continue
        assert met_word == WORDS[language][result.met], (node.code, met_word, result.met)
        assert_shows(score, counted(result.achievement, evaluation, node.judged), 1, node.code)
        if result.met is False:
            assert score is not None
            assert score < 100, node.code  # a missed target never shows 100 %


# ----------------------------------------------------------------------------- CSV


def assert_csv_rows(evaluation: PlanEvaluation, language: str) -> None:
    text = render_csv(evaluation, language=language)  # type: ignore[arg-type]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if language == "it" else ",")
    rows = list(reader)
    code, met, achievement, score = CSV_COLUMNS[language]
    assert percent(rows[0][score]) is not None or evaluation.score is None
    assert_shows(percent(rows[0][score]), evaluation.score, 2, "the plan")
    nodes = list(preorder(evaluation.tree))
    assert len(rows) == len(nodes) + 1
    for node, row in zip(nodes, rows[1:], strict=True):
        assert row[code] in (node.code, f"'{node.code}")  # neutralised as a formula
        result = node.indicator
        if result is None:
            shown_score = counted(node.score, evaluation, node.judged)
            assert_shows(percent(row[score]), shown_score, 2, node.code)
            continue
        assert row[met] == CSV_WORDS[language][result.met], (node.code, row[met], result.met)
        assert_shows(percent(row[achievement]), result.achievement, 2, node.code)
        shown_score = counted(node.score, evaluation, node.judged)
        assert_shows(percent(row[score]), shown_score, 2, node.code)
        if result.met is False:
            shown = percent(row[achievement])
            assert shown is not None
            assert shown < 100, node.code


# ----------------------------------------------------------------------------- cases


def modena() -> PlanEvaluation:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    return evaluate_plan(plan, data, year=2024, target_year=2025)


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_modena_scorecard_shows_each_verdict_on_its_own_row(language: str) -> None:
    evaluation = modena()
    assert {result.met for result in evaluation.indicators} == {True, False, None}
    assert_text_rows(evaluation, language)
    assert_csv_rows(evaluation, language)


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_row_shows_its_own_verdict_not_its_neighbours(language: str) -> None:
    """Met, missed by a hair (never 100 %), missed far, N/D and unjudged side by
    side: every row shows its own."""
    indicators = (
        Indicator("MET", "Pratiche", Decimal("0.2"), targets={2025: ">= 10"}),
        Indicator("HAIR", "Soglia", Decimal("0.2"), targets={2025: "> 10"}),
        Indicator("FAR", "Lontano", Decimal("0.2"), targets={2025: "<= 2 gg"}, unit="gg"),
        Indicator("ND", "Mancante", Decimal("0.2"), targets={2025: ">= 10"}),
        Indicator("NONE", "Senza target", Decimal("0.2"), targets={2025: "n.d."}),
    )
    plan = Plan(
        title="Piano",
        groups=(Group(code="M1", name="Servizi", weight=Decimal(1), children=indicators),),
    )
    data = {
        ("MET", 2025): Decimal(12),
        ("HAIR", 2025): Decimal(10),
        ("FAR", 2025): Decimal(8),
        ("ND", 2025): kf.ND,
        ("NONE", 2025): Decimal(3),
    }
    evaluation = evaluate_plan(plan, data, year=2025)
    verdicts = {result.code: (result.met, result.achievement) for result in evaluation.indicators}
    assert verdicts == {
        "MET": (True, 1),
        "HAIR": (False, Decimal("0.999")),
        "FAR": (False, Decimal("0.25")),
        "ND": (None, None),
        "NONE": (None, None),
    }
    assert_text_rows(evaluation, language)
    assert_csv_rows(evaluation, language)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["en", "it"]), st.sampled_from(["renormalise", "zero"]))
def test_any_scorecard_shows_each_row_its_own_verdict(
    data: st.DataObject, language: str, policy: str
) -> None:
    plan = data.draw(kst.plans(max_indicators=6))
    values = data.draw(kst.plan_datasets(plan, nd_rate=0.05, typed_percent_rate=0))
    target_year = data.draw(st.sampled_from(plan.target_years))
    try:
        evaluation = evaluate_plan(
            plan,
            values,
            year=target_year - 1,
            target_year=target_year,
            nd_policy=policy,  # type: ignore[arg-type]
        )
    except kf.KpiFormulaError:
        assume(False)
        raise
    assert_text_rows(evaluation, language)
    assert_csv_rows(evaluation, language)
