"""``medcalc serve``: the calculator as an HTTP API (Starlette, ASGI), on the same pure core.

Needs the ``service`` extra (``pip install 'medcalc[service]'``); ``import medcalc`` never
imports this package. ``create_app(config)`` builds the application;
``medcalc.service:app`` is one built from ``MEDCALC_SERVE_*`` environment variables on first
use, for any ASGI server. See docs/service.md.
"""

from __future__ import annotations

from typing import Any

from medcalc.service._app import create_app
from medcalc.service._auth import load_tokens
from medcalc.service._config import ServiceConfig
from medcalc.service._logs import log_config
from medcalc.service._supervisor import serve_workers

__all__ = ["ServiceConfig", "app", "create_app", "load_tokens", "log_config", "serve_workers"]

_app: Any = None


def __getattr__(name: str) -> Any:
    # Built on first use, not at import: building reads the environment and the token file.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(f"module 'medcalc.service' has no attribute {name!r}")
