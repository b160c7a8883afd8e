"""How a plan computed in columns is laid out: the names and levels its engines share.

Both the polars plan (:mod:`kpi_formula.plan.frame`) and the SQL plan
(:mod:`kpi_formula.plan.tosql`) compute a plan's indicators as columns, level by
level.  Neither lets a code or an id name a column: every driver is read under
a name of the engine's own (``d0``, ``d1``, … in the order first read), every
indicator is computed under another (``i0``, … in evaluation order).  A
reference in a formula reads another indicator's column where it names one,
and inside an indicator's own formula its code is the driver of that code.
An indicator's level is one more than the deepest indicator it reads, so a
level reads only the drivers and the levels before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..ast import Ref
from .prepared import PreparedPlan

__all__ = ["ColumnLayout"]


class ColumnLayout:
    """The column names and levels of a prepared plan; drivers are named as read."""

    __slots__ = ("_served", "drivers", "outputs", "ready")

    def __init__(self, ready: PreparedPlan) -> None:
        self.ready = ready
        self.outputs: dict[str, str] = {key: f"i{number}" for number, key in enumerate(ready.order)}
        """Each indicator's column, by id."""
        self.drivers: dict[str, str] = {}
        """Each driver's column, by code, in the order the drivers were first read."""
        self._served = {
            indicator.code: key
            for key, indicator in ready.indicators.items()
            if indicator.code == key
        }

    def driver(self, code: str) -> str:
        """The column the driver ``code`` is read under (named on its first read)."""
        return self.drivers.setdefault(code, f"d{len(self.drivers)}")

    def reader(self, own: str) -> Callable[[Ref], str]:
        """The column each reference of the formula of the indicator coded ``own`` reads."""

        def column_of(ref: Ref) -> str:
            other = self._served.get(ref.code)
            if other is not None and ref.code != own:
                return self.outputs[other]  # another indicator: its computed column
            return self.driver(ref.code)  # a driver, or its own code inside its formula

        return column_of

    def levels(self) -> Iterator[tuple[str, int]]:
        """Each indicator's id and level, in evaluation order."""
        depth: dict[str, int] = {}
        for key in self.ready.order:
            level = depth[key] = 1 + max(
                (depth[other] for other, _ in self.ready.reads[key]), default=-1
            )
            yield key, level
