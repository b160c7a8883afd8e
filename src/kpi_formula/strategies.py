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

Whole plans come from :func:`plans` (nested groups, indicators reading drivers,
other indicators and their own code, ``%`` indicators, targets and baselines)
and their data from :func:`plan_datasets`::

    @given(st.data())
    def test_plan_evaluation_never_crashes(data):
        plan = data.draw(kst.plans(max_indicators=6))
        values = data.draw(kst.plan_datasets(plan, nd_rate=0.1))
        evaluate_plan(plan, values, year=2025)

Every strategy takes keyword-only size controls and checks them, naming the
wrong argument.  Codes are drawn seed-like (``82.A3.1_INSTAGRAM``,
``D1.1.2_PROMOS.ATT.``, ``N ImprAtt_UULL_Tot``) with the awkward cases
included; formulas are drawn as trees (and shrink to small trees), so their
text is canonical.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .ast import NUMBER_PATTERN, BinOp, Neg, Node, Number, Operator, Ref, map_leaves, walk
from .catalog import Driver
from .decimals import EXACT
from .direction import Direction
from .formula import Formula, parse
from .missing import ND, NotAvailable
from .parser import MAX_DEPTH
from .plan.model import Group, Indicator, Plan
from .printer import format_ref
from .targets import Change, Reference, Target
from .values import UNITS, YES_NO, Quantity, Unit, format_amount, format_value, fraction_shift

T = TypeVar("T")

__all__ = [
    "codes",
    "datasets",
    "formula_texts",
    "formulas",
    "numbers",
    "plan_datasets",
    "plans",
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
    *, units: tuple[str | None, ...] = ("€", "%", "‰", "N.", "gg", "sì/no", None)
) -> st.SearchStrategy[Quantity]:
    """Quantities as documents hold them: up to two decimals (of a percentage, of a
    per mille, of other amounts); yes/no as 1 or 0 in the unit ``sì/no``."""
    for unit in units:
        if unit is not None and unit not in UNITS:
            raise InvalidArgument(f"units must be among {UNITS} or None, not {unit!r}")

    def build(amount: Decimal, unit: str | None) -> Quantity:
        if unit == YES_NO:
            return Quantity(Decimal(int(amount) % 2), YES_NO)
        shift = fraction_shift(unit)  # type: ignore[arg-type]
        return Quantity(amount.scaleb(-shift, EXACT) if shift else amount, unit)  # type: ignore[arg-type]

    amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False)
    return st.builds(build, amounts, st.sampled_from(units))


_ND_SPELLINGS = ("N/D", "n.d.", "N.D.", "n.a.", "n.c.", "nd", "-", "–")
_YES_SPELLINGS = ("SI", "Sì", "si", "Realizzato", "Realizzata", "Adottato", "Approvato")
_NO_SPELLINGS = ("NO", "No", "Non realizzato", "Non adottato")
_MONTH_NAMES = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
_THOUSANDS_SPACES = (" ", "\u00a0", "\u202f", "\u2009")


def _number_text(draw: st.DrawFn, quantity: Quantity) -> str:
    """The amount of ``quantity`` as a document writes it: thousands grouped by dots,
    or by single spaces as PDFs print them."""
    text = format_amount(quantity.amount, quantity.unit)
    if "." in text and draw(st.booleans()):
        text = text.replace(".", draw(st.sampled_from(_THOUSANDS_SPACES)))
    return text


@st.composite
def _value_text(draw: st.DrawFn) -> str:
    value = draw(values())
    if value is ND:
        return draw(st.sampled_from(_ND_SPELLINGS))
    if isinstance(value, dt.date):
        style = draw(st.sampled_from(["-", "/", ".", "iso", "words"]))
        if style == "iso":
            return value.isoformat()
        if style == "words":
            return f"{value.day} {_MONTH_NAMES[value.month - 1]} {value.year}"
        return f"{value.day:02d}{style}{value.month:02d}{style}{value.year}"
    assert isinstance(value, Quantity)
    if value.unit == YES_NO:
        return draw(st.sampled_from(_YES_SPELLINGS if value.amount else _NO_SPELLINGS))
    text = format_value(value)
    if value.unit == "€" and draw(st.booleans()):
        amount = value.amount
        millions = amount.scaleb(-6, EXACT)
        if amount and millions == millions.to_integral_value(context=EXACT) and draw(st.booleans()):
            scale = draw(st.sampled_from(["mln €", "milioni di euro", "M€"]))
            return f"{format_value(Quantity(millions))} {scale}"
        return "€ " + text.removesuffix(" €")
    number = _number_text(draw, value)
    return number if value.unit is None else f"{number} {value.unit}"


