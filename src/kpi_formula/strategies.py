"""Hypothesis strategies for test suites that use kpi_formula.

Install the ``strategies`` extra (``pip install kpi_formula[strategies]``)
and draw driver codes, formulas, datasets, document values and targets::

    from hypothesis import given
    import kpi_formula as kf
    from kpi_formula import strategies as kst

    @given(kst.formulas(max_leaves=8))
    def test_round_trip(formula):
        assert kf.parse(str(formula)) == formula

After installation ``st.from_type(kpi_formula.Formula)`` works too: the package
registers :func:`formulas` with hypothesis through its plugin entry point.

Every strategy takes keyword-only size controls and checks them, naming the
wrong argument.  Codes are drawn seed-like (``82.A3.1_INSTAGRAM``,
``D1.1.2_PROMOS.ATT.``, ``N ImprAtt_UULL_Tot``) with the awkward cases
included; formulas are drawn as trees (and shrink to small trees), so their
text is canonical.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .ast import NUMBER_PATTERN, BinOp, Neg, Node, Number, Ref
from .formula import Formula
from .missing import ND, NotAvailable
from .parser import MAX_DEPTH
from .targets import Change, Reference, Target
from .values import Quantity, format_value

__all__ = [
    "codes",
    "datasets",
    "formula_texts",
    "formulas",
    "numbers",
    "quantities",
    "target_texts",
    "targets",
    "value_texts",
    "values",
]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FIRST = _LETTERS + "0123456789_"
_REST = _FIRST + ".'"
_SEED_CODES = (
    "82.A3.1_INSTAGRAM",
    "D1.1.2_PROMOS.ATT.",
    "D1.1.3_PROMOS.SAS",
    "D2.1_MIMIT.1",
    "N ImprAtt_UULL_Tot",
    "Controlli Servizi",
    "83.2_01_rev2018",
    "EUREKA",
    "S4",
    "K35",
    "C1.1.1_C",
    "N.Strumenti_dig",
    "SERV.DIG.STAT.TOT",
    "Città",
    "82.ACCESSIBILITA'",
    "Pratiche evase nell'anno",
)
# names only double quotes can hold: other characters, doubled spaces
_QUOTED_NAMES = (
    "Interessi passivi (€)",
    "m² per abitante",
    "Spesa  corrente",
    "Titolo I + Titolo III",
    "[bracketed]",
    "'apostrophes'",
)


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise InvalidArgument(f"{name} must be at least {minimum}{bound}, not {value}")
    return value


def _check_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"{name} must be a number between 0 and 1")
    if not 0 <= value <= 1:
        raise InvalidArgument(f"{name} must be between 0 and 1, not {value}")
    return float(value)


def _is_code(text: str) -> bool:
    words = text.split(" ")
    return not NUMBER_PATTERN.fullmatch(text) and not all(
        NUMBER_PATTERN.fullmatch(word) for word in words
    )


@st.composite
def _word(draw: st.DrawFn, max_size: int) -> str:
    first = draw(st.sampled_from(_FIRST))
    rest = draw(st.text(alphabet=_REST, max_size=max_size - 1))
    return first + rest


def codes(
    *, max_words: int = 2, max_word_size: int = 12, seed_like: bool = True, quoted: bool = True
) -> st.SearchStrategy[str]:
    """Driver codes: letters, digits, ``_``, ``.`` and ``'``; possibly starting
    with a digit, ending with a dot, or made of words joined by single spaces.

    With ``seed_like`` the codes of the Modena plan are drawn too; with
    ``quoted``, names that only double quotes can hold (``"m² per abitante"``).
    """
    _check_int("max_words", max_words, 1)
    _check_int("max_word_size", max_word_size, 1)
    drawn = st.lists(_word(max_word_size), min_size=1, max_size=max_words).map(" ".join)
    drawn = drawn.filter(_is_code)
    choices = [st.sampled_from(_SEED_CODES), drawn] if seed_like else [drawn]
    if quoted:
        choices.append(st.sampled_from(_QUOTED_NAMES))
    return st.one_of(*choices)


def numbers(*, max_integer_digits: int = 6, max_fraction_digits: int = 3) -> st.SearchStrategy[str]:
    """Decimal literals as the language writes them: ``1000``, ``0.5``, ``.5``."""
    _check_int("max_integer_digits", max_integer_digits, 1)
    _check_int("max_fraction_digits", max_fraction_digits, 0)

    @st.composite
    def literal(draw: st.DrawFn) -> str:
        integer = draw(st.integers(0, 10**max_integer_digits - 1))
        fraction = draw(st.text(alphabet="0123456789", max_size=max_fraction_digits))
        if not fraction:
            return str(integer)
        if integer == 0 and draw(st.booleans()):
            return "." + fraction  # shrinks to 0.5, then to 0
        return f"{integer}.{fraction}"

    return literal()


def _leaves(
    code_strategy: st.SearchStrategy[str],
    literal_strategy: st.SearchStrategy[str],
    max_years_back: int,
) -> st.SearchStrategy[Node]:
    refs = st.builds(Ref, code_strategy, st.integers(-max_years_back, 0))
    return st.one_of(refs, literal_strategy.map(Number))


def formulas(
    *,
    max_leaves: int = 12,
    driver_codes: st.SearchStrategy[str] | None = None,
    literals: st.SearchStrategy[str] | None = None,
    max_years_back: int = 2,
) -> st.SearchStrategy[Formula]:
    """Formulas drawn as syntax trees with at most ``max_leaves`` operands,
    naming codes drawn from ``driver_codes`` (default: :func:`codes`) and
    literals from ``literals`` (default: :func:`numbers`)."""
    _check_int("max_leaves", max_leaves, 1, MAX_DEPTH)
    _check_int("max_years_back", max_years_back, 0, 999)
    leaves = _leaves(
        driver_codes if driver_codes is not None else codes(),
        literals if literals is not None else numbers(),
        max_years_back,
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            st.builds(Neg, children),
            st.builds(BinOp, st.sampled_from(["+", "-", "*", "/"]), children, children),
        )

    trees = st.recursive(leaves, extend, max_leaves=max_leaves)
    return trees.filter(lambda node: node.depth <= MAX_DEPTH).map(Formula)


def formula_texts(**kwargs: Any) -> st.SearchStrategy[str]:
    """The canonical text of :func:`formulas` (same arguments)."""
    return formulas(**kwargs).map(str)


def datasets(
    formula: Formula,
    *,
    year: int = 2025,
    nd_rate: float = 0.1,
    zero_rate: float = 0.1,
    absent_rate: float = 0.05,
    max_magnitude: int = 10**6,
    places: int = 2,
) -> st.SearchStrategy[dict[tuple[str, int], Decimal | NotAvailable]]:
    """Data for ``formula`` evaluated in ``year``: one value per reference,
    N/D at ``nd_rate``, zero at ``zero_rate``, left out at ``absent_rate``;
    other values up to ``max_magnitude`` with up to ``places`` decimals."""
    for name, rate in (
        ("nd_rate", nd_rate),
        ("zero_rate", zero_rate),
        ("absent_rate", absent_rate),
    ):
        _check_rate(name, rate)
    if nd_rate + zero_rate + absent_rate > 1:
        raise InvalidArgument("nd_rate + zero_rate + absent_rate must not exceed 1")
    _check_int("max_magnitude", max_magnitude, 1)
    _check_int("places", places, 0, 10)
    _check_int("year", year, 1)
    nonzero = (
        st.one_of(
            st.integers(-max_magnitude, max_magnitude).filter(bool).map(Decimal),
            st.decimals(
                min_value=-max_magnitude, max_value=max_magnitude, places=places, allow_nan=False
            ).filter(bool),
        )
        if places
        else st.integers(-max_magnitude, max_magnitude).filter(bool).map(Decimal)
    )
    keys = sorted({(ref.code, year + ref.offset) for ref in formula.references})

    @st.composite
    def build(draw: st.DrawFn) -> dict[tuple[str, int], Decimal | NotAvailable]:
        data: dict[tuple[str, int], Decimal | NotAvailable] = {}
        for key in keys:
            roll = draw(st.floats(0, 1, exclude_max=True))
            if roll < absent_rate:
                continue
            if roll < absent_rate + nd_rate:
                data[key] = ND
            elif roll < absent_rate + nd_rate + zero_rate:
                data[key] = Decimal(0)
            else:
                data[key] = draw(nonzero)
        return data

    return build()


def quantities(
    *, units: tuple[str | None, ...] = ("€", "%", "N.", "gg", None)
) -> st.SearchStrategy[Quantity]:
    """Quantities as documents hold them: up to two decimals (four for %)."""

    def build(amount: Decimal, unit: str | None) -> Quantity:
        return Quantity(amount.scaleb(-2) if unit == "%" else amount, unit)  # type: ignore[arg-type]

    amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False)
    return st.builds(build, amounts, st.sampled_from(units))


_ND_SPELLINGS = ("N/D", "n.d.", "N.D.", "n.a.", "n.c.", "nd", "-", "–")


@st.composite
def _value_text(draw: st.DrawFn) -> str:
    value = draw(values())
    if value is ND:
        return draw(st.sampled_from(_ND_SPELLINGS))
    if isinstance(value, dt.date):
        style = draw(st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]))
        return value.strftime(style)
    assert isinstance(value, Quantity)
    text = format_value(value)
    if value.unit == "€" and draw(st.booleans()):
        amount = value.amount
        millions = amount.scaleb(-6)
        if amount and millions == millions.to_integral_value() and draw(st.booleans()):
            scale = draw(st.sampled_from(["mln €", "milioni di euro", "M€"]))
            return f"{format_value(Quantity(millions))} {scale}"
        return "€ " + text.removesuffix(" €")
    return text


def value_texts() -> st.SearchStrategy[str]:
    """Values written the Italian way, as other bodies write them too: ``1.100 N.``,
    ``72,10 %``, ``€ 2.750,00``, ``4 mln €``, ``n.d.``, ``31.12.2025``, ``2025-12-31``."""
    return _value_text()


_COMPARISON_SPELLINGS: dict[str, tuple[str, ...]] = {
    ">=": (">=", "=>", "≥", "maggiore o uguale a", "non inferiore a", "almeno"),
    "<=": ("<=", "=<", "≤", "minore o uguale a", "non superiore a", "al massimo"),
    ">": (">", "superiore a", "maggiore di"),
    "<": ("<", "inferiore a", "minore di"),
    "=": ("=", "pari a", "uguale a"),
}


@st.composite
def _target_text(draw: st.DrawFn) -> str:
    target = draw(targets())
    text = str(target)
    if target.threshold is None or isinstance(target.threshold, dt.date):
        return text
    body = text.split(": ", 1)[-1]
    spelling = draw(st.sampled_from(_COMPARISON_SPELLINGS[target.comparison]))
    rest = body.split(" ", 1)[1]
    prefix = "" if target.year is None else draw(st.sampled_from(["Anno {}: ", "{}: "]))
    return prefix.format(target.year) + f"{spelling} {rest}"


def target_texts() -> st.SearchStrategy[str]:
    """Target cells as documents write them: ``>= 1.100 N.``, ``Entro 31-12-2025``,
    ``maggiore o uguale a 90 %``, ``Anno 2026: <= 15 gg``, ``+20 % rispetto alla baseline``."""
    return _target_text()


def values() -> st.SearchStrategy[Quantity | dt.date | NotAvailable]:
    """Document values: quantities, dates and N/D."""
    return st.one_of(
        quantities(),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
        st.just(ND),
    )


def targets() -> st.SearchStrategy[Target]:
    """Targets: comparisons with a quantity, deadlines and relative targets, some
    with a year in front."""
    years = st.one_of(st.none(), st.integers(2000, 2099))
    comparison = st.builds(
        Target, st.sampled_from([">=", "<=", ">", "<", "="]), quantities(), year=years
    )
    deadline = st.builds(
        Target,
        st.just("entro"),
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
        year=years,
    )
    references: st.SearchStrategy[Reference] = st.one_of(
        st.sampled_from(["baseline", "previous"]), st.integers(2000, 2099)
    )

    @st.composite
    def relative(draw: st.DrawFn) -> Target:
        amount = draw(quantities(units=("%", "N.", "gg", "€")))
        reference = draw(references)
        if not amount.amount:
            comparison = draw(st.sampled_from([">=", "<=", ">", "<", "="]))
        else:
            comparison = ">=" if amount.amount > 0 else "<="
        return Target(
            comparison,  # type: ignore[arg-type]
            year=draw(years),
            change=Change(amount, reference),
        )

    return st.one_of(comparison, deadline, relative())
