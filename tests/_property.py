"""A reusable Hypothesis property: whatever the client sends, the fake answers 2xx or the
vendor's own 4xx envelope, never an uninjected 5xx and never a Python traceback.

Each vendor's test module calls :func:`check_never_5xx` from a ``@given`` test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._http import Request

# printable text plus the characters that break naive parsers
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_text, inner, max_size=4)),
    max_leaves=10,
)


def query_values(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of ``names`` with any text (numbers, signs, huge values, unicode)."""
    value = st.one_of(
        _text,
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.sampled_from(["", "0", "-1", "1.5", "true", "TRUE", "null", "2026-03-02T10:00:00Z"]),
    )
    return (
        st.dictionaries(st.sampled_from(names), value, max_size=len(names))
        if names
        else st.just({})
    )


def bodies(json_fields: list[str]) -> st.SearchStrategy[bytes | None]:
    """No body, raw bytes, any JSON, or objects using the route's own field names."""
    named = st.dictionaries(st.sampled_from(json_fields or ["x"]), _json, max_size=4)
    return st.one_of(
        st.none(),
        st.binary(max_size=40),
        _json.map(lambda v: json.dumps(v).encode()),
        named.map(lambda v: json.dumps(v).encode()),
    )


def headers(auth_values: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any Authorization header (or none) plus noise headers."""
    header_text = st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40
    )
    auth = st.one_of(st.none(), st.sampled_from(auth_values), header_text)
    return st.builds(
        lambda a, v, ct: {
            k: x
            for k, x in (("Authorization", a), ("X-Version", v), ("Content-Type", ct))
            if x is not None
        },
        auth,
        st.one_of(st.none(), header_text),
        st.one_of(
            st.none(),
            st.sampled_from(
                ["application/json", "text/plain", "application/x-www-form-urlencoded"]
            ),
        ),
    )


def check_never_5xx(
    fake: FakeRuns,
    vendor: str,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes | None,
    head: dict[str, str],
    is_envelope: Callable[[int, Any], bool],
) -> None:
    """Send one request through the core and check the property."""
    from urllib.parse import urlencode

    url = fake.vendor(vendor).base_url + path
    if query:
        url += "?" + urlencode(query)
    response = fake.handle(Request(method, url, head, body))
    assert response is not None
    assert response.error is None
    assert 200 <= response.status < 500, (response.status, response.body[:300])
    if response.status >= 400 or (response.json is not None and is_envelope(200, response.json)):
        parsed = json.loads(response.body) if response.body else None
        assert is_envelope(response.status, parsed), (response.status, response.body[:300])


Route = tuple[str, str, list[str], list[str]]  # method, path, query names, body fields


def check_drawn(
    data: st.DataObject,
    fake: FakeRuns,
    vendor: str,
    routes: list[Route],
    auth_values: list[str],
    is_envelope: Callable[[int, Any], bool],
) -> None:
    """Draw a route, query, body and headers, and check the property on that request."""
    method, path, names, fields = data.draw(st.sampled_from(routes))
    check_never_5xx(
        fake,
        vendor,
        method,
        path,
        data.draw(query_values(names)),
        data.draw(bodies(fields)),
        data.draw(headers(auth_values)),
        is_envelope,
    )
