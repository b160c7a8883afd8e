"""The examples in the docstrings of the installed package run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kpi_formula

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(kpi_formula.__path__, prefix="kpi_formula.")
    if info.name != "kpi_formula.__main__"
)


@pytest.mark.parametrize("name", ["kpi_formula", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_the_grammar_files_ship_with_the_package() -> None:
    from kpi_formula.grammar import grammar_text

    assert "OPERAND" in grammar_text("formula")
    assert "COMPARISON" in grammar_text("value")
