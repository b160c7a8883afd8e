"""Reading target cells into the parts of each target.

The value grammar's ``targets`` rule (``grammar/value.lark``) is the
specification; :mod:`kpi_formula.fasttargets` reads the plain cells, most of a
plan's, without Lark.  Both give :class:`Goal` tuples — the fields a
:class:`~kpi_formula.Target` is built from — so that this module needs nothing
of the target model, and the model nothing of it but :func:`read_cell`.

What the grammar leaves to this module:

* the words of a comparison (``non superiore al``) and their meaning (:data:`PHRASES`);
* the periods of deadlines (``giugno 2025``, ``primo semestre 2025``, ``2025``),
  read as their last day;
* a label — the words of what is counted — may not hold a comparison, a date, a
  reference (``rispetto``), ``ulteriori``, or words that turn the sign of the
  amount or what it is measured from (``prima``, ``dopo``, ``in anticipo``, ``di
  ritardo``, ``in meno``, ``in più``, ...): those would change what the target
  means, so they are an error rather than words dropped; quoted words are a
  label as they stand;
* a number without a unit followed by a word of what is counted
  (:data:`COUNT_WORDS`: ``pratiche``, ``comuni``, ``imprese``, ...) is a count
  (``N.``); followed by another word it is an error, since that word may be a
  unit this library does not know (``12 kg``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal, NamedTuple, TypeAlias

from .errors import TargetSyntaxError, msg
from .fasttargets import read_plain_targets
from .scoring import Comparison, Inequality
from .values import (
    MONTHS,
    YES_NO,
    Quantity,
    Unit,
    _ReadError,
    build_date,
    build_quantity,
    parse_with,
)

__all__ = [
    "COUNT_WORDS",
    "PHRASES",
    "TARGET_HINT",
    "Goal",
    "Reference",
    "comparison_of",
    "read_cell",
]

Reference: TypeAlias = int | Literal["baseline", "previous"]
"""What a relative target is measured against: the baseline, the year before
the target's year (``"previous"``), or a year."""


class Goal(NamedTuple):
    """The parts of one target, as read (see :class:`~kpi_formula.Target`)."""

    comparison: Comparison
    threshold: Quantity | dt.date | None = None
    upper: Quantity | None = None
    deadline: dt.date | None = None
    change: tuple[Quantity, Reference] | None = None
    label: str | None = None
    implied: bool = False
    year: int | None = None


PHRASES: tuple[tuple[str, Inequality], ...] = (
    ("maggiore o uguale", ">="),
    ("superiore o uguale", ">="),
    ("uguale o superiore", ">="),
    ("uguale o maggiore", ">="),
    ("pari o superiore", ">="),
    ("pari o maggiore", ">="),
    ("non inferiore", ">="),
    ("non minore", ">="),
    ("non meno", ">="),
    ("almeno pari", ">="),
    ("almeno", ">="),
    ("al minimo", ">="),
    ("minimo", ">="),
    ("minore o uguale", "<="),
    ("inferiore o uguale", "<="),
    ("uguale o inferiore", "<="),
    ("uguale o minore", "<="),
    ("pari o inferiore", "<="),
    ("pari o minore", "<="),
    ("non superiore", "<="),
    ("non maggiore", "<="),
    ("non oltre", "<="),
    ("non più", "<="),
    ("fino", "<="),
    ("al massimo", "<="),
    ("massimo", "<="),
    ("superiore", ">"),
    ("maggiore", ">"),
    ("oltre", ">"),
    ("più", ">"),
    ("inferiore", "<"),
    ("minore", "<"),
    ("meno", "<"),
    ("pari", "="),
    ("uguale", "="),
)
"""The comparisons in words, as the grammar's ``WORDS`` spells them (longer first
where one starts another), and what each means."""

_SYMBOLS: dict[str, Inequality] = {
    ">=": ">=",
    "=>": ">=",
    "≥": ">=",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}
