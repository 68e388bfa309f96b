from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_fakeruns import FakeRuns

from ._clients import TRANSPORTS, Api


@pytest.fixture(params=TRANSPORTS)
def api(request: pytest.FixtureRequest, fake_runs: FakeRuns) -> Iterator[Api]:
    """The behaviour suite's client: every test using it runs over every transport."""
    yield Api(fake_runs, request.param)
