"""Binding a formula's references to a catalog.

The parser knows only the text: ``50`` is a number, ``D1.1.0`` a code.  The
resolver knows the catalog, and rewrites the tree accordingly:

* a numeric-looking token whose exact text the catalog declares becomes that
  driver (the seed's ``D2.1_MIMIT.1 * 1000 / 50`` divides by the driver
  ``50``, the number of registered firms), and a note says so;
* an alias becomes the driver's code;
* a code the catalog does not declare is an
  :class:`~kpi_formula.UnknownDriverError` (with close matches) when the
  catalog is strict, and is left as it is otherwise.

References whose entry is an indicator (``kind="indicator"``) are listed in
:attr:`Resolution.indicators`: a plan evaluates those itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ast import Node, Number, Ref, map_leaves, walk
from .errors import UnknownDriverError
from .formula import Formula

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["Resolution", "resolve"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """A formula bound to a catalog."""

    formula: Formula
    """The rewritten formula."""
    notes: tuple[str, ...]
    """What the resolver did that a reader would not guess."""
    unknown: frozenset[str]
    """Codes the catalog does not declare (empty when it is strict)."""
    indicators: frozenset[Ref]
    """References to indicators rather than drivers."""


def resolve(formula: Formula, catalog: Catalog) -> Resolution:
    """Bind ``formula`` to ``catalog``; see the module documentation."""
    notes: list[str] = []
    unknown: set[str] = set()
    indicators: set[Ref] = set()

    def visit(node: Number | Ref) -> Node:
        if isinstance(node, Number):
            entry = catalog.get(node.text)
            if entry is None:
                return node
            described = f" ({entry.description})" if entry.description else ""
            note = f"{node.text} is read as the driver {entry.code!r}{described}, not as a number"
            if note not in notes:
                notes.append(note)
            ref = Ref(entry.code, 0, span=node.span)
            if entry.kind == "indicator":
                indicators.add(ref)
            return ref
        entry = catalog.get(node.code)
        if entry is None:
            if catalog.strict:
                raise UnknownDriverError(
                    node.code,
                    suggestions=catalog.suggest(node.code),
                    position=None if node.span is None else node.span.start,
                )
            unknown.add(node.code)
            return node
        if entry.code != node.code:
            note = f"{node.code!r} is an alias of {entry.code!r}"
            if note not in notes:
                notes.append(note)
            node = Ref(entry.code, node.offset, span=node.span)
        if entry.kind == "indicator":
            indicators.add(node)
        return node

    leaves = [node for node in walk(formula.root) if isinstance(node, Number | Ref)]
    if all(visit(leaf) is leaf for leaf in leaves):  # nothing to rewrite: keep the formula
        return Resolution(formula, tuple(notes), frozenset(unknown), frozenset(indicators))
    notes.clear()
    unknown.clear()
    indicators.clear()
    root = map_leaves(formula.root, visit)
    return Resolution(
        Formula(root, formula.source), tuple(notes), frozenset(unknown), frozenset(indicators)
    )
