"""The vendor kit: everything a vendor module imports, and the only module it imports from us.

The five built-in vendors (``pytest_fakeruns/vendors/<name>/``) and every vendor pack use this
module and nothing else of pytest-fakeruns, so a pack can do whatever a built-in does (see
docs/vendor-packs.md). The names here are public and stable; the underscore modules they come
from are not.

- **Defining a vendor:** :class:`VendorDefinition` (subclass it), :class:`Route` (its routes
  table), :class:`Vocabulary` / :class:`Step` (status words in path order), :class:`State`
  (canonical states), :class:`DeprecationSpec` (``default_deprecations``).
- **Handling a request:** :class:`Context` (``ctx.params``, ``ctx.query``, ``ctx.json()``,
  ``ctx.fail()``, ``ctx.show()``...), :class:`VendorError` (what ``ctx.fail()`` returns, to
  ``raise``), :class:`Request` / :class:`Response` (the neutral HTTP objects),
  :func:`json_response` / :func:`dump_json` (a response or body built by hand) and
  ``SHARED_SLOT`` (one value shared by every item of a cached page).
- **Data:** :class:`Run`, :class:`Parent`, :class:`Position` (where ``run_fields`` places a new
  run), :class:`Gen` (the vendor's seeded generator), :class:`VendorFake` (``ctx.vendor``).
- **Parsing and formatting:** :func:`parse_int`, :func:`parse_bool`, :func:`parse_instant`,
  :func:`iso_seconds`, :func:`iso_millis`, :func:`one_of`.
- **OpenAPI data** (``openapi_module``, read by ``fakeruns openapi``): :class:`OpenApiSpec`,
  :class:`Operation`, :class:`Answer` and the schema builders (``string``, ``integer``, ``obj``...).
- **Misuse from Python:** raise :class:`FakeRunsError` naming what is allowed.
"""

from __future__ import annotations

from ._definition import Context, DeprecationSpec, VendorDefinition, VendorError
from ._errors import FakeRunsError
from ._generator import Gen
from ._http import SHARED_SLOT, Request, Response, dump_json, json_response
from ._openapi import (
    FORM,
    GUID_PATTERN,
    UTC_MILLIS,
    UTC_SECONDS,
    Answer,
    OpenApiSpec,
    Operation,
    Schema,
    array,
    boolean,
    enum,
    header,
    integer,
    json_answer,
    nullable,
    obj,
    path,
    query,
    ref,
    string,
)
from ._params import iso_millis, iso_seconds, one_of, parse_bool, parse_instant, parse_int
from ._router import Route
from ._run import Run
from ._states import State
from ._store import Parent
from ._vendor_fake import VendorFake
from ._vocabulary import Position, Step, Vocabulary

__all__ = [
    "FORM",
    "GUID_PATTERN",
    "SHARED_SLOT",
    "UTC_MILLIS",
    "UTC_SECONDS",
    "Answer",
    "Context",
    "DeprecationSpec",
    "FakeRunsError",
    "Gen",
    "OpenApiSpec",
    "Operation",
    "Parent",
    "Position",
    "Request",
    "Response",
    "Route",
    "Run",
    "Schema",
    "State",
    "Step",
    "VendorDefinition",
    "VendorError",
    "VendorFake",
    "Vocabulary",
    "array",
    "boolean",
    "dump_json",
    "enum",
    "header",
    "integer",
    "iso_millis",
    "iso_seconds",
    "json_answer",
    "json_response",
    "nullable",
    "obj",
    "one_of",
    "parse_bool",
    "parse_instant",
    "parse_int",
    "path",
    "query",
    "ref",
    "string",
]
