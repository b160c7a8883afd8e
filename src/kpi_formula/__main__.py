"""``python -m kpi_formula``: the ``kpi-formula`` command line, for machines
where scripts are not on the PATH."""

from __future__ import annotations

try:
    from .cli import main

    status = main()
except KeyboardInterrupt:  # Ctrl-C while the command line loads: no traceback
    status = 130
from .streams import settle

settle()
raise SystemExit(status)
