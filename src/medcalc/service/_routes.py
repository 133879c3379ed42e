"""The endpoints: each translates HTTP to the library and back, nothing more.

Calculations and file work run in worker threads (:func:`~medcalc.service._limits.compute`);
the event loop only parses small bodies and moves bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from medcalc.batch import BatchReport, CompareReport
from medcalc.chain import Calculator
from medcalc.errors import MedcalcError, Problem, TariffNotFoundError, TariffOverlapError
from medcalc.messages import say
from medcalc.present import claims_json, premiums_json
from medcalc.service._auth import ROLE_KEY
from medcalc.service._batch import run_batch
from medcalc.service._compare import run_compare
from medcalc.service._config import ServiceConfig
from medcalc.service._docs import docs_asset, docs_page
from medcalc.service._limits import compute
from medcalc.service._metrics import Metrics
from medcalc.service._problems import ProblemError, from_error, problem_lang
from medcalc.service._requests import (
    ClaimsRequest,
    PremiumsRequest,
    claim_error,
    claims_request,
    load_json,
    premiums_request,
)
from medcalc.service._state import POLL_SECONDS, Loaded, ReloadOutcome, TariffState
from medcalc.service._tariffs import diff_document, list_document, tariff_document
from medcalc.tariff import TariffBook, inspect_tariff

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset(
    {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"}
)


#: One encoder for every answer (json.dumps with an option builds a new one each call); the
#: bytes are json.dumps(data, ensure_ascii=False)'s.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def json_response(data: Any, status: int = 200) -> Response:
    return Response(_ENCODE(data).encode(), status, media_type="application/json")


def _media_of(headers: Any) -> str:
    for key, value in headers:
        if key == b"content-type":
            return str(value.decode("latin-1").split(";", 1)[0].strip().lower())
    return ""


def _unsupported(media: str, accepted: frozenset[str]) -> ProblemError:
    return ProblemError(
        415,
        say("service.media", media=repr(media or "(none)"), accepted=" or ".join(sorted(accepted))),
    )


def _require(request: Request, accepted: frozenset[str]) -> None:
    media = _media_of(request.scope["headers"])
    if media not in accepted:
        raise _unsupported(media, accepted)


class JsonEndpoint:
    """A JSON ``POST`` endpoint as a plain ASGI app: the body's bytes in, the answer's out.

    The estimate endpoints carry nearly all the traffic, and for them Starlette's Request and
    Response objects and its per-route exception wrapper were a tenth of a request's CPU. The
    checks are the same (Content-Type, the body limit of the middleware, the handler's own);
    a :class:`ProblemError` raised here reaches the app's exception handlers as from any route.
    """

    def __init__(self, handler: Callable[[bytes], Awaitable[bytes]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            data = await self._answer(scope, receive)
        except ProblemError as exc:
            raise exc.translated(problem_lang(scope)) from None
        except MedcalcError as exc:
            raise from_error(exc, lang=problem_lang(scope)) from None
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(data)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def _answer(self, scope: Scope, receive: Receive) -> bytes:
        media = _media_of(scope["headers"])
        if media not in JSON_TYPES:
            raise _unsupported(media, JSON_TYPES)
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect  # as Request.body() does
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return await self.handler(b"".join(chunks))


def _in_lang(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` with its errors in the language the request asks for (English unless
    ``?lang=zh`` or ``Accept-Language: zh``; :func:`problem_lang`)."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except ProblemError as exc:
            raise exc.translated(problem_lang(request.scope)) from None
        except MedcalcError as exc:
            raise from_error(exc, lang=problem_lang(request.scope)) from None

    return answer


class Endpoints:
    """The handlers, sharing one configuration, tariff state and metrics."""

    def __init__(
        self,
        config: ServiceConfig,
        state: TariffState,
        metrics: Metrics,
        openapi: dict[str, Any],
    ) -> None:
        self.config = config
        self.state = state
        self.metrics = metrics
        self.limiter = anyio.CapacityLimiter(config.compute_threads)
        # Batches run one at a time in one thread of their own: under the GIL a second one
        # would not finish sooner, and each thread that ran one keeps its own malloc arena
        # sized for a whole file (RSS grew by a quarter under a mixed load before).
        self.batch_executor = ThreadPoolExecutor(1, thread_name_prefix="medcalc-batch")
        self.openapi_body = _ENCODE(openapi).encode()
        self.docs_body = docs_page(openapi).encode()

    def start_batches(self) -> None:
        """A fresh batch thread for this run of the app (a lifespan ends by shutting it)."""
        self.batch_executor = ThreadPoolExecutor(1, thread_name_prefix="medcalc-batch")

    def routes(self) -> list[Route]:
        return [
            # The busiest first: routes are tried in order.
            Route("/v1/claims", JsonEndpoint(self.claims), methods=["POST"]),
            Route("/v1/premiums", JsonEndpoint(self.premiums), methods=["POST"]),
            Route("/healthz", _in_lang(self.health), methods=["GET"]),
            Route("/readyz", _in_lang(self.ready), methods=["GET"]),
            Route("/metrics", _in_lang(self.metrics_text), methods=["GET"]),
            Route("/openapi.json", _in_lang(self.openapi), methods=["GET"]),
            Route("/docs", _in_lang(self.docs), methods=["GET"]),
            Route("/docs/{asset}", _in_lang(self.docs_asset), methods=["GET"]),
            Route("/v1/batch/claims", _in_lang(self.batch_claims), methods=["POST"]),
            Route("/v1/batch/premiums", _in_lang(self.batch_premiums), methods=["POST"]),
            Route("/v1/compare/claims", _in_lang(self.compare_claims), methods=["POST"]),
            Route("/v1/compare/premiums", _in_lang(self.compare_premiums), methods=["POST"]),
            Route("/v1/tariffs", _in_lang(self.tariff_list), methods=["GET"]),
            # Before /v1/tariffs/{series}: "diff" and "validate" are not series names.
            Route("/v1/tariffs/diff", _in_lang(self.tariff_diff), methods=["GET"]),
            Route("/v1/tariffs/validate", _in_lang(self.tariff_validate), methods=["POST"]),
            Route("/v1/tariffs/{series}", _in_lang(self.tariff_series), methods=["GET"]),
            Route("/v1/tariffs/{series}/{version}", _in_lang(self.tariff_show), methods=["GET"]),
            Route(
                "/v1/tariffs/{series}/{version}/source",
                _in_lang(self.tariff_source),
                methods=["GET"],
            ),
            Route("/v1/admin/reload", _in_lang(self.reload), methods=["POST"]),
        ]

    async def _compute(self, fn: Any, *args: Any) -> Any:
        return await compute(fn, *args, timeout=self.config.timeout, limiter=self.limiter)

    async def _body(self, request: Request, accepted: frozenset[str]) -> bytes:
        _require(request, accepted)
        return await request.body()

    # -- operations ---------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    async def ready(self, request: Request) -> Response:
        loaded = self.state.current
        if loaded is None:
            return ProblemError(503, say("service.not_loaded")).response(request.url.path)
        failed_at = self.state.last_error_at if self.state.last_error is not None else None
        return json_response(
            {
                "status": "ready",
                "tariff_versions": len(loaded.book.tariffs),
                "loaded_at": _iso(loaded.loaded_at),
                # No token guards this: that a reload failed and when, never the loader's
                # message (it names the server's files); that is in the log and the admin's.
                "last_reload_error": None if failed_at is None else _RELOAD_FAILED,
                "last_reload_failed_at": None if failed_at is None else _iso(failed_at),
            }
        )

    async def metrics_text(self, request: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def openapi(self, request: Request) -> Response:
        return Response(self.openapi_body, media_type="application/json")

    async def docs(self, request: Request) -> Response:
        return Response(self.docs_body, media_type="text/html; charset=utf-8")

    async def docs_asset(self, request: Request) -> Response:
        return docs_asset(request.path_params["asset"])

    # -- estimates ----------------------------------------------------------------------

    def _claims(self, loaded: Loaded, req: ClaimsRequest) -> bytes:
        calc = loaded.calculator
        _known_series(calc, req.series)
        try:
            result = calc.claims(req.series, req.person, req.claims, year_to_date=req.year_to_date)
        except MedcalcError as exc:
            raise claim_error(calc, req, exc) from None
        doc = claims_json(result)
        if not req.explain:
            for claim in doc["claims"]:
                del claim["explanation"]
        self.metrics.claims.inc(len(req.claims))
        return _ENCODE(doc).encode()

    async def claims(self, body: bytes) -> bytes:
        req = claims_request(
            load_json(body),
            default_series=self.config.default_series,
            max_claims=self.config.max_claims,
        )
        if len(req.claims) <= self.config.inline_claims:
            return self._claims(self.state.require(), req)
        data: bytes = await self._compute(self._claims, self.state.require(), req)
        return data

    def _premiums(self, loaded: Loaded, req: PremiumsRequest) -> bytes:
        calc = loaded.calculator
        _known_series(calc, req.series)
        try:
            result = calc.premiums(
                req.series, req.person, req.year, pension_grade=req.pension_grade
            )
        except MedcalcError as exc:
            field = getattr(exc, "field", None)
            pointer = {"year": "/year", "pension_grade": "/pension_grade"}.get(field or "")
            if pointer is None and field:
                pointer = f"/person/{field}"
            if isinstance(exc, TariffNotFoundError):
                pointer = "/year"  # no version in force on 1 January of the year
            raise from_error(exc, pointer=pointer) from None
        self.metrics.premiums.inc()
        return _ENCODE(premiums_json(result)).encode()

    async def premiums(self, body: bytes) -> bytes:
        req = premiums_request(load_json(body), default_series=self.config.default_series)
        if self.config.inline_claims:  # one person-year: as small as a single claim
            return self._premiums(self.state.require(), req)
        data: bytes = await self._compute(self._premiums, self.state.require(), req)
        return data

    # -- batch --------------------------------------------------------------------------

    async def _batch(self, request: Request, kind: str) -> Response:
        def done(report: BatchReport) -> None:
            if kind == "claims":
                self.metrics.claims.inc(report.summary.ok)
            else:
                self.metrics.premiums.inc(report.summary.ok)
            self.metrics.row_errors.labels(kind).inc(report.summary.errors)

        async def run(fn: Any) -> Any:
            return await compute(
                fn, timeout=self.config.batch_timeout, executor=self.batch_executor
            )

        return await run_batch(request, kind, self.state.require().calculator, run, done)

    async def batch_claims(self, request: Request) -> Response:
        return await self._batch(request, "claims")

    async def batch_premiums(self, request: Request) -> Response:
        return await self._batch(request, "premiums")

    # -- compare (issue 16) ---------------------------------------------------------------

    async def _compare(self, request: Request, kind: str) -> Response:
        def done(report: CompareReport) -> None:
            self.metrics.row_errors.labels(kind).inc(report.summary.errors)

        async def run(fn: Any) -> Any:
            return await compute(
                fn, timeout=self.config.batch_timeout, executor=self.batch_executor
            )

        book = self.state.require().calculator.book
        return await run_compare(request, kind, book, run, done)

    async def compare_claims(self, request: Request) -> Response:
        return await self._compare(request, "claims")

    async def compare_premiums(self, request: Request) -> Response:
        return await self._compare(request, "premiums")

    # -- tariffs ------------------------------------------------------------------------

    def _book(self) -> TariffBook:
        return self.state.require().book

    async def tariff_list(self, request: Request) -> Response:
        return json_response(list_document(self._book()))

    async def tariff_series(self, request: Request) -> Response:
        book = self._book()
        series = request.path_params["series"]
        try:
            book.versions(series)
        except TariffNotFoundError as exc:
            raise from_error(exc, not_found=True) from None
        return json_response(list_document(book, series))

    def _tariff(self, request: Request) -> Any:
        try:
            return self._book().get(request.path_params["series"], request.path_params["version"])
        except TariffNotFoundError as exc:
            raise from_error(exc, not_found=True) from None

    async def tariff_show(self, request: Request) -> Response:
        return json_response(tariff_document(self._tariff(request)))

    async def tariff_source(self, request: Request) -> Response:
        tariff = self._tariff(request)
        try:
            data = await anyio.Path(tariff.path).read_bytes()
        except OSError:
            data = b""
        if hashlib.sha256(data).hexdigest() != tariff.sha256:
            raise ProblemError(
                503,
                say("service.source_changed", name=Path(tariff.path).name, sha=tariff.sha256[:12]),
            )
        return Response(data, media_type="application/yaml", headers={"ETag": f'"{tariff.sha256}"'})

    async def tariff_diff(self, request: Request) -> Response:
        params = request.query_params
        if "a" not in params or "b" not in params:
            raise ProblemError(400, say("service.diff_operands"))
        try:
            doc = await self._compute(diff_document, self._book(), params["a"], params["b"])
        except TariffNotFoundError as exc:
            raise from_error(exc, not_found=True) from None
        return json_response(doc)

    def _validate(self, data: bytes, name: str) -> dict[str, Any]:
        check = inspect_tariff(data, name)
        problems = list(check.problems)
        if check.tariff is not None:
            new = check.tariff
            others = [
                t for t in self._book() if not (t.series == new.series and t.version == new.version)
            ]
            try:
                # The book owns the overlap rule: would the file join the tables in force?
                TariffBook.of([*others, new])
            except TariffOverlapError as exc:
                line, column = check.effective_line, check.effective_column
                # As medcalc tariff validate reports it: the message without the file's
                # name in front (the Problem puts it back, with the line and column).
                message = str(exc).removeprefix(f"{exc.second}: ")
                problems.append(Problem(name, line, column, message))
        if problems:
            raise ProblemError(
                422,
                "\n".join(str(p) for p in problems),
                errors=[{"detail": str(p), "line": p.line, "column": p.column} for p in problems],
            )
        assert check.tariff is not None
        return {
            "valid": True,
            "series": check.tariff.series,
            "version": check.tariff.version,
            "sha256": check.tariff.sha256,
            "problems": [],
        }

    async def tariff_validate(self, request: Request) -> Response:
        data = await self._body(request, YAML_TYPES)
        name = Path(request.query_params.get("name") or "tariff.yaml").name or "tariff.yaml"
        return json_response(await self._compute(self._validate, data, name))

    # -- admin --------------------------------------------------------------------------

    async def reload(self, request: Request) -> Response:
        if self.config.tokens_file is None:
            raise ProblemError(
                403,
                say("service.reload_no_tokens"),
            )
        if request.scope.get(ROLE_KEY) != "admin":
            raise ProblemError(403, say("service.reload_not_admin"))
        if self.state.snapshot is not None:
            outcome = await self._reload_everywhere()
        else:
            outcome = await reload_tariffs(self.state, self.metrics)
        if not outcome.ok:
            # 409: the request is fine; the files on disk conflict with a clean load.
            raise ProblemError(
                409,
                say("service.not_reloaded", error=outcome.error),
            )
        return json_response({"reloaded": True, "tariff_versions": outcome.versions})

    async def _reload_everywhere(self) -> ReloadOutcome:
        """``--workers N``: the parent reloads for every worker; answer once this worker has
        the outcome (the others pick it up within a poll)."""
        before = self.state.generation
        if not ask_supervisor(self.state):
            raise ProblemError(503, say("service.no_supervisor"), headers={"Retry-After": "1"})
        deadline = time.monotonic() + self.config.timeout
        while self.state.generation <= before:
            if time.monotonic() > deadline:
                raise ProblemError(
                    503,
                    say("service.supervisor_late", seconds=f"{self.config.timeout:g}"),
                    headers={"Retry-After": "1"},
                )
            await asyncio.sleep(0.02)
            await apply_snapshot(self.state, self.metrics)
        return ReloadOutcome(
            self.state.last_error is None, len(self._book().tariffs), self.state.last_error
        )


_RELOAD_FAILED = (
    "the last reload failed; the tables in force are unchanged "
    "(the file, line and column are in the service log)"
)


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat()


def _count(outcome: ReloadOutcome, metrics: Metrics, **fields: Any) -> None:
    from medcalc.service._logs import ERRORS

    metrics.reloads.labels("ok" if outcome.ok else "failed").inc()
    if outcome.ok:
        metrics.versions.set(outcome.versions)
        ERRORS.info(
            "tariffs reloaded",
            extra={"fields": {"tariff_versions": outcome.versions, **fields}},
        )
    else:
        ERRORS.error(
            "tariff reload failed; the old tables stay",
            extra={"fields": {"error": outcome.error, **fields}},
        )


async def reload_tariffs(state: TariffState, metrics: Metrics) -> Any:
    """Reload off the event loop; count and log the outcome."""
    outcome: ReloadOutcome = await anyio.to_thread.run_sync(state.reload)
    _count(outcome, metrics)
    return outcome


def ask_supervisor(state: TariffState) -> bool:
    """``--workers N``: ask the parent to reload (its SIGHUP); False when it is gone."""
    pid = state.supervisor
    if pid is None or pid != os.getppid():
        from medcalc.service._logs import ERRORS

        ERRORS.error(say("service.no_supervisor"))
        return False
    os.kill(pid, signal.SIGHUP)
    return True


async def apply_snapshot(state: TariffState, metrics: Metrics) -> ReloadOutcome | None:
    """Apply the parent's newer snapshot, if there is one (off the event loop); count and
    log it as a reload of this worker."""
    if not state.snapshot_changed():
        return None
    outcome: ReloadOutcome | None = await anyio.to_thread.run_sync(state.refresh)
    if outcome is not None:
        _count(outcome, metrics, generation=state.generation)
    return outcome


async def follow_snapshot(state: TariffState, metrics: Metrics) -> None:
    """``--workers N``: keep this worker on the parent's latest snapshot (runs until
    cancelled). A snapshot that cannot be read leaves the tables in force; it is logged once."""
    from medcalc.service._logs import ERRORS

    failing = False
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            await apply_snapshot(state, metrics)
        except Exception:  # this loop must outlive a bad read; the next change is tried too
            if not failing:
                ERRORS.exception("cannot read the supervisor's snapshot; the tables in force stay")
            failing = True
        else:
            failing = False


def _known_series(calc: Calculator, series: str) -> None:
    """A series the book does not know: the problem points at the request's ``/series``, not
    at the person or a claim."""
    try:
        calc.book.versions(series)
    except TariffNotFoundError as exc:
        raise from_error(exc, pointer="/series") from None
