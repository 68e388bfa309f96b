from __future__ import annotations

from collections.abc import Iterator

# httpx imports httpcore on its first transport. Were that inside a pytester inline run,
# pytester would drop httpcore from sys.modules afterwards, and a later transport would raise
# exceptions of a second httpcore that httpx's exception map (built in that run) does not know:
# raw httpcore.ReadTimeout instead of httpx.ReadTimeout, depending on test order.
import httpcore  # noqa: F401
import pytest

from pytest_fakeruns import FakeRuns

from ._clients import TRANSPORTS, Api


@pytest.fixture(params=TRANSPORTS)
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    """The behaviour suite's client: every test using it runs over every transport.

    ``requests``, ``httpx`` and ``httpx-async`` talk to ``fake_runs`` in-process; ``server``
    uses plain ``requests`` against ``fake_runs_server`` over a real socket (the same fake, the
    vendor roots pointing at the server).
    """
    transport: str = request.param
    if transport == "server" and any(
        "base_urls" in marker.kwargs for marker in request.node.iter_markers("fake_runs")
    ):
        pytest.skip(
            "over the server every vendor root is <server url>/<vendor>: base_urls cannot apply"
        )
    name = "fake_runs_server" if transport == "server" else "fake_runs"
    fake: FakeRuns = request.getfixturevalue(name)
    api = Api(fake, transport)
    yield api
    api.close()
