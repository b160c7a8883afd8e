"""Derive example driver data whose evaluation reproduces the plan's baselines.

The Modena report publishes each indicator's value for 2022-2024 (its
baselines) but not the driver values behind them.  This script chooses driver
values, year by year, so that evaluating ``plan.toml`` gives back every
baseline the document's own figures allow, and writes ``data.csv``::

    python examples/modena_2025/derive_data.py

How values are chosen, indicator by indicator (those with the fewest drivers
still free first, so that shared drivers are pinned by the simplest formula):

* an N/D baseline makes the free drivers N/D; a date baseline is the driver's date;
* a sum shares what is left of the baseline among its free drivers;
* otherwise every free driver but one takes 10.000 (a denominator, or a
  prior year of a growth rate) and the last one is solved for: formulas here
  are linear in it, or inversely proportional (``D2.1_MIMIT.1 * 1000 / 50``),
  and the solution is rounded to a whole count where that still gives the
  baseline to the document's precision.

What cannot be reproduced is printed, with why.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import kpi_formula as kf
from kpi_formula.ast import BinOp, Ref, walk
from kpi_formula.plan.evaluate import dependency_order
from kpi_formula.plan.model import Indicator
from kpi_formula.plan.planfile import load_plan

HERE = Path(__file__).resolve().parent
DEFAULT = Decimal(10000)


def displayed_places(text: str) -> int:
    """Decimals the document shows, in the stored unit (a percentage as a fraction)."""
    digits = text.split(",")[1].split(maxsplit=1)[0] if "," in text else ""
    return len(digits) + (2 if "%" in text else 0)


def reproduces(value: object, baseline: Decimal, places: int) -> bool:
    if not isinstance(value, Decimal):
        return False
    return value.quantize(Decimal(1).scaleb(-places)) == baseline.quantize(
        Decimal(1).scaleb(-places)
    )


def is_sum(formula: kf.Formula) -> bool:
    return all(
        isinstance(node, Ref) or (isinstance(node, BinOp) and node.op == "+")
        for node in walk(formula.root)
    )


def main() -> int:
    plan = load_plan(HERE / "plan.toml")
    catalog_codes = {driver.code for driver in plan.drivers}
    indicators = plan.indicators()
    order = dependency_order(plan)
    data: dict[tuple[str, int], Decimal | kf.NotAvailable | dt.date] = {}
    problems: list[str] = []
    catalog = kf.Catalog(plan.drivers, strict=False)

    def formula_of(indicator: Indicator) -> kf.Formula | None:
        formula = indicator.parsed_formula()
        return None if formula is None else kf.resolve(formula, catalog).formula

    def size(key: str, year: int) -> Decimal:
        baseline = kf.parse_value(indicators[key].baselines.get(year, "N/D"))
        return baseline.amount if isinstance(baseline, kf.Quantity) else Decimal(0)

    def depends_on(key: str) -> set[str]:
        formula = formula_of(indicators[key])
        if formula is None:
            return set()
        return {
            code for code in formula.drivers if code in indicators and code != indicators[key].code
        }

    def indicator_value(code: str, year: int) -> object:
        indicator = indicators[code]
        formula = formula_of(indicator)
        if formula is None:
            return data.get((code, year), kf.ND)
        return evaluate(formula, indicator, year)

    def evaluate(formula: kf.Formula, indicator: Indicator, year: int) -> object:
        values: dict[tuple[str, int], object] = dict(data)
        for ref in formula.references:
            if ref.code in indicators and ref.code != indicator.code:
                values[(ref.code, year + ref.offset)] = indicator_value(ref.code, year + ref.offset)
        return kf.evaluate(formula, values, year=year).value

    for year in plan.baseline_years:
        pending = list(order)
        while pending:

            def free(key: str, year: int = year) -> list[tuple[str, int]]:
                formula = formula_of(indicators[key])
                if formula is None:
                    return [(indicators[key].code, year)]
                return sorted(
                    {
                        (ref.code, year + ref.offset)
                        for ref in formula.references
                        if (ref.code not in indicators or ref.code == indicators[key].code)
                        and (ref.code, year + ref.offset) not in data
                    }
                )

            ready = [key for key in pending if not depends_on(key) & set(pending)]
            key = min(ready, key=lambda k: (len(free(k)), size(k, year), pending.index(k)))
            pending.remove(key)
            indicator = indicators[key]
            text = indicator.baselines.get(year)
            unknown = free(key)
            if text is None:
                continue
            baseline = kf.parse_value(text)
            formula = formula_of(indicator)
            if baseline is kf.ND:
                for slot in unknown:
                    data[slot] = kf.ND
                continue
            if isinstance(baseline, dt.date):
                if unknown:
                    data[unknown[0]] = baseline
                continue
            assert isinstance(baseline, kf.Quantity)
            target, places = baseline.amount, displayed_places(text)
            if formula is None:
                data[(indicator.code, year)] = target
                continue
            if unknown and is_sum(formula):
                for slot in unknown:
                    data[slot] = Decimal(0)
                rest = evaluate(formula, indicator, year)
                assert isinstance(rest, Decimal)
                left = target - rest
                share = (left / len(unknown)).to_integral_value(rounding="ROUND_FLOOR")
                for slot in unknown[:-1]:
                    data[slot] = share
                data[unknown[-1]] = left - share * (len(unknown) - 1)
            elif unknown:
                *others, last = sorted(unknown, key=lambda slot: (slot[1] == year, slot))
                for slot in others:
                    data[slot] = DEFAULT
                samples = []
                for x in (Decimal(1), Decimal(2), Decimal(4)):
                    data[last] = x
                    samples.append(evaluate(formula, indicator, year))
                f1, f2, f4 = samples
                assert all(isinstance(v, Decimal) for v in samples), (key, samples)
                curvature = abs((f4 - f2) - 2 * (f2 - f1))  # type: ignore[operator]
                if curvature <= abs(f2 - f1) * Decimal("1e-20"):  # type: ignore[operator]
                    # linear: f = a + b x
                    solution = (target - f1) / (f2 - f1) + 1  # type: ignore[operator]
                else:  # inversely proportional: f = c / x + d
                    c = (f1 - f2) * 2  # type: ignore[operator]
                    d = f1 - c  # type: ignore[operator]
                    solution = c / (target - d)
                whole = solution.to_integral_value()
                data[last] = whole
                if not reproduces(evaluate(formula, indicator, year), target, places):
                    data[last] = solution.quantize(Decimal("0.0001"))
            value = evaluate(formula, indicator, year)
            if not reproduces(value, target, places):
                problems.append(
                    f"{indicator.code} {year}: computes {value}, the document says {text}"
                )
    for (code, _), _ in list(data.items()):
        if code not in catalog_codes and code not in indicators:
            problems.append(f"{code} is not declared in the plan's drivers")
    lines = ["code,year,value"]
    for (code, year), value in sorted(data.items()):
        if value is kf.ND:
            shown = "N/D"
        elif isinstance(value, dt.date):
            shown = value.strftime("%d-%m-%Y")
        else:
            shown = format(value, "f")
        quoted = f'"{code}"' if "," in code else code
        lines.append(f"{quoted},{year},{shown}")
    (HERE / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"wrote {len(data)} values; {len(problems)} not reproduced")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
