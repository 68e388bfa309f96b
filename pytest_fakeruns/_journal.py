"""Every request the fake answered, and ``assert_called``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._paths import path_matches

if TYPE_CHECKING:
    from ._faults import Fault
    from ._http import Response


@dataclass(frozen=True)
class Call:
    """One answered request. ``status`` is 0 when a transport fault answered it."""

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
    fault: Fault | None = None
    route: str | None = field(default=None, repr=False)  # the template that served it
    delay: float = 0.0  # seconds the answer was delayed (0.0: none)

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
