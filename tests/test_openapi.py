"""The OpenAPI documents: valid 3.1, one operation per route, limits from the vendor modules,
run schemas that every serialised run satisfies, and ``fakeruns openapi``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
from openapi_spec_validator import validate

from pytest_fakeruns import FakeRuns, FakeRunsError, VendorDefinition
from pytest_fakeruns._cli import main
from pytest_fakeruns._faults import FAULT_STATUSES
from pytest_fakeruns._openapi import OpenApiSpec, document, spec_for
from pytest_fakeruns._registry import BUILTIN
from pytest_fakeruns.vendors.arcgis import handlers as arcgis_routes
from pytest_fakeruns.vendors.arcgis.definition import REAL_HTTP
from pytest_fakeruns.vendors.coalesce import handlers as coalesce
from pytest_fakeruns.vendors.kinetic import handlers as kinetic
from pytest_fakeruns.vendors.workiva import handlers as workiva_list

from ._vendors import BASIC

VENDORS = list(BUILTIN)


def _acme() -> type[VendorDefinition]:
    from fakeruns_acme import Acme

    cls: type[VendorDefinition] = Acme
    return cls


@pytest.fixture
def seeded() -> Iterator[FakeRuns]:
    fake = FakeRuns(seed=11)
    for vendor in fake.vendors.values():
        vendor.add_runs(40)
    yield fake


def _op(doc: dict[str, Any], method: str, template: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["paths"][template][method.lower()]
    return found


def _param(op: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op["parameters"] if p["name"] == name)


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for ``schema`` whose ``$ref`` resolve inside ``doc``."""
    root = {**doc, **schema}
    return jsonschema.Draft202012Validator(root)


