"""The hypothesis plugin: ``st.from_type(kpi_formula.Formula)`` draws formulas.

Hypothesis runs this entry point while it is itself being imported — possibly
from inside ``import kpi_formula.strategies``, which imports hypothesis.  So the
strategies are registered *deferred*: they are looked up in
:mod:`kpi_formula.strategies` at the first draw, when every import is done.
"""

from __future__ import annotations

import importlib
from typing import Any


def _strategy(name: str) -> Any:
    from hypothesis import strategies as st

    def build() -> Any:  # at the first draw, once every import is done
        return getattr(importlib.import_module("kpi_formula.strategies"), name)()

    return st.deferred(build)


def _register_strategies() -> None:
    """Register the library's value types with hypothesis (its entry point)."""
    from hypothesis import strategies as st

    from .formula import Formula
    from .targets import Target
    from .values import Quantity

    st.register_type_strategy(Formula, _strategy("formulas"))
    st.register_type_strategy(Quantity, _strategy("quantities"))
    st.register_type_strategy(Target, _strategy("targets"))
