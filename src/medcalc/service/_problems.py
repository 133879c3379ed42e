"""RFC 9457 problem details: how every error leaves the service.

An expected error (:class:`~medcalc.errors.MedcalcError`) keeps the message the CLI prints and
gets a status by its kind; the field at fault is named by a JSON Pointer into the request
(``/claims/2/compliant``). Anything else is a 500 whose id is also in the log.

The ``detail`` is English (the API's messages are stable); a request that asks for Chinese
(``?lang=zh``, or ``Accept-Language`` preferring ``zh``) gets it in Chinese
(:func:`problem_lang`, :meth:`ProblemError.translated`), for a district system to show as it is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from medcalc.errors import MedcalcError, TariffNotFoundError, UsageError
from medcalc.messages import say
from medcalc.present import Lang, translate
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

    def translated(self, lang: Lang) -> ProblemError:
        """The same problem with its ``detail`` (and each of its ``errors``' details) in
        ``lang``; itself for English."""
        if lang == "en":
            return self
        errors = [
            {**e, "detail": translate(e["detail"], lang)} if isinstance(e.get("detail"), str) else e
            for e in self.errors
        ]
        return ProblemError(
            self.status,
            translate(self.detail, lang),
            pointer=self.pointer,
            errors=errors,
            headers=self.headers,
            problem_id=self.problem_id,
        )

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
    exc: MedcalcError, *, pointer: str | None = None, not_found: bool = False, lang: Lang = "en"
) -> ProblemError:
    """``exc`` as a problem, its message in ``lang``; ``not_found``: a missing tariff is the
    resource asked for (404)."""
    status = 404 if not_found and isinstance(exc, TariffNotFoundError) else status_of(exc)
    return ProblemError(status, translate(str(exc), lang), pointer=pointer)


def problem_lang(scope: Scope) -> Lang:
    """The language a request wants its errors in: ``?lang=zh`` (or ``en``) when given, else
    Chinese when the ``Accept-Language`` it likes best is Chinese (``zh``, ``zh-CN`` …), else
    English, the API's default."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
    if query:
        return "zh" if query[-1].strip().lower().startswith("zh") else "en"
    for key, value in scope.get("headers", ()):
        if key == b"accept-language":
            return _preferred(value.decode("latin-1"))
    return "en"


def _preferred(header: str) -> Lang:
    """Chinese when the language of ``header`` with the highest weight is ``zh`` (RFC 9110
    §12.5.4: ``zh-CN,zh;q=0.9,en;q=0.8``; of equal weights, the first)."""
    best, weight = "", -1.0
    for item in header.split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().lower().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > weight:
            best, weight = tag.strip().lower(), q
    return "zh" if best.split("-")[0] == "zh" and weight > 0 else "en"


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
    problem = ProblemError(500, say("service.unexpected", id=problem_id), problem_id=problem_id)
    await problem.translated(problem_lang(scope)).response(scope["path"])(scope, receive, send)
