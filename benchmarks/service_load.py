"""Load test of the example service: uvicorn on loopback, concurrent clients.

    pip install '.[dev]'        # or '.[service]' with httpx and psutil
    python benchmarks/service_load.py                          # 6,000 requests, 8 clients
    python benchmarks/service_load.py --requests 600 --clients 4

Starts ``examples/service/app.py`` under uvicorn as README deploys it, on a
loopback port, and sends a bounded number of requests from concurrent clients
(httpx over asyncio): the Modena plan's formulas with their drivers' data to
``/evaluate``, its targets with the document's values to ``/check``, and one
request in ten refused on purpose (a bad formula, NaN, a driver-year given
twice, an unknown key).  The baseline is ``GET /health`` under the same load,
in turns with the workload.  Reported: throughput, p50 and p99 latency, the
server's CPU time per request (steadier than throughput, which the client's
own cost and other jobs on the machine move), the answers by status (no 5xx
is the goal), and the server's resident memory after a warm-up and at the end
(flat is the goal).  Every request and the run
are bounded in time; the server only listens on 127.0.0.1.

``benchmarks/run.py`` calls :func:`measure`; run alone, this prints the same
rows and exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import kpi_formula as kf

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "examples" / "service"
MODENA = ROOT / "examples" / "modena_2025"
YEAR, TARGET_YEAR = 2024, 2025
MEMORY_GOAL = 0.05
"""The most the server's resident memory may grow, after warm-up, over the run."""
WARM_PASSES = 20
"""Times the workload is sent before measuring: a formula evaluated 16 times gets
generated code (the library's second tier), a one-time cost that is not growth."""
REQUEST_TIMEOUT = 30.0
RUN_TIMEOUT = 600.0
"""No phase of the load test runs longer than this (seconds)."""

Request = tuple[str, str, bytes | None]
"""(method, path, JSON body)."""


def _json(value: object) -> str:
    """JSON text with decimals as numbers, every digit kept."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(key)}: {_json(item)}" for key, item in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_json(item) for item in value) + "]"
    return json.dumps(value)


def workload() -> list[Request]:
    """The requests, in the order the clients take them (round robin)."""
    from kpi_formula.data import load_data
    from kpi_formula.plan import load_plan

    plan = load_plan(MODENA / "plan.toml")
    data = load_data(MODENA / "data.csv")
    evaluations, checks = [], []
    for indicator in plan.indicators().values():
        if indicator.formula:
            codes = {ref.code for ref in kf.parse(indicator.formula).references}
            values = [
                {"code": code, "year": year, "value": None if value is kf.ND else value}
                for (code, year), value in sorted(data.items())
                if code in codes and not isinstance(value, dt.date)  # milestones: deadlines
            ]
            body = {"formula": indicator.formula, "year": YEAR, "data": values}
            evaluations.append(("POST", "/evaluate", _json(body).encode()))
        target = indicator.targets.get(TARGET_YEAR)
        actual = indicator.baselines.get(YEAR)
        if target and actual:
            body = {
                "target": target,
                "actual": actual,
                "baseline": indicator.baselines.get(YEAR - 1),
            }
            checks.append(("POST", "/check", _json(body).encode()))
    refused: list[Request] = [
        ("POST", "/evaluate", b'{"formula": "(A - B) * / C", "year": 2024}'),
        (
            "POST",
            "/evaluate",
            b'{"formula": "A", "year": 2024, "data": [{"code": "A", "year": 2024, "value": NaN}]}',
        ),
        (
            "POST",
            "/evaluate",
            b'{"formula": "A", "year": 2024, "data": [{"code": "A", '
            b'"year": 2024, "value": 1}, {"code": "A", "year": 2024, "value": 2}]}',
        ),
        ("POST", "/check", b'{"target": ">= 90 %", "acutal": "91 %"}'),
    ]
    good = [*evaluations, *checks]
    requests: list[Request] = []
    for index, request in enumerate(good):
        requests.append(request)
        if index % 9 == 8:
            requests.append(refused[(index // 9) % len(refused)])
    return requests


@dataclass
class Server:
    """A running service: its base URL and its process id."""

    url: str
    pid: int


@contextmanager
def serving() -> Iterator[Server]:
    """The example service under uvicorn on a free loopback port, stopped on exit."""
    import psutil

    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", str(SERVICE), "app:app",
        "--host", "127.0.0.1", "--port", "0", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            port = _listening_port(psutil.Process(process.pid), process)
            yield Server(f"http://127.0.0.1:{port}", process.pid)
        except Exception:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-4000:])
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _listening_port(server: Any, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn stopped (exit status {process.returncode})")
        for connection in server.net_connections(kind="tcp"):
            if connection.status == "LISTEN":
                return int(connection.laddr.port)
        time.sleep(0.05)
    raise RuntimeError("uvicorn did not listen within 60 s")


@dataclass
class Phase:
    """What one batch of requests met."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    server_seconds: float = 0.0
    """CPU time the server spent (user and system): unlike throughput, little moved
    by the client's own cost or by other jobs on the machine."""

    def add(self, other: Phase) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.server_seconds += other.server_seconds

    @property
    def server_cpu(self) -> float:
        """The server's CPU time per request."""
        return self.server_seconds / len(self.latencies)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def text(self) -> str:
        return (
            f"{self.percentile(0.5) * 1e3:,.2f} ms p50 · {self.percentile(0.99) * 1e3:,.2f} ms "
            f"p99 · {self.throughput:,.0f} req/s"
        )


