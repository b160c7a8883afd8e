"""Plans (*alberatura della pianificazione*): trees of weighted groups of any depth
whose leaves are indicators — the Integra shape of areas and objectives among
them — read from plan files, sheets and planning reports, evaluated and scored
by weight.

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
from .html import render_page
from .model import Area, Group, Indicator, OperationalObjective, Plan, StrategicObjective
from .planfile import dump_plan, load_plan, read_plan, save_plan
from .report import ImportReport, import_report, read_report
from .scorecard import evaluation_payload, render_csv, render_html, render_text
from .sheet import load_sheet, write_sheet
from .tosql import plan_to_sql
from .validate import Problem, validate_plan

__all__ = [
    "Area",
    "Group",
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
    "load_sheet",
    "plan_to_sql",
    "read_plan",
    "read_report",
    "render_csv",
    "render_html",
    "render_page",
    "render_text",
    "save_plan",
    "validate_plan",
    "write_sheet",
]
