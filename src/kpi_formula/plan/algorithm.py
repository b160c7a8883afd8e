"""Splitting an *Algoritmo* cell into its description and its formula.

Planning reports write an indicator's algorithm as words followed by the
formula in driver codes, in one cell::

    Valore esportazioni Driver_Export
    N. imprese iscritte al RASL*10 / Imprese iscritte ... di Modena D4.2_1 / 50
    ... al 31/12 dell'anno N (comprese unità locali) S4 / N ImprAtt_UULL_Tot

The formula is the longest tail of the cell that parses and whose operands
look like driver codes: a word with a letter and a digit, an ``_``, an inner
``.`` or an inner capital (``RitPagamenti``); capitals alone (``PIAO``) are
prose.  A lone capital may join the next word into one code
(``N ImprAtt``), but never starts a formula (``dell'anno N C1.1.1_C`` is
``C1.1.1_C``).  When no tail qualifies, a cell that ends with the indicator's
own code (``71.Controlli Servizi`` → ``Controlli Servizi``) has that code as
its formula; a lone number is a formula only when it is the indicator's own
code (``401.50``).  Cells with no formula describe milestones or inputs.
The formula is sought among the last :data:`MAX_FORMULA_WORDS` words of a cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ast import Ref, walk
from ..errors import FormulaSyntaxError
from ..formula import Formula, parse

__all__ = ["MAX_FORMULA_WORDS", "SplitAlgorithm", "looks_like_code", "split_algorithm"]

MAX_FORMULA_WORDS = 60
"""The formula is sought among the last this many words of a cell."""

_CHUNK = re.compile(r"\S+")
_PIECE = re.compile(r"[()]|[+*/]|-(?![0-9])|[^\s()+*/-]+(?:-[0-9]+)?")
_WORD = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_GLUED_YEAR = re.compile(r"-[0-9]+\Z")


@dataclass(frozen=True, slots=True)
class SplitAlgorithm:
    """An *Algoritmo* cell split in two; ``formula`` is None for milestones and inputs."""

    description: str
    formula: str | None


def looks_like_code(word: str) -> bool:
    """Whether a word has the shape of a driver code rather than of prose."""
    if not _WORD.fullmatch(word) or not re.search(r"[A-Za-z_]", word):
        return False
    core = word.rstrip(".")
    return bool(re.search(r"[0-9_]", core) or "." in core or re.search(r"[a-z][A-Z]", core))


def _lone_capital(word: str) -> bool:
    return re.fullmatch(r"[A-Z]", word) is not None


def _chunk_fits(chunk: str) -> bool:
    """Whether a whitespace-separated chunk could belong to a formula."""
    pieces = _PIECE.findall(chunk)
    if "".join(pieces) != chunk:
        return False
    for piece in pieces:
        if piece in "()+-*/":
            continue
        word = _GLUED_YEAR.sub("", piece)
        if not (_NUMBER.fullmatch(word) or looks_like_code(word) or _lone_capital(word)):
            return False
    return True


def _acceptable(formula: Formula, first_chunk: str) -> bool:
    first_word = first_chunk.lstrip("(")
    if _lone_capital(_GLUED_YEAR.sub("", first_word.rstrip(")"))):
        return False
    has_reference = False
    for node in walk(formula.root):
        if isinstance(node, Ref):
            has_reference = True
            *joined, last = node.code.split(" ")
            if _lone_capital(last) or not all(_lone_capital(word) for word in joined):
                return False
    return has_reference


def _parses(text: str) -> Formula | None:
    try:
        return parse(text)
    except FormulaSyntaxError:
        return None


def split_algorithm(cell: str, indicator_code: str = "") -> SplitAlgorithm:
    """Split an *Algoritmo* cell; see the module documentation for the rule."""
    text = " ".join(cell.split())
    chunks = list(_CHUNK.finditer(text))
    first = len(chunks)
    oldest = max(0, len(chunks) - MAX_FORMULA_WORDS)
    while first > oldest and _chunk_fits(chunks[first - 1].group()):
        first -= 1
    for index in range(first, len(chunks)):
        start = chunks[index].start()
        formula = _parses(text[start:])
        if formula is not None and _acceptable(formula, chunks[index].group()):
            return SplitAlgorithm(text[:start].rstrip(), text[start:])
    for candidate in _own_code_spellings(indicator_code):
        if text == candidate or text.endswith(" " + candidate):
            formula = _parses(candidate)
            if formula is not None:
                return SplitAlgorithm(text[: len(text) - len(candidate)].rstrip(), candidate)
    return SplitAlgorithm(text, None)


def _own_code_spellings(code: str) -> list[str]:
    code = code.strip()
    if not code:
        return []
    spellings = [code]
    prefix, dot, rest = code.partition(".")
    if dot and prefix.isdigit() and rest:
        spellings.append(rest)
    return spellings
