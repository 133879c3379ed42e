"""JSON Schemas (draft 2020-12) of medcalc's JSON documents and of the service's request bodies.

The one definition of what goes over the wire: the documents :mod:`medcalc.present` and
``medcalc tariff … --format json`` write (``medcalc/claims@1``, ``medcalc/premiums@1``,
``medcalc/tariff@1``, ``medcalc/tariff-list@1``, ``medcalc/tariff-diff@1``), the request bodies
of ``medcalc serve`` (whose fields are the ones :mod:`medcalc.chain` reads, as the CLI and batch
files name them), and RFC 9457 problem details. The service's OpenAPI document is generated
from these; ``tests/test_schemas.py`` validates real export output against them, so the two
cannot drift.

Response schemas list every key the export writes as required and allow more
(``additionalProperties`` left open): within a schema version a field may be added, never
renamed or removed (see :mod:`medcalc.present`). Request schemas are closed: an unknown field is
an error, not silently ignored.

Pure data: no I/O.
"""

from __future__ import annotations

import copy
from typing import Any, get_args

from medcalc.chain import CLAIM_FIELDS, LAYERS, PERSON_FIELDS, YTD_FIELDS
from medcalc.present._json import (
    CLAIMS_SCHEMA,
    DIFF_SCHEMA,
    LIST_SCHEMA,
    PREMIUMS_SCHEMA,
    TARIFF_SCHEMA,
)
from medcalc.present._layers import shape
from medcalc.tariff import DISABILITY_TYPES, SECTIONS, Bounds, Key, Status

__all__ = [
    "CLAIMS_REQUEST",
    "COMPONENTS",
    "DIFF_SCHEMA",
    "LIST_SCHEMA",
    "PREMIUMS_REQUEST",
    "PROBLEM",
    "REQUEST_FIELDS",
    "TARIFF_SCHEMA",
    "YTD_REQUEST_FIELDS",
    "document_schema",
    "ref",
]

Schema = dict[str, Any]

# The tariff documents' names; medcalc.cli.tariff writes them (it imports click, so the names
# are repeated here rather than imported; tests/test_schemas.py checks they agree).

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def ref(name: str) -> Schema:
    """A reference to a component schema of the OpenAPI document."""
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict[str, Schema], *, nullable: tuple[str, ...] = ()) -> Schema:
    """An export object: every key always written (``nullable`` ones may be null)."""
    props = {k: _nullable(v) if k in nullable else v for k, v in properties.items()}
    return {"type": "object", "properties": props, "required": list(properties)}


def _list(items: Schema) -> Schema:
    return {"type": "array", "items": items}


# -- scalars as the export writes them ------------------------------------------------------

MONEY: Schema = {
    "type": "string",
    "pattern": r"^-?[0-9]+\.[0-9]{2}$",
    "description": "An amount in yuan with exactly 2 decimals, as text (never a float).",
    "examples": ["46280.00"],
}
RATIO: Schema = {
    "type": "string",
    "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
    "description": "A ratio or factor as written in the tariff, as text.",
    "examples": ["0.65"],
}
DAY: Schema = {"type": "string", "format": "date", "examples": ["2018-09-14"]}
TEXT: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
SHA256: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
STATUS: Schema = {"type": "string", "enum": list(get_args(Status))}

# -- medcalc/claims@1 and medcalc/premiums@1 ------------------------------------------------

