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

from ._http import Request, Response
from ._transports import read_timeout

if TYPE_CHECKING:
    from re import Pattern

    from requests import PreparedRequest

    from ._fake import FakeRuns
    from ._roots import Resolution

_ANY = "http://pytest-fakeruns.invalid/"
_OWN = "_fakeruns_own"  # set on a request the fake answers (or its own server, while served)


class _TestCalls(responses.CallList):
    """``responses``' record of calls without the ones the fake answers: those are in the
    fake's journal (``fake_runs.calls``), and a second record per call (request, response,
    urllib3 response, cookie jars: some 40 objects each) made every full garbage collection
    of a long run slower, more than a second after 50,000 calls."""

    def add(self, request: PreparedRequest, response: Any) -> None:
        if not getattr(request, _OWN, False):
            super().add(request, response)

    def add_call(self, call: responses.Call) -> None:
        if not getattr(call.request, _OWN, False):
            super().add_call(call)


def fake_answer(fake: FakeRuns, resolution: Resolution) -> responses.CallbackResponse:
    """The fake's entry for one request, acting on that request's one ``resolve()``."""

    def answer(request: PreparedRequest) -> Any:
        if resolution.refused is not None:
            return requests.ConnectionError(resolution.refused, request=request)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        # responses keeps adapter.send()'s keywords on the request (timeout among them)
        timeout = read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        neutral = Request(
            str(request.method),
            str(request.url),
            request.headers.items(),
            body,
            timeout,
            urlparts=resolution.parts,
        )
        response = fake.handle(neutral, resolution)
        assert response is not None
        if response.error is not None and response.error != "malformed":
            return _transport_error(response, request)
        return response.status, response.headers.pairs(), response.body

    return responses.CallbackResponse("GET", _ANY, answer, content_type=None)


def _transport_error(response: Response, request: PreparedRequest) -> Exception:
    """What requests raises for the transport fault ``response`` names."""
    if response.error == "connection":
        return requests.ConnectionError(
            f"pytest-fakeruns: injected connection error for {request.url}", request=request
        )
    if response.error == "body_timeout":
        # how requests reports a read timeout while reading the body (urllib3's
        # ReadTimeoutError wrapped), as over a real socket
        return requests.ConnectionError(
            f"pytest-fakeruns: read timed out after {response.delay:g} s while the body of "
            f"{request.url} was dribbled (error='slow_body')",
            request=request,
        )
    if response.delay:
        return requests.exceptions.ReadTimeout(
            f"pytest-fakeruns: read timed out after {response.delay:g} s (the client's "
            f"timeout): the answer to {request.url} was delayed longer",
            request=request,
        )
    return requests.exceptions.ReadTimeout(
        f"pytest-fakeruns: injected read timeout for {request.url}", request=request
    )


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
            if not self.fake.in_process and url.startswith(self.fake.url + "/"):
                setattr(request, _OWN, True)  # the fake's own server journals it
            return responses.PassthroughResponse("GET", _ANY), reasons
        setattr(request, _OWN, True)
        return fake_answer(self.fake, resolution), reasons


def _listed(url: str, prefixes: tuple[str | Pattern[str], ...]) -> bool:
    return any(
        url.startswith(p) if isinstance(p, str) else p.match(url) is not None for p in prefixes
    )


# While any fake is active, ``requests.adapters.HTTPAdapter.send`` is ``_send``, which hands
# each request to the innermost active fake's mock. The outermost fake's start puts it in
# place and the last stop puts back what was there, as a patch would; a fake in between is a
# list operation. ``responses``' own ``start()`` builds and applies a ``unittest.mock`` patch
# every time, the largest part of a fake's set-up. Patches applied on top (a test's own
# ``responses`` mock) stack as before.
_active: list[FakeRequestsMock] = []
_active_lock = threading.Lock()
_below: Any = None  # the send that _send replaced


def _send(adapter: Any, request: PreparedRequest, *args: Any, **kwargs: Any) -> Any:
    mock = _active[-1] if _active else None
    if mock is None:  # a patch applied over ours put it back after the last fake stopped
        return _below(adapter, request, *args, **kwargs)
    return mock._send(adapter, request, *args, **kwargs)


def _activate(mock: FakeRequestsMock) -> None:
    global _below
    with _active_lock:
        if not _active:
            adapter = requests.adapters.HTTPAdapter
            current = adapter.__dict__.get("send")
            if current is not _send:
                _below = current
            adapter.send = _send  # type: ignore[method-assign,assignment]
        _active.append(mock)


def _deactivate(mock: FakeRequestsMock) -> None:
    with _active_lock:
        for i in range(len(_active) - 1, -1, -1):
            if _active[i] is mock:
                del _active[i]
                break
        else:
            return
        if not _active:  # as a patch's stop: what was there before the first fake
            requests.adapters.HTTPAdapter.send = _below  # type: ignore[method-assign]


class FakeRequestsMock(responses.RequestsMock):
    """A RequestsMock whose ``reset()`` keeps the fake's registry, started and stopped
    through the process-wide ``_send`` (see above) instead of a patch per start."""

    def __init__(self, fake: FakeRuns) -> None:
        self._fake = fake
        self._active = False
        super().__init__(assert_all_requests_are_fired=False, registry=FakeLastRegistry)
        self._calls = _TestCalls()  # the test's own mocks' and passthroughs' calls only
        self._install()
        self._send = self.unbound_on_send()

    def start(self) -> None:
        if self._active:
            return
        _activate(self)
        self._active = True

    def stop(self, allow_assert: bool = True) -> None:
        if self._active:
            _deactivate(self)
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
