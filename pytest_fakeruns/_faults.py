"""Injected faults: vendor-envelope statuses and transport errors, seeded and countable."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import TracebackType

from ._errors import FakeRunsError
from ._paths import path_matches
from ._router import Router, route_could_serve

FAULT_STATUSES = (400, 401, 403, 404, 409, 429, 500, 502, 503, 504)
TRANSPORT_ERRORS = ("connection", "timeout", "malformed")
RETRY_AFTER_STATUSES = (429, 503)


class Fault:
    """An active fault. ``hits`` counts the calls it answered; ``remove()`` ends it."""

    def __init__(
        self,
        book: FaultBook,
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
        self._book = book
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
        self._book.remove(self)

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


@dataclass(frozen=True)
class FaultAnswer:
    """What the fault chosen for one call answers it with.

    ``status``: the vendor's envelope for it (``retry_after`` for 429/503); ``error``: a
    transport error ("connection", "timeout") or the usual answer cut ("malformed"); neither:
    the usual answer. ``delay``: seconds the answer takes (0.0: none).
    """

    fault: Fault
    status: int | None = None
    error: str | None = None
    retry_after: int = 1
    delay: float = 0.0


class FaultBook:
    """The active faults, their seeded generator, and the choice of a fault for each call.

    ``routers`` (vendor name -> its router) lets ``inject()`` refuse a method or path that no
    route has. Calls are made under ``lock`` (the fake's), so draws replay in call order.
    """

    def __init__(self, seed: int, routers: Mapping[str, Router], lock: threading.RLock) -> None:
        self._seed = seed
        self._routers = dict(routers)
        self._lock = lock
        self._faults: list[Fault] = []

    @cached_property
    def rng(self) -> random.Random:
        """The faults' seeded generator, made on first draw (seeding costs a request's time)."""
        return random.Random(f"{self._seed}:faults")

    def inject(
        self,
        status: int | None = None,
        *,
        error: str | None = None,
        vendor: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        after: int = 0,
        probability: float = 1.0,
        retry_after: int = 1,
    ) -> Fault:
        """A new active fault; misuse raises FakeRunsError naming the allowed values."""
        check_fault_args(
            status, error, vendor, list(self._routers), times, after, probability, retry_after
        )
        if method is not None or path is not None:
            self._check_scope(vendor, method, path)
        fault = Fault(
            self, status, error, vendor, method, path, times, after, float(probability),
            retry_after,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def pick(self, vendor: str, method: str, path: str, template: str) -> FaultAnswer | None:
        """The fault that answers this call and what it answers with; None: no fault does.

        The first active matching fault that takes the call wins (``after`` and
        ``probability`` are counted and drawn here, in call order).
        """
        if not self._faults:  # the usual case: no fault injected
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(vendor, method, path, template) and fault.take(self.rng):
                    return FaultAnswer(fault, fault.status, fault.error, fault.retry_after)
        return None

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """No faults, and the generator back to its seeded start (``reset()``)."""
        with self._lock:
            self._faults.clear()
            self.__dict__.pop("rng", None)  # back to its seeded start on next use

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def _check_scope(self, vendor: str | None, method: str | None, path: str | None) -> None:
        """A fault whose method or path no route has would never fire: say so now."""
        names = [vendor] if vendor else list(self._routers)
        wanted = method.upper() if method else None
        for name in names:
            router = self._routers[name]
            for route in router.routes:
                if wanted is not None and route.method != wanted:
                    continue
                if path is None or route_could_serve(route, router, path):
                    return
        where = f"vendor {vendor!r}" if vendor else "any vendor"
        routes = sorted({str(r) for n in names for r in self._routers[n].routes})
        raise FakeRunsError(
            f"inject(method={method!r}, path={path!r}) matches no route of {where}, so it "
            f"would never answer; paths are below the vendor root, for example: "
            + ", ".join(routes[:8])
        )


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
