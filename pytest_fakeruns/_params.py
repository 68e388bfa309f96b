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
    """An ISO 8601 instant (naive means UTC), else None.

    Built from the pattern's groups rather than ``datetime.fromisoformat``, whose accepted
    forms differ between Python 3.10 and 3.11 (fraction lengths, ``Z``, ``+0000``).
    """
    found = _ISO_INSTANT.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    offset = _dt.timedelta(0)
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if zone[0] == "-":
            offset = -offset
    try:
        local = _dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            tzinfo=_dt.timezone(offset),
        )
        return local.astimezone(_dt.timezone.utc)
    except (ValueError, OverflowError):  # a day that does not exist, an offset past 9999
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
