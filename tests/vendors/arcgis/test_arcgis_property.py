"""Whatever a client sends to ArcGIS, the fake answers 2xx (errors ride HTTP 200 in ArcGIS's
envelope, never a 5xx code inside it) or, for f=html, an HTML page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from tests._property import bodies, check_never_5xx, query_values

TASK = "3e5c0f1b9a7d4c2e8f6a1b0d9c8e7f65"
NAMES = ["f", "token", "start", "num", "status", "result"]

FAKE = FakeRuns(seed=31, progression="manual")
FAKE.clock.set(dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc))
RUNS = FAKE.arcgis.add_runs(25, task_id=TASK)
FAKE.arcgis.add_run(task_id="other")
RUN = RUNS[-1].id

PATHS = [
    ("GET", f"/system/tasks/{TASK}/runs"),
    ("POST", f"/system/tasks/{TASK}/runs"),
    ("GET", f"/system/tasks/{TASK}/runs/{RUN}"),
    ("POST", f"/system/tasks/{TASK}/runs/{RUN}"),
    ("POST", f"/system/tasks/{TASK}/runs/{RUN}/update"),
    ("GET", f"/system/tasks/{TASK}/runs/{RUN}/update"),
    ("GET", "/system/tasks/missing/runs"),
    ("POST", f"/system/tasks/other/runs/{RUN}/update"),
]
values = st.one_of(
    st.sampled_from(
        [
            "json",
            "pjson",
            "html",
            "xml",
            "t0k3n",
            "0",
            "5",
            "100",
            "1000",
            "scheduled",
            "executing",
            "succeeded",
            "failed",
            "skipped",
            "submitfailed",
        ]
    ),
    st.text(max_size=10),
)
fields = st.dictionaries(st.sampled_from(NAMES), values, max_size=5)
esri = st.one_of(
    st.none(),
    st.sampled_from(["Bearer t0k3n", "Bearer", "Basic eDp5", ""]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20),
)


def is_envelope(status: int, body: Any) -> bool:
    """Any JSON answer: a success document, or the error envelope with a non-5xx code (HTTP
    statuses other than 200 are raised only in front of the application: none here)."""
    if not isinstance(body, dict) or "error" not in body:
        return status == 200 and isinstance(body, dict)
    err = body["error"]
    return (
        status == 200
        and isinstance(err, dict)
        and list(err) == ["code", "message", "details"]
        and isinstance(err["code"], int)
        and 400 <= err["code"] < 500
        and isinstance(err["message"], str)
        and isinstance(err["details"], list)
    )


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_arcgis_never_answers_5xx(data: Any) -> None:
    method, path = data.draw(st.sampled_from(PATHS))
    query = data.draw(query_values(NAMES))
    form = data.draw(fields)
    # most requests get past auth and the format, so the parameters behind them are exercised
    params = form if method == "POST" else query
    if data.draw(st.integers(0, 3)):
        params["token"] = "t0k3n"
    if data.draw(st.integers(0, 3)):
        params["f"] = data.draw(st.sampled_from(["json", "pjson"]))
    body = None
    if method == "POST":
        body = data.draw(st.one_of(st.just(urlencode(form).encode()), bodies(NAMES)))
    head = {}
    header = data.draw(esri)
    if header is not None:
        head["X-Esri-Authorization"] = header

    check_never_5xx(FAKE, "arcgis", method, path, query, body, head, is_envelope)

    call = FAKE.calls[-1]
    assert call.status == 200
    content_type = call.response_headers["Content-Type"]
    if call.response_json is None:
        assert content_type == "text/html; charset=UTF-8"
    else:
        assert is_envelope(call.status, call.response_json), call.response_json
        assert content_type in ("application/json; charset=UTF-8", "text/plain; charset=UTF-8")
