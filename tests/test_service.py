"""``medcalc serve``'s application in process (Starlette's test client): every endpoint against
the library and the CLI it stands for, errors as problem details, limits, tokens, reload."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from medcalc import Calculator, claims_json, load_book, premiums_json
from medcalc.audit.strategies import claim_years, persons
from medcalc.chain import Claim, Person, YearToDate, claim_from
from medcalc.cli import cli
from medcalc.errors import InputError
from medcalc.present import COMPONENTS
from medcalc.service import ServiceConfig, create_app
from medcalc.tariff import bundled_dir, check_tariff

from support import D, day, problem

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
SERIES = "qingyuan-qingcheng"
ONE_CLAIM = {
    "person": {"categories": ["poverty"]},
    "claims": [
        {"date": "2018-09-14", "hospital_level": "level_3", "total": "86000", "compliant": "72000"}
    ],
}
USER_TOKEN = "user-token-0123456789abcdef"
ADMIN_TOKEN = "admin-token-0123456789abcdef"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServiceConfig()), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def book() -> Any:
    return load_book()


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def roundtrip(doc: Any) -> Any:
    return json.loads(json.dumps(doc, ensure_ascii=False))


# -- estimates ------------------------------------------------------------------------------


def test_claims_is_the_cli_document(client: TestClient) -> None:
    """POST /v1/claims answers what `medcalc claim --format json` prints for the same input."""
    response = client.post("/v1/claims", json=ONE_CLAIM)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = cli_json(
        "claim",
        "--category",
        "poverty",
        "--date",
        "2018-09-14",
        "--hospital-level",
        "level_3",
        "--total",
        "86000",
        "--compliant",
        "72000",
        "--format",
        "json",
    )
    assert response.json() == expected
    # The hand-worked figures of docs/cli-calc.md's example, so a regression in both shows:
    # basic (72,000 - 800) x 0.65 = 46,280.00; the rest is 25,720.00 of which critical
    # illness pays (25,720 - 5,000) x 0.55 = 11,396.00; assistance 70 % of 14,324.00 = 10,026.80.
    claim = response.json()["claims"][0]
    assert (claim["basic"], claim["critical_illness"], claim["assistance"]) == (
        "46280.00",
        "11396.00",
        "10026.80",
    )


def test_estimate_answers_are_json_dumps_bytes(client: TestClient, book: Any) -> None:
    """The estimate endpoints (plain ASGI, their own encoder) send exactly the bytes of
    json.dumps(document, ensure_ascii=False), with its length, a request id and no more; a
    chunked body is read whole, and errors are problems as on every other route."""
    calc = Calculator(book)
    claim = Claim(
        date=day("2018-09-14"), compliant=D("72000"), total=D("86000"), hospital_level="level_3"
    )
    result = calc.claims(SERIES, Person(categories={"poverty"}), [claim])
    expected = json.dumps(claims_json(result), ensure_ascii=False).encode()
    chunks = iter([json.dumps(ONE_CLAIM)[:20].encode(), json.dumps(ONE_CLAIM)[20:].encode()])
    for response in (
        client.post("/v1/claims", json=ONE_CLAIM),
        client.post("/v1/claims", content=chunks, headers={"content-type": "application/json"}),
    ):
        assert response.status_code == 200
        assert response.content == expected
        assert set(response.headers) == {"content-length", "content-type", "x-request-id"}
        assert response.headers["content-length"] == str(len(expected))
        assert response.headers["content-type"] == "application/json"
    body = {"person": {"birth_date": "1975-04-12"}, "year": 2019}
    premiums = calc.premiums(SERIES, Person(birth_date=day("1975-04-12")), 2019)
    response = client.post("/v1/premiums", json=body)
    assert response.content == json.dumps(premiums_json(premiums), ensure_ascii=False).encode()
    assert problem(client.get("/v1/claims"), 405)["detail"].startswith("GET /v1/claims")
    assert problem(client.post("/v1/claims", content=b"{}"), 415)["instance"] == "/v1/claims"
    assert problem(client.post("/v1/premiums", json={"year": 0}), 422)["pointer"] == "/year"


def test_explain_false_leaves_the_explanation_out(client: TestClient) -> None:
    """`explain: false` drops only each claim's explanation."""
    full = client.post("/v1/claims", json=ONE_CLAIM).json()
    short = client.post("/v1/claims", json={**ONE_CLAIM, "explain": False}).json()
    del full["claims"][0]["explanation"]
    assert short == full


