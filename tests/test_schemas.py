"""The JSON Schemas against real documents: what the export and `medcalc tariff --format json`
write validates against the schemas, and every key written is one the schemas name, so the
two cannot drift apart."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from medcalc import Calculator, claims_json, load_book, premiums_json
from medcalc.audit.strategies import claim_years, persons
from medcalc.cli import cli
from medcalc.present import (
    CLAIMS_REQUEST,
    CLAIMS_SCHEMA,
    DIFF_SCHEMA,
    LIST_SCHEMA,
    PREMIUMS_SCHEMA,
    TARIFF_SCHEMA,
    document_schema,
)

SERIES = "qingyuan-qingcheng"
BOOK = load_book()


@functools.cache
def validator(name: str, *, strict: bool = False) -> jsonschema.Draft202012Validator:
    schema = document_schema(name)
    if strict:
        schema = _closed(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to other keys: a key the
    export writes but the schema does not name fails."""
    schema = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def check(name: str, document: Any, *, strict: bool = True) -> None:
    data = json.loads(json.dumps(document, ensure_ascii=False))
    validator(name, strict=strict).validate(data)


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    "args",
    [
        ["--category", "poverty", "--date", "2018-09-14", "--hospital-level", "level_3",
         "--total", "86000", "--compliant", "72000"],
        ["--date", "2019-05-28", "--enrolled-on", "2019-05-20", "--hospital-level", "level_2",
         "--compliant", "10000"],
        ["--category", "five_guarantee", "--disability-grade", "1", "--disability-type",
         "physical", "--date", "2020-06-11", "--basic-paid", "500", "--compliant", "250000",
         "--ytd-critical-illness-base", "100"],
    ],
)  # fmt: skip
def test_claim_documents_validate(args: list[str]) -> None:
    """`medcalc claim --format json` output (covered, not yet covered, settled basic) is valid."""
    check(CLAIMS_SCHEMA, cli_json("claim", *args, "--format", "json"))


@pytest.mark.parametrize(
    "args",
    [
        ["--category", "poverty", "--year", "2018", "--birth-date", "1975-04-12"],
        ["--year", "2019", "--birth-date", "1950-01-01"],
    ],
)
def test_premium_documents_validate(args: list[str]) -> None:
    """`medcalc premium --format json` output (due, past age, no birth date) is valid."""
    check(PREMIUMS_SCHEMA, cli_json("premium", *args, "--format", "json"))


def test_tariff_documents_validate() -> None:
    """`medcalc tariff list/show/diff --format json` output is valid."""
    check(LIST_SCHEMA, cli_json("tariff", "list", "--format", "json"))
    for version in ("2018.1", "2019.1", "2020.1"):
        shown = cli_json("tariff", "show", SERIES, "--version", version, "--format", "json")
        check(TARIFF_SCHEMA, shown, strict=False)  # sections are open: the YAML's own keys
    diff = cli_json("tariff", "diff", f"{SERIES}@2018.1", f"{SERIES}@2020.1", "--format", "json")
    assert diff["changes"]
    check(DIFF_SCHEMA, diff)


def test_a_tariff_with_aliases_validates() -> None:
    """A table that declares aliases (tests/good_tariffs/full.yaml) writes them as the schema
    says: a list of texts on the category; a number there fails."""
    tariffs = str(Path(__file__).parent / "good_tariffs")
    shown = cli_json("tariff", "show", "test-full", "--tariffs", tariffs, "--format", "json")
    poverty = next(c for c in shown["categories"] if c["id"] == "poverty")
    assert poverty["aliases"] == ["建档立卡贫困户", "贫困人员"]
    check(TARIFF_SCHEMA, shown, strict=False)
    poverty["aliases"] = [1]
    with pytest.raises(jsonschema.ValidationError):
        check(TARIFF_SCHEMA, shown, strict=False)


def test_a_drifted_document_fails() -> None:
    """The check has teeth: a renamed key or a float amount is refused."""
    doc = cli_json("premium", "--year", "2020", "--birth-date", "1980-01-01", "--format", "json")
    renamed = copy.deepcopy(doc)
    renamed["medical"]["government_paid"] = renamed["medical"].pop("government_pays")
    floated = copy.deepcopy(doc)
    floated["medical"]["contribution"] = 250.0
    for bad in (renamed, floated):
        with pytest.raises(jsonschema.ValidationError):
            check(PREMIUMS_SCHEMA, bad)


def test_request_schema_names_the_rows_fields() -> None:
    """The claims request's fields are the CLI's and batch files' field names."""
    from medcalc.chain import CLAIM_FIELDS, PERSON_FIELDS

    props = CLAIMS_REQUEST["properties"]
    assert tuple(props["claims"]["items"]["properties"]) == CLAIM_FIELDS
    assert tuple(props["person"]["properties"]) == PERSON_FIELDS
    with pytest.raises(KeyError):
        document_schema("medcalc/nothing@1")


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_claims_and_premiums_validate(data: st.DataObject) -> None:
    """Any person's computed claims and premiums under the bundled tables export to valid
    documents (generated tariff books are left to the core's own property tests: slow)."""
    book = BOOK
    person = data.draw(persons(tariff=book, series=SERIES))
    claims = data.draw(claim_years(tariff=book, series=SERIES))
    calc = Calculator(book)
    check(CLAIMS_SCHEMA, claims_json(calc.claims(SERIES, person, claims)))
    year = claims[0].date.year
    if person.birth_date is not None and person.birth_date.year <= year:
        check(PREMIUMS_SCHEMA, premiums_json(calc.premiums(SERIES, person, year)))


def test_bundled_book_documents_validate() -> None:
    """The bundled tables' claims and premiums for every category validate."""
    book = load_book()
    calc = Calculator(book)
    from medcalc.chain import Claim, Person

    from support import D, day

    for category in ("poverty", "low_income", "five_guarantee", "severe_disability"):
        person = Person(categories={category}, birth_date=day("1970-01-01"))
        claims = [Claim(date=day("2019-03-01"), compliant=D("300000.00"), hospital_level="level_3")]
        check(CLAIMS_SCHEMA, claims_json(calc.claims(SERIES, person, claims)))
        check(PREMIUMS_SCHEMA, premiums_json(calc.premiums(SERIES, person, 2019)))
