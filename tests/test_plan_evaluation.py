"""Plan evaluation: what each indicator's result carries, and how a plan is judged whole."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import kpi_formula as kf
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan


def plan_of(*indicators: Indicator, title: str = "p") -> Plan:
    """A plan of one group holding ``indicators``."""
    return Plan(title, groups=(Group("G", "group", Decimal(1), indicators),))


def indicator(code: str, formula: str | None = None, **fields: object) -> Indicator:
    weight = fields.pop("weight", Decimal(1))
    return Indicator(code, f"name of {code}", weight, formula, **fields)  # type: ignore[arg-type]


def test_a_result_carries_its_verdict_so_nobody_parses_again() -> None:
    plan = plan_of(
        indicator(
            "SHARE",
            "EVASE / RICEVUTE",
            unit="%",
            weight=Decimal("0.5"),
            baselines={2023: "72,10 %", 2024: "n.d."},
            targets={2025: "Aumento del 10% rispetto al 2023"},
        ),
        indicator(
            "DAYS",
            weight=Decimal("0.5"),
            unit="gg",
            baselines={2024: "20 gg"},
            targets={2025: "<= 15 gg"},
        ),
    )
    data = {
        ("EVASE", 2025): 80,
        ("RICEVUTE", 2025): 100,
        ("EVASE", 2023): 70,
        ("RICEVUTE", 2023): 100,
        ("DAYS", 2025): 12,
    }
    results = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    share, days = results["SHARE"], results["DAYS"]
    assert share.outcome is not None and days.outcome is not None
    assert share.parsed_target == kf.parse_target("Aumento del 10% rispetto al 2023")
    # the reference is the indicator's own value of 2023, and the threshold 10 % above it
    assert share.outcome.baseline == Decimal("0.7")
    assert share.threshold == Decimal("0.77")
    assert share.met is True and share.achievement == 1
    assert share.baselines == {2023: Decimal("0.7210"), 2024: kf.ND}
    assert days.threshold == Decimal(15) and days.outcome.actual == Decimal(12)
    assert days.baselines == {2024: Decimal(20)}
    # plain values: equal when rebuilt, and pickled whole
    assert pickle.loads(pickle.dumps(share)) == share


def test_a_deadline_carries_its_date_and_an_unjudged_indicator_no_outcome() -> None:
    plan = plan_of(
        indicator("M", "MILESTONE", weight=Decimal("0.5"), targets={2025: "Entro 31-12-2025"}),
        indicator("FREE", weight=Decimal("0.5")),
    )
    data = {("MILESTONE", 2025): dt.date(2025, 6, 30), ("FREE", 2025): 3}
    results = {r.id: r for r in evaluate_plan(plan, data, year=2025).indicators}
    assert results["M"].threshold == dt.date(2025, 12, 31) and results["M"].met is True
    assert results["FREE"].outcome is None and results["FREE"].threshold is None
    assert results["FREE"].parsed_target is None
