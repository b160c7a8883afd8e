"""The direction of an indicator (*polarità*): is a higher value better, or a lower one?

A target written as a bare number (``25``) says nothing about it: for the number
of firms served, 25 means *at least* 25; for the average days to process a
request, *at most* 25.  Plans say it per indicator (the sheet column
``direzione``/``direction``, the plan key ``direction``), the command line with
``--direction``, Python with ``Target.check(..., direction=...)``.

>>> parse_direction("decrescente"), parse_direction("↑")
('lower', 'higher')
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

from .errors import KpiFormulaError, msg

__all__ = ["DIRECTION_SPELLINGS", "Direction", "DirectionError", "parse_direction"]

Direction: TypeAlias = Literal["higher", "lower"]
"""``"higher"``: a higher value is better (*crescente*); ``"lower"``: a lower one is
(*decrescente*)."""

DIRECTION_SPELLINGS: dict[str, Direction] = {
    "higher": "higher",
    "lower": "lower",
    "crescente": "higher",
    "decrescente": "lower",
    "↑": "higher",
    "↓": "lower",
}
"""Every accepted spelling (compared case aside, spaces trimmed)."""


class DirectionError(KpiFormulaError):
    """A direction that is none of the accepted spellings."""

    error_code: ClassVar[str] = "direction"


def parse_direction(text: object) -> Direction:
    """Read a direction: ``crescente``/``decrescente``, ``higher``/``lower``, ``↑``/``↓``
    (any case); anything else is a :class:`DirectionError` (code ``direction``)."""
    if isinstance(text, str):
        found = DIRECTION_SPELLINGS.get(text.strip().casefold())
        if found is not None:
            return found
    shown = repr(text) if not isinstance(text, str) or len(text) <= 40 else repr(text[:40] + "…")
    raise DirectionError(
        msg("unknown direction {text}", text=shown),
        hint=msg(
            "write higher, crescente or ↑ when a higher value is better; "
            "lower, decrescente or ↓ when a lower one is"
        ),
    )
