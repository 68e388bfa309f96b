"""Transport-neutral request and response types."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, cast
from urllib.parse import SplitResult, parse_qsl, urlsplit


class Headers(MutableMapping[str, str]):
    """Case-insensitive header mapping that keeps the first spelling of each name."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        if items is not None:
            # a plain dict (every answer's headers) skips the Mapping ABC check, a costly one
            pairs = items.items() if type(items) is dict or isinstance(items, Mapping) else items
            found = self._items
            for name, value in pairs:
                found[name.lower()] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def pairs(self) -> list[tuple[str, str]]:
        """``list(self.items())``, without the generic mapping machinery (transports)."""
        return list(self._items.values())

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


class Request:
    """What a transport hands the core: method, absolute URL, headers, body bytes.

    ``timeout``: the client's read timeout in seconds (None: it waits for ever), so that an
    in-process delay longer than it becomes the client's read timeout. ``served``: the HTTP
    server plays the answer's delay in real time (the fake clock does not jump).
    """

    __slots__ = (
        "_query",
        "_query_pairs",
        "body",
        "headers",
        "method",
        "served",
        "timeout",
        "url",
        "urlparts",
    )

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        served: bool = False,
        urlparts: SplitResult | None = None,
        text_headers: bool = False,
    ) -> None:
        self.method = method.upper()
        self.timeout = timeout
        self.served = served
        self.url = url
        # ``urlparts``: ``url`` already split (a transport's resolve() did it)
        self.urlparts = urlsplit(url) if urlparts is None else urlparts
        # transports hand over their own case-insensitive mapping (requests, httpx, http.server)
        self.headers: Mapping[str, str]
        if text_headers and headers is not None and type(headers) is not dict:
            # the transport's own mapping of str values (httpx): taken without an ABC check
            self.headers = cast("Mapping[str, str]", headers)
        elif isinstance(headers, Mapping) and not isinstance(headers, dict):
            self.headers = headers
        else:
            self.headers = Headers(headers)
        # ``text_headers``: the transport's mapping holds str values only (httpx decodes them)
        if not text_headers and any(isinstance(v, bytes) for v in self.headers.values()):
            # requests takes bytes header values (and names) and sends them as they are: read
            # them as the wire's latin-1, as the HTTP server does
            self.headers = Headers(
                (_text(name), _text(value)) for name, value in self.headers.items()
            )
        self.body = body or None
        self._query_pairs: list[tuple[str, str]] | None = None
        self._query: dict[str, str] | None = None

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        if self._query_pairs is None:
            self._query_pairs = query_pairs(self.urlparts.query)
        return self._query_pairs

    @property
    def query(self) -> dict[str, str]:
        """First value of each query name (repeated names: the first occurrence wins)."""
        if self._query is None:
            first: dict[str, str] = {}
            for name, value in self.query_pairs:
                first.setdefault(name, value)
            self._query = first
        return self._query


def query_pairs(query: str) -> list[tuple[str, str]]:
    """``parse_qsl(query, keep_blank_values=True)``; a query with nothing to unquote (no
    ``%``, no ``+``, the usual case) is split directly, at a fraction of the cost."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


_UNPARSED: Any = object()


class Response:
    """What the core hands a transport. ``error`` names a transport fault to play instead:
    ``"connection"``, ``"timeout"``, ``"malformed"`` (the body is already cut) or
    ``"slow_body"`` (over HTTP the body is dribbled across ``delay``).

    ``delay`` is how many seconds the answer should take: in-process the fake clock moves, over
    HTTP the server really waits (capped at ``_server.MAX_DELAY_SECONDS``).

    ``json`` is the parsed body: given by the handler, or parsed on first use (pages built
    from cached JSON fragments are never parsed on the request path).
    """

    __slots__ = ("_json", "body", "delay", "error", "headers", "status")

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        json_body: Any = _UNPARSED,
        error: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.status = status
        self.headers = Headers(headers)
        self.body = body
        self._json = json_body
        self.error = error
        self.delay = delay

    @property
    def json(self) -> Any:
        if self._json is _UNPARSED:
            parsed = None
            media = self.headers.get("Content-Type", "")
            # JSON, also as ArcGIS's f=pjson writes it (text/plain)
            if self.error is None and self.body and ("json" in media or "text/plain" in media):
                try:
                    parsed = json.loads(self.body)
                except ValueError:
                    parsed = None
            self._json = parsed
        return self._json

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:60]!r}>"


# one encoder for the process: json.dumps() with options builds a new one per call
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dump_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON. A lone surrogate in a string (which UTF-8 cannot carry) is written
    as its ``\\uXXXX`` escape, so no stored value can make an answer fail to encode."""
    return _ENCODER.encode(obj).encode("utf-8", "backslashreplace")


# stands for a list of pre-encoded items while the rest of a body is encoded
_SLOT = "\x00pytest-fakeruns-items\x00"
_SLOT_JSON = json.dumps(_SLOT).encode()


# a value every item of a page shares (ArcGIS's embedded task): serialised items carry this
# marker, and the page puts the shared value, encoded once, in its place
SHARED_SLOT = "\x00pytest-fakeruns-shared\x00"
SHARED_SLOT_JSON = json.dumps(SHARED_SLOT).encode()


# encoded envelopes around a page's items, by the envelope's (key, items): pages of one
# listing differ in few values (a cursor, a count), so most pages encode no envelope at all
_ENVELOPES: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
_ENVELOPES_MAX = 512


def dump_json_with_items(obj: dict[str, Any], key: str, items: list[bytes]) -> bytes:
    """``obj`` encoded with ``obj[key]`` the JSON array of the already encoded ``items``."""
    # the values' types too: True == 1 == 1.0, but they encode differently
    shape = (key, tuple(obj.items()), tuple(map(type, obj.values())))
    cacheable = True
    try:
        around = _ENVELOPES.get(shape)
    except TypeError:  # an unhashable value in the envelope (a list, a dict): not cached
        cacheable, around = False, None
    if around is None:
        before, _, after = dump_json({**obj, key: _SLOT}).partition(_SLOT_JSON)
        around = (before + b"[", b"]" + after)
        if cacheable:
            if len(_ENVELOPES) >= _ENVELOPES_MAX:
                _ENVELOPES.clear()  # a bound, not an LRU: refilled by the pages in use
            _ENVELOPES[shape] = around
    if len(items) < 2:
        return (items[0] if items else b"").join(around)
    # one allocation for the whole body (the journal keeps it): envelope ends glued to the
    # first and last items, which are small
    return b",".join([around[0] + items[0], *items[1:-1], items[-1] + around[1]])


def json_response(
    obj: Any,
    status: int = 200,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Response:
    head = {"Content-Type": content_type}
    if headers:
        head.update(headers)
    # the journal keeps the bytes only: parsed again on demand (Call.response_json), so it
    # holds no nested objects for the garbage collector and no references into the store
    return Response(status, head, dump_json(obj))
