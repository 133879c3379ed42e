"""``medcalc serve`` over real HTTP on loopback: single-claim requests/s and latency at 1, 8
and 64 concurrent clients on one worker, and the batch endpoint against ``medcalc batch``.

    .venv/bin/python benchmarks/bench_service.py                  # 10 s per level, 200k-row batch
    .venv/bin/python benchmarks/bench_service.py -d 5 -n 50000 --clients 64

Starts ``medcalc serve --workers 1`` on a free 127.0.0.1 port (its JSON log to a temporary
file, as in production), then:

- single claims: ``POST /v1/claims`` (one person, one claim, with the explanation) for
  ``--duration`` seconds per level of concurrency, after a 2 s warm-up. The load generator is
  ``wrk`` (Debian package ``wrk``) when it is installed, else a raw asyncio HTTP/1.1 client in
  this file (it costs more CPU than wrk). On a machine with two or more cores the server is
  pinned to CPU 0 and the load generator to CPU 1 (``taskset``), so the generator does not
  steal the server's core. Reported: requests/s, p50/p99 latency, and the server's CPU time
  per request (from ``/proc``), which says what one idle core would do whatever else the
  machine is running (requests/s of one core = 1 / CPU per request).
- batch: a seeded claims CSV of ``--rows`` rows through ``medcalc batch claims`` (a
  subprocess, wall time) and through ``POST /v1/batch/claims`` (the file streamed up, the
  result streamed down; wall time); the two outputs are compared byte for byte.

``--in-process N`` instead sends N single-claim requests straight to the ASGI app (no
socket, no uvicorn: a minimal fake transport, the JSON access log written to /dev/null) and
reports the CPU time a request costs in the app, the least of 15 blocks (the least
disturbed); with ``--profile``, cProfile's top functions too. That is the app's share of
the server's CPU per request, steady under load, and where to look for it.

Targets (issue 13): one worker >= 3,000 single-claim requests/s and p99 < 50 ms at 64
clients; the batch endpoint within 1.5x the CLI's time.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
SERIES = "qingyuan-qingcheng"
ONE_CLAIM = {"date": "2018-09-14", "hospital_level": "level_3", "compliant": "72000.00"}
CLAIM = json.dumps({"person": {"categories": ["poverty"]}, "claims": [ONE_CLAIM]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(cpu: int) -> list[str]:
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


class Server:
    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log.open("wb")
        command = [sys.executable, "-m", "medcalc", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*pinned(0), *command], stdout=subprocess.DEVNULL, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("medcalc serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# -- single claims -------------------------------------------------------------------------


def run_wrk(url: str, clients: int, duration: float) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(CLAIM)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n',
        encoding="utf-8",
    )
    try:
        done = subprocess.run(
            [*pinned(1), "wrk", "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--latency",
             "-s", str(script), f"{url}/v1/claims"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        script.unlink()
    out = done.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        assert match is not None, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    assert rate is not None and count is not None, out
    return {
        "requests_per_s": float(rate.group(1)),
        "requests": float(count.group(1)),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
    }


async def _client(port: int, deadline: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    body = CLAIM.encode()
    head = (
        f"POST /v1/claims HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        writer.write(head + body)
        lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        if b" 200 " not in lines[0]:
            raise SystemExit(f"unexpected response: {lines[0]!r}")
        length = next(
            int(h.split(b":")[1]) for h in lines if h.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
    writer.close()


def run_asyncio(url: str, clients: int, duration: float) -> dict[str, float]:
    port = int(url.rsplit(":", 1)[1])
    latencies: list[float] = []

    async def main() -> None:
        deadline = time.perf_counter() + duration
        await asyncio.gather(*(_client(port, deadline, latencies) for _ in range(clients)))

    if pinned(1):
        os.sched_setaffinity(0, {1})
    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests_per_s": len(ordered) / elapsed,
        "requests": float(len(ordered)),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
    }


def single_claims(server: Server, levels: list[int], duration: float) -> list[dict[str, Any]]:
    load = run_wrk if shutil.which("wrk") else run_asyncio
    load(server.url, 8, 2.0)  # warm-up
    results = []
    for clients in levels:
        before = cpu_seconds(server.process.pid)
        found: dict[str, Any] = load(server.url, clients, duration)
        cpu = cpu_seconds(server.process.pid) - before
        found["clients"] = clients
        found["server_cpu_us_per_request"] = cpu / found["requests"] * 1e6
        found["one_core_requests_per_s"] = found["requests"] / cpu if cpu else 0.0
        found["generator"] = "wrk" if load is run_wrk else "asyncio"
        results.append(found)
        print(
            f"{clients:>3} clients: {found['requests_per_s']:>7,.0f} req/s  "
            f"p50 {found['p50_ms']:6.2f} ms  p99 {found['p99_ms']:6.2f} ms  "
            f"server CPU {found['server_cpu_us_per_request']:5.0f} us/req "
            f"(= {found['one_core_requests_per_s']:,.0f} req/s on an idle core)",
            flush=True,
        )
    return results


# -- batch ---------------------------------------------------------------------------------


def seeded_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        ["person_id", "姓名", "series", "categories", "claim_id", "date", "hospital_level",
         "total", "compliant", "备注"]
    )  # fmt: skip
    categories = ["", "poverty", "low_income", "five_guarantee"]
    for n in range(rows):
        person = rng.randrange(max(rows // 3, 1))
        compliant = rng.randrange(0, 30_000_000) / 100
        amount = f"{compliant:,.2f}" if rng.random() < 0.1 else f"{compliant:.2f}"
        writer.writerow(
            [
                f"P{person:07d}", "张三", SERIES, categories[person % 4], f"C{n:08d}",
                f"{rng.randint(2018, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"level_{rng.randint(1, 3)}", f"{compliant + rng.randrange(0, 100000) / 100:.2f}",
                amount, "住院" if rng.random() < 0.1 else "",
            ]
        )  # fmt: skip
    path.write_text(buffer.getvalue(), encoding="utf-8")


def post_file(port: int, path: Path, target: Path) -> float:
    """Stream ``path`` up as text/csv, stream the answer to ``target``; wall seconds."""
    size = path.stat().st_size
    start = time.perf_counter()
    with socket.create_connection((HOST, port)) as s, path.open("rb") as f:
        s.sendall(
            f"POST /v1/batch/claims HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: text/csv\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode()
        )
        s.sendfile(f)
        reader = s.makefile("rb")
        status = reader.readline()
        if b" 200 " not in status:
            raise SystemExit(f"batch endpoint: {status!r}")
        while reader.readline() not in (b"\r\n", b""):
            pass
        with target.open("wb") as out:
            shutil.copyfileobj(reader, out, 1 << 20)
    return time.perf_counter() - start


def batch(server: Server, rows: int, directory: Path, repeat: int) -> dict[str, Any]:
    source = directory / "claims.csv"
    seeded_csv(source, rows)
    cli_out, http_out = directory / "cli.csv", directory / "http.csv"
    cli_times, http_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [*pinned(0), sys.executable, "-m", "medcalc", "batch", "claims", str(source),
             "-o", str(cli_out)],
            capture_output=True, check=False,
        )  # fmt: skip
        cli_times.append(time.perf_counter() - start)
        http_times.append(post_file(server.port, source, http_out))
    same = cli_out.read_bytes() == http_out.read_bytes()
    found = {
        "rows": rows,
        "cli_s": min(cli_times),
        "service_s": min(http_times),
        "ratio": min(http_times) / min(cli_times),
        "same_bytes": same,
    }
    print(
        f"batch {rows:,} rows: CLI {found['cli_s']:.2f} s ({rows / found['cli_s']:,.0f} rows/s), "
        f"service {found['service_s']:.2f} s ({rows / found['service_s']:,.0f} rows/s), "
        f"{found['ratio']:.2f}x; same bytes: {same}",
        flush=True,
    )
    if not same:
        raise SystemExit("the service's batch output differs from the CLI's")
    return found


# -- in process ----------------------------------------------------------------------------


def in_process(count: int, profile: bool) -> float:
    """CPU seconds per single-claim request through the ASGI app, the least of 15 blocks."""
    import cProfile
    import logging.config
    import pstats

    from medcalc.service import ServiceConfig, create_app, log_config

    logging.config.dictConfig(log_config("info"))
    devnull = open(os.devnull, "w")  # noqa: SIM115 - for the life of the run
    for name in ("medcalc.access", "medcalc.service"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
    app = create_app(ServiceConfig(handle_sighup=False))
    body = CLAIM.encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/claims", "raw_path": b"/v1/claims",
        "query_string": b"", "root_path": "", "client": (HOST, 50000), "server": (HOST, 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }  # fmt: skip
    statuses: list[int] = []

    async def one() -> None:
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(dict(scope), receive, send)

    async def run() -> float:
        startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await startup.put({"type": "lifespan.startup"})
        started: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        lifespan = asyncio.create_task(
            app({"type": "lifespan", "asgi": {"version": "3.0"}}, startup.get, started.put)
        )
        assert (await started.get())["type"] == "lifespan.startup.complete"
        for _ in range(300):  # warm-up: caches, first-use imports
            await one()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        blocks = []
        for _ in range(15):
            start = time.process_time()
            for _ in range(max(1, count // 15)):
                await one()
            blocks.append((time.process_time() - start) / max(1, count // 15))
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        lifespan.cancel()
        return min(blocks)

    cpu = asyncio.run(run())
    if set(statuses) != {200}:
        raise SystemExit(f"unexpected statuses: {sorted(set(statuses))}")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-d", "--duration", type=float, default=10, help="seconds a level (10)")
    parser.add_argument("--clients", type=int, action="append", help="levels (1, 8, 64)")
    parser.add_argument("-n", "--rows", type=int, default=200_000, help="batch rows (200,000)")
    parser.add_argument("--repeat", type=int, default=3, help="batch runs, best kept (3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--in-process", type=int, metavar="N", help="N requests to the ASGI app")
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile")
    args = parser.parse_args()
    if args.in_process:
        cpu = in_process(args.in_process, args.profile)
        print(f"in process: {cpu * 1e6:.1f} us of CPU a single-claim request (least of 15 blocks)")
        return
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
          f"generator: {'wrk' if shutil.which('wrk') else 'asyncio'}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        server = Server(Path(tmp) / "serve.log")
        try:
            results = {
                "single": single_claims(server, args.clients or [1, 8, 64], args.duration),
                "batch": batch(server, args.rows, Path(tmp), args.repeat) if args.rows else None,
            }
        finally:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