_PIU = re.compile(r"pi(?:ù|u'?)(?![^\W\d_])")

COUNT_WORDS: frozenset[str] = frozenset(
    (
        "accessi", "accesso", "accordi", "accordo", "adesione", "adesioni", "associati",
        "associazione", "associazioni", "attestati", "attestato", "atti", "attività", "atto",
        "azienda", "aziende", "azione", "azioni", "bandi", "bando", "beneficiari", "beneficiario",
        "brevetti", "brevetto", "campagna", "campagne", "casi", "caso", "certificati",
        "certificato", "cittadini", "cittadino", "comune", "comuni", "comunicati", "comunicato",
        "contratti", "contratto", "contributi", "contributo", "controlli", "controllo", "convegni",
        "convegno", "convenzione", "convenzioni", "corsi", "corso", "dataset", "dipendente",
        "dipendenti", "documenti", "documento", "domanda", "domande", "edizione", "edizioni",
        "ente", "enti", "eventi", "evento", "fascicoli", "fascicolo", "giornata", "giornate",
        "impresa", "imprese", "incontri", "incontro", "indagine", "indagini", "iniziativa",
        "iniziative", "interventi", "intervento", "ispezione", "ispezioni", "istanza", "istanze",
        "laboratori", "laboratorio", "marchi", "marchio", "misura", "misure", "moduli", "modulo",
        "newsletter", "operatore", "operatori", "parere", "pareri", "partecipante", "partecipanti",
        "persona", "persone", "piani", "piano", "posti", "posto", "pratica", "pratiche",
        "procedimenti", "procedimento", "procedura", "procedure", "progetti", "progetto",
        "protocolli", "protocollo", "provvedimenti", "provvedimento", "pubblicazione",
        "pubblicazioni", "questionari", "questionario", "report", "richiesta", "richieste",
        "riunione", "riunioni", "scuola", "scuole", "seduta", "sedute", "segnalazione",
        "segnalazioni", "seminari", "seminario", "servizi", "servizio", "soggetti", "soggetto",
        "sopralluoghi", "sopralluogo", "sportelli", "sportello", "startup", "studente", "studenti",
        "uffici", "ufficio", "utente", "utenti", "verbale", "verbali", "verifica", "verifiche",
        "visita", "visite", "webinar",
    )
)
"""Words of what is counted: after a number without a unit they make it a count
(``450 comuni aderenti`` is 450 N.).  Other words are not taken for a count, since
they may be a unit (``12 kg``)."""

