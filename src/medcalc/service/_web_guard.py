"""The web page's guard: the same tokens as the API, a Content-Security-Policy, and forms that
another site cannot post.

A browser cannot add ``Authorization: Bearer …`` to a page it follows, so with ``--tokens``
the token is typed once on ``/login`` and kept in a cookie (HttpOnly, SameSite=Strict); this
middleware, outside :class:`~medcalc.service._auth.BearerAuth`, turns the cookie back into the
header, so one check (the API's) decides for both. A page asked for without a valid token goes
to ``/login``. Every form post carries a token that must equal a cookie of the page
(:func:`csrf_ok`, "double submit"), and a post whose ``Origin`` is another site is refused.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcalc.service._asgi import HttpMiddleware, header
from medcalc.service._auth import role_of

#: The web page's paths (the rest is the JSON API and its documentation).
WEB_PREFIXES = (
    "/premiums",
    "/print",
    "/batch",
    "/tariffs",
    "/login",
    "/logout",
    "/static/",
    "/favicon.ico",
)
#: What a browser may fetch without a token: the login page and what it is drawn with.
OPEN_WEB_PATHS = frozenset({"/login", "/static/web.css", "/static/web.js", "/favicon.ico"})
TOKEN_COOKIE = "medcalc_token"
CSRF_COOKIE = "medcalc_csrf"
CSRF_FIELD = "csrf"

#: Scripts and styles only from the app's own files: no inline script can run, whatever a
#: value escaped wrongly would hold. The print page adds the hash of its own style block.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = {
    "x-content-type-options": "nosniff",
    # Not to other sites; to this one, so a form post carries its Origin (no-referrer
    # would make it "null").
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def is_web(path: str) -> bool:
    return path == "/" or path.startswith(WEB_PREFIXES)


def cookies(scope: Scope) -> dict[str, str]:
    return cookie_parser(header(scope, b"cookie").decode("latin-1"))


def csrf_token(scope: Scope) -> tuple[str, bool]:
    """The page's form token: the cookie's, or a new one (True: set the cookie)."""
    found = cookies(scope).get(CSRF_COOKIE, "")
    if len(found) == 32:
        return found, False
    return secrets.token_hex(16), True


def csrf_ok(scope: Scope, form: Any) -> bool:
    """Whether a posted form's token equals the cookie's (a constant-time comparison)."""
    given = form.get(CSRF_FIELD)
    cookie = cookies(scope).get(CSRF_COOKIE, "")
    return isinstance(given, str) and len(cookie) == 32 and hmac.compare_digest(given, cookie)


def cookie_options(scope: Scope) -> dict[str, Any]:
    """How the page's cookies are set: never readable by a script, never sent by another
    site's page, Secure when the page came over HTTPS."""
    return {"httponly": True, "samesite": "strict", "secure": scope.get("scheme") == "https"}


def _same_origin(scope: Scope) -> bool:
    origin = header(scope, b"origin").decode("latin-1")
    if not origin or origin == "null":
        # None (an old browser, a script) or hidden (a privacy setting): the token decides
        return True
    return urlsplit(origin).netloc == header(scope, b"host").decode("latin-1")


class WebGuard(HttpMiddleware):
    """ASGI middleware for the web page's paths (others pass untouched)."""

    def __init__(self, app: ASGIApp, *, tokens: tuple[tuple[bytes, str], ...] | None) -> None:
        super().__init__(app)
        self.tokens = tokens

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if not is_web(path):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and not _same_origin(scope):
            refused = PlainTextResponse("a form of another site may not post here", 403)
            await refused(scope, receive, self._headers(send))
            return
        if self.tokens is not None and not header(scope, b"authorization"):
            token = cookies(scope).get(TOKEN_COOKIE, "").encode()
            if role_of(b"Bearer " + token, self.tokens) is not None:
                scope["headers"] = [*scope["headers"], (b"authorization", b"Bearer " + token)]
            elif path not in OPEN_WEB_PATHS:
                query = scope["query_string"].decode("latin-1")
                to = path + (f"?{query}" if query else "")
                login = RedirectResponse(f"/login?next={quote(to, safe='')}", 303)
                await login(scope, receive, self._headers(send))
                return
        await self.app(scope, receive, self._headers(send))

    @staticmethod
    def _headers(send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = CSP
                for key, value in _HEADERS.items():
                    headers.setdefault(key, value)
                # Estimates are personal data: no copy kept by the browser or a proxy.
                headers.setdefault("cache-control", "no-store")
            await send(message)

        return sending
