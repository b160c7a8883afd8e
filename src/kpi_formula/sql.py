"""SQL for warehouses, under its historical name: see :mod:`kpi_formula.engines.sql`."""

from __future__ import annotations

from .engines.sql import to_sql

__all__ = ["to_sql"]