def test_year_to_date_and_numbers(client: TestClient, book: Any) -> None:
    """year_to_date starts the accumulators; JSON numbers are read exactly (never as float)."""
    body = {
        "series": SERIES,
        "person": {"categories": "poverty"},
        "claims": [{"date": "2018-05-01", "hospital_level": "level_2", "compliant": 10000.10}],
        "year_to_date": {"basic_paid": "1000", "critical_illness_base": 20000.5},
    }
    response = client.post("/v1/claims", json=body)
    assert response.status_code == 200, response.text

    expected = Calculator(book).claims(
        SERIES,
        Person(categories={"poverty"}),
        [Claim(date=day("2018-05-01"), compliant=D("10000.10"), hospital_level="level_2")],
        year_to_date=YearToDate(D("1000"), D("20000.50"), D("0")),
    )
    assert response.json() == roundtrip(claims_json(expected))


def _person_json(person: Person) -> dict[str, Any]:
    out: dict[str, Any] = {"categories": sorted(person.categories)}
    for name in ("disability_grade", "disability_type", "person_id"):
        if getattr(person, name) is not None:
            out[name] = getattr(person, name)
    for name in ("birth_date", "enrolled_on"):
        if getattr(person, name) is not None:
            out[name] = getattr(person, name).isoformat()
    return out


def _claim_json(claim: Claim) -> dict[str, Any]:
    out: dict[str, Any] = {"date": claim.date.isoformat(), "compliant": str(claim.compliant)}
    for name in ("hospital_level", "claim_id"):
        if getattr(claim, name) is not None:
            out[name] = getattr(claim, name)
    for name in ("total", "basic_paid"):
        if getattr(claim, name) is not None:
            out[name] = str(getattr(claim, name))
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_claims_agree_with_the_calculator(client: TestClient, book: Any, data: Any) -> None:
    """For any person and claims of a year, POST /v1/claims is claims_json of Calculator.claims."""
    person = data.draw(persons(tariff=book, series=SERIES))
    claims = data.draw(claim_years(tariff=book, series=SERIES))
    body = {
        "series": SERIES,
        "person": _person_json(person),
        "claims": [_claim_json(c) for c in claims],
    }
    response = client.post("/v1/claims", json=body)
    try:
        expected = Calculator(book).claims(SERIES, person, claims)
    except InputError as exc:
        error: InputError | None = exc
    else:
        error = None
    if error is not None:
        assert problem(response, 422)["detail"] == str(error)
        return
    assert response.status_code == 200, response.text
    assert response.json() == roundtrip(claims_json(expected))


def test_premiums_is_the_cli_document(client: TestClient, book: Any) -> None:
    """POST /v1/premiums answers `medcalc premium --format json`."""
    body = {"person": {"categories": ["poverty"], "birth_date": "1975-04-12"}, "year": 2018}
    response = client.post("/v1/premiums", json=body)
    expected = cli_json(
        "premium",
        "--category",
        "poverty",
        "--birth-date",
        "1975-04-12",
        "--year",
        "2018",
        "--format",
        "json",
    )
    assert response.status_code == 200
    assert response.json() == expected
    # The 2018 medical contribution is 180.00, paid in full for a registered poor resident.
    assert response.json()["medical"]["government_pays"] == "180.00"
    graded = client.post("/v1/premiums", json={**body, "pension_grade": "240"}).json()
    person = Person(categories={"poverty"}, birth_date=day("1975-04-12"))
    result = Calculator(book).premiums(SERIES, person, 2018, pension_grade=D("240"))
    assert graded == roundtrip(premiums_json(result))


# -- errors ---------------------------------------------------------------------------------


def test_bad_amount_points_at_the_field_with_the_library_message(client: TestClient) -> None:
    """A wrong value is 422 with the rows reader's message and a pointer to the field."""
    bad = {"date": "2018-03-01", "hospital_level": "level_1", "compliant": "12.345"}
    body = {**ONE_CLAIM, "claims": [*ONE_CLAIM["claims"], bad]}
    got = problem(client.post("/v1/claims", json=body), 422)
    with pytest.raises(InputError) as expected:
        claim_from(bad)
    assert got["detail"] == str(expected.value)
    assert got["pointer"] == "/claims/1/compliant"
    assert got["instance"] == "/v1/claims"


