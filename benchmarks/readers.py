"""How the readers of values and targets grow with the length of hostile text.

    python benchmarks/readers.py            # n = 2,250 and 4n = 9,000 characters
    python benchmarks/readers.py --quick    # fewer rounds

For each reader and each shape of pathological text (runs of spaces, digits,
dots, comparison words, dates, words of a label, ...) it times the reader on
text of n characters and of 4n, and prints the ratio: about 4 for a linear
reader, 16 for a quadratic one.  Times are the best of several rounds, the two
lengths taking turns, so that a slow spell of a shared machine hits both alike.
The table lists the largest ratios first, and the slowest time at 4n.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable

import kpi_formula as kf
from kpi_formula.data import parse_data_value


def repeated(pattern: str, n: int) -> str:
    """``pattern`` repeated whole to at most ``n`` characters: text of n and of 4n
    then ends alike (a date cut in half at one length and whole at the other would
    time an error against a success, not a reader's growth)."""
    return pattern * max(1, n // len(pattern))


SHAPES: dict[str, Callable[[int], str]] = {
    "spaces then a word": lambda n: " " * (n - 1) + "x",
    "spaces after a comparison": lambda n: ">=" + " " * (n - 3) + "x",
    "digits": lambda n: "1" * n,
    "dots": lambda n: "." * n,
    "thousands broken": lambda n: repeated("1.0001", n),
    "decimals broken": lambda n: repeated("1.11", n),
    "spaced thousands": lambda n: repeated("1 000", n),
    "digits and spaces": lambda n: repeated("1 ", n),
    "comparison words": lambda n: repeated("maggiore o uguale ", n),
    "rispetto": lambda n: repeated("rispetto ", n),
    "entro il": lambda n: repeated("entro il ", n),
    "dates": lambda n: repeated("31-12-2025 ", n),
    "words": lambda n: repeated("pratiche ", n),
    "one long word": lambda n: "a" * n,
    "a label then a number": lambda n: "5 pratiche " + ("evase " * n)[: n - 12] + "1",
    "words before ulteriori": lambda n: ("adesione di " * n)[: n - 10] + "ulteriori",
    "plain targets": lambda n: repeated(">= 1.100 N. ", n),
    "yes": lambda n: repeated("SI ", n),
    "scales": lambda n: repeated("5 mln ", n),
}

READERS: dict[str, Callable[[str], object]] = {
    "parse_value": kf.parse_value,
    "parse_targets": kf.parse_targets,
    "data value": parse_data_value,
}


def seconds(reader: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(kf.KpiFormulaError):
        reader(text)
    return time.perf_counter() - start


def growth(
    reader: Callable[[str], object], shape: Callable[[int], str], n: int, rounds: int
) -> tuple[float, float]:
    """The best times at n and at 4n, the two taking turns."""
    short, long = shape(n), shape(4 * n)
    best_short = best_long = float("inf")
    for _ in range(rounds):
        kf.targets._targets.cache_clear()  # each round reads the text anew
        best_short = min(best_short, seconds(reader, short))
        best_long = min(best_long, seconds(reader, long))
    return best_short, best_long


def measure(rows: list[list[str]], n: int = 2_250, rounds: int = 7) -> None:
    """Append the readers' worst growth (n to 4n characters) to ``rows`` (``run.py``'s table)."""
    kf.parse_targets("tra 5 e 10")  # build the grammar's parser outside the measures
    worst = (0.0, 0.0, "", "")
    for reader_name, reader in READERS.items():
        for shape_name, shape in SHAPES.items():
            short, long = growth(reader, shape, n, rounds)
            ratio = long / max(short, 1e-7)
            if ratio > worst[0]:
                worst = (ratio, long, reader_name, shape_name)
    rows.append(
        [
            f"readers on hostile text, n → 4n = {4 * n:,} characters: worst growth "
            f"({worst[2]}, {worst[3]})",
            f"{worst[1] * 1e3:,.2f} ms",
            "the same at n",
            f"{worst[0]:.1f}×",
            "≈ 4× (linear)",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("-n", type=int, default=2_250, help="the shorter length (default 2,250)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    kf.parse_targets("tra 5 e 10")  # build the grammar's parser outside the measures
    lines = []
    for reader_name, reader in READERS.items():
        for shape_name, shape in SHAPES.items():
            short, long = growth(reader, shape, args.n, rounds)
            lines.append((long / max(short, 1e-7), long, reader_name, shape_name, short))
    lines.sort(reverse=True)
    print("| reader | text | n | 4n | ratio (4 = linear) |")
    print("|---|---|---|---|---|")
    for ratio, long, reader_name, shape_name, short in lines[:12]:
        print(
            f"| {reader_name} | {shape_name} | {short * 1e3:,.2f} ms | {long * 1e3:,.2f} ms "
            f"| {ratio:.1f}× |"
        )
    worst = max(lines, key=lambda line: line[1])
    print(
        f"\nslowest at {4 * args.n:,} characters: {worst[2]} on {worst[3]}, "
        f"{worst[1] * 1e3:,.1f} ms; Python {sys.version.split()[0]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
