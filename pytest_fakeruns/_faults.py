"""Injected faults: vendor-envelope statuses, transport errors, delays, sequences and chaos;
seeded and countable."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import TracebackType
from typing import Any

from ._errors import FakeRunsError
from ._paths import path_matches
from ._router import Router, route_could_serve

FAULT_STATUSES = (400, 401, 403, 404, 409, 429, 500, 502, 503, 504)
TRANSPORT_ERRORS = ("connection", "timeout", "malformed", "slow_body")
RETRY_AFTER_STATUSES = (429, 503)
CHAOS_ERRORS = ("connection", "timeout", "malformed")  # the kinds chaos() may draw besides statuses
# the keywords one sequence item (a dict) may carry: what answers one call
ITEM_KEYS = ("status", "error", "delay", "retry_after")
# the longest delay the HTTP server really waits (``_server.MAX_DELAY_SECONDS``): a served
# call's ``Call.delay`` is capped at it
SERVED_DELAY_CAP = 30.0
SLOW_BODY_PIECES = 8  # ``_server.SLOW_BODY_PIECES``: a slow body is dribbled in this many pieces

Delay = float | tuple[float, float]


class Fault:
    """An active fault. ``hits`` counts the calls it answered; ``remove()`` ends it.

    ``delay``: seconds each answer takes (a float, or ``(low, high)`` drawn uniformly per
    call); ``sequence``: one answer per matching call, in order (then the fault is spent).
    """

    chaos = False  # ChaosFault: True

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
        delay: Delay | None = None,
        sequence: tuple[FaultItem | None, ...] | None = None,
    ) -> None:
        self._book = book
        self.status = status
        self.error = error
        self.vendor = vendor
        self.method = method.upper() if method else None
        self.path = path
        self.times = len(sequence) if sequence is not None else times
        self.after = after
        self.probability = probability
        self.retry_after = retry_after
        self.delay = delay
        self.sequence = sequence
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

    def answer(self, rng: random.Random) -> FaultAnswer:
        """What this fault answers the call it just took with (``hits`` already counts it)."""
        if self.sequence is not None:
            item = self.sequence[self.hits - 1]
            if item is None:
                return FaultAnswer(self)
            return FaultAnswer(
                self, item.status, item.error, item.retry_after, draw_delay(item.delay, rng)
            )
        return FaultAnswer(
            self, self.status, self.error, self.retry_after, draw_delay(self.delay, rng)
        )

    def keywords(self) -> dict[str, Any]:
        """The ``inject()`` keywords this fault stands for (JSON-able; defaults left out)."""
        shown: dict[str, Any] = {}
        if self.sequence is not None:
            shown["sequence"] = [_item_repr(i) for i in self.sequence]
        else:
            shown.update(
                (k, v) for k, v in (("status", self.status), ("error", self.error)) if v is not None
            )
            if self.delay is not None:
                shown["delay"] = list(self.delay) if isinstance(self.delay, tuple) else self.delay
            if self.times is not None:
                shown["times"] = self.times
            if self.probability != 1.0:
                shown["probability"] = self.probability
            if self.retry_after != 1:
                shown["retry_after"] = self.retry_after
        shown.update(
            (k, v)
            for k, v in (("vendor", self.vendor), ("method", self.method), ("path", self.path))
            if v is not None
        )
        if self.after:
            shown["after"] = self.after
        return shown

    def __repr__(self) -> str:
        if self.sequence is not None:
            what = f"sequence={[_item_repr(i) for i in self.sequence]!r}"
        elif self.status is not None:
            what = f"status={self.status}"
        elif self.error is not None:
            what = f"error={self.error!r}"
        else:
            what = "usual answer"
        if self.delay:
            what += f", delay={self.delay!r}"
        scope = ", ".join(
            f"{k}={v!r}"
            for k, v in (("vendor", self.vendor), ("method", self.method), ("path", self.path))
            if v
        )
        return f"<Fault {what}{', ' + scope if scope else ''} hits={self.hits}>"


class ChaosFault(Fault):
    """``chaos()``: each matching call answered with probability ``rate`` by a kind drawn
    uniformly from ``statuses`` + ``errors``; every draw from the fake's seeded generator."""

    chaos = True

    def __init__(
        self,
        book: FaultBook,
        rate: float,
        statuses: tuple[int, ...],
        errors: tuple[str, ...],
        vendor: str | None,
    ) -> None:
        super().__init__(book, None, None, vendor, None, None, None, 0, float(rate), 1)
        self.rate = float(rate)
        self.statuses = statuses
        self.errors = errors
        self._kinds: tuple[int | str, ...] = (*statuses, *errors)

    def take(self, rng: random.Random) -> bool:
        if self._removed or rng.random() >= self.rate:
            return False
        self.hits += 1
        return True

    def answer(self, rng: random.Random) -> FaultAnswer:
        kind = self._kinds[rng.randrange(len(self._kinds))]
        if isinstance(kind, int):
            return FaultAnswer(self, kind, None, self.retry_after)
        return FaultAnswer(self, None, kind)

    def keywords(self) -> dict[str, Any]:
        """``{"chaos": True}`` and the ``chaos()`` keywords."""
        return {
            "chaos": True,
            "rate": self.rate,
            "statuses": list(self.statuses),
            "errors": list(self.errors),
            "vendor": self.vendor,
        }

    def __repr__(self) -> str:
        scope = f", vendor={self.vendor!r}" if self.vendor else ""
        return (
            f"<Fault chaos rate={self.rate:g} kinds={list(self._kinds)!r}{scope} hits={self.hits}>"
        )


