"""The control plane over real HTTP: every admin route, its errors, and the access policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._control import ControlPlane, is_loopback
from pytest_fakeruns._http import Request
from pytest_fakeruns._server import FakeRunsServer, serving

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 10.0

pytestmark = pytest.mark.fake_runs(seed=11, progression="manual")


class Admin:
    """``requests`` against ``<url>/__fakeruns/api``."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.root = url
        self.base = url + "/__fakeruns/api"
        self.headers = headers or {}

    def __call__(
        self, method: str, path: str = "", body: Any = None, **kw: Any
    ) -> requests.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return requests.request(
            method, self.base + path, json=body, headers=headers, timeout=BOUND, **kw
        )


@pytest.fixture
def admin(fake_runs_server: FakeRuns) -> Admin:
    return Admin(fake_runs_server.url)


def error_of(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert isinstance(message, str)
    return message


# -- state, clock, reset ---------------------------------------------------------------------


def test_state_names_seed_now_progression_and_every_vendor(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    fake_runs_server.coalesce.add_runs(3)
    state = admin("GET").json()
    assert state["seed"] == 11
    assert state["progression"] == "manual"
    now = dt.datetime.fromisoformat(state["now"])
    assert abs((now - fake_runs_server.clock.now()).total_seconds()) < 5
    assert state["vendors"]["coalesce"] == {
        "base_url": fake_runs_server.url + "/coalesce",
        "runs": 3,
        "deprecations": [],
    }
    assert set(state["vendors"]) == set(fake_runs_server.vendors)
    # the Workiva list endpoint is deprecated by default
    assert state["vendors"]["workiva"]["deprecations"][0]["path"] is None


def test_clock_advance_and_set(fake_runs_server: FakeRuns, admin: Admin) -> None:
    before = fake_runs_server.clock.now()
    answer = admin("POST", "/clock", {"advance": 3600})
    assert answer.status_code == 200
    moved = dt.datetime.fromisoformat(answer.json()["now"])
    assert 3595 < (moved - before).total_seconds() < 3700
    answer = admin("POST", "/clock", {"set": "2030-01-02T03:04:05Z"})
    assert answer.json()["now"].startswith("2030-01-02T03:04:0")
    assert fake_runs_server.clock.now().year == 2030


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance": 1, "set": "2030-01-01T00:00:00Z"},
        {"forward": 5},
        {"advance": "soon"},
        {"advance": -5},
        {"set": "yesterday"},
    ],
)
def test_bad_clock_bodies_are_400_and_move_nothing(
    fake_runs_server: FakeRuns, admin: Admin, body: dict[str, Any]
) -> None:
    before = fake_runs_server.clock.now()
    error_of(admin("POST", "/clock", body), 400)
    assert (fake_runs_server.clock.now() - before).total_seconds() < 5


def test_reset_empties_the_fake(fake_runs_server: FakeRuns, admin: Admin) -> None:
    fake_runs_server.coalesce.add_runs(2)
    admin("POST", "/faults", {"status": 500})
    answer = admin("POST", "/reset")
    assert answer.status_code == 204 and answer.content == b""
    assert fake_runs_server.coalesce.runs() == []
    assert admin("GET", "/faults").json() == []
    r = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND
    )
    assert r.status_code == 200


# -- runs ------------------------------------------------------------------------------------


