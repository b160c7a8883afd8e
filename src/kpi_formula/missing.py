"""N/D — *non disponibile*, the missing value.

:data:`ND` is the one value that stands for "not available" wherever a number
could stand: in driver data, in a :class:`~kpi_formula.Result`, in a parsed
document value.  It is a singleton: test it with ``value is kf.ND``.  Why a
value is missing is not part of the value; results carry their reasons.

>>> from kpi_formula import ND
>>> ND, str(ND)
(ND, 'N/D')
"""

from __future__ import annotations

from typing import Final, final

__all__ = ["ND", "NotAvailable"]


@final
class NotAvailable:
    """The type of :data:`ND`; there is exactly one instance."""

    __slots__ = ()
    _instance: NotAvailable | None = None

    def __new__(cls) -> NotAvailable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ND"

    def __str__(self) -> str:
        return "N/D"

    def __reduce__(self) -> str:
        return "ND"

    def __copy__(self) -> NotAvailable:
        return self

    def __deepcopy__(self, memo: object) -> NotAvailable:
        return self


ND: Final = NotAvailable()
"""The missing value, written ``N/D`` in planning documents."""