def test_calculation_error_points_at_its_claim(client: TestClient, book: Any) -> None:
    """An unknown hospital level found while computing points at that claim, as the CLI's row."""
    body = {
        **ONE_CLAIM,
        "claims": [
            *ONE_CLAIM["claims"],
            {"date": "2018-03-01", "hospital_level": "level_9", "compliant": "100"},
        ],
    }
    got = problem(client.post("/v1/claims", json=body), 422)
    assert got["pointer"] == "/claims/1/hospital_level"
    with pytest.raises(InputError) as expected:
        Calculator(book).claims(SERIES, Person(), [claim_from(body["claims"][1])])
    assert got["detail"] == str(expected.value)


@pytest.mark.parametrize(
    ("body", "pointer", "words"),
    [
        ({**ONE_CLAIM, "series": "nowhere"}, "/series", "no tariff series 'nowhere'"),
        ({**ONE_CLAIM, "claimz": []}, "/claimz", "did you mean 'claims'"),
        (
            {**ONE_CLAIM, "person": {"category": "poverty"}},
            "/person/category",
            "did you mean 'categories'",
        ),
        ({**ONE_CLAIM, "person": {"categories": ["nobody"]}}, "/person/categories", "nobody"),
        ({**ONE_CLAIM, "person": {"disability_grade": 7}}, "/person/disability_grade", "7"),
        (
            {**ONE_CLAIM, "claims": [{"date": "2018-02-30", "compliant": "1"}]},
            "/claims/0/date",
            "not a date",
        ),
        ({**ONE_CLAIM, "claims": [{"compliant": "1"}]}, "/claims/0/date", "required"),
        (
            {**ONE_CLAIM, "claims": [{"date": "2018-01-05", "compliant": True}]},
            "/claims/0/compliant",
            "true/false",
        ),
        ({**ONE_CLAIM, "claims": []}, "/claims", "one or more"),
        (
            {**ONE_CLAIM, "claims": [{"date": "1990-01-05", "compliant": "1"}]},
            "/claims/0/date",
            "in force",
        ),
        ({**ONE_CLAIM, "explain": "yes"}, "/explain", "true or false"),
        (
            {**ONE_CLAIM, "year_to_date": {"basic_paid": "-1"}},
            "/year_to_date/basic_paid",
            "basic_paid",
        ),
        (
            {
                **ONE_CLAIM,
                "claims": [ONE_CLAIM["claims"][0], {"date": "2019-01-05", "compliant": "1"}],
                "year_to_date": {"basic_paid": "1"},
            },
            "/year_to_date",
            "one year",
        ),
    ],
)
def test_every_bad_claims_body_is_a_422_with_a_pointer(
    client: TestClient, body: Any, pointer: str, words: str
) -> None:
    """Each kind of wrong claims body is a 422 naming the field, never a 500."""
    got = problem(client.post("/v1/claims", json=body), 422)
    assert got["pointer"] == pointer
    assert words in got["detail"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"year": 0}, "/year"),
        (
            {"year": 2018, "pension_grade": "7", "person": {"birth_date": "1975-04-12"}},
            "/pension_grade",
        ),
        ({"year": 2018, "person": {"birth_date": "x"}}, "/person/birth_date"),
        ({"year": 1990}, "/year"),
        ({"year": 2018, "series": ""}, "/series"),
    ],
)
def test_bad_premiums_bodies(client: TestClient, body: Any, pointer: str) -> None:
    """Wrong premiums bodies are 422 with a pointer."""
    assert problem(client.post("/v1/premiums", json=body), 422)["pointer"] == pointer


def test_not_json_is_400_with_line_and_column(client: TestClient) -> None:
    """A body that is not JSON is 400 and says where it broke."""
    response = client.post(
        "/v1/claims",
        content=b'{"claims": [\n  {"date": }]}',
        headers={"content-type": "application/json"},
    )
    assert problem(response, 400)["detail"].startswith("request:2:12: not valid JSON")
    for body in (b"NaN", b"\xff\xfe", b'{"a": 1, "a": 2}', b"[" * 100000):
        response = client.post(
            "/v1/claims", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 413), body[:10]


