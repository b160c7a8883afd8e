"""kpi_formula benchmarks: every figure a ratio to a baseline measured in the same run.

    pip install '.[dev,bench]'
    python benchmarks/run.py            # the full table (about half a minute)
    python benchmarks/run.py --quick    # smaller samples

Prints a Markdown table: what is measured, its time, the baseline, the ratio,
and the goal it is held to.  Times are the best of several rounds in
which the measured and its baseline take turns.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import kpi_formula as kf
from kpi_formula.decimals import DIVISION, EXACT
from kpi_formula.larkparse import _parser

Data = dict[tuple[str, int], Decimal]

SEED = "(82.A3.1_INSTAGRAM - 82.A3.1_INSTAGRAM-1) / 82.A3.1_INSTAGRAM-1"
PYTHON = "(A3_INSTAGRAM - A3_INSTAGRAM_1) / A3_INSTAGRAM_1"
YEAR = 2025


def interleaved(
    functions: dict[str, Callable[[], object]], number: int, rounds: int = 15
) -> dict[str, float]:
    """Seconds per call of each function, the best of ``rounds`` runs of ``number`` calls.

    The functions take turns within every round, so a slow spell of a shared
    machine hits the baseline and the measured alike and the ratios hold.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            times[name].append(timeit.timeit(function, number=number) / number)
    return {name: min(values) for name, values in times.items()}


def row(
    rows: list[list[str]], what: str, seconds: float, baseline: str, base: float, goal: str
) -> None:
    ratio = seconds / base
    rows.append([what, f"{seconds * 1e6:,.2f} µs", baseline, f"{ratio:.2f}×", goal])


