"""The OpenAPI 3.1 document of what a vendor fake serves, built from its route table.

Paths and methods come from ``fake.vendor(name).router.routes``; what each route takes and
answers comes from the vendor's own data (:class:`OpenApiSpec`, next to the vendor module, built
from the constants its handlers validate with). The answers every route can give whatever its
data says are added here: the vendor's error envelope for each injectable fault status
(``Retry-After`` on 429 and 503), 401/403 where the route checks credentials, and the
``Deprecation``/``Sunset`` headers and 410 of a deprecated route. A vendor without data (a
vendor pack) still gets a valid document: its paths and methods, answers undocumented.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import FakeRunsError
from ._faults import FAULT_STATUSES, RETRY_AFTER_STATUSES

if TYPE_CHECKING:
    from ._fake import FakeRuns
    from ._router import Route
    from ._vendor_fake import VendorFake

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
Schema = dict[str, Any]

REASONS: dict[int, str] = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# -- schema helpers for the vendor data modules ----------------------------------------------

UTC_SECONDS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
UTC_MILLIS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"
GUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def integer(minimum: int | None = None, maximum: int | None = None, **extra: Any) -> Schema:
    out: Schema = {"type": "integer"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return {**out, **extra}


def boolean(**extra: Any) -> Schema:
    return {"type": "boolean", **extra}


def enum(values: Sequence[str], **extra: Any) -> Schema:
    return {"type": "string", "enum": list(values), **extra}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def obj(
    required: Mapping[str, Schema],
    optional: Mapping[str, Schema] | None = None,
    closed: bool = True,
    **extra: Any,
) -> Schema:
    """An object with these required and optional properties; ``closed``: no others."""
    out: Schema = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    return {**out, **extra}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def param(
    name: str, where: str, schema: Schema, description: str = "", required: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "in": where, "schema": schema}
    if where == "path" or required:
        out["required"] = True
    if description:
        out["description"] = description
    return out


def query(name: str, schema: Schema, description: str = "", required: bool = False) -> Any:
    return param(name, "query", schema, description, required)


def path(name: str, schema: Schema, description: str = "") -> Any:
    return param(name, "path", schema, description)


def header(name: str, schema: Schema, description: str = "") -> Any:
    return param(name, "header", schema, description)


@dataclass(frozen=True)
class Answer:
    """One documented answer: a body schema per media type (none: no body) and headers."""

    description: str = ""
    content: Mapping[str, Schema] = field(default_factory=dict)
    headers: Mapping[str, Schema] = field(default_factory=dict)


def json_answer(schema: Schema, description: str = "", **headers: Schema) -> Answer:
    return Answer(description, {JSON: schema}, headers)


@dataclass(frozen=True)
class Operation:
    """What one route takes and answers, besides the answers every route has.

    ``errors``: statuses the handler itself answers with the vendor's envelope (400, 404, ...);
    ``parents``/``runs``: path parameters naming a parent or a run (the document lists the
    stored ones as examples); ``auth`` None: the route table's ``auth`` says whether the
    route checks credentials.
    """

    summary: str
    answers: Mapping[int, Answer]
    parameters: Sequence[Mapping[str, Any]] = ()
    body: Mapping[str, Schema] = field(default_factory=dict)  # media type -> schema
    body_required: bool = False
    errors: Sequence[int] = ()
    auth: bool | None = None
    auth_statuses: Sequence[int] = (401, 403)
    parents: Sequence[str] = ()
    runs: Sequence[str] = ()
    description: str = ""
    extra_error: Schema | None = None  # another body an error of this route may have
    # more path parameter examples from the fake's state: vendor -> {parameter: [values]}
    examples: Callable[[VendorFake], Mapping[str, Sequence[Any]]] | None = None


@dataclass(frozen=True)
class OpenApiSpec:
    """A vendor's OpenAPI data: operations by ``(method, template)``, envelope, auth."""

    operations: Mapping[tuple[str, str], Operation]
    error: Schema  # the vendor's error envelope
    schemas: Mapping[str, Schema] = field(default_factory=dict)  # components.schemas
    security_schemes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    error_media: Sequence[str] = (JSON,)
    # the HTTP status an error of this status is sent with (ArcGIS: most ride on 200)
    error_http: Callable[[int], int] = lambda status: status
    error_headers: Mapping[int, Mapping[str, Schema]] = field(default_factory=dict)
    description: str = ""
    tags: Sequence[str] = ()


