"""The ``kpi-formula`` command's entry point: :func:`kpi_formula.cli.main`, started fast.

A command that evaluates one formula spends most of its life starting.  Of that,
about a fifth went to :mod:`inspect` and what it imports (:mod:`ast`, :mod:`dis`,
:mod:`tokenize`, …), which :mod:`dataclasses` imports for one use only: the
signature it writes as the docstring of a class that has none.  The library's
classes all have docstrings.

So, in this process alone, :mod:`dataclasses` is imported with a stand-in for
:mod:`inspect` that imports the real module on its first use and forwards every
attribute to it; any other ``import inspect`` gets the real module.  This module
lives outside the package so that it runs before the package's own imports, and
only the command runs it: importing :mod:`kpi_formula` in a program leaves the
standard library alone.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["main"]


class _OnFirstUse(types.ModuleType):
    """A module that imports the module of its name on its first use and forwards
    every attribute to it (looked up each time, so a patched attribute is seen)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


def _import_dataclasses_without_inspect() -> None:
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return  # already paid, or imported by someone else first: nothing to save
    sys.modules["inspect"] = _OnFirstUse("inspect")
    try:
        import dataclasses  # noqa: F401  (imported here, holding the stand-in)
    finally:
        del sys.modules["inspect"]


def main() -> int:
    """Run ``kpi-formula`` with the process's arguments; returns the exit status."""
    _import_dataclasses_without_inspect()
    from kpi_formula.cli import main as run

    return run()
