"""Bulk evaluation with polars, under its historical name.

The columnar engine is :mod:`kpi_formula.engines.columnar`; a whole plan in
columns is :mod:`kpi_formula.plan.frame`.  This module keeps
``from kpi_formula.bulk import evaluate_frame, evaluate_plan_frame`` working.
"""

from __future__ import annotations

from .engines.columnar import evaluate_frame, to_polars
from .plan.frame import evaluate_plan_frame

__all__ = ["evaluate_frame", "evaluate_plan_frame", "to_polars"]
