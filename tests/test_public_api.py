"""The public surface is watched: a change to a name or a signature services rely on
shows up here, as a diff against the committed listing (tests/public_api.txt).

After an intended change, write the listing anew (from the repository's root):
    python -c "from tests.test_public_api import listing; print(listing(), end='')" \
        > tests/public_api.txt
"""

from __future__ import annotations

import inspect
from pathlib import Path

import kpi_formula as kf

LISTING = Path(__file__).with_name("public_api.txt")


def _describe(name: str, value: object) -> list[str]:
    if inspect.isclass(value):
        lines = [f"class {name}"]
        for attribute, member in sorted(vars(value).items()):
            if attribute.startswith("_") and attribute not in ("__init__", "__call__"):
                continue
            wrapped = isinstance(member, (classmethod, staticmethod))
            if callable(member) or wrapped:
                function = member.__func__ if wrapped else member
                try:
                    signature = str(inspect.signature(function))
                except (TypeError, ValueError):
                    signature = "(...)"
                lines.append(f"    {attribute}{signature}")
            elif isinstance(member, property):
                lines.append(f"    {attribute} (property)")
        return lines
    if callable(value):
        try:
            return [f"def {name}{inspect.signature(value)}"]
        except (TypeError, ValueError):
            return [f"def {name}(...)"]
    return [f"{name} = {type(value).__name__}"]


def listing() -> str:
    """Every public name of ``kpi_formula``, with the signatures of its functions and methods."""
    lines: list[str] = []
    for name in sorted(kf.__all__):
        lines += _describe(name, getattr(kf, name))
    return "\n".join(lines) + "\n"


def test_the_public_api_is_the_committed_one() -> None:
    assert listing() == LISTING.read_text(encoding="utf-8")
