"""The pytest surface, tested the way pytest tests itself: through pytester."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

AUTH = '{"Authorization": "Bearer t"}'
RUNS_URL = "https://app.coalescesoftware.io/api/v1/runs"


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.fake_runs(*seed*progression*base_urls*"])


def test_fixture_is_a_fake_runs_with_every_vendor(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest_fakeruns as fr
        from pytest_fakeruns._registry import BUILTIN

        def test_it(fake_runs):
            assert isinstance(fake_runs, fr.FakeRuns)
            assert isinstance(fake_runs.clock, fr.Clock)
            for name in BUILTIN:
                vendor = getattr(fake_runs, name)
                assert isinstance(vendor, fr.VendorFake)
                assert fake_runs.vendor(name) is vendor
                assert vendor.require_auth is True
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_marker_levels_merge_and_the_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.fake_runs(seed=1, progression="manual")

        @pytest.mark.fake_runs(seed=2)
        class TestGroup:
            @pytest.mark.fake_runs(progression="poll")
            def test_closest(self, fake_runs):
                assert (fake_runs.seed, fake_runs.progression) == (2, "poll")

            def test_class(self, fake_runs):
                assert (fake_runs.seed, fake_runs.progression) == (2, "manual")

        def test_module(fake_runs):
            assert (fake_runs.seed, fake_runs.progression) == (1, "manual")
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_unknown_marker_key_names_the_allowed_ones(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fake_runs(sede=3)
        def test_it(fake_runs):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown key(s) sede*allowed: seed, progression*"])


def test_seed_precedence_marker_then_flag_then_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfakeruns_seed = 5\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fake_runs(seed=9)
        def test_marker(fake_runs):
            assert fake_runs.seed == 9

        def test_other(fake_runs, request):
            expected = 7 if request.config.getoption("fakeruns_seed") else 5
            assert fake_runs.seed == expected
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.runpytest("--fakeruns-seed", "7").assert_outcomes(passed=2)


def test_default_seed_is_stable_per_node_id_and_differs_between_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import json

        def record(fake_runs, name):
            with open("seeds.txt", "a") as out:
                runs = fake_runs.coalesce.add_runs(3)
                # timestamps follow the real clock; everything else follows the seed
                data = [(r.id, r.status, r.durations, r.parent, r.fields) for r in runs]
                out.write(json.dumps([name, fake_runs.seed, data]) + "\\n")

        def test_a(fake_runs):
            record(fake_runs, "a")

        def test_b(fake_runs):
            record(fake_runs, "b")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.runpytest().assert_outcomes(passed=2)
    lines = (pytester.path / "seeds.txt").read_text().splitlines()
    assert len(lines) == 4
    assert lines[:2] == lines[2:]  # same node id, same seed, same data, run after run
    assert lines[0].split(",")[1] != lines[1].split(",")[1]  # another test, another seed
    # under pytest-xdist, in other processes, each test still gets its own seed and data
    (pytester.path / "seeds.txt").unlink()
    pytester.runpytest_subprocess("-p", "xdist", "-n", "2").assert_outcomes(passed=2)
    assert sorted((pytester.path / "seeds.txt").read_text().splitlines()) == sorted(lines[:2])


def test_the_fixture_belongs_to_the_test_that_asked_however_it_asked(
    pytester: pytest.Pytester,
) -> None:
    """fake_runs takes no ``request``: it finds its test through the run protocol, for a
    direct argument, a fixture's argument, ``getfixturevalue()`` and a test run inline
    inside another test (pytester), which must not take over the outer test's fake."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def seeded(fake_runs):
            return fake_runs
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from pytest_fakeruns._settings import node_seed

        pytest_plugins = ["pytester"]

        def seed_of(request):
            return node_seed(request.node.nodeid)

        def test_argument(fake_runs, request):
            assert fake_runs.seed == seed_of(request)

        def test_through_a_fixture(seeded, request):
            assert seeded.seed == seed_of(request)

        def test_dynamic(request):
            assert request.getfixturevalue("fake_runs").seed == seed_of(request)

        @pytest.mark.fake_runs(seed=5)
        def test_inline_run_inside(fake_runs, pytester, request):
            pytester.makepyfile(inner="def test_in(fake_runs):\\n    assert fake_runs.seed == 9\\n")
            pytester.makeini("[pytest]\\nfakeruns_seed = 9\\n")
            pytester.runpytest_inprocess("inner.py").assert_outcomes(passed=1)
            # after the inner session, a late lookup is still this test's fake
            assert request.getfixturevalue("fake_runs") is fake_runs
            assert fake_runs.seed == 5

        def test_after_the_inline_run(fake_runs, request):  # the inner item is gone
            assert fake_runs.seed == seed_of(request)
        """
    )
    pytester.runpytest("-p", "pytester").assert_outcomes(passed=5)


def test_the_fixture_outside_a_test_run_names_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_fakeruns import FakeRunsError
        from pytest_fakeruns import _plugin

        def test_it(request, monkeypatch):
            monkeypatch.setattr(_plugin, "_RUNNING", [])  # as if no run protocol were under way
            with pytest.raises(FakeRunsError, match="outside pytest, use `with FakeRuns"):
                request.getfixturevalue("fake_runs")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_failing_test_reports_its_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fake_runs(seed=4242)
        def test_fails(fake_runs):
            assert False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*seed*4242*"])


def test_strict_fails_at_teardown_with_the_closest_routes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def test_typo(fake_runs):
            r = requests.get("{RUNS_URL}s", headers={AUTH})
            assert r.status_code == 404
            assert r.json()["error"]["errorString"] == "Not Found"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*1 request(s) to a vendor root matched no route*",
            "*- GET https://app.coalescesoftware.io/api/v1/runss",
            "*closest routes:*",
            "*GET /api/v1/runs *segment 3 is 'runss', expected 'runs'*",
        ]
    )


@pytest.mark.parametrize(
    "how",
    ["marker", "ini"],
)
def test_strict_can_be_turned_off(pytester: pytest.Pytester, how: str) -> None:
    if how == "ini":
        pytester.makeini("[pytest]\nfakeruns_strict = false\n")
    marker = "@pytest.mark.fake_runs(strict=False)" if how == "marker" else ""
    pytester.makepyfile(
        f"""
        import pytest, requests

        {marker}
        def test_typo(fake_runs):
            assert requests.get("{RUNS_URL}s", headers={AUTH}).status_code == 404
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_matched_4xx_is_not_unmatched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def test_bad_limit(fake_runs):
            assert requests.get("{RUNS_URL}?limit=0", headers={AUTH}).status_code == 400
            assert requests.get("{RUNS_URL}").status_code == 401
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_tests_own_mocks_win_and_never_knock_the_fake_out(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def test_mix(fake_runs):
            fake_runs.coalesce.add_runs(2)
            mock = fake_runs.responses
            mock.get("{RUNS_URL}/99", json={{"mocked": True}})
            mock.get("https://example.org/ping", json={{"pong": 1}})
            mock.get("https://example.org/ping", json={{"pong": 2}})
            assert requests.get("{RUNS_URL}/99").json() == {{"mocked": True}}
            assert requests.get("{RUNS_URL}/99").json() == {{"mocked": True}}
            assert len(requests.get("{RUNS_URL}", headers={AUTH}).json()["data"]) == 2
            assert requests.get("https://example.org/ping").json() == {{"pong": 1}}
            assert requests.get("https://example.org/ping").json() == {{"pong": 2}}
            mock.reset()
            assert len(requests.get("{RUNS_URL}", headers={AUTH}).json()["data"]) == 2
            # the mocked URL was answered by the test's mock, not recorded as the fake's call
            assert [c.path for c in fake_runs.calls] == ["/api/v1/runs", "/api/v1/runs"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_hooks_setup_transition_and_call(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        SEEN = []

        def pytest_fakeruns_setup(fake_runs):
            fake_runs.coalesce.add_run(
                environment_id="3", durations={"waitingToRun": 5, "running": 10}
            )

        def pytest_fakeruns_transition(run, old, new):
            SEEN.append(("transition", run.id, str(old), str(new)))

        def pytest_fakeruns_call(call):
            SEEN.append(("call", call.method, call.path, call.status))
        """
    )
    pytester.makepyfile(
        f"""
        import requests
        from conftest import SEEN

        def test_it(fake_runs):
            run = fake_runs.coalesce.runs()[0]
            assert SEEN == []                      # creating a run is not a transition
            fake_runs.clock.advance(60)            # one jump crosses every state
            assert requests.get("{RUNS_URL}", headers={AUTH}).status_code == 200
            assert requests.get("{RUNS_URL}?limit=x", headers={AUTH}).status_code == 400
            assert SEEN == [
                ("transition", run.id, "waitingToRun", "running"),
                ("transition", run.id, "running", "completed"),
                ("call", "GET", "/api/v1/runs", 200),
                ("call", "GET", "/api/v1/runs", 400),
            ]
            assert run.started_at == run.created_at + __import__("datetime").timedelta(seconds=5)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_faults_from_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest, requests

        @pytest.mark.fake_runs(faults=[{{"status": 429, "vendor": "coalesce", "times": 1,
                                         "retry_after": 7}}])
        def test_it(fake_runs):
            first = requests.get("{RUNS_URL}", headers={AUTH})
            assert first.status_code == 429
            assert first.headers["Retry-After"] == "7"
            assert first.json() == {{"error": {{"errorString": "Too Many Requests",
                                               "errorDetail": "Rate limit exceeded."}}}}
            assert requests.get("{RUNS_URL}", headers={AUTH}).status_code == 200
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\n"
        "fakeruns_progression = manual\n"
        "fakeruns_base_urls =\n"
        "    coalesce = https://app.eu.coalescesoftware.io\n"
    )
    pytester.makepyfile(
        """
        import requests

        def test_it(fake_runs):
            assert fake_runs.progression == "manual"
            assert fake_runs.coalesce.base_url == "https://app.eu.coalescesoftware.io"
            fake_runs.coalesce.add_runs(1)
            r = requests.get("https://app.eu.coalescesoftware.io/api/v1/runs",
                             headers={"Authorization": "Bearer t"})
            assert len(r.json()["data"]) == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_instant_sleep_advances_the_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio, time, pytest

        @pytest.mark.fake_runs(instant_sleep=True)
        def test_it(fake_runs):
            start = fake_runs.clock.now()
            wall = time.monotonic()
            time.sleep(3600)
            asyncio.run(asyncio.sleep(60))
            assert (fake_runs.clock.now() - start).total_seconds() >= 3660
            assert time.monotonic() - wall < 60
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_deprecation_summary_lists_called_deprecated_routes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import datetime as dt
        import pytest, requests
        from pytest_fakeruns import DeprecatedEndpointWarning

        def test_it(fake_runs):
            now = fake_runs.clock.now()
            sunset = now + dt.timedelta(days=40, hours=1)
            fake_runs.coalesce.deprecate(now - dt.timedelta(days=3), sunset)
            with pytest.warns(DeprecatedEndpointWarning):
                r = requests.get("{RUNS_URL}", headers={AUTH})
            assert r.headers["Deprecation"].startswith("@")

        def test_quiet(fake_runs):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*deprecated endpoints called*", "coalesce GET /api/v1/runs: sunset *-* (40 days left)"]
    )


def test_no_deprecation_summary_when_nothing_deprecated_was_called(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_it(fake_runs):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "deprecated endpoints" not in result.stdout.str()


def test_deprecation_summary_collects_from_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import datetime as dt
        import pytest, requests
        from pytest_fakeruns import DeprecatedEndpointWarning

        @pytest.mark.parametrize("n", range(4))
        def test_it(fake_runs, n):
            now = fake_runs.clock.now()
            fake_runs.coalesce.deprecate(now, None, path="/api/v1/runs/{{runID}}")
            run = fake_runs.coalesce.add_run()
            with pytest.warns(DeprecatedEndpointWarning):
                requests.get("{RUNS_URL}/" + str(run.id), headers={AUTH})
        """
    )
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        ["*deprecated endpoints called*", "coalesce GET /api/v1/runs/{runID}: no sunset"]
    )