@dataclass(frozen=True)
class FaultItem:
    """One answer of a sequence (a checked dict of ``ITEM_KEYS``)."""

    status: int | None = None
    error: str | None = None
    delay: Delay | None = None
    retry_after: int = 1


@dataclass(frozen=True)
class FaultAnswer:
    """What the fault chosen for one call answers it with.

    ``status``: the vendor's envelope for it (``retry_after`` for 429/503); ``error``: a
    transport error ("connection", "timeout"), the usual answer cut ("malformed") or dribbled
    over HTTP ("slow_body"); neither: the usual answer. ``delay``: seconds the answer takes
    (0.0: none).
    """

    fault: Fault
    status: int | None = None
    error: str | None = None
    retry_after: int = 1
    delay: float = 0.0


def draw_delay(delay: Delay | None, rng: random.Random) -> float:
    if delay is None:
        return 0.0
    if isinstance(delay, tuple):
        return rng.uniform(delay[0], delay[1])
    return delay


class FaultBook:
    """The active faults, their seeded generator, and the choice of a fault for each call.

    ``routers`` (vendor name -> its router) lets ``inject()`` refuse a method or path that no
    route has. Calls are made under ``lock`` (the fake's), so draws replay in call order.
    Chaos faults are tried after every other fault (an explicit fault wins).
    """

    def __init__(self, seed: int, routers: Mapping[str, Router], lock: threading.RLock) -> None:
        self._seed = seed
        self._routers = dict(routers)
        self._lock = lock
        self._faults: list[Fault] = []
        self.chaos_used = False  # a chaos() fault was ever active: the report lists its calls

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
        delay: object = None,
        sequence: object = None,
    ) -> Fault:
        """A new active fault; misuse raises FakeRunsError naming the allowed values."""
        items: tuple[FaultItem | None, ...] | None = None
        checked_delay: Delay | None = None
        if sequence is not None:
            given = [
                name
                for name, value, default in (
                    ("status", status, None),
                    ("error", error, None),
                    ("times", times, None),
                    ("probability", probability, 1.0),
                    ("retry_after", retry_after, 1),
                    ("delay", delay, None),
                )
                if value != default
            ]
            if given:
                raise FakeRunsError(
                    f"inject(sequence=..., {given[0]}=...): a sequence gives each call its own "
                    "answer; put status, error, delay or retry_after in its items (dicts), and "
                    "scope it with vendor, method, path and after"
                )
            items = check_sequence(sequence)
        else:
            checked_delay = check_delay(delay, "inject")
            check_answer(status, error, checked_delay, retry_after, "inject")
            check_fault_args(times, probability)
        check_scope_args(vendor, list(self._routers), after)
        if method is not None or path is not None:
            self._check_scope(vendor, method, path)
        fault = Fault(
            self,
            status,
            error,
            vendor,
            method,
            path,
            times,
            after,
            float(probability),
            retry_after,
            checked_delay,
            items,
        )
        with self._lock:
            self._faults.insert(self._chaos_start(), fault)
        return fault

    def chaos(
        self,
        rate: float = 0.05,
        statuses: Sequence[int] = (429, 500, 503),
        errors: Sequence[str] = ("connection", "timeout"),
        vendor: str | None = None,
    ) -> ChaosFault:
        """Random faults on every matching call; misuse raises FakeRunsError."""
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 < rate <= 1.0:
            raise FakeRunsError(f"chaos(rate={rate!r}): rate is a number in (0, 1]")
        if isinstance(statuses, (str, int)) or not isinstance(statuses, Sequence):
            raise FakeRunsError(f"chaos(statuses={statuses!r}): statuses is a list of ints")
        if isinstance(errors, str) or not isinstance(errors, Sequence):
            raise FakeRunsError(f"chaos(errors={errors!r}): errors is a list of strings")
        for status in statuses:
            if isinstance(status, bool) or status not in FAULT_STATUSES:
                allowed = ", ".join(map(str, FAULT_STATUSES))
                raise FakeRunsError(f"chaos(statuses=[..., {status!r}]): each is one of {allowed}")
        for error in errors:
            if error not in CHAOS_ERRORS:
                raise FakeRunsError(
                    f"chaos(errors=[..., {error!r}]): each is one of " + ", ".join(CHAOS_ERRORS)
                )
        if not statuses and not errors:
            raise FakeRunsError("chaos() needs at least one of statuses= or errors=")
        check_scope_args(vendor, list(self._routers), 0, "chaos")
        fault = ChaosFault(self, float(rate), tuple(statuses), tuple(errors), vendor)
        with self._lock:
            self._faults.append(fault)
            self.chaos_used = True
        return fault

    def _chaos_start(self) -> int:
        """The index of the first chaos fault (chaos faults are last)."""
        for index, fault in enumerate(self._faults):
            if fault.chaos:
                return index
        return len(self._faults)

    def pick(self, vendor: str, method: str, path: str, template: str) -> FaultAnswer | None:
        """The fault that answers this call and what it answers with; None: no fault does.

        The first active matching fault that takes the call wins (``after``,
        ``probability``, chaos rates and delays are counted and drawn here, in call order).
        """
        if not self._faults:  # the usual case: no fault injected
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(vendor, method, path, template) and fault.take(self.rng):
                    return fault.answer(self.rng)
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


