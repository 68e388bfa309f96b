"""One client interface over every transport, so each behaviour test runs on all of them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx
import requests

from pytest_fakeruns import FakeRuns

# "server": plain requests over a real socket to fake_runs_server (vendor roots point there)
TRANSPORTS = ("requests", "httpx", "httpx-async", "server")
TIMEOUT = 10.0
# over the server, an injected "timeout" holds the connection until the client gives up: with a
# timeout fault active, give up soon instead of after TIMEOUT
TIMEOUT_WHEN_HELD = 1.0


class Answer:
    """The parts of a response every test reads, whatever client fetched it."""

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status
        self.headers = headers  # case-insensitive in every client used here
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self) -> Any:
        import json

        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<Answer {self.status_code} {self.content[:80]!r}>"


class Api:
    """``api.get("coalesce", "/api/v1/runs", params=..., headers=...)`` over one transport.

    A path is joined to the vendor's root; an absolute URL (``@nextLink``) is used as is.
    With ``transport == "server"`` the roots are the server's (``<fake.url>/<vendor>``).
    """

    def __init__(self, fake: FakeRuns, transport: str) -> None:
        self.fake = fake
        self.transport = transport
        # one client per test, as an application would keep one (creating an httpx client
        # builds an SSL context: slow when done per request)
        self._session: requests.Session | None = None
        self._client: httpx.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._async_client: httpx.AsyncClient | None = None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self._client is not None:
            self._client.close()
        if self._loop is not None:
            if self._async_client is not None:
                self._loop.run_until_complete(self._async_client.aclose())
            self._loop.close()

    def url(self, vendor: str, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.fake.vendor(vendor).base_url + path

    def request(self, method: str, vendor: str, path: str, **kwargs: Any) -> Answer:
        url = self.url(vendor, path)
        if self.transport in ("requests", "server"):
            if self._session is None:
                self._session = requests.Session()
            r = self._session.request(method, url, timeout=self._timeout(), **kwargs)
            return Answer(r.status_code, r.headers, r.content)
        if self.transport == "httpx":
            if self._client is None:
                self._client = httpx.Client(timeout=TIMEOUT)
            x = self._client.request(method, url, **kwargs)
            return Answer(x.status_code, x.headers, x.content)
        if self.transport == "httpx-async":
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._async_client = httpx.AsyncClient(timeout=TIMEOUT)
            assert self._async_client is not None
            x = self._loop.run_until_complete(self._async_client.request(method, url, **kwargs))
            return Answer(x.status_code, x.headers, x.content)
        raise AssertionError(f"unknown transport {self.transport}")

    def _timeout(self) -> float:
        if self.transport == "server" and any(
            f.error == "timeout" and f.active for f in self.fake.faults
        ):
            return TIMEOUT_WHEN_HELD
        return TIMEOUT

    def get(self, vendor: str, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", vendor, path, **kwargs)

    def post(self, vendor: str, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", vendor, path, **kwargs)
