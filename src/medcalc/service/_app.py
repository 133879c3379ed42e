"""The application: configuration, tariff state, middleware and routes put together."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

import medcalc
from medcalc.errors import MedcalcError
from medcalc.messages import say
from medcalc.service._auth import BearerAuth, load_tokens
from medcalc.service._config import ServiceConfig
from medcalc.service._limits import BodyLimit
from medcalc.service._logs import ERRORS
from medcalc.service._metrics import Metrics, Observe
from medcalc.service._openapi import openapi
from medcalc.service._problems import ProblemError, from_error, problem_lang
from medcalc.service._routes import Endpoints, ask_supervisor, follow_snapshot, reload_tariffs
from medcalc.service._state import TariffState
from medcalc.service._web import WebPages
from medcalc.service._web_guard import WebGuard, is_web


def _wants_page(request: Request) -> bool:
    """A web page's request from a browser (it accepts HTML): an error is answered as a page."""
    return is_web(request.url.path) and "text/html" in request.headers.get("accept", "")


async def _medcalc_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MedcalcError)
    return from_error(exc, lang=problem_lang(request.scope)).response(request.url.path)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own 404 (no route) and 405 (wrong method), as problems too, in the
    # request's language like every other problem.
    assert isinstance(exc, HTTPException)
    where = {"method": request.method, "path": request.url.path}
    if exc.status_code in (404, 405):
        detail = say(
            "service.no_route" if exc.status_code == 404 else "service.wrong_method", **where
        )
    else:
        detail = f"{request.method} {request.url.path}: {exc.detail}"
    problem = ProblemError(exc.status_code, detail, headers=exc.headers)
    return problem.translated(problem_lang(request.scope)).response(request.url.path)


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The ASGI application; ``config`` defaults to :meth:`ServiceConfig.from_env` (so
    ``uvicorn --factory medcalc.service:create_app`` and gunicorn's uvicorn worker work).

    The tariffs are loaded at start-up (lifespan); a start with tariffs that do not load
    fails, a reload with them keeps the old book.
    """
    config = config or ServiceConfig.from_env()
    tokens = None if config.tokens_file is None else load_tokens(config.tokens_file)
    state = TariffState(config.tariff_dirs, config.snapshot)
    metrics = Metrics()
    document = openapi(str(medcalc.__version__), tokens=tokens is not None)
    endpoints = Endpoints(config, state, metrics, document)
    web = WebPages(endpoints, tokens=tokens)

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        if _wants_page(request):
            return web.problem_page(request, exc)
        return exc.response(request.url.path)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loaded = await anyio.to_thread.run_sync(state.load)
        endpoints.start_batches()
        metrics.versions.set(len(loaded.book.tariffs))
        tasks: set[asyncio.Task[Any]] = set()
        loop = asyncio.get_running_loop()

        def on_hup() -> None:
            if state.snapshot is not None:  # --workers N: the parent reloads for every worker
                ask_supervisor(state)
                return
            task = loop.create_task(reload_tariffs(state, metrics))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        if state.snapshot is not None:
            tasks.add(loop.create_task(follow_snapshot(state, metrics)))

        hup = getattr(signal, "SIGHUP", None)
        installed = False
        if config.handle_sighup and hup is not None:
            # Only the main thread of a process may; an embedding test client is not one.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hup, on_hup)
                installed = True
        ERRORS.info(
            "tariffs loaded",
            extra={"fields": {"tariff_versions": len(loaded.book.tariffs), "sighup": installed}},
        )
        try:
            yield
        finally:
            if installed and hup is not None:
                loop.remove_signal_handler(hup)
            for task in tasks:
                task.cancel()
            endpoints.batch_executor.shutdown(wait=False, cancel_futures=True)

    app = Starlette(
        # The API's routes first (the busiest), then the counter's web page (docs/web.md).
        routes=[*endpoints.routes(), *web.routes()],
        middleware=[
            Middleware(Observe, metrics=metrics),
            # The web page's CSP and form checks; with tokens, its login cookie as the
            # Authorization header that BearerAuth checks.
            Middleware(WebGuard, tokens=tokens),
            # Without tokens there is nothing to check: no layer (each costs every request).
            *([] if tokens is None else [Middleware(BearerAuth, tokens=tokens)]),
            Middleware(
                BodyLimit, max_body=config.max_body_bytes, max_upload=config.max_upload_bytes
            ),
        ],
        exception_handlers={
            ProblemError: problem,
            MedcalcError: _medcalc_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    app.state.medcalc = state
    app.state.metrics = metrics
    app.state.config = config
    return app
