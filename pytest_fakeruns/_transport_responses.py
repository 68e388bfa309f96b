"""``requests`` through ``responses``: the fake answers after the test's own mocks.

The registry asks ``fake.resolve(url)`` once, for a request none of the test's mocks matched,
and hands ``responses`` an entry that acts on that answer: the fake's answer, a connection
error (refused), or a passthrough to the real adapter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests
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


class FakeRequestsMock(responses.RequestsMock):
    """A RequestsMock whose ``reset()`` keeps the fake's registry."""

    def __init__(self, fake: FakeRuns) -> None:
        self._fake = fake
        super().__init__(assert_all_requests_are_fired=False, registry=FakeLastRegistry)
        self._install()

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
