"""The batch page's jobs: an uploaded file run as ``medcalc batch`` runs it, while the page shows
its progress, then its result file and summary.

Each job is a private directory on disk (the upload, the result, and ``status.json``, replaced
atomically as the job moves on), not a value in memory: with ``medcalc serve --workers N`` the
page that asks for the progress may reach another worker process than the one computing. Jobs
run one at a time on the service's batch thread, under the batch time limit, and are removed
after :data:`KEEP_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from medcalc.batch import BatchReport, result_names, summary_lines
from medcalc.chain import Calculator
from medcalc.errors import MedcalcError
from medcalc.messages import say
from medcalc.service._batch import plain_message, plan_job
from medcalc.service._logs import ERRORS
from medcalc.service._openapi import BATCH_MEDIA_TYPES
from medcalc.service._problems import ProblemError

KEEP_SECONDS = 2 * 3600
"""How long a finished job's files stay for download."""
MAX_ERRORS_SHOWN = 200
"""Row errors listed on the page (all of them are in the result file's error column)."""
BLOCK_SIZE = 1 << 20
"""Bytes per block of the columnar CSV reader: a block is a step of the page's progress
(the output does not depend on it; ``medcalc batch`` reads 16 MiB blocks)."""
_STATUS = "status.json"
_ID = re.compile(r"[0-9a-f]{32}")
_WRITE_EVERY = 0.2  # seconds between progress writes

Run = Callable[[Callable[[], BatchReport]], Coroutine[Any, Any, BatchReport]]


def _default_root() -> Path:
    # One directory per user, shared by a server's workers; 0700, and refused if another
    # user owns it (a job's files are personal data).
    root = Path(tempfile.gettempdir()) / f"medcalc-web-batch-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    if root.stat().st_uid != os.getuid() or root.is_symlink():
        raise RuntimeError(say("service.not_ours", path=root))
    return root