_TARIFF_REF = _obj(
    {"series": TEXT, "version": TEXT, "sha256": SHA256, "status": STATUS, "path": TEXT}
)
_ALTERNATIVE = _obj({"profile": TEXT, "amount": MONEY})
_SOURCE = _obj({"id": TEXT, "title": TEXT, "number": TEXT, "url": TEXT}, nullable=("number", "url"))
_YTD = _obj({"basic_paid": MONEY, **{layer.base: MONEY for layer in LAYERS}})
_CLAIM_INPUT = _obj(
    {
        "claim_id": TEXT,
        "date": DAY,
        "hospital_level": TEXT,
        "total": MONEY,
        "compliant": MONEY,
        "basic_paid": MONEY,
    },
    nullable=("claim_id", "hospital_level", "basic_paid"),
)
_BASIC = _obj(
    {
        "given": BOOLEAN,
        "profile": TEXT,
        "hospital_level": TEXT,
        "deductible": MONEY,
        "ratio": RATIO,
        "annual_cap": MONEY,
        "paid_before": MONEY,
        "paid_after": MONEY,
        "alternatives": _list(_ALTERNATIVE),
    },
    nullable=("hospital_level", "deductible", "ratio", "annual_cap"),
)
_SEGMENT = _obj(
    {
        "lower": MONEY,
        "upper": MONEY,
        "from": MONEY,
        "to": MONEY,
        "amount": MONEY,
        "ratio": RATIO,
        "paid": MONEY,
    },
    nullable=("upper",),
)
_CRITICAL_ILLNESS = _obj(
    {
        "profile": TEXT,
        "profile_before": TEXT,
        "threshold": MONEY,
        "bounds": {"type": "string", "enum": list(get_args(Bounds))},
        "ratios": _list(RATIO),
        "annual_cap": MONEY,
        "base_before": MONEY,
        "base_after": MONEY,
        "paid_before": MONEY,
        "paid_after": MONEY,
        "segments": _list(_SEGMENT),
        "cap_reduction": MONEY,
        "profile_switch": MONEY,
        "burden_reduction": MONEY,
        "alternatives": _list(_ALTERNATIVE),
    },
    nullable=("annual_cap",),
)
_ASSISTANCE = _obj(
    {
        "profile": TEXT,
        "ratio": RATIO,
        "deductible": MONEY,
        "annual_cap": MONEY,
        "base_before": MONEY,
        "base_after": MONEY,
        "paid_before": MONEY,
        "paid_after": MONEY,
        "burden_reduction": MONEY,
        "alternatives": _list(_ALTERNATIVE),
    },
    nullable=("profile", "ratio", "deductible", "annual_cap"),
)
_DETAIL = {Key.CRITICAL_ILLNESS: _CRITICAL_ILLNESS, Key.MEDICAL_ASSISTANCE: _ASSISTANCE}
"""A layer's explanation, by the shape of its section."""
_LAYER_AMOUNTS = {layer.id: MONEY for layer in LAYERS}
_CLAIM_RESULT = _obj(
    {
        "index": INTEGER,
        "claim": _CLAIM_INPUT,
        "tariff": _TARIFF_REF,
        "categories": _list(TEXT),
        "covered": BOOLEAN,
        "benefits_start": DAY,
        "not_covered_reason": TEXT,
        "basic": MONEY,
        **_LAYER_AMOUNTS,
        "out_of_pocket": MONEY,
        "individual_burden": MONEY,
        "remaining": MONEY,
        "before": _YTD,
        "after": _YTD,
        "explanation": _obj(
            {"basic": _BASIC, **{layer.id: _DETAIL[shape(layer)] for layer in LAYERS}},
            nullable=("basic", *(layer.id for layer in LAYERS)),
        ),
        "sources": _list(_SOURCE),
    },
    nullable=("benefits_start", "not_covered_reason"),
)
# ``explain: false`` leaves the explanation out; every other key is always there.
_CLAIM_RESULT["required"].remove("explanation")
_YEAR = _obj(
    {
        "year": INTEGER,
        "claims": INTEGER,
        "total": MONEY,
        "compliant": MONEY,
        "basic": MONEY,
        **_LAYER_AMOUNTS,
        "out_of_pocket": MONEY,
        "start": _YTD,
        "end": _YTD,
    }
)
CLAIMS_DOCUMENT = _obj(
    {
        "schema": {"const": CLAIMS_SCHEMA},
        "series": TEXT,
        "claims": _list(_CLAIM_RESULT),
        "years": _list(_YEAR),
    }
)
_MEDICAL = _obj(
    {
        "contribution": MONEY,
        "government_pays": MONEY,
        "individual_pays": MONEY,
        "profile": TEXT,
        "alternatives": _list(_ALTERNATIVE),
        "source": _SOURCE,
    },
    nullable=("source",),
)
_PENSION = _obj(
    {
        "age": INTEGER,
        "due": BOOLEAN,
        "past_age": BOOLEAN,
        "grade": MONEY,
        "lowest_open_grade": MONEY,
        "open_grades": _list(MONEY),
        "government_pays": MONEY,
        "individual_pays": MONEY,
        "subsidy": MONEY,
        "profile": TEXT,
        "alternatives": _list(_ALTERNATIVE),
        "bases": _list(_ALTERNATIVE),
        "basic_pension_monthly": MONEY,
        "source": _SOURCE,
    },
    nullable=("basic_pension_monthly", "source"),
)
PREMIUMS_DOCUMENT = _obj(
    {
        "schema": {"const": PREMIUMS_SCHEMA},
        "year": INTEGER,
        "tariff": _TARIFF_REF,
        "categories": _list(TEXT),
        "medical": _MEDICAL,
        "pension": _PENSION,
    },
    nullable=("medical", "pension"),
)

# -- tariff documents -----------------------------------------------------------------------

