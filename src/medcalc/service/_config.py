"""The service's settings: one frozen object, from ``medcalc serve``'s options or from the
environment (``MEDCALC_SERVE_*``) when an ASGI server builds the app itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from medcalc.errors import UsageError
from medcalc.messages import say

DEFAULT_SERIES = "qingyuan-qingcheng"
ENV_PREFIX = "MEDCALC_SERVE_"


@attrs.frozen
class ServiceConfig:
    """How one service process behaves (docs/service.md, "Limits")."""

    tariff_dirs: tuple[Path, ...] = ()
    """More tariff directories besides the bundled ones (and ``MEDCALC_TARIFFS``)."""
    default_series: str = DEFAULT_SERIES
    max_body_bytes: int = 1 << 20
    """Largest JSON or YAML request body (413 beyond)."""
    max_upload_bytes: int = 256 << 20
    """Largest batch file (413 beyond); it is spooled to a temporary file, not held in memory."""
    max_claims: int = 1000
    """Most claims in one ``POST /v1/claims`` (413 beyond; larger sets go to the batch)."""
    timeout: float = 30.0
    """Seconds a JSON request may compute before it gets a 503."""
    batch_timeout: float = 600.0
    """Seconds a batch request may compute before it gets a 503."""
    tokens_file: Path | None = None
    """Bearer tokens, one a line (``TOKEN`` or ``TOKEN admin``); None: no authentication."""
    inline_claims: int = 8
    """Requests with at most this many claims are computed on the event loop (well under a
    millisecond: handing them to a thread would cost more than computing them); larger ones
    and batches go to worker threads. 0: every calculation in a thread."""
    compute_threads: int = 4
    """Worker threads for calculations (they hold the GIL, so more do not compute faster)."""
    handle_sighup: bool = True
    """Reload the tariffs on SIGHUP (main thread of a Unix process only)."""
    snapshot: Path | None = None
    """Set by ``medcalc serve --workers N`` in its workers: the book comes from the parent's
    snapshot, never from the tariff files (docs/service.md, "Reloading the tables")."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        """Settings from ``MEDCALC_SERVE_*`` variables; unset ones keep their defaults."""
        environ = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = environ.get(ENV_PREFIX + name.upper())
            return value if value else None

        kw: dict[str, object] = {}
        if (dirs := get("tariffs")) is not None:
            kw["tariff_dirs"] = tuple(Path(p) for p in dirs.split(os.pathsep) if p.strip())
        if (series := get("default_series")) is not None:
            kw["default_series"] = series
        for name in ("max_body_bytes", "max_upload_bytes", "max_claims", "compute_threads"):
            if (value := get(name)) is not None:
                kw[name] = _positive(ENV_PREFIX + name.upper(), value, int)
        for name in ("timeout", "batch_timeout"):
            if (value := get(name)) is not None:
                kw[name] = _positive(ENV_PREFIX + name.upper(), value, float)
        if (tokens := get("tokens")) is not None:
            kw["tokens_file"] = Path(tokens)
        if (snapshot := get("snapshot")) is not None:
            kw["snapshot"] = Path(snapshot)
        return cls(**kw)  # type: ignore[arg-type]


def _positive(name: str, value: str, kind: type[int] | type[float]) -> int | float:
    try:
        number = kind(value)
    except ValueError:
        raise UsageError(
            say("field", field=name, message=say("number.not_number", value=repr(value)))
        ) from None
    if not number > 0:
        raise UsageError(
            say("field", field=name, message=say("service.not_positive", value=repr(value)))
        )
    return number