class WebBatches:
    """The jobs of the batch page, kept under ``root``."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = _default_root()
        return self._root

    def new(self) -> tuple[str, Path]:
        """A new job's id and its (empty) directory; old jobs are removed first."""
        self._prune()
        job_id = secrets.token_hex(16)
        directory = self.root / job_id
        directory.mkdir(mode=0o700)
        return job_id, directory

    def directory(self, job_id: str) -> Path | None:
        if not _ID.fullmatch(job_id):
            return None
        found = self.root / job_id
        return found if (found / _STATUS).is_file() else None

    def status(self, job_id: str) -> dict[str, Any] | None:
        """The job's status document, or None for no such job. A job whose process is gone
        (a server restart) is reported as failed."""
        directory = self.directory(job_id)
        if directory is None:
            return None
        try:
            status: dict[str, Any] = json.loads((directory / _STATUS).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if status["state"] in ("queued", "running") and not _alive(status["pid"]):
            status.update(state="failed", error=say("service.batch_stopped"))
        return status

    def result(self, job_id: str) -> tuple[Path, dict[str, Any]] | None:
        status = self.status(job_id)
        directory = self.directory(job_id)
        if status is None or directory is None or status["state"] != "done":
            return None
        return directory / status["result"], status

    def start(
        self,
        directory: Path,
        job: dict[str, Any],
        calculator: Calculator,
        run: Run,
    ) -> None:
        """Queue the job (``kind``, ``source``, ``format``, ``output_format``, ``name``,
        ``options``) on the batch thread; :meth:`status` follows it."""
        _write(directory, {**job, "state": "queued", "pid": os.getpid()})
        task = asyncio.get_running_loop().create_task(self._run(directory, job, calculator, run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self, directory: Path, job: dict[str, Any], calculator: Calculator, run: Run
    ) -> None:
        source = directory / job["source"]
        output = directory / job["result"]
        base = {**job, "pid": os.getpid()}
        last = 0.0

        def progress(stage: str, done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= _WRITE_EVERY:
                last = now
                _write(
                    directory, {**base, "state": "running", "stage": stage} | _count(done, total)
                )

        def work() -> BatchReport:
            _write(directory, {**base, "state": "running", "stage": "read", "done": 0})
            planned = plan_job(
                job["kind"], source, output, job["format"], job["output_format"], job["options"]
            )
            return planned.run(calculator, progress, block_size=BLOCK_SIZE)

        try:
            report = await run(work)
        except (MedcalcError, ProblemError) as exc:
            text = exc.detail if isinstance(exc, ProblemError) else str(exc)
            error = plain_message(text, directory, source, job["name"])
            _write(directory, {**base, "state": "failed", "error": error})
            return
        except Exception:  # the page must say the job ended, whatever ended it
            problem_id = uuid.uuid4().hex
            ERRORS.exception(
                "unexpected error in a web batch", extra={"fields": {"problem_id": problem_id}}
            )
            error = say("service.unexpected", id=problem_id)
            _write(directory, {**base, "state": "failed", "error": error})
            return
        _write(directory, {**base, **_finished(report, directory, source, job)})

    def _prune(self) -> None:
        limit = time.time() - KEEP_SECONDS
        with contextlib.suppress(OSError):
            for child in self.root.iterdir():
                with contextlib.suppress(OSError):
                    if _ID.fullmatch(child.name) and child.stat().st_mtime < limit:
                        shutil.rmtree(child, ignore_errors=True)


def media_type(status: dict[str, Any]) -> str:
    """The result file's Content-Type, as ``POST /v1/batch/…`` answers it."""
    media = BATCH_MEDIA_TYPES[status["output_format"]]
    if status["output_format"] == "csv":
        media = f"{media}; charset={status['output_encoding'].removesuffix('-sig')}"
    return media


def _count(done: int, total: int | None) -> dict[str, Any]:
    return {"done": done, "total": total}


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process: alive
        return True
    return True


def _write(directory: Path, status: dict[str, Any]) -> None:
    temp = directory / f".{_STATUS}.{os.getpid()}.tmp"
    temp.write_text(json.dumps(status, ensure_ascii=False), "utf-8")
    os.replace(temp, directory / _STATUS)


def _finished(
    report: BatchReport, directory: Path, source: Path, job: dict[str, Any]
) -> dict[str, Any]:
    """The status of a finished job: the summary the CLI prints (each language), the counts,
    and the rows with errors read back from the result file."""
    download = job["download"]

    def lines(lang: str) -> list[str]:
        text = "\n".join(summary_lines(report, lang)).replace(str(report.output), download)
        return plain_message(text, directory, source, job["name"]).split("\n")

    s = report.summary
    errors = list(_row_errors(report)) if s.errors else []
    return {
        "state": "done",
        "summary": {"zh": lines("zh"), "en": lines("en")},
        "rows": s.rows,
        "ok": s.ok,
        "errors": s.errors,
        "blank": s.blank,
        "row_errors": errors[:MAX_ERRORS_SHOWN],
        "output_encoding": report.output_encoding or "utf-8",
    }


def _row_errors(report: BatchReport) -> Iterator[tuple[int, str]]:
    """(row, message) of each row with an error, the row as a spreadsheet numbers it (the
    header is row 1), read from the result file's error column."""
    column = result_names(("error",), report.columns)[0]
    records = _records(report)
    header = next(records, None)
    if header is None or column not in header:
        return
    at = header.index(column)
    first = 1 if report.output_format == "jsonl" else 2  # JSON Lines: no header line
    for number, record in enumerate(records, start=first):
        if at < len(record) and record[at]:
            yield number, str(record[at])


def _records(report: BatchReport) -> Iterator[list[Any]]:
    path = report.output
    if report.output_format == "xlsx":
        from python_calamine import CalamineWorkbook

        yield from CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    elif report.output_format == "jsonl":
        with path.open(encoding="utf-8") as f:
            names: list[str] | None = None
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    if names is None:
                        names = list(row)
                        yield names
                    yield [row.get(n) for n in names]
    else:
        with path.open(encoding=report.output_encoding or "utf-8", newline="") as f:
            yield from csv.reader(f)
