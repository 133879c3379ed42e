"""Limits: request body size, and calculations off the event loop with a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcalc.messages import say
from medcalc.service._asgi import HttpMiddleware, header
from medcalc.service._problems import ProblemError, problem_lang

T = TypeVar("T")

#: Batch uploads: the API's, and the web page's batch form (docs/web.md).
UPLOAD_PREFIXES = ("/v1/batch/", "/v1/compare/", "/batch")


class BodyTooLargeError(Exception):
    """Raised from ``receive`` once a body passes its limit."""


class BodyLimit(HttpMiddleware):
    """ASGI middleware: 413 for a body above the limit, told by Content-Length before
    anything is read, or counted while it streams (chunked uploads). Batch uploads have
    their own, larger limit."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        super().__init__(app)
        self.max_body = max_body
        self.max_upload = max_upload

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_upload if scope["path"].startswith(UPLOAD_PREFIXES) else self.max_body
        length = header(scope, b"content-length")
        if length.isdigit() and int(length) > limit:
            await (
                _too_large(limit)
                .translated(problem_lang(scope))
                .response(scope["path"])(scope, receive, send)
            )
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BodyTooLargeError:
            if started:  # pragma: no cover - the body is read before a response starts
                raise
            await (
                _too_large(limit)
                .translated(problem_lang(scope))
                .response(scope["path"])(scope, receive, send)
            )


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, say("service.body_too_large", limit=limit))


async def compute(
    fn: Callable[..., T],
    *args: Any,
    timeout: float,
    limiter: anyio.CapacityLimiter | None = None,
    executor: Executor | None = None,
) -> T:
    """``fn(*args)`` in a worker thread (of ``executor`` when given), so the event loop keeps
    serving; 503 when it takes longer than ``timeout`` seconds (the thread finishes on its own
    and its result is dropped)."""
    try:
        with anyio.fail_after(timeout):
            if executor is not None:
                return await asyncio.wrap_future(executor.submit(fn, *args))
            return await anyio.to_thread.run_sync(
                fn, *args, abandon_on_cancel=True, limiter=limiter
            )
    except TimeoutError:
        raise ProblemError(
            503,
            say("service.timeout", seconds=f"{timeout:g}"),
            headers={"Retry-After": "1"},
        ) from None
