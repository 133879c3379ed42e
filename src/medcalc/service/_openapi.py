"""The OpenAPI 3.1 document, generated from :mod:`medcalc.present` (the one definition of the
documents and request bodies) and the list of operations below."""

from __future__ import annotations

import copy
from typing import Any

from medcalc.batch import COLUMN_LANGUAGES, ENGINES, FORMATS
from medcalc.present import COMPONENTS, ref

Json = dict[str, Any]

#: The media types of batch files, by format (the request's Content-Type picks the reader).
BATCH_MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
}

_PROBLEM = {"application/problem+json": {"schema": ref("Problem")}}
_ERRORS = {
    "400": "Not JSON or YAML, or a wrong option",
    "401": "No valid bearer token (when the service has tokens)",
    "404": "No such series or version",
    "413": "Body or claims beyond the limit",
    "415": "Content-Type not accepted",
    "422": "A value is wrong; `pointer` names the field",
    "503": "The calculation took longer than the time limit",
}


_READY: Json = {
    "type": "object",
    "properties": {
        "status": {"const": "ready"},
        "tariff_versions": {"type": "integer"},
        "loaded_at": {"type": "string", "format": "date-time"},
        "last_reload_error": {"type": ["string", "null"]},
        "last_reload_failed_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


def _responses(ok: Json, *codes: str) -> Json:
    out: Json = {"200": ok}
    for code in codes:
        out[code] = {"description": _ERRORS[code], "content": _PROBLEM}
    return out


def _json(name: str, description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": ref(name)}}}


def _query(name: str, description: str, schema: Json, *, required: bool = False) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _path(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


_TEXT = {"type": "string"}
_BATCH_PARAMETERS = [
    _query("series", "Tariff series for rows without a series column/value.", _TEXT),
    _query(
        "input_format",
        "Format of the file when its Content-Type (or a multipart part's file name) does not say.",
        {"type": "string", "enum": list(FORMATS)},
    ),
    _query(
        "output_format",
        "Format of the result (default: the input's format).",
        {"type": "string", "enum": list(FORMATS)},
    ),
    _query("input_encoding", "Encoding of a CSV/JSON Lines file (default: detected).", _TEXT),
    _query("output_encoding", "Encoding of a CSV result (default: utf-8-sig).", _TEXT),
    _query(
        "engine",
        "auto, core or fast, as `medcalc batch --engine` (claims only).",
        {"type": "string", "enum": list(ENGINES)},
    ),
    _query(
        "columns",
        "Language of the result column names, as `medcalc batch --columns`: zh (是否享受待遇, "
        "基本医保, …; 是/否) or en (covered, basic, …; yes/no); default: that of the file's "
        "header.",
        {"type": "string", "enum": list(COLUMN_LANGUAGES)},
    ),
    _query(
        "keep_formulas",
        "CSV result: write cells that begin with = + - @ tab or CR as they are (as "
        "`--keep-formulas`); by default they get a leading ' so that Excel shows them as text.",
        {"type": "boolean", "default": False},
    ),
]
_BINARY = {"type": "string", "format": "binary"}
_BATCH_BODY = {
    "required": True,
    "description": "The batch file as the raw body (its Content-Type says the format), or a "
    "multipart/form-data part named `file`.",
    "content": {
        **{media: {"schema": _BINARY} for media in BATCH_MEDIA_TYPES.values()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": _BINARY},
                "required": ["file"],
            }
        },
    },
}
_BATCH_OK = {
    "description": "The result file, byte for byte what `medcalc batch` writes. "
    "Headers: Medcalc-Rows, Medcalc-Row-Errors, Medcalc-Blank-Rows.",
    "headers": {
        name: {"schema": {"type": "integer"}, "description": description}
        for name, description in (
            ("Medcalc-Rows", "Rows computed or with an error."),
            ("Medcalc-Row-Errors", "Rows with an error (their error column says why)."),
            ("Medcalc-Blank-Rows", "Blank rows skipped."),
        )
    },
    "content": {media: {"schema": _BINARY} for media in BATCH_MEDIA_TYPES.values()},
}


def _batch(kind: str) -> Json:
    return {
        "post": {
            "operationId": f"batch_{kind}",
            "summary": f"A {kind} batch file (as `medcalc batch {kind}`)",
            "tags": ["batch"],
            "parameters": _BATCH_PARAMETERS,
            "requestBody": _BATCH_BODY,
            "responses": _responses(_BATCH_OK, "400", "401", "413", "415", "422", "503"),
        }
    }


_COMPARE_PARAMETERS = [
    *_BATCH_PARAMETERS,
    _query(
        "response",
        "file: the result file (as `medcalc compare -o`); summary: the summary as JSON (as "
        "`medcalc compare --summary S.json`).",
        {"type": "string", "enum": ["file", "summary"], "default": "file"},
    ),
]
_COMPARE_BODY = {
    "required": True,
    "description": "The batch file in a multipart/form-data part named `file` and the proposed "
    "tariff (YAML) in a part named `proposal` (docs/compare.md).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": _BINARY, "proposal": _BINARY},
                "required": ["file", "proposal"],
            }
        }
    },
}
_COMPARE_OK = {
    **_BATCH_OK,
    "description": "The result file, byte for byte what `medcalc compare` writes (each row "
    "under the tables in force and under the proposal), or with response=summary the summary "
    "as JSON (amounts as strings). Headers: Medcalc-Rows, Medcalc-Row-Errors, Medcalc-Blank-Rows.",
    "content": {
        **{media: {"schema": _BINARY} for media in BATCH_MEDIA_TYPES.values()},
        "application/json": {"schema": {"type": "object"}},
    },
}


