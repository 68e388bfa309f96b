"""What a vendor module provides: routes, auth, envelopes, vocabulary, data and serialisation.

A vendor is a subclass of :class:`VendorDefinition`; everything shared (store, clock,
lifecycle, faults, journal, deprecation, transports) lives in the core and knows no vendor.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl

from ._http import (
    SHARED_SLOT_JSON,
    Request,
    Response,
    dump_json,
    dump_json_with_items,
    json_response,
)
from ._router import Route
from ._store import Parent, SortKey
from ._vocabulary import Position, Vocabulary

if TYPE_CHECKING:
    from ._generator import Gen
    from ._openapi import OpenApiSpec
    from ._run import Run
    from ._vendor_fake import VendorFake


# A JSON body nesting arrays and objects deeper than this is refused (as .NET's default reader
# does past 64 and Jackson past 1000): parsing and re-encoding it must never recurse without
# bound (RecursionError), whatever the body.
MAX_JSON_DEPTH = 100

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
# a lone surrogate can only come from a \u escape or from UTF-8-encoded surrogate bytes
# (json.loads decodes bytes with "surrogatepass")
_MAYBE_SURROGATE = re.compile(rb"\\u|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _too_deep(body: bytes) -> bool:
    """True when ``body`` nests ``[``/``{`` deeper than MAX_JSON_DEPTH (strings ignored)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', body)):
        if bracket in b"[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        else:
            depth -= 1
    return False


class _Refused(ValueError):
    """A JSON value Python would take but the fake refuses; the message says why."""


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than int() takes
        raise _Refused("The body has an integer with too many digits.") from None


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"The body has the number {text[:40]}, which is out of range.")
    return value


def _no_constant(text: str) -> Any:
    raise _Refused(f"The body has {text}, which is not JSON.")


def _lone_surrogate(value: Any) -> str | None:
    """Where ``value`` (parsed JSON) holds a lone surrogate, as a sentence; None when nowhere."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found is not None:
                spot = f"the string at {where}" if where else "the string"
                return (
                    f"The body has the lone surrogate \\u{ord(found[0]):04x} in {spot}; "
                    "JSON text must be Unicode."
                )
        elif isinstance(item, dict):
            for key, sub in item.items():
                found = _SURROGATE.search(key)
                if found is not None:
                    spot = f"a key of {where}" if where else "a key"
                    return (
                        f"The body has the lone surrogate \\u{ord(found[0]):04x} in "
                        f"{spot}; JSON text must be Unicode."
                    )
                stack.append((f"{where}.{key}" if where else key, sub))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", sub) for i, sub in enumerate(item))
    return None


def _parse_json(body: bytes | None) -> tuple[bool, Any, str | None]:
    """(ok, value, why refused): see Context.body_json."""
    if not body:
        return True, None, None
    if _too_deep(body):
        return (
            False,
            None,
            (f"The body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels."),
        )
    try:
        value = json.loads(body, parse_int=_int, parse_float=_finite, parse_constant=_no_constant)
    except _Refused as err:
        return False, None, str(err)
    except ValueError:  # a syntax error (UnicodeDecodeError included)
        return False, None, None
    except RecursionError:  # the depth check makes this unreachable; kept as a guard
        return False, None, "The body nests arrays and objects too deeply."
    if _MAYBE_SURROGATE.search(body) is not None:
        problem = _lone_surrogate(value)
        if problem is not None:
            return False, None, problem
    return True, value, None


class VendorError(Exception):
    """Raised by a handler to answer with the vendor's own envelope for ``status``."""

    def __init__(self, status: int, message: str | None = None, **extra: Any) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message
        self.extra = extra


@dataclass(frozen=True)
class DeprecationSpec:
    """A route deprecated by default (Workiva's list route)."""

    deprecated_at: _dt.datetime
    sunset_at: _dt.datetime | None = None
    link: str | None = None
    path: str | None = None  # None: the vendor's list route(s)


class Context:
    """One request as a handler sees it.

    ``quiet``: the answer is built to be cut (a ``malformed`` fault), so an API read moves no
    run in poll progression.
    """

    __slots__ = ("params", "path", "quiet", "request", "route", "vendor")

    def __init__(
        self,
        request: Request,
        vendor: VendorFake,
        path: str,
        route: Route | None = None,
        params: dict[str, str] | None = None,
        quiet: bool = False,
    ) -> None:
        self.request = request
        self.vendor = vendor
        self.path = path
        self.route = route
        self.params = params or {}
        self.quiet = quiet

    def quietly(self) -> Context:
        """The same request, with reads that move no run."""
        return Context(self.request, self.vendor, self.path, self.route, self.params, True)

    @property
    def reads_move_runs(self) -> bool:
        """True when an API read moves a run one step (poll progression, not quiet)."""
        return not self.quiet and self.vendor.reads_move_runs

    @property
    def root(self) -> str:
        return self.vendor.base_url

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def parent_or_fail(self, key: str, status: int, message: str) -> Parent:
        """The vendor's parent ``key``, or an answer of ``status`` with ``message``."""
        parent = self.vendor.store.parent(key)
        if parent is None:
            raise VendorError(status, message)
        return parent

    def run_or_fail(self, run_id: object, status: int, message: str) -> Run:
        """The run ``run_id`` (or its string form), or an answer of ``status``."""
        run = self.vendor.store.get(run_id)
        if run is None:
            raise VendorError(status, message)
        return run

    def fail(self, status: int, message: str | None = None, **extra: Any) -> VendorError:
        """``raise ctx.fail(400, "limit must be ...")``: answer in the vendor's envelope."""
        return VendorError(status, message, **extra)

    def json(
        self, obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        return json_response(obj, status, self.vendor.definition.content_type, headers)

    def show(self, run: Run, **options: Any) -> Any:
        """Serialise ``run`` as this API read shows it; in poll mode the read moves it one step.

        With ``cache_serialized`` the object is reused until the run changes: treat it as
        read-only.
        """
        run._catch_up()
        shown = self._serialized(run, False, options)
        if not self.quiet:
            run._after_api_read()
        return shown

    def _serialized(self, run: Run, encoded: bool, options: dict[str, Any]) -> Any:
        definition = self.vendor.definition
        if not definition.cache_serialized:
            shown = definition.serialize(run, **options)
            return dump_json(shown) if encoded else shown
        key = _cache_key(encoded, options)
        cached = run._shown.get(key)
        if cached is not None and cached[0] == run._version:
            return cached[1]
        value = (
            dump_json(self._serialized(run, False, options))
            if encoded
            else (definition.serialize(run, **options))
        )
        run._shown[key] = (run._version, value)
        return value

    def json_with_runs(
        self,
        obj: dict[str, Any],
        key: str,
        runs: list[Run],
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        shared: bytes | None = None,
        **options: Any,
    ) -> Response:
        """A JSON answer whose ``obj[key]`` is the list of ``runs`` as shown, from cached
        fragments: a page costs O(page size) with no per-request encoding of unchanged runs.

        ``shared``: the encoded value that replaces ``SHARED_SLOT`` in every item.
        """
        # show() for many runs at once, as JSON: this loop is the cost of every list page
        poll = self.reads_move_runs
        items: list[bytes] = []
        if self.vendor.definition.cache_serialized:
            # the fragment cache, inlined: one key per page, one dict lookup per fresh run
            cache_key = _cache_key(True, options)
            timed = self.vendor.progression == "time"  # only then does a run catch up
            if not timed and not poll:  # manual progression: nothing moves while shown
                serialized = self._serialized
                items = [
                    cached[1]
                    if (cached := run._shown.get(cache_key)) is not None
                    and cached[0] == run._version
                    else serialized(run, True, options)
                    for run in runs
                ]
                runs = []  # shown
            for run in runs:
                if timed and run._step is not None:
                    run._catch_up()
                cached = run._shown.get(cache_key)
                if cached is not None and cached[0] == run._version:
                    items.append(cached[1])
                else:
                    items.append(self._serialized(run, True, options))
                if poll:
                    run._after_api_read()
        else:
            for run in runs:
                if run._step is not None:
                    run._catch_up()
                items.append(self._serialized(run, True, options))
                if poll:
                    run._after_api_read()
        if shared is not None:
            items = [item.replace(SHARED_SLOT_JSON, shared, 1) for item in items]
        head = {"Content-Type": self.vendor.definition.content_type}
        if headers:
            head.update(headers)
        return Response(status, head, dump_json_with_items(obj, key, items))

    def body_json(self) -> tuple[bool, Any]:
        """(True, parsed body) or (False, None) when the body is not JSON; (True, None) if empty.

        Strict JSON only: besides syntax errors, a body nesting deeper than MAX_JSON_DEPTH,
        holding a lone surrogate (``"\\ud800"``), ``NaN``/``Infinity``, a number that overflows
        or an integer too long for ``int()`` is not JSON (``body_problem`` says why). Nothing
        the fake stores from a body can later fail to encode.
        """
        ok, value, _ = _parse_json(self.request.body)
        return ok, value

    @property
    def body_problem(self) -> str | None:
        """Why ``body_json()`` refused a body Python's json would take (too deep, a lone
        surrogate, NaN, a number too long), as a sentence for the vendor's 400; else None."""
        return _parse_json(self.request.body)[2]

    def form(self) -> dict[str, str] | None:
        """Form fields (first occurrence wins); None when the body is not form-encoded text."""
        body = self.request.body
        if not body:
            return {}
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        fields: dict[str, str] = {}
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
        except ValueError:
            return None
        for name, value in pairs:
            fields.setdefault(name, value)
        return fields


_CACHE_KEYS: dict[tuple[Any, ...], str] = {}
_CACHE_KEYS_LOCK = threading.Lock()


def _cache_key(encoded: bool, options: dict[str, Any]) -> Any:
    """The key of a run's cached serialisation: a str (its hash is kept), one per shape."""
    # options in call order: a handler passes them in one order, so one key per shape (two
    # orders would only mean two cached copies, never a wrong one)
    shape = (encoded, *options.items())
    try:
        found = _CACHE_KEYS.get(shape)
    except TypeError:  # an unhashable option value: the tuple itself (never found cached)
        return shape
    if found is None:
        with _CACHE_KEYS_LOCK:  # one distinct name per shape, whatever the threads
            found = _CACHE_KEYS.setdefault(shape, f"shown:{len(_CACHE_KEYS)}")
    return found


class VendorDefinition:
    """Subclass per vendor; class attributes are data, methods say only what is vendor-specific."""

    name: ClassVar[str]
    default_base_url: ClassVar[str]
    vocabulary: ClassVar[Vocabulary]
    parent_keyword: ClassVar[str]
    parent_aliases: ClassVar[tuple[str, ...]] = ()  # the vendor's own names for the parent key
    int_ids: ClassVar[bool] = False
    # the vendor's name for the run id: add_run(<id_field>=...) chooses the id (None: not settable)
    id_field: ClassVar[str | None] = None
    content_type: ClassVar[str] = "application/json"
    # sorted indexes kept per parent and over the whole vendor, by name
    indexes: ClassVar[Mapping[str, SortKey]] = {}
    default_deprecations: ClassVar[tuple[DeprecationSpec, ...]] = ()
    # True when serialize(run) depends only on the run (and its options): the result is
    # cached until the run changes (a transition, run.touch(), fail()). Handlers that change
    # run.fields call run.touch().
    cache_serialized: ClassVar[bool] = False
    # True when keyset pages over a time order need generated runs never to share a shown
    # second (Coalesce's runStartTime / runEndTime orders)
    distinct_instants: ClassVar[bool] = False
    # the module (relative to the definition's own) whose ``SPEC`` is the vendor's OpenAPI data
    openapi_module: ClassVar[str | None] = None

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def openapi_operations(self) -> OpenApiSpec | None:
        """The vendor's OpenAPI data (``fakeruns openapi``); None: paths and methods only."""
        if self.openapi_module is None:
            return None
        from ._openapi import load_spec

        return load_spec(self.openapi_module, type(self).__module__)

    def authenticate(self, ctx: Context) -> None:
        """Raise ``ctx.fail(401/403, ...)`` when the request's credentials are refused."""

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        """The vendor's error envelope for ``status`` (default message when ``message`` is None)."""
        raise NotImplementedError

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        """A parent object (key, data); ``key`` None: invent one from ``gen.derived(...)``."""
        raise NotImplementedError

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        """Validate ``add_run``'s vendor fields and fill the rest; unknown names: FakeRunsError."""
        return dict(given)

    def new_run_id(self, gen: Gen) -> str:
        return gen.uuid4()

    def canonical_id(self, value: str) -> str:
        """A string id given to ``add_run(<id_field>=...)`` in the form the API shows;
        raise FakeRunsError when it is not a valid id of this vendor."""
        return value

    def canonical_parent(self, key: str) -> str:
        """A parent key in the form the store keeps it (Enterprise Tester: lowercase GUIDs)."""
        return key

    def serialize(self, run: Run, **options: Any) -> Any:
        """The run as one item of the list answer shows it (options: the vendor's expansions)."""
        raise NotImplementedError

    def history_mix(self) -> list[tuple[float, str, bool]]:
        """(weight, state word, started) for ``add_runs``: mostly finished, a few active."""
        return [
            (0.78, "completed", True),
            (0.12, "failed", True),
            (0.03, "canceled", True),
            (0.02, "canceled", False),
            (0.02, "running", True),
            (0.03, "waitingToRun", True),
        ]
