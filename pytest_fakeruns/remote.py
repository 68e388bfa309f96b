"""Drive a served fake from another process: ``connect(url, token=None)``.

The object it returns has the ``FakeRuns`` names the admin API covers (``clock``, one attribute
per vendor with ``add_run`` / ``add_runs`` / ``runs`` / ``get`` / ``deprecate``, run actions,
``inject``, ``chaos``, ``calls``, ``assert_called``, ``reset``, ``load_scenario``) and raises
the same exceptions: ``FakeRunsError`` (400), ``InvalidTransition`` (409), ``KeyError`` (404).
Standard library only (``urllib.request`` and ``json``).
"""

from __future__ import annotations

import datetime as _dt
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

from ._errors import FakeRunsError, InvalidTransition
from ._journal import assert_called as _assert_called
from ._paths import path_matches
from ._states import State

__all__ = ["RemoteCall", "RemoteFakeRuns", "RemoteFault", "RemoteRun", "RemoteVendor", "connect"]

TIMEOUT = 30.0


def connect(url: str, token: str | None = None, timeout: float = TIMEOUT) -> RemoteFakeRuns:
    """The served fake at ``url`` (the server's root, e.g. ``http://127.0.0.1:8080``)."""
    return RemoteFakeRuns(url, token, timeout)


def _instant(value: Any) -> _dt.datetime | None:
    if value is None:
        return None
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return _dt.datetime.fromisoformat(text)


