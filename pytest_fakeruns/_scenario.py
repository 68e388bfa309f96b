"""Scenario files: one JSON document that preloads a fake (Python, ``fakeruns serve``, HTTP).

``{"seed", "progression", "clock", "vendors": {name: {"runs": [fields, ...], "add_runs": N}},
"faults": [inject keywords], "deprecations": {name: [deprecate keywords]}}``, every key
optional. The whole document is checked first (its shape here, then every run, fault and
deprecation applied to a scratch fake with the same vendors), so a bad file changes nothing;
errors name the file and the key at fault: ``scenario.json: vendors.coalesce.runs[2].state: ...``.

``seed`` and ``progression`` say how the fake is built: ``fakeruns serve --scenario`` builds it
from them; loading into a fake built otherwise raises, naming both values (a seed or a
progression cannot change under a fake that already holds data).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import FakeRunsError

if TYPE_CHECKING:
    from ._control import ControlPlane
    from ._fake import FakeRuns
    from ._vendor_fake import VendorFake

KEYS = ("seed", "progression", "clock", "vendors", "faults", "deprecations")
VENDOR_KEYS = ("runs", "add_runs")
PROGRESSIONS = ("time", "poll", "manual")


class ScenarioError(FakeRunsError):
    """A scenario that cannot be loaded; the message names the source and the key."""


def read_scenario(source: object) -> tuple[dict[str, Any], str]:
    """The scenario document and the name errors use for it (the path, or ``scenario``)."""
    if isinstance(source, Mapping):
        return dict(source), "scenario"
    if not isinstance(source, (str, os.PathLike)):
        raise FakeRunsError(
            f"load_scenario() takes a path to a JSON file or a dict, not {type(source).__name__}"
        )
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ScenarioError(f"{path}: not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ScenarioError(f"{path}: a scenario is a JSON object, not {type(document).__name__}")
    return document, str(path)


def check_shape(document: Mapping[str, Any], name: str, vendors: list[str] | None) -> None:
    """Keys and types of the whole document (vendor names too, unless ``vendors`` is None);
    deep checks come from the scratch fake."""

    def fail(key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{name}: {key}: {message}")

    unknown = [k for k in document if k not in KEYS]
    if unknown:
        raise fail(unknown[0], "unknown key; a scenario has " + ", ".join(KEYS))
    seed = document.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise fail("seed", f"an int, not {seed!r}")
    progression = document.get("progression")
    if progression is not None and progression not in PROGRESSIONS:
        raise fail("progression", f"{progression!r}; use one of " + ", ".join(PROGRESSIONS))
    if "clock" in document:
        from ._control import parse_iso

        try:
            parse_iso(document["clock"], "the clock")
        except FakeRunsError as exc:
            raise fail("clock", str(exc)) from None
    per_vendor = _mapping(document, "vendors", fail)
    for vendor, spec in per_vendor.items():
        where = f"vendors.{vendor}"
        _known(vendor, vendors, where, fail)
        if not isinstance(spec, dict):
            raise fail(where, f'an object like {{"runs": [...], "add_runs": 5}}, not {spec!r}')
        bad = [k for k in spec if k not in VENDOR_KEYS]
        if bad:
            raise fail(f"{where}.{bad[0]}", "unknown key; use " + " and/or ".join(VENDOR_KEYS))
        runs = spec.get("runs", [])
        if not isinstance(runs, list):
            raise fail(f"{where}.runs", f"a list of add_run() field objects, not {runs!r}")
        for i, fields in enumerate(runs):
            if not isinstance(fields, dict):
                raise fail(f"{where}.runs[{i}]", f"an object of add_run() fields, not {fields!r}")
        count = spec.get("add_runs", 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise fail(f"{where}.add_runs", f"an int >= 0, not {count!r}")
    faults = document.get("faults", [])
    if not isinstance(faults, list):
        raise fail("faults", f"a list of inject() keyword objects, not {faults!r}")
    for i, kwargs in enumerate(faults):
        if not isinstance(kwargs, dict):
            raise fail(f"faults[{i}]", f"an object of inject() keywords, not {kwargs!r}")
    deprecations = _mapping(document, "deprecations", fail)
    for vendor, items in deprecations.items():
        where = f"deprecations.{vendor}"
        _known(vendor, vendors, where, fail)
        if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
            raise fail(where, f"a list of deprecate() keyword objects, not {items!r}")


def _mapping(document: Mapping[str, Any], key: str, fail: Any) -> dict[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise fail(key, f"an object keyed by vendor name, not {value!r}")
    return value


def _known(vendor: str, vendors: list[str] | None, where: str, fail: Any) -> None:
    if vendors is not None and vendor not in vendors:
        raise fail(where, f"unknown vendor {vendor!r}; known vendors: " + ", ".join(vendors))


def check_scenario(
    fake: FakeRuns, source: object, name: str | None = None
) -> tuple[dict[str, Any], str]:
    """Check the whole scenario against ``fake`` without changing it; the document and name."""
    document, read_name = read_scenario(source)
    name = name or read_name
    with fake.lock:
        check_shape(document, name, list(fake.vendors))
        for key in ("seed", "progression"):
            if key in document and document[key] != getattr(fake, key):
                raise ScenarioError(
                    f"{name}: {key}: the scenario wants {key} {document[key]!r}, this fake has "
                    f"{getattr(fake, key)!r}; build the fake with it (the fake_runs marker's "
                    f"{key}=..., or fakeruns serve --scenario, which builds the fake from the file)"
                )
        from ._control import scratch_fake

        _apply(scratch_fake(fake), document, name, None, trial=True)
    return document, name


def load_scenario(
    fake: FakeRuns, source: object, *, name: str | None = None, plane: ControlPlane | None = None
) -> None:
    """Check the whole scenario, then apply it to ``fake``: clock, runs, faults, deprecations.

    Per vendor, ``add_runs`` seeded history comes first and the ``runs`` after it (so those
    are the newest). ``plane`` (the HTTP control plane) gives the faults their ids.
    """
    with fake.lock:
        document, name = check_scenario(fake, source, name)
        _apply(fake, document, name, plane, trial=False)


def _apply(
    fake: FakeRuns,
    document: Mapping[str, Any],
    name: str,
    plane: ControlPlane | None,
    trial: bool,
) -> None:
    from ._control import deprecate_kwargs, fault_kwargs, keyword_names, parse_iso

    if "clock" in document:
        fake.clock.set(parse_iso(document["clock"], "clock"))
    for vendor_name, spec in document.get("vendors", {}).items():
        vendor = fake.vendor(vendor_name)
        where = f"vendors.{vendor_name}"
        count = spec.get("add_runs", 0)
        if count:
            # two stand for many on the scratch fake: every field applies to each run
            vendor.add_runs(min(count, 2) if trial else count)
        for i, fields in enumerate(spec.get("runs", [])):
            _guarded(
                name,
                f"{where}.runs[{i}]",
                fields,
                _adder(vendor),
                _state_check(vendor) if trial else None,
            )
    for i, kwargs in enumerate(document.get("faults", [])):

        def inject(given: dict[str, Any]) -> None:
            args = fault_kwargs(fake, given, "fault")
            if plane is not None:
                plane.inject(args)
            else:
                fake.inject(**args)

        _guarded(
            name,
            f"faults[{i}]",
            kwargs,
            inject,
            _keys_check(keyword_names(fake.inject)) if trial else None,
        )
    for vendor_name, items in document.get("deprecations", {}).items():
        vendor = fake.vendor(vendor_name)
        for i, kwargs in enumerate(items):
            _guarded(
                name,
                f"deprecations.{vendor_name}[{i}]",
                kwargs,
                _deprecator(vendor, deprecate_kwargs),
                _keys_check(keyword_names(vendor.deprecate)) if trial else None,
            )


def _adder(vendor: VendorFake) -> Callable[[dict[str, Any]], Any]:
    return lambda fields: vendor.add_run(**fields)


def _deprecator(
    vendor: VendorFake, kwargs_of: Callable[[VendorFake, object], dict[str, Any]]
) -> Callable[[dict[str, Any]], Any]:
    return lambda given: vendor.deprecate(**kwargs_of(vendor, given))


def _keys_check(allowed: list[str]) -> Callable[[dict[str, Any]], None]:
    def check(given: dict[str, Any]) -> None:
        for key in given:
            if key not in allowed:
                raise _Blame(key, FakeRunsError("unknown key; allowed: " + ", ".join(allowed)))

    return check


def _state_check(vendor: VendorFake) -> Callable[[dict[str, Any]], None]:
    def check(fields: dict[str, Any]) -> None:
        for key in ("state", vendor.vocabulary.status_field):
            if key in fields:
                try:
                    vendor.vocabulary.locate(fields[key])
                except FakeRunsError as exc:
                    raise _Blame(key, exc) from None

    return check


class _Blame(Exception):
    def __init__(self, key: str, exc: FakeRunsError) -> None:
        super().__init__(key)
        self.key = key
        self.exc = exc


def _guarded(
    name: str,
    where: str,
    given: dict[str, Any],
    apply: Callable[[dict[str, Any]], Any],
    precheck: Callable[[dict[str, Any]], None] | None,
) -> None:
    """``apply(given)``; a FakeRunsError is re-raised naming the key at fault when one key
    alone is to blame (found by trying without each key), else the item."""
    try:
        if precheck is not None:
            precheck(given)
        apply(given)
    except _Blame as blame:
        raise ScenarioError(f"{name}: {where}.{blame.key}: {blame.exc}") from None
    except (FakeRunsError, KeyError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        culprit = None
        if precheck is not None:  # only on the scratch fake: retries must change nothing real
            for key in given:
                try:
                    apply({k: v for k, v in given.items() if k != key})
                except (FakeRunsError, KeyError, TypeError):
                    continue
                culprit = key
                break
        at = f"{where}.{culprit}" if culprit else where
        raise ScenarioError(f"{name}: {at}: {message}") from None
    except TypeError as exc:  # a keyword the Python call does not take
        raise ScenarioError(f"{name}: {where}: {exc}") from None