def value_texts() -> st.SearchStrategy[str]:
    """Values written the Italian way, as other bodies write them too: ``1.100 N.``,
    ``1 000 000 €``, ``72,10 %``, ``54,24 ‰``, ``€ 2.750,00``, ``4 mln €``, ``SI``,
    ``Non realizzato``, ``n.d.``, ``31.12.2025``, ``2025-12-31``, ``30 giugno 2025``."""
    return _value_text()


def values() -> st.SearchStrategy[Quantity | dt.date | NotAvailable]:
    """Document values: quantities (yes/no and per mille too), dates and N/D."""
    return st.one_of(
        quantities(),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
        st.just(ND),
    )


# -- targets ---------------------------------------------------------------------------

_AMOUNT_UNITS: tuple[str | None, ...] = ("€", "%", "‰", "N.", "gg", None)
_DESCRIPTIONS = (
    "pratiche evase nell'anno",
    "comuni aderenti al servizio",
    "imprese coinvolte",
    "dalla richiesta",
    "degli uffici dotati di firma digitale",
    "nell'uso dello sportello digitale",
    "di soddisfazione degli utenti",
    "dei procedimenti conclusi, e-learning compreso",
)
"""Words of what is counted, as documents write them after an amount."""
_COUNTED = (
    "pratiche evase nell'anno",
    "comuni aderenti al servizio",
    "imprese coinvolte",
    "corsi e-learning",
    "utenti",
)
"""Words that begin with what is counted: after a number without a unit, a count."""
_LABEL_CHARACTERS = st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters='"'
)


def _labels() -> st.SearchStrategy[str | None]:
    """Labels: none, words documents write, or any text a quoted label can hold."""
    drawn = st.text(_LABEL_CHARACTERS, min_size=1, max_size=30).filter(lambda text: text.split())
    return st.one_of(st.none(), st.sampled_from(_DESCRIPTIONS), drawn)


def _years() -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(2000, 2099))


_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@st.composite
def _comparison_target(draw: st.DrawFn) -> Target:
    quantity = draw(quantities(units=_AMOUNT_UNITS))
    implied = draw(st.booleans())
    comparison = ">=" if implied else draw(st.sampled_from([">=", "<=", ">", "<", "="]))
    deadline = draw(st.one_of(st.none(), _DATES))
    return Target(
        comparison,  # type: ignore[arg-type]
        quantity,
        year=draw(_years()),
        deadline=deadline,
        label=draw(_labels()),
        implied=implied,
    )


@st.composite
def _range_target(draw: st.DrawFn) -> Target:
    unit = draw(st.sampled_from(_AMOUNT_UNITS))
    low, high = sorted(
        (draw(quantities(units=(unit,))) for _ in range(2)), key=lambda each: each.amount
    )
    return Target("tra", low, year=draw(_years()), upper=high, label=draw(_labels()))


@st.composite
def _yes_no_target(draw: st.DrawFn) -> Target:
    answer = Quantity(Decimal(draw(st.sampled_from([0, 1]))), YES_NO)
    deadline = draw(st.one_of(st.none(), _DATES))
    return Target("=", answer, year=draw(_years()), deadline=deadline, label=draw(_labels()))


@st.composite
def _deadline_target(draw: st.DrawFn) -> Target:
    return Target("entro", draw(_DATES), year=draw(_years()), label=draw(_labels()))


@st.composite
def _relative_target(draw: st.DrawFn) -> Target:
    references: st.SearchStrategy[Reference] = st.one_of(
        st.sampled_from(["baseline", "previous"]), st.integers(2000, 2099)
    )
    amount = draw(quantities(units=("%", "‰", "N.", "gg", "€", None)))
    reference = draw(references)
    implied = False
    if not amount.amount:
        implied = draw(st.booleans())
        comparison = ">=" if implied else draw(st.sampled_from([">=", "<=", ">", "<", "="]))
    else:
        comparison = ">=" if amount.amount > 0 else "<="
    return Target(
        comparison,  # type: ignore[arg-type]
        year=draw(_years()),
        change=Change(amount, reference),
        label=draw(_labels()),
        implied=implied,
    )


def targets() -> st.SearchStrategy[Target]:
    """Targets of every kind: comparisons with a quantity (written or implied, with
    a label of what is counted, with a deadline), ranges, yes/no, deadlines and
    relative targets, some with a year in front."""
    return st.one_of(
        _comparison_target(),
        _range_target(),
        _yes_no_target(),
        _deadline_target(),
        _relative_target(),
    )


