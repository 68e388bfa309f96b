"""Deprecated routes: RFC 9745 ``Deprecation``, RFC 8594 ``Sunset``, 410 after the sunset."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from email.utils import format_datetime

from ._errors import FakeRunsError
from ._params import parse_instant
from ._paths import path_matches
from ._router import Route


def as_instant(value: object, what: str) -> _dt.datetime:
    """A timezone-aware UTC datetime from a datetime, a date or an ISO 8601 string."""
    moment: _dt.datetime
    if isinstance(value, _dt.datetime):
        moment = value
    elif isinstance(value, _dt.date):
        moment = _dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = parse_instant(value) or parse_instant(value + "T00:00")  # a date alone
        if parsed is None:
            raise FakeRunsError(
                f"{what} must be a datetime, a date or an ISO 8601 string, not {value!r}"
            )
        moment = parsed
    else:
        raise FakeRunsError(f"{what} must be a datetime, a date or an ISO 8601 string")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc)


@dataclass(frozen=True)
class Deprecation:
    deprecated_at: _dt.datetime
    sunset_at: _dt.datetime | None
    link: str | None
    path: str | None  # None: the vendor's list route(s)

    def covers(self, route: Route, path: str) -> bool:
        if self.path is None:
            return route.list_route
        return path_matches(self.path, path, route.template)

    def headers(self) -> dict[str, str]:
        head = {"Deprecation": f"@{int(self.deprecated_at.timestamp())}"}
        if self.sunset_at is not None:
            head["Sunset"] = format_datetime(self.sunset_at, usegmt=True)
        if self.link is not None:
            head["Link"] = f'<{self.link}>; rel="deprecation"'
        return head

    def gone(self, now: _dt.datetime) -> bool:
        return self.sunset_at is not None and now >= self.sunset_at
