"""Shared parsing gives the same answers on every supported Python (3.10's fromisoformat is
narrower than 3.11's, so none of this may depend on it)."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_fakeruns import FakeRunsError
from pytest_fakeruns._deprecation import as_instant
from pytest_fakeruns._params import parse_instant, parse_int

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T10:00:00Z", dt.datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02T10:00:00.5Z", dt.datetime(2026, 3, 2, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-02T10:00:00.123456789Z", dt.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-02T10:00", dt.datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02 10:00:00", dt.datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02T10:00:00+0530", dt.datetime(2026, 3, 2, 4, 30, tzinfo=UTC)),
        ("2026-03-02T10:00:00-05:00", dt.datetime(2026, 3, 2, 15, tzinfo=UTC)),
    ],
)
def test_instants(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-03-02",
        "2026-02-30T10:00:00Z",
        "2026-03-02T24:00:00Z",
        "20260302T100000Z",
        "2026-03-02T10:00:00+24:00",
        "9999-12-31T23:59:59-23:59",
        "yesterday",
        "2026-W10-1",
    ],
)
def test_not_instants(text: str) -> None:
    assert parse_instant(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25", 25),
        ("0", 0),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        (" 1", None),
        ("1e3", None),
        ("", None),
        ("9" * 5000, None),
        (7, 7),
        (True, None),
    ],
)
def test_integers(text: object, expected: int | None) -> None:
    assert parse_int(text) == expected


def test_python_api_instants() -> None:
    assert as_instant("2027-01-31", "sunset_at") == dt.datetime(2027, 1, 31, tzinfo=UTC)
    assert as_instant(dt.date(2027, 1, 31), "x") == dt.datetime(2027, 1, 31, tzinfo=UTC)
    assert as_instant(dt.datetime(2027, 1, 31, 1), "x") == dt.datetime(2027, 1, 31, 1, tzinfo=UTC)
    with pytest.raises(FakeRunsError, match="sunset_at must be a datetime, a date or an ISO"):
        as_instant("next week", "sunset_at")
