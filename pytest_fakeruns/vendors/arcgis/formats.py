"""ArcGIS request parameters (query, or form body on POST) and the three output formats
``f=json|pjson|html`` (docs/contracts/arcgis.md §3, §4, §8)."""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
from collections.abc import Callable
from typing import Any

from pytest_fakeruns.vendor_kit import Context, Response

FORMATS = ("html", "json", "pjson")
JSON_TYPE = "application/json; charset=UTF-8"
PJSON_TYPE = "text/plain; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=4096)
def us_date(moment: _dt.datetime) -> str:
    """``Apr 22, 2021, 3:00:31 AM`` in UTC: no leading zero on the day or the hour."""
    u = moment if moment.tzinfo is _dt.timezone.utc else moment.astimezone(_dt.timezone.utc)
    hour = u.hour % 12 or 12
    half = "AM" if u.hour < 12 else "PM"
    return f"{_MONTHS[u.month - 1]} {u.day}, {u.year}, {hour}:{u.minute:02d}:{u.second:02d} {half}"


def inputs(ctx: Context) -> dict[str, str] | None:
    """The request's parameters: the query, overlaid on POST by the form body (first value of
    each name wins); None when a POST body is not form-encoded. ``token`` is left to auth."""
    params = dict(ctx.query)
    if ctx.request.method == "POST":
        form = ctx.form()
        if form is None:
            return None
        params.update(form)
    return params


def output_format(ctx: Context) -> str:
    """The format an answer (errors included) is written in: ``f`` when valid, html when
    absent, json when ``f`` is something else."""
    params = inputs(ctx)
    if params is None:
        params = dict(ctx.query)
    f = params.get("f")
    if f is None:
        return "html"
    return f if f in FORMATS else "json"


def render(
    obj: Any,
    fmt: str,
    status: int = 200,
    title: str = "",
    html_body: Callable[[], str] | None = None,
) -> Response:
    """``obj`` as json (compact), pjson (2-space indent, as text/plain) or a small HTML page.

    ``html_body`` writes the page's content (default: a table of ``obj``'s plain fields).
    """
    if fmt == "json":
        body = _dumps(obj).encode("utf-8", "backslashreplace")
        return Response(status, {"Content-Type": JSON_TYPE}, body)
    if fmt == "pjson":
        body = json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace")
        return Response(status, {"Content-Type": PJSON_TYPE}, body)
    content = html_body() if html_body is not None else _html_pairs(obj)
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        f"{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{content}\n</body></html>\n"
    )
    return Response(status, {"Content-Type": HTML_TYPE}, page.encode("utf-8", "backslashreplace"))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _html_pairs(obj: Any) -> str:
    if not isinstance(obj, dict):
        return f"<p>{html.escape(str(obj))}</p>"
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_plain(v))}</td></tr>"
        for k, v in obj.items()
        if not isinstance(v, dict)
    )
    return f"<table>{rows}</table>"


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def html_runs(runs: list[dict[str, Any]]) -> str:
    """The runs of a page as a table: runId, status, created, result."""
    head = "<tr><th>runId</th><th>status</th><th>created</th><th>result</th></tr>"
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(run[k]))}</td>" for k in ("runId", "status", "created", "result")
        )
        + "</tr>"
        for run in runs
    )
    return f"<table>{head}{rows}</table>"
