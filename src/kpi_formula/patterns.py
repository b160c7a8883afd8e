"""Regular expressions compiled when first used.

A pattern compiled at import costs its compilation in every process that imports
the module, used or not; the command line evaluating one formula meets a few of
the library's patterns and would compile them all.  :func:`lazy` gives a function
that compiles its pattern on the first call and returns the same object after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

__all__ = ["lazy"]


def lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function returning ``re.compile(pattern, flags)``, compiled on its first call.

    >>> digits = lazy(r"[0-9]+")
    >>> digits().fullmatch("2025") is not None, digits() is digits()
    (True, True)
    """

    @cache
    def compiled() -> re.Pattern[str]:
        return re.compile(pattern, flags)

    return compiled
