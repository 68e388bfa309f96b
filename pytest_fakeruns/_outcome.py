"""What one dispatch produced, for ``FakeRuns.handle`` to record; and what it records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._deprecation import Deprecation
    from ._faults import Fault
    from ._http import Response
    from ._router import NearMiss, Route


class Outcome(NamedTuple):  # a tuple: made once per request, it costs a fraction of a dataclass
    """The answer to one request and how it came about.

    ``route``: the route that matched (None: unmatched, then ``near`` lists the closest
    routes); ``fault``: the fault that answered; ``deprecation``: the deprecation the matched
    route is under (the call is a use of a deprecated endpoint).
    """

    response: Response
    route: Route | None = None
    fault: Fault | None = None
    deprecation: Deprecation | None = None
    near: tuple[NearMiss, ...] = ()


@dataclass(frozen=True)
class Unmatched:
    """A request to a vendor root that no route matched."""

    vendor: str
    method: str
    url: str
    near: list[NearMiss]


@dataclass
class DeprecatedUse:
    vendor: str
    route: str
    deprecation: Deprecation