def spec_for(vendor: VendorFake) -> OpenApiSpec | None:
    """The vendor definition's OpenAPI data, or None when it has none."""
    found = vendor.definition.openapi_operations()
    if found is not None and not isinstance(found, OpenApiSpec):
        raise FakeRunsError(
            f"{vendor.name}: openapi_operations() returns an OpenApiSpec or None, not "
            f"{type(found).__name__}"
        )
    return found


def load_spec(module: str, anchor: str) -> OpenApiSpec:
    """``SPEC`` of the module ``module`` (relative names resolve against ``anchor``)."""
    package = anchor.rpartition(".")[0]
    loaded = importlib.import_module(module, package=package or None)
    spec = getattr(loaded, "SPEC", None)
    if not isinstance(spec, OpenApiSpec):
        raise FakeRunsError(f"{loaded.__name__} has no SPEC = OpenApiSpec(...)")
    return spec


# -- the document ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _operation_id(route: Route) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", route.template).strip("_")
    return f"{route.method.lower()}_{words}"


def _version() -> str:
    from . import __version__

    return __version__


def _status_text(status: int) -> str:
    return REASONS.get(status, "Error")


def document(fake: FakeRuns, vendor: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document (a JSON-ready dict) for ``vendor``'s faked routes.

    ``servers`` is the vendor's current root; stored parents and runs are listed as examples
    of the path parameters that name them.
    """
    if vendor not in fake.vendors:
        raise FakeRunsError(
            f"no vendor {vendor!r}; known vendors: {', '.join(sorted(fake.vendors))}"
        )
    fake_vendor = fake.vendors[vendor]
    spec = spec_for(fake_vendor)
    paths: dict[str, dict[str, Any]] = {}
    for route in fake_vendor.router.routes:
        item = paths.setdefault(route.template, {})
        op = None if spec is None else spec.operations.get((route.method, route.template))
        if op is None or spec is None:
            item[route.method.lower()] = _minimal(route)
        else:
            item[route.method.lower()] = _operation(fake_vendor, spec, route, op)
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"pytest-fakeruns: {vendor}",
            "version": _version(),
            "description": (
                f"The routes the pytest-fakeruns fake of {vendor} serves, as the fake answers "
                "them (generated from its route table and parameter rules). Every route also "
                "answers the vendor's error envelope for the statuses a test can inject."
                + (f"\n\n{spec.description}" if spec is not None and spec.description else "")
            ),
        },
        "servers": [{"url": fake_vendor.base_url}],
        "paths": paths,
    }
    components: dict[str, Any] = {}
    if spec is not None:
        components["schemas"] = {"Error": spec.error, **spec.schemas}
        if spec.security_schemes:
            components["securitySchemes"] = _schemes(spec, fake_vendor.base_url)
    if components:
        doc["components"] = components
    return copy.deepcopy(doc)  # the vendor data's dicts stay the caller's to change


def _schemes(spec: OpenApiSpec, root: str) -> dict[str, Any]:
    """The security schemes, with a root-relative OAuth ``tokenUrl`` made absolute."""
    out: dict[str, Any] = copy.deepcopy({k: dict(v) for k, v in spec.security_schemes.items()})
    for scheme in out.values():
        for flow in scheme.get("flows", {}).values():
            url = flow.get("tokenUrl", "")
            if url.startswith("/"):
                flow["tokenUrl"] = root + url
    return out


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    return [path(name, string()) for name in _PLACEHOLDER.findall(route.template)]


def _minimal(route: Route) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": f"{route.method} {route.template}",
        "responses": {
            "default": {
                "description": "Undocumented: the vendor has no OpenAPI data for this route."
            }
        },
    }
    params = _path_parameters(route)
    if params:
        out["parameters"] = params
    return out


def _header_objects(headers: Mapping[str, Schema], required: bool = True) -> dict[str, Any]:
    return {
        name: {"schema": dict(schema), "required": required} for name, schema in headers.items()
    }


def _answer_object(answer: Answer, status: int, extra_headers: Mapping[str, Any]) -> Any:
    out: dict[str, Any] = {"description": answer.description or _status_text(status)}
    if answer.content:
        out["content"] = {media: {"schema": schema} for media, schema in answer.content.items()}
    heads = {**_header_objects(answer.headers), **extra_headers}
    if heads:
        out["headers"] = heads
    return out


def _merge(into: dict[str, Any], http: int, body: dict[str, Any]) -> None:
    """Add a documented answer; a second body under the same HTTP status becomes anyOf."""
    key = str(http)
    if key not in into:
        into[key] = body
        return
    have = into[key]
    have["description"] = f"{have['description']}; {body['description']}"
    for media, entry in body.get("content", {}).items():
        content = have.setdefault("content", {})
        if media not in content:
            content[media] = entry
            continue
        old = content[media]["schema"]
        new = entry["schema"]
        if old == new:
            continue
        options = old["anyOf"] if list(old) == ["anyOf"] else [old]
        if new not in options:
            options = [*options, new]
        content[media]["schema"] = {"anyOf": options}
    for name, head in body.get("headers", {}).items():
        heads = have.setdefault("headers", {})
        if name in heads:
            continue
        heads[name] = {**head, "required": False}
    # a header only some bodies under this status carry is not required of the others
    for name in list(have.get("headers", {})):
        if name not in body.get("headers", {}):
            have["headers"][name]["required"] = False


def _operation(vendor: VendorFake, spec: OpenApiSpec, route: Route, op: Operation) -> Any:
    out: dict[str, Any] = {"operationId": _operation_id(route), "summary": op.summary}
    if op.description:
        out["description"] = op.description
    if spec.tags:
        out["tags"] = list(spec.tags)
    params = [dict(p) for p in op.parameters]
    named = {p["name"] for p in params if p["in"] == "path"}
    params += [p for p in _path_parameters(route) if p["name"] not in named]
    _add_examples(vendor, op, params)
    if params:
        out["parameters"] = params
    if op.body:
        out["requestBody"] = {
            "required": op.body_required,
            "content": {media: {"schema": schema} for media, schema in op.body.items()},
        }
    dep = vendor.deprecation_for(route, route.template)
    dep_headers: dict[str, Any] = {}
    if dep is not None:
        out["deprecated"] = True
        sent = dep.headers()
        dep_headers = {
            name: {
                "schema": {"type": "string"},
                "required": True,
                "description": f"RFC {'8594' if name == 'Sunset' else '9745'}"
                if name != "Link"
                else 'rel="deprecation"',
            }
            for name in sent
        }
    responses: dict[str, Any] = {}
    for status, answer in sorted(op.answers.items()):
        _merge(responses, status, _answer_object(answer, status, dep_headers))
    checks = route.auth if op.auth is None else op.auth
    statuses = set(op.errors) | set(FAULT_STATUSES)
    if checks:
        statuses |= set(op.auth_statuses)
    if dep is not None:
        statuses.add(410)
    for status in sorted(statuses):
        envelope = (
            spec.error
            if op.extra_error is None or status not in op.errors
            else {"anyOf": [spec.error, op.extra_error]}
        )
        heads: dict[str, Any] = dict(dep_headers)
        if status in RETRY_AFTER_STATUSES:
            heads["Retry-After"] = {
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
                "required": True,
                "description": "seconds to wait (the fault's retry_after)",
            }
        # an error only the vendor envelope has (not this route's own error body) requires them
        own_body = op.extra_error is not None and status in op.errors
        heads.update(_header_objects(spec.error_headers.get(status, {}), required=not own_body))
        body = {
            "description": f"{status} {_status_text(status)} in the vendor's error envelope",
            "content": {media: {"schema": envelope} for media in spec.error_media},
        }
        if heads:
            body["headers"] = heads
        _merge(responses, spec.error_http(status), body)
    out["responses"] = responses
    if checks and spec.security_schemes:
        requirement: list[dict[str, list[str]]] = [{name: []} for name in spec.security_schemes]
        if not vendor.require_auth:
            requirement.append({})
        out["security"] = requirement
    elif spec.security_schemes:
        out["security"] = [{}]
    return out


def _add_examples(vendor: VendorFake, op: Operation, params: list[dict[str, Any]]) -> None:
    """Stored parents' keys and runs' ids as examples of the path parameters naming them."""
    store = vendor.store
    wanted: dict[str, list[Any]] = {}
    if op.parents:
        keys = list(store.parents)[:3]
        for name in op.parents:
            wanted[name] = keys
    if op.runs:
        ids = [run.id for run in store.runs[-3:]]
        for name in op.runs:
            wanted[name] = ids
    if op.examples is not None:
        wanted.update({name: list(values)[:3] for name, values in op.examples(vendor).items()})
    for p in params:
        values = wanted.get(p["name"])
        if p["in"] == "path" and values:
            p["examples"] = {f"stored{i + 1}": {"value": v} for i, v in enumerate(values)}


__all__ = [
    "FORM",
    "JSON",
    "Answer",
    "OpenApiSpec",
    "Operation",
    "document",
    "json_answer",
    "load_spec",
    "spec_for",
]