def test_json_read_exactly_as_every_input(client: TestClient) -> None:
    """The request is read like a claims file: a key twice and NaN are 400 saying so; an
    integer past int()'s 4,300-digit limit is read and refused as the field's value (422)."""
    twice = client.post(
        "/v1/claims",
        content=b'{"person": {}, "person": {}, "claims": []}',
        headers={"content-type": "application/json"},
    )
    assert problem(twice, 400)["detail"] == (
        "request: not valid JSON: field 'person' is given twice in one object"
    )
    nan = client.post(
        "/v1/claims",
        content=b'{"claims": [{"date": "2018-06-01", "compliant": NaN}]}',
        headers={"content-type": "application/json"},
    )
    assert problem(nan, 400)["detail"] == "request: not valid JSON: NaN is not a JSON number"
    huge = client.post(
        "/v1/claims",
        content=b'{"person": {"disability_grade": 1' + b"0" * 5000 + b'}, "claims": '
        b'[{"date": "2018-06-01", "compliant": "100", "hospital_level": "level_1"}]}',
        headers={"content-type": "application/json"},
    )
    body = problem(huge, 422)
    assert body["pointer"] == "/person/disability_grade"
    assert "is too large (at most 18 digits)" in body["detail"]


def test_wrong_content_type_is_415(client: TestClient) -> None:
    """A form-encoded body (curl -d without a Content-Type) is 415, not misread."""
    response = client.post("/v1/claims", content=json.dumps(ONE_CLAIM))
    assert "Content-Type" in problem(response, 415)["detail"]
    assert client.post("/v1/tariffs/validate", json={}).status_code == 415


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    """404 and 405 come back as problem details too, in the request's language."""
    assert problem(client.get("/v2/claims"), 404)["detail"] == "GET /v2/claims: no such resource"
    response = client.get("/v1/claims")
    assert problem(response, 405)["detail"] == "GET /v1/claims: method not allowed here"
    assert response.headers["Allow"] == "POST"  # Starlette's header is kept
    body = problem(client.get("/v2/claims", headers={"Accept-Language": "zh-CN"}), 404)
    assert body["detail"] == "GET /v2/claims：没有这个资源"
    body = problem(client.get("/v1/claims?lang=zh"), 405)
    assert body["detail"] == "GET /v1/claims：此处不能用这个方法"


def test_unexpected_error_is_a_500_with_a_logged_id(caplog: pytest.LogCaptureFixture) -> None:
    """An exception nobody expected is a 500 problem whose id is in the error log."""
    app = create_app(ServiceConfig())

    async def boom(request: Request) -> Response:
        raise ZeroDivisionError("boom")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR):
        got = problem(c.get("/boom"), 500)
    assert got["id"] in got["detail"]
    logged = [r for r in caplog.records if r.name == "medcalc.service"]
    assert logged and logged[-1].fields["problem_id"] == got["id"]  # type: ignore[attr-defined]
    assert "ZeroDivisionError" in caplog.text


# -- limits ---------------------------------------------------------------------------------


def test_limits_body_size_claims_and_time() -> None:
    """413 beyond the body size (declared or streamed) or the claims limit; 503 beyond the time."""
    config = ServiceConfig(max_body_bytes=2000, max_claims=3, timeout=1e-9, inline_claims=1)
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        big = json.dumps({**ONE_CLAIM, "person": {"person_id": "x" * 3000}}).encode()
        headers = {"content-type": "application/json"}
        assert (
            "2000 bytes"
            in problem(c.post("/v1/claims", content=big, headers=headers), 413)["detail"]
        )

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield big[:1000]
            yield big[1000:]

        problem(c.post("/v1/claims", content=chunks(), headers=headers), 413)
        four = {**ONE_CLAIM, "claims": ONE_CLAIM["claims"] * 4}
        got = problem(c.post("/v1/claims", json=four), 413)
        assert got["pointer"] == "/claims" and "at most 3" in got["detail"]
        # Two claims go to a worker thread, which the time limit cuts off; one claim is
        # computed on the event loop (inline_claims), too small to need a limit.
        two = {**ONE_CLAIM, "claims": ONE_CLAIM["claims"] * 2}
        slow = problem(c.post("/v1/claims", json=two), 503)
        assert "limit" in slow["detail"]
        assert c.post("/v1/claims", json=ONE_CLAIM).status_code == 200


def test_upload_limit_applies_to_raw_and_multipart_batches() -> None:
    """A batch file beyond --max-upload-bytes is 413, raw or multipart, declared or streamed."""
    body = (EXAMPLES / "claims.csv").read_bytes()
    assert len(body) > 500
    with TestClient(create_app(ServiceConfig(max_upload_bytes=500))) as c:
        csv_type = {"content-type": "text/csv"}
        problem(c.post("/v1/batch/claims", content=body, headers=csv_type), 413)
        problem(
            c.post("/v1/batch/claims", content=iter([body[:400], body[400:]]), headers=csv_type),
            413,
        )
        problem(c.post("/v1/batch/claims", files={"file": ("claims.csv", body)}), 413)
        small = body.splitlines(keepends=True)
        ok = c.post("/v1/batch/claims", content=b"".join(small[:2]), headers=csv_type)
        assert ok.status_code == 200 and ok.headers["medcalc-rows"] == "1"


