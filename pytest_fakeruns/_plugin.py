"""The pytest plugin: marker, options, fixtures, strict teardown, seed in reports, summary."""

from __future__ import annotations

import contextlib
import datetime as _dt
import sys
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from . import _hookspecs

if TYPE_CHECKING:  # the engine loads when a fixture first runs, never at pytest start-up
    from ._fake import FakeRuns
    from ._settings import Settings

# the test's seed, for its report; the item keeps no reference to the fake itself, so a
# test's fake (runs, journal, mocks) is freed when the test ends, not at session end
SEED_KEY = pytest.StashKey[int]()
# a weak reference only: the chaos lines of a failing call's report read the live fake
FAKE_REF_KEY = pytest.StashKey["weakref.ref[FakeRuns]"]()
_DEPRECATED_PROPERTY = "fakeruns_deprecated"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(_hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fakeruns", "pytest-fakeruns")
    group.addoption(
        "--fakeruns-seed",
        dest="fakeruns_seed",
        default=None,
        help="seed for generated data in every test (default: derived from each test's node id)",
    )
    group.addoption(
        "--fakeruns-chaos",
        dest="fakeruns_chaos",
        default=None,
        metavar="RATE",
        help="random faults on every fake_runs test: each call, with probability RATE, gets a "
        "429/500/503 or a connection/timeout error drawn from the test's seed (a test opts "
        "out with @pytest.mark.fake_runs(chaos=False))",
    )
    parser.addini("fakeruns_seed", "seed for generated data (default: per test node id)")
    parser.addini("fakeruns_progression", "how runs advance: time, poll or manual", default="time")
    parser.addini("fakeruns_base_urls", "vendor roots, lines of `vendor = url`", type="linelist")
    parser.addini(
        "fakeruns_strict", "fail a test whose requests no route matched", type="bool", default=True
    )
    parser.addini(
        "fakeruns_passthru",
        "URL prefixes outside the vendors that may reach the network, one per line",
        type="linelist",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(DeprecationSummary(), "fakeruns-deprecation-summary")
    config.addinivalue_line(
        "markers",
        "fake_runs(seed, progression, base_urls, strict, instant_sleep, faults, passthru, "
        "chaos): "
        "configure the fake_runs fixture for this test",
    )


_TIMING_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # once freezegun is imported (no import here: start-up loads none of it), pytest's own
    # timings stay real under any fixture's freeze_time for the rest of the session
    config = item.config
    if "freezegun" in sys.modules and not config.stash.get(_TIMING_KEY, False):
        from ._timing import keep_pytest_timing_real

        config.stash[_TIMING_KEY] = True
        config.add_cleanup(keep_pytest_timing_real())


def settings_for(node: pytest.Item) -> Settings:
    from ._settings import merge_markers, resolve

    markers = [m.kwargs for m in node.iter_markers("fake_runs")]
    marker = merge_markers(reversed(markers))
    config = node.config
    session_wide = config.stash.get(_SESSION_SETTINGS_KEY, None)
    if session_wide is None:  # options and ini values cannot change during a session
        session_wide = config.stash[_SESSION_SETTINGS_KEY] = (
            config.getoption("fakeruns_seed"),
            config.getini("fakeruns_seed"),
            config.getini("fakeruns_progression"),
            config.getini("fakeruns_base_urls"),
            config.getini("fakeruns_strict"),
            config.getini("fakeruns_passthru"),
            config.getoption("fakeruns_chaos"),
        )
    return resolve(node.nodeid, marker, *session_wide)


_SESSION_SETTINGS_KEY = pytest.StashKey[tuple[Any, ...]]()


_PACKS_KEY = pytest.StashKey[list[Any]]()


def _vendor_packs(config: pytest.Config) -> list[Any]:
    """Vendor packs: the ``pytest_fakeruns.vendors`` entry points, then the hook's results."""
    from ._packs import as_definitions, entry_point_packs, merge

    installed = config.stash.get(_PACKS_KEY, None)
    if installed is None:  # entry points are read once per session, on first use
        installed = config.stash[_PACKS_KEY] = entry_point_packs()
    # the hook is asked again only when its implementations change (a conftest or plugin
    # registered since): once per session in the usual case
    caller = config.hook.pytest_fakeruns_vendors
    impls = tuple(caller.get_hookimpls())
    known = config.stash.get(_HOOKED_KEY, None)
    if known is not None and known[0] == impls:
        return known[1]
    hooked = [
        as_definitions(result, "a pytest_fakeruns_vendors() implementation")
        for result in caller()
        if result
    ]
    merged = merge(installed, *hooked)
    config.stash[_HOOKED_KEY] = (impls, merged)
    return merged


_HOOKED_KEY = pytest.StashKey[tuple[tuple[Any, ...], list[Any]]]()


@contextlib.contextmanager
def active_fake(item: pytest.Item) -> Iterator[FakeRuns]:
    """A configured, started fake for one test; stopped and checked at teardown."""
    from . import FakeRuns  # the public names, presented as pytest_fakeruns.<name>
    from ._timing import unfrozen_pytest_timing

    settings = settings_for(item)
    config = item.config
    fake = FakeRuns(
        seed=settings.seed,
        progression=settings.progression,
        base_urls=settings.base_urls,
        strict=settings.strict,
        hook=config.hook,
        vendors=_vendor_packs(config),
        passthru=settings.passthru,
    )
    item.stash[SEED_KEY] = fake.seed
    item.stash[FAKE_REF_KEY] = weakref.ref(fake)
    with fake, unfrozen_pytest_timing():
        for kwargs in settings.faults:
            fake.inject(**kwargs)
        if settings.chaos is not None:
            try:
                fake.chaos(**settings.chaos)
            except TypeError as exc:  # an unknown keyword in the marker's dict
                from ._errors import FakeRunsError

                raise FakeRunsError(
                    f"@pytest.mark.fake_runs(chaos={settings.chaos!r}): {exc}; chaos() takes "
                    "rate, statuses, errors, vendor"
                ) from None
        sleeping = contextlib.ExitStack()
        if settings.instant_sleep:
            from ._sleep import instant_sleep

            sleeping.enter_context(instant_sleep(fake.clock))
        with sleeping:
            config.hook.pytest_fakeruns_setup(fake_runs=fake)
            yield fake
    _record_deprecated(item, fake)
    if fake.strict and fake.unmatched:
        pytest.fail(unmatched_report(fake), pytrace=False)


# the items whose run protocol is under way, innermost last (a pytester inline run nests one)
_RUNNING: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Any:
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.pop()


@pytest.fixture
def fake_runs() -> Iterator[FakeRuns]:
    """Every vendor faked in-process for requests and httpx; a fresh store per test."""
    # the test's item from the protocol hook, not a `request` argument: for a fixture that
    # names `request`, pytest builds that fixture's definition (an inspect.signature() call)
    # three times per test, about a third of what fake_runs costs a test beyond a mock
    if not _RUNNING:
        from ._errors import FakeRunsError

        raise FakeRunsError(
            "fake_runs was set up outside a test's run (pytest_runtest_protocol); outside "
            "pytest, use `with FakeRuns() as fake:`"
        )
    with active_fake(_RUNNING[-1]) as fake:
        yield fake


@pytest.fixture
def fake_runs_server(fake_runs: FakeRuns) -> Iterator[FakeRuns]:
    """``fake_runs`` also served over real HTTP on 127.0.0.1 and an ephemeral port.

    ``.url`` is the server's root; every vendor's ``base_url`` is ``<url>/<vendor name>``.
    """
    __tracebackhide__ = True
    from ._server import serving

    with serving(fake_runs) as server:
        yield fake_runs
    if server.errors:
        pytest.fail(server.error_report(), pytrace=False)


def unmatched_report(fake: FakeRuns) -> str:
    lines = [
        f"pytest-fakeruns: {len(fake.unmatched)} request(s) to a vendor root matched no route "
        "(strict mode; @pytest.mark.fake_runs(strict=False) allows them):"
    ]
    for miss in fake.unmatched:
        lines.append(f"- {miss.method} {miss.url}")
        lines.append("    closest routes:")
        for near in miss.near:
            lines.append(f"      {near.route!s:<55} {near.reason}")
    return "\n".join(lines)


def _record_deprecated(item: pytest.Item, fake: FakeRuns) -> None:
    if not fake.deprecated_used:
        return
    rows = []
    for use in fake.deprecated_used.values():
        sunset = use.deprecation.sunset_at
        rows.append((use.vendor, use.route, None if sunset is None else sunset.isoformat()))
    item.user_properties.append((_DEPRECATED_PROPERTY, rows))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    seed = item.stash.get(SEED_KEY, None)
    if seed is not None and report.failed:
        text = f"fake_runs seed: {seed} (reproduce: --fakeruns-seed {seed})"
        ref = item.stash.get(FAKE_REF_KEY, None)
        fake = None if ref is None else ref()
        if fake is not None and fake._faults.chaos_used:  # nothing to list without chaos
            text += "\n" + chaos_report(fake)
        report.sections.append(("pytest-fakeruns", text))
    return report


def chaos_report(fake: FakeRuns) -> str:
    """The calls chaos() answered in this test, and with what."""
    with fake.lock:
        every = list(fake.calls)
    calls = [(n, c) for n, c in enumerate(every, 1) if c.fault is not None and c.fault.chaos]
    if not calls:
        return f"chaos answered none of this test's {len(every)} call(s)"
    lines = [f"chaos answered {len(calls)} of this test's {len(every)} call(s):"]
    for number, call in calls:
        error = call.response.error
        what = f"error={error!r}" if error else f"status {call.status}"
        lines.append(f"- call {number}: {call.method} {call.url} -> {what}")
    return "\n".join(lines)


class DeprecationSummary:
    """Collects the deprecated routes a session called; one per pytest config (a pytester run
    in the same process has its own), fed by reports so pytest-xdist workers count too."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str | None] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, rows in report.user_properties:
            if name != _DEPRECATED_PROPERTY:
                continue
            for vendor, route, sunset in rows:  # type: ignore[attr-defined]
                self.seen[(vendor, route)] = sunset

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.seen:
            return
        terminalreporter.section("pytest-fakeruns: deprecated endpoints called")
        today = _dt.datetime.now(_dt.timezone.utc)
        for (vendor, route), sunset in sorted(self.seen.items()):
            if sunset is None:
                when = "no sunset"
            else:
                moment = _dt.datetime.fromisoformat(sunset)
                days = (moment - today).days
                left = f"{days} days left" if days >= 0 else f"passed {-days} days ago"
                when = f"sunset {moment.date().isoformat()} ({left})"
            terminalreporter.write_line(f"{vendor} {route}: {when}")
