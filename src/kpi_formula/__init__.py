"""kpi_formula — parse, check and evaluate the algorithms of performance indicators.

Public bodies write their indicators' algorithms in driver codes
(``(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1``) and
their values and targets the Italian way (``72,10 %``, ``>= 1.100 N.``).
This package reads both, evaluates exactly, and judges results against targets.

>>> import kpi_formula as kf
>>> kf.evaluate("(A - A-1) / A-1", {("A", 2025): 110, ("A", 2024): 100}, year=2025).value
Decimal('0.1')
>>> kf.parse_target(">= 1.100 N.").check(kf.parse_value("1.136 N.")).met
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# ``lint`` names a module and its function: importing the module (as anything that
# lints does) sets the package's attribute to the module, so the function is bound
# here, after it, and never looked up lazily
from .lint import LintWarning, lint

if TYPE_CHECKING:
    from .ast import BinOp, Neg, Node, Number, Ref, Span
    from .catalog import Catalog, Driver
    from .engines.sql import to_sql
    from .errors import (
        BaselineRequiredError,
        DataError,
        EvaluationError,
        FormulaSyntaxError,
        KpiFormulaError,
        LimitExceededError,
        PlanError,
        TargetSyntaxError,
        UnitMismatchError,
        UnknownDriverError,
        ValueSyntaxError,
    )
    from .evaluator import ABSENT, CompiledFormula, DataSource, Result, evaluate
    from .formula import Formula, parse
    from .missing import ND, NotAvailable
    from .resolver import Resolution, resolve
    from .scoring import BINARY, PROPORTIONAL, Binary, Proportional, RangeScoring, Scoring
    from .targets import (
        Change,
        Outcome,
        Target,
        ZeroBaselineError,
        parse_target,
        parse_targets,
        target_for_year,
    )
    from .values import Quantity, format_value, parse_value

__all__ = [
    "ABSENT",
    "BINARY",
    "ND",
    "PROPORTIONAL",
    "BaselineRequiredError",
    "BinOp",
    "Binary",
    "Catalog",
    "Change",
    "CompiledFormula",
    "DataError",
    "DataSource",
    "Driver",
    "EvaluationError",
    "Formula",
    "FormulaSyntaxError",
    "KpiFormulaError",
    "LimitExceededError",
    "LintWarning",
    "Neg",
    "Node",
    "NotAvailable",
    "Number",
    "Outcome",
    "PlanError",
    "Proportional",
    "Quantity",
    "RangeScoring",
    "Ref",
    "Resolution",
    "Result",
    "Scoring",
    "Span",
    "Target",
    "TargetSyntaxError",
    "UnitMismatchError",
    "UnknownDriverError",
    "ValueSyntaxError",
    "ZeroBaselineError",
    "evaluate",
    "format_value",
    "lint",
    "parse",
    "parse_target",
    "parse_targets",
    "parse_value",
    "resolve",
    "target_for_year",
    "to_sql",
]

_MODULES: dict[str, tuple[str, ...]] = {
    "ast": ("BinOp", "Neg", "Node", "Number", "Ref", "Span"),
    "catalog": ("Catalog", "Driver"),
    "engines.sql": ("to_sql",),
    "errors": (
        "BaselineRequiredError",
        "DataError",
        "EvaluationError",
        "FormulaSyntaxError",
        "KpiFormulaError",
        "LimitExceededError",
        "PlanError",
        "TargetSyntaxError",
        "UnitMismatchError",
        "UnknownDriverError",
        "ValueSyntaxError",
    ),
    "evaluator": ("ABSENT", "CompiledFormula", "DataSource", "Result", "evaluate"),
    "formula": ("Formula", "parse"),
    "missing": ("ND", "NotAvailable"),
    "resolver": ("Resolution", "resolve"),
    "scoring": ("BINARY", "PROPORTIONAL", "Binary", "Proportional", "RangeScoring", "Scoring"),
    "targets": (
        "Change",
        "Outcome",
        "Target",
        "ZeroBaselineError",
        "parse_target",
        "parse_targets",
        "target_for_year",
    ),
    "values": ("Quantity", "format_value", "parse_value"),
}
"""Where each public name lives: imported on first use (PEP 562), so that a
program using a part of the library — the command line evaluating one formula —
does not pay for the rest (plans, SQL, targets)."""
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # found once: later lookups do not come here
        return value
    # a submodule (kf.evaluator.MissingPolicy) is reached as when the package imported it
    from importlib.util import find_spec

    if not name.startswith("_") and find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__version__ = "0.1.0"
