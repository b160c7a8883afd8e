"""Formulas, targets and quantities as pydantic v2 field types.

``kf.Formula``, ``kf.Target`` and ``kf.Quantity`` declare
``__get_pydantic_core_schema__``, which imports this module: the core never
imports pydantic, and a service that uses pydantic (install the ``pydantic``
extra) writes

>>> import kpi_formula as kf
>>> from pydantic import BaseModel
>>> class Indicator(BaseModel):
...     formula: kf.Formula
...     target: kf.Target
>>> indicator = Indicator(formula="(A - A-1)/A-1", target=">= 50,00 %")
>>> indicator.model_dump()
{'formula': '(A - A-1) / A-1', 'target': '>= 50,00 %'}

Each field is validated from text (or taken as it is when it already is one),
dumped as its canonical text, and described in JSON schema as a string.  Bad
text is a ``ValidationError`` whose message is the library's (with the caret
excerpt) and whose ``errors()`` entries carry ``line``, ``column`` and ``hint``
in their ``ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import KpiFormulaError, _TextError, msg

__all__ = ["TextField", "core_schema_for", "json_schema_for"]

_EXAMPLES: dict[str, list[str]] = {
    "Formula": ["(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1"],
    "Target": [">= 1.100 N.", "=> 50,00 %", "Entro 31-12-2025"],
    "Quantity": ["17.533.900.000 €", "72,10 %", "-23,24 gg"],
}

_AS_SAID = "{message}"
"""pydantic's template for a library error: its message, already said in words."""


def core_schema_for(kind: type, read: Callable[[str], Any]) -> Any:
    """The pydantic-core schema of ``kind``, read from text by ``read``."""
    from pydantic_core import PydanticCustomError, core_schema

    def validate(value: object) -> Any:
        if isinstance(value, kind):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError(
                "kpi_formula_type",
                msg("{kind} is written as text, not {given}"),  # pydantic fills it in
                {"kind": kind.__name__, "given": type(value).__name__},
            )
        try:
            return read(value)
        except KpiFormulaError as error:
            context: dict[str, Any] = {"message": str(error), "hint": error.hint}
            if isinstance(error, _TextError):
                context |= {"line": error.line, "column": error.column}
            raise PydanticCustomError("kpi_formula", _AS_SAID, context) from None

    return core_schema.no_info_plain_validator_function(
        validate,
        serialization=core_schema.plain_serializer_function_ser_schema(str),
    )


def json_schema_for(kind: type) -> dict[str, Any]:
    """The JSON schema of ``kind``: a string, with examples."""
    return {
        "type": "string",
        "title": kind.__name__,
        "examples": _EXAMPLES.get(kind.__name__, []),
    }


class TextField:
    """What makes a value class a pydantic field type read from text: it names its
    reader in ``_read_text``.  No pydantic is imported until pydantic asks."""

    __slots__ = ()

    @classmethod
    def _read_text(cls, text: str) -> Any:
        raise NotImplementedError  # pragma: no cover - each field type says

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A pydantic v2 field type: validated from text, dumped as text."""
        return core_schema_for(cls, cls._read_text)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        """A string, in JSON schema."""
        return json_schema_for(cls)
