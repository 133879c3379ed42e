"""Property-based API tests generated from the service's own OpenAPI document (schemathesis):
for any request the document allows (and many it does not), no 5xx, and every response
matches the schema the document gives for its status."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks

from medcalc.service import ServiceConfig, create_app

# XLSX and JSON Lines bodies are not generated (schemathesis has no serializer for them);
# the batch tests send real ones and compare the answer with medcalc batch.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Skipped test cases with unsupported payload media types"
)

APP = create_app(ServiceConfig())

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Requests that break the schema too (wrong types, missing fields, unknown ones): they must
# come back as 4xx problems, never a 5xx.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error_and_responses_match_their_schemas(case: schemathesis.Case) -> None:
    """Generated requests never give a 5xx, and each response matches its documented schema."""
    case.call_and_validate(
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ]
    )
