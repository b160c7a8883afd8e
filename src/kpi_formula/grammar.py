"""Loading the ``.lark`` grammar files, the language's specification.

The files live in the repository's ``grammar/`` folder and are shipped inside
the wheel as ``kpi_formula/grammar/``.  One loader serves both: the package
resource first (an installed wheel), the repository folder second (an
editable install or a source checkout).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["grammar_text"]


@cache
def grammar_text(name: str) -> str:
    """The text of ``grammar/<name>.lark``."""
    filename = f"{name}.lark"
    packaged = resources.files("kpi_formula").joinpath("grammar").joinpath(filename)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / filename
    return checkout.read_text(encoding="utf-8")
