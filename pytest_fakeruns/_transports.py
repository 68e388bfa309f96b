"""Install every in-process transport the environment has; heavy imports happen here only."""

from __future__ import annotations

import contextlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import responses

    from ._fake import FakeRuns


def httpx_available() -> bool:
    return importlib.util.find_spec("httpx") is not None


def install_all(fake: FakeRuns, stack: contextlib.ExitStack) -> responses.RequestsMock:
    from . import _transport_responses

    mock = _transport_responses.install(fake)
    stack.callback(mock.stop, allow_assert=False)
    if httpx_available():
        from . import _transport_httpx

        stack.enter_context(_transport_httpx.installed(fake))
    return mock
