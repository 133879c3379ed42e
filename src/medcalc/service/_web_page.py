"""What every page of the counter's web page shares (docs/web.md): the Jinja2 templates
(autoescape on) drawn in the page's language with its form token, the forms read and checked,
calculations under the API's limits, error pages, the two static files and the login page.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from medcalc.chain import FIELD_LABELS
from medcalc.messages import say
from medcalc.present import Lang
from medcalc.service._auth import role_of
from medcalc.service._limits import compute
from medcalc.service._problems import ProblemError
from medcalc.service._routes import Endpoints
from medcalc.service._web_forms import Errors, message
from medcalc.service._web_guard import (
    CSRF_COOKIE,
    CSRF_FIELD,
    TOKEN_COOKIE,
    cookie_options,
    csrf_ok,
    csrf_token,
)
from medcalc.service._web_view import result_label
from medcalc.tariff import TariffBook

STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}
_FORM_LIMITS = {"max_files": 0, "max_fields": 400}


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("medcalc.service", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _static(name: str) -> bytes:
    return (importlib.resources.files("medcalc.service") / "web" / "static" / name).read_bytes()


def t(lang: Lang, zh: str, en: str) -> str:
    """A text of the page itself (not a library message) in the page's language."""
    return zh if lang == "zh" else en


def page_lang(value: object) -> Lang:
    """The page's language: ``en`` when asked for, else Chinese."""
    return "en" if value == "en" else "zh"


class Pages:
    """The shared part of the page's handlers, over the API's endpoints (their
    configuration, tariff state, calculation limits, batch thread and metrics)."""

    def __init__(self, endpoints: Endpoints, *, tokens: tuple[tuple[bytes, str], ...] | None):
        self.endpoints = endpoints
        self.config = endpoints.config
        self.tokens = tokens

    # -- drawing ---------------------------------------------------------------------------

    def book(self) -> TariffBook:
        return self.endpoints.state.require().book

    def render(
        self, request: Request, template: str, lang: Lang, code: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page: ``template`` with the page's language, form token and navigation."""
        token, new = csrf_token(request.scope)

        def t(zh: str, en: str) -> str:
            return zh if lang == "zh" else en

        def url(path: str, **query: str) -> str:
            return f"{path}?{urlencode({**query, 'lang': lang})}"

        def label(field: str) -> str:
            zh, en = FIELD_LABELS[field]
            return zh if lang == "zh" else en[:1].upper() + en[1:]

        errors: Errors = context.pop("errors", {})
        html = (
            _environment()
            .get_template(template)
            .render(
                lang=lang,
                t=t,
                url=url,
                label=label,
                csrf_field=CSRF_FIELD,
                csrf=token,
                path=request.url.path,
                tokens=self.tokens is not None,
                result_label=lambda name: result_label(name, lang),
                translate=lambda text: message(text, lang),
                errors={k: message(v, lang) for k, v in errors.items()},
                **context,
            )
        )
        response = HTMLResponse(html, code)
        if new:
            response.set_cookie(CSRF_COOKIE, token, path="/", **cookie_options(request.scope))
        return response

    def refused(self, request: Request, lang: Lang) -> HTMLResponse:
        text = (
            "表单已过期，请刷新页面后重新提交。"
            if lang == "zh"
            else "The form has expired; reload the page and send it again."
        )
        return self.render(request, "error.html", lang, 403, message=text)

    async def read_form(self, request: Request) -> tuple[Any, Lang, HTMLResponse | None]:
        form = await request.form(**_FORM_LIMITS)
        lang = page_lang(form.get("lang"))
        refused = None if csrf_ok(request.scope, form) else self.refused(request, lang)
        return form, lang, refused

    async def calculate(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await compute(fn, *args, timeout=self.config.timeout, limiter=self.endpoints.limiter)

    # -- login (with --tokens) ---------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            lang = page_lang(request.query_params.get("lang"))
            target = local_path(request.query_params.get("next"))
            return self.render(request, "login.html", lang, next=target)
        form, lang, refused = await self.read_form(request)
        if refused is not None:
            return refused
        target = local_path(form.get("next"))
        token = str(form.get("token") or "").strip()
        if self.tokens is None:
            return RedirectResponse(target, 303)
        if role_of(f"Bearer {token}".encode(), self.tokens) is None:
            errors = {"token": t(lang, "访问令牌不对。", "Not a valid token.")}
            return self.render(request, "login.html", lang, 401, next=target, errors=errors)
        response = RedirectResponse(target, 303)
        response.set_cookie(TOKEN_COOKIE, token, path="/", **cookie_options(request.scope))
        return response

    async def logout(self, request: Request) -> Response:
        _, lang, refused = await self.read_form(request)
        if refused is not None:
            return refused
        response = RedirectResponse(f"/login?{urlencode({'lang': lang})}", 303)
        response.delete_cookie(TOKEN_COOKIE, path="/", **cookie_options(request.scope))
        return response

    # -- files -------------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise ProblemError(404, say("service.no_route", method="GET", path=request.url.path))
        return Response(
            _static(name), media_type=STATIC[name], headers={"Cache-Control": "max-age=300"}
        )

    def problem_page(self, request: Request, problem: ProblemError) -> HTMLResponse:
        """An API problem (a time limit, a missing page) met by a page a browser asked for,
        as a page in its language, with the same status."""
        lang = page_lang(request.query_params.get("lang"))
        page = self.render(request, "error.html", lang, problem.status, message=problem.detail)
        page.headers.update(problem.headers)
        return page

    async def no_icon(self, request: Request) -> Response:
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    def not_found(self, request: Request, lang: Lang) -> HTMLResponse:
        text = "没有这个页面。" if lang == "zh" else "There is no such page."
        return self.render(request, "error.html", lang, 404, message=text)


def local_path(target: object) -> str:
    """A path on this site to go back to after logging in (never another site's address)."""
    text = target if isinstance(target, str) else ""
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text
