"""The formula language: the seed's formulas, the spelling rules, spans."""

from __future__ import annotations

import pickle

import pytest

import kpi_formula as kf
from kpi_formula import BinOp, Neg, Number, Ref

from .conftest import seed_formulas

SEED = seed_formulas()


def test_the_corpus_holds_the_81_formulas_of_the_seed() -> None:
    assert len(SEED) == 81


@pytest.mark.parametrize(("line", "code", "text"), SEED, ids=[f"line{row[0]}" for row in SEED])
def test_every_seed_formula_parses_verbatim_and_round_trips(
    line: int, code: str, text: str
) -> None:
    formula = kf.parse(text)
    assert formula.references or formula.numbers == {text}  # 401.50: a driver by catalog
    assert kf.parse(str(formula)) == formula
    assert str(kf.parse(str(formula))) == str(formula)


def test_glued_minus_digits_is_a_prior_year_and_spaced_minus_subtracts() -> None:
    assert kf.parse("82.A3.1_INSTAGRAM-1").root == Ref("82.A3.1_INSTAGRAM", -1)
    assert kf.parse("A-2").root == Ref("A", -2)
    for spaced in ("A - 1", "A -1", "A- 1"):
        assert kf.parse(spaced).root == BinOp("-", Ref("A"), Number("1")), spaced


def test_instagram_growth_formula_has_the_expected_tree() -> None:
    formula = kf.parse("(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1")
    current, previous = Ref("82.A3.1_INSTAGRAM", 0), Ref("82.A3.1_INSTAGRAM", -1)
    assert formula.root == BinOp("/", BinOp("-", current, previous), previous)
    assert formula.references == {current, previous}
    assert formula.drivers == {"82.A3.1_INSTAGRAM"}


def test_anno_suffixes_name_the_evaluation_year_and_prior_years() -> None:
    eureka = kf.parse("(EUREKA.anno.n - EUREKA.anno-1) / EUREKA.anno-1")
    assert eureka == kf.parse("(EUREKA - EUREKA-1) / EUREKA-1")
    assert str(eureka) == "(EUREKA - EUREKA-1) / EUREKA-1"
    assert kf.parse("X.ANNO.N").root == Ref("X", 0)
    assert kf.parse("X.anno").root == Ref("X.anno", 0)


def test_explicit_prior_year_spelling() -> None:
    assert kf.parse("A[-1]") == kf.parse("A-1")
    assert kf.parse("A[0]") == kf.parse("A")
    assert kf.parse("50[-1]").root == Ref("50", -1)
    assert str(kf.parse("50[-1]")) == "50[-1]"
    assert kf.parse("A[+1]").root == Ref("A", 1)
    assert str(kf.parse("A[1]")) == "A[1]"
    assert kf.parse("X.anno.n[0]").root == Ref("X.anno.n", 0)
    assert str(kf.parse("X.anno.n[0]")) == "X.anno.n[0]"


def test_codes_may_start_with_digits_end_with_a_dot_or_hold_single_spaces() -> None:
    assert kf.parse("D1.1.2_PROMOS.ATT. + D1.1.3_PROMOS.SAS").drivers == {
        "D1.1.2_PROMOS.ATT.",
        "D1.1.3_PROMOS.SAS",
    }
    assert kf.parse("S4 / N ImprAtt_UULL_Tot").drivers == {"S4", "N ImprAtt_UULL_Tot"}
    assert kf.parse("Controlli Servizi").root == Ref("Controlli Servizi")
    assert kf.parse("N ImprAtt-1").root == Ref("N ImprAtt", -1)
    assert kf.parse("Città + 1").drivers == {"Città"}


def test_numbers_are_numbers_and_numeric_looking_codes_are_not() -> None:
    assert kf.parse("D2.1_MIMIT.1 * 1000 / 50").numbers == {"1000", "50"}
    assert kf.parse("401.50").root == Number("401.50")
    assert kf.parse("1.2.3").root == Ref("1.2.3")
    assert kf.parse("10.").root == Ref("10.")
    # numbers have no prior years: 50-1 subtracts
    assert kf.parse("50-1").root == BinOp("-", Number("50"), Number("1"))


