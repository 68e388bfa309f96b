"""``httpx``: the sync and async default transports answer vendor roots from the fake."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx

from ._http import Request, Response
from ._transports import read_timeout

if TYPE_CHECKING:
    from ._fake import FakeRuns
    from ._roots import Resolution


def _to_httpx(response: Response, request: httpx.Request) -> httpx.Response:
    if response.error == "connection":
        raise httpx.ConnectError(
            f"pytest-fakeruns: injected connection error for {request.url}", request=request
        )
    if response.error == "body_timeout":
        raise httpx.ReadTimeout(
            f"pytest-fakeruns: read timed out after {response.delay:g} s while the body of "
            f"{request.url} was dribbled (error='slow_body')",
            request=request,
        )
    if response.error == "timeout":
        if response.delay:
            raise httpx.ReadTimeout(
                f"pytest-fakeruns: read timed out after {response.delay:g} s (the client's "
                f"timeout): the answer to {request.url} was delayed longer",
                request=request,
            )
        raise httpx.ReadTimeout(
            f"pytest-fakeruns: injected read timeout for {request.url}", request=request
        )
    return httpx.Response(
        response.status,
        headers=response.headers.pairs(),
        content=response.body,
        request=request,
    )


def _neutral(request: httpx.Request, url: str, body: bytes, resolution: Resolution) -> Request:
    timeout = request.extensions.get("timeout")
    read = read_timeout(timeout.get("read")) if isinstance(timeout, dict) else None
    return Request(
        request.method,
        url,
        request.headers,
        body,
        read,
        urlparts=resolution.parts,
        text_headers=True,  # httpx.Headers gives str values
    )


@contextlib.contextmanager
def installed(fake: FakeRuns) -> Iterator[None]:
    """Patch httpx's default sync and async transports: one ``resolve()`` per request, then
    the fake's answer, ``httpx.ConnectError`` (refused), or the real transport."""
    real_sync = httpx.HTTPTransport.handle_request
    real_async = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        resolution = fake.resolve(url, request.method)
        if resolution.passthru:
            return real_sync(self, request)
        if resolution.refused is not None:
            raise httpx.ConnectError(resolution.refused, request=request)
        response = fake.handle(_neutral(request, url, request.read(), resolution), resolution)
        assert response is not None
        return _to_httpx(response, request)

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        url = str(request.url)
        resolution = fake.resolve(url, request.method)
        if resolution.passthru:
            return await real_async(self, request)
        if resolution.refused is not None:
            raise httpx.ConnectError(resolution.refused, request=request)
        response = fake.handle(
            _neutral(request, url, await request.aread(), resolution), resolution
        )
        assert response is not None
        return _to_httpx(response, request)

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        httpx.HTTPTransport.handle_request = real_sync  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = real_async  # type: ignore[method-assign]
