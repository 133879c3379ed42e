"""RFC 9457 problem details: how every error leaves the service.

An expected error (:class:`~medcalc.errors.MedcalcError`) keeps the message the CLI prints and
gets a status by its kind; the field at fault is named by a JSON Pointer into the request
(``/claims/2/compliant``). Anything else is a 500 whose id is also in the log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from medcalc.errors import MedcalcError, TariffNotFoundError, UsageError
from medcalc.service._logs import ERRORS

PROBLEM_TYPE = "application/problem+json"

#: A short title for each status (RFC 9110 reason phrases, RFC 9457 §3.1.3 "title").
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ProblemError(Exception):
    """An error response: ``status``, the CLI-style ``detail``, and where it is."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        pointer: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
        problem_id: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.pointer = pointer
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        self.problem_id = problem_id

    def document(self, instance: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            doc["instance"] = instance
        if self.pointer is not None:
            doc["pointer"] = self.pointer
        if self.errors:
            doc["errors"] = [dict(e) for e in self.errors]
        if self.problem_id is not None:
            doc["id"] = self.problem_id
        return doc

    def response(self, instance: str | None = None) -> Response:
        body = json.dumps(self.document(instance), ensure_ascii=False).encode()
        return Response(body, self.status, headers=self.headers, media_type=PROBLEM_TYPE)


def status_of(exc: MedcalcError) -> int:
    """The HTTP status of an expected error met while serving a request: a usage error (a
    wrong option) is 400; everything else (a wrong value, an unreadable file, a series or
    version the request names that does not exist, no version in force on a claim's date) is
    about the request's content: 422."""
    return 400 if isinstance(exc, UsageError) else 422


def from_error(
    exc: MedcalcError, *, pointer: str | None = None, not_found: bool = False
) -> ProblemError:
    """``exc`` as a problem; ``not_found``: a missing tariff is the resource asked for (404)."""
    status = 404 if not_found and isinstance(exc, TariffNotFoundError) else status_of(exc)
    return ProblemError(status, str(exc), pointer=pointer)


async def unexpected_error(scope: Scope, receive: Receive, send: Send, *, started: bool) -> None:
    """Answer an unexpected exception (call it from an ``except`` block): a 500 problem whose
    id is logged with the traceback, instead of a bare 500 and a trace only the server sees.
    ``started``: part of the response is out already, so all that can be done is to stop."""
    problem_id = uuid.uuid4().hex
    ERRORS.exception(
        "unexpected error",
        extra={
            "fields": {
                "problem_id": problem_id,
                "request_id": scope.get("medcalc.request_id"),
                "route": getattr(scope.get("route"), "path", None),
            }
        },
    )
    if started:
        return
    problem = ProblemError(
        500, f"an unexpected error; it is logged with id {problem_id}", problem_id=problem_id
    )
    await problem.response(scope["path"])(scope, receive, send)
