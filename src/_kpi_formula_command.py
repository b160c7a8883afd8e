"""The ``kpi-formula`` command's entry point: :func:`kpi_formula.cli.main`, started fast.

A command that evaluates one formula spends most of its life starting.  On Python
3.11, about a fifth of it went to :mod:`inspect` and what it imports (:mod:`ast`,
:mod:`dis`, :mod:`tokenize`, …), which :mod:`dataclasses` imports for one use
only: the signature it writes as the docstring of a class that has none.  The
library's classes all have docstrings.

So, on 3.11 and in this process alone, :mod:`dataclasses` is imported with a
stand-in for :mod:`inspect` that imports the real module on its first use and
forwards every attribute to it; any other ``import inspect`` gets the real module.
From 3.12 on, :mod:`dataclasses` reads every class's annotations through
:mod:`inspect`, so there is nothing to save and it is left alone.  This module
lives outside the package so that it runs before the package's own imports, and
only the command runs it: importing :mod:`kpi_formula` in a program leaves the
standard library alone.
"""

from __future__ import annotations

import sys

if False:  # typing only, never imported at run time (an interrupt there would be a traceback)
    from types import ModuleType

__all__ = ["main"]

_SAVES_INSPECT = sys.version_info < (3, 12)
"""Whether :mod:`dataclasses` can be imported and used without :mod:`inspect`."""


def _import_dataclasses_without_inspect() -> None:
    if not _SAVES_INSPECT or "dataclasses" in sys.modules or "inspect" in sys.modules:
        return  # nothing to save, or already paid
    stand_in = sys.modules["inspect"] = _on_first_use("inspect")
    try:
        import dataclasses  # noqa: F401  (imported here, holding the stand-in)
    finally:
        if sys.modules.get("inspect") is stand_in:
            del sys.modules["inspect"]


def _on_first_use(name: str) -> ModuleType:
    """A module that imports the module ``name`` on its first use and forwards every
    attribute to it (looked up each time, so a patched attribute is seen)."""
    import importlib
    import types

    class _OnFirstUse(types.ModuleType):
        def __getattr__(self, attribute: str) -> object:
            if sys.modules.get(self.__name__) is self:
                # used while it still stands in (by an import hook, say): the real
                # module takes its place, rather than this one being imported again
                del sys.modules[self.__name__]
            return getattr(importlib.import_module(self.__name__), attribute)

    return _OnFirstUse(name)


def main() -> int:
    """Run ``kpi-formula`` with the process's arguments; returns the exit status
    (130, and no traceback, for Ctrl-C at any point once this module runs)."""
    try:
        _import_dataclasses_without_inspect()
        from kpi_formula.cli import command
    except KeyboardInterrupt:  # while the command line loads
        return 130
    except RuntimeError as error:
        if not isinstance(error.__cause__, KeyboardInterrupt):  # as cli._interrupted
            raise
        return 130
    return command()


if __name__ == "__main__":
    raise SystemExit(main())