def test_anno_suffix_on_numeric_words_round_trips() -> None:
    # found by the fuzz profile: ".anno" stripped from "0 0.anno-1" leaves numeric words
    formula = kf.parse("0\u00a00.anno-1")
    assert formula.root == Ref("0 0", -1)
    assert str(formula) == "0 0[-1]"
    assert kf.parse(str(formula)) == formula


def test_precedence_and_left_associativity() -> None:
    a, b, c = Ref("A"), Ref("B"), Ref("C")
    assert kf.parse("A + B * C").root == BinOp("+", a, BinOp("*", b, c))
    assert kf.parse("A - B - C").root == BinOp("-", BinOp("-", a, b), c)
    assert kf.parse("A / B / C").root == BinOp("/", BinOp("/", a, b), c)
    assert kf.parse("A / B * C").root == BinOp("*", BinOp("/", a, b), c)
    assert kf.parse("-A * B").root == BinOp("*", Neg(a), b)
    assert kf.parse("+A").root == a
    assert kf.parse("A - -B").root == BinOp("-", a, Neg(b))


def test_canonical_text_uses_minimal_parentheses() -> None:
    cases = {
        "((A + B)) + C": "A + B + C",
        "A + (B + C)": "A + (B + C)",
        "(A * B) + C": "A * B + C",
        "A * (B + C)": "A * (B + C)",
        "A - (B - C)": "A - (B - C)",
        "-(A + B)": "-(A + B)",
        "-(A * B)": "-(A * B)",
        "- - A": "--A",
        "(D2.1_MIMIT.2 + A3.1_2)": "D2.1_MIMIT.2 + A3.1_2",
        "A/B": "A / B",
    }
    for text, canonical in cases.items():
        assert str(kf.parse(text)) == canonical, text


def test_spans_locate_each_node_in_the_source() -> None:
    text = "(A - A-1) / A-1"
    root = kf.parse(text).root
    assert isinstance(root, BinOp)
    assert root.span is not None and (root.span.start, root.span.end) == (1, len(text))
    right = root.right
    assert right.span is not None and text[right.span.start : right.span.end] == "A-1"


def test_equality_ignores_spans_and_spelling() -> None:
    assert kf.parse("A+B") == kf.parse("  A   +   B ")
    assert hash(kf.parse("A+B")) == hash(kf.parse("(A) + (B)"))
    assert kf.parse("A + B") != kf.parse("B + A")


def test_formula_repr_and_multiline_input() -> None:
    assert repr(kf.parse("A+B")) == "Formula('A + B')"
    assert kf.parse("(A +\n B)\n/ C") == kf.parse("(A + B) / C")


def test_pdf_artefacts_follow_the_hygiene_policy() -> None:
    assert kf.parse("A\u00a0+\u00a0B") == kf.parse("A + B")
    assert kf.parse("A \u2212 B") == kf.parse("A - B")
    assert kf.parse("A × B ÷ C") == kf.parse("A * B / C")


def test_from_node_checks_what_the_parser_checks() -> None:
    formula = kf.Formula.from_node(BinOp("+", Ref("A", -1), Number("2")))
    assert str(formula) == "A-1 + 2"
    spaced = kf.Formula.from_node(Ref("two  spaces", -1))  # written in quotes
    assert str(spaced) == '"two  spaces"[-1]' and kf.parse(str(spaced)) == spaced
    for code in ('say "hi"', "", "   ", "two\nlines"):
        with pytest.raises(kf.FormulaSyntaxError):
            kf.Formula.from_node(Ref(code))
    deep: kf.Node = Ref("A")
    for _ in range(250):
        deep = Neg(deep)
    with pytest.raises(kf.LimitExceededError):
        kf.Formula.from_node(deep)


def test_parse_is_cached_for_identical_text() -> None:
    assert kf.parse("A + B + C") is kf.parse("A + B + C")


def test_formulas_hash_by_structure_and_survive_pickling() -> None:
    glued, explicit = kf.parse("A-1 + B"), kf.parse("A[-1] + B")
    assert glued == explicit and hash(glued) == hash(explicit)
    assert {glued: "found"}[explicit] == "found"
    copy = pickle.loads(pickle.dumps(glued))
    assert copy == glued and hash(copy) == hash(glued)
    assert (copy.source, copy.references) == ("A-1 + B", glued.references)
