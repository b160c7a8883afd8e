"""Lint: formulas that parse, but may not say what their writer meant.

A formula that reads is not always a formula that is right.  :func:`lint`
points at the traps of indicator algorithms as public bodies write them:

* ``precedence`` — a division (or a product of two drivers) between terms of
  a ``+``/``-`` chain without parentheses: ``Titolo I + Titolo III / Titolo I
  + Titolo II + Titolo III`` reads as I + (III / I) + II + III, where the
  document meant a ratio of two sums;
* ``multiplication`` — a code holding a lone ``x`` between words (``peso x
  totale``): one name, where the writer meant a product (`` per `` is not
  flagged: in Italian names it means "for");
* ``name`` — a hyphen or slash glued between letters beside a name of several
  words (``corsi e-learning + webinar AGID-CRUI``, ``Numero corsi su
  Comunica/Suap/Bilanci``): subtractions and divisions to the parser, probably
  part of a name to the writer, who can quote it (``"corsi e-learning"``);
* ``percent-scale`` — a top-level ``* 100``: the value is in percentage
  points (94,70 means 94,70 %), not a fraction;
* ``number-driver`` — a whole number of 20 or more dividing the formula that
  could be a driver's code (the seed's ``D2.1_MIMIT.1 * 1000 / 50``, where
  ``50`` is the number of registered firms); powers of ten (scales) and calendar
  numbers (24, 52, 60, 360, 365, 366) are not flagged;
* ``thousands`` — ``1.000`` in a formula is one: the dot is a decimal point
  there;
* ``prior-year`` — a code glued to a minus and a number of more than
  :data:`FAR_BACK` years (``TOTALE-50``): that many years back to the parser,
  probably a subtraction to the writer (``TOTALE - 50``); the spellings
  ``TOTALE[-50]`` and ``TOTALE.anno-50`` say the years were meant and are not flagged.

>>> import kpi_formula as kf
>>> [w.kind for w in kf.lint("Titolo I + Titolo III / Titolo I + Titolo II")]
['precedence']
>>> warning = kf.lint("A / B * 100")[0]
>>> warning.kind, warning.column, warning.message[:48]
('percent-scale', 9, 'the value is in percentage points (× 100): 94,7 ')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias

from .ast import BinOp, Neg, Node, Number, Ref, walk
from .errors import clip, msg
from .formula import Formula, parse
from .patterns import lazy
from .printer import to_text

__all__ = ["FAR_BACK", "LintKind", "LintWarning", "lint", "scales_by", "scales_by_hundred"]

LintKind: TypeAlias = Literal[
    "precedence",
    "multiplication",
    "name",
    "percent-scale",
    "number-driver",
    "thousands",
    "prior-year",
]

FAR_BACK = 10
"""The most years back a glued prior-year reference (``A-10``) goes unflagged."""
_GLUED_YEARS = lazy(r"-([0-9]+)\Z")

_THOUSANDS = lazy(r"[1-9][0-9]{0,2}\.[0-9]{3}")
_WHOLE_READING = 200  # a formula up to this long is quoted whole in a message
_EXCERPT = 60  # of a longer one, this much of the part a message is about
_NAME_WORDS = 4
_HUNDRED = Decimal(100)
_SMALLEST_DRIVER = 20  # halves, thirds and months (/ 2, / 3, / 12) are arithmetic
_CALENDAR = frozenset(Decimal(days) for days in (24, 52, 60, 360, 365, 366))


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One warning: its ``kind``, a ``message`` saying what to do, and the
    1-based ``column`` in the formula's text where it points."""

    kind: LintKind
    message: str
    column: int

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "message": self.message, "column": self.column}


def lint(formula: Formula | str) -> list[LintWarning]:
    """The warnings for ``formula`` (or formula text), in the order of their columns.

    A formula built from a tree is linted as its canonical text reads.  Work and
    messages grow linearly with the text: a message quotes at most an excerpt of it.
    """
    if isinstance(formula, Formula):
        text = formula.source if formula.source is not None else str(formula)
        formula = parse(text) if formula.source is None else formula
    else:
        text = formula
        formula = parse(text)
    root = formula.root
    source = _Source(text)
    warnings = [
        *_precedence(root, source),
        *_multiplication(root, text),
        *_glued_names(root, text),
        *_percent_scale(root),
        *_numbers(root),
        *_far_back(root, text),
    ]
    return sorted(warnings, key=lambda warning: (warning.column, warning.kind))


