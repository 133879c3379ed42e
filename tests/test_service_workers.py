"""``medcalc serve --workers 2`` on a loopback port: a reload (SIGHUP to the parent or to a
worker, or the admin endpoint) reaches every worker; a broken tariff file is refused and
never stops a worker, not even one started while it is on disk."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from medcalc.tariff import bundled_dir
from test_service_process import ROOT, SERIES, Server

ADMIN = "s3cret-token-for-the-admin-00002"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
BROKEN = "format: 1\nseries: [\n"  # the flow sequence never closes: line 3, column 1
OTHER = "/v1/tariffs/other/2019.1"


def other_yaml(title: str) -> bytes:
    """Series ``other``: the bundled 2019 file renamed, its title changed (a new sha256)."""
    source = (bundled_dir() or ROOT / "tariffs") / SERIES / "2019.yaml"
    text = source.read_text(encoding="utf-8").replace(SERIES, "other")
    return text.replace("2019年度，示例", title, 1).encode()


def log_lines(server: Server) -> list[dict[str, Any]]:
    """The server's JSON log so far, read without moving the file offset it writes at."""
    size = os.fstat(server.log.fileno()).st_size
    text = os.pread(server.log.fileno(), size, 0).decode("utf-8", "replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def worker_pids(server: Server) -> set[int]:
    """The parent's worker processes (multiprocessing spawns them with ``spawn_main``)."""
    parent = server.process.pid
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def ask(server: Server, count: int) -> dict[int, set[str]]:
    """``count`` GETs of the ``other`` tariff, a new connection each (so both workers
    answer); the sha256s each worker pid answered, matched through the access log."""
    answers: dict[str, str] = {}
    for _ in range(count):
        request_id = uuid.uuid4().hex
        response = httpx.get(server.url + OTHER, headers={**AUTH, "X-Request-Id": request_id})
        assert response.status_code == 200, response.text
        answers[request_id] = response.json()["sha256"]
    by_pid: dict[int, set[str]] = {}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the access line follows the response by a moment
        lines = {e.get("request_id"): e for e in log_lines(server)}
        if all(r in lines for r in answers):
            for request_id, sha in answers.items():
                by_pid.setdefault(lines[request_id]["pid"], set()).add(sha)
            return by_pid
        time.sleep(0.05)
    raise AssertionError("access lines missing")


def until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError("condition not reached")


def every_worker_answers(server: Server, sha: str) -> bool:
    """True once each live worker has answered ``sha`` and nothing else in a round."""
    pids = worker_pids(server)
    answered = ask(server, 12)
    return set(answered) == pids and all(shas == {sha} for shas in answered.values())


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    extra = tmp_path / "tariffs"
    extra.mkdir()
    (extra / "other.yaml").write_bytes(other_yaml("first"))
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{ADMIN} admin\n", encoding="utf-8")
    server = Server("--workers", "2", "--tariffs", str(extra), "--tokens", str(tokens))
    try:
        server.wait_ready()
        until(lambda: len(worker_pids(server)) == 2)
        yield server, extra
    finally:
        server.stop()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_sighup_with_a_broken_file_keeps_every_worker_on_the_old_tables(
    workers: tuple[Server, Path],
) -> None:
    """SIGHUP with a broken file: refused (logged with FILE:LINE:COL), the same workers keep
    serving the old tables, a worker started meanwhile gets them too; once the file is fixed,
    SIGHUP brings the new tables to every worker."""
    server, extra = workers
    old = sha(other_yaml("first"))
    until(lambda: every_worker_answers(server, old))
    pids = worker_pids(server)

    (extra / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    server.process.send_signal(signal.SIGHUP)
    refused = until(
        lambda: [e for e in log_lines(server) if e["message"].startswith("tariff reload refused")]
    )
    assert re.search(r"broken\.yaml:3:1: ", refused[0]["error"]), refused[0]
    assert refused[0]["pid"] == server.process.pid
    # Every worker learns of the refusal (readyz says when, and names no file: it needs no
    # token) and keeps its tables.
    until(lambda: [e.get("generation") for e in _reloads(server, pids)] == [2, 2])
    ready = httpx.get(f"{server.url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["last_reload_error"].startswith("the last reload failed")
    assert ready.json()["last_reload_failed_at"] is not None
    assert "broken.yaml" not in ready.text and str(extra) not in ready.text
    until(lambda: every_worker_answers(server, old))
    assert worker_pids(server) == pids and server.process.poll() is None

    # A worker that dies while the broken file is on disk is replaced by one that serves the
    # parent's checked book (uvicorn alone stopped the whole service here).
    victim = min(pids)
    os.kill(victim, signal.SIGKILL)
    until(lambda: len(worker_pids(server)) == 2 and victim not in worker_pids(server))
    until(lambda: every_worker_answers(server, old))
    assert server.process.poll() is None

    (extra / "broken.yaml").unlink()
    (extra / "other.yaml").write_bytes(other_yaml("second"))
    server.process.send_signal(signal.SIGHUP)
    until(lambda: every_worker_answers(server, sha(other_yaml("second"))))
    clean = httpx.get(f"{server.url}/readyz").json()
    assert clean["last_reload_error"] is None and clean["last_reload_failed_at"] is None


def _reloads(server: Server, pids: set[int]) -> list[dict[str, Any]]:
    """The last reload line of each worker in ``pids`` (empty until each has one)."""
    last: dict[int, dict[str, Any]] = {}
    for entry in log_lines(server):
        if entry["pid"] in pids and "generation" in entry:
            last[entry["pid"]] = entry
    return list(last.values()) if set(last) == pids else []


def test_admin_reload_and_worker_sighup_reach_every_worker(
    workers: tuple[Server, Path],
) -> None:
    """POST /v1/admin/reload answers the parent's outcome (409 with FILE:LINE:COL for a
    broken file, 200 after) and the new tables reach every worker; SIGHUP to one worker
    does the same."""
    server, extra = workers
    (extra / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    refused = httpx.post(f"{server.url}/v1/admin/reload", headers=AUTH)
    assert refused.status_code == 409
    assert re.search(
        r"tables in force are unchanged: .*broken\.yaml:3:1: ", refused.json()["detail"]
    )
    until(lambda: every_worker_answers(server, sha(other_yaml("first"))))

    (extra / "broken.yaml").unlink()
    (extra / "other.yaml").write_bytes(other_yaml("second"))
    done = httpx.post(f"{server.url}/v1/admin/reload", headers=AUTH)
    assert done.status_code == 200
    assert done.json() == {"reloaded": True, "tariff_versions": 4}  # 3 bundled + other
    until(lambda: every_worker_answers(server, sha(other_yaml("second"))))

    (extra / "other.yaml").write_bytes(other_yaml("third"))
    os.kill(min(worker_pids(server)), signal.SIGHUP)  # as `pkill -HUP -P PARENT` would
    until(lambda: every_worker_answers(server, sha(other_yaml("third"))))
    assert server.process.poll() is None
