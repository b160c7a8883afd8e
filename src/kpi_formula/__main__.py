"""``python -m kpi_formula``: the ``kpi-formula`` command line, for machines
where scripts are not on the PATH."""

from __future__ import annotations

try:
    from .cli import command
except KeyboardInterrupt:  # Ctrl-C while the command line loads: no traceback
    raise SystemExit(130) from None
raise SystemExit(command())
