"""Evaluating a formula: the front door to the engines.

:func:`evaluate` and :meth:`Formula.compile` share one semantics (see
:mod:`kpi_formula.engines.steps` for the rules in full: exact decimals, N/D
and division by zero made explicit) and choose the engine by how often a
formula is used, as a JIT chooses a tier:

* a formula evaluated once or a few times runs on the **step engine**
  (closures built in one pass over the tree), which costs little to prepare;
* a formula evaluated :data:`HOT_CALLS` times through :func:`evaluate`, or
  compiled explicitly with :meth:`Formula.compile`, also gets **generated
  code** (:mod:`kpi_formula.engines.generated`), which runs plain data several
  times faster and hands anything else back to the step engine.

Prepared formulas are kept in one bounded cache, so a plan of thousands of
indicators costs its closures once per formula, not code generation on every
evaluation; a formula pushed out of the cache costs only its closures again.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .engines.steps import ABSENT, DataSource, MappingSource, Program
from .errors import KpiFormulaError, msg
from .formula import Formula, parse
from .result import (
    MISSING_POLICIES,
    ZERO_POLICIES,
    MissingPolicy,
    Result,
    ZeroDivisionPolicy,
)

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "ABSENT",
    "HOT_CALLS",
    "CompiledFormula",
    "DataSource",
    "MappingSource",
    "MissingPolicy",
    "Result",
    "ZeroDivisionPolicy",
    "compile_formula",
    "evaluate",
]

HOT_CALLS = 16
"""Evaluations of one formula (with the same policies) after which
:func:`evaluate` generates code for it."""

_CACHE_SIZE = 8192


def _check_policies(on_missing: object, on_zero_division: object) -> None:
    if on_missing not in MISSING_POLICIES:
        raise KpiFormulaError(
            msg("unknown on_missing policy {policy!r}", policy=on_missing),
            hint=msg("use one of {policies}", policies=", ".join(map(repr, MISSING_POLICIES))),
        )
    if on_zero_division not in ZERO_POLICIES:
        raise KpiFormulaError(
            msg("unknown on_zero_division policy {policy!r}", policy=on_zero_division),
            hint=msg("use one of {policies}", policies=", ".join(map(repr, ZERO_POLICIES))),
        )


class _Prepared:
    """A formula with its policies, on the step engine, with generated code once hot.

    This is also the carrier a compiled formula is bound to: pickling a
    compiled formula pickles this object, which is rebuilt from the formula,
    the policies and the notes on load.
    """

    __slots__ = ("__weakref__", "_generated", "calls", "program")

    def __init__(self, program: Program) -> None:
        self.program = program
        self.calls = 0
        self._generated: Any = None

    @property
    def formula(self) -> Formula:
        return self.program.formula

    def generated(self) -> CompiledFormula:
        """The generated code, bound to this carrier (made on first use)."""
        compiled = self._generated
        if compiled is None:
            from .engines.generated import build_compiled  # the second tier, when reached

            program = self.program
            function = build_compiled(program)
            function.__qualname__ = function.__name__ = "compiled"
            function.__doc__ = (
                f"Evaluate {program.formula} for a year: compiled(data, year=2025) -> Result."
            )
            function.__module__ = __name__
            attributes = vars(function)
            attributes["formula"] = program.formula
            attributes["on_missing"] = program.on_missing
            attributes["on_zero_division"] = program.on_zero_division
            attributes["notes"] = program.notes
            compiled = self._generated = types.MethodType(function, self)
        return compiled  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        program = self.program
        return (
            _prepared,
            (
                program.formula,
                program.on_missing,
                program.on_zero_division,
                program.notes,
                program.formula.source,
            ),
        )

    def __repr__(self) -> str:
        return f"CompiledFormula({str(self.program.formula)!r})"

    def __getattr__(self, name: str) -> Any:
        # unpickling a bound method asks its carrier for the method by name
        if name == "compiled":
            return self.generated()
        raise AttributeError(name)


@lru_cache(maxsize=_CACHE_SIZE)
def _prepared(
    formula: Formula,
    on_missing: MissingPolicy,
    on_zero_division: ZeroDivisionPolicy,
    notes: tuple[str, ...],
    source: str | None = None,
) -> _Prepared:
    """The formula's program, cached; ``source`` (the formula's text) is part of the
    key only: equal formulas written otherwise (``-A - B``, ``- A-B``, a tree built
    by hand) keep programs of their own, whose errors point into their own text."""
    return _Prepared(Program(formula, on_missing, on_zero_division, notes))


@runtime_checkable
class CompiledFormula(Protocol):
    """What :meth:`Formula.compile` returns: a callable ``(data, *, year) -> Result``.

    It carries the formula and the policies it was compiled with as
    attributes, pickles (it is rebuilt from them on load, so process pools
    and Spark or Dask workers can run it) and is safe to call from many
    threads at once.
    """

    @property
    def formula(self) -> Formula:
        """The formula compiled (after the catalog's reading)."""

    @property
    def on_missing(self) -> MissingPolicy:
        """The N/D policy."""

    @property
    def on_zero_division(self) -> ZeroDivisionPolicy:
        """The division-by-zero policy."""

    @property
    def notes(self) -> tuple[str, ...]:
        """How the catalog read the formula."""

    def __call__(self, data: Mapping[Any, Any] | DataSource, *, year: int) -> Result:
        """Evaluate for ``year``, exactly as :func:`evaluate` does."""


def compile_formula(
    formula: Formula,
    on_missing: MissingPolicy = "propagate",
    on_zero_division: ZeroDivisionPolicy = "missing",
    notes: tuple[str, ...] = (),
) -> CompiledFormula:
    """Generated code for ``formula`` (made once per formula, policies and notes)."""
    _check_policies(on_missing, on_zero_division)
    return _prepared(formula, on_missing, on_zero_division, notes, formula.source).generated()


def evaluate(
    formula: Formula | str,
    data: Mapping[Any, Any] | DataSource,
    *,
    year: int,
    catalog: Catalog | None = None,
    on_missing: MissingPolicy = "propagate",
    on_zero_division: ZeroDivisionPolicy = "missing",
) -> Result:
    """Evaluate a formula (or formula text) with ``data`` for ``year``.

    >>> import kpi_formula as kf
    >>> data = {("A", 2025): 110, ("A", 2024): 100}
    >>> kf.evaluate("(A - A-1) / A-1", data, year=2025).value
    Decimal('0.1')
    >>> kf.evaluate("A / B", {"A": 1}, year=2025).reasons
    ('B@2025 is missing from the data',)

    Values written with a unit keep it for one check: ``+`` and ``-`` join values
    of one unit (``"72,10 %" + "3 gg"`` is a :class:`~kpi_formula.UnitMismatchError`);
    ``*`` and ``/`` are free.
    """
    if not isinstance(formula, Formula):
        formula = parse(formula)
    _check_policies(on_missing, on_zero_division)
    notes: tuple[str, ...] = ()
    if catalog is not None:
        from .resolver import resolve  # a catalog's reading: only when there is one

        resolution = resolve(formula, catalog)
        formula, notes = resolution.formula, resolution.notes
    prepared = _prepared(formula, on_missing, on_zero_division, notes, formula.source)
    compiled = prepared._generated
    if compiled is not None:
        return compiled(data, year=year)  # type: ignore[no-any-return]
    prepared.calls += 1  # a lost update between threads only delays the tier
    if prepared.calls >= HOT_CALLS:
        return prepared.generated()(data, year=year)
    return prepared.program.run(data, year)