def test_add_one_run_with_canonical_and_vendor_fields(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    answer = admin(
        "POST",
        "/vendors/coalesce/runs",
        {"state": "running", "environment_id": "7", "runType": "deploy"},
    )
    assert answer.status_code == 201
    run = answer.json()
    assert set(run) == {
        "id",
        "vendor",
        "state",
        "status",
        "created_at",
        "started_at",
        "ended_at",
        "json",
    }
    assert run["vendor"] == "coalesce" and run["state"] == "running"
    assert run["status"] == "running" and run["ended_at"] is None
    assert run["json"]["runType"] == "deploy"
    assert run["json"] == fake_runs_server.coalesce.get(run["id"]).to_json()
    shown = requests.get(
        f"{fake_runs_server.coalesce.base_url}/api/v1/runs/{run['id']}", headers=AUTH, timeout=BOUND
    )
    assert shown.json()["runStatus"] == "running"


def test_add_count_seeded_runs_and_list_newest_first(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    answer = admin("POST", "/vendors/kinetic/runs", {"count": 4})
    assert answer.status_code == 201
    made = answer.json()
    assert len(made) == 4
    listed = admin("GET", "/vendors/kinetic/runs").json()
    assert [r["id"] for r in listed] == [r.id for r in fake_runs_server.kinetic.runs()]
    assert {r["id"] for r in listed} == {r["id"] for r in made}
    one = admin("GET", f"/vendors/kinetic/runs/{listed[0]['id']}").json()
    assert one == listed[0]


@pytest.mark.parametrize(
    "body",
    [
        {"count": 3, "bogus": 1},  # unknown field with count: nothing created
        {"count": 3, "state": "exploded"},  # unknown state
        {"bogus": 1},
        {"state": "exploded"},
        {"count": -1},
        {"count": "three"},
        {"count": 2, "runID": 5},  # two runs with one id
    ],
)
def test_bad_run_bodies_are_400_and_create_nothing(
    fake_runs_server: FakeRuns, admin: Admin, body: dict[str, Any]
) -> None:
    message = error_of(admin("POST", "/vendors/coalesce/runs", body), 400)
    assert message
    assert fake_runs_server.coalesce.runs() == []
    assert fake_runs_server.coalesce.parent("7") is None


def test_unknown_state_message_lists_the_allowed_words(admin: Admin) -> None:
    message = error_of(admin("POST", "/vendors/coalesce/runs", {"state": "exploded"}), 400)
    assert "unknown state 'exploded'" in message and "running" in message


def test_a_body_that_is_not_a_json_object_is_400(admin: Admin) -> None:
    assert "not JSON" in error_of(
        admin(
            "POST",
            "/vendors/coalesce/runs",
            data=b"{nope",
            headers={"Content-Type": "application/json"},
        ),
        400,
    )
    assert "JSON object" in error_of(admin("POST", "/vendors/coalesce/runs", [1, 2]), 400)


def test_unknown_vendor_and_run_are_404(admin: Admin) -> None:
    message = error_of(admin("GET", "/vendors/nope/runs"), 404)
    assert "unknown vendor 'nope'" in message and "coalesce" in message
    assert "no run with id '999'" in error_of(admin("GET", "/vendors/coalesce/runs/999"), 404)
    assert error_of(admin("POST", "/vendors/coalesce/runs/999/fail"), 404)


def test_run_actions_move_the_run_through_the_core(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    seen: list[tuple[str, str]] = []
    run = fake_runs_server.coalesce.add_run()
    base = f"/vendors/coalesce/runs/{run.id}"
    assert admin("POST", base + "/advance").json()["state"] == "running"
    assert admin("POST", base + "/hold").json()["state"] == "running"
    assert admin("POST", base + "/release").json()["state"] == "running"
    failed = admin("POST", base + "/fail", {"reason": "disk full"}).json()
    assert failed["state"] == "failed" and failed["ended_at"] is not None
    assert run.state == "failed" and run.reason == "disk full"
    seen.append(("fail", failed["status"]))

    other = fake_runs_server.coalesce.add_run()
    shown = admin(
        "POST", f"/vendors/coalesce/runs/{other.id}/advance_to", {"state": "completed"}
    ).json()
    assert shown["state"] == "completed" and other.state == "completed"
    third = fake_runs_server.coalesce.add_run()
    assert admin("POST", f"/vendors/coalesce/runs/{third.id}/cancel").json()["state"] == "canceled"
    assert seen == [("fail", "failed")]


def test_an_illegal_move_is_409_with_the_python_words(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    run = fake_runs_server.coalesce.add_run(state="completed")
    message = error_of(admin("POST", f"/vendors/coalesce/runs/{run.id}/cancel"), 409)
    assert message.startswith(f"cannot cancel coalesce run {run.id!r}")
    assert "allowed moves" in message


def test_bad_action_bodies(fake_runs_server: FakeRuns, admin: Admin) -> None:
    run = fake_runs_server.coalesce.add_run()
    base = f"/vendors/coalesce/runs/{run.id}"
    assert "unknown state" in error_of(
        admin("POST", base + "/advance_to", {"state": "exploded"}), 400
    )
    assert error_of(admin("POST", base + "/advance_to", {}), 400)
    assert "unknown advance body key" in error_of(
        admin("POST", base + "/advance", {"steps": 2}), 400
    )
    assert error_of(admin("POST", base + "/fail", {"reason": 5}), 400)
    assert "unknown run action 'explode'" in error_of(admin("POST", base + "/explode"), 404)
    assert run.state == "waitingToRun"


def test_deprecate_through_the_api(fake_runs_server: FakeRuns, admin: Admin) -> None:
    answer = admin(
        "POST",
        "/vendors/coalesce/deprecate",
        {
            "deprecated_at": "2026-01-01T00:00:00Z",
            "sunset_at": "2099-01-01",
            "link": "https://example.test/deprecation",
        },
    )
    assert answer.status_code == 204
    r = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND
    )
    since = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert r.headers["Deprecation"] == f"@{int(since.timestamp())}"
    assert 'rel="deprecation"' in r.headers["Link"]
    shown = admin("GET").json()["vendors"]["coalesce"]["deprecations"]
    assert shown[0]["link"] == "https://example.test/deprecation"
    assert error_of(admin("POST", "/vendors/coalesce/deprecate", {"sunset_at": "2099"}), 400)
    assert error_of(
        admin("POST", "/vendors/coalesce/deprecate", {"deprecated_at": "whenever"}), 400
    )
    assert error_of(
        admin("POST", "/vendors/coalesce/deprecate", {"deprecated_at": "2026-01-01", "when": 1}),
        400,
    )


# -- faults ----------------------------------------------------------------------------------


def test_inject_a_429_list_it_with_hits_and_remove_it(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    answer = admin(
        "POST", "/faults", {"status": 429, "vendor": "coalesce", "times": 2, "retry_after": 7}
    )
    assert answer.status_code == 201
    fault = answer.json()
    assert fault == {
        "id": fault["id"],
        "hits": 0,
        "active": True,
        "status": 429,
        "vendor": "coalesce",
        "times": 2,
        "retry_after": 7,
    }
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    r = requests.get(url, headers=AUTH, timeout=BOUND)
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    listed = admin("GET", "/faults").json()
    assert [(f["id"], f["hits"]) for f in listed] == [(fault["id"], 1)]
    assert admin("DELETE", f"/faults/{fault['id']}").status_code == 204
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 200
    assert admin("GET", "/faults").json() == []
    assert "no fault with id" in error_of(admin("DELETE", f"/faults/{fault['id']}"), 404)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"status": 418}, "status must be one of"),
        ({"status": 429, "vendor": "nope"}, "vendor must be one of"),
        ({"status": 429, "vendr": "coalesce"}, "unknown fault key(s) 'vendr'"),
        ({"error": "explode"}, "error must be one of"),
        ({}, "exactly one of"),
        ({"status": 429, "vendor": "coalesce", "path": "/nowhere"}, "matches no route"),
    ],
)
def test_bad_faults_are_400_and_inject_nothing(
    fake_runs_server: FakeRuns, admin: Admin, body: dict[str, Any], words: str
) -> None:
    assert words in error_of(admin("POST", "/faults", body), 400)
    assert admin("GET", "/faults").json() == []
    r = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND
    )
    assert r.status_code == 200


