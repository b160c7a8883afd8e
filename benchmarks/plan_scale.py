"""Plans at scale: a 10,000-indicator plan evaluated from cold and again.

    python benchmarks/plan_scale.py             # the table (about a minute)
    python benchmarks/plan_scale.py --size 2000 # a smaller plan

The plan repeats the Modena plan's 65 formulas with codes of their own (each
indicator reads drivers no other reads), with the Modena targets and baselines;
the data hold the Modena values under those codes for 2023 and 2024.  Measured
side by side, taking turns as ``run.py`` does:

* py-expression-eval parsing and evaluating the same 10,000 formulas (baseline);
* the first ``evaluate_plan`` of a plan object as just read, every cache of the
  library emptied (goal: at most 2× the baseline);
* ``evaluate_plan`` again on the same object (goal: at most half the first call);
* both again after ``gc.freeze()`` of what loading made, as a long-running
  service would do once its plan is read.

The library neither pauses nor tunes the garbage collector: the first three rows
run with it as the process has it, collecting while the plan is prepared.

``run.py`` calls :func:`measure` with its ``rows``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import kpi_formula as kf
from kpi_formula import evaluator, formula, targets
from kpi_formula.ast import map_leaves
from kpi_formula.data import load_data
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan, load_plan

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "modena_2025"
YEAR, TARGETS = 2024, 2025


def scaled_plan(size: int) -> tuple[Plan, dict[tuple[str, int], Decimal], list[kf.Formula]]:
    """A plan of ``size`` indicators in groups of 100, its data, and its formulas."""
    modena = load_plan(EXAMPLE / "plan.toml")
    modena_data = load_data(EXAMPLE / "data.csv")
    templates = [i for i in modena.indicators().values() if i.formula and not i.is_input]
    data: dict[tuple[str, int], Decimal] = {}
    formulas: list[kf.Formula] = []
    groups = []
    per_group = 100
    for start in range(0, size, per_group):
        children = []
        for number in range(start, min(size, start + per_group)):
            template = templates[number % len(templates)]
            parsed = kf.parse(template.formula or "")

            def own(leaf: kf.Number | kf.Ref, number: int = number) -> kf.Node:
                return (
                    kf.Ref(f"{leaf.code}_{number}", leaf.offset)
                    if isinstance(leaf, kf.Ref)
                    else leaf
                )

            renamed = kf.Formula(map_leaves(parsed.root, own))
            formulas.append(renamed)
            for ref in parsed.references:
                for year in (YEAR - 1, YEAR):
                    value = modena_data.get((ref.code, year))
                    if isinstance(value, Decimal):
                        data[(f"{ref.code}_{number}", year)] = value
            children.append(
                Indicator(
                    f"X{number}",
                    template.name,
                    Decimal(1) / per_group,
                    str(renamed),
                    unit=template.unit,
                    baselines=dict(template.baselines),
                    targets=dict(template.targets),
                )
            )
        groups.append(Group(f"G{start}", "group", Decimal(per_group) / size, tuple(children)))
    return Plan("scaled", groups=tuple(groups)), data, formulas


def _peer_jobs(
    formulas: list[kf.Formula], data: dict[tuple[str, int], Decimal]
) -> list[tuple[str, dict[str, float]]]:
    """Each formula in py-expression-eval's syntax, with the values it reads as floats."""
    jobs = []
    for each in formulas:
        names: dict[tuple[str, int], str] = {}

        def rename(leaf: kf.Number | kf.Ref, names: dict[tuple[str, int], str] = names) -> kf.Node:
            if isinstance(leaf, kf.Number):
                return leaf
            return kf.Ref(names.setdefault((leaf.code, leaf.offset), f"v{len(names)}"))

        text = str(kf.Formula(map_leaves(each.root, rename)))
        values = {
            name: float(data.get((code, YEAR + offset), 1))
            for (code, offset), name in names.items()
        }
        jobs.append((text, values))
    return jobs


def _cleared() -> None:
    formula._formula.cache_clear()
    evaluator._prepared.cache_clear()
    targets._targets.cache_clear()


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _turns(functions: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The best time of each function over ``rounds`` rounds, taking turns."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def measure(rows: list[list[str]], size: int = 10_000, rounds: int = 5) -> None:
    """Append the plan-at-scale rows to ``rows`` (``run.py``'s table)."""
    try:
        from py_expression_eval import Parser
    except ImportError:
        rows.append(["plans at scale", "py-expression-eval not installed", "", "", ""])
        return
    plan, data, formulas = scaled_plan(size)
    jobs = _peer_jobs(formulas, data)
    peer = Parser()
    state: dict[str, Plan] = {}

    def peer_run() -> None:
        for text, values in jobs:
            with contextlib.suppress(ZeroDivisionError):
                peer.parse(text).evaluate(values)

    def first() -> None:
        _cleared()
        state["plan"] = replace(plan)  # a plan object as just read: nothing derived yet
        evaluate_plan(state["plan"], data, year=YEAR, target_year=TARGETS)

    def again() -> None:
        evaluate_plan(state["plan"], data, year=YEAR, target_year=TARGETS)

    times = _turns({"peer": peer_run, "first": first, "again": again}, rounds)
    with _frozen():
        frozen = _turns({"first": first, "again": again}, rounds)
    label = f"{size:,} indicators"
    base = times["peer"]
    rows.append(
        [
            f"py-expression-eval parse + evaluate of a {label} plan's formulas",
            f"{base * 1e3:,.0f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    for what, seconds, baseline, reference, goal in (
        (
            "kpi_formula first `evaluate_plan` (caches emptied)",
            times["first"],
            "py-expression-eval",
            base,
            "≤ 2×",
        ),
        (
            "kpi_formula `evaluate_plan` again",
            times["again"],
            "first call",
            times["first"],
            "≤ 0.5×",
        ),
        (
            "first call, after `gc.freeze()` of the loaded plan",
            frozen["first"],
            "py-expression-eval",
            base,
            "—",
        ),
        ("again, after `gc.freeze()`", frozen["again"], "first call", frozen["first"], "—"),
    ):
        rows.append(
            [
                f"{what}, {label}",
                f"{seconds * 1e3:,.0f} ms",
                baseline,
                f"{seconds / reference:.2f}×",
                goal,
            ]
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="indicators in the plan")
    parser.add_argument("--rounds", type=int, default=5, help="turns each measure takes")
    args = parser.parse_args()
    rows: list[list[str]] = []
    measure(rows, args.size, args.rounds)
    header = ["measure", "time", "baseline", "ratio", "goal"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for line in rows:
        print("| " + " | ".join(line) + " |")
    print(f"\nPython {sys.version.split()[0]}, kpi_formula {kf.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