def _wire(value: Any) -> Any:
    """Python values the API takes as JSON: instants as ISO 8601, tuples as lists."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


class RemoteFakeRuns:
    """A served ``FakeRuns`` seen through its admin API."""

    def __init__(self, url: str, token: str | None = None, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self._api = self.url + "/__fakeruns/api"
        self._token = token
        self._timeout = timeout
        self.clock = RemoteClock(self)
        state = self.request("GET", "")
        self._vendors = {
            name: RemoteVendor(self, name, info["base_url"])
            for name, info in state["vendors"].items()
        }

    # -- HTTP ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One admin API call: the parsed answer (None for 204); errors as pytest_fakeruns'."""
        data = None if body is None else json.dumps(_wire(body)).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(
            self._api + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                text = answer.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            err.close()
            raise _error(err.code, raw, method, path) from None
        except urllib.error.URLError as err:
            raise FakeRunsError(
                f"cannot reach the fake's control plane at {self._api}: {err.reason}"
            ) from None
        return json.loads(text) if text else None

    # -- the FakeRuns names ----------------------------------------------------------------

    @property
    def seed(self) -> int:
        return int(self.request("GET", "")["seed"])

    @property
    def progression(self) -> str:
        return str(self.request("GET", "")["progression"])

    @property
    def vendors(self) -> dict[str, RemoteVendor]:
        return dict(self._vendors)

    def vendor(self, name: str) -> RemoteVendor:
        try:
            return self._vendors[name]
        except KeyError:
            raise KeyError(
                f"unknown vendor {name!r}; known vendors: " + ", ".join(self._vendors)
            ) from None

    def __getattr__(self, name: str) -> RemoteVendor:
        vendors = self.__dict__.get("_vendors", {})
        if name in vendors:
            return vendors[name]  # type: ignore[no-any-return]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def inject(self, status: int | None = None, **kwargs: Any) -> RemoteFault:
        """``inject()`` on the served fake; the same keywords."""
        body = dict(kwargs)
        if status is not None:
            body["status"] = status
        return RemoteFault(self, self.request("POST", "/faults", body))

    def chaos(self, **kwargs: Any) -> RemoteFault:
        """``chaos()`` on the served fake (rate, statuses, errors, vendor); a RemoteFault."""
        return RemoteFault(self, self.request("POST", "/chaos", kwargs))

    @property
    def faults(self) -> list[RemoteFault]:
        return [RemoteFault(self, f) for f in self.request("GET", "/faults")]

    @property
    def calls(self) -> list[RemoteCall]:
        return [RemoteCall(c) for c in self.request("GET", "/calls")]

    def assert_called(
        self,
        vendor: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
    ) -> None:
        __tracebackhide__ = True
        _assert_called(self.calls, vendor, method, path, times)  # type: ignore[arg-type]

    def reset(self) -> None:
        self.request("POST", "/reset")

    def load_scenario(self, source: Any) -> None:
        """A scenario (a dict, or a path to its JSON file) loaded by the served fake."""
        if not isinstance(source, Mapping):
            with open(source, encoding="utf-8") as file:
                source = json.load(file)
        self.request("POST", "/scenario", source)

    def __repr__(self) -> str:
        return f"<RemoteFakeRuns {self.url}>"


class RemoteClock:
    def __init__(self, owner: RemoteFakeRuns) -> None:
        self._owner = owner

    def now(self) -> _dt.datetime:
        moment = _instant(self._owner.request("GET", "")["now"])
        assert moment is not None
        return moment

    def advance(self, amount: float | _dt.timedelta) -> _dt.datetime:
        if isinstance(amount, _dt.timedelta):
            amount = amount.total_seconds()
        moment = _instant(self._owner.request("POST", "/clock", {"advance": amount})["now"])
        assert moment is not None
        return moment

    def set(self, moment: _dt.datetime) -> _dt.datetime:
        if not isinstance(moment, _dt.datetime):
            raise FakeRunsError(f"clock.set() takes a datetime, not {moment!r}")
        now = _instant(self._owner.request("POST", "/clock", {"set": moment})["now"])
        assert now is not None
        return now


class RemoteVendor:
    def __init__(self, owner: RemoteFakeRuns, name: str, base_url: str) -> None:
        self._owner = owner
        self.name = name
        self.base_url = base_url
        self._path = f"/vendors/{quote(name, safe='')}"

    def add_run(self, **fields: Any) -> RemoteRun:
        return RemoteRun(self._owner, self._owner.request("POST", self._path + "/runs", fields))

    def add_runs(self, count: int, **fields: Any) -> list[RemoteRun]:
        made = self._owner.request("POST", self._path + "/runs", {"count": count, **fields})
        return [RemoteRun(self._owner, r) for r in made]

    def runs(self) -> list[RemoteRun]:
        return [RemoteRun(self._owner, r) for r in self._owner.request("GET", self._path + "/runs")]

    def get(self, run_id: object) -> RemoteRun:
        found = self._owner.request("GET", f"{self._path}/runs/{quote(str(run_id), safe='')}")
        return RemoteRun(self._owner, found)

    def deprecate(
        self,
        deprecated_at: object,
        sunset_at: object = None,
        link: str | None = None,
        path: str | None = None,
    ) -> None:
        body = {"deprecated_at": deprecated_at, "sunset_at": sunset_at, "link": link, "path": path}
        self._owner.request(
            "POST", self._path + "/deprecate", {k: v for k, v in body.items() if v is not None}
        )

    def __repr__(self) -> str:
        return f"<RemoteVendor {self.name} {self.base_url}>"


class RemoteRun:
    """A run of the served fake; reads fetch it again, so they see time and other clients."""

    def __init__(self, owner: RemoteFakeRuns, shown: Mapping[str, Any]) -> None:
        self._owner = owner
        self.id: int | str = shown["id"]
        self.vendor: str = shown["vendor"]
        self._shown = dict(shown)

    @property
    def _path(self) -> str:
        return f"/vendors/{quote(self.vendor, safe='')}/runs/{quote(str(self.id), safe='')}"

    def refresh(self) -> RemoteRun:
        self._shown = self._owner.request("GET", self._path)
        return self

    def _read(self, key: str) -> Any:
        return self.refresh()._shown[key]

    @property
    def state(self) -> State:
        return State(self._read("state"))

    @property
    def status(self) -> str:
        return str(self._read("status"))

    @property
    def created_at(self) -> _dt.datetime:
        moment = _instant(self._read("created_at"))
        assert moment is not None
        return moment

    @property
    def started_at(self) -> _dt.datetime | None:
        return _instant(self._read("started_at"))

    @property
    def ended_at(self) -> _dt.datetime | None:
        return _instant(self._read("ended_at"))

    def to_json(self) -> Any:
        return self._read("json")

    def _act(self, action: str, body: Mapping[str, Any] | None = None) -> RemoteRun:
        self._shown = self._owner.request("POST", f"{self._path}/{action}", dict(body or {}))
        return self

    def advance(self) -> RemoteRun:
        return self._act("advance")

    def advance_to(self, target: str) -> RemoteRun:
        return self._act("advance_to", {"state": str(target)})

    def fail(self, reason: str | None = None) -> RemoteRun:
        return self._act("fail", {} if reason is None else {"reason": reason})

    def cancel(self) -> RemoteRun:
        return self._act("cancel")

    def hold(self) -> RemoteRun:
        return self._act("hold")

    def release(self) -> RemoteRun:
        return self._act("release")

    def __repr__(self) -> str:
        return f"<RemoteRun {self.vendor} {self.id!r} {self._shown.get('state')}>"


class RemoteFault:
    """An injected fault; ``hits`` asks the server each time."""

    def __init__(self, owner: RemoteFakeRuns, shown: Mapping[str, Any]) -> None:
        self._owner = owner
        self.id = str(shown["id"])
        self._shown = dict(shown)
        # what inject() was given, as the server shows it (defaults where it left one out)
        self.keywords: dict[str, Any] = {
            k: v for k, v in shown.items() if k not in ("id", "hits", "active")
        }
        self.status: int | None = shown.get("status")
        self.error: str | None = shown.get("error")
        self.vendor: str | None = shown.get("vendor")
        self.method: str | None = shown.get("method")
        self.path: str | None = shown.get("path")
        self.times: int | None = shown.get("times")
        self.after: int = shown.get("after", 0)
        self.probability: float = shown.get("probability", 1.0)
        self.retry_after: int = shown.get("retry_after", 1)
        self.delay: float | list[float] | None = shown.get("delay")
        self.sequence: list[Any] | None = shown.get("sequence")
        self.chaos: bool = bool(shown.get("chaos", False))

    @property
    def hits(self) -> int:
        self._shown = self._owner.request("GET", f"/faults/{quote(self.id, safe='')}")
        return int(self._shown["hits"])

    @property
    def active(self) -> bool:
        self._shown = self._owner.request("GET", f"/faults/{quote(self.id, safe='')}")
        return bool(self._shown["active"])

    def remove(self) -> None:
        self._owner.request("DELETE", f"/faults/{quote(self.id, safe='')}")

    def __enter__(self) -> RemoteFault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<RemoteFault {self.id} {self.keywords}>"


class RemoteCall:
    """One journal entry: ``vendor``, ``method``, ``url``, ``path``, ``query``, ``status``,
    ``fault`` (the fault's id or None), ``delay``."""

    def __init__(self, shown: Mapping[str, Any]) -> None:
        self.vendor: str = shown["vendor"]
        self.method: str = shown["method"]
        self.url: str = shown["url"]
        self.path: str = shown["path"]
        self.query: dict[str, str] = dict(shown["query"])
        self.status: int = shown["status"]
        self.fault: str | None = shown["fault"]
        self.delay: float = float(shown.get("delay", 0.0))

    def matches(self, vendor: str | None, method: str | None, path: str | None) -> bool:
        if vendor is not None and self.vendor != vendor:
            return False
        if method is not None and self.method != method.upper():
            return False
        return path is None or path_matches(path, self.path)

    def __repr__(self) -> str:
        return f"<RemoteCall {self.method} {self.url} -> {self.status}>"


def _error(status: int, raw: bytes, method: str, path: str) -> Exception:
    try:
        message = str(json.loads(raw)["error"])
    except (ValueError, KeyError, TypeError):
        message = raw.decode("utf-8", "replace") or f"HTTP {status}"
    if status == 409:
        return InvalidTransition(message)
    if status == 404:
        return KeyError(message)
    if status == 401:
        return FakeRunsError(f"{message} (connect(url, token=...))")
    return FakeRunsError(message)