class _Source:
    """The formula's text, with where the blanks around each position end: whether a
    node stands in parentheses is then found in constant time."""

    __slots__ = ("after", "before", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        length = len(text)
        # before[i]: the last non-blank character before i (-1: none); after[i]: the first
        # at or after i (length: none)
        self.before = before = [-1] * (length + 1)
        for index in range(length):
            before[index + 1] = before[index] if text[index].isspace() else index
        self.after = after = [length] * (length + 1)
        for index in range(length - 1, -1, -1):
            after[index] = after[index + 1] if text[index].isspace() else index

    def parenthesised(self, node: Node) -> bool:
        if node.span is None:
            return False
        text = self.text
        opening, closing = self.before[node.span.start], self.after[node.span.end]
        before = opening >= 0 and text[opening] == "("
        return before and closing < len(text) and text[closing] == ")"


def _start(node: Node) -> int:
    return node.span.start if node.span is not None else 0


def _operator_column(node: BinOp, text: str) -> int:
    if node.left.span is None:
        return 1
    found = text.find(node.op, node.left.span.end)
    return (found if found >= 0 else node.left.span.end) + 1


def _suspect(node: Node) -> bool:
    """A division, or a product of two drivers: what a +/- chain should not hide."""
    if not isinstance(node, BinOp):
        return False
    if node.op == "/":
        return True
    return node.op == "*" and isinstance(node.left, Ref) and isinstance(node.right, Ref)


def _with_parentheses(node: Node, wrapped: Node) -> str:
    if node is wrapped:
        return f"({to_text(node)})"
    if isinstance(node, BinOp):
        left = _with_parentheses(node.left, wrapped)
        right = _with_parentheses(node.right, wrapped)
        inner_left, inner_right = node.left, node.right
        if (
            isinstance(inner_left, BinOp)
            and inner_left is not wrapped
            and node.op in "*/"
            and inner_left.op in "+-"
        ):
            left = f"({left})"
        if (
            isinstance(inner_right, BinOp)
            and inner_right is not wrapped
            and (inner_right.op in "+-" or (node.op in "*/" and inner_right.op in "*/"))
        ):
            right = f"({right})"
        return f"{left} {node.op} {right}"
    if isinstance(node, Neg):
        return f"-({_with_parentheses(node.operand, wrapped)})"
    return to_text(node)


def _reading(root: Node, operand: BinOp, text: str) -> str:
    """How the formula reads, with the hidden division in parentheses: the whole of a
    short formula; of a long one, the operand's own text in parentheses, cut short,
    so that a message is bounded however long the formula is."""
    if len(text) <= _WHOLE_READING:
        return _with_parentheses(root, operand)
    assert operand.span is not None
    own = text[operand.span.start : min(operand.span.end, operand.span.start + _EXCERPT)]
    cut = "…" if operand.span.end - operand.span.start > _EXCERPT else ""
    return f"… ({' '.join(own.split())}{cut}) …"


def _precedence(root: Node, source: _Source) -> list[LintWarning]:
    warnings = []
    for node in walk(root):
        if not (isinstance(node, BinOp) and node.op in "+-"):
            continue
        for operand in (node.left, node.right):
            if _suspect(operand) and not source.parenthesised(operand):
                assert isinstance(operand, BinOp)
                warnings.append(
                    LintWarning(
                        "precedence",
                        msg(
                            "'{op}' binds tighter than '{outer}': this reads as {reading}; if "
                            "a ratio of sums was meant, put parentheses around each sum",
                            op=operand.op,
                            outer=node.op,
                            reading=_reading(root, operand, source.text),
                        ),
                        _operator_column(operand, source.text),
                    )
                )
    return warnings


def _words(words: list[str], *, last: bool) -> str:
    """Some words of a name: all of a short one; of a long one, those nearest the cut."""
    if len(words) <= _NAME_WORDS:
        return " ".join(words)
    kept = words[-_NAME_WORDS:] if last else words[:_NAME_WORDS]
    return f"… {' '.join(kept)}" if last else f"{' '.join(kept)} …"


def _multiplication(root: Node, text: str) -> list[LintWarning]:
    warnings = []
    for node in walk(root):
        if not isinstance(node, Ref) or node.span is None or text[node.span.start] == '"':
            continue
        words = node.code.split(" ")
        offset = 0
        for index, word in enumerate(words):
            if word in ("x", "X") and 0 < index < len(words) - 1:
                before = _words(words[:index], last=True)
                after = _words(words[index + 1 :], last=False)
                product = f"{before} * {after}"
                warnings.append(
                    LintWarning(
                        "multiplication",
                        msg(
                            "{name} is read as one name; if a product was meant, write "
                            "{product}",
                            name=repr(clip(node.code, _EXCERPT)),
                            product=product,
                        ),
                        node.span.start + offset + 1,
                    )
                )
            offset += len(word) + 1
    return warnings


def _glued_names(root: Node, text: str) -> list[LintWarning]:
    """Hyphens and slashes glued between the letters of names (``corsi e-learning``,
    ``webinar AGID-CRUI``, ``Comunica/Suap``): operators to the parser, probably part
    of a name to the writer, where a name of several words stands beside them."""
    leaves = sorted(
        (node for node in walk(root) if isinstance(node, Ref) and node.span is not None),
        key=_start,
    )
    chains: list[list[Ref]] = []
    for leaf in leaves:
        previous = chains[-1][-1] if chains else None
        if previous is not None and _glued(previous, leaf, text):
            chains[-1].append(leaf)
        else:
            chains.append([leaf])
    named = [
        chain for chain in chains if len(chain) > 1 and any(" " in ref.code for ref in chain)
    ]
    if not named:
        return []
    fixed = _quoted(text, named)
    warnings = []
    for chain in named:
        first, last = chain[0].span, chain[-1].span
        assert first is not None and last is not None
        written = text[first.start : last.end]
        warnings.append(
            LintWarning(
                "name",
                msg(
                    "{name} is read as {reading}: a hyphen or slash between letters is "
                    "probably part of a name; if so, put the name in double quotes: {fixed}",
                    name=repr(clip(written, _EXCERPT)),
                    reading=clip(" ".join(_glued_reading(chain, text)), _EXCERPT),
                    fixed=clip(fixed, _WHOLE_READING),
                ),
                first.start + 1,
            )
        )
    return warnings


def _glued(left: Ref, right: Ref, text: str) -> bool:
    """Whether two references are joined by a hyphen or slash with letters on both
    sides and no blank: ``e-learning``, ``Comunica/Suap``."""
    assert left.span is not None and right.span is not None
    end, start = left.span.end, right.span.start
    return (
        start == end + 1
        and text[end] in "-/"
        and text[end - 1].isalpha()
        and text[start].isalpha()
        and text[left.span.start] != '"'
    )


def _glued_reading(chain: list[Ref], text: str) -> list[str]:
    parts: list[str] = []
    for ref in chain:
        assert ref.span is not None
        if parts:
            parts.append(text[ref.span.start - 1])
        parts.append(ref.code)
    return parts


def _quoted(text: str, chains: list[list[Ref]]) -> str:
    """The formula with each glued name in double quotes."""
    pieces = []
    position = 0
    for chain in chains:
        first, last = chain[0].span, chain[-1].span
        assert first is not None and last is not None
        pieces += [text[position : first.start], '"', text[first.start : last.end], '"']
        position = last.end
    pieces.append(text[position:])
    return "".join(pieces)


def _factors(node: Node) -> list[Node]:
    """The factors of the top-level product chain (divisors excluded)."""
    if isinstance(node, BinOp) and node.op == "*":
        return [*_factors(node.left), *_factors(node.right)]
    if isinstance(node, BinOp) and node.op == "/":
        return _factors(node.left)
    return [node]


def scales_by_hundred(formula: Formula) -> bool:
    """True when the formula's top-level product multiplies by 100 (percentage points)."""
    return scales_by(formula, _HUNDRED)


def scales_by(formula: Formula, factor: Decimal) -> bool:
    """True when the formula's top-level product multiplies by ``factor`` (100 for
    percentage points, 1000 for per-mille points)."""
    root = formula.root
    return (
        isinstance(root, BinOp)
        and root.op in "*/"
        and any(isinstance(f, Number) and f.value == factor for f in _factors(root))
    )


def _percent_scale(root: Node) -> list[LintWarning]:
    if not (isinstance(root, BinOp) and root.op in "*/"):
        return []
    return [
        LintWarning(
            "percent-scale",
            msg(
                "the value is in percentage points (× 100): 94,7 means 94,7 %, not 9.470 %; "
                "judge it against a target in % knowing that, or drop * 100 to get a fraction"
            ),
            _start(factor) + 1,
        )
        for factor in _factors(root)
        if isinstance(factor, Number) and factor.value == _HUNDRED
    ]


def _is_power_of_ten(text: str) -> bool:
    """Whether a whole number's digits are a one and zeros (read from its text, which
    needs no decimal context, however many digits it has)."""
    return text.lstrip("0").rstrip("0") == "1"


def _numbers(root: Node) -> list[LintWarning]:
    divisors = {
        id(node.right) for node in walk(root) if isinstance(node, BinOp) and node.op == "/"
    }
    warnings = []
    for node in walk(root):
        if not isinstance(node, Number):
            continue
        column = _start(node) + 1
        if _THOUSANDS().fullmatch(node.text):
            whole = node.text.replace(".", "")
            warnings.append(
                LintWarning(
                    "thousands",
                    msg(
                        "{text} is {value} in a formula: the dot is a decimal point here; for "
                        "{grouped} write {whole}",
                        text=node.text,
                        value=node.text.rstrip("0").rstrip("."),
                        grouped=format(int(whole), ",").replace(",", "."),
                        whole=whole,
                    ),
                    column,
                )
            )
        elif (
            id(node) in divisors
            and "." not in node.text
            and node.value >= _SMALLEST_DRIVER
            and node.value not in _CALENDAR
            and not _is_power_of_ten(node.text)
        ):
            shown = clip(node.text)
            warnings.append(
                LintWarning(
                    "number-driver",
                    msg(
                        "{text} is read as a number; if it stands for a driver (a count of "
                        'firms, a population), write it in quotes ("{text}") or declare it in '
                        "the catalog",
                        text=shown,
                    ),
                    column,
                )
            )
    return warnings


def _far_back(root: Node, text: str) -> list[LintWarning]:
    """Codes glued to a minus and more than :data:`FAR_BACK` years (``TOTALE-50``):
    read as that many years back, where a subtraction was probably meant."""
    warnings = []
    for node in walk(root):
        if not isinstance(node, Ref) or node.offset >= -FAR_BACK or node.span is None:
            continue
        written = text[node.span.start : node.span.end]
        found = _GLUED_YEARS().search(written)
        if found is None or written[: found.start()].lower().endswith(".anno"):
            continue  # CODE[-50] and CODE.anno-50 say that the years were meant
        dash = node.span.start + found.start()
        years = found[1]
        shown = clip(written, _EXCERPT)
        warnings.append(
            LintWarning(
                "prior-year",
                msg(
                    "{written} is read as {code} {years} years back; for a subtraction put "
                    "spaces around the minus: {subtraction}; if the years are meant, write "
                    "{explicit}",
                    written=repr(shown),
                    code=clip(node.code, _EXCERPT),
                    years=years,
                    subtraction=clip(f"{text[node.span.start : dash]} - {years}", _EXCERPT),
                    explicit=clip(f"{text[node.span.start : dash]}[-{years}]", _EXCERPT),
                ),
                dash + 1,
            )
        )
    return warnings
