"""Review fixes in ``medcalc serve``: a client that hangs up mid-upload is a 499, not a 500; a
batch upload named like the output file runs; ``/readyz`` (no token) names no server path, and
a refused admin reload is a 409."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from starlette.types import Message

from medcalc.cli import cli
from medcalc.service import ServiceConfig, create_app
from medcalc.tariff import bundled_dir

from support import problem

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
SERIES = "qingyuan-qingcheng"
ADMIN_TOKEN = "admin-token-0123456789abcdef"
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}
BROKEN = "format: 1\nseries: [\n"


# -- 1. a client that disconnects mid-upload --------------------------------------------------

MULTIPART = "multipart/form-data; boundary=medcalc-boundary"
#: The start of a multipart body, up to the first bytes of the file (a parser's error would
#: otherwise answer first).
PART = (
    b"--medcalc-boundary\r\n"
    b'Content-Disposition: form-data; name="file"; filename="claims.csv"\r\n\r\nabc'
)


@pytest.mark.parametrize(
    ("path", "media", "start"),
    [
        ("/v1/claims", "application/json", b'{"a'),
        ("/v1/tariffs/validate", "application/yaml", b"abc"),
        ("/v1/batch/claims", "text/csv", b"abc"),
        ("/v1/batch/claims", MULTIPART, PART),
    ],
    ids=["claims", "validate", "batch-raw", "batch-multipart"],
)
def test_client_disconnect_mid_body_is_499_without_error_log(
    path: str, media: str, start: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Content-Length: 500, a few bytes, then the client is gone (as a raw socket that closes):
    nothing is sent back, the request is counted and logged as 499 (nginx's "client closed
    request"), no "unexpected error" is logged and no 5xx is counted."""
    app = create_app(ServiceConfig(handle_sighup=False))
    messages: list[Message] = [
        {"type": "http.request", "body": start, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        # After the body's end a server answers every further receive with a disconnect.
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", media.encode()), (b"content-length", b"500")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def main() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    with caplog.at_level(logging.INFO):
        anyio.run(main)

    assert sent == []  # nobody to answer
    registry = app.state.metrics.registry
    labels = {"method": "POST", "route": path}
    assert registry.get_sample_value("medcalc_http_requests_total", labels | {"status": "499"}) == 1
    assert (
        registry.get_sample_value("medcalc_http_requests_total", labels | {"status": "500"}) is None
    )
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    access = [r for r in caplog.records if r.name == "medcalc.access"]
    assert [r.fields["status"] for r in access] == [499]  # type: ignore[attr-defined]


# -- 2. a batch upload named result.csv ----------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(create_app(ServiceConfig()), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("name", ["result.csv", "RESULT.csv", "result.jsonl.csv", "claims.csv"])
def test_upload_named_like_the_output_is_the_cli_bytes(
    client: TestClient, tmp_path: Path, name: str
) -> None:
    """The service writes result.<ext> beside the upload; an upload called result.csv was
    refused with the CLI's "choose another -o". It is the same bytes as `medcalc batch`."""
    source = EXAMPLES / "claims.csv"
    out = tmp_path / "out.csv"
    done = CliRunner().invoke(
        cli, ["batch", "claims", str(source), "-o", str(out)], catch_exceptions=False
    )
    assert done.exit_code in (0, 3), done.output
    response = client.post("/v1/batch/claims", files={"file": (name, source.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.content == out.read_bytes()


@pytest.mark.parametrize("name", ["result.csv", "mine.csv"])
def test_batch_messages_name_the_clients_file(client: TestClient, name: str) -> None:
    """A file the batch cannot read is named as the client sent it: never the name the
    service spooled it under, a temporary path, or a CLI option."""
    got = problem(client.post("/v1/batch/claims", files={"file": (name, b"\xff\xfe\x00a")}), 422)
    detail = got["detail"]
    assert detail.startswith(f"{name} "), detail
    assert "input.csv" not in detail and tempfile.gettempdir() not in detail
    assert not re.search(r"(^|\s)--?[a-z]", detail), detail


# -- 3. /readyz names no path; a refused reload is 409 ---------------------------------------


def test_readyz_tells_that_and_when_a_reload_failed_without_a_path(tmp_path: Path) -> None:
    """/readyz needs no token: a refused reload is told with its time only. The admin's
    reload answer (behind the token) is a 409 with the loader's FILE:LINE:COL."""
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{ADMIN_TOKEN} admin\n", encoding="utf-8")
    extra = tmp_path / "extra"
    extra.mkdir()
    source = (bundled_dir() or ROOT / "tariffs") / SERIES / "2019.yaml"
    config = ServiceConfig(tariff_dirs=(extra,), tokens_file=tokens, handle_sighup=False)
    with TestClient(create_app(config)) as c:
        fresh = c.get("/readyz").json()
        assert fresh["last_reload_error"] is None and fresh["last_reload_failed_at"] is None

        (extra / "broken.yaml").write_text(BROKEN, encoding="utf-8")
        before = dt.datetime.now(dt.UTC)
        got = problem(c.post("/v1/admin/reload", headers=ADMIN), 409)
        after = dt.datetime.now(dt.UTC)
        assert got["title"] == "Conflict"
        assert re.search(r"unchanged: .*broken\.yaml:\d+:\d+: ", got["detail"]), got["detail"]

        ready = c.get("/readyz")
        assert ready.status_code == 200
        body = ready.json()
        text = json.dumps(body, ensure_ascii=False)
        assert str(tmp_path) not in text and "broken.yaml" not in text and "/" not in text
        assert body["last_reload_error"].startswith("the last reload failed")
        failed_at = dt.datetime.fromisoformat(body["last_reload_failed_at"])
        assert before <= failed_at <= after

        (extra / "broken.yaml").unlink()
        (extra / "other.yaml").write_bytes(source.read_bytes().replace(SERIES.encode(), b"o"))
        assert c.post("/v1/admin/reload", headers=ADMIN).json()["reloaded"] is True
        clean = c.get("/readyz").json()
        assert clean["last_reload_error"] is None and clean["last_reload_failed_at"] is None


def test_openapi_says_409_for_a_refused_reload(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    responses = doc["paths"]["/v1/admin/reload"]["post"]["responses"]
    assert "409" in responses and "422" not in responses
    ready = doc["paths"]["/readyz"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(ready["schema"]["properties"]) >= {"last_reload_error", "last_reload_failed_at"}