_MEANINGFUL = re.compile(
    r"(?<![^\W\d_])(?:"
    r"rispetto|ulteriori|entro|almeno|oltre|al massimo|al minimo|fino a\w*|"
    r"pi(?:ù|u'?) di\w*|meno di\w*|"
    r"non (?:oltre|superiore|inferiore|maggiore|minore|meno|pi(?:ù|u'?))|"
    r"(?:maggiore|minore|superiore|inferiore|uguale|pari) "
    r"(?:o (?:uguale|superiore|inferiore|maggiore|minore)|"
    r"a|al|alla|allo|all'|ai|agli|alle|ad|di|del|della|dello|dell'|dei|degli|delle)|"
    rf"{'|'.join(MONTHS)}"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_SIGNED = re.compile(
    r"(?<![^\W\d_])(?:"
    r"prima|dopo|(?:in |di )?anticipo|anticipat[oaie]|(?:in |di )?ritardo|ritardat[oaie]|"
    r"posticipat[oaie]|in meno|in pi(?:ù|u'?)|sotto|sopra"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
"""Words after an amount that would turn its sign or what it is measured from
(``30 gg prima della scadenza`` is -30 gg from the due date, ``5 N. in meno``
five fewer): refused like :data:`_MEANINGFUL`, with a hint on writing the sign."""
_ZERO = Decimal(0)
_ONE = Decimal(1)
_NO_CHANGE = Quantity(_ZERO, "%")
_DOWN = ("riduzione", "diminuzione", "calo", "decremento")
_FILLERS = frozenset(
    ("medio", "media", "complessivo", "complessiva", "annuo", "annua", "minimo", "minima")
)
_SEMESTER_ORDINALS = {"primo": 1, "1°": 1, "i": 1, "secondo": 2, "2°": 2, "ii": 2}
_QUARTER_ORDINALS = {
    **_SEMESTER_ORDINALS,
    "terzo": 3,
    "3°": 3,
    "iii": 3,
    "quarto": 4,
    "4°": 4,
    "iv": 4,
}

TARGET_HINT = msg(
    "the forms known: >= 1.100 N., <=35%, => 50,00 %, 25 (a bare number: at least, or at "
    "most where lower is better), almeno 1.100 pratiche evase, non oltre 30 gg, al massimo "
    "10, tra 70% e 90%, da 5 a 10 gg, SI, Realizzato, Entro il 31/12/2025, entro giugno "
    "2025, entro il primo semestre 2025, 100% entro il 31/12/2025, Anno 2026: <= 15 gg, "
    "Aumento del 20% rispetto alla baseline, Riduzione del 10% rispetto al 2023, +5% "
    "rispetto all'anno precedente, Mantenimento, >= valore anno precedente, ulteriori 3.000 "
    "imprese, n.d. (no target)"
)
_LONE_DASH = re.compile(r"[ \t\r\n]*+-[ \t\r\n]*+")


def read_cell(text: str, clean: str) -> tuple[Goal, ...]:
    """The targets of a cell, in order (none for ``n.d.`` or ``-``).

    ``clean`` is ``text`` after the hygiene policy (see
    :func:`kpi_formula.values.clean_text`); errors quote ``text``.
    """
    if _LONE_DASH.fullmatch(clean):
        return ()
    plain = read_plain_targets(clean)
    if plain is not None:
        return tuple(
            Goal(comparison or ">=", threshold, implied=comparison is None)
            for comparison, threshold in plain
        )
    return parse_with(
        text,
        "targets",
        clean=clean,
        error_type=TargetSyntaxError,
        build=_build,
        what=msg("target"),
        hint=TARGET_HINT,
    )


def comparison_of(text: str) -> Inequality:
    """What a comparison means: a symbol (``=>``) or words (``non superiore al``)."""
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    words = _PIU.sub("più", " ".join(text.lower().split()))
    for phrase, comparison in PHRASES:
        if words == phrase or words.startswith(phrase + " "):
            return comparison
    raise AssertionError(f"the grammar let through the comparison {text!r}")  # pragma: no cover


def _build(tree: Any) -> tuple[Goal, ...]:
    if tree.data == "no_target":
        return ()
    goals = []
    for item in tree.children:
        parts = [part for part in item.children if getattr(part, "type", None) != "STOP"]
        year = int(re.findall(r"[0-9]{4}", str(parts[0]))[0]) if len(parts) == 2 else None
        goals.append(_goal(parts[-1])._replace(year=year))
    return tuple(goals)


def _goal(goal: Any) -> Goal:
    kind, parts = goal.data, goal.children
    labels = _Labels()
    if kind == "compare":
        quantity = _described(build_quantity(parts[1]), labels.take(parts[2:]))
        return Goal(
            comparison_of(str(parts[0])),
            quantity,
            deadline=_deadline_of(parts),
            label=labels.text(),
        )
    if kind == "bare":
        quantity = _described(build_quantity(parts[0]), labels.take(parts[1:]))
        return Goal(
            ">=", quantity, deadline=_deadline_of(parts), label=labels.text(), implied=True
        )
    if kind == "within":  # entro 30 gg: at most
        quantity = _described(build_quantity(parts[1]), labels.take(parts[2:]))
        return Goal("<=", quantity, label=labels.text())
    if kind == "dated":  # a date alone: by that date
        labels.take(parts[1:])
        return Goal("entro", build_date(parts[0]), label=labels.text())
    if kind == "deadline":
        labels.take(parts[2:])
        _check_year_not_amount(parts[1], labels)
        return Goal("entro", _period_end(parts[1]), label=labels.text())
    if kind in ("yes", "no"):
        labels.take(parts[1:])
        answer = Quantity(_ONE if kind == "yes" else _ZERO, YES_NO)
        return Goal("=", answer, deadline=_deadline_of(parts), label=labels.text())
    if kind == "range":
        return _range(parts, labels)
    if kind == "compare_reference":
        labels.take(parts[2:])
        change = (_NO_CHANGE, _reference(parts[1]))
        return Goal(comparison_of(str(parts[0])), change=change, label=labels.text())
    if kind == "maintain":
        references = [part for part in parts[1:] if _is_token(part, "REFERENCE", "OF_REFERENCE")]
        reference = _reference(references[0]) if references else "baseline"
        labels.take(parts[1:])
        return Goal(">=", change=(_NO_CHANGE, reference), label=labels.text(), implied=True)
    if kind == "further":  # (Adesione di) ulteriori 3.000 imprese: more than the year before
        lead = str(parts[0]).split()[:-1]
        if lead:
            labels.pieces.append(" ".join(lead))
        amount = _described(build_quantity(parts[1]), labels.take(parts[2:]))
        return Goal(">=", change=(amount, "previous"), label=labels.text())
    return _change(kind, parts, labels)


def _change(kind: str, parts: list[Any], labels: _Labels) -> Goal:
    """``Aumento del 20% rispetto alla baseline`` (change) or ``+5% rispetto al
    2024`` (signed_change), with words around the reference."""
    if kind == "change":
        words = str(parts[0]).lower().split()
        down = words[0] in _DOWN
        fillers = [word for word in str(parts[0]).split()[1:] if word.lower() in _FILLERS]
        if fillers:
            labels.pieces.append(" ".join(fillers))
        rest = parts[1:]
    else:
        signs = [token for token in _leaves(parts[0]) if token.type == "SIGN"]
        if not signs:
            raise _ReadError(
                msg("a change relative to a reference needs its direction"),
                parts[0].children[0].children[0].start_pos or 0,
                msg("write +5% rispetto al 2024, or Aumento del 5% rispetto al 2024"),
            )
        down = str(signs[0]) == "-"
        rest = [_unsigned(parts[0]), *parts[1:]]
    reference = next(part for part in rest if _is_token(part, "REFERENCE"))
    if kind == "change":
        _check_share_has_unit(str(parts[0]), rest[0])
    amount = _described(build_quantity(rest[0]), labels.take(rest[1:]))
    if down:
        amount = Quantity(amount.amount.copy_negate(), amount.unit, amount.note)
    if amount.unit == YES_NO:  # pragma: no cover - the grammar has no yes/no amounts
        raise AssertionError("a yes/no change")
    comparison: Inequality = "<=" if down else ">="
    return Goal(comparison, change=(amount, _reference(reference)), label=labels.text())


_OF_SHARE = ("del", "dello", "della", "dell'", "al")
"""The words before a share in a change (``Aumento del 20%``, ``pari al 20%``);
``di``/``pari a`` go before an amount (``Aumento di 100 N.``)."""


def _check_share_has_unit(change: str, amount: Any) -> None:
    """``Aumento del 10 rispetto al 2023``: ``del`` goes before a share, and the
    ``%`` is missing — 10 % or 10 units?  Refused rather than read as either.  An
    amount with a unit or a scale (``del 5 mln``) says what it is."""
    words = change.lower().split()
    if len(words) < 2 or words[-1] not in _OF_SHARE:
        return
    tokens = [token for token in _leaves(amount) if token.type != "NOTE"]
    if any(token.type in ("UNIT", "SCALE") for token in tokens):
        return
    number = "".join(str(token) for token in tokens)
    share = " ".join(words[-2:] if words[-2] == "pari" else words[-1:])
    written = " ".join([*change.split(), number])
    raise _ReadError(
        msg(
            "is {change!r} a change of {number} % or of {number} units? {share} goes "
            "before a percentage, and the % is missing",
            change=written,
            number=number,
            share=share,
        ),
        _first_position(amount),
        msg(
            "write {share} {number}% for a change in percent, or di {number} N. (or €, gg) "
            "for a change of an amount",
            share=share,
            number=number,
        ),
    )


class _Labels:
    """The words of what is counted, gathered from the places a target allows them."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.first: str | None = None  # the first unquoted words

    def take(self, parts: list[Any]) -> tuple[str, Any] | None:
        """Gather the labels among ``parts`` (tokens and ``after`` trees); return the
        first one's words and token, for the count rule."""
        found: tuple[str, Any] | None = None
        for part in parts:
            for token in _leaves(part) if hasattr(part, "children") else [part]:
                if token.type not in ("LABEL", "QUOTED"):
                    continue
                words = _label_words(token)
                if not words:
                    continue
                self.pieces.append(words)
                if found is None:
                    found = (words, token)
                if token.type == "LABEL" and self.first is None:
                    self.first = words
        return found

    def text(self) -> str | None:
        return " … ".join(self.pieces) if self.pieces else None


def _label_words(token: Any) -> str:
    text = str(token)
    if token.type == "QUOTED":
        return " ".join(text[1:-1].split())
    words = " ".join(text.split())
    found = _MEANINGFUL.search(words)
    signed = _SIGNED.search(words)
    if signed is not None and (found is None or signed.start() < found.start()):
        position = (token.start_pos or 0) + _position_in(text, signed.start())
        raise _ReadError(
            msg(
                "the words {words} would change the sign of the amount or what it is "
                "measured from, and are not read as a description",
                words=repr(signed.group()),
            ),
            position,
            msg(
                "write the amount with its sign against the due date or the reference: "
                "<= -30 gg for at least 30 days before the due date, <= 30 gg for at most 30 "
                "days after it, +5 N. rispetto all'anno precedente for 5 more; quote words "
                'meant only as a description (>= 90 % "pratiche evase prima della scadenza")'
            ),
        )
    if found is not None:
        position = (token.start_pos or 0) + _position_in(text, found.start())
        raise _ReadError(
            msg(
                "the words {words} would change what the target means, and are not "
                "read as a description",
                words=repr(found.group()),
            ),
            position,
            msg(
                'write the comparison, the amount and its unit, then what is counted '
                '("Almeno 1.100 pratiche evase"); quote words meant only as a description '
                '(>= 5 N. "pratiche oltre soglia"); for one target a year, write the year in '
                "front of each (2025: almeno 50 %  2026: almeno 60 %)"
            ),
        )
    return words


def _position_in(text: str, collapsed: int) -> int:
    """The position in ``text`` of the character at ``collapsed`` in its
    whitespace-collapsed form."""
    seen = 0
    previous_space = True
    for position, char in enumerate(text):
        space = char.isspace()
        if space and previous_space:
            continue
        if seen == collapsed:
            return position
        seen += 1
        previous_space = space
    return len(text)


def _described(quantity: Quantity, label: tuple[str, Any] | None) -> Quantity:
    """``quantity`` followed by the words of ``label``: a number without a unit
    followed by a word of what is counted is a count (``N.``); followed by another
    word, an error (it may be a unit this library does not know).  Quoted words
    are a description only."""
    if quantity.unit is not None or label is None or label[1].type == "QUOTED":
        return quantity
    words, token = label
    first = words.split()[0]
    if first.lower().rstrip("'") in COUNT_WORDS:
        return Quantity(quantity.amount, "N.", quantity.note)
    raise _ReadError(
        msg("{word} is not a unit, nor a word of what is counted", word=repr(first)),
        token.start_pos or 0,
        msg(
            "write the unit after the number (€, %, ‰, N., gg): 5 N. {words} for a count; "
            'or quote the words of a description: 5 "{words}"',
            words=words,
        ),
    )


def _deadline_of(parts: list[Any]) -> dt.date | None:
    for part in parts:
        if getattr(part, "data", None) == "by_deadline":
            return _period_end(part.children[1])
    return None


def _period_end(token: Any) -> dt.date:
    """The last day of the period a deadline names (a date is its own)."""
    text = " ".join(str(token).lower().split())
    if token.type in ("DATE", "DATE_WORDS"):
        return build_date(token)
    year = int(text[-4:])
    if token.type == "YEAR":
        return dt.date(year, 12, 31)
    if token.type == "MONTH_YEAR":
        month = MONTHS[text.split()[0]]
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    ordinal, period = text.split()[:2]
    parts = 2 if period == "semestre" else 4
    number = (_SEMESTER_ORDINALS if parts == 2 else _QUARTER_ORDINALS).get(ordinal)
    if number is None:
        raise _ReadError(
            msg("a year has no {ordinal} {period}", ordinal=ordinal, period=period),
            token.start_pos or 0,
            msg("write primo or secondo semestre, or primo to quarto trimestre"),
        )
    month = number * 12 // parts
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _check_year_not_amount(token: Any, labels: _Labels) -> None:
    """``entro 2000 pratiche``: a year, or an amount of pratiche?  Refused."""
    if token.type != "YEAR" or labels.first is None:
        return
    first = labels.first.split()[0].lower()
    if first in COUNT_WORDS:
        raise _ReadError(
            msg(
                "is {number} a year, or an amount of {words}?",
                number=str(token),
                words=first,
            ),
            token.start_pos or 0,
            msg(
                "write a deadline as entro il 31/12/{number}, or an amount with its unit: "
                "entro {number} N. {words}",
                number=str(token),
                words=first,
            ),
        )


def _range(parts: list[Any], labels: _Labels) -> Goal:
    """``tra 70% e 90%``, ``da 5 a 10 gg``, ``70% - 90%``: one unit for both bounds."""
    bounds = [part for part in parts if getattr(part, "data", None) == "quantity"]
    units = {token.type for bound in bounds for token in _leaves(bound)} & {"UNIT"}
    low, high = (build_quantity(bound) for bound in bounds)
    words = labels.take(parts)
    if units:
        if low.unit is not None and high.unit is not None and low.unit != high.unit:
            raise _ReadError(
                msg(
                    "a range's bounds are in {low} and {high}",
                    low=low.unit,
                    high=high.unit,
                ),
                _first_position(bounds[1]),
                msg("write both bounds in one unit: tra 70% e 90%"),
            )
        shared: Unit | None = low.unit or high.unit
        low, high = build_quantity(bounds[0], shared), build_quantity(bounds[1], shared)
    low, high = _described(low, words), _described(high, words)
    if low.amount > high.amount:
        raise _ReadError(
            msg("a range goes from its lower bound to its upper one"),
            _first_position(bounds[0]),
            msg("write the lower bound first: tra 70% e 90%"),
        )
    return Goal("tra", low, upper=high, label=labels.text())


def _first_position(tree: Any) -> int:
    for token in _leaves(tree):
        return token.start_pos or 0
    return 0  # pragma: no cover - a quantity has tokens


def _reference(token: Any) -> Reference:
    text = " ".join(str(token).lower().split())
    if "baseline" in text:
        return "baseline"
    if "precedente" in text:
        return "previous"
    return int(re.findall(r"[0-9]{4}", text)[-1])


def _unsigned(quantity: Any) -> Any:
    """The ``amount`` tree of a signed ``quantity`` tree."""
    return next(part for part in quantity.children if getattr(part, "data", None) == "amount")


def _leaves(tree: Any) -> list[Any]:
    found: list[Any] = []
    for part in tree.children:
        if hasattr(part, "children"):
            found.extend(_leaves(part))
        else:
            found.append(part)
    return found


def _is_token(part: Any, *types: str) -> bool:
    return getattr(part, "type", None) in types