def test_a_fault_injected_from_python_shows_once_it_answers(
    fake_runs_server: FakeRuns, admin: Admin
) -> None:
    fake_runs_server.inject(status=503, vendor="coalesce", times=1)
    requests.get(fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND)
    calls = admin("GET", "/calls").json()
    assert calls[-1]["fault"] is not None
    listed = admin("GET", "/faults").json()
    assert [(f["id"], f["status"], f["hits"]) for f in listed] == [(calls[-1]["fault"], 503, 1)]


# -- the journal -----------------------------------------------------------------------------


def test_calls_in_order_with_filters(fake_runs_server: FakeRuns, admin: Admin) -> None:
    run = fake_runs_server.coalesce.add_run()
    base = fake_runs_server.coalesce.base_url
    requests.get(base + "/api/v1/runs?limit=5", headers=AUTH, timeout=BOUND)
    requests.get(f"{base}/api/v1/runs/{run.id}", headers=AUTH, timeout=BOUND)
    requests.post(fake_runs_server.workiva.base_url + "/iam/v1/oauth2/token", timeout=BOUND)
    calls = admin("GET", "/calls").json()
    assert [c["vendor"] for c in calls] == ["coalesce", "coalesce", "workiva"]
    assert set(calls[0]) == {"vendor", "method", "url", "path", "query", "status", "fault", "delay"}
    assert calls[0]["query"] == {"limit": "5"} and calls[0]["path"] == "/api/v1/runs"
    assert calls[0]["status"] == 200 and calls[0]["fault"] is None
    assert calls[0]["delay"] == 0.0
    one = admin(
        "GET",
        "/calls",
        params={"vendor": "coalesce", "method": "get", "path": "/api/v1/runs/{runID}"},
    ).json()
    assert [c["path"] for c in one] == [f"/api/v1/runs/{run.id}"]
    assert admin("GET", "/calls", params={"vendor": "coalesce", "path": ""}).json() == calls[:2]
    assert "unknown calls filter key" in error_of(admin("GET", "/calls?status=200"), 400)
    assert error_of(admin("GET", "/calls?vendor=nope"), 404)
    # control requests are not vendor calls
    assert len(fake_runs_server.calls) == 3


