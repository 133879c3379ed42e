"""The web page's 方案比较 (Compare) page (docs/web.md): a claims or premiums file and a
proposed tariff uploaded, compared as ``medcalc compare`` does (docs/compare.md), the summary
drawn as tables and the result file offered for download, byte for byte the CLI's.

The comparison runs while the request waits, in the batch thread under the batch endpoint's
time limit (as ``POST /v1/compare/…``); the result file is kept in a job directory of the batch
page's (removed with them, after :data:`KEEP_SECONDS`) so the download is the same bytes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from medcalc.batch import (
    COLUMN_LANGUAGES,
    EXTENSIONS,
    FORMATS,
    AmountChange,
    CompareJob,
    CompareReport,
    CompareSummary,
)
from medcalc.errors import MedcalcError, TariffNotFoundError
from medcalc.messages import say
from medcalc.present import Lang, profile_label, translate
from medcalc.service._batch import plain_message, plan_job, receive_upload, spool_upload
from medcalc.service._compare import PROPOSAL_LIMIT, report_encoding
from medcalc.service._limits import compute
from medcalc.service._openapi import BATCH_MEDIA_TYPES
from medcalc.service._problems import ProblemError
from medcalc.service._web_batch import WebBatches
from medcalc.service._web_forms import Errors
from medcalc.service._web_guard import csrf_ok
from medcalc.service._web_page import Pages, page_lang, t
from medcalc.service._web_view import result_label
from medcalc.tariff import Tariff, load_tariff

PATH = "/batch/compare"
"""The page's address: under ``/batch`` (a batch computed twice), so the page has the batch
form's upload limit and the web page's guard (tokens, form token, CSP) by its prefix."""
_JOB = re.compile(r"[0-9a-f]{32}")
_META = "compare.json"  # the kept result's file name and media type, beside it
_KINDS = ("claims", "premiums")


def _signed(n: Decimal) -> str:
    return f"{n:+,.2f}"


def _amount_rows(cells: tuple[AmountChange, ...], lang: Lang) -> list[dict[str, str]]:
    """A totals table's rows: the amount's name, both totals, the change and its %."""
    return [
        {
            "name": result_label(c.name, lang),
            "base": f"{c.base:,.2f}",
            "proposal": f"{c.proposal:,.2f}",
            "change": _signed(c.change),
            "percent": "" if c.percent is None else f"{c.percent:+}%",
        }
        for c in cells
    ]


def summary_view(s: CompareSummary, proposal: Tariff, lang: Lang) -> dict[str, Any]:
    """The summary as the page's tables: what ``compare_lines`` prints, cell by cell."""
    none = t(lang, "（无）", "(none)")
    change = t(
        lang,
        "个人自付变化" if s.change_name == "out_of_pocket" else "个人缴费变化",
        s.change_name.replace("_", " ") + " change",
    )
    return {
        "rows": s.rows,
        "compared": s.compared,
        "errors": s.errors,
        "blank": s.blank,
        "totals": _amount_rows(s.totals, lang),
        "profiles": [
            (profile_label(proposal, p, lang) if p else none, _amount_rows(cells, lang))
            for p, cells in s.by_profile
        ],
        "change": change,
        "persons": s.persons,
        "better": s.better,
        "worse": s.worse,
        "unchanged": s.unchanged,
        "deciles": [(f"{10 * k}%", _signed(d)) for k, d in enumerate(s.deciles)],
        "gains": [(p.person, _signed(p.change)) for p in s.gains],
        "losses": [(p.person, _signed(p.change)) for p in s.losses],
    }