_COMPARISON_SPELLINGS: dict[str, tuple[str, ...]] = {
    ">=": (
        ">=",
        "=>",
        "≥",
        "maggiore o uguale a",
        "non inferiore a",
        "almeno",
        "pari o superiore a",
        "non meno di",
        "minimo",
    ),
    "<=": (
        "<=",
        "=<",
        "≤",
        "minore o uguale a",
        "non superiore a",
        "al massimo",
        "non oltre",
        "fino a",
        "non più di",
        "entro",
    ),
    ">": (">", "superiore a", "maggiore di", "oltre", "più di"),
    "<": ("<", "inferiore a", "minore di", "meno di"),
    "=": ("=", "pari a", "uguale a"),
}


def _deadline_text(draw: st.DrawFn, day: dt.date) -> str:
    """A deadline as documents write it: a date, or the period it ends."""
    spellings = [
        f"Entro {format_value(day)}",
        f"entro il {day.day:02d}/{day.month:02d}/{day.year}",
        f"Entro il {day.day}.{day.month}.{day.year}",
        f"entro il {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}",
    ]
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day == last:
        spellings.append(f"entro {_MONTH_NAMES[day.month - 1]} {day.year}")
        if day.month % 3 == 0:
            ordinal = ("primo", "secondo", "terzo", "quarto")[day.month // 3 - 1]
            spellings.append(f"entro il {ordinal} trimestre {day.year}")
        if day.month in (6, 12):
            half = "primo" if day.month == 6 else "secondo"
            spellings.append(f"entro il {half} semestre {day.year}")
        if day.month == 12:
            spellings.append(f"entro il {day.year}")
    return draw(st.sampled_from(spellings))


def _amount_text(draw: st.DrawFn, quantity: Quantity) -> str:
    number = _number_text(draw, quantity)
    return number if quantity.unit is None else f"{number} {quantity.unit}"


@st.composite
def _written_target(draw: st.DrawFn) -> tuple[str, Target]:
    """A target as a document writes it, in symbols or in words, and the target it is."""
    kind = draw(st.sampled_from(["comparison", "range", "yes-no", "deadline", "relative"]))
    label: str | None = None
    if kind == "comparison":
        quantity = draw(quantities(units=_AMOUNT_UNITS))
        implied = draw(st.booleans())
        comparison = ">=" if implied else draw(st.sampled_from(sorted(_COMPARISON_SPELLINGS)))
        spellings = _COMPARISON_SPELLINGS[comparison]
        if quantity.unit is None:
            spellings = tuple(each for each in spellings if each != "entro")  # entro 2025: a year
        spelling = "" if implied else draw(st.sampled_from(spellings)) + " "
        text = spelling + _amount_text(draw, quantity)
        if draw(st.booleans()):
            label = draw(st.sampled_from(_COUNTED if quantity.unit is None else _DESCRIPTIONS))
            text += f" {label}"
            if quantity.unit is None:
                quantity = Quantity(quantity.amount, "N.")
        if spelling == "entro ":
            comparison = "<="
        target = Target(comparison, quantity, label=label, implied=implied)  # type: ignore[arg-type]
    elif kind == "range":
        unit = draw(st.sampled_from(_AMOUNT_UNITS))
        low, high = sorted(
            (draw(quantities(units=(unit,))) for _ in range(2)), key=lambda each: each.amount
        )
        first = _amount_text(draw, low) if draw(st.booleans()) else _number_text(draw, low)
        second = _amount_text(draw, high)
        form = draw(st.sampled_from(["tra {} e {}", "fra {} e {}", "da {} a {}", "{} - {}"]))
        text = form.format(first, second)
        target = Target("tra", low, upper=high)
    elif kind == "yes-no":
        answer = draw(st.sampled_from([0, 1]))
        text = draw(st.sampled_from(_YES_SPELLINGS if answer else _NO_SPELLINGS))
        target = Target("=", Quantity(Decimal(answer), YES_NO))
    elif kind == "deadline":
        day = draw(_DATES)
        text = _deadline_text(draw, day)
        target = Target("entro", day)
    else:
        text, target = draw(st.sampled_from(_RELATIVE_TEXTS))
    if draw(st.booleans()):
        text += "."
    year = draw(_years())
    if year is not None:
        prefix = draw(st.sampled_from(["Anno {}: ", "{}: ", "anno {}:"]))
        text = prefix.format(year) + text
        target = replace(target, year=year)
    return text, target


_RELATIVE_TEXTS: tuple[tuple[str, Target], ...] = (
    (
        "Aumento del 20% rispetto alla baseline",
        Target(">=", change=Change(Quantity(Decimal("0.2"), "%"), "baseline")),
    ),
    (
        "Incremento del 25%, rispetto alla baseline, nell'uso dello sportello digitale",
        Target(
            ">=",
            change=Change(Quantity(Decimal("0.25"), "%"), "baseline"),
            label="nell'uso dello sportello digitale",
        ),
    ),
    (
        "Riduzione di 5 gg rispetto all'anno precedente",
        Target("<=", change=Change(Quantity(Decimal(-5), "gg"), "previous")),
    ),
    (
        "-10 % rispetto al valore del 2023",
        Target("<=", change=Change(Quantity(Decimal("-0.1"), "%"), 2023)),
    ),
    (
        "Mantenimento",
        Target(">=", change=Change(Quantity(Decimal(0), "%"), "baseline"), implied=True),
    ),
    (
        "mantenimento del valore dell'anno precedente",
        Target(">=", change=Change(Quantity(Decimal(0), "%"), "previous"), implied=True),
    ),
    (
        ">= valore anno precedente",
        Target(">=", change=Change(Quantity(Decimal(0), "%"), "previous")),
    ),
    (
        "Adesione di ulteriori 3.000 imprese",
        Target(
            ">=",
            change=Change(Quantity(Decimal(3000), "N."), "previous"),
            label="Adesione di … imprese",
        ),
    ),
)


@st.composite
def _target_cell(draw: st.DrawFn) -> tuple[str, list[Target]]:
    """A target cell and the targets it holds: one target, its canonical text, or
    no target at all (``n.d.``)."""
    choice = draw(st.sampled_from(["written", "written", "written", "canonical", "none"]))
    if choice == "none":
        return draw(st.sampled_from(_ND_SPELLINGS)), []
    if choice == "canonical":
        target = draw(targets())
        return str(target), [target]
    text, target = draw(_written_target())
    return text, [target]


def target_texts() -> st.SearchStrategy[str]:
    """Target cells as documents write them: ``>= 1.100 N.``, ``Entro 31-12-2025``,
    ``maggiore o uguale a 90 %``, ``Almeno 1.100 pratiche evase nell'anno.``,
    ``non oltre 30 gg``, ``tra 70% e 90%``, ``SI``, ``entro il primo semestre 2025``,
    ``Anno 2026: <= 15 gg``, ``Aumento del 20% rispetto alla baseline``, ``ulteriori
    3.000 imprese``, and ``n.d.`` (a cell without a target)."""
    return _target_cell().map(lambda cell: cell[0])


# Plans: whole trees of weighted groups and indicators, and their data.

_INDICATOR_NAMES = (
    "Pratiche evase nell'anno",
    "Imprese partecipanti alle iniziative di internazionalizzazione",
    "Tempo medio di evasione delle pratiche (giorni)",
    "Grado di copertura dei servizi digitali",
    "Interessi passivi su entrate correnti",
    "Partecipanti alle iniziative di sostegno alla creazione d'impresa",
)
_GROUP_NAMES = (
    "Competitività delle imprese",
    "Semplificazione e trasparenza",
    "Servizi al cittadino",
    "Internazionalizzazione",
    "Transizione digitale",
)
_PLAN_UNITS: tuple[Unit | None, ...] = (None, "N.", "%", "€", "gg")
_DIRECTIONS: tuple[Direction | None, ...] = (None, "higher", "lower")
_COMPARISONS = (">=", "<=", ">", "<", "=")
# what sheets and CSV files make trouble of: formula starts, quotes, separators, blanks
_ODD_STARTS = (
    *("", "=", "+", "-", "@", "＝", "＋", "－", "＠", " ", "\t", "\n", "'", '"', "'=", "''"),
    *("=1+1 ", "@SUM(A1) "),
)
_GROUP_KINDS = ("group", "missione", "programma", "obiettivo", "linea d'azione")
"""Level names groups carry with ``group_details`` (none with a meaning of its own:
not the Integra shape's, not ``driver``)."""
_ODD_CHARACTERS = "\t\n;,\"' =+-@%"
_KINDS = ("input", "computed", "own")
"""An input (no formula), an indicator computed by a formula, or an input whose
formula is its own code."""
_OPERATORS: st.SearchStrategy[Operator] = st.sampled_from(["+", "-", "*", "/"])
_ANOTHER = st.integers(0, 4).map(bool)  # one more indicator? (shrinks to no)


def _check_years(name: str, value: object) -> tuple[int, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidArgument(f"{name} must be a sequence of years, not {type(value).__name__}")
    years = tuple(value)
    for year in years:
        _check_int(f"each of {name}", year, 1, 9999)
    if len(set(years)) != len(years):
        raise InvalidArgument(f"{name} must not repeat a year, not {years}")
    return years


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True or False, not {value!r}")
    return value


def _odd_text() -> st.SearchStrategy[str]:
    """Text people paste into names: any character but surrogates, unassigned code
    points and control characters other than tab and newline, starting with what
    spreadsheets read as a formula, or with blanks."""
    characters = st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc", "Cn")),
        st.sampled_from(_ODD_CHARACTERS),
    )
    body = st.text(characters, min_size=1, max_size=30).filter(str.strip)
    return st.tuples(st.sampled_from(_ODD_STARTS), body).map("".join)


@cache
def _cuts(count: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1, unique=True)


def _weights(draw: st.DrawFn, count: int) -> tuple[Decimal, ...]:
    """``count`` whole percentages, each at least 1 %, adding up to exactly 100 %."""
    if count == 1:
        return (Decimal(1),)
    bounds = [0, *sorted(draw(_cuts(count))), 100]
    return tuple(Decimal(high - low).scaleb(-2, EXACT) for low, high in pairwise(bounds))


@st.composite
def _either(
    draw: st.DrawFn, usual: st.SearchStrategy[T], odd: st.SearchStrategy[T], one_in: int
) -> T:
    """Mostly ``usual``, ``odd`` one time in ``one_in`` (shrinking towards ``usual``)."""
    return draw(odd if draw(st.integers(0, one_in - 1)) == one_in - 1 else usual)


@st.composite
def _tree(draw: st.DrawFn, leaves: st.SearchStrategy[Node], max_leaves: int) -> Node:
    """A tree of 1 to ``max_leaves`` operands, as many of each size (a recursive
    strategy draws mostly one or two): operands joined pairwise by operators, now
    and then negated."""
    nodes = draw(st.lists(leaves, min_size=1, max_size=max_leaves))
    while len(nodes) > 1:
        at = draw(st.integers(0, len(nodes) - 2))
        joined: Node = BinOp(draw(_OPERATORS), nodes[at], nodes[at + 1])
        if not draw(st.integers(0, 5)):
            joined = Neg(joined)
        nodes[at : at + 2] = [joined]
    return nodes[0]


def _reference(code: str, offset: int) -> Node:
    """A reference as plans write it: a numeric code of the evaluation year as a bare
    number (the seed's ``/ 50``), which the plan's catalog reads as that code."""
    if offset == 0 and NUMBER_PATTERN.fullmatch(code):
        return Number(code)
    return Ref(code, offset)


def _names_code(node: Node, code: str) -> bool:
    return (isinstance(node, Ref) and node.code == code) or (
        isinstance(node, Number) and node.text == code
    )


@dataclass(frozen=True)
class _PlanDraws:
    """What a plan is drawn from, built once for every plan :func:`plans` draws
    (building strategies costs more than drawing from them)."""

    max_indicators: int
    driver_codes: st.SearchStrategy[list[str]]
    codes: st.SearchStrategy[str]
    names: st.SearchStrategy[str]
    group_names: st.SearchStrategy[str]
    descriptions: st.SearchStrategy[str]
    trees: st.SearchStrategy[Node]
    """Formula trees whose references are slots, ``Ref("3", -1)``: the fourth of an
    indicator's sources (drivers, indicators drawn before it, its own code)."""
    amounts: dict[Unit | None, st.SearchStrategy[Decimal]]
    max_depth: int
    baseline_years: tuple[int, ...]
    target_years: tuple[int, ...]
    odd_texts: bool
    group_details: bool


def _filled(root: Node, sources: Sequence[str]) -> Node:
    """The tree with each slot replaced by the source it stands for."""

    def fill(leaf: Number | Ref) -> Node:
        if isinstance(leaf, Number):
            return leaf
        return _reference(sources[int(leaf.code) % len(sources)], leaf.offset)

    return map_leaves(root, fill)


def _plan_target_cell(draw: st.DrawFn, draws: _PlanDraws, unit: Unit | None) -> str:
    """A target cell for an indicator in ``unit``: a comparison, or a change relative
    to the baseline or the year before."""
    if draw(st.booleans()):
        threshold = Quantity(draw(draws.amounts[unit]), unit)
        return str(Target(draw(st.sampled_from(_COMPARISONS)), threshold))
    change = Quantity(draw(draws.amounts["%"]), "%")
    reference: Reference = draw(st.sampled_from(["baseline", "previous"]))
    if change.amount:
        comparison = ">=" if change.amount > 0 else "<="
    else:
        comparison = draw(st.sampled_from(_COMPARISONS))
    return str(Target(comparison, change=Change(change, reference)))  # type: ignore[arg-type]


@st.composite  # one span per indicator, which shrinking can drop whole
def _indicator(draw: st.DrawFn, draws: _PlanDraws, code: str, sources: list[str]) -> Indicator:
    """One indicator (weight 1 until its group gives it one), reading ``sources``."""
    unit: Unit | None = draw(st.sampled_from(_PLAN_UNITS))
    amounts = draws.amounts[unit]
    kind = draw(st.sampled_from(_KINDS))
    formula: str | None = None
    if kind == "own":  # as the seed writes them: D6.1 for D6.1, 401.50 for 401.50
        formula = code if NUMBER_PATTERN.fullmatch(code) else format_ref(code, 0)
    elif kind == "computed":
        root = _filled(draw(draws.trees), sources)
        if unit == "%" and draw(st.booleans()):  # `... * 100`: percentage points
            root = BinOp("*", root, Number("100"))
        formula = str(Formula(root))
    baselines = {}
    for year in draws.baseline_years:
        choice = draw(st.sampled_from(["none", "value", "N/D"]))
        if choice == "value":
            baselines[year] = format_value(Quantity(draw(amounts), unit))
        elif choice == "N/D":
            baselines[year] = "N/D"
    targets = {
        year: _plan_target_cell(draw, draws, unit)
        for year in draws.target_years
        if draw(st.booleans())
    }
    return Indicator(
        code,
        draw(draws.names),
        Decimal(1),
        formula,
        description=draw(draws.descriptions),
        unit=unit,
        baselines=baselines,
        targets=targets,
        direction=draw(st.sampled_from(_DIRECTIONS)),
    )


def _group(
    draw: st.DrawFn, draws: _PlanDraws, items: tuple[Indicator, ...], code: str, depth: int
) -> Group:
    """A group (weight 1 until its parent gives it one) holding ``items``, some of
    them in subgroups while ``depth`` allows."""
    parts: list[Indicator | tuple[Indicator, ...]] = []
    rest = items
    while rest:
        if depth < draws.max_depth and draw(st.booleans()):
            size = draw(st.integers(1, len(rest)))
            parts.append(rest[:size])
            rest = rest[size:]
        else:
            parts.append(rest[0])
            rest = rest[1:]
    children: list[Group | Indicator] = []
    for number, (part, weight) in enumerate(zip(parts, _weights(draw, len(parts)), strict=True), 1):
        child: Group | Indicator
        if isinstance(part, tuple):
            child = _group(draw, draws, part, f"{code}.{number}", depth + 1)
        else:
            child = part
        children.append(replace(child, weight=weight))
    if not draws.group_details:
        return Group(code, draw(draws.group_names), Decimal(1), tuple(children))
    name, kind = draw(draws.group_names), draw(st.sampled_from(_GROUP_KINDS))
    return Group(
        code, name, Decimal(1), tuple(children), kind, description=draw(draws.descriptions)
    )


def _unique(code: str, taken: set[str]) -> str:
    """``code``, or a variant of it that no other code of the plan has (case aside)."""
    unique, number = code, 1
    while unique.casefold() in taken:
        number += 1
        unique = f"{code}_{number}"
    taken.add(unique.casefold())
    return unique


@st.composite
def _plan(draw: st.DrawFn, draws: _PlanDraws) -> Plan:
    driver_codes = draw(draws.driver_codes)
    taken = {code.casefold() for code in driver_codes}
    indicator_codes: list[str] = []
    drafts: list[Indicator] = []
    # one indicator after another, as hypothesis draws lists, so that shrinking drops them
    while len(drafts) < draws.max_indicators and (not drafts or draw(_ANOTHER)):
        code = _unique(draw(draws.codes), taken)
        # it reads drivers, the indicators drawn before it (no cycle can form), its own code
        drafts.append(draw(_indicator(draws, code, [*driver_codes, *indicator_codes, code])))
        indicator_codes.append(code)
    listing = tuple(draw(st.permutations(drafts)))
    tops: list[tuple[Indicator, ...]] = []
    while listing:
        size = draw(st.integers(1, len(listing)))
        tops.append(listing[:size])
        listing = listing[size:]
    groups = tuple(
        replace(_group(draw, draws, items, f"G-{number}", 1), weight=weight)
        for number, (items, weight) in enumerate(
            zip(tops, _weights(draw, len(tops)), strict=True), 1
        )
    )
    # a code read as its own indicator's driver is declared as a driver now and then, as the
    # seed declares D6.1; numeric codes always are, or they would read as numbers
    own = [
        draft.code
        for draft in drafts
        if draft.formula is not None
        and any(_names_code(node, draft.code) for node in walk(parse(draft.formula).root))
    ]
    declared = [
        code
        for code in dict.fromkeys([*driver_codes, *own])
        if NUMBER_PATTERN.fullmatch(code) or draw(st.booleans())
    ]
    return Plan(
        draw(draws.names) if draws.odd_texts else "Piano della performance",
        groups=groups,
        drivers=tuple(Driver(code, draw(draws.descriptions)) for code in declared),
        baseline_years=draws.baseline_years,
        target_years=draws.target_years,
        language=draw(st.sampled_from([None, "it", "en"])),
    )


def plans(
    *,
    max_indicators: int = 8,
    max_depth: int = 3,
    max_drivers: int = 6,
    max_leaves: int = 5,
    max_years_back: int = 2,
    baseline_years: Sequence[int] = (2022, 2023, 2024),
    target_years: Sequence[int] = (2025, 2026),
    odd_texts: bool = False,
    group_details: bool = False,
) -> st.SearchStrategy[Plan]:
    """Whole plans (:class:`~kpi_formula.plan.Plan`): groups nested up to
    ``max_depth`` levels, with weights adding up to exactly 100 % in each group,
    holding up to ``max_indicators`` indicators.

    Indicators are inputs (no formula, or their own code as the formula) or
    formulas of up to ``max_leaves`` operands reading drivers (up to
    ``max_drivers``), the indicators drawn before them (so no cycle forms), their
    own code (the driver of that code, as the seed's ``D6.1 = D6.1 + D6.1.0_0 +
    ...``), numbers and prior years up to ``max_years_back``.  Numeric codes
    occur, declared as drivers (the seed's ``50``) or as indicators (``401.50``),
    and read as bare numbers in formulas.  Units are ``%`` (also percentage points,
    ``... * 100``), ``N.``, ``€``, ``gg`` or none; directions higher, lower or
    unsaid; baselines (values or N/D) for some ``baseline_years`` and targets
    (comparisons, changes relative to the baseline or the year before) for some
    ``target_years``.  With ``odd_texts``, names, descriptions and titles are
    nearly any text: any character but surrogates, unassigned code points and
    control characters other than tab and newline, often starting with what
    spreadsheets take for a formula (``=``, ``+``, ``-``, ``@``, ``＝``) or with
    blanks.  With ``group_details``, groups carry a level name (``missione``,
    ``programma``, ...) and a description too.  :func:`plan_datasets` draws their
    data.
    """
    _check_int("max_indicators", max_indicators, 1, 100)
    _check_int("max_depth", max_depth, 1, 20)
    _check_int("max_drivers", max_drivers, 1, 100)
    _check_int("max_leaves", max_leaves, 1, MAX_DEPTH // 2)  # negations deepen trees
    _check_int("max_years_back", max_years_back, 0, 999)
    numeric = st.one_of(
        st.integers(20, 999).filter(lambda n: n != 100).map(str),  # the seed's driver 50
        st.tuples(st.integers(1, 999), st.integers(0, 99)).map(
            lambda parts: f"{parts[0]}.{parts[1]:02d}"  # the seed's indicator 401.50
        ),
    )
    # numeric codes are the odd ones: one in four
    every_code = _either(codes(max_words=2, max_word_size=8), numeric, one_in=4)
    slots: st.SearchStrategy[Node] = st.builds(
        Ref, st.integers(0, 255).map(str), st.integers(-max_years_back, 0)
    )
    # formulas read drivers and indicators mostly: one operand in three is a number
    literals: st.SearchStrategy[Node] = numbers(max_integer_digits=3, max_fraction_digits=2).map(
        Number
    )
    leaves = _either(slots, literals, one_in=3)

    odd = _check_bool("odd_texts", odd_texts)
    names = _odd_text() if odd else st.sampled_from(_INDICATOR_NAMES)
    shares = st.integers(-10_000, 10_000).map(lambda n: Decimal(n).scaleb(-4, EXACT))
    others = st.decimals(min_value=-(10**6), max_value=10**6, places=2)
    draws = _PlanDraws(
        max_indicators=max_indicators,
        driver_codes=st.lists(
            every_code, min_size=1, max_size=max_drivers, unique_by=str.casefold
        ),
        codes=every_code,
        names=names,
        group_names=_odd_text() if odd else st.sampled_from(_GROUP_NAMES),
        descriptions=st.one_of(st.just(""), names),
        trees=_tree(leaves, max_leaves),
        amounts={unit: shares if unit == "%" else others for unit in _PLAN_UNITS},
        max_depth=max_depth,
        baseline_years=_check_years("baseline_years", baseline_years),
        target_years=_check_years("target_years", target_years),
        odd_texts=odd,
        group_details=_check_bool("group_details", group_details),
    )
    return _plan(draws)


def _data_codes(plan: Plan) -> dict[str, bool]:
    """The codes ``plan`` reads from data, each with whether it is read as a share in
    % (an input in %, or the one driver a formula of an indicator in % names)."""
    indicators = plan.indicators()
    named = {driver.code for driver in plan.drivers} | set(indicators)
    found: dict[str, bool] = {}
    for indicator in indicators.values():
        share = indicator.unit == "%"
        formula = indicator.parsed_formula()
        if formula is None:
            found[indicator.code] = found.get(indicator.code, False) or share
            continue
        for node in walk(formula.root):
            if isinstance(node, Ref):
                found.setdefault(node.code, False)
            elif isinstance(node, Number) and node.text in named:
                found.setdefault(node.text, False)
        root = formula.root
        single = root.code if isinstance(root, Ref) else getattr(root, "text", None)
        if share and single in found:
            found[single] = True
    return found


def plan_datasets(
    plan: Plan,
    *,
    years: Sequence[int] | None = None,
    nd_rate: float = 0.1,
    zero_rate: float = 0.1,
    absent_rate: float = 0.05,
    typed_percent_rate: float = 0,
    max_magnitude: int = 10**6,
    places: int = 2,
) -> st.SearchStrategy[dict[tuple[str, int], Decimal | NotAvailable]]:
    """Data for ``plan``: a value for every code its formulas and inputs read, in
    every one of ``years`` (default: the plan's baseline and target years and the
    two years before the first).

    Values are N/D at ``nd_rate``, zero at ``zero_rate``, left out at
    ``absent_rate``, otherwise up to ``max_magnitude`` with up to ``places``
    decimals.  Codes read as shares in % get fractions between -1 and 1, and at
    ``typed_percent_rate`` (none by default) a whole percentage typed without its
    sign (95 for 95 %), which a plan's evaluation refuses as a whole
    (:class:`~kpi_formula.units.AmbiguousUnitError`) rather than read as 9.500 %: draw
    them to test that refusal.
    """
    if not isinstance(plan, Plan):
        raise InvalidArgument(f"plan must be a Plan, not {type(plan).__name__}")
    rates = (
        ("nd_rate", nd_rate),
        ("zero_rate", zero_rate),
        ("absent_rate", absent_rate),
        ("typed_percent_rate", typed_percent_rate),
    )
    for name, rate in rates:
        _check_rate(name, rate)
    if nd_rate + zero_rate + absent_rate > 1:
        raise InvalidArgument("nd_rate + zero_rate + absent_rate must not exceed 1")
    _check_int("max_magnitude", max_magnitude, 1)
    _check_int("places", places, 0, 10)
    if years is None:
        known = (*plan.baseline_years, *plan.target_years)
        if not known:
            raise InvalidArgument("the plan names no years: pass years=...")
        chosen = tuple(range(min(known) - 2, max(known) + 1))
    else:
        chosen = _check_years("years", years)
    amounts = st.decimals(min_value=-max_magnitude, max_value=max_magnitude, places=places)
    nonzero = st.one_of(st.integers(-max_magnitude, max_magnitude).map(Decimal), amounts).filter(
        bool
    )
    scale = places + 2
    shares = st.integers(-(10**scale), 10**scale).map(lambda n: Decimal(n).scaleb(-scale, EXACT))
    typed = st.integers(2, 100).map(Decimal)
    codes_read = _data_codes(plan)

    @st.composite
    def build(draw: st.DrawFn) -> dict[tuple[str, int], Decimal | NotAvailable]:
        data: dict[tuple[str, int], Decimal | NotAvailable] = {}
        for code, share in codes_read.items():
            for year in chosen:
                roll = draw(st.floats(0, 1, exclude_max=True))
                if roll < absent_rate:
                    continue
                if roll < absent_rate + nd_rate:
                    data[(code, year)] = ND
                elif roll < absent_rate + nd_rate + zero_rate:
                    data[(code, year)] = Decimal(0)
                elif share:
                    typo = draw(st.floats(0, 1, exclude_max=True)) < typed_percent_rate
                    data[(code, year)] = draw(typed if typo else shares.filter(bool))
                else:
                    data[(code, year)] = draw(nonzero)
        return data

    return build()
