"""The :class:`Formula` — a parsed indicator algorithm.

>>> import kpi_formula as kf
>>> f = kf.parse("(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1")
>>> sorted(f.references)
[Ref(code='82.A3.1_INSTAGRAM', offset=-1), Ref(code='82.A3.1_INSTAGRAM', offset=0)]
>>> kf.parse(str(f)) == f
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .ast import BinOp, Neg, Node, Number, Ref, references_in, walk
from .errors import FormulaSyntaxError, LimitExceededError, clip, msg
from .fieldtypes import TextField
from .parser import MAX_DEPTH, parse_node
from .printer import to_text
from .text import require_text

if TYPE_CHECKING:
    from .catalog import Catalog
    from .evaluator import CompiledFormula, MissingPolicy, Result, ZeroDivisionPolicy

__all__ = ["Formula", "parse"]



@dataclass(frozen=True, slots=True)
class Formula(TextField):
    """An immutable, hashable formula.

    ``str(f)`` is the canonical text; equality compares the structure, not the
    spelling (``A-1`` and ``A[-1]`` are the same formula).
    """

    root: Node
    source: str | None = field(default=None, compare=False)
    _references: frozenset[Ref] | None = field(init=False, compare=False, repr=False)
    _drivers: frozenset[str] | None = field(init=False, compare=False, repr=False)
    _hash: int | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        root = self.root
        if not isinstance(root, (Number, Ref, Neg, BinOp)):
            raise FormulaSyntaxError(
                msg("a formula's root is a node, not {kind}", kind=type(root).__name__),
                text=clip(repr(root), 80),
                position=0,
                hint=msg("build trees of Number, Ref, Neg and BinOp, or parse text"),
            )
        if root.depth > MAX_DEPTH:  # the parser refuses these first, with their position
            raise LimitExceededError(
                msg(
                    "the tree is {depth} operators deep, more than the limit of {limit}",
                    depth=root.depth,
                    limit=MAX_DEPTH,
                ),
                text="<tree>",
                position=0,
                hint=msg("split it into indicators that refer to each other"),
            )
        # the references, the codes and the hash are worked out when first asked: a
        # plan's thousands of formulas are read through their trees, and never keys
        object.__setattr__(self, "_references", None)
        object.__setattr__(self, "_drivers", None)
        object.__setattr__(self, "_hash", None)

    @property
    def references(self) -> frozenset[Ref]:
        """The references the formula makes: each code with each year offset, once
        (the tree's own nodes: equality and hashing of a Ref ignore its span)."""
        found = self._references
        if found is None:
            found = frozenset(references_in(self.root))
            object.__setattr__(self, "_references", found)
        return found

    @property
    def drivers(self) -> frozenset[str]:
        """The codes the formula reads, whatever the year."""
        found = self._drivers
        if found is None:
            found = frozenset(ref.code for ref in self.references)
            object.__setattr__(self, "_drivers", found)
        return found

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = hash(self.root)
            object.__setattr__(self, "_hash", found)
        return found

    def __reduce__(self) -> tuple[type[Formula], tuple[Node, str | None]]:
        # rebuilt through __init__, so the hash belongs to the new process
        return (Formula, (self.root, self.source))

    @classmethod
    def from_node(cls, root: Node) -> Formula:
        """Build a formula from a tree made by hand.  The tree was checked as it was
        built (see :mod:`kpi_formula.ast`); the formula checks its depth, as
        ``Formula(root)`` does."""
        return cls(root)

    def __str__(self) -> str:
        return to_text(self.root)

    @classmethod
    def _read_text(cls, text: str) -> Formula:
        """The field type's reader (see :mod:`kpi_formula.fieldtypes`)."""
        return parse(text)

    def __repr__(self) -> str:
        return f"Formula({str(self)!r})"

    @property
    def numbers(self) -> frozenset[str]:
        """The decimal literals of the formula, as written."""
        return frozenset(node.text for node in walk(self.root) if isinstance(node, Number))

    def evaluate(
        self,
        data: Mapping[Any, Any],
        *,
        year: int,
        catalog: Catalog | None = None,
        on_missing: MissingPolicy = "propagate",
        on_zero_division: ZeroDivisionPolicy = "missing",
    ) -> Result:
        """Evaluate with ``data`` for ``year``; see :func:`kpi_formula.evaluate`."""
        from .evaluator import evaluate

        return evaluate(
            self,
            data,
            year=year,
            catalog=catalog,
            on_missing=on_missing,
            on_zero_division=on_zero_division,
        )

    def compile(
        self,
        *,
        on_missing: MissingPolicy = "propagate",
        on_zero_division: ZeroDivisionPolicy = "missing",
    ) -> CompiledFormula:
        """A function ``(data, *, year) -> Result`` with :func:`evaluate`'s semantics,
        generated once so that repeated evaluation skips the tree walk.

        It carries ``formula``, ``on_missing``, ``on_zero_division`` and
        ``notes`` as attributes (see :class:`~kpi_formula.CompiledFormula`).

        >>> import kpi_formula as kf
        >>> growth = kf.parse("(A - A-1) / A-1").compile()
        >>> growth({("A", 2025): 110, ("A", 2024): 100}, year=2025).value
        Decimal('0.1')
        """
        from .evaluator import compile_formula

        return compile_formula(self, on_missing, on_zero_division)


def parse(text: str) -> Formula:
    """Parse formula text; raises :class:`~kpi_formula.FormulaSyntaxError`.

    Parses are cached: the same text gives the same (immutable) formula.
    """
    return _formula(require_text(text, FormulaSyntaxError, "a formula", "(A - A-1) / A-1"))


@lru_cache(maxsize=4096)
def _formula(text: str) -> Formula:
    return Formula(parse_node(text), text)
