"""Per-test settings: marker over command line over ini over defaults."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import FakeRunsError
from ._fake import PROGRESSIONS
from ._roots import check_passthru

MARKER_KEYS = (
    "seed",
    "progression",
    "base_urls",
    "strict",
    "instant_sleep",
    "faults",
    "passthru",
    "chaos",
)


@dataclass
class Settings:
    seed: int
    progression: str = "time"
    base_urls: dict[str, str] = field(default_factory=dict)
    strict: bool = True
    instant_sleep: bool = False
    faults: list[dict[str, Any]] = field(default_factory=list)
    passthru: list[str] = field(default_factory=list)  # URL prefixes let through
    chaos: dict[str, Any] | None = None  # chaos() keywords; None: no chaos


def node_seed(nodeid: str) -> int:
    """A stable seed from the test's node id (not Python's salted ``hash()``)."""
    return int.from_bytes(hashlib.sha256(nodeid.encode("utf-8")).digest()[:4], "big")


def parse_seed(value: object, where: str) -> int:
    if isinstance(value, bool):
        raise FakeRunsError(f"{where}: seed must be an int, not {value!r}")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise FakeRunsError(f"{where}: seed must be an int, not {value!r}") from None


def parse_base_urls(lines: Iterable[str], where: str) -> dict[str, str]:
    """``vendor = url`` lines (ini ``fakeruns_base_urls``)."""
    urls: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, url = line.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise FakeRunsError(f"{where}: {line!r} is not a line of the form `vendor = url`")
        urls[name.strip()] = url.strip()
    return urls


def parse_bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise FakeRunsError(f"{where}: {value!r} is not a boolean (true/false)")


def merge_markers(kwargs_farthest_first: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Later (closer) markers win key by key; unknown keys raise naming the allowed ones."""
    merged: dict[str, Any] = {}
    for kwargs in kwargs_farthest_first:
        unknown = sorted(set(kwargs) - set(MARKER_KEYS))
        if unknown:
            raise FakeRunsError(
                f"@pytest.mark.fake_runs got unknown key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(MARKER_KEYS)}"
            )
        merged.update(kwargs)
    return merged


def resolve(
    nodeid: str,
    marker: Mapping[str, Any],
    cli_seed: object,
    ini_seed: object,
    ini_progression: object,
    ini_base_urls: Iterable[str],
    ini_strict: object,
    ini_passthru: Iterable[str] = (),
    cli_chaos: object = None,
) -> Settings:
    if "seed" in marker:
        seed = parse_seed(marker["seed"], "@pytest.mark.fake_runs(seed=...)")
    elif cli_seed is not None:
        seed = parse_seed(cli_seed, "--fakeruns-seed")
    elif ini_seed not in (None, ""):
        seed = parse_seed(ini_seed, "ini fakeruns_seed")
    else:
        seed = node_seed(nodeid)
    progression = marker.get("progression", ini_progression or "time")
    if progression not in PROGRESSIONS:
        raise FakeRunsError(f"progression={progression!r}; use one of " + ", ".join(PROGRESSIONS))
    base_urls = parse_base_urls(ini_base_urls, "ini fakeruns_base_urls")
    marker_urls = marker.get("base_urls", {})
    if not isinstance(marker_urls, Mapping):
        raise FakeRunsError("base_urls is a dict like {'coalesce': 'https://host'}")
    base_urls.update(marker_urls)
    strict = parse_bool(
        marker.get("strict", ini_strict if ini_strict is not None else True), "strict"
    )
    instant_sleep = parse_bool(marker.get("instant_sleep", False), "instant_sleep")
    faults = marker.get("faults", [])
    if not isinstance(faults, (list, tuple)) or not all(isinstance(f, Mapping) for f in faults):
        raise FakeRunsError("faults is a list of inject() keyword dicts, e.g. [{'status': 429}]")
    passthru = [
        *check_passthru([p.strip() for p in ini_passthru if p.strip()], "ini fakeruns_passthru"),
        *check_passthru(marker.get("passthru", []), "@pytest.mark.fake_runs(passthru=...)"),
    ]
    return Settings(
        seed,
        str(progression),
        base_urls,
        strict,
        instant_sleep,
        [dict(f) for f in faults],
        passthru,
        parse_chaos(marker, cli_chaos),
    )


def parse_chaos(marker: Mapping[str, Any], cli_chaos: object) -> dict[str, Any] | None:
    """chaos() keywords for the test: the marker's ``chaos`` (a dict, True for the defaults,
    False to opt out) over ``--fakeruns-chaos RATE``; None: no chaos."""
    rate = None
    if cli_chaos is not None:
        try:
            rate = float(str(cli_chaos).strip())
        except ValueError:
            raise FakeRunsError(
                f"--fakeruns-chaos {cli_chaos!r}: give a rate, a number in [0, 1] (0: no chaos)"
            ) from None
        if not 0.0 <= rate <= 1.0:
            raise FakeRunsError(
                f"--fakeruns-chaos {cli_chaos!r}: give a rate, a number in [0, 1] (0: no chaos)"
            )
    given = marker.get("chaos", None)
    if given is False:
        return None
    if given is None or given is True:
        if rate:
            return {"rate": rate}
        return {} if given is True else None
    if not isinstance(given, Mapping):
        raise FakeRunsError(
            f"@pytest.mark.fake_runs(chaos={given!r}): chaos is a dict of chaos() keywords "
            "(rate, statuses, errors, vendor), True for the defaults, or False to opt out"
        )
    kwargs = dict(given)
    if rate and "rate" not in kwargs:
        kwargs["rate"] = rate
    return kwargs
