"""Where a URL goes: the vendor roots, the roots served over HTTP, and the passthru prefixes.

Every in-process transport asks :meth:`Roots.resolve` once per request and acts on the one
answer: served by a vendor, refused (with the message to raise), or passed through to the
real transport.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from ._errors import FakeRunsError

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_RESOLVED_MAX = 1024

RootIndex = dict[tuple[str, str], list[tuple[str, str]]]  # (scheme, host) -> (prefix, vendor)


@dataclass(frozen=True)
class Resolution:
    """The one answer for a request's URL.

    ``vendor``/``path``: a vendor serves it (``path`` below its root). ``refused``: the
    message to raise as the transport's connection error. Neither: not ours, the real
    transport sends it (a passthru prefix, or the fake's own server while served).
    """

    vendor: str | None = None
    path: str = ""
    refused: str | None = None
    # the URL as split once for resolving it: the transport hands it on to the Request
    parts: SplitResult | None = field(default=None, compare=False, repr=False)

    @property
    def passthru(self) -> bool:
        return self.vendor is None and self.refused is None


def _root_key(parts: SplitResult) -> tuple[str, str]:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = str(parts.port) if parts.port is not None else _DEFAULT_PORTS.get(scheme, "")
    if _DEFAULT_PORTS.get(scheme) == port:
        port = ""
    return scheme, f"{host}:{port}" if port else host


def _locate_in(index: RootIndex, parts: SplitResult) -> tuple[str, str] | None:
    entries = index.get(_root_key(parts))
    if not entries:
        return None
    path = parts.path or "/"
    for prefix, vendor in entries:
        if not prefix:
            return vendor, path
        if path == prefix or path.startswith(prefix + "/"):
            return vendor, path[len(prefix) :] or "/"
    return None


def _index(base_urls: Mapping[str, str]) -> RootIndex:
    """The roots by (scheme, host); never changed in place, so one may be shared."""
    return _index_of(tuple(base_urls.items()))


@functools.lru_cache(maxsize=64)
def _index_of(base_urls: tuple[tuple[str, str], ...]) -> RootIndex:
    index: RootIndex = {}
    for name, url in base_urls:
        parts = urlsplit(url)
        index.setdefault(_root_key(parts), []).append((parts.path.rstrip("/"), name))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def check_passthru(prefixes: object, where: str) -> tuple[str, ...]:
    """``passthru``: a list of URL prefixes (strings); FakeRunsError naming the form."""
    if isinstance(prefixes, str) or not isinstance(prefixes, Iterable):
        raise FakeRunsError(
            f"{where}: passthru is a list of URL prefixes, e.g. ['https://api.example.com/'], "
            f"not {prefixes!r}"
        )
    out = tuple(prefixes)
    for prefix in out:
        if not isinstance(prefix, str) or not prefix.startswith(("http://", "https://")):
            raise FakeRunsError(
                f"{where}: passthru entry {prefix!r} is not an http(s) URL prefix "
                "such as 'https://api.example.com/'"
            )
    return out


class Roots:
    """The vendors' roots by name; while served, the usual roots (refused) and the server."""

    def __init__(self, defaults: Mapping[str, str], passthru: Iterable[str] = ()) -> None:
        self._base_urls = {name: url.rstrip("/") for name, url in defaults.items()}
        self._index = _index(self._base_urls)
        self._moved: RootIndex = {}  # the usual roots, while served over HTTP
        self.passthru: tuple[str, ...] = check_passthru(passthru, "FakeRuns(passthru=...)")
        self.server_url: str | None = None  # the HTTP server's root while served
        self.in_process = True  # False while served over HTTP: requests then use the socket
        # URL -> its vendor Resolution, while the roots stay as they are (a client asks for
        # the same few URLs again and again); emptied whenever the roots change
        self._resolved: dict[str, Resolution] = {}

    def base_url(self, name: str) -> str:
        return self._base_urls[name]

    def set(self, base_urls: Mapping[str, str]) -> None:
        if not base_urls:
            return
        for name, url in base_urls.items():
            if name not in self._base_urls:
                raise FakeRunsError(
                    f"base_urls names unknown vendor {name!r}; known vendors: "
                    + ", ".join(self._base_urls)
                )
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FakeRunsError(f"base_urls[{name!r}] = {url!r} is not an absolute http(s) URL")
        self._base_urls.update({name: url.rstrip("/") for name, url in base_urls.items()})
        self._index = _index(self._base_urls)
        self._resolved = {}

    def locate(self, url: str | SplitResult) -> tuple[str, str] | None:
        """The vendor whose root ``url`` lies under, and the path below that root."""
        return _locate_in(self._index, urlsplit(url) if isinstance(url, str) else url)

    def resolve(self, method: str, url: str) -> Resolution:
        known = self._resolved.get(url)
        if known is not None:
            return known
        parts = urlsplit(url)
        if self.in_process:
            found = _locate_in(self._index, parts)
            if found is not None:
                resolution = Resolution(found[0], found[1], parts=parts)
                resolved = self._resolved
                if len(resolved) >= _RESOLVED_MAX:
                    resolved = self._resolved = {}  # a bound, refilled by the URLs in use
                resolved[url] = resolution
                return resolution
        elif self.server_url is not None and url.startswith(self.server_url + "/"):
            return Resolution()  # the fake's own server: over the socket
        moved = _locate_in(self._moved, parts) if self._moved else None
        if moved is not None:
            name = moved[0]
            return Resolution(
                refused=(
                    f"pytest-fakeruns: {name} is served at {self._base_urls[name]} during this "
                    f"test (fake_runs_server); {url} is not faked"
                )
            )
        if any(url.startswith(prefix) for prefix in self.passthru):
            return Resolution()
        return Resolution(refused=refusal(method, url))

    @contextlib.contextmanager
    def serving(self, roots: Mapping[str, str], server_url: str) -> Iterator[None]:
        """While served over HTTP: vendors at ``roots``, requests to ``server_url`` go to the
        socket, the usual roots are refused; everything restored on exit."""
        saved, saved_index = dict(self._base_urls), self._index
        saved_state = (self._moved, self.server_url, self.in_process)
        self.set(roots)
        self._moved, self.server_url, self.in_process = saved_index, server_url, False
        self._resolved = {}
        try:
            yield
        finally:
            self._base_urls, self._index = saved, saved_index
            self._moved, self.server_url, self.in_process = saved_state
            self._resolved = {}


def refusal(method: str, url: str) -> str:
    """The message every transport raises for a URL that is neither a vendor's nor let through."""
    return (
        f"pytest-fakeruns refused {method} {url}: it is not under a faked vendor root, and "
        "requests outside the vendors do not reach the network during a fake_runs test.\n"
        "- to let it through, list a URL prefix in @pytest.mark.fake_runs(passthru=[...]) or "
        "the ini option fakeruns_passthru (one prefix per line)\n"
        "- for requests, fake_runs.responses.add_passthru(prefix) works too, and "
        "fake_runs.responses.add(...) mocks it"
    )
