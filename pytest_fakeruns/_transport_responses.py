"""``requests`` through ``responses``: one catch-all entry that the test's own mocks outrank."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
import responses
from responses.registries import FirstMatchRegistry

from ._http import Request

if TYPE_CHECKING:
    from requests import PreparedRequest

    from ._fake import FakeRuns


class FakeEntry(responses.CallbackResponse):
    """Matches every URL under a vendor root and answers it through the fake's core."""

    def __init__(self, fake: FakeRuns) -> None:
        super().__init__("GET", "http://pytest-fakeruns.invalid/", self._answer, content_type=None)
        self.fake = fake

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        url = str(request.url)
        if self.fake.intercepts(url) or self.fake.moved(url):
            return True, ""
        return False, "not under a faked vendor root"

    def _answer(self, request: PreparedRequest) -> Any:
        moved = self.fake.moved(str(request.url))
        if moved is not None:
            return requests.ConnectionError(moved, request=request)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        neutral = Request(str(request.method), str(request.url), request.headers.items(), body)
        response = self.fake.handle(neutral)
        assert response is not None
        if response.error == "connection":
            return requests.ConnectionError(
                f"pytest-fakeruns: injected connection error for {request.url}", request=request
            )
        if response.error == "timeout":
            return requests.exceptions.ReadTimeout(
                f"pytest-fakeruns: injected read timeout for {request.url}", request=request
            )
        return response.status, list(response.headers.items()), response.body


class FakeLastRegistry(FirstMatchRegistry):
    """The test's entries first (responses' usual rules), the fake's entry last, never popped."""

    fake_entry: FakeEntry | None = None

    def find(self, request: PreparedRequest) -> tuple[responses.BaseResponse | None, list[str]]:
        found, reasons = super().find(request)
        if found is None and self.fake_entry is not None:
            ok, _ = self.fake_entry.matches(request)
            if ok:
                return self.fake_entry, reasons
        return found, reasons


class FakeRequestsMock(responses.RequestsMock):
    """A RequestsMock whose ``reset()`` keeps the fake's registry and entry."""

    def __init__(self, fake: FakeRuns) -> None:
        self._fake_entry = FakeEntry(fake)
        super().__init__(assert_all_requests_are_fired=False, registry=FakeLastRegistry)
        self._install()

    def _install(self) -> None:
        registry = FakeLastRegistry()
        registry.fake_entry = self._fake_entry
        self._registry = registry

    def reset(self) -> None:
        super().reset()
        if hasattr(self, "_fake_entry"):
            self._install()
            served = self._fake_entry.fake._server_url
            if served is not None:  # requests to fake_runs_server keep going to the socket
                self.add_passthru(served + "/")


def install(fake: FakeRuns) -> FakeRequestsMock:
    mock = FakeRequestsMock(fake)
    mock.start()
    return mock
