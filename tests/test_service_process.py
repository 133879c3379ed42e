"""A real ``medcalc serve`` on a loopback port, started and stopped by the tests: HTTP end to
end, the batch endpoint against ``medcalc batch`` on a seeded 50k-row file, SIGHUP reload,
start-up errors, and a bounded load test (10,000 mixed requests, 10 % malformed, 32 clients)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from medcalc import Calculator, claims_json, load_book
from medcalc.chain import Claim, Person
from medcalc.cli import cli
from medcalc.tariff import bundled_dir

from support import D, day

ROOT = Path(__file__).parents[1]
SERIES = "qingyuan-qingcheng"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """One ``medcalc serve`` subprocess; :meth:`stop` always ends it."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        environ = {k: v for k, v in os.environ.items() if k != "MEDCALC_TARIFFS"}
        # A file, not a pipe: the access log of a load test would fill a pipe and block it.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "medcalc", "serve", "--port", str(self.port), *args],
            env={**environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"medcalc serve exited: {self.stop()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"medcalc serve did not start: {self.stop()}")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); its stderr."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        self.log.close()
        return text


@pytest.fixture(scope="module")
def extra_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("extra-tariffs")


@pytest.fixture(scope="module")
def server(extra_dir: Path) -> Iterator[Server]:
    started = Server("--tariffs", str(extra_dir))
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def test_claims_over_http_agree_with_the_library(server: Server) -> None:
    """A real server answers POST /v1/claims with the library's document."""
    body = {
        "person": {"categories": ["poverty"]},
        "claims": [{"date": "2018-09-14", "hospital_level": "level_3", "compliant": "72000"}],
    }
    response = httpx.post(f"{server.url}/v1/claims", json=body)
    assert response.status_code == 200
    claim = Claim(date=day("2018-09-14"), compliant=D("72000"), hospital_level="level_3")
    result = Calculator(load_book()).claims(SERIES, Person(categories={"poverty"}), [claim])
    assert response.json() == json.loads(json.dumps(claims_json(result)))
    assert response.headers["x-request-id"]
    assert "server" not in response.headers


def seeded_claims_csv(path: Path, rows: int, seed: int = 13) -> Path:
    """A claims file like a district's export: 50k rows, persons with several claims across
    years, amounts with and without separators, some full-width digits, a few bad rows."""
    rng = random.Random(seed)
    header = [
        "person_id", "姓名", "series", "categories", "disability_grade", "disability_type",
        "claim_id", "date", "hospital_level", "total", "compliant", "备注",
    ]  # fmt: skip
    categories = ["", "poverty", "low_income", "five_guarantee", "poverty;low_income"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n in range(rows):
        person = rng.randrange(rows // 3)
        compliant = rng.randrange(0, 40_000_000) / 100
        total = compliant + rng.randrange(0, 1_000_000) / 100
        amount = f"{compliant:,.2f}" if rng.random() < 0.3 else f"{compliant:.2f}"
        if rng.random() < 0.01:
            amount = "-" + amount  # a bad row: the row gets an error, its person's later ones too
        grade = str(rng.randint(1, 4)) if rng.random() < 0.05 else ""
        writer.writerow(
            [
                f"P{person:06d}",
                "张三",
                SERIES,
                categories[person % len(categories)],
                grade,
                "physical" if grade else "",
                f"C{n:07d}",
                f"{rng.randint(2018, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"level_{rng.randint(1, 3)}",
                f"{total:.2f}",
                amount,
                "备注" if rng.random() < 0.1 else "",
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.slow
def test_batch_endpoint_is_byte_identical_on_50k_rows(server: Server, tmp_path: Path) -> None:
    """The seeded 50k-row file gives the same bytes from the service as from medcalc batch."""
    source = seeded_claims_csv(tmp_path / "claims.csv", 50_000)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["batch", "claims", str(source), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 3, result.output  # the seeded bad rows
    with source.open("rb") as f:
        response = httpx.post(
            f"{server.url}/v1/batch/claims",
            content=f,
            headers={"content-type": "text/csv"},
            timeout=300,
        )
    assert response.status_code == 200
    assert response.content == out.read_bytes()
    errors = sum(
        1 for row in csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))) if row["error"]
    )
    assert int(response.headers["medcalc-row-errors"]) == errors > 0
    assert response.headers["medcalc-rows"] == "50000"


def test_sighup_reloads_and_a_broken_file_keeps_the_old_tables(
    server: Server, extra_dir: Path
) -> None:
    """SIGHUP loads a new version; after a broken file, SIGHUP leaves the old tables serving."""
    source = (bundled_dir() or ROOT / "tariffs") / SERIES / "2019.yaml"
    (extra_dir / "other.yaml").write_bytes(source.read_bytes().replace(SERIES.encode(), b"other"))
    server.process.send_signal(signal.SIGHUP)
    _until(lambda: httpx.get(f"{server.url}/v1/tariffs/other").status_code == 200)
    (extra_dir / "broken.yaml").write_text("format: 1\nseries: [\n", encoding="utf-8")
    try:
        server.process.send_signal(signal.SIGHUP)
        _until(lambda: httpx.get(f"{server.url}/readyz").json()["last_reload_error"] is not None)
        # /readyz needs no token: when the reload failed, never the file (that is in the log).
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.json()["last_reload_failed_at"] is not None
        assert "broken.yaml" not in ready.text and str(extra_dir) not in ready.text
        assert httpx.get(f"{server.url}/v1/tariffs/other").status_code == 200
        assert server.process.poll() is None
    finally:
        (extra_dir / "broken.yaml").unlink()
        (extra_dir / "other.yaml").unlink()
        server.process.send_signal(signal.SIGHUP)
        _until(lambda: httpx.get(f"{server.url}/v1/tariffs/other").status_code == 404)


def _requests_metric(server: Server, route: str, status: str) -> float:
    label = f'medcalc_http_requests_total{{method="POST",route="{route}",status="{status}"}}'
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(label + " "):
            return float(line.split()[1])
    return 0.0


@pytest.mark.parametrize(
    ("route", "media"),
    [
        ("/v1/claims", "application/json"),
        ("/v1/tariffs/validate", "application/yaml"),
        ("/v1/batch/claims", "text/csv"),
    ],
)
def test_a_client_that_hangs_up_mid_upload_is_499_not_500(
    server: Server, route: str, media: str
) -> None:
    """A raw socket that announces 50 bytes, sends 3 and closes: counted as 499 (the client
    closed the request), never as a 500 (it was counted and logged as an unexpected error)."""
    before = _requests_metric(server, route, "499")
    with socket.create_connection((HOST, server.port)) as raw:
        raw.sendall(
            f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: {media}\r\n"
            "Content-Length: 50\r\n\r\nabc".encode()
        )
        time.sleep(0.1)  # the request reaches the app before the connection goes
    _until(lambda: _requests_metric(server, route, "499") == before + 1)
    assert _requests_metric(server, route, "500") == 0
    assert server.process.poll() is None


def _until(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_start_with_broken_tariffs_is_one_clean_error(tmp_path: Path) -> None:
    """`medcalc serve` with a tariff file that does not load exits 1 with the CLI's error line."""
    (tmp_path / "broken.yaml").write_text("format: 1\nseries: [\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MEDCALC_TARIFFS"}
    done = subprocess.run(
        [sys.executable, "-m", "medcalc", "serve", "--port", str(free_port()),
         "--tariffs", str(tmp_path)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("错误: ") and "broken.yaml:" in done.stderr
    assert "Traceback" not in done.stderr


def test_binds_to_loopback_by_default(server: Server) -> None:
    """Without --host the server listens on 127.0.0.1 only."""
    with socket.socket() as s:
        s.settimeout(1)
        assert s.connect_ex((HOST, server.port)) == 0
    addresses = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {HOST}:
        if address.startswith("127."):
            continue
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, server.port)) != 0


# -- load test -------------------------------------------------------------------------------

JSON = "application/json"
MALFORMED: list[tuple[str, str, bytes, str]] = [
    ("POST", "/v1/claims", b'{"claims": [', "application/json"),
    ("POST", "/v1/claims", b'{"claims": [{"date": "2018-13-01", "compliant": "1"}]}', JSON),
    ("POST", "/v1/claims", b'{"claims": [{"date": "2018-01-01", "compliant": "1.2345"}]}', JSON),
    ("POST", "/v1/premiums", b'{"year": "soon"}', "application/json"),
    ("POST", "/v1/claims", b"claims=1", "application/x-www-form-urlencoded"),
    ("GET", "/v1/tariffs/nowhere", b"", ""),
    ("POST", "/v1/tariffs/validate", b"format: [", "application/yaml"),
    ("POST", "/v1/batch/claims", b"\xff\xfe\x00x", "text/csv"),
]  # fmt: skip
GOOD: list[tuple[str, str, bytes, str]] = [
    (
        "POST",
        "/v1/claims",
        json.dumps(
            {
                "person": {"categories": ["poverty"]},
                "claims": [
                    {"date": "2018-09-14", "hospital_level": "level_3", "compliant": "72000"}
                ],
            }
        ).encode(),
        "application/json",
    ),
    (
        "POST",
        "/v1/premiums",
        b'{"person": {"birth_date": "1975-04-12"}, "year": 2019}',
        "application/json",
    ),
    ("GET", "/v1/tariffs", b"", ""),
    ("GET", f"/v1/tariffs/{SERIES}/2018.1", b"", ""),
    ("GET", "/healthz", b"", ""),
    (
        "POST",
        "/v1/batch/claims",
        (ROOT / "examples" / "claims.csv").read_bytes(),
        "text/csv",
    ),
]


def mixed_requests(count: int, seed: int = 7) -> list[tuple[str, str, bytes, str]]:
    """``count`` requests, every tenth malformed, the rest mostly single claims."""
    rng = random.Random(seed)
    weights = [70, 10, 5, 5, 5, 5]
    out = []
    for n in range(count):
        if n % 10 == 9:
            out.append(MALFORMED[rng.randrange(len(MALFORMED))])
        else:
            out.append(rng.choices(GOOD, weights)[0])
    return out


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: tuple[str, str, bytes, str],
) -> int:
    """One HTTP/1.1 request on a kept-alive connection; the status (every response of the
    service has a Content-Length)."""
    method, path, body, media = request
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
    if media:
        head += f"Content-Type: {media}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length"
    )
    await reader.readexactly(length)
    return status


async def _drive(url: str, requests: list[tuple[str, str, bytes, str]], clients: int) -> Any:
    """Send ``requests`` over ``clients`` kept-alive connections (a small raw HTTP/1.1 client:
    httpx costs the test more CPU than the server). A connection that breaks is a failure."""
    port = int(url.rsplit(":", 1)[1])
    statuses: dict[int, int] = {}
    failures: list[str] = []
    queue: asyncio.Queue[tuple[str, str, bytes, str]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while not queue.empty():
                request = queue.get_nowait()
                try:
                    status = await _exchange(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    failures.append(f"{request[0]} {request[1]}: {exc!r}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return statuses, failures


@pytest.mark.slow
def test_load_mixed_requests_no_5xx_no_drops_memory_flat(server: Server) -> None:
    """10,000 mixed requests (10 % malformed) from 32 clients: no 5xx, no dropped connection,
    and the server's RSS at the end within 20 % of its RSS after a warm-up of 1,000."""
    _, warm_failures = asyncio.run(_drive(server.url, mixed_requests(1000, 1), 32))
    assert not warm_failures
    warm = server.rss_kib()
    start = time.monotonic()
    statuses, failures = asyncio.run(_drive(server.url, mixed_requests(10_000), 32))
    elapsed = time.monotonic() - start
    end = server.rss_kib()
    assert failures == []
    assert sum(statuses.values()) == 10_000
    assert not any(status >= 500 for status in statuses), statuses
    assert sum(n for s, n in statuses.items() if 400 <= s < 500) == 1000  # exactly the malformed
    assert end <= warm * 1.2, (warm, end)
    print(f"load: 10,000 requests in {elapsed:.1f} s; RSS {warm} -> {end} KiB; {statuses}")