# -- batch ----------------------------------------------------------------------------------


def cli_batch(tmp_path: Path, kind: str, source: Path, out_name: str, *options: str) -> bytes:
    out = tmp_path / out_name
    result = CliRunner().invoke(
        cli, ["batch", kind, str(source), "-o", str(out), *options], catch_exceptions=False
    )
    assert result.exit_code in (0, 3), result.output
    return out.read_bytes()


@pytest.mark.parametrize(
    ("kind", "name", "media", "out_name", "query", "options"),
    [
        ("claims", "claims.csv", "text/csv", "out.csv", "", ()),
        ("premiums", "premiums.csv", "text/csv", "out.csv", "", ()),
        ("claims", "claims.csv", "text/csv", "out.jsonl", "?output_format=jsonl", ()),
        (
            "claims",
            "claims.csv",
            "text/csv",
            "out.csv",
            "?engine=core&output_encoding=gb18030",
            ("--engine", "core", "--output-encoding", "gb18030"),
        ),
        ("claims", "claims.csv", "text/csv", "out.csv", "?engine=core", ("--engine", "core")),
    ],
)
def test_batch_is_the_same_bytes_as_the_cli(
    client: TestClient,
    tmp_path: Path,
    kind: str,
    name: str,
    media: str,
    out_name: str,
    query: str,
    options: tuple[str, ...],
) -> None:
    """POST /v1/batch/… returns byte for byte what `medcalc batch` writes for the same file."""
    source = EXAMPLES / name
    expected = cli_batch(tmp_path, kind, source, out_name, *options)
    response = client.post(
        f"/v1/batch/{kind}{query}", content=source.read_bytes(), headers={"content-type": media}
    )
    assert response.status_code == 200, response.text
    assert response.content == expected
    assert int(response.headers["medcalc-rows"]) == len(expected.splitlines()) - (
        out_name.endswith(".csv")
    )


