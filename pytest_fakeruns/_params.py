"""Parameter parsing and date formats shared by vendor modules."""

from __future__ import annotations

import datetime as _dt
import re

_DIGITS = re.compile(r"[0-9]+\Z")
_ISO_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?\Z"
)


def parse_int(text: object) -> int | None:
    """A base-10 integer without sign or decimals (JSON ints too), else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if not isinstance(text, str) or not _DIGITS.match(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() accepts
        return None


def parse_bool(text: str) -> bool | None:
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    return None


def parse_instant(text: str) -> _dt.datetime | None:
    """An ISO 8601 instant (naive means UTC), else None."""
    if not _ISO_INSTANT.match(text):
        return None
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_dt.timezone.utc)
    try:
        return moment.astimezone(_dt.timezone.utc)
    except OverflowError:  # an offset that moves it past year 1 or 9999
        return None


def iso_seconds(moment: _dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    u = moment if moment.tzinfo is _dt.timezone.utc else moment.astimezone(_dt.timezone.utc)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def iso_millis(moment: _dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC."""
    utc = moment.astimezone(_dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def one_of(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(values)