async def _send(url: str, requests: list[Request], count: int, clients: int) -> Phase:
    """``count`` requests from ``clients`` concurrent connections, taking ``requests``
    in turn; bounded by REQUEST_TIMEOUT each and RUN_TIMEOUT in all."""
    import httpx

    phase = Phase()
    turn = iter(range(count))
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        for index in turn:
            method, path, body = requests[index % len(requests)]
            start = time.perf_counter()
            response = await http.request(method, path, content=body, headers=headers)
            phase.latencies.append(time.perf_counter() - start)
            phase.statuses[response.status_code] += 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT) as http:
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(client(http) for _ in range(clients))), RUN_TIMEOUT)
        phase.seconds = time.perf_counter() - start
    return phase


@dataclass
class Load:
    """The load test's findings."""

    health: Phase
    service: Phase
    memory: list[int]
    """The server's resident memory (bytes) after warm-up and after each round."""

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.service.statuses.items() if status >= 500) + sum(
            n for status, n in self.health.statuses.items() if status >= 500
        )

    @property
    def growth(self) -> float:
        return self.memory[-1] / self.memory[0] - 1


def run(
    requests: int = 6_000, clients: int = 8, rounds: int = 3, warm_passes: int = WARM_PASSES
) -> Load:
    """Serve, send the workload ``warm_passes`` times over, then ``rounds`` turns of
    GET /health and the workload, ``requests`` of each in all."""
    import psutil

    work = workload()
    health: list[Request] = [("GET", "/health", None)]
    per_round = max(1, requests // rounds)
    with serving() as server:
        process = psutil.Process(server.pid)

        def phase(requests: list[Request], count: int) -> Phase:
            before = process.cpu_times()
            found = asyncio.run(_send(server.url, requests, count, clients))
            after = process.cpu_times()
            found.server_seconds = after.user + after.system - before.user - before.system
            return found

        phase(work, warm_passes * len(work))
        memory = [process.memory_info().rss]
        total_health, total_service = Phase(), Phase()
        for _ in range(rounds):
            total_health.add(phase(health, per_round))
            total_service.add(phase(work, per_round))
            memory.append(process.memory_info().rss)
    return Load(total_health, total_service, memory)


def rows_of(load: Load, clients: int) -> list[list[str]]:
    """The findings as benchmark rows: measure, time, baseline, ratio, goal."""
    count = len(load.service.latencies)
    statuses = ", ".join(f"{n:,} × {status}" for status, n in sorted(load.service.statuses.items()))
    first, last = load.memory[0] / 2**20, load.memory[-1] / 2**20
    return [
        [
            f"service: `GET /health`, {clients} clients on loopback (uvicorn, one worker)",
            load.health.text(),
            "—",
            "1.00×",
            "baseline",
        ],
        [
            f"service: `/evaluate` and `/check`, the Modena plan, {count:,} requests ({statuses})",
            load.service.text(),
            "/health",
            f"{load.health.throughput / load.service.throughput:.2f}×",
            "—",
        ],
        [
            "service: server CPU time per request, `GET /health`",
            f"{load.health.server_cpu * 1e3:,.2f} ms",
            "—",
            "1.00×",
            "baseline",
        ],
        [
            "service: server CPU time per request, `/evaluate` and `/check`",
            f"{load.service.server_cpu * 1e3:,.2f} ms",
            "/health",
            f"{load.service.server_cpu / load.health.server_cpu:.2f}×",
            "—",
        ],
        ["service: answers 5xx", f"{load.server_errors} of {count:,}", "—", "—", "0"],
        [
            "service: server resident memory, after warm-up → after the run",
            f"{first:,.1f} → {last:,.1f} MB ({load.growth:+.1%})",
            "—",
            "—",
            f"flat (≤ {MEMORY_GOAL:.0%})",
        ],
    ]


def measure(
    rows: list[list[str]],
    *,
    requests: int = 6_000,
    clients: int = 8,
    warm_passes: int = WARM_PASSES,
) -> None:
    """Add the load test's rows to ``rows`` (benchmarks/run.py's table)."""
    try:
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import psutil  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        rows.append(["service load test", "not installed", "", "", "pip install '.[dev]'"])
        return
    rows.extend(rows_of(run(requests, clients, warm_passes=warm_passes), clients))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6_000, help="requests measured")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    args = parser.parse_args()
    load = run(args.requests, args.clients)
    header = ["measure", "time", "baseline", "ratio", "goal"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for line in rows_of(load, args.clients):
        print("| " + " | ".join(line) + " |")
    print(f"\nPython {sys.version.split()[0]}, kpi_formula {kf.__version__}")
    median = statistics.median(load.service.latencies) * 1e3
    print(f"median latency {median:.2f} ms over {len(load.service.latencies):,} requests")
    return 0 if load.server_errors == 0 and load.growth <= MEMORY_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
