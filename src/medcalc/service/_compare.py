"""``POST /v1/compare/{claims,premiums}``: a batch file and a proposed tariff in, the file
``medcalc compare`` writes out (or its summary as JSON).

The request is ``multipart/form-data`` with two parts: ``file`` (the batch file, as for
``/v1/batch``) and ``proposal`` (the tariff YAML). Both are spooled into a private temporary
directory, the :class:`~medcalc.batch.CompareJob` the CLI uses runs in the batch thread under
the batch endpoint's limits (body size, timeout, tokens), and the directory is removed
afterwards. The query parameters are the batch endpoint's, and ``response``: ``file`` (the
default: the result file, byte for byte ``medcalc compare -o``) or ``summary`` (the summary
document of ``medcalc compare --summary S.json``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from medcalc.batch import (
    CompareJob,
    CompareReport,
    compare_json,
)
from medcalc.errors import MedcalcError
from medcalc.messages import say
from medcalc.service._batch import (
    PARAMETERS,
    Compute,
    count_headers,
    plain_message,
    plan_job,
    query_options,
    receive_upload,
    spool_upload,
)
from medcalc.service._openapi import BATCH_MEDIA_TYPES
from medcalc.service._problems import ProblemError, from_error
from medcalc.tariff import TariffBook, load_tariff

__all__ = ["COMPARE_PARAMETERS", "RESPONSES", "run_compare"]

RESPONSES = ("file", "summary")
"""What a compare request answers with: the result file, or the summary as JSON."""

COMPARE_PARAMETERS = (*PARAMETERS, "response")
"""The query parameters of the compare endpoints: the batch endpoint's and ``response``."""

PROPOSAL_LIMIT = 1 << 20  # a tariff file is a few KiB: a MiB is plenty


def _options(request: Request) -> dict[str, str]:
    """The query's options: the batch endpoint's, and ``response``."""
    return query_options(request, COMPARE_PARAMETERS, (("response", RESPONSES),))


async def _receive(
    request: Request, directory: Path, given: str | None
) -> tuple[Path, str, str, Path]:
    """The batch file (path, format, name for messages) and the proposal's path, spooled."""
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() != (
        "multipart/form-data"
    ):
        raise ProblemError(415, say("service.compare_media"))
    form = await request.form(max_files=2, max_fields=2)
    upload, proposal = form.get("file"), form.get("proposal")
    if not isinstance(upload, UploadFile) or not isinstance(proposal, UploadFile):
        raise ProblemError(400, say("service.compare_parts"))
    if proposal.size is not None and proposal.size > PROPOSAL_LIMIT:
        raise ProblemError(413, say("service.proposal_too_large", limit=PROPOSAL_LIMIT))
    source, fmt, name = await receive_upload(upload, directory, given)
    target = directory / "proposal.yaml"
    await spool_upload(proposal, target)
    await proposal.close()
    return source, fmt, name, target


async def run_compare(
    request: Request,
    kind: str,
    book: TariffBook,
    compute: Compute,
    done: Callable[[CompareReport], None],
) -> Response:
    """Spool both parts, compare as ``medcalc compare`` does, answer with the file or the
    summary."""
    options = _options(request)
    answer = options.pop("response", "file")
    directory = Path(tempfile.mkdtemp(prefix="medcalc-compare-"))
    abandoned = False

    def cleanup() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    try:
        source, in_format, name, proposal_path = await _receive(
            request, directory, options.get("input_format")
        )
        out_format = options.get("output_format", in_format)
        output = directory / f"result.{out_format}"

        def work() -> CompareReport:
            try:
                job = CompareJob(plan_job(kind, source, output, in_format, out_format, options))
                return job.run(book, load_tariff(proposal_path))
            finally:
                if abandoned:  # the request timed out; nobody will stream the result
                    cleanup()

        try:
            report = await compute(work)
        except MedcalcError as exc:
            problem = from_error(exc)
            detail = plain_message(problem.detail, directory, source, name)
            problem.detail = detail.replace("proposal.yaml", "proposal")
            raise problem from None
        except ProblemError:
            abandoned = True
            raise
        done(report)
        summary = report.summary
        headers = count_headers(summary.rows, summary.errors, summary.blank)
        if answer == "summary":
            proposal = report.proposal
            document = compare_json(
                summary,
                proposal={
                    "series": proposal.series,
                    "version": proposal.version,
                    "sha256": proposal.sha256,
                },
                source=name,
            )
            cleanup()
            return Response(
                json.dumps(document, ensure_ascii=False),
                media_type="application/json",
                headers=headers,
            )
        media = BATCH_MEDIA_TYPES[out_format]
        if out_format == "csv":
            encoding = report_encoding(options)
            media = f"{media}; charset={encoding}"
        return FileResponse(
            output,
            media_type=media,
            headers=headers,
            filename=f"compare-{kind}-result.{out_format}",
            background=BackgroundTask(cleanup),
        )
    except BaseException:
        cleanup()
        raise


def report_encoding(options: dict[str, str]) -> str:
    """The charset of a CSV result: the one asked for, else UTF-8 (written with a BOM)."""
    return options.get("output_encoding", "utf-8").lower().removesuffix("-sig")
