"""``requests`` through ``responses``: the fake answers after the test's own mocks.

The registry asks ``fake.resolve(url)`` once, for a request none of the test's mocks matched,
and hands ``responses`` an entry that acts on that answer: the fake's answer, a connection
error (refused), or a passthrough to the real adapter.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters
import responses
from responses.registries import FirstMatchRegistry

from ._http import Request

if TYPE_CHECKING:
    from re import Pattern

    from requests import PreparedRequest

    from ._fake import FakeRuns
    from ._roots import Resolution

_ANY = "http://pytest-fakeruns.invalid/"


def fake_answer(fake: FakeRuns, resolution: Resolution) -> responses.CallbackResponse:
    """The fake's entry for one request, acting on that request's one ``resolve()``."""

    def answer(request: PreparedRequest) -> Any:
        if resolution.refused is not None:
            return requests.ConnectionError(resolution.refused, request=request)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        neutral = Request(str(request.method), str(request.url), request.headers.items(), body)
        response = fake.handle(neutral, resolution)
        assert response is not None
        if response.error == "connection":
            return requests.ConnectionError(
                f"pytest-fakeruns: injected connection error for {request.url}", request=request
            )
        if response.error == "timeout":
            return requests.exceptions.ReadTimeout(
                f"pytest-fakeruns: injected read timeout for {request.url}", request=request
            )
        return response.status, response.headers.pairs(), response.body

    return responses.CallbackResponse("GET", _ANY, answer, content_type=None)


class FakeLastRegistry(FirstMatchRegistry):
    """The test's entries first (responses' usual rules), then the fake's answer."""

    fake: FakeRuns | None = None
    mock: responses.RequestsMock | None = None  # its passthru_prefixes: add_passthru(...)

    def find(self, request: PreparedRequest) -> tuple[responses.BaseResponse | None, list[str]]:
        found, reasons = super().find(request)
        if found is not None or self.fake is None:
            return found, reasons
        url = str(request.url)
        resolution = self.fake.resolve(url, str(request.method))
        if resolution.vendor is None and self.mock and _listed(url, self.mock.passthru_prefixes):
            return None, reasons  # responses sends it: fake_runs.responses.add_passthru(...)
        if resolution.passthru:
            return responses.PassthroughResponse("GET", _ANY), reasons
        return fake_answer(self.fake, resolution), reasons


def _listed(url: str, prefixes: tuple[str | Pattern[str], ...]) -> bool:
    return any(
        url.startswith(p) if isinstance(p, str) else p.match(url) is not None for p in prefixes
    )


# ``requests.adapters.HTTPAdapter.send`` is replaced once per process by ``_send``, which hands
# each request to the innermost active fake's mock (or, with none active, to the ``send`` it
# replaced). Starting and stopping a fake's mock is then a list operation: ``responses``' own
# ``start()`` builds and applies a ``unittest.mock`` patch, the largest part of a fake's
# set-up. Patches applied on top (a test's own ``responses`` mock) stack as before.
_active: list[FakeRequestsMock] = []
_active_lock = threading.Lock()
_below: Any = None  # the send that _send replaced


def _send(adapter: Any, request: PreparedRequest, *args: Any, **kwargs: Any) -> Any:
    mock = _active[-1] if _active else None
    if mock is None:
        return _below(adapter, request, *args, **kwargs)
    return mock._send(adapter, request, *args, **kwargs)


def _install_send() -> None:
    """Put ``_send`` in place (again, if a patch applied before it was undone since)."""
    global _below
    adapter = requests.adapters.HTTPAdapter
    current = adapter.__dict__.get("send")
    if current is not _send:
        _below = current
        adapter.send = _send  # type: ignore[method-assign,assignment]


class FakeRequestsMock(responses.RequestsMock):
    """A RequestsMock whose ``reset()`` keeps the fake's registry, started and stopped
    through the process-wide ``_send`` (see above) instead of a patch per start."""

    def __init__(self, fake: FakeRuns) -> None:
        self._fake = fake
        self._active = False
        super().__init__(assert_all_requests_are_fired=False, registry=FakeLastRegistry)
        self._install()
        self._send = self.unbound_on_send()

    def start(self) -> None:
        if self._active:
            return
        with _active_lock:
            _install_send()
            _active.append(self)
        self._active = True

    def stop(self, allow_assert: bool = True) -> None:
        if self._active:
            with _active_lock:
                for i in range(len(_active) - 1, -1, -1):
                    if _active[i] is self:
                        del _active[i]
                        break
            self._active = False
        super().stop(allow_assert=allow_assert)  # no patch to undo: the assertions only

    def _install(self) -> None:
        registry = FakeLastRegistry()
        registry.fake = self._fake
        registry.mock = self
        self._registry = registry

    def reset(self) -> None:
        super().reset()
        if hasattr(self, "_fake"):
            self._install()


@contextlib.contextmanager
def installed(fake: FakeRuns) -> Iterator[FakeRequestsMock]:
    mock = FakeRequestsMock(fake)
    mock.start()
    try:
        yield mock
    finally:
        mock.stop(allow_assert=False)
