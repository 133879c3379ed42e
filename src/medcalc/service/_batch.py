"""``POST /v1/batch/{claims,premiums}``: a batch file in, the same bytes ``medcalc batch`` writes
out.

The upload is spooled to a file in a private temporary directory as it arrives (never held
whole in memory; its size is limited by :class:`~medcalc.service._limits.BodyLimit`), the
:class:`~medcalc.batch.BatchJob` the CLI uses runs in a worker thread, the result file is
streamed back, and the directory is removed afterwards.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from medcalc.batch import COLUMN_LANGUAGES, ENGINES, EXTENSIONS, FORMATS, BatchJob, BatchReport
from medcalc.chain import Calculator
from medcalc.errors import MedcalcError
from medcalc.messages import say
from medcalc.service._openapi import BATCH_MEDIA_TYPES
from medcalc.service._problems import ProblemError, from_error

_FORMAT_OF_MEDIA = {media: fmt for fmt, media in BATCH_MEDIA_TYPES.items()} | {
    "application/csv": "csv",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
}
_EXTENSION = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}
#: Query parameters, and the ``medcalc batch`` option each one stands for (messages from
#: :class:`BatchJob` name the option; the service names the parameter instead).
PARAMETERS = {
    "series": "--series",
    "input_format": "--input-format",
    "output_format": "--output-format",
    "input_encoding": "--input-encoding",
    "output_encoding": "--output-encoding",
    "engine": "--engine",
    "columns": "--columns",
    "keep_formulas": "--keep-formulas",
}
#: The query parameter every JSON endpoint takes besides its own: the errors' language
#: (:func:`~medcalc.service._problems.problem_lang`).
LANG_PARAMETER = "lang"
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
_CHUNK = 1 << 16


def safe_name(name: str | None) -> str:
    """A client's file name reduced to a plain file name (no directories)."""
    base = Path(name or "").name
    base = re.sub(r"[^\w.\-]", "_", base)[:100].lstrip(".")
    return base or "upload"