_LABEL = _obj({"zh": TEXT, "en": TEXT})
_EFFECTIVE = _obj({"from": DAY, "to": DAY}, nullable=("to",))
TARIFF_LIST_DOCUMENT = _obj(
    {
        "schema": {"const": LIST_SCHEMA},
        "tariffs": _list(
            _obj(
                {
                    "series": TEXT,
                    "version": TEXT,
                    "title": _LABEL,
                    "effective": _EFFECTIVE,
                    "status": STATUS,
                    "sha256": SHA256,
                    "path": TEXT,
                }
            )
        ),
    }
)
_SECTION: Schema = {
    "description": "A section of the tariff keyed like the YAML file (docs/tariff-format.md); "
    "amounts as 2-decimal text, ratios as written; null when the tariff leaves it out.",
    "anyOf": [{"type": "object"}, {"type": "null"}],
}
_CATEGORY: Schema = {
    "type": "object",
    "description": "A declared category keyed as in the YAML file; `aliases` and `disability` "
    "only when the file has them.",
    "properties": {
        "id": TEXT,
        "label": {"type": "object"},
        "aliases": _list(TEXT),
        "disability": _list({"type": "object"}),
    },
    "required": ["id", "label"],
}
TARIFF_DOCUMENT = _obj(
    {
        "schema": {"const": TARIFF_SCHEMA},
        "sha256": SHA256,
        "path": TEXT,
        "format": INTEGER,
        "series": TEXT,
        "version": TEXT,
        "title": _LABEL,
        "region": {"type": "object"},
        "effective": _EFFECTIVE,
        "status": STATUS,
        "rounding": {"type": "string", "enum": ["half_up", "half_even"]},
        "sources": _list({"type": "object"}),
        "categories": _list(_CATEGORY),
        **dict.fromkeys(SECTIONS, _SECTION),
    }
)
# Optional sections are written only when the file has them; the identity always is.
TARIFF_DOCUMENT["required"] = ["schema", "sha256", "path", "series", "version", "effective"]
_IDENTITY = _obj({"series": TEXT, "version": TEXT, "sha256": SHA256, "path": TEXT})
_ANY_VALUE: Schema = {"description": "The parameter's value as in medcalc/tariff@1; null: absent."}
_CHANGE = _obj(
    {
        "path": TEXT,
        "change": {"type": "string", "enum": ["changed", "added", "removed"]},
        "key": TEXT,
        "a": _ANY_VALUE,
        "b": _ANY_VALUE,
    }
)
_CHANGE["required"] = ["path", "change", "a", "b"]  # ``key`` only for a list member
TARIFF_DIFF_DOCUMENT = _obj(
    {
        "schema": {"const": DIFF_SCHEMA},
        "a": _IDENTITY,
        "b": _IDENTITY,
        "changes": _list(_CHANGE),
    }
)
TARIFF_FILE_PROBLEM = _obj({"line": INTEGER, "column": INTEGER, "message": TEXT})
VALIDATION_DOCUMENT = _obj(
    {
        "valid": BOOLEAN,
        "series": TEXT,
        "version": TEXT,
        "sha256": SHA256,
        "problems": _list(TARIFF_FILE_PROBLEM),
    },
    nullable=("series", "version"),
)

# -- request bodies -------------------------------------------------------------------------

#: The object keys of ``year_to_date`` in a request and the row fields they are read as
#: (the names of ``before``/``after`` in ``medcalc/claims@1``).
YTD_REQUEST_FIELDS = {field.removeprefix("ytd_"): field for field in YTD_FIELDS}

_AMOUNT_IN: Schema = {
    "description": "An amount in yuan: text as in batch files ('120,000.00', full-width "
    "digits) or a JSON number, at most 2 decimals; null or empty: not given.",
    "anyOf": [{"type": "string", "maxLength": 64}, {"type": "number"}, {"type": "null"}],
    "examples": ["72000.00"],
}
_DATE_IN: Schema = {
    "description": "YYYY-MM-DD, or year first as Excel writes it (2018/9/14, 2018年9月14日); "
    "null or empty: not given.",
    "anyOf": [{"type": "string", "maxLength": 64}, {"type": "null"}],
    "examples": ["2018-09-14"],
}
_TEXT_IN: Schema = {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]}
_CATEGORIES_IN: Schema = {
    "description": "Category ids: a list, or text separated by ';' as in batch files.",
    "anyOf": [
        {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 100},
        {"type": "string", "maxLength": 2000},
        {"type": "null"},
    ],
    "examples": [["poverty"]],
}
_GRADE_IN: Schema = {
    "description": "Disability grade 1-4 (残疾等级).",
    "anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 16}, {"type": "null"}],
}
_DISABILITY_TYPE_IN: Schema = {
    "description": f"Disability type (残疾类别): {', '.join(DISABILITY_TYPES)}.",
    "anyOf": [{"type": "string", "maxLength": 64}, {"type": "null"}],
}
_FIELD_SCHEMAS: dict[str, Schema] = {
    "person_id": _TEXT_IN,
    "categories": _CATEGORIES_IN,
    "disability_grade": _GRADE_IN,
    "disability_type": _DISABILITY_TYPE_IN,
    "enrolled_on": _DATE_IN,
    "birth_date": _DATE_IN,
    "claim_id": _TEXT_IN,
    "date": _DATE_IN,
    "hospital_level": _TEXT_IN,
    "total": _AMOUNT_IN,
    "compliant": _AMOUNT_IN,
    "basic_paid": _AMOUNT_IN,
}