class ComparePages(Pages):
    """The compare page's handlers: the form, the comparison, the result file."""

    batches: WebBatches

    def compare_routes(self) -> list[Route]:
        return [
            Route(PATH, self.compare, methods=["GET", "POST"]),
            Route(PATH + "/{job}/result", self.compare_result, methods=["GET"]),
        ]

    async def compare(self, request: Request) -> Response:
        if request.method == "GET":
            return self._compare_page(request, page_lang(request.query_params.get("lang")))
        form = await request.form(max_files=2, max_fields=10)
        lang = page_lang(form.get("lang"))
        if not csrf_ok(request.scope, form):
            return self.refused(request, lang)
        kind = str(form.get("kind") or "")
        upload, proposal = form.get("file"), form.get("proposal")
        errors: Errors = {}
        if kind not in _KINDS:
            errors["kind"] = t(lang, "请选择测算内容。", "Choose what to compute.")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = t(lang, "请选择要上传的文件。", "Choose the file to upload.")
        if not isinstance(proposal, UploadFile) or not proposal.filename:
            errors["proposal"] = t(lang, "请选择方案文件（YAML）。", "Choose the proposal (YAML).")
        elif proposal.size is not None and proposal.size > PROPOSAL_LIMIT:  # as the API's
            message = say("service.proposal_too_large", limit=PROPOSAL_LIMIT)
            errors["proposal"] = translate(message, lang)
        if errors or not isinstance(upload, UploadFile) or not isinstance(proposal, UploadFile):
            return self._compare_page(request, lang, kind, errors=errors, status=422)
        job_id, directory = self.batches.new()
        try:
            source, in_format, name = await receive_upload(upload, directory, None)
        except ProblemError as exc:
            return self._compare_page(
                request, lang, kind, errors={"file": exc.detail}, status=exc.status
            )
        proposal_name = Path(proposal.filename or "").name  # messages name the file as it was sent
        proposal_path = directory / "proposal.yaml"
        await spool_upload(proposal, proposal_path)
        try:
            tariff = await self.calculate(load_tariff, proposal_path)
        except MedcalcError as exc:
            text = str(exc).replace(str(proposal_path), proposal_name)
            return self._compare_page(request, lang, kind, errors={"proposal": text}, status=422)
        out = str(form.get("output_format") or "")
        out_format = out if out in FORMATS else in_format
        options = {"series": self.config.default_series}
        columns = str(form.get("columns") or "")
        if columns in COLUMN_LANGUAGES:
            options["columns"] = columns
        output = directory / f"result.{out_format}"
        book = self.book()

        def work() -> CompareReport:
            planned = plan_job(kind, source, output, in_format, out_format, options)
            return CompareJob(planned).run(book, tariff)

        try:
            report = await compute(
                work, timeout=self.config.batch_timeout, executor=self.endpoints.batch_executor
            )
        except TariffNotFoundError as exc:  # the proposal's series is not one installed
            text = str(exc).replace(str(proposal_path), proposal_name)
            return self._compare_page(request, lang, kind, errors={"proposal": text}, status=422)
        except (MedcalcError, ProblemError) as exc:
            detail = exc.detail if isinstance(exc, ProblemError) else str(exc)
            text = plain_message(detail, directory, source, name)
            status = exc.status if isinstance(exc, ProblemError) else 422
            return self._compare_page(request, lang, kind, errors={"file": text}, status=status)
        self.endpoints.metrics.row_errors.labels(kind).inc(report.summary.errors)
        media = BATCH_MEDIA_TYPES[out_format]
        if out_format == "csv":
            media = f"{media}; charset={report_encoding(options)}"
        download = f"{Path(name).stem}-compare.{out_format}"
        meta = {"result": output.name, "media": media, "download": download}
        (directory / _META).write_text(json.dumps(meta), "utf-8")
        shown = summary_view(report.summary, report.proposal, lang)
        return self._compare_page(
            request,
            lang,
            kind,
            result=shown,
            job=job_id,
            download=download,
            proposal=f"{tariff.series}@{tariff.version}",
            source=name,
        )

    def _compare_page(
        self,
        request: Request,
        lang: Lang,
        kind: str = "claims",
        *,
        errors: Errors | None = None,
        status: int = 200,
        **shown: Any,
    ) -> HTMLResponse:
        return self.render(
            request,
            "compare.html",
            lang,
            status,
            kind=kind if kind in _KINDS else "claims",
            accept=",".join(sorted(EXTENSIONS)),
            result=shown.pop("result", None),
            errors=errors or {},
            **shown,
        )

    async def compare_result(self, request: Request) -> Response:
        job = request.path_params["job"]
        meta_path = self.batches.root / job / _META
        if not _JOB.fullmatch(job) or not meta_path.is_file():
            raise ProblemError(404, say("service.no_finished_job"))
        meta = json.loads(meta_path.read_text("utf-8"))
        return FileResponse(
            meta_path.parent / meta["result"], media_type=meta["media"], filename=meta["download"]
        )