def _component(doc: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    return _validator(doc, {"$ref": f"#/components/schemas/{name}"})


# -- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_document_is_valid_openapi_3_1(seeded: FakeRuns, vendor: str) -> None:
    doc = document(seeded, vendor)
    validate(doc)  # raises on any violation of the OpenAPI 3.1 schema
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": seeded.vendor(vendor).base_url}]
    json.dumps(doc)  # JSON-ready


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_route_has_operation_data_so_a_new_route_without_one_fails(vendor: str) -> None:
    fake = FakeRuns()
    vendor_fake = fake.vendor(vendor)
    spec = spec_for(vendor_fake)
    assert spec is not None
    routes = {(r.method, r.template) for r in vendor_fake.router.routes}
    assert routes == set(spec.operations), "every route needs an Operation, and only routes"
    doc = document(fake, vendor)
    for method, template in routes:
        op = _op(doc, method, template)
        assert "default" not in op["responses"]
        assert op["summary"]


def test_a_vendor_pack_without_data_gets_a_minimal_valid_document() -> None:
    fake = FakeRuns(vendors=[_acme()])
    doc = document(fake, "acme")
    validate(doc)
    assert set(doc["paths"]) == {r.template for r in fake.vendor("acme").router.routes}
    op = _op(doc, "GET", "/v1/runs/{runId}")
    assert op["responses"] == {
        "default": {"description": op["responses"]["default"]["description"]}
    }
    assert _param(op, "runId") == {
        "name": "runId",
        "in": "path",
        "schema": {"type": "string"},
        "required": True,
    }
    assert "components" not in doc


def test_a_definition_hook_returning_something_else_is_a_clear_error() -> None:
    class Odd(_acme()):  # type: ignore[misc]
        name = "odd"

        def openapi_operations(self) -> Any:
            return {"GET /v1/runs": {}}

    fake = FakeRuns(vendors=[Odd])
    with pytest.raises(FakeRunsError, match="returns an OpenApiSpec or None"):
        document(fake, "odd")


def test_a_definition_may_point_at_a_data_module() -> None:
    class Pointed(_acme()):  # type: ignore[misc]
        name = "pointed"
        openapi_module = "pytest_fakeruns.vendors.coalesce.openapi"

    spec = Pointed().openapi_operations()
    assert isinstance(spec, OpenApiSpec)
    assert ("GET", "/api/v1/runs") in spec.operations

    class Wrong(_acme()):  # type: ignore[misc]
        name = "wrong"
        openapi_module = "pytest_fakeruns._params"

    with pytest.raises(FakeRunsError, match="has no SPEC"):
        Wrong().openapi_operations()


def test_unknown_vendor_names_the_known_ones() -> None:
    with pytest.raises(FakeRunsError, match=r"known vendors: .*coalesce"):
        document(FakeRuns(), "nope")


# -- parameters and answers come from the vendor modules -----------------------------------------


def test_coalesce_list_parameters_reuse_the_handlers_constants() -> None:
    op = _op(document(FakeRuns(), "coalesce"), "GET", "/api/v1/runs")
    limit = _param(op, "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (
        1,
        coalesce.MAX_LIMIT,
        coalesce.DEFAULT_LIMIT,
    )
    assert _param(op, "orderBy")["schema"]["enum"] == list(coalesce.ORDER_BY)
    assert _param(op, "orderByDirection")["schema"]["enum"] == list(coalesce.DIRECTIONS)
    assert _param(op, "runStatus")["schema"]["enum"] == list(coalesce.STATUSES)
    assert op["security"] == [{"bearer": []}]


def test_every_route_documents_every_injectable_fault_with_retry_after() -> None:
    doc = document(FakeRuns(), "coalesce")
    for item in doc["paths"].values():
        for op in item.values():
            for status in FAULT_STATUSES:
                assert str(status) in op["responses"]
            for status in (429, 503):
                heads = op["responses"][str(status)]["headers"]
                assert heads["Retry-After"]["required"] is True
    cancel = _op(doc, "POST", "/scheduler/cancelRun")
    assert "content" not in cancel["responses"]["204"]


def test_workiva_list_is_deprecated_with_410_and_headers_and_token_endpoint_is_open() -> None:
    doc = document(FakeRuns(), "workiva")
    op = _op(doc, "GET", workiva_list.LIST_PATH)
    assert op["deprecated"] is True
    assert "410" in op["responses"]
    assert {"Deprecation", "Sunset", "X-Version"} <= set(op["responses"]["200"]["headers"])
    size = _param(op, "$maxpagesize")["schema"]
    assert (size["maximum"], size["default"]) == (workiva_list.MAX_PAGE, workiva_list.MAX_PAGE)
    token = _op(doc, "POST", "/iam/v1/oauth2/token")
    assert token["security"] == [{}]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == (
        "https://api.app.wdesk.com/iam/v1/oauth2/token"
    )


def test_a_route_deprecated_by_the_test_is_documented_so() -> None:
    fake = FakeRuns()
    fake.coalesce.deprecate("2026-01-01", sunset_at="2030-01-01")
    op = _op(document(fake, "coalesce"), "GET", "/api/v1/runs")
    assert op["deprecated"] is True and "410" in op["responses"]
    assert "deprecated" not in _op(document(fake, "coalesce"), "GET", "/api/v1/runs/{runID}")


def test_kinetic_documents_the_json_body_on_get_and_basic_auth() -> None:
    op = _op(document(FakeRuns(), "kinetic"), "GET", "/app/api/v1/sources/{SOURCE}/runs")
    assert _param(op, "limit")["schema"]["maximum"] == kinetic.MAX_LIMIT
    assert "application/json" in op["requestBody"]["content"]
    assert op["security"] == [{"basic": []}]


def test_without_require_auth_credentials_are_optional() -> None:
    fake = FakeRuns()
    fake.kinetic.require_auth = False
    op = _op(document(fake, "kinetic"), "GET", "/app/api/v1/sources/{SOURCE}/runs")
    assert op["security"] == [{"basic": []}, {}]


def test_arcgis_errors_ride_on_200_except_the_real_http_ones() -> None:
    doc = document(FakeRuns(), "arcgis")
    op = _op(doc, "GET", arcgis_routes.RUNS_PATH)
    statuses = {int(s) for s in op["responses"]}
    assert statuses == {200, *REAL_HTTP} - {410}  # 410: only once deprecated
    assert set(op["responses"]["200"]["content"]) == {"application/json", "text/plain", "text/html"}
    num = _param(op, "num")["schema"]
    assert num["minimum"] == 1 and str(arcgis_routes.MAX_NUM) in num["description"]


def test_enterprise_tester_checks_credentials_in_its_handlers() -> None:
    doc = document(FakeRuns(), "enterprise_tester")
    for item in doc["paths"].values():
        for op in item.values():
            assert "401" in op["responses"]
            assert op["security"] == [{"basic": []}, {"oauth1": []}]
    post = _op(doc, "POST", "/api/scriptassignment/{id}/runs")
    assert {"200", "201"} <= set(post["responses"])
    assert post["responses"]["201"]["headers"]["Location"]["required"] is True


def test_stored_parents_and_runs_are_path_parameter_examples(seeded: FakeRuns) -> None:
    op = _op(document(seeded, "kinetic"), "GET", "/app/api/v1/sources/{SOURCE}/runs/{RUN_ID}")
    sources = [e["value"] for e in _param(op, "SOURCE")["examples"].values()]
    assert sources == list(seeded.kinetic.store.parents)[:3]
    ids = [e["value"] for e in _param(op, "RUN_ID")["examples"].values()]
    assert all(seeded.kinetic.get(i) for i in ids)


def test_served_documents_name_the_server_root(fake_runs_server: FakeRuns) -> None:
    for name in VENDORS:
        doc = document(fake_runs_server, name)
        assert doc["servers"] == [{"url": f"{fake_runs_server.url}/{name}"}]


# -- the run schemas hold for every serialised run --------------------------------------------

RUN_COMPONENT = {
    "coalesce": "RunSummary",
    "workiva": "ScriptRun",
    "kinetic": "Run",
    "arcgis": "Run",
    "enterprise_tester": "ScriptRun",
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_seeded_runs_to_json_matches_the_documented_run(vendor: str) -> None:
    for seed in range(5):
        fake = FakeRuns(seed=seed)
        vendor_fake = fake.vendor(vendor)
        vendor_fake.add_runs(60)
        vendor_fake.add_runs(5, state="failed", reason="boom")
        vendor_fake.add_runs(5, state="canceled")
        check = _component(document(fake, vendor), RUN_COMPONENT[vendor])
        for run in vendor_fake.runs():
            errors = [e.message for e in check.iter_errors(run.to_json())]
            assert errors == [], (vendor, run.id, errors)


# requests through the in-process fake with each vendor's expansions, checked against the
# documented 200 body of that operation
ANSWERS = [
    ("coalesce", "GET", "/api/v1/runs", "/api/v1/runs?detail=true&limit=50", None),
    ("coalesce", "GET", "/api/v1/runs/{runID}", "/api/v1/runs/{run}", None),
    ("coalesce", "GET", "/scheduler/runStatus", "/scheduler/runStatus?runCounter={run}", None),
    (
        "kinetic",
        "GET",
        "/app/api/v1/sources/{SOURCE}/runs",
        "/app/api/v1/sources/{parent}/runs?include=tasks,tasks.messages",
        None,
    ),
    (
        "kinetic",
        "GET",
        "/app/api/v1/sources/{SOURCE}/runs/{RUN_ID}",
        "/app/api/v1/sources/{parent}/runs/{run}?include=tasks",
        None,
    ),
    (
        "enterprise_tester",
        "GET",
        "/api/scriptassignment/{id}/runs",
        "/api/scriptassignment/{parent}/runs?$inlinecount=allpages&$top=50"
        "&$expand=StepResults,Assignment,Widgets,FieldValues",
        None,
    ),
    (
        "enterprise_tester",
        "POST",
        "/api/scriptassignment/{id}/runs",
        "/api/scriptassignment/{parent}/runs?$expand=StepResults",
        "201",
    ),
    (
        "workiva",
        "GET",
        workiva_list.LIST_PATH,
        "/prototype/platform/scripts/{parent}/runs?$maxpagesize=5",
        None,
    ),
    ("arcgis", "GET", arcgis_routes.RUNS_PATH, "/system/tasks/{parent}/runs?f=json&num=100", None),
    ("arcgis", "POST", arcgis_routes.RUN_PATH, "/system/tasks/{parent}/runs/{run}?f=json", None),
]
HEADERS = {
    "coalesce": {"Authorization": "Bearer t"},
    "workiva": {"Authorization": "Bearer t"},
    "kinetic": {"Authorization": BASIC},
    "enterprise_tester": {"Authorization": BASIC},
    "arcgis": {"X-Esri-Authorization": "Bearer t"},
}


@pytest.mark.filterwarnings("ignore::pytest_fakeruns.DeprecatedEndpointWarning")
@pytest.mark.parametrize(
    ("vendor", "method", "template", "url", "status"),
    ANSWERS,
    ids=[f"{a[0]}-{a[1]}-{a[2]}" for a in ANSWERS],
)
def test_answers_match_the_documented_body(
    fake_runs: FakeRuns, vendor: str, method: str, template: str, url: str, status: str | None
) -> None:
    vendor_fake = fake_runs.vendor(vendor)
    runs = vendor_fake.add_runs(40)
    if vendor == "enterprise_tester":  # POST creates a run only when none is incomplete
        for run in runs:
            if not run.state.terminal:
                run.cancel()
    run = runs[-1]
    target = vendor_fake.base_url + url.format(parent=run.parent, run=run.id)
    answer = requests.request(method, target, headers=HEADERS[vendor], timeout=10)
    assert answer.status_code == int(status or 200)
    doc = document(fake_runs, vendor)
    media = answer.headers["Content-Type"].split(";")[0]
    schema = _op(doc, method, template)["responses"][status or "200"]["content"][media]
    errors = [e.message for e in _validator(doc, schema["schema"]).iter_errors(answer.json())]
    assert errors == []
    if "error" in answer.json():  # ArcGIS's envelope would satisfy its anyOf too
        pytest.fail(f"an error answer: {answer.json()}")


def test_the_run_schema_rejects_drift() -> None:
    """The schemas are closed: a field the document does not know is an error."""
    fake = FakeRuns(seed=1)
    run = fake.coalesce.add_run()
    check = _component(document(fake, "coalesce"), "RunSummary")
    assert check.is_valid(run.to_json())
    assert not check.is_valid({**run.to_json(), "surprise": 1})
    assert not check.is_valid({**run.to_json(), "runStatus": "done"})


# -- the command -------------------------------------------------------------------------------


def test_cli_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "coalesce"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == document(FakeRuns(), "coalesce")


def test_cli_base_url_sets_servers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "workiva", "--base-url", "http://127.0.0.1:9/workiva"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["servers"] == [{"url": "http://127.0.0.1:9/workiva"}]


def test_cli_unknown_vendor_exits_2_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["openapi", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown vendor 'nope'" in err
    for name in VENDORS:
        assert name in err


def test_cli_knows_installed_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "acme"]) == 0
    assert "/v1/runs/{runId}" in json.loads(capsys.readouterr().out)["paths"]
    assert main(["openapi", "acme", "--no-packs"]) == 2


def test_kinetic_run_tree_examples_are_the_sources_known_trees(seeded: FakeRuns) -> None:
    op = _op(document(seeded, "kinetic"), "POST", "/app/api/v1/run-tree/{SOURCE}/{GROUP}/{TREE}")
    source = next(iter(seeded.kinetic.store.parents.values()))
    groups = [e["value"] for e in _param(op, "GROUP")["examples"].values()]
    trees = [e["value"] for e in _param(op, "TREE")["examples"].values()]
    assert {(g, t) for g, t in source.data["trees"]} <= {(g, t) for g in groups for t in trees}