def _closed(fields: tuple[str, ...] | list[str], schemas: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": {f: schemas[f] for f in fields},
        "additionalProperties": False,
    }


_PERSON_IN = _closed(PERSON_FIELDS, _FIELD_SCHEMAS)
_CLAIM_IN = _closed(CLAIM_FIELDS, _FIELD_SCHEMAS)
_CLAIM_IN["required"] = ["date", "compliant"]
_YTD_IN = _closed(list(YTD_REQUEST_FIELDS), dict.fromkeys(YTD_REQUEST_FIELDS, _AMOUNT_IN))
_SERIES_IN: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "description": "Tariff series (待遇标准系列); default: the service's default series.",
}
CLAIMS_REQUEST: Schema = {
    "type": "object",
    "description": "One person's claims: the same fields as `medcalc claim` and batch files.",
    "properties": {
        "series": _SERIES_IN,
        "person": _PERSON_IN,
        "claims": {"type": "array", "items": _CLAIM_IN, "minItems": 1},
        "year_to_date": _YTD_IN,
        "explain": {
            "type": "boolean",
            "default": True,
            "description": "false: leave each claim's explanation out.",
        },
    },
    "required": ["claims"],
    "additionalProperties": False,
}
PREMIUMS_REQUEST: Schema = {
    "type": "object",
    "description": "One person's premiums for a year: the same fields as `medcalc premium`.",
    "properties": {
        "series": _SERIES_IN,
        "person": _PERSON_IN,
        "year": {"type": "integer", "minimum": 1, "maximum": 9999},
        "pension_grade": _AMOUNT_IN,
    },
    "required": ["year"],
    "additionalProperties": False,
}

#: The request fields of each body part, for messages and for the service's reader.
REQUEST_FIELDS: dict[str, tuple[str, ...]] = {
    "claims": tuple(CLAIMS_REQUEST["properties"]),
    "premiums": tuple(PREMIUMS_REQUEST["properties"]),
    "person": PERSON_FIELDS,
    "claim": CLAIM_FIELDS,
    "year_to_date": tuple(YTD_REQUEST_FIELDS),
}

# -- problems -------------------------------------------------------------------------------

PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "The same message the CLI prints."},
        "instance": {"type": "string"},
        "pointer": {
            "type": "string",
            "description": "JSON Pointer (RFC 6901) to the field of the request at fault.",
        },
        "errors": _list(
            _obj(
                {"detail": TEXT, "pointer": TEXT, "line": INTEGER, "column": INTEGER},
            )
            | {"required": ["detail"]}
        ),
        "id": {"type": "string", "description": "An unexpected error's id, also in the log."},
    },
    "required": ["type", "title", "status"],
}

#: The OpenAPI ``components.schemas``; every document and request body, by name.
COMPONENTS: dict[str, Schema] = {
    "Claims": CLAIMS_DOCUMENT,
    "Premiums": PREMIUMS_DOCUMENT,
    "TariffList": TARIFF_LIST_DOCUMENT,
    "Tariff": TARIFF_DOCUMENT,
    "TariffDiff": TARIFF_DIFF_DOCUMENT,
    "TariffValidation": VALIDATION_DOCUMENT,
    "ClaimsRequest": CLAIMS_REQUEST,
    "PremiumsRequest": PREMIUMS_REQUEST,
    "Problem": PROBLEM,
}

_BY_DOCUMENT = {
    CLAIMS_SCHEMA: "Claims",
    PREMIUMS_SCHEMA: "Premiums",
    LIST_SCHEMA: "TariffList",
    TARIFF_SCHEMA: "Tariff",
    DIFF_SCHEMA: "TariffDiff",
}


def document_schema(name: str) -> Schema:
    """A stand-alone JSON Schema (with ``$schema``) of a document or request body, by document
    name (``medcalc/claims@1``) or component name (``ClaimsRequest``); a copy."""
    component = _BY_DOCUMENT.get(name, name)
    if component not in COMPONENTS:
        raise KeyError(f"no schema named {name!r}")
    return {"$schema": DIALECT, **copy.deepcopy(COMPONENTS[component])}