# -- routing and documents -------------------------------------------------------------------


def test_unknown_routes_and_methods(fake_runs_server: FakeRuns, admin: Admin) -> None:
    assert error_of(admin("GET", "/nothing"), 404)
    assert error_of(admin("POST", ""), 405)
    assert error_of(
        requests.get(fake_runs_server.url + "/__fakeruns/elsewhere", timeout=BOUND), 404
    )
    assert admin("DELETE", "/reset").headers["Allow"] == "POST"
    assert error_of(admin("POST", "/reset", {"everything": True}), 400)


def test_dashboard_and_its_redirect(fake_runs_server: FakeRuns) -> None:
    page = requests.get(fake_runs_server.url + "/__fakeruns/", timeout=BOUND)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<script>" in page.text and "http" not in page.text.split("<body>")[1].replace(
        "http://", ""
    ).lower().replace("https", "")  # no external asset
    assert "src=" not in page.text and "<link" not in page.text
    moved = requests.get(fake_runs_server.url + "/__fakeruns", timeout=BOUND, allow_redirects=False)
    assert moved.status_code == 308 and moved.headers["Location"] == "/__fakeruns/"


def test_openapi_route_serves_each_vendors_document(fake_runs_server: FakeRuns) -> None:
    for name, vendor in fake_runs_server.vendors.items():
        doc = requests.get(
            f"{fake_runs_server.url}/__fakeruns/openapi/{name}.json", timeout=BOUND
        ).json()
        assert doc["openapi"].startswith("3.1")
        assert doc["servers"][0]["url"] == vendor.base_url  # the served root
    assert "unknown vendor" in error_of(
        requests.get(fake_runs_server.url + "/__fakeruns/openapi/nope.json", timeout=BOUND), 404
    )
    assert error_of(
        requests.get(fake_runs_server.url + "/__fakeruns/openapi/coalesce", timeout=BOUND), 404
    )


# -- the access policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.test", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _ask(plane: ControlPlane, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = plane.answer(Request("GET", "http://h/__fakeruns/api", headers), "/__fakeruns/api")
    return response.status, response.json


def test_beyond_loopback_without_a_token_the_control_plane_is_off() -> None:
    plane = ControlPlane(FakeRuns(seed=1), enabled=False)
    status, body = _ask(plane)
    assert status == 404 and "--admin-token" in body["error"]
    page = plane.answer(Request("GET", "http://h/__fakeruns/"), "/__fakeruns/")
    assert page.status == 404


def test_with_a_token_every_control_request_needs_it() -> None:
    plane = ControlPlane(FakeRuns(seed=1), token="s3cret", enabled=False)
    assert _ask(plane)[0] == 401
    assert _ask(plane, {"Authorization": "Bearer wrong"})[0] == 401
    assert _ask(plane, {"Authorization": "Basic s3cret"})[0] == 401
    status, body = _ask(plane, {"Authorization": "Bearer s3cret"})
    assert status == 200 and body["seed"] == 1
    unauthorized = plane.answer(Request("GET", "http://h/__fakeruns/"), "/__fakeruns/")
    assert unauthorized.status == 401 and "Bearer" in unauthorized.headers["WWW-Authenticate"]


def test_a_server_with_a_token_checks_it_and_leaves_vendor_routes_alone() -> None:
    fake = FakeRuns(seed=2)
    with serving(fake, admin_token="s3cret") as server:
        admin = Admin(server.url)
        assert error_of(admin("GET"), 401)
        assert admin("POST", "/vendors/coalesce/runs", {}).status_code == 401
        assert fake.coalesce.runs() == []
        admin.headers = {"Authorization": "Bearer s3cret"}
        assert admin("POST", "/vendors/coalesce/runs", {}).status_code == 201
        r = requests.get(fake.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND)
        assert r.status_code == 200 and len(r.json()["data"]) == 1


def test_a_server_on_loopback_is_open_and_the_policy_follows_the_bind_address() -> None:
    fake = FakeRuns(seed=2)
    server = FakeRunsServer(fake, "127.0.0.1", 0)
    try:
        assert server.control.enabled is True and server.control.token is None
    finally:
        server.stop()
    # bound beyond loopback the plane is built off; not bound here (no outside traffic)
    assert ControlPlane(fake, enabled=is_loopback("0.0.0.0")).enabled is False


def test_an_empty_token_is_refused() -> None:
    from pytest_fakeruns import FakeRunsError

    with pytest.raises(FakeRunsError, match="non-empty"):
        ControlPlane(FakeRuns(seed=1), token="")
