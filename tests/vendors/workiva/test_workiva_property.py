"""Whatever a client sends to Workiva, the fake answers 2xx or Workiva's own envelope."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from pytest_fakeruns.vendors.workiva.handlers import Cursor
from tests._property import bodies, check_never_5xx, headers, query_values

SCRIPT = "5f0c2a7e9d4b4e1c8a3f6b2d7e9c1a40"
LIST = f"/prototype/platform/scripts/{SCRIPT}/runs"

FAKE = FakeRuns(seed=21)
FAKE.clock.set(dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc))
FAKE.workiva.add_runs(30, script_id=SCRIPT)
FAKE.workiva.add_runs(5, script_id="other")

_ints = st.integers(min_value=-5, max_value=10**6)
# cursors in the right encoding with any field values, so validation past base64 is exercised
cursors = st.builds(
    lambda limit, offset, asof, script: Cursor(limit, offset, asof, script).encode(),
    _ints,
    _ints,
    _ints,
    st.sampled_from([SCRIPT, "other", "", "a&b=c", "é"]),
)
versions = st.one_of(
    st.none(), st.sampled_from(["2022-01-01", "2026-01-01", "2022-02-30", ""]), st.text(max_size=12)
)
IAM_ERRORS = ("invalid_request", "unauthorized_client", "invalid_scope")


def is_envelope(status: int, body: Any) -> bool:
    if status < 400:
        return True
    if not isinstance(body, dict):
        return False
    if body.get("error") in IAM_ERRORS and status in (400, 401):  # the token endpoint's own
        return isinstance(body.get("error_description"), str)
    code, message = body.get("code"), body.get("message")
    return isinstance(code, str) and code.startswith(str(status)) and isinstance(message, str)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_workiva_list_never_answers_5xx(data: Any) -> None:
    query = data.draw(query_values(["$maxpagesize", "$next", "%24maxpagesize", "other"]))
    if data.draw(st.booleans()):
        query["$next"] = data.draw(cursors)
    path = data.draw(
        st.sampled_from(
            [
                LIST,
                "/prototype/platform/scripts/other/runs",
                "/prototype/platform/scripts/missing/runs",
            ]
        )
    )
    head = data.draw(headers(["Bearer t0k3n", "bearer x", "Basic eDp5", "Bearer", ""]))
    version = data.draw(versions)
    head.pop("X-Version", None)
    if version is not None and version.isprintable():
        head["X-Version"] = version
    check_never_5xx(FAKE, "workiva", "GET", path, query, None, head, is_envelope)


form_fields = st.dictionaries(
    st.sampled_from(["grant_type", "client_id", "client_secret", "scope"]),
    st.one_of(
        st.sampled_from(["client_credentials", "file:read", "file:read file:write", ""]),
        st.text(max_size=12),
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_workiva_token_endpoint_never_answers_5xx(data: Any) -> None:
    body = data.draw(
        st.one_of(
            form_fields.map(lambda f: urlencode(f).encode()), bodies(["grant_type", "client_id"])
        )
    )
    head = data.draw(headers(["Bearer t0k3n"]))
    check_never_5xx(FAKE, "workiva", "POST", "/iam/v1/oauth2/token", {}, body, head, is_envelope)
    answer = FAKE.calls[-1]
    assert answer.status in (200, 400, 401), answer.response_json
    if answer.status == 200:
        assert list(answer.response_json) == ["access_token", "expires_in", "scope", "token_type"]
