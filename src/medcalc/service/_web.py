"""The counter's web page (docs/web.md): estimate, premiums, print, batch and tariffs, drawn on
the server from Jinja2 templates (autoescape on) in the page's language, Chinese by default.

Every page works without JavaScript; ``web.js`` only follows a batch's progress without
reloading. The handlers translate forms to the library and back, as the JSON API's do: the same
calculator, limits and messages. Templates and the two static files are in ``web/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from medcalc.batch import COLUMN_LANGUAGES, EXTENSIONS, FORMATS
from medcalc.chain import ClaimsResult, PremiumResult
from medcalc.errors import TariffNotFoundError
from medcalc.messages import say
from medcalc.present import (
    Lang,
    claims_json,
    estimate_html,
    premiums_json,
    premiums_table,
    tariff_list_json,
    tariff_table,
)
from medcalc.service._batch import count_headers, receive_upload
from medcalc.service._limits import compute
from medcalc.service._problems import ProblemError
from medcalc.service._routes import Endpoints
from medcalc.service._tariffs import diff_document
from medcalc.service._web_batch import WebBatches, media_type
from medcalc.service._web_compare import ComparePages
from medcalc.service._web_forms import (
    STAY_FIELDS,
    Errors,
    EstimateForm,
    PremiumForm,
    stay_field,
)
from medcalc.service._web_guard import (
    CSP,
    csrf_ok,
)
from medcalc.service._web_page import page_lang, t
from medcalc.service._web_view import (
    AMOUNTS,
    Choices,
    accumulator_rows,
    choices,
    diff_rows,
    explanation,
    premium_rows,
    stay_rows,
    tariffs_used,
    year_rows,
)
from medcalc.tariff import DISABILITY_TYPE_LABELS, DISABILITY_TYPES, Tariff

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _disability_types(lang: Lang) -> list[tuple[str, str]]:
    """The disability types' choices: each id with its name in ``lang`` (肢体, physical)."""
    return [(kind, DISABILITY_TYPE_LABELS[kind].get(lang)) for kind in DISABILITY_TYPES]


