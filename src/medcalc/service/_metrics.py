"""Prometheus metrics and the access log: one middleware times every request once, and
answers an unexpected exception with a 500 problem (one layer instead of two: each layer
wraps every message a request sends). A client that hangs up before its body is read gets
no answer and is counted and logged as 499.

Each app has its own registry (two apps in one process, as in tests, do not share counts).
Route labels are the route templates (``/v1/tariffs/{series}``), so paths with ids do not
make new series; requests that match no route are labelled ``unmatched``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcalc.service._asgi import HttpMiddleware, header
from medcalc.service._logs import access_log
from medcalc.service._problems import unexpected_error

REQUEST_ID_KEY = "medcalc.request_id"
#: The status a request is counted and logged with when its client went away before the
#: body was read (nginx's "client closed request"): nothing is sent, and it is no server error.
CLIENT_CLOSED = 499
#: Methods counted by name; any other is "other" (a client cannot grow the label set).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Latency buckets in seconds: single claims take about a millisecond, batches seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The service's counters, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "medcalc_http_requests",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "medcalc_http_request_duration_seconds",
            "Time from request to the end of the response, by route.",
            ["route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.claims = Counter(
            "medcalc_claims_computed", "Claims computed (JSON requests and batch rows).", registry=r
        )
        self.premiums = Counter(
            "medcalc_premiums_computed", "Premium estimates computed.", registry=r
        )
        self.row_errors = Counter(
            "medcalc_batch_row_errors", "Batch rows with an error, by kind.", ["kind"], registry=r
        )
        self.reloads = Counter(
            "medcalc_tariff_reloads", "Tariff reloads by outcome.", ["outcome"], registry=r
        )
        self.versions = Gauge(
            "medcalc_tariff_versions", "Tariff versions in the book in force.", registry=r
        )
        # The labelled children, found once: labels() costs more than the increment.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        """Count one request and its latency."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)


class Observe(HttpMiddleware):
    """ASGI middleware: request id, timing, metrics, one access-log line per request, and a
    500 problem with a logged id for an unexpected exception."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        given = header(scope, b"x-request-id")
        # A caller's id is kept when it is short and plain, so a proxy's ids join up.
        request_id = (
            given.decode("ascii")
            if 0 < len(given) <= 64 and given.isascii() and given.isalnum()
            else os.urandom(16).hex()
        )
        scope[REQUEST_ID_KEY] = request_id
        status = 500
        sent = 0
        started = False

        async def sending(message: Message) -> None:
            nonlocal status, sent, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except ClientDisconnect:
            # Before Exception: a client that hangs up mid-upload is not our fault, and there
            # is nobody to answer (no error log, no 5xx count).
            if not started:
                status = CLIENT_CLOSED
        except Exception:
            await unexpected_error(scope, receive, sending, started=started)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.observe(method, label, status, elapsed)
            access_log(scope, label, status, elapsed, sent, request_id)
