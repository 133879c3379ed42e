"""``POST /v1/compare/{claims,premiums}`` (issue 16): the bytes ``medcalc compare`` writes, the
summary as JSON, the batch endpoint's limits, clear problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from medcalc.batch import CompareJob
from medcalc.service import ServiceConfig, create_app
from medcalc.tariff import load_book, load_tariff

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
PROPOSAL = EXAMPLES / "proposal_threshold_3000.yaml"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServiceConfig()), raise_server_exceptions=False) as c:
        yield c


def parts(source: Path, proposal: bytes | None = None) -> dict[str, tuple[str, bytes]]:
    return {
        "file": (source.name, source.read_bytes()),
        "proposal": ("proposal.yaml", PROPOSAL.read_bytes() if proposal is None else proposal),
    }


@pytest.mark.parametrize(
    ("kind", "source"),
    [("claims", EXAMPLES / "claims.csv"), ("premiums", EXAMPLES / "premiums.csv")],
)
def test_the_file_is_what_compare_writes(
    client: TestClient, tmp_path: Path, kind: str, source: Path
) -> None:
    response = client.post(f"/v1/compare/{kind}", files=parts(source))
    assert response.status_code == 200, response.text
    out = tmp_path / "out.csv"
    CompareJob.plan(kind, source, out).run(load_book(()), load_tariff(PROPOSAL))
    assert response.content == out.read_bytes()
    assert response.headers["medcalc-row-errors"] == "0"


def test_the_summary_as_json(client: TestClient) -> None:
    response = client.post(
        "/v1/compare/claims?response=summary", files=parts(EXAMPLES / "claims_2018.csv")
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["source"] == "claims_2018.csv"
    assert document["proposal"]["version"] == "2018.1-threshold-3000"
    oop = next(t for t in document["totals"] if t["amount"] == "out_of_pocket")
    assert (oop["change"], oop["change_percent"]) == ("-990.00", "-0.90")
    assert document["persons"] == {"count": 7, "better_off": 3, "worse_off": 0, "unchanged": 4}


def test_problems(client: TestClient) -> None:
    source = EXAMPLES / "claims.csv"
    missing = client.post("/v1/compare/claims", files={"file": ("c.csv", source.read_bytes())})
    assert missing.status_code == 400 and "'proposal'" in missing.json()["detail"]
    raw = client.post(
        "/v1/compare/claims", content=source.read_bytes(), headers={"content-type": "text/csv"}
    )
    assert raw.status_code == 415
    other = PROPOSAL.read_bytes().replace(b"series: qingyuan-qingcheng", b"series: elsewhere")
    wrong = client.post("/v1/compare/claims", files=parts(source, other))
    assert wrong.status_code in (404, 422), wrong.text
    assert "'elsewhere'" in wrong.json()["detail"]
    assert "/tmp" not in wrong.json()["detail"]
    bad = client.post("/v1/compare/claims?response=pdf", files=parts(source))
    assert bad.status_code == 400


def test_the_upload_limit_applies() -> None:
    with TestClient(create_app(ServiceConfig(max_upload_bytes=500))) as c:
        response = c.post("/v1/compare/claims", files=parts(EXAMPLES / "claims.csv"))
        assert response.status_code == 413


def test_problems_in_chinese_on_request(client: TestClient) -> None:
    source = EXAMPLES / "claims.csv"
    missing = client.post(
        "/v1/compare/claims?lang=zh", files={"file": ("c.csv", source.read_bytes())}
    )
    assert missing.status_code == 400
    assert "名为 'proposal' 的部分" in missing.json()["detail"]