def _compare(kind: str) -> Json:
    return {
        "post": {
            "operationId": f"compare_{kind}",
            "summary": f"A {kind} batch file under the tables in force and under a proposal "
            f"(as `medcalc compare {kind}`)",
            "tags": ["compare"],
            "parameters": _COMPARE_PARAMETERS,
            "requestBody": _COMPARE_BODY,
            "responses": _responses(_COMPARE_OK, "400", "401", "404", "413", "415", "422", "503"),
        }
    }


_YAML = {"application/yaml": {"schema": {"type": "string"}}}

PATHS: Json = {
    "/v1/claims": {
        "post": {
            "operationId": "claims",
            "summary": "One person's claims (as `medcalc claim --format json`)",
            "tags": ["estimates"],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("ClaimsRequest")}},
            },
            "responses": _responses(
                _json("Claims", "medcalc/claims@1"), "400", "401", "413", "415", "422", "503"
            ),
        }
    },
    "/v1/premiums": {
        "post": {
            "operationId": "premiums",
            "summary": "One person's premiums for a year (as `medcalc premium --format json`)",
            "tags": ["estimates"],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("PremiumsRequest")}},
            },
            "responses": _responses(
                _json("Premiums", "medcalc/premiums@1"), "400", "401", "413", "415", "422", "503"
            ),
        }
    },
    "/v1/batch/claims": _batch("claims"),
    "/v1/batch/premiums": _batch("premiums"),
    "/v1/compare/claims": _compare("claims"),
    "/v1/compare/premiums": _compare("premiums"),
    "/v1/tariffs": {
        "get": {
            "operationId": "tariff_list",
            "summary": "Every tariff version in force (as `medcalc tariff list --format json`)",
            "tags": ["tariffs"],
            "responses": _responses(_json("TariffList", "medcalc/tariff-list@1"), "401"),
        }
    },
    "/v1/tariffs/diff": {
        "get": {
            "operationId": "tariff_diff",
            "summary": "Two versions compared (as `medcalc tariff diff A B --format json`)",
            "tags": ["tariffs"],
            "parameters": [
                _query("a", "SERIES@VERSION, e.g. qingyuan-qingcheng@2018.1", _TEXT, required=True),
                _query("b", "SERIES@VERSION, e.g. qingyuan-qingcheng@2019.1", _TEXT, required=True),
            ],
            "responses": _responses(
                _json("TariffDiff", "medcalc/tariff-diff@1"), "400", "401", "404"
            ),
        }
    },
    "/v1/tariffs/validate": {
        "post": {
            "operationId": "tariff_validate",
            "summary": "Check a tariff file (nothing is stored)",
            "description": "The YAML file as the body. 200 when it is a valid tariff that would "
            "join the tables in force without overlapping a version; otherwise 422 with every "
            "problem, each with its line and column.",
            "tags": ["tariffs"],
            "parameters": [
                _query("name", "The file name to use in messages (default tariff.yaml).", _TEXT)
            ],
            "requestBody": {"required": True, "content": _YAML},
            "responses": _responses(
                _json("TariffValidation", "The file is a valid tariff"),
                "400",
                "401",
                "413",
                "415",
                "422",
            ),
        }
    },
    "/v1/tariffs/{series}": {
        "get": {
            "operationId": "tariff_series",
            "summary": "The versions of one series (medcalc/tariff-list@1)",
            "tags": ["tariffs"],
            "parameters": [_path("series", "Tariff series, e.g. qingyuan-qingcheng")],
            "responses": _responses(_json("TariffList", "medcalc/tariff-list@1"), "401", "404"),
        }
    },
    "/v1/tariffs/{series}/{version}": {
        "get": {
            "operationId": "tariff_show",
            "summary": "One version as data, with its sha256 (as `medcalc tariff show`)",
            "tags": ["tariffs"],
            "parameters": [
                _path("series", "Tariff series, e.g. qingyuan-qingcheng"),
                _path("version", "Version, e.g. 2018.1"),
            ],
            "responses": _responses(_json("Tariff", "medcalc/tariff@1"), "401", "404"),
        }
    },
    "/v1/tariffs/{series}/{version}/source": {
        "get": {
            "operationId": "tariff_source",
            "summary": "The original YAML file of one version (ETag: its sha256)",
            "tags": ["tariffs"],
            "parameters": [
                _path("series", "Tariff series, e.g. qingyuan-qingcheng"),
                _path("version", "Version, e.g. 2018.1"),
            ],
            "responses": _responses(
                {"description": "The file's bytes", "content": _YAML}, "401", "404", "503"
            ),
        }
    },
    "/v1/admin/reload": {
        "post": {
            "operationId": "reload",
            "summary": "Reload the tariffs from disk (admin token)",
            "description": "The old tables serve until the new ones load clean; a broken file "
            "leaves them in force (409: the files on disk conflict with the tables in force; "
            "the detail is the loader's message with the file, line and column). With "
            "medcalc serve --workers N the parent reloads for every worker (503 if it does "
            "not answer within the time limit).",
            "tags": ["admin"],
            "responses": _responses(
                {
                    "description": "Reloaded",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401",
                "503",
            )
            | {
                "403": {"description": "Not an admin token", "content": _PROBLEM},
                "409": {
                    "description": "The files on disk do not load; the tables in force stay",
                    "content": _PROBLEM,
                },
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "The process is up (never needs a token)",
            "tags": ["operations"],
            "security": [],
            "responses": {
                "200": {
                    "description": "Up",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/readyz": {
        "get": {
            "operationId": "ready",
            "summary": "The tariffs are loaded (never needs a token)",
            "tags": ["operations"],
            "security": [],
            "responses": {
                "200": {
                    "description": "Ready. A refused reload is told with its time only (no "
                    "file or path: this needs no token); the detail is in the log and in the "
                    "answer of POST /v1/admin/reload.",
                    "content": {"application/json": {"schema": _READY}},
                },
                "503": {"description": "Not ready", "content": _PROBLEM},
            },
        }
    },
    "/metrics": {
        "get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics (text format)",
            "tags": ["operations"],
            "responses": _responses(
                {"description": "Metrics", "content": {"text/plain": {"schema": _TEXT}}}, "401"
            ),
        }
    },
}


def openapi(version: str, *, tokens: bool) -> Json:
    """The OpenAPI 3.1 document of the service (``tokens``: it asks for bearer tokens)."""
    doc: Json = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "medcalc",
            "version": version,
            "description": "Exact, explainable premiums (资助/代缴) and claims (基本医保 → "
            "大病保险 → 医疗救助 → 个人自付) from versioned tariff tables. Amounts are "
            "2-decimal text, never floats. Errors are RFC 9457 problem details with the "
            "CLI's messages and a JSON Pointer to the field. See docs/service.md.",
        },
        "paths": copy.deepcopy(PATHS),
        "components": {"schemas": copy.deepcopy(COMPONENTS)},
    }
    if tokens:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc
