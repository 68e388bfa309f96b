"""Every request the fake answered, and ``assert_called``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ._paths import path_matches

if TYPE_CHECKING:
    from ._faults import Fault
    from ._http import Response


# what a Call keeps of a request body: its first MAX_KEPT_BODY bytes (body_size has the length)
MAX_KEPT_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Call:
    """One answered request. ``status`` is 0 when a transport fault answered it.

    The journal is cheap for the garbage collector: bodies are kept as bytes (never parsed
    objects), a request body only up to its first ``MAX_KEPT_BODY`` bytes (1 MiB; ``body_size``
    is the full length), and ``response_json`` is parsed from the answer's bytes on first use.
    """

    vendor: str
    method: str
    url: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes | None
    status: int
    response_headers: Mapping[str, str]
    response: Response = field(repr=False)
    body_size: int = -1  # the request body's length in bytes; -1: taken from body
    fault: Fault | None = None
    route: str | None = field(default=None, repr=False)  # the template that served it
    delay: float = 0.0  # seconds the answer was delayed (0.0: none)

    def __post_init__(self) -> None:
        kept, size = _kept(self.body)
        if self.body_size < 0:
            object.__setattr__(self, "body_size", size)
        if kept is not self.body:
            object.__setattr__(self, "body", kept)

    @property
    def body_truncated(self) -> bool:
        """True when ``body`` is only the first ``MAX_KEPT_BODY`` bytes of a longer body."""
        return self.body is not None and self.body_size > len(self.body)

    @property
    def response_json(self) -> Any:
        """The parsed answer body; None for a non-JSON body, a cut body or a transport fault."""
        return self.response.json

    def matches(self, vendor: str | None, method: str | None, path: str | None) -> bool:
        if vendor is not None and self.vendor != vendor:
            return False
        if method is not None and self.method != method.upper():
            return False
        return path is None or path_matches(path, self.path, self.route)


def _kept(body: bytes | None) -> tuple[bytes | None, int]:
    """What a Call keeps of a request body (its first MAX_KEPT_BODY bytes), and its length."""
    if body is None:
        return None, 0
    size = len(body)
    return (bytes(body[:MAX_KEPT_BODY]) if size > MAX_KEPT_BODY else body), size


class _DraftCall(Call):
    """A Call being filled in: the same slots, plain attribute stores (see ``answered_call``)."""

    __slots__ = ()
    # both: they share one type slot, so a Python __delattr__ left on would slow every store
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def answered_call(
    vendor: str,
    method: str,
    url: str,
    path: str,
    query: dict[str, str],
    headers: Mapping[str, str],
    body: bytes | None,
    status: int,
    response: Response,
    fault: Fault | None,
    route: str | None,
    delay: float,
) -> Call:
    """``Call(...)`` for the fake's journal, at a fifth of the cost.

    Every answered request makes one, and the dataclass's frozen ``__init__`` pays a generic
    ``object.__setattr__`` per field (about 3 us for 14 fields). A draft with the same slots
    is filled with plain stores, then becomes a Call: frozen from then on, like any other.
    """
    call: Any = object.__new__(_DraftCall)  # Any: mypy knows Call's fields as read-only
    call.vendor = vendor
    call.method = method
    call.url = url
    call.path = path
    call.query = query
    call.headers = headers
    call.body, call.body_size = _kept(body)
    call.status = status
    call.response_headers = response.headers
    call.response = response
    call.fault = fault
    call.route = route
    call.delay = delay
    call.__class__ = Call
    return cast("Call", call)


def assert_called(
    calls: list[Call],
    vendor: str | None = None,
    method: str | None = None,
    path: str | None = None,
    times: int | None = None,
) -> None:
    __tracebackhide__ = True
    count = sum(1 for c in calls if c.matches(vendor, method, path))
    if (times is None and count > 0) or count == times:
        return
    filters = ", ".join(
        f"{k}={v!r}" for k, v in (("vendor", vendor), ("method", method), ("path", path)) if v
    )
    expected = "at least one call" if times is None else f"{times} call(s)"
    seen = "\n".join(f"  - {c.method} {c.url} -> {c.status}" for c in calls[-10:]) or "  (none)"
    raise AssertionError(
        f"expected {expected} matching {filters or 'any request'}, got {count}\n"
        f"last calls answered by the fake:\n{seen}"
    )
