"""``medcalc serve``: the HTTP API under uvicorn (docs/service.md).

A thin shell: options become :class:`~medcalc.service.ServiceConfig` settings (passed to the
worker processes as ``MEDCALC_SERVE_*`` environment variables, which is how
``medcalc.service:create_app`` reads them), and uvicorn runs the app. Starlette and uvicorn are
imported only here, when the command runs, so ``medcalc --help`` stays light.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from medcalc.cli import cli
from medcalc.cli.common import tariffs_option
from medcalc.errors import UsageError
from medcalc.messages import say
from medcalc.tariff import load_book


def _env(name: str, value: object) -> tuple[str, str]:
    return f"MEDCALC_SERVE_{name.upper()}", str(value)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@tariffs_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
)
@click.option(
    "--tokens",
    "tokens_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--series", "default_series")
@click.option("--max-body-bytes", type=click.IntRange(1))
@click.option("--max-upload-bytes", type=click.IntRange(1))
@click.option("--max-claims", type=click.IntRange(1))
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True))
@click.option(
    "--batch-timeout",
    type=click.FloatRange(min=0, min_open=True),
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve_command(
    host: str,
    port: int,
    tariff_dirs: tuple[Path, ...],
    workers: int,
    tokens_file: Path | None,
    default_series: str | None,
    max_body_bytes: int | None,
    max_upload_bytes: int | None,
    max_claims: int | None,
    timeout: float | None,
    batch_timeout: float | None,
    log_level: str,
) -> None:
    """``medcalc serve``: the HTTP API under uvicorn (its help: ``_help.HELP``)."""
    try:
        import uvicorn

        from medcalc.service import ServiceConfig, load_tokens, log_config
    except ImportError as exc:
        raise UsageError(say("cli.serve_extra", name=exc.name)) from None
    given = {
        "tariffs": os.pathsep.join(str(p.resolve()) for p in tariff_dirs) or None,
        "tokens": None if tokens_file is None else tokens_file.resolve(),
        "default_series": default_series,
        "max_body_bytes": max_body_bytes,
        "max_upload_bytes": max_upload_bytes,
        "max_claims": max_claims,
        "timeout": timeout,
        "batch_timeout": batch_timeout,
    }
    env = dict(_env(k, v) for k, v in given.items() if v is not None)
    os.environ.pop("MEDCALC_SERVE_SNAPSHOT", None)  # set below for our own workers only
    os.environ.update(env)
    # Fail here, with the CLI's one clean line, rather than in every worker.
    config = ServiceConfig.from_env()
    if config.tokens_file is not None:
        load_tokens(config.tokens_file)
    book = load_book(config.tariff_dirs)
    settings: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "access_log": False,  # the app writes its own access log, without person data
        "log_config": log_config(log_level),
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run("medcalc.service:create_app", **settings)
        return
    # Several workers: the parent alone reads the tariff files and hands every worker the
    # book it checked, so a broken file on disk never stops a worker (docs/service.md §6).
    from medcalc.service import serve_workers

    supervised = uvicorn.Config("medcalc.service:create_app", workers=workers, **settings)
    serve_workers(supervised, config.tariff_dirs, book)
