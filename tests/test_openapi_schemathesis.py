"""Schemathesis against ``fake_runs_server`` with each vendor's own OpenAPI document.

Every operation gets ``EXAMPLES`` cases (half on stored parents and runs, the rest positive and
negative cases of the document as served), derandomized so CI sees the same ones each time,
and every answer must pass ``not_a_server_error``, ``response_schema_conformance``,
``status_code_conformance`` and ``content_type_conformance``. Credentials are real: a bearer or
Basic header, ArcGIS's ``X-Esri-Authorization``, and for Workiva a token its own token endpoint
issued. ``bench/schemathesis_run.py`` runs many more cases with every check.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_fakeruns import FakeRuns
from pytest_fakeruns.vendors import BUILTIN

from ._schemathesis_run import run_vendor

EXAMPLES = 25  # per operation; about 11 s for all five vendors (500 cases) on one core


@pytest.mark.parametrize("vendor", list(BUILTIN))
def test_schemathesis_finds_nothing(fake_runs_server: FakeRuns, vendor: str) -> None:
    vendor_fake = fake_runs_server.vendor(vendor)
    vendor_fake.add_runs(20)
    vendor_fake.add_runs(3, state="running")
    outcome = run_vendor(fake_runs_server, vendor, EXAMPLES)
    assert outcome.operations == len(vendor_fake.router.routes)
    assert outcome.examples >= EXAMPLES * outcome.operations
    assert outcome.failures == []
    # the cases reach stored data, not only the error answers
    assert any(status.startswith("2") for status in outcome.statuses), outcome.statuses


def test_the_checks_catch_a_document_that_drifted(fake_runs_server: FakeRuns) -> None:
    """The harness is live: a run schema the fake does not satisfy fails."""
    fake_runs_server.coalesce.add_runs(10)

    def drift(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"]["Run"]["required"].append("surprise")

    outcome = run_vendor(fake_runs_server, "coalesce", 10, stop_on_failure=False, edit=drift)
    assert any("GET /api/v1/runs/{runID}" in f for f in outcome.failures), outcome.failures
