"""The interactive documentation page, rendered from the OpenAPI document by the service itself.

District intranets have no internet, so nothing comes from a CDN. The page is plain HTML
generated from ``/openapi.json`` (every operation, its parameters, an example body) with a
small "try it" form per operation (one script, one style sheet, both served from ``/docs/``).
Swagger UI bundles on PyPI ship 4.x, which cannot read OpenAPI 3.1, and weigh ~8 MB.
"""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.responses import Response

from medcalc.messages import say
from medcalc.service._problems import ProblemError

_EXAMPLES: dict[str, Any] = {
    "claims": {
        "series": "qingyuan-qingcheng",
        "person": {"categories": ["poverty"]},
        "claims": [
            {
                "date": "2018-09-14",
                "hospital_level": "level_3",
                "total": "86000.00",
                "compliant": "72000.00",
            }
        ],
        "explain": True,
    },
    "premiums": {
        "series": "qingyuan-qingcheng",
        "person": {"categories": ["poverty"], "birth_date": "1975-04-12"},
        "year": 2018,
    },
    "batch_claims": (
        "person_id,date,hospital_level,compliant,categories\n"
        "P001,2018-09-14,level_3,72000.00,poverty\n"
    ),
    "batch_premiums": "person_id,year,categories,birth_date\nP001,2018,poverty,1975-04-12\n",
    "tariff_validate": "format: 1\nseries: my-series\n",
}

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222}
h1{font-size:1.6rem}h2{font-size:1.1rem;margin:0}
section{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.8rem}
.m{display:inline-block;min-width:4rem;font-weight:bold;color:#fff;border-radius:3px;
text-align:center;margin-right:.5rem}
.get{background:#2a7ab0}.post{background:#2a9d55}
code,textarea,pre{font-family:ui-monospace,monospace;font-size:.85rem}
textarea{width:100%;min-height:7rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto;
max-height:24rem;white-space:pre-wrap}
label{display:block;margin:.3rem 0}input[type=text]{width:20rem}
"""

_JS = """
document.querySelectorAll('form.try').forEach(function (form) {
  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var url = form.dataset.path, query = [];
    form.querySelectorAll('[data-in=path]').forEach(function (i) {
      url = url.replace('{' + i.name + '}', encodeURIComponent(i.value));
    });
    form.querySelectorAll('[data-in=query]').forEach(function (i) {
      if (i.value) query.push(encodeURIComponent(i.name) + '=' + encodeURIComponent(i.value));
    });
    if (query.length) url += '?' + query.join('&');
    var headers = {}, token = document.getElementById('token').value;
    if (token) headers['Authorization'] = 'Bearer ' + token;
    var init = {method: form.dataset.method.toUpperCase(), headers: headers};
    var body = form.querySelector('textarea');
    if (body) { headers['Content-Type'] = form.dataset.media; init.body = body.value; }
    var out = form.querySelector('pre');
    out.textContent = '…';
    try {
      var r = await fetch(url, init), text = await r.text();
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
      out.textContent = r.status + ' ' + r.statusText + '\\n' +
        (r.headers.get('content-type') || '') + '\\n\\n' + text;
    } catch (e) { out.textContent = String(e); }
  });
});
"""

ASSETS = {
    "app.css": (_CSS, "text/css; charset=utf-8"),
    "app.js": (_JS, "text/javascript; charset=utf-8"),
}


def docs_asset(name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise ProblemError(404, say("service.no_asset", name=repr(name)))
    text, media = found
    return Response(text, media_type=media)


def _example(operation: dict[str, Any]) -> tuple[str, str] | None:
    """The media type and an example body of an operation that takes one."""
    body = operation.get("requestBody")
    if body is None:
        return None
    media = next(iter(body["content"]))
    example = _EXAMPLES.get(operation["operationId"], "")
    text = example if isinstance(example, str) else json.dumps(example, indent=2)
    return media, text


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    e = html.escape
    parts = [
        f'<section id="{e(op["operationId"])}"><h2><span class="m {method}">'
        f"{method.upper()}</span><code>{e(path)}</code></h2>",
        f"<p>{e(op.get('summary', ''))}</p>",
    ]
    if "description" in op:
        parts.append(f"<p>{e(op['description'])}</p>")
    parts.append(
        f'<form class="try" data-path="{e(path)}" data-method="{method}"'
        + (f' data-media="{e(found[0])}"' if (found := _example(op)) is not None else "")
        + ">"
    )
    for p in op.get("parameters", []):
        required = " (required)" if p.get("required") else ""
        parts.append(
            f"<label><code>{e(p['name'])}</code> <small>{e(p['in'])}{required}: "
            f'{e(p.get("description", ""))}</small><br><input type="text" '
            f'name="{e(p["name"])}" data-in="{e(p["in"])}"></label>'
        )
    if found is not None:
        parts.append(
            f"<label>Body <small>({e(found[0])})</small><textarea>{e(found[1])}</textarea></label>"
        )
    parts.append('<button type="submit">Send</button><pre></pre></form></section>')
    return "\n".join(parts)


def docs_page(openapi: dict[str, Any]) -> str:
    """The whole page: every operation of ``openapi`` in order, each with its form."""
    info = openapi["info"]
    sections = [
        _operation(path, method, op)
        for path, item in openapi["paths"].items()
        for method, op in item.items()
    ]
    e = html.escape
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(info['title'])} {e(info['version'])} API</title>"
        '<link rel="stylesheet" href="/docs/app.css"></head><body>'
        f"<h1>{e(info['title'])} {e(info['version'])} — HTTP API</h1>"
        f"<p>{e(info['description'])}</p>"
        '<p>The machine-readable description: <a href="/openapi.json">/openapi.json</a> '
        "(OpenAPI 3.1).</p>"
        '<label>Bearer token (when the service asks for one) <input type="text" id="token">'
        "</label>" + "\n".join(sections) + '<script src="/docs/app.js"></script></body></html>'
    )