def check_delay(delay: object, where: str) -> Delay | None:
    """``delay``: seconds >= 0 (finite), or ``(low, high)`` with 0 <= low <= high."""
    if delay is None:
        return None
    if isinstance(delay, (list, tuple)):
        if (
            len(delay) == 2
            and all(_seconds(v) for v in delay)
            and float(delay[0]) <= float(delay[1])
        ):
            return (float(delay[0]), float(delay[1]))
    elif _seconds(delay):
        assert isinstance(delay, (int, float))
        return float(delay)
    raise FakeRunsError(
        f"{_at(where, f'delay={delay!r}')}: delay is seconds >= 0 (int or float), or (low, high) "
        "with 0 <= low <= high to draw each call's delay uniformly"
    )


def _call(where: str) -> str:
    return where if where.endswith(")") else where + "()"


def _at(where: str, text: str) -> str:
    """``inject(status=418)``, or ``inject(sequence[2]: status=418)`` for an item."""
    return f"{where}({text})" if not where.endswith(")") else f"{where[:-1]}: {text})"


def _seconds(value: object) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and value >= 0
    )


def check_answer(
    status: object, error: object, delay: Delay | None, retry_after: object, where: str
) -> None:
    """What one call is answered with: a status, an error, a delay (or a delay and either)."""
    if status is not None and error is not None:
        raise FakeRunsError(
            f"{_call(where)} takes exactly one of status=<int> or error=<str>, not both"
        )
    if status is None and error is None and not delay:
        raise FakeRunsError(
            f"{_call(where)} takes exactly one of status=<int> or error=<str>, or a "
            "delay=<seconds> (alone: a slow usual answer)"
        )
    if status is not None and (isinstance(status, bool) or status not in FAULT_STATUSES):
        allowed = ", ".join(map(str, FAULT_STATUSES))
        raise FakeRunsError(f"{_at(where, f'status={status!r}')}: status must be one of {allowed}")
    if error is not None and error not in TRANSPORT_ERRORS:
        raise FakeRunsError(
            f"{_at(where, f'error={error!r}')}: error must be one of " + ", ".join(TRANSPORT_ERRORS)
        )
    if error == "slow_body" and not delay:
        raise FakeRunsError(
            f"{_at(where, 'error=' + repr(error))} needs delay=<seconds>: the body is "
            "dribbled across it"
        )
    if error == "timeout" and delay:
        raise FakeRunsError(
            f"{_at(where, 'error=' + repr(error) + ', delay=...')}: a timeout never answers, "
            "so a delay adds nothing; use delay alone (longer than the client's timeout) "
            "or error='timeout'"
        )
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        raise FakeRunsError(
            f"{_at(where, f'retry_after={retry_after!r}')}: retry_after is an int >= 0"
        )


