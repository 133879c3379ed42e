"""Structured JSON logs. The access log carries the route, status, size and time of each
request, and never a body, a query string or a header value: no person data leaves in logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import Scope

ACCESS = logging.getLogger("medcalc.access")
ERRORS = logging.getLogger("medcalc.service")

#: One encoder for every line (json.dumps with an option builds a new one each call).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's ``fields``."""

    _second = -1
    _stamp = ""

    def _time(self, created: float) -> str:
        # The date and time of day change once a second; only the milliseconds are new
        # on every line (an access line per request makes this show in a profile).
        second = int(created)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker, with --workers N
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return _ENCODE(entry)


def access_log(
    scope: Scope, route: str, status: int, elapsed: float, sent: int, request_id: str
) -> None:
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    # The record is made here and handed to the logger's handlers (filters apply as usual):
    # Logger.info would also walk the stack for a caller nobody prints (a third of the line's
    # cost, which is paid on every request).
    record = logging.LogRecord(ACCESS.name, logging.INFO, "", 0, "request", None, None)
    record.fields = {
        "request_id": request_id,
        "method": scope["method"],
        "route": route,
        "status": status,
        "duration_ms": round(elapsed * 1000, 3),
        "bytes_out": sent,
        "client": client[0] if client else None,
    }
    ACCESS.handle(record)


def log_config(level: str = "info") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for uvicorn: every line JSON on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    loggers = ("uvicorn", "uvicorn.error", "medcalc.access", "medcalc.service")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "medcalc.service._logs.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in loggers
        },
    }