def _media(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def query_options(
    request: Request,
    names: Collection[str] = PARAMETERS,
    choices: Sequence[tuple[str, Sequence[str]]] = (),
) -> dict[str, str]:
    """The query's options among ``names`` (``lang`` is the problems' and also allowed), each
    checked: an unknown name, a value outside its ``choices`` (besides batch's formats,
    engines and column languages) or a ``keep_formulas`` that is not true/false is a 400."""
    params = request.query_params
    known = [*names, LANG_PARAMETER]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ProblemError(
            400,
            say(
                "service.unknown_parameter",
                names=", ".join(map(repr, unknown)),
                known=", ".join(known),
            ),
        )
    options = {k: params[k] for k in names if k in params}
    for name, allowed in (
        *choices,
        ("input_format", FORMATS),
        ("output_format", FORMATS),
        ("engine", ENGINES),
        ("columns", COLUMN_LANGUAGES),
    ):
        if name in options and options[name] not in allowed:
            not_one_of = say(
                "choice.not_one_of", value=repr(options[name]), choices=", ".join(allowed)
            )
            raise ProblemError(400, say("field", field=name, message=not_one_of))
    if options.get("keep_formulas", "false").lower() not in _BOOLEANS:
        not_boolean = say("service.not_boolean", value=repr(options["keep_formulas"]))
        raise ProblemError(400, say("field", field="keep_formulas", message=not_boolean))
    return options


def count_headers(rows: int, errors: int, blank: int) -> dict[str, str]:
    """The headers of a batch or comparison answer (docs/service.md): rows computed or with
    an error, rows with an error, blank rows."""
    return {
        "Medcalc-Rows": str(rows),
        "Medcalc-Row-Errors": str(errors),
        "Medcalc-Blank-Rows": str(blank),
    }


def plain_message(message: str, directory: Path, source: Path, name: str) -> str:
    """A batch message with the client's file ``name`` for the spooled ``source``, the
    temporary directory left out, and query parameter names in place of the CLI's option
    names."""
    text = message.replace(str(source), name)
    text = text.replace(f"{directory}/", "").replace(str(directory), "")
    for parameter, option in PARAMETERS.items():
        text = text.replace(option, parameter)
    return text


async def _spool_body(request: Request, target: Path) -> None:
    with target.open("wb") as f:
        async for chunk in request.stream():
            f.write(chunk)


async def spool_upload(upload: UploadFile, target: Path) -> None:
    with target.open("wb") as f:
        while chunk := await upload.read(_CHUNK):
            f.write(chunk)


def upload_format(name: str, content_type: str | None, given: str | None) -> str:
    """The format of an uploaded file: ``given``, else by its name's extension, else by its
    Content-Type; 415 when none tells."""
    fmt = given or EXTENSIONS.get(Path(name).suffix.lower())
    fmt = fmt or _FORMAT_OF_MEDIA.get(_media(content_type))
    if fmt is None:
        raise ProblemError(
            415,
            say("service.no_format", name=name, formats=", ".join(FORMATS)),
        )
    return fmt


async def receive_upload(
    upload: UploadFile, directory: Path, given: str | None
) -> tuple[Path, str, str]:
    """Spool a multipart file part into ``directory``; its path, format, and the name
    messages give it (the client's, reduced to a plain file name)."""
    name = safe_name(upload.filename)
    fmt = upload_format(name, upload.content_type, given)
    # Saved under a name of ours, not the client's: an upload called result.csv would
    # otherwise be the output file (the client's name is only for messages).
    target = directory / f"input{Path(name).suffix}"
    await spool_upload(upload, target)
    await upload.close()
    return target, fmt, name


async def _receive(request: Request, directory: Path, given: str | None) -> tuple[Path, str, str]:
    """Spool the upload into ``directory``; its path, format, and the name messages give it."""
    media = _media(request.headers.get("content-type"))
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ProblemError(400, say("service.no_file_part"))
        return await receive_upload(upload, directory, given)
    fmt = given or _FORMAT_OF_MEDIA.get(media)
    if fmt is None:
        accepted = ", ".join([*BATCH_MEDIA_TYPES.values(), "multipart/form-data"])
        raise ProblemError(
            415,
            say("service.batch_media", media=repr(media or "(none)"), accepted=accepted),
        )
    target = directory / f"upload.{_EXTENSION[fmt]}"
    await _spool_body(request, target)
    return target, fmt, target.name


Compute = Callable[..., Any]


def plan_job(
    kind: str,
    source: Path,
    output: Path,
    in_format: str,
    out_format: str,
    options: dict[str, str],
) -> BatchJob:
    """The :class:`BatchJob` ``medcalc batch`` would run for these query ``options``."""
    return BatchJob.plan(
        kind,
        source,
        output,
        series=options.get("series"),
        input_format=in_format,
        output_format=out_format,
        input_encoding=options.get("input_encoding"),
        output_encoding=options.get("output_encoding"),
        engine=options.get("engine", "auto"),
        keep_formulas=_BOOLEANS[options.get("keep_formulas", "false").lower()],
        columns=options.get("columns"),
    )


async def run_batch(
    request: Request,
    kind: str,
    calculator: Calculator,
    compute: Compute,
    done: Callable[[BatchReport], None],
) -> Response:
    """Spool, run as ``medcalc batch`` does, and stream the result back."""
    options = query_options(request)
    directory = Path(tempfile.mkdtemp(prefix="medcalc-batch-"))
    abandoned = False

    def cleanup() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    try:
        source, in_format, name = await _receive(request, directory, options.get("input_format"))
        out_format = options.get("output_format", in_format)
        output = directory / f"result.{_EXTENSION[out_format]}"

        def work() -> BatchReport:
            try:
                return plan_job(kind, source, output, in_format, out_format, options).run(
                    calculator
                )
            finally:
                if abandoned:  # the request timed out; nobody will stream the result
                    cleanup()

        try:
            report = await compute(work)
        except MedcalcError as exc:
            problem = from_error(exc)
            problem.detail = plain_message(problem.detail, directory, source, name)
            raise problem from None
        except ProblemError:
            abandoned = True
            raise
        done(report)
        summary = report.summary
        headers = count_headers(summary.rows, summary.errors, summary.blank)
        media = BATCH_MEDIA_TYPES[out_format]
        if out_format == "csv":  # the charset is the one the file was written in
            charset = (report.output_encoding or "utf-8").removesuffix("-sig")
            media = f"{media}; charset={charset}"
        return FileResponse(
            output,
            media_type=media,
            headers=headers,
            filename=f"{kind}-result.{_EXTENSION[out_format]}",
            background=BackgroundTask(cleanup),
        )
    except BaseException:
        cleanup()
        raise