def evaluation(rows: list[list[str]], number: int) -> None:
    data = {
        ("82.A3.1_INSTAGRAM", YEAR): Decimal(1210),
        ("82.A3.1_INSTAGRAM", YEAR - 1): Decimal(1100),
    }
    namespace = {"A3_INSTAGRAM": Decimal(1210), "A3_INSTAGRAM_1": Decimal(1100)}
    code = compile(PYTHON, "<baseline>", "eval")
    reading = compile(
        "(d[('82.A3.1_INSTAGRAM', y)] - d[('82.A3.1_INSTAGRAM', y - 1)])"
        " / d[('82.A3.1_INSTAGRAM', y - 1)]",
        "<baseline>",
        "eval",
    )
    # the same arithmetic in the library's contexts, not the global one
    in_contexts = compile(
        "divide(subtract(A3_INSTAGRAM, A3_INSTAGRAM_1), A3_INSTAGRAM_1)", "<baseline>", "eval"
    )
    contexts = {"divide": DIVISION.divide, "subtract": EXACT.subtract, **namespace}
    compiled = kf.parse(SEED).compile()
    nd = {("82.A3.1_INSTAGRAM", YEAR): Decimal(1210)}
    names_as_globals = dict(namespace)
    functions: dict[str, Callable[[], object]] = {
        "eval": lambda: eval(code, {}, namespace),
        "globals": lambda: eval(code, names_as_globals),
        "reading": lambda: eval(reading, {}, {"d": data, "y": YEAR}),
        "contexts": lambda: eval(in_contexts, {}, contexts),
        "compiled": lambda: compiled(data, year=YEAR),
        "evaluate": lambda: kf.evaluate(SEED, data, year=YEAR),
        "nd": lambda: compiled(nd, year=YEAR),
    }
    try:
        from py_expression_eval import Parser
        from simpleeval import SimpleEval
    except ImportError:
        peers = False
    else:
        peers = True
        simple = SimpleEval(names=dict(namespace))
        expression = Parser().parse(PYTHON)
        functions["simpleeval"] = lambda: simple.eval(PYTHON)
        functions["py-expression-eval"] = lambda: expression.evaluate(namespace)
    times = interleaved(functions, number)
    base = times["eval"]
    rows.append(
        [
            "eval() of the equivalent Python expression (`eval(code, {}, names)`)",
            f"{base * 1e6:,.2f} µs",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    measured = [
        ("globals", "eval() of it with the names as globals (`eval(code, names)`)", "reference"),
        ("reading", "eval() of it reading the same mapping", "reference"),
        ("contexts", "eval() of it in the library's decimal contexts", "reference"),
        ("compiled", "kpi_formula `Formula.compile()` call", "reference"),
        ("evaluate", "kpi_formula `evaluate(text, ...)` (cached parse)", "—"),
        ("nd", "compiled call, N/D result with reasons", "—"),
    ]
    if peers:
        measured.append(("simpleeval", "simpleeval `SimpleEval.eval`, parsing each call", "peer"))
        measured.append(("py-expression-eval", "py-expression-eval (pre-parsed)", "peer"))
    else:
        rows.append(
            ["simpleeval, py-expression-eval", "not installed", "", "", "pip install '.[bench]'"]
        )
    for key, what, goal in measured:
        row(rows, what, times[key], "eval()", base, goal)
    if peers:
        row(
            rows,
            "kpi_formula compiled call, side by side with py-expression-eval",
            times["compiled"],
            "py-expression-eval",
            times["py-expression-eval"],
            "< 1×",
        )


PEER_FORMULAS = {
    "the seed's change on the year before": SEED,
    "a short ratio `A / B`": "A / B",
    "a five-term sum": "A + B + C + D + F",
}


def peers(rows: list[list[str]], number: int) -> None:
    """The compiled call against the peers, each with its expression parsed beforehand,
    on the same Decimal data, formula by formula (none with a literal number:
    py-expression-eval reads it as a float, which a Decimal does not mix with)."""
    try:
        from py_expression_eval import Parser
        from simpleeval import SimpleEval
    except ImportError:
        rows.append(["peers, pre-parsed", "not installed", "", "", "pip install '.[bench]'"])
        return
    try:
        import asteval
    except ImportError:
        asteval = None
    for label, text in PEER_FORMULAS.items():
        formula = kf.parse(text)
        peer_text, names = _peer_text(formula)
        data = {
            (code, YEAR + offset): Decimal(1100 + 7 * i)
            for i, ((code, offset), _) in enumerate(names.items())
        }
        namespace = {name: data[(code, YEAR + offset)] for (code, offset), name in names.items()}
        compiled = formula.compile()
        expression = Parser().parse(peer_text)
        simple = SimpleEval(names=dict(namespace))
        parsed = simple.parse(peer_text)

        # each call as its users write it, the loop's values bound as defaults
        def ours(compiled: kf.CompiledFormula = compiled, data: Data = data) -> object:
            return compiled(data, year=YEAR)

        def pee(e: Any = expression, ns: dict[str, Decimal] = namespace) -> object:
            return e.evaluate(ns)

        def simpleeval(s: Any = simple, t: str = peer_text, p: Any = parsed) -> object:
            return s.eval(t, previously_parsed=p)

        functions: dict[str, Callable[[], object]] = {
            "compiled": ours,
            "pee": pee,
            "simpleeval": simpleeval,
        }
        if asteval is not None:
            interpreter = asteval.Interpreter(minimal=True)
            interpreter.symtable.update(namespace)
            node = interpreter.parse(peer_text)

            def run_asteval(i: Any = interpreter, n: Any = node) -> object:
                return i.run(n)

            functions["asteval"] = run_asteval
        for key, function in functions.items():  # the peers give the same value
            assert function() == compiled(data, year=YEAR).value or key == "compiled", key
        times = interleaved(functions, number)
        base = times["pee"]
        rows.append(
            [
                f"py-expression-eval, pre-parsed: {label}",
                f"{base * 1e6:,.2f} µs",
                "—",
                "1.00×",
                "baseline",
            ]
        )
        row(
            rows,
            "… kpi_formula `Formula.compile()` call",
            times["compiled"],
            "py-expression-eval",
            base,
            "< 1×",
        )
        row(
            rows,
            "… simpleeval, pre-parsed",
            times["simpleeval"],
            "py-expression-eval",
            base,
            "peer",
        )
        if "asteval" in times:
            row(rows, "… asteval, pre-parsed", times["asteval"], "py-expression-eval", base, "peer")


def _peer_text(formula: kf.Formula) -> tuple[str, dict[tuple[str, int], str]]:
    """The formula in py-expression-eval's syntax, and which name reads which reference."""
    from kpi_formula.ast import map_leaves

    names: dict[tuple[str, int], str] = {}

    def rename(leaf: kf.Number | kf.Ref) -> kf.Node:
        if isinstance(leaf, kf.Number):
            return leaf
        name = names.setdefault((leaf.code, leaf.offset), f"v{len(names)}")
        return kf.Ref(name)

    return str(kf.Formula(map_leaves(formula.root, rename))), names


def cold_paths(rows: list[list[str]], number: int) -> None:
    """Formulas evaluated once: a new formula, and a whole plan with empty caches."""
    try:
        from py_expression_eval import Parser
    except ImportError:
        rows.append(["cold paths", "py-expression-eval not installed", "", "", ""])
        return
    from pathlib import Path

    from kpi_formula import evaluator, formula, targets
    from kpi_formula.data import load_data
    from kpi_formula.plan.evaluate import evaluate_plan
    from kpi_formula.plan.planfile import load_plan

    peer = Parser()
    count = number * 16
    ours_texts = iter([f"(N{i}.A3 - N{i}.A3-1) / N{i}.A3-1" for i in range(count)])
    peer_texts = iter([f"(N{i}_A3 - N{i}_A3_1) / N{i}_A3_1" for i in range(count)])
    data = {("N.A3", YEAR): Decimal(1210), ("N.A3", YEAR - 1): Decimal(1100)}

    def ours() -> object:
        text = next(ours_texts)
        code = text[1 : text.index(" ")]
        return kf.evaluate(
            text, {(code, YEAR): data[("N.A3", YEAR)], (code, YEAR - 1): 1100}, year=YEAR
        )

    def theirs() -> object:
        text = next(peer_texts)
        code = text[1 : text.index(" ")]
        values = {code: Decimal(1210), f"{code}_1": Decimal(1100)}
        return peer.parse(text).evaluate(values)

    times = interleaved({"peer": theirs, "ours": ours}, number // 2, rounds=15)
    rows.append(
        [
            "py-expression-eval parse + evaluate of a new formula",
            f"{times['peer'] * 1e6:,.2f} µs",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    row(
        rows,
        "kpi_formula `evaluate(text, ...)` of a new formula (one-shot)",
        times["ours"],
        "py-expression-eval",
        times["peer"],
        "≤ 1×",
    )

    example = Path(__file__).resolve().parents[1] / "examples" / "modena_2025"
    plan = load_plan(example / "plan.toml")
    modena = load_data(example / "data.csv")
    jobs = []
    for indicator in plan.indicators().values():
        parsed = indicator.parsed_formula()
        if parsed is None:
            continue
        text, names = _peer_text(parsed)
        values = {}
        for (code, offset), name in names.items():
            known = modena.get((code, 2024 + offset))
            # py-expression-eval reads literals as floats, which Decimals do not mix with
            values[name] = float(known) if isinstance(known, Decimal) else 1.0
        jobs.append((text, values))

    def peer_plan() -> None:
        for text, values in jobs:
            with contextlib.suppress(ZeroDivisionError):
                peer.parse(text).evaluate(values)

    def cold_plan() -> None:
        formula._formula.cache_clear()
        evaluator._prepared.cache_clear()
        targets._targets.cache_clear()
        # a plan object as just read: nothing it derives is worked out yet
        evaluate_plan(replace(plan), modena, year=2024, target_year=2025)

    def warm_plan() -> None:
        evaluate_plan(plan, modena, year=2024, target_year=2025)

    times = interleaved({"peer": peer_plan, "cold": cold_plan, "warm": warm_plan}, 2, rounds=30)
    rows.append(
        [
            f"py-expression-eval parse + evaluate of the Modena plan's {len(jobs)} formulas",
            f"{times['peer'] * 1e3:,.2f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    row_ms(
        rows,
        "kpi_formula cold plan evaluation (every cache emptied)",
        times["cold"],
        "py-expression-eval",
        times["peer"],
        "≤ 2×",
    )
    row_ms(
        rows,
        "kpi_formula plan evaluation, again",
        times["warm"],
        "py-expression-eval",
        times["peer"],
        "—",
    )

    # no cliff at a cache size: 3,000 distinct formulas, each evaluated once per pass
    many = [kf.parse(f"(M{i} - M{i}-1) / M{i}-1 + {i}") for i in range(3000)]
    tables = [{(f"M{i}", YEAR): 5, (f"M{i}", YEAR - 1): 4} for i in range(3000)]

    def one_pass() -> None:
        for each, table in zip(many, tables, strict=True):
            kf.evaluate(each, table, year=YEAR)

    one_pass()
    again = min(timeit.repeat(one_pass, number=1, repeat=5)) / len(many)
    rows.append(
        [
            "3,000 distinct formulas, each evaluated once per pass (per formula, a later pass)",
            f"{again * 1e6:,.2f} µs",
            "—",
            "—",
            "no cliff",
        ]
    )


def row_ms(
    rows: list[list[str]], what: str, seconds: float, baseline: str, base: float, goal: str
) -> None:
    rows.append([what, f"{seconds * 1e3:,.2f} ms", baseline, f"{seconds / base:.2f}×", goal])


def parsing(rows: list[list[str]], number: int) -> None:
    from kpi_formula.parser import parse_node

    lark = _parser()
    times = interleaved(
        {
            "compile": lambda: compile(PYTHON, "<baseline>", "eval"),
            "fast": lambda: parse_node(SEED),
            "lark": lambda: lark.parse(SEED),
            "cache": lambda: kf.parse(SEED),
        },
        number,
    )
    base = times["compile"]
    rows.append(
        [
            "`compile()` of the equivalent Python expression",
            f"{base * 1e6:,.2f} µs",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    row(rows, "kpi_formula parse (fast parser, no cache)", times["fast"], "compile()", base, "≤ 3×")
    row(
        rows,
        "the Lark LALR parser alone (spec path)",
        times["lark"],
        "compile()",
        base,
        "reference",
    )
    row(rows, "`kf.parse` of a text parsed before (cache)", times["cache"], "compile()", base, "—")


def startup(rows: list[list[str]]) -> None:
    """Fresh processes, each command taking turns with ``python -c pass``; CPU time
    (user + system) of the child, which other jobs on the machine move less than
    the clock.  Bytecode is written first, as an installation has it."""
    import os
    import resource

    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    evaluation = (
        "import kpi_formula as kf; "
        "kf.evaluate('(A - A-1) / A-1', {('A', 2025): 110, ('A', 2024): 100}, year=2025)"
    )
    arguments = ["eval", "(A - A-1) / A-1", "A=110", "A@2024=100", "--year", "2025"]
    script = Path(sys.executable).with_name("kpi-formula")  # the command, as installed
    commands = {
        "bare": [sys.executable, "-c", "pass"],
        "first": [sys.executable, "-c", evaluation],
        "eval": [str(script), *arguments],
        "module": [sys.executable, "-m", "kpi_formula", *arguments],
    }
    if not script.exists():  # not installed as a script: the module stands in for it
        commands["eval"] = commands["module"]

    def cpu(command: list[str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, env=env, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

    for command in commands.values():  # writes the bytecode
        cpu(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(15):
        for name, command in commands.items():
            times[name].append(cpu(command))
    bare, first, evaluated, module = (statistics.median(times[name]) for name in commands)
    rows.append(["`python -c pass` (CPU time)", f"{bare * 1e3:,.0f} ms", "—", "1.00×", "baseline"])
    rows.append(
        [
            "import kpi_formula + first evaluation (fresh process)",
            f"{first * 1e3:,.0f} ms",
            "python -c pass",
            f"{first / bare:.2f}×",
            "≤ 250 ms",
        ]
    )
    rows.append(
        [
            "`kpi-formula eval` of a formula (fresh process)",
            f"{evaluated * 1e3:,.0f} ms",
            "python -c pass",
            f"{evaluated / bare:.2f}×",
            "≤ 5×",
        ]
    )
    rows.append(
        [
            "… `python -m kpi_formula eval` (the package imported before the command starts)",
            f"{module * 1e3:,.0f} ms",
            "python -c pass",
            f"{module / bare:.2f}×",
            "—",
        ]
    )


def bulk(rows: list[list[str]], size: int, loop_size: int) -> None:
    try:
        import duckdb
        import polars as pl
    except ImportError:
        rows.append(
            ["bulk evaluation", "polars/duckdb not installed", "", "", "pip install '.[dev]'"]
        )
        return
    from kpi_formula.engines.columnar import evaluate_frame

    entities = size // 10
    years = list(range(2015, 2025))
    frame = pl.DataFrame(
        {
            "entity": [e for e in range(entities) for _ in years],
            "year": years * entities,
            "A": [float((e * 7 + y) % 1000 + 1) for e in range(entities) for y in years],
        }
    )
    formula = kf.parse("(A - A-1) / A-1")
    ours = min(
        timeit.repeat(lambda: evaluate_frame(formula, frame, by=("entity",)), number=1, repeat=3)
    )

    def hand_written() -> object:
        lazy = frame.lazy()
        previous = lazy.select(
            "entity", (pl.col("year") + 1).alias("year"), pl.col("A").alias("A_1")
        )
        joined = lazy.join(previous, on=["entity", "year"], how="left", maintain_order="left")
        return joined.with_columns(
            pl.when(pl.col("A_1") == 0)
            .then(None)
            .otherwise((pl.col("A") - pl.col("A_1")) / pl.col("A_1"))
            .alias("value")
        ).collect()

    hand = min(timeit.repeat(hand_written, number=1, repeat=3))

    def hand_written_shift() -> object:
        # valid only because the frame is sorted by entity and year, without gaps
        same = (pl.col("entity").shift(1) == pl.col("entity")) & (
            pl.col("year").shift(1) == pl.col("year") - 1
        )
        before = pl.when(same).then(pl.col("A").shift(1))
        value = pl.when(before == 0).then(None).otherwise((pl.col("A") - before) / before)
        return frame.lazy().with_columns(value.alias("value")).collect()

    shift = min(timeit.repeat(hand_written_shift, number=1, repeat=3))
    compiled = formula.compile()
    records = frame.head(loop_size).to_dicts()
    lookup = {(r["entity"], r["year"]): r["A"] for r in records}

    def loop() -> None:
        for record in records:
            key = record["entity"]
            year = record["year"]
            data = {("A", year): Decimal(record["A"])}
            before = lookup.get((key, year - 1))
            if before is not None:
                data[("A", year - 1)] = Decimal(before)
            compiled(data, year=year)

    loop_time = min(timeit.repeat(loop, number=1, repeat=3)) * size / loop_size
    connection = duckdb.connect()
    # the same values, generated inside DuckDB as a long table
    connection.execute(
        "CREATE TABLE kpi_values AS SELECT i // 10 AS entity, 2015 + i % 10 AS year, "
        "'A' AS code, CAST(((i // 10) * 7 + 2015 + i % 10) % 1000 + 1 AS DOUBLE) AS value "
        f"FROM range({size}) t(i)"
    )
    query = kf.to_sql(formula, entity_column="entity")
    duck = min(timeit.repeat(lambda: connection.execute(query).fetchall(), number=1, repeat=3))
    label = f"{size:,} rows"
    rows.append(
        [
            f"hand-written polars expression, {label}",
            f"{hand * 1e3:,.1f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    rows.append(
        [
            f"hand-written polars with shift (sorted, no gaps), {label}",
            f"{shift * 1e3:,.1f} ms",
            "polars by hand",
            f"{shift / hand:.2f}×",
            "reference",
        ]
    )
    rows.append(
        [
            f"kpi_formula `evaluate_frame` vs shift by hand, {label}",
            f"{ours * 1e3:,.1f} ms",
            "shift by hand",
            f"{ours / shift:.2f}×",
            "—",
        ]
    )
    rows.append(
        [
            f"kpi_formula `evaluate_frame`, {label}",
            f"{ours * 1e3:,.1f} ms",
            "polars by hand",
            f"{ours / hand:.2f}×",
            "≤ 2×",
        ]
    )
    rows.append(
        [
            f"per-row loop of compiled formulas, {label} (from {loop_size:,})",
            f"{loop_time * 1e3:,.0f} ms",
            "evaluate_frame",
            f"{loop_time / ours:,.0f}× slower",
            "≥ 50×",
        ]
    )
    rows.append(
        [
            f"DuckDB running `to_sql`, {label}",
            f"{duck * 1e3:,.1f} ms",
            "polars by hand",
            f"{duck / hand:.2f}×",
            "—",
        ]
    )


def plan_bulk(rows: list[list[str]], entities: int, loop_entities: int) -> None:
    """The Modena plan over many chambers: columns against the Python engine, a chamber
    and a year at a time (the hand-written programs are in plan_bulk.py)."""
    try:
        import polars as pl
    except ImportError:
        rows.append(["whole-plan bulk evaluation", "polars not installed", "", "", ""])
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from plan_bulk import chambers, value

    from kpi_formula.plan.evaluate import evaluate_plan
    from kpi_formula.plan.frame import evaluate_plan_frame

    plan, modena, codes, years = chambers(entities)
    records = [
        {"entity": e, "year": y, **{c: value(modena, c, y, e) for c in codes}}
        for e in range(entities)
        for y in years
    ]
    schema = {"entity": pl.Int64, "year": pl.Int64, **{c: pl.Float64 for c in codes}}
    frame = pl.DataFrame(records, schema=schema)
    evaluate_plan_frame(plan, frame)
    ours = min(timeit.repeat(lambda: evaluate_plan_frame(plan, frame), number=1, repeat=3))
    datasets = [
        {(c, y): value(modena, c, y, e) for c in codes for y in years} for e in range(loop_entities)
    ]

    def loop() -> None:
        for data in datasets:
            for year in years:
                evaluate_plan(plan, data, year=year)

    loop_time = min(timeit.repeat(loop, number=1, repeat=3)) * entities / loop_entities
    label = f"{len(plan.indicators())} indicators × {entities:,} chambers × {len(years)} years"
    rows.append(
        [
            f"kpi_formula `evaluate_plan_frame`, {label}",
            f"{ours * 1e3:,.0f} ms",
            "—",
            "1.00×",
            "baseline",
        ]
    )
    rows.append(
        [
            f"`evaluate_plan` a chamber and a year at a time, the same (from {loop_entities:,})",
            f"{loop_time * 1e3:,.0f} ms",
            "evaluate_plan_frame",
            f"{loop_time / ours:,.0f}× slower",
            "≥ 50×",
        ]
    )


def whole_plans(rows: list[list[str]], *, quick: bool) -> None:
    """The other benchmarks' tables, each at its quick size with ``--quick``: whole plans
    in columns and as one SQL query, plans at scale, the readers, the service under load."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import plan_bulk
    import plan_scale
    import readers
    import service_load

    plan_bulk.measure(rows, 1_000 if quick else 10_000, rounds=3 if quick else 5)
    plan_scale.measure(rows, 1_000 if quick else 10_000, rounds=3 if quick else 5)
    readers.measure(rows, rounds=3 if quick else 7)
    service_load.measure(rows, requests=600 if quick else 6_000, warm_passes=5 if quick else 20)


HOSTILE = {
    "deep sum": "A + " * 2490 + "A",
    "nested parentheses": "(" * 4900 + "A" + ")" * 4900,
    "unclosed": "(" * 9999,
    "minus chain": "-" * 9990 + "A",
    "long code": "A" * 9999,
    "spaced words": "A " * 4999,
    "digits": "1" * 9999,
    "bad offset": "A[" + "9" * 9990 + "]",
    "almost-Italian value": "1.000" * 1990,
    "targets": ">= 1 N.  " * 1100,
    "quoted names": '"a ""b"" c" / "d"' * 500,
    "apostrophes": "nell'" * 2000,
    "scale words": "milioni di euro " * 600,
    "year prefixes": "Anno 2016: " * 900,
    "relative targets": "Aumento del 20% rispetto alla baseline " * 250,
}


def hostile(rows: list[list[str]]) -> None:
    from kpi_formula.data import read_data
    from kpi_formula.plan.algorithm import split_algorithm
    from kpi_formula.plan.planfile import read_plan
    from kpi_formula.plan.report import read_report

    functions: dict[str, Callable[[str], object]] = {
        "parse": kf.parse,
        "parse_value": kf.parse_value,
        "parse_targets": kf.parse_targets,
        "evaluate": lambda text: kf.evaluate(text, {}, year=YEAR),
        "read_data": read_data,
        "read_plan": read_plan,
        "read_report": read_report,
        "split_algorithm": split_algorithm,
    }
    worst = (0.0, "", "")
    for name, function in functions.items():
        for label, text in HOSTILE.items():
            start = time.perf_counter()
            with contextlib.suppress(kf.KpiFormulaError):
                function(text)
            elapsed = time.perf_counter() - start
            if elapsed > worst[0]:
                worst = (elapsed, name, label)
    rows.append(
        [
            f"slowest public function on 10 kB hostile text ({worst[1]}, {worst[2]})",
            f"{worst[0] * 1e3:,.1f} ms",
            "—",
            "—",
            "≤ 100 ms",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    args = parser.parse_args()
    number = 1_000 if args.quick else 10_000
    size = 100_000 if args.quick else 1_000_000
    rows: list[list[str]] = []
    evaluation(rows, number)
    cold_paths(rows, number // 10)
    parsing(rows, number // 10)
    startup(rows)
    peers(rows, number)
    bulk(rows, size, 20_000 if args.quick else 50_000)
    plan_bulk(rows, size // 100, 20 if args.quick else 50)
    whole_plans(rows, quick=args.quick)
    hostile(rows)
    header = ["measure", "time", "baseline", "ratio", "goal"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for line in rows:
        print("| " + " | ".join(line) + " |")
    print(f"\nPython {sys.version.split()[0]}, kpi_formula {kf.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
