"""Injected faults: vendor-envelope statuses and transport errors, seeded and countable."""

from __future__ import annotations

import random
from types import TracebackType
from typing import TYPE_CHECKING

from ._errors import FakeRunsError
from ._paths import path_matches

if TYPE_CHECKING:
    from ._fake import FakeRuns

FAULT_STATUSES = (400, 401, 403, 404, 409, 429, 500, 502, 503, 504)
TRANSPORT_ERRORS = ("connection", "timeout", "malformed")
RETRY_AFTER_STATUSES = (429, 503)


class Fault:
    """An active fault. ``hits`` counts the calls it answered; ``remove()`` ends it."""

    def __init__(
        self,
        owner: FakeRuns,
        status: int | None,
        error: str | None,
        vendor: str | None,
        method: str | None,
        path: str | None,
        times: int | None,
        after: int,
        probability: float,
        retry_after: int,
    ) -> None:
        self._owner = owner
        self.status = status
        self.error = error
        self.vendor = vendor
        self.method = method.upper() if method else None
        self.path = path
        self.times = times
        self.after = after
        self.probability = probability
        self.retry_after = retry_after
        self.hits = 0
        self._seen = 0
        self._removed = False

    @property
    def active(self) -> bool:
        return not self._removed and (self.times is None or self.hits < self.times)

    def remove(self) -> None:
        self._removed = True
        self._owner._drop_fault(self)

    def __enter__(self) -> Fault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def matches(self, vendor: str, method: str, path: str, template: str | None) -> bool:
        if self.vendor is not None and self.vendor != vendor:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or path_matches(self.path, path, template)

    def take(self, rng: random.Random) -> bool:
        """Count a matching call; True when this fault answers it."""
        if not self.active:
            return False
        self._seen += 1
        if self._seen <= self.after:
            return False
        if self.probability < 1.0 and rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def __repr__(self) -> str:
        what = f"status={self.status}" if self.status is not None else f"error={self.error!r}"
        scope = ", ".join(
            f"{k}={v!r}"
            for k, v in (("vendor", self.vendor), ("method", self.method), ("path", self.path))
            if v
        )
        return f"<Fault {what}{', ' + scope if scope else ''} hits={self.hits}>"


def check_fault_args(
    status: int | None,
    error: str | None,
    vendor: str | None,
    known_vendors: list[str],
    times: int | None,
    after: int,
    probability: float,
    retry_after: int,
) -> None:
    """Raise FakeRunsError naming the allowed values for any misused argument."""
    if (status is None) == (error is None):
        raise FakeRunsError("inject() takes exactly one of status=<int> or error=<str>")
    if status is not None and status not in FAULT_STATUSES:
        allowed = ", ".join(map(str, FAULT_STATUSES))
        raise FakeRunsError(f"inject(status={status!r}): status must be one of {allowed}")
    if error is not None and error not in TRANSPORT_ERRORS:
        raise FakeRunsError(
            f"inject(error={error!r}): error must be one of " + ", ".join(TRANSPORT_ERRORS)
        )
    if vendor is not None and vendor not in known_vendors:
        raise FakeRunsError(
            f"inject(vendor={vendor!r}): vendor must be one of " + ", ".join(known_vendors)
        )
    if times is not None and (not isinstance(times, int) or times < 1):
        raise FakeRunsError(f"inject(times={times!r}): times is a positive int, or None (forever)")
    if not isinstance(after, int) or after < 0:
        raise FakeRunsError(f"inject(after={after!r}): after is an int >= 0")
    if not isinstance(probability, (int, float)) or not 0.0 < probability <= 1.0:
        raise FakeRunsError(
            f"inject(probability={probability!r}): probability is a number in (0, 1]"
        )
    if not isinstance(retry_after, int) or retry_after < 0:
        raise FakeRunsError(f"inject(retry_after={retry_after!r}): retry_after is an int >= 0")