@pytest.mark.parametrize(
    ("query", "options"), [("", ()), ("?keep_formulas=true", ("--keep-formulas",))]
)
def test_batch_formula_cells_as_the_cli(
    client: TestClient, tmp_path: Path, query: str, options: tuple[str, ...]
) -> None:
    """Formula-like cells are made safe, or kept with keep_formulas, as medcalc batch does."""
    source = tmp_path / "in.csv"
    source.write_text(
        "person_id,series,date,hospital_level,compliant,note\n"
        f'P1,{SERIES},2018-09-14,level_3,72000,=HYPERLINK("x")\n',
        encoding="utf-8",
    )
    expected = cli_batch(tmp_path, "claims", source, "out.csv", *options)
    got = client.post(
        f"/v1/batch/claims{query}",
        content=source.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert got.status_code == 200 and got.content == expected
    assert (b"'=HYPERLINK" in got.content) is (not options)


def test_batch_jsonl_and_multipart_and_row_errors(client: TestClient, tmp_path: Path) -> None:
    """JSON Lines in, a multipart upload, and the row-error count in a header."""
    source = tmp_path / "in.jsonl"
    rows = [
        {
            "person_id": "P1",
            "series": SERIES,
            "date": "2018-09-14",
            "hospital_level": "level_3",
            "compliant": "72000",
        },
        {
            "person_id": "P2",
            "series": SERIES,
            "date": "2018-09-14",
            "hospital_level": "level_3",
            "compliant": "-5",
        },
        {
            "person_id": "P3",
            "series": SERIES,
            "date": "2018-03-01",
            "hospital_level": "level_1",
            "compliant": 800.5,
        },
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    expected = cli_batch(tmp_path, "claims", source, "out.jsonl")
    raw = client.post(
        "/v1/batch/claims",
        content=source.read_bytes(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert raw.content == expected
    assert raw.headers["medcalc-row-errors"] == "1"
    assert raw.headers["medcalc-rows"] == "3"
    form = client.post("/v1/batch/claims", files={"file": ("mine.jsonl", source.read_bytes())})
    assert form.status_code == 200 and form.content == expected


def test_batch_xlsx_round_trip(client: TestClient, tmp_path: Path) -> None:
    """An XLSX upload gives the CLI's XLSX (compared cell by cell: a workbook stamps its time)."""
    import openpyxl

    source = EXAMPLES / "claims.xlsx"
    expected = cli_batch(tmp_path, "claims", source, "out.xlsx")
    response = client.post(
        "/v1/batch/claims",
        content=source.read_bytes(),
        headers={
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
    assert response.status_code == 200
    got = tmp_path / "got.xlsx"
    got.write_bytes(response.content)
    (tmp_path / "want.xlsx").write_bytes(expected)

    def cells(path: Path) -> list[tuple[Any, ...]]:
        return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))

    assert cells(got) == cells(tmp_path / "want.xlsx")


def test_batch_errors_name_the_parameter_not_the_temp_file(client: TestClient) -> None:
    """Batch usage and file errors are 400/415/422 problems; no temporary path leaks out."""
    csv_headers = {"content-type": "text/csv"}
    body = (EXAMPLES / "claims.csv").read_bytes()
    got = problem(
        client.post("/v1/batch/claims?input_encoding=nope", content=body, headers=csv_headers), 400
    )
    assert got["detail"] == "input_encoding: unknown encoding 'nope'"
    got = problem(
        client.post("/v1/batch/claims?series=nowhere", content=body, headers=csv_headers), 422
    )
    assert "nowhere" in got["detail"]
    got = problem(
        client.post("/v1/batch/claims", content=b"\xff\xfe\x00a", headers=csv_headers), 422
    )
    assert tempfile.gettempdir() not in got["detail"] and "upload.csv" in got["detail"]
    problem(
        client.post("/v1/batch/claims", content=body, headers={"content-type": "text/html"}), 415
    )
    problem(client.post("/v1/batch/claims?colour=red", content=body, headers=csv_headers), 400)
    problem(client.post("/v1/batch/claims", files={"other": ("a.csv", body)}), 400)


def test_batch_leaves_no_temporary_files(client: TestClient, tmp_path: Path) -> None:
    """The spooled upload and the result are deleted after the response, also after an error."""
    before = set(Path(tempfile.gettempdir()).glob("medcalc-batch-*"))
    body = (EXAMPLES / "claims.csv").read_bytes()
    client.post("/v1/batch/claims", content=body, headers={"content-type": "text/csv"})
    client.post(
        "/v1/batch/claims?series=nowhere", content=body, headers={"content-type": "text/csv"}
    )
    # Another test's server (in a parallel worker) may have a batch of its own running: its
    # directory goes when that batch ends, a leaked one of ours never does.
    deadline = time.monotonic() + 60
    while set(Path(tempfile.gettempdir()).glob("medcalc-batch-*")) - before:
        assert time.monotonic() < deadline, "a medcalc-batch-* directory was left behind"
        time.sleep(0.1)


# -- tariffs --------------------------------------------------------------------------------


def test_tariff_documents_are_the_cli_documents(client: TestClient) -> None:
    """GET /v1/tariffs… answer `medcalc tariff list/show/diff --format json`."""
    assert client.get("/v1/tariffs").json() == cli_json("tariff", "list", "--format", "json")
    series = client.get(f"/v1/tariffs/{SERIES}").json()
    assert [t["version"] for t in series["tariffs"]] == ["2018.1", "2019.1", "2020.1"]
    shown = client.get(f"/v1/tariffs/{SERIES}/2019.1").json()
    assert shown == cli_json("tariff", "show", SERIES, "--version", "2019.1", "--format", "json")
    diff = client.get(f"/v1/tariffs/diff?a={SERIES}@2018.1&b={SERIES}@2019.1").json()
    assert diff == cli_json(
        "tariff", "diff", f"{SERIES}@2018.1", f"{SERIES}@2019.1", "--format", "json"
    )


def test_tariff_source_is_the_file(client: TestClient) -> None:
    """The original YAML comes back byte for byte, its sha256 as the ETag."""
    import hashlib

    response = client.get(f"/v1/tariffs/{SERIES}/2018.1/source")
    assert response.status_code == 200
    data = (bundled_dir() or ROOT / "tariffs").joinpath(SERIES, "2018.yaml").read_bytes()
    assert response.content == data
    assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response.headers["content-type"] == "application/yaml"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/tariffs/nowhere",
        f"/v1/tariffs/{SERIES}/1999.1",
        f"/v1/tariffs/{SERIES}/1999.1/source",
        f"/v1/tariffs/diff?a={SERIES}@2018.1&b={SERIES}@1999.1",
        "/v1/tariffs/diff?a=nonsense&b=x@y",
    ],
)
def test_missing_tariffs_are_404(client: TestClient, path: str) -> None:
    """A series or version that does not exist is 404 with the library's message."""
    problem(client.get(path), 404)


def test_validate_reports_every_problem_with_line_and_column(client: TestClient) -> None:
    """POST /v1/tariffs/validate: each problem of the loader, with its line and column."""
    bad = (ROOT / "tests" / "bad_tariffs").glob("*.yaml")
    path = sorted(bad)[0]
    data = path.read_bytes()
    response = client.post(
        "/v1/tariffs/validate?name=mine.yaml",
        content=data,
        headers={"content-type": "application/yaml"},
    )
    got = problem(response, 422)
    expected = check_tariff(data, "mine.yaml")
    assert [(e["line"], e["column"], e["detail"]) for e in got["errors"]] == [
        (p.line, p.column, str(p)) for p in expected
    ]


def test_validate_accepts_a_good_file_and_refuses_an_overlap(client: TestClient) -> None:
    """A valid file is 200; one that overlaps a version in force is 422 at its effective key."""
    source = (bundled_dir() or ROOT / "tariffs") / SERIES / "2019.yaml"
    data = source.read_bytes()
    headers = {"content-type": "application/yaml"}
    ok = client.post("/v1/tariffs/validate", content=data, headers=headers)
    assert ok.status_code == 200
    assert ok.json()["version"] == "2019.1" and ok.json()["valid"] is True
    renamed = data.replace(b"version: 2019.1", b"version: 2019.2").replace(
        b'version: "2019.1"', b'version: "2019.2"'
    )
    assert renamed != data
    got = problem(client.post("/v1/tariffs/validate", content=renamed, headers=headers), 422)
    assert "overlap" in got["detail"]


# -- operations, tokens, reload -------------------------------------------------------------


def test_health_ready_and_metrics(client: TestClient) -> None:
    """Health, readiness and Prometheus metrics, with claims counted by route."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["tariff_versions"] == 3
    before = _metric(client, "medcalc_claims_computed_total")
    client.post("/v1/claims", json=ONE_CLAIM)
    assert _metric(client, "medcalc_claims_computed_total") == before + 1
    text = client.get("/metrics").text
    assert 'medcalc_http_requests_total{method="POST",route="/v1/claims",status="200"}' in text


def _metric(client: TestClient, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(name)


def test_access_log_has_no_person_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """One JSON-ready access record per request: route and status, never body or query."""
    with caplog.at_level(logging.INFO, logger="medcalc.access"):
        body = {**ONE_CLAIM, "person": {"person_id": "ID-440000-SECRET", "categories": ["poverty"]}}
        client.post("/v1/claims?who=ID-440000-SECRET", json=body)
    records = [r for r in caplog.records if r.name == "medcalc.access"]
    assert records[-1].fields["route"] == "/v1/claims"  # type: ignore[attr-defined]
    assert records[-1].fields["status"] == 200  # type: ignore[attr-defined]
    assert "SECRET" not in json.dumps([r.fields for r in records])  # type: ignore[attr-defined]


def test_openapi_schemas_are_the_one_definition(client: TestClient) -> None:
    """/openapi.json is 3.1 and carries medcalc.present._schemas' components unchanged."""
    doc = client.get("/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["schemas"] == roundtrip(COMPONENTS)


def test_docs_page_is_self_hosted(client: TestClient) -> None:
    """The docs page and its assets come from the app; nothing is loaded from elsewhere."""
    page = client.get("/docs")
    assert page.status_code == 200 and "/v1/claims" in page.text
    for asset in ("/docs/app.js", "/docs/app.css"):
        assert client.get(asset).status_code == 200
    assert 'src="http' not in page.text and 'href="http' not in page.text
    problem(client.get("/docs/other.js"), 404)


@pytest.fixture
def tokens(tmp_path: Path) -> Path:
    path = tmp_path / "tokens"
    path.write_text(f"# service tokens\n{USER_TOKEN}\n{ADMIN_TOKEN} admin\n", encoding="utf-8")
    return path


def test_tokens_guard_everything_but_health(tokens: Path) -> None:
    """With a token file, every endpoint but health and the docs page needs a valid token."""
    with TestClient(create_app(ServiceConfig(tokens_file=tokens))) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 200
        got = problem(c.get("/v1/tariffs"), 401)
        assert "Bearer" in got["detail"]
        assert c.get("/v1/tariffs").headers["www-authenticate"].startswith("Bearer")
        problem(c.get("/metrics", headers={"authorization": "Bearer wrong-token-0123456789"}), 401)
        user = {"authorization": f"Bearer {USER_TOKEN}"}
        assert c.get("/v1/tariffs", headers=user).status_code == 200
        assert c.post("/v1/claims", json=ONE_CLAIM, headers=user).status_code == 200
        problem(c.post("/v1/admin/reload", headers=user), 403)
        admin = {"authorization": f"bearer {ADMIN_TOKEN}"}
        assert c.post("/v1/admin/reload", headers=admin).json()["reloaded"] is True


def test_reload_keeps_the_old_book_when_a_file_is_broken(tokens: Path, tmp_path: Path) -> None:
    """A reload with a broken file keeps serving the old tables; a good one swaps them in."""
    extra = tmp_path / "extra"
    extra.mkdir()
    source = (bundled_dir() or ROOT / "tariffs") / SERIES / "2019.yaml"
    other = source.read_bytes().replace(SERIES.encode(), b"other-series")
    admin = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(ServiceConfig(tariff_dirs=(extra,), tokens_file=tokens))) as c:
        (extra / "broken.yaml").write_text("format: 1\nseries: [\n", encoding="utf-8")
        got = problem(c.post("/v1/admin/reload", headers=admin), 409)
        assert "broken.yaml" in got["detail"] and "unchanged" in got["detail"]
        assert c.post("/v1/claims", json=ONE_CLAIM, headers=admin).status_code == 200
        assert c.get("/readyz").json()["last_reload_error"] is not None
        (extra / "broken.yaml").unlink()
        (extra / "other.yaml").write_bytes(other)
        assert c.post("/v1/admin/reload", headers=admin).json()["tariff_versions"] == 4
        assert c.get("/v1/tariffs/other-series", headers=admin).status_code == 200
        assert c.get("/readyz").json()["last_reload_error"] is None


def test_reload_over_http_needs_tokens(client: TestClient) -> None:
    """Without a token file there is no admin, so reload over HTTP is refused (SIGHUP works)."""
    assert "SIGHUP" in problem(client.post("/v1/admin/reload"), 403)["detail"]


def test_config_from_environment(tmp_path: Path) -> None:
    """MEDCALC_SERVE_* variables give the settings; a wrong one is a clear usage error."""
    from medcalc.errors import UsageError

    config = ServiceConfig.from_env(
        {
            "MEDCALC_SERVE_MAX_CLAIMS": "5",
            "MEDCALC_SERVE_TIMEOUT": "2.5",
            "MEDCALC_SERVE_TARIFFS": str(tmp_path),
        }
    )
    assert (config.max_claims, config.timeout, config.tariff_dirs) == (5, 2.5, (tmp_path,))
    with pytest.raises(UsageError, match="MEDCALC_SERVE_MAX_CLAIMS"):
        ServiceConfig.from_env({"MEDCALC_SERVE_MAX_CLAIMS": "0"})


def test_bad_token_files_are_usage_errors(tmp_path: Path) -> None:
    """A token file with a short token or a stray word is refused at start-up, naming the line."""
    from medcalc.errors import UsageError

    path = tmp_path / "tokens"
    for text, words in (
        ("short\n", ":1: a token needs"),
        (f"{USER_TOKEN} root\n", ":1: expected"),
        ("# none\n", "no tokens"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError, match=words):
            create_app(ServiceConfig(tokens_file=path))


def test_batch_encodings_a_codec_refuses_are_problems_not_500(client: TestClient) -> None:
    """utf-16/utf-32 forced on a file without a BOM (the codec's own UnicodeError, not a
    UnicodeDecodeError) is a 422 file problem; idna, which cannot write a CSV line, a 400
    usage problem. Both were tracebacks (500)."""
    csv_headers = {"content-type": "text/csv"}
    body = (EXAMPLES / "claims.csv").read_bytes()
    for encoding in ("utf-16", "utf-32"):
        url = f"/v1/batch/claims?engine=core&input_encoding={encoding}"
        got = problem(client.post(url, content=body, headers=csv_headers), 422)
        assert f" 1 cannot be read as {encoding}" in got["detail"]  # row 1 (utf-16), line 1
    got = problem(
        client.post("/v1/batch/claims?output_encoding=idna", content=body, headers=csv_headers),
        400,
    )
    assert (
        got["detail"] == "output_encoding: 'idna' cannot write a CSV file (label empty or too long)"
    )
