"""Submodules are reachable as attributes of the package, as before its names became lazy."""

from __future__ import annotations

import subprocess
import sys


def test_submodules_are_attributes_in_a_fresh_process() -> None:
    script = (
        "import kpi_formula as kf\n"
        "print(kf.evaluator.MissingPolicy is not None, callable(kf.plan.load_plan))\n"
        "try:\n    kf.no_such_module\nexcept AttributeError:\n    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["True", "True", "refused"]
