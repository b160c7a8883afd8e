"""README quotes the target rule of the value grammar as the grammar has it."""

from __future__ import annotations

from kpi_formula.grammar import grammar_text

from .conftest import ROOT


def test_readme_quotes_the_target_rule_of_the_grammar() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    grammar = grammar_text("value")
    start = grammar.index("target: YEAR_PREFIX?")
    rule = grammar[start : grammar.index("\n\n", grammar.index("?goal:", start))]
    assert rule in readme
