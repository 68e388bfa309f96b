"""Schemathesis against a served fake, driven through its Python API (shared by the suite's
bounded test and ``bench/schemathesis_run.py``)."""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err, Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pytest_fakeruns import DeprecatedEndpointWarning, FakeRuns
from pytest_fakeruns._openapi import document

BASIC = "Basic dXNlcjpwYXNz"  # user:pass

CHECKS: list[Callable[..., Any]] = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]


# the members typed as GenerationMode (mypy reads the class body's string values as str)
POSITIVE = GenerationMode("positive")
NEGATIVE = GenerationMode("negative")


def _operation(result: Ok[Any] | Err[Any]) -> Any:
    """The operation a schema result holds; a document schemathesis cannot read fails here."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


def credentials(fake: FakeRuns, vendor: str) -> dict[str, str]:
    """Valid credentials for ``vendor``; Workiva's is a token its own endpoint issued."""
    if vendor == "workiva":
        root = fake.vendor("workiva").base_url
        answer = requests.post(
            root + "/iam/v1/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": "id", "client_secret": "s"},
            timeout=10,
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}
    if vendor == "arcgis":
        return {"X-Esri-Authorization": "Bearer t0k3n"}
    if vendor in ("kinetic", "enterprise_tester"):
        return {"Authorization": BASIC}
    return {"Authorization": "Bearer t0k3n"}


def stored_document(fake: FakeRuns, vendor: str) -> dict[str, Any]:
    """The served document with each path parameter that lists stored parents or runs as
    examples narrowed to them, so generated cases reach stored data (the document itself,
    unchanged, makes the cases for unknown ones)."""
    doc = copy.deepcopy(document(fake, vendor))
    for item in doc["paths"].values():
        for op in item.values():
            for p in op.get("parameters", []):
                examples = p.pop("examples", None)
                if examples:
                    p["schema"] = {"enum": [e["value"] for e in examples.values()]}
    return doc


@dataclasses.dataclass
class Outcome:
    vendor: str
    operations: int = 0
    examples: int = 0
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)
    media: Counter[str] = dataclasses.field(default_factory=Counter)
    failures: list[str] = dataclasses.field(default_factory=list)  # distinct, in order
    findings: Counter[str] = dataclasses.field(default_factory=Counter)  # "<op>: <title>"

    def record(self, label: str, exc: BaseException) -> None:
        text = f"{label}: {type(exc).__name__}: {exc}"
        if text not in self.failures:
            self.failures.append(text)
        titles = [
            line.strip()[2:] for line in str(exc).splitlines() if line.strip().startswith("- ")
        ] or [type(exc).__name__]
        for title in titles:
            self.findings[f"{label}: {title}"] += 1


def run_vendor(
    fake: FakeRuns,
    vendor: str,
    examples: int,
    checks: Sequence[Callable[..., Any]] | None = None,
    stop_on_failure: bool = True,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Outcome:
    """Every operation of ``vendor``'s document, ``examples`` cases each (positive and
    negative), against the served fake; failures are collected, or raised at the first one.
    ``edit`` changes the documents before use (a test that the checks catch drift)."""
    base_url = fake.vendor(vendor).base_url
    docs = [document(fake, vendor), stored_document(fake, vendor)]
    for doc in docs:
        if edit is not None:
            edit(doc)
    schema = schemathesis.openapi.from_dict(docs[0])
    stored = {
        op.label: op
        for op in map(_operation, schemathesis.openapi.from_dict(docs[1]).get_all_operations())
    }
    auth = credentials(fake, vendor)
    outcome = Outcome(vendor)
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = _operation(result)
        outcome.operations += 1
        known = stored[operation.label].as_strategy(generation_mode=POSITIVE, headers=dict(auth))
        strategy = st.one_of(  # half of the cases on stored parents and runs
            known,
            known,
            operation.as_strategy(generation_mode=POSITIVE, headers=dict(auth)),
            operation.as_strategy(generation_mode=NEGATIVE, headers=dict(auth)),
        )

        label = operation.label

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=strategy)
        def probe(case: Any) -> None:
            outcome.examples += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecatedEndpointWarning)
                response = case.call(base_url=base_url, session=session, timeout=30)
            outcome.statuses[str(response.status_code)] += 1
            media = (response.headers.get("content-type") or ["none"])[0].split(";")[0]
            outcome.media[media] += 1
            try:
                case.validate_response(response, checks=list(checks or CHECKS))
            except (Exception, FailureGroup) as exc:  # FailureGroup: a BaseExceptionGroup
                if stop_on_failure:
                    raise
                outcome.record(label, exc)  # noqa: B023

        try:
            probe()
        except (Exception, FailureGroup) as exc:  # what hypothesis found, shrunk
            if stop_on_failure:
                raise
            outcome.record(label, exc)
    session.close()
    return outcome
