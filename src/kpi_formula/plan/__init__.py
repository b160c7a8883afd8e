"""Plans (*alberatura della pianificazione*): the tree of areas, objectives and
indicators, imported from planning reports, evaluated and scored by weight.

>>> from kpi_formula.plan import load_plan, evaluate_plan
>>> from kpi_formula.data import load_data
>>> plan = load_plan("examples/modena_2025/plan.toml")  # doctest: +SKIP
>>> evaluation = evaluate_plan(plan, load_data("examples/modena_2025/data.csv"),
...                            year=2024, target_year=2025)  # doctest: +SKIP
>>> evaluation.score  # doctest: +SKIP
Decimal('0.9665562858480360436591439631')
"""

from __future__ import annotations

from .evaluate import IndicatorResult, NodeScore, PlanEvaluation, evaluate_plan
from .model import Area, Indicator, OperationalObjective, Plan, StrategicObjective
from .planfile import dump_plan, load_plan, read_plan, save_plan
from .report import ImportReport, import_report, read_report
from .scorecard import evaluation_payload, render_csv, render_html, render_text
from .validate import Problem, validate_plan

__all__ = [
    "Area",
    "ImportReport",
    "Indicator",
    "IndicatorResult",
    "NodeScore",
    "OperationalObjective",
    "Plan",
    "PlanEvaluation",
    "Problem",
    "StrategicObjective",
    "dump_plan",
    "evaluate_plan",
    "evaluation_payload",
    "import_report",
    "load_plan",
    "read_plan",
    "read_report",
    "render_csv",
    "render_html",
    "render_text",
    "save_plan",
    "validate_plan",
]
