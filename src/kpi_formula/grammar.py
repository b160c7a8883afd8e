"""Loading the ``.lark`` grammar files, the language's specification.

The files live in the repository's ``grammar/`` folder and are shipped inside
the wheel as ``kpi_formula/grammar/``.  One loader serves both: the package
resource first (an installed wheel), the repository folder second (an
editable install or a source checkout).
"""

from __future__ import annotations

import os
from functools import cache

__all__ = ["grammar_text"]


@cache
def grammar_text(name: str) -> str:
    """The text of ``grammar/<name>.lark``."""
    filename = f"{name}.lark"
    here = os.path.dirname(os.path.realpath(__file__))
    for folder in (here, os.path.dirname(os.path.dirname(here))):
        path = os.path.join(folder, "grammar", filename)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as file:
                return file.read()
    # a package imported from an archive has no folders: ask importlib (whose
    # machinery costs a program's start-up a zipfile import, so only here)
    from importlib import resources

    return resources.files("kpi_formula").joinpath("grammar", filename).read_text(encoding="utf-8")
