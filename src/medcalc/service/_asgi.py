"""What the service's middlewares read from a raw ASGI scope."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


def header(scope: Scope, name: bytes) -> bytes:
    """The value of request header ``name`` (lower case; the last one when it is repeated;
    empty when absent)."""
    value = b""
    for key, found in scope["headers"]:
        if key == name:
            value = found
    return value


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests (:meth:`http`) and passes any other
    scope (lifespan, websocket) on to the app as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
