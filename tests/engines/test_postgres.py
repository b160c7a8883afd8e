"""to_sql on PostgreSQL itself: a throwaway server, the seed's formulas, the evaluator's semantics.

Runs where the PostgreSQL server programs (``initdb``, ``postgres``, ``psql``)
are installed, as on Debian with the ``postgresql`` package; skipped
elsewhere.  The server listens on a Unix socket in a temporary directory only.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import kpi_formula as kf
from kpi_formula.data import load_data

from .seed_sql import FORMULAS, MODENA_DATA, check_on_engine

pytest.importorskip("sqlglot")


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


PROGRAMS = {name: _program(name) for name in ("initdb", "postgres", "psql")}
if not all(PROGRAMS.values()):  # pragma: no cover - depends on the machine
    pytest.skip("the PostgreSQL server programs are not installed", allow_module_level=True)


class Postgres:
    """A server on a Unix socket, queried through psql."""

    def __init__(self, socket_directory: Path) -> None:
        self.socket_directory = socket_directory

    def run(self, sql: str) -> list[dict[str, str]]:
        completed = subprocess.run(
            [
                str(PROGRAMS["psql"]),
                "-X",
                "-q",
                "--csv",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_directory),
                "-U",
                "kpi",
                "-d",
                "postgres",
                "-f",
                "-",
            ],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr
        return list(csv.DictReader(io.StringIO(completed.stdout)))


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: under root, run it as ``nobody``."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    # in the system's temporary directory, which the server's user can reach
    root = Path(tempfile.mkdtemp(prefix="kpi-formula-postgres-"))
    try:
        yield from _serve(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _serve(root: Path) -> Iterator[Postgres]:
    data_directory = root / "data"
    socket_directory = root / "socket"
    socket_directory.mkdir()
    prefix = _as_server_user()
    if prefix:
        shutil.chown(root, "nobody", "nogroup")
        shutil.chown(socket_directory, "nobody", "nogroup")
    initialised = subprocess.run(
        [*prefix, str(PROGRAMS["initdb"]), "-D", str(data_directory), "-U", "kpi", "-A", "trust"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if initialised.returncode != 0:  # pragma: no cover - depends on the machine
        pytest.skip(f"initdb failed: {initialised.stderr.strip()[-300:]}")
    server = subprocess.Popen(
        [
            *prefix,
            str(PROGRAMS["postgres"]),
            "-D",
            str(data_directory),
            "-k",
            str(socket_directory),
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = Postgres(socket_directory)
    try:
        deadline = time.monotonic() + 60
        while not list(socket_directory.glob(".s.PGSQL.*")):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"postgres did not start: {server.stderr.read()[-300:]}")  # type: ignore[union-attr]
            time.sleep(0.1)
        time.sleep(0.2)
        data = load_data(MODENA_DATA)
        rows = ",\n".join(
            f"({_literal(code)}, {year}, {value if isinstance(value, Decimal) else 'NULL'})"
            for (code, year), value in data.items()
        )
        database.run(
            "CREATE TABLE kpi_values (code text, year integer, value numeric(24, 6));\n"
            f"INSERT INTO kpi_values VALUES\n{rows};\n"
            "CREATE TABLE edge_values (chamber text, code text, year integer, value numeric);\n"
        )
        yield database
    finally:
        server.terminate()
        server.wait(timeout=30)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize("text", FORMULAS)
def test_postgres_runs_the_sql_of_seed_formulas(postgres: Postgres, text: str) -> None:
    def run(query: str) -> dict[int, float | None]:
        rows = postgres.run(query + ";")  # NULL prints as an empty field
        return {int(row["year"]): float(row["value"]) if row["value"] else None for row in rows}

    check_on_engine(text, "postgres", run)


EDGE_ROWS = [
    ("MO", "A", 2024, "100"),
    ("MO", "A", 2025, "110"),
    ("MO", "B", 2025, "0"),
    ("BO", "A", 2024, "0"),
    ("BO", "A", 2025, "7"),
    ("BO", "B", 2025, None),
    ("RE", "A", 2025, "1.5"),
]


@pytest.mark.parametrize(
    ("text", "on_missing"),
    [
        ("(A - A-1) / A-1", "propagate"),
        ("A / B", "propagate"),
        ("A + B", "propagate"),
        ("A + B", "zero"),
        ("-A * 2 - -B", "zero"),
    ],
)
def test_postgres_gives_nd_and_division_by_zero_as_the_evaluator(
    postgres: Postgres, text: str, on_missing: str
) -> None:
    rows = ",\n".join(
        f"({_literal(chamber)}, {_literal(code)}, {year}, {value or 'NULL'})"
        for chamber, code, year, value in EDGE_ROWS
    )
    query = kf.to_sql(
        text,
        dialect="postgres",
        table="edge_values",
        entity_column="chamber",
        on_missing=on_missing,
    )
    got = {
        (row["chamber"], int(row["year"])): row["value"]
        for row in postgres.run(
            f"TRUNCATE edge_values;\nINSERT INTO edge_values VALUES\n{rows};\n{query};"
        )
    }
    for chamber in ("MO", "BO", "RE"):
        data = {
            (code, year): None if value is None else Decimal(value)
            for entity, code, year, value in EDGE_ROWS
            if entity == chamber
        }
        ours = kf.evaluate(text, data, year=2025, on_missing=on_missing)  # type: ignore[arg-type]
        theirs = got.get((chamber, 2025))
        if ours.missing:
            assert not theirs, (text, chamber, theirs, ours.reasons)
        else:
            assert theirs, (text, chamber, ours.value)
            assert Decimal(theirs) == ours.value, (text, chamber)