def check_sequence(sequence: object) -> tuple[FaultItem | None, ...]:
    """Each item: None (the usual answer), a status int, an error str, or a dict of
    ``ITEM_KEYS``; checked now, with inject()'s own messages."""
    if isinstance(sequence, (str, bytes, Mapping)) or not isinstance(sequence, Sequence):
        raise FakeRunsError(
            f"inject(sequence={sequence!r}): sequence is a list of answers, one per call: "
            "None (the usual answer), a status int, an error string, or a dict of "
            + ", ".join(ITEM_KEYS)
        )
    if not sequence:
        raise FakeRunsError("inject(sequence=[]): give at least one answer")
    items: list[FaultItem | None] = []
    for index, item in enumerate(sequence):
        where = f"inject(sequence[{index}])"
        if item is None:
            items.append(None)
        elif isinstance(item, int) and not isinstance(item, bool):
            check_answer(item, None, None, 1, where)
            items.append(FaultItem(status=item))
        elif isinstance(item, str):
            check_answer(None, item, None, 1, where)
            items.append(FaultItem(error=item))
        elif isinstance(item, Mapping):
            unknown = sorted(set(map(str, item)) - set(ITEM_KEYS))
            if unknown:
                raise FakeRunsError(
                    f"{where}: unknown key(s) {', '.join(unknown)}; an item may carry "
                    + ", ".join(ITEM_KEYS)
                    + " (scope the whole sequence with inject()'s "
                    "vendor, method, path, after)"
                )
            delay = check_delay(item.get("delay"), where)
            retry_after = item.get("retry_after", 1)
            check_answer(item.get("status"), item.get("error"), delay, retry_after, where)
            items.append(FaultItem(item.get("status"), item.get("error"), delay, retry_after))
        else:
            raise FakeRunsError(
                f"{where}: {item!r} is not an answer; use None, a status int, an error "
                "string, or a dict of " + ", ".join(ITEM_KEYS)
            )
    return tuple(items)


def _item_repr(item: FaultItem | None) -> object:
    """An item as given to inject(): None, or a dict of the keys it sets."""
    if item is None:
        return None
    shown: dict[str, Any] = {
        k: getattr(item, k) for k in ("status", "error") if getattr(item, k) is not None
    }
    if item.delay is not None:
        shown["delay"] = list(item.delay) if isinstance(item.delay, tuple) else item.delay
    if item.retry_after != 1:
        shown["retry_after"] = item.retry_after
    return shown


def check_fault_args(times: object, probability: object) -> None:
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise FakeRunsError(f"inject(times={times!r}): times is a positive int, or None (forever)")
    if (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0.0 < probability <= 1.0
    ):
        raise FakeRunsError(
            f"inject(probability={probability!r}): probability is a number in (0, 1]"
        )


def check_scope_args(
    vendor: object, known_vendors: list[str], after: object, where: str = "inject"
) -> None:
    if vendor is not None and vendor not in known_vendors:
        raise FakeRunsError(
            f"{where}(vendor={vendor!r}): vendor must be one of " + ", ".join(known_vendors)
        )
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise FakeRunsError(f"{where}(after={after!r}): after is an int >= 0")
