"""The service's errors in Chinese on request: English by default (the API's messages are
stable), Chinese for ``?lang=zh`` or an ``Accept-Language`` that prefers ``zh`` (docs/service.md
§3), with the same status, pointer and shape; the Chinese is the catalogue's
(:func:`medcalc.present.translate` of the English detail)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from medcalc.present import translate
from medcalc.service import ServiceConfig, create_app

from support import problem

SERIES = "qingyuan-qingcheng"
BAD_AMOUNT = {
    "person": {"categories": ["poverty"]},
    "claims": [{"date": "2018-09-14", "hospital_level": "level_3", "compliant": "1,234.567"}],
}
ENGLISH = "compliant: 1234.567 has more than 2 decimal places"
CHINESE = "政策范围内费用：1234.567 的小数超过 2 位（金额只到分）"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServiceConfig()), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    ("query", "headers", "detail"),
    [
        ("", {}, ENGLISH),
        ("?lang=zh", {}, CHINESE),
        ("?lang=zh-CN", {}, CHINESE),
        ("", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, CHINESE),
        ("", {"Accept-Language": "ZH"}, CHINESE),
        ("?lang=en", {"Accept-Language": "zh"}, ENGLISH),  # the query wins
        ("", {"Accept-Language": "en-US,zh;q=0.5"}, ENGLISH),  # English is liked best
        ("", {"Accept-Language": "en;q=0.1,zh-TW;q=0.8"}, CHINESE),
        ("", {"Accept-Language": "zh;q=0"}, ENGLISH),  # q=0: not acceptable
        ("", {"Accept-Language": "*"}, ENGLISH),
        ("?lang=fr", {}, ENGLISH),
    ],
)
def test_a_claims_error_in_the_language_asked_for(
    client: TestClient, query: str, headers: dict[str, str], detail: str
) -> None:
    """The same 422 with the same pointer; only the detail's language changes."""
    body = problem(client.post(f"/v1/claims{query}", json=BAD_AMOUNT, headers=headers), 422)
    assert body["detail"] == detail
    assert body["pointer"] == "/claims/0/compliant"
    assert body["title"] == "Unprocessable Content"  # the RFC 9110 phrase, as it is


def test_the_requests_own_errors_in_chinese(client: TestClient) -> None:
    """The service's own messages (an unknown field, bad JSON, a wrong Content-Type, a year,
    a limit) come from the catalogue too."""
    unknown = {"person": {"category": "poverty"}, "claims": [{"date": "2018-09-14"}]}
    body = problem(client.post("/v1/claims?lang=zh", json=unknown), 422)
    assert body["detail"] == (
        "未知的字段 'category'（是否想写 'categories'？）；可用的字段：person_id, categories, "
        "disability_grade, disability_type, enrolled_on, birth_date"
    )
    assert body["pointer"] == "/person/category"
    cut = b'{"claims": [{"date": "2018-09-14",'
    json_type = {"Content-Type": "application/json"}
    body = problem(client.post("/v1/claims?lang=zh", content=cut, headers=json_type), 400)
    assert body["detail"] == (
        "request:1:35：不是有效的 JSON：Expecting property name enclosed in double quotes"
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = problem(client.post("/v1/claims?lang=zh", content=b"claims=1", headers=form), 415)
    assert body["detail"] == (
        "此处不接受 Content-Type 'application/x-www-form-urlencoded'；请发送 application/json"
    )
    body = problem(
        client.post("/v1/premiums", json={"year": 0}, headers={"Accept-Language": "zh"}), 422
    )
    assert body["detail"] == "年度：0 不是年度（1-9999）"
    assert body["pointer"] == "/year"


def test_tariff_and_batch_errors_in_chinese(client: TestClient) -> None:
    """A GET's 404, a batch's query parameter (``lang`` is one it takes), a tariff file's
    problems (each of ``errors`` too)."""
    body = problem(client.get(f"/v1/tariffs/{SERIES}/2017.1?lang=zh"), 404)
    assert body["detail"] == (
        f"待遇标准 {SERIES} 没有版本 '2017.1'（已有版本：2018.1, 2019.1, 2020.1）"
    )
    csv = {"Content-Type": "text/csv"}
    url = "/v1/batch/claims?input_encoding=big-5&lang=zh"
    body = problem(client.post(url, content=b"date\n", headers=csv), 400)
    assert body["detail"] == "input_encoding：未知的编码 'big-5'"
    body = problem(client.post("/v1/batch/claims?bogus=1", content=b"date\n", headers=csv), 400)
    assert body["detail"] == (
        "unknown query parameter 'bogus'; the parameters are series, input_format, "
        "output_format, input_encoding, output_encoding, engine, columns, keep_formulas, lang"
    )
    yaml = {"Content-Type": "application/yaml"}
    url = "/v1/tariffs/validate?lang=zh"
    body = problem(client.post(url, content=b"format: 1\nseries: x\n", headers=yaml), 422)
    first = "tariff.yaml:1:1：文件：缺少必填的键 'version'"
    assert body["detail"].split("\n")[0] == first
    assert body["errors"][0] == {"detail": first, "line": 1, "column": 1}
    english = problem(
        client.post("/v1/tariffs/validate", content=b"format: 1\n", headers=yaml), 422
    )
    assert all(translate(e["detail"], "zh") != e["detail"] for e in english["errors"])


def test_middleware_errors_in_chinese(tmp_path: Path) -> None:
    """The token check and the body limit answer before any route, in the language asked."""
    tokens = tmp_path / "tokens"
    tokens.write_text("user-token-0123456789abcdef\n", encoding="utf-8")
    config = ServiceConfig(tokens_file=tokens, max_body_bytes=100)
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        body = problem(c.post("/v1/claims?lang=zh", json={}), 401)
        assert body["detail"] == "需要有效的令牌：Authorization: Bearer TOKEN"
        body = problem(c.post("/v1/claims", json={}), 401)
        assert body["detail"] == "a valid bearer token is needed: Authorization: Bearer TOKEN"
        auth = {"Authorization": "Bearer user-token-0123456789abcdef", "Accept-Language": "zh"}
        body = problem(c.post("/v1/claims", content=b"x" * 200, headers=auth), 413)
        assert body["detail"] == "请求正文超过了 100 字节的上限"
