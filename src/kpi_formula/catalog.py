"""The driver catalog: which codes a formula may name, and what they mean.

A :class:`Driver` is one input series (*driver*) of the planning system: its
code, other spellings of it (aliases), a description and a unit.  A
:class:`Catalog` lets the resolver check formulas (unknown codes, with close
matches as suggestions) and read numeric-looking tokens such as ``50`` as the
driver of that code when the catalog declares one.

Entries may also stand for indicators (``kind="indicator"``): a plan declares
its indicators so that formulas can refer to them, and evaluates them itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from .ast import check_code
from .errors import KpiFormulaError, clip, msg
from .values import UNITS, Unit

__all__ = ["Catalog", "Driver", "EntryKind", "close_matches"]

EntryKind: TypeAlias = Literal["driver", "indicator"]


def close_matches(
    code: str, candidates: Iterable[str], *, limit: int = 3, cutoff: float = 0.6
) -> tuple[str, ...]:
    """The ``candidates`` close to ``code``, best first, case aside: a candidate
    that differs from it only by case is the one answer (for "did you mean")."""
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
    same = folded.get(code.casefold())
    if same is not None:
        return (same,)
    import difflib  # a suggestion is for an error: its cost is taken then

    matches = difflib.get_close_matches(code.casefold(), list(folded), n=limit, cutoff=cutoff)
    return tuple(folded[match] for match in matches)


@dataclass(frozen=True, slots=True)
class Driver:
    """One catalog entry: a driver (input series) or an indicator."""

    code: str
    description: str = ""
    unit: Unit | None = None
    aliases: tuple[str, ...] = ()
    kind: EntryKind = "driver"

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code or self.code != self.code.strip():
            raise KpiFormulaError(
                msg("a driver code cannot be empty or padded: {code}", code=clip(repr(self.code))),
                hint=msg("strip the spaces around the code"),
            )
        check_code(self.code)  # a formula reads the driver under this code
        if self.unit is not None and self.unit not in UNITS:
            raise KpiFormulaError(
                msg(
                    "driver {code!r} has unknown unit {unit}",
                    code=self.code,
                    unit=clip(repr(self.unit)),
                ),
                hint=msg("use one of {units} or none", units=", ".join(UNITS)),
            )


@dataclass(frozen=True, slots=True)
class Catalog:
    """A set of drivers looked up by code or alias.

    With ``strict=True`` (the default) resolving a formula that names a code
    the catalog does not hold raises :class:`~kpi_formula.UnknownDriverError`.

    >>> from kpi_formula import Catalog, Driver
    >>> catalog = Catalog([Driver("50", "Imprese iscritte nel Registro Imprese")])
    >>> "50" in catalog
    True
    """

    entries: tuple[Driver, ...]
    strict: bool = True
    _by_code: dict[str, Driver] = field(init=False, repr=False, compare=False, hash=False)

    def __init__(self, entries: Iterable[Driver] = (), *, strict: bool = True) -> None:
        entries = tuple(entries)
        by_code: dict[str, Driver] = {}
        for entry in entries:
            for spelling in (entry.code, *entry.aliases):
                previous = by_code.get(spelling)
                if previous is not None and previous != entry:
                    raise KpiFormulaError(
                        msg("catalog code {code!r} is declared twice", code=spelling),
                        hint=msg("give each driver one entry, and each alias one driver"),
                    )
                by_code[spelling] = entry
        object.__setattr__(self, "entries", entries)
        object.__setattr__(self, "strict", strict)
        object.__setattr__(self, "_by_code", by_code)

    def get(self, code: str) -> Driver | None:
        """The entry declared under ``code`` (or one of its aliases), if any."""
        return self._by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Driver]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def suggest(self, code: str, *, limit: int = 3) -> tuple[str, ...]:
        """Declared codes close to ``code``, best first (for error messages)."""
        return close_matches(code, self._by_code, limit=limit)
