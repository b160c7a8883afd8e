"""Shared test configuration: deterministic hypothesis profiles and the corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "modena_2025" / "report.txt"
"""The Modena planning report (Integra's tab-separated text), kept in the repository."""

# "ci" is deterministic (derandomized, no example database) so that a run on a
# clean machine always tries the same examples; "fuzz" is for maintainers who
# want many more examples on demand (see README, "Fuzzing").
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# "mutation" is "ci" with few examples, for mutation runs (docs/mutation.md):
# each mutant reruns the tests that reach it, so a run must stay short.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under the "mutation" profile a test's own ``max_examples`` is capped at
    the profile's too, so that a mutation run stays within its time."""
    if os.environ.get("HYPOTHESIS_PROFILE") != "mutation":
        return
    cap = settings.get_profile("mutation").max_examples
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings) and own.max_examples > cap:
            test._hypothesis_internal_use_settings = settings(own, max_examples=cap)  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """People's language follows the environment (``KPI_FORMULA_LANG``, the
    locale): tests read English unless they ask, whatever the machine's locale."""
    for variable in ("KPI_FORMULA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


def seed_formulas() -> list[tuple[int, str, str]]:
    """(report line, indicator code, formula) for each formula of the seed."""
    rows = []
    for line in (EXAMPLES / "seed_formulas.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        number, code, formula = line.split("\t")
        rows.append((int(number), code, formula))
    return rows