class WebPages(ComparePages):
    """The page's handlers (estimate, print, premiums, batch, compare, tariffs) and its
    routes."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        tokens: tuple[tuple[bytes, str], ...] | None,
        batches: WebBatches | None = None,
    ) -> None:
        super().__init__(endpoints, tokens=tokens)
        self.batches = batches or WebBatches()

    def routes(self) -> list[Route]:
        return [
            Route("/", self.estimate, methods=["GET", "POST"]),
            Route("/print", self.print_page, methods=["POST"]),
            Route("/premiums", self.premiums, methods=["GET", "POST"]),
            Route("/batch", self.batch, methods=["GET", "POST"]),
            *self.compare_routes(),  # before /batch/{job}: the page is /batch/compare
            Route("/batch/{job}", self.batch_job, methods=["GET"]),
            Route("/batch/{job}/status", self.batch_status, methods=["GET"]),
            Route("/batch/{job}/result", self.batch_result, methods=["GET"]),
            Route("/tariffs", self.tariffs, methods=["GET"]),
            Route("/tariffs/diff", self.tariff_diff, methods=["GET"]),
            Route("/tariffs/{series}/{version}", self.tariff, methods=["GET"]),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/static/{name}", self.static, methods=["GET"]),
            # Browsers ask for it on every page (the print page has no icon link): no icon.
            Route("/favicon.ico", self.no_icon, methods=["GET"]),
        ]

    def _person_choices(self, series: str, lang: Lang) -> Choices:
        return choices(self.book(), series, lang)

    # -- estimate (住院费用测算) ---------------------------------------------------------

    async def estimate(self, request: Request) -> Response:
        if request.method == "GET":
            lang = page_lang(request.query_params.get("lang"))
            return self._estimate_page(request, lang, EstimateForm(self.config.default_series))
        form, lang, refused = await self.read_form(request)
        if refused is not None:
            return refused
        estimate = EstimateForm.read(form, self.config.default_series)
        action = str(form.get("action") or "estimate")
        if action == "add":
            return self._estimate_page(request, lang, estimate.with_stay_added())
        if action.startswith("remove-") and action[7:].isdigit():
            return self._estimate_page(request, lang, estimate.with_stay_removed(int(action[7:])))
        errors: Errors = {}
        calc = self.endpoints.state.require().calculator
        result = await self.calculate(estimate.compute, calc, errors)
        if result is not None:
            self.endpoints.metrics.claims.inc(len(result.claims))
        return self._estimate_page(request, lang, estimate, result, errors)

    def _estimate_page(
        self,
        request: Request,
        lang: Lang,
        form: EstimateForm,
        result: ClaimsResult | None = None,
        errors: Errors | None = None,
    ) -> HTMLResponse:
        book = self.book()
        shown: dict[str, Any] = {}
        if result is not None:
            shown = {
                "stays": stay_rows(result, book, lang),
                "years": year_rows(result),
                "used": tariffs_used(claims_json(result)),
                "accumulators": accumulator_rows(result, lang),
                "explanation": explanation(result, book, lang),
            }
        return self.render(
            request,
            "estimate.html",
            lang,
            422 if errors else 200,
            form=form,
            choices=self._person_choices(form.series, lang),
            disability_types=_disability_types(lang),
            stay_fields=STAY_FIELDS,
            stay_field=stay_field,
            amounts=AMOUNTS,
            result=shown,
            errors=errors or {},
        )

    async def print_page(self, request: Request) -> Response:
        """The 测算单 of the form's estimate, as ``medcalc claim --format html`` writes it."""
        form, lang, refused = await self.read_form(request)
        if refused is not None:
            return refused
        estimate = EstimateForm.read(form, self.config.default_series)
        errors: Errors = {}
        loaded = self.endpoints.state.require()
        result = await self.calculate(estimate.compute, loaded.calculator, errors)
        if result is None:
            return self._estimate_page(request, lang, estimate, None, errors)
        html = estimate_html(
            result,
            loaded.book,
            lang=lang,
            person_id=estimate.person.values.get("person_id") or None,
            printed_on=dt.date.today(),
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": _print_csp(html)})

    # -- premiums (参保缴费测算) ---------------------------------------------------------

    async def premiums(self, request: Request) -> Response:
        if request.method == "GET":
            lang = page_lang(request.query_params.get("lang"))
            return self._premiums_page(request, lang, PremiumForm(self.config.default_series))
        form, lang, refused = await self.read_form(request)
        if refused is not None:
            return refused
        premium = PremiumForm.read(form, self.config.default_series)
        errors: Errors = {}
        calc = self.endpoints.state.require().calculator
        result = await self.calculate(premium.compute, calc, errors)
        if result is not None:
            self.endpoints.metrics.premiums.inc()
        return self._premiums_page(request, lang, premium, result, errors)

    def _premiums_page(
        self,
        request: Request,
        lang: Lang,
        form: PremiumForm,
        result: PremiumResult | None = None,
        errors: Errors | None = None,
    ) -> HTMLResponse:
        book = self.book()
        shown: dict[str, Any] = {}
        if result is not None:
            doc = premiums_json(result)
            tariff = book.get(doc["tariff"]["series"], doc["tariff"]["version"])
            shown = {
                "rows": premium_rows(doc, tariff, lang),
                "used": tariffs_used({"claims": [doc]}),
                "explanation": premiums_table(result, book, lang=lang),
            }
        return self.render(
            request,
            "premiums.html",
            lang,
            422 if errors else 200,
            form=form,
            choices=self._person_choices(form.series, lang),
            disability_types=_disability_types(lang),
            result=shown,
            errors=errors or {},
        )

    # -- batch (批量测算) ----------------------------------------------------------------

    async def batch(self, request: Request) -> Response:
        if request.method == "GET":
            lang = page_lang(request.query_params.get("lang"))
            return self._batch_page(request, lang)
        form = await request.form(max_files=1, max_fields=10)
        lang = page_lang(form.get("lang"))
        if not csrf_ok(request.scope, form):
            return self.refused(request, lang)
        kind = form.get("kind")
        upload = form.get("file")
        out = str(form.get("output_format") or "")
        columns = str(form.get("columns") or "")
        errors: Errors = {}
        if kind not in ("claims", "premiums"):
            errors["kind"] = t(lang, "请选择测算内容。", "Choose what to compute.")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = t(lang, "请选择要上传的文件。", "Choose the file to upload.")
        if errors or not isinstance(upload, UploadFile):
            return self._batch_page(request, lang, errors, 422)
        job_id, directory = self.batches.new()
        try:
            source, in_format, name = await receive_upload(upload, directory, None)
        except ProblemError as exc:
            return self._batch_page(request, lang, {"file": exc.detail}, exc.status)
        out_format = out if out in FORMATS else in_format
        options = {"series": self.config.default_series}
        if columns in COLUMN_LANGUAGES:
            options["columns"] = columns
        suffix = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}[out_format]
        job = {
            "kind": kind,
            "name": name,
            "source": source.name,
            "format": in_format,
            "output_format": out_format,
            "result": f"result.{suffix}",
            "download": f"{Path(name).stem}-result.{suffix}",
            "options": options,
        }
        calculator = self.endpoints.state.require().calculator

        async def run(fn: Callable[[], Any]) -> Any:
            return await compute(
                fn, timeout=self.config.batch_timeout, executor=self.endpoints.batch_executor
            )

        self.batches.start(directory, job, calculator, run)
        return RedirectResponse(f"/batch/{job_id}?{urlencode({'lang': lang})}", 303)

    def _batch_page(
        self, request: Request, lang: Lang, errors: Errors | None = None, status: int = 200
    ) -> HTMLResponse:
        accept = ",".join(sorted(EXTENSIONS))
        return self.render(
            request,
            "batch.html",
            lang,
            status,
            accept=accept,
            formats=FORMATS,
            columns=COLUMN_LANGUAGES,
            errors=errors or {},
        )

    def _job(self, request: Request) -> dict[str, Any] | None:
        return self.batches.status(request.path_params["job"])

    async def batch_job(self, request: Request) -> Response:
        lang = page_lang(request.query_params.get("lang"))
        status = self._job(request)
        if status is None:
            return self.not_found(request, lang)
        return self.render(
            request, "batch_job.html", lang, job=request.path_params["job"], status=status
        )

    async def batch_status(self, request: Request) -> Response:
        status = self._job(request)
        if status is None:
            raise ProblemError(404, say("service.no_job"))
        keys = ("state", "stage", "done", "total")
        return JSONResponse({k: status.get(k) for k in keys})

    async def batch_result(self, request: Request) -> Response:
        found = self.batches.result(request.path_params["job"])
        if found is None:
            raise ProblemError(404, say("service.no_finished_job"))
        path, status = found
        headers = count_headers(status["rows"], status["errors"], status["blank"])
        return FileResponse(
            path, media_type=media_type(status), headers=headers, filename=status["download"]
        )

    # -- tariffs (待遇标准) --------------------------------------------------------------

    async def tariffs(self, request: Request) -> Response:
        lang = page_lang(request.query_params.get("lang"))
        doc = tariff_list_json(self.book())
        return self.render(
            request, "tariffs.html", lang, tariffs=doc["tariffs"], today=dt.date.today().isoformat()
        )

    def _get(self, series: str, version: str) -> Tariff | None:
        try:
            return self.book().get(series, version)
        except TariffNotFoundError:
            return None

    async def tariff(self, request: Request) -> Response:
        lang = page_lang(request.query_params.get("lang"))
        found = self._get(request.path_params["series"], request.path_params["version"])
        if found is None:
            return self.not_found(request, lang)
        versions = self.book().versions(found.series)
        return self.render(
            request,
            "tariff.html",
            lang,
            tariff=found,
            text=tariff_table(found, lang, versions=versions),
        )

    async def tariff_diff(self, request: Request) -> Response:
        lang = page_lang(request.query_params.get("lang"))
        book = self.book()
        names = [f"{t.series}@{t.version}" for t in book]
        a = request.query_params.get("a") or (names[-2] if len(names) > 1 else names[0])
        b = request.query_params.get("b") or names[-1]
        errors: Errors = {}
        rows: list[dict[str, Any]] = []
        try:
            # the JSON API's diff (medcalc tariff diff's document), drawn as a table
            rows = diff_rows(await self.calculate(diff_document, book, a, b))
        except TariffNotFoundError:
            for field, name in (("a", a), ("b", b)):
                try:
                    diff_document(book, name, name)
                except TariffNotFoundError as exc:  # the library's message, by the field
                    errors[field] = str(exc)
        return self.render(
            request,
            "tariff_diff.html",
            lang,
            422 if errors else 200,
            names=names,
            a=a,
            b=b,
            rows=rows,
            errors=errors,
        )


def _print_csp(html: str) -> str:
    """The page's policy, with the print page's own style block allowed by its hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
        for m in _STYLE.findall(html)
    )
    return CSP.replace("style-src 'self'", f"style-src {hashes}")
