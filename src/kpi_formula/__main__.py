"""``python -m kpi_formula``: the ``kpi-formula`` command line, for machines
where scripts are not on the PATH."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
