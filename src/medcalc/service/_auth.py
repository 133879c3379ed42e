"""Optional bearer tokens from a file, compared in constant time.

The file has one token a line, optionally followed by ``admin`` (which may also reload the
tariffs); blank lines and ``#`` comments are skipped. Without a file there is no
authentication. Health probes and the documentation page (static, no data) stay open.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from medcalc.errors import UsageError
from medcalc.messages import say
from medcalc.service._problems import ProblemError, problem_lang

OPEN_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/docs",
        "/docs/app.js",
        "/docs/app.css",
        # the web page's login form and its files (docs/web.md): where a token is typed
        "/login",
        "/static/web.css",
        "/static/web.js",
        "/favicon.ico",
    }
)
ROLES = ("user", "admin")
ROLE_KEY = "medcalc.role"


def load_tokens(path: Path) -> tuple[tuple[bytes, str], ...]:
    """The tokens of ``path`` and their roles; :class:`UsageError` for a bad file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(say("service.tokens_unreadable", path=path, reason=exc)) from None
    tokens: list[tuple[bytes, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1] != "admin"):
            raise UsageError(say("service.token_line", path=path, number=number))
        if len(words[0]) < 16:
            raise UsageError(say("service.token_short", path=path, number=number))
        tokens.append((words[0].encode(), "admin" if len(words) == 2 else "user"))
    if not tokens:
        raise UsageError(say("service.no_tokens", path=path))
    return tuple(tokens)


def role_of(header: bytes | None, tokens: tuple[tuple[bytes, str], ...]) -> str | None:
    """The role of the bearer token in an Authorization header, or None. Every token is
    compared (in constant time each), so the time taken does not tell which one matched."""
    if header is None or header[:7].lower() != b"bearer ":
        return None
    given = header[7:].strip()
    role = None
    for token, token_role in tokens:
        if hmac.compare_digest(given, token):
            role = token_role
    return role


class BearerAuth:
    """ASGI middleware: 401 without a valid token (except :data:`OPEN_PATHS`)."""

    def __init__(self, app: ASGIApp, tokens: tuple[tuple[bytes, str], ...] | None) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.tokens is None:
            await self.app(scope, receive, send)
            return
        if scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization")
        role = role_of(header, self.tokens)
        if role is None:
            problem = ProblemError(
                401,
                say("service.token_needed"),
                headers={"WWW-Authenticate": 'Bearer realm="medcalc"'},
            )
            await problem.translated(problem_lang(scope)).response(scope["path"])(
                scope, receive, send
            )
            return
        scope[ROLE_KEY] = role
        await self.app(scope, receive, send)
