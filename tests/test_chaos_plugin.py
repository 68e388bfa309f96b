"""chaos through the plugin: the marker key, --fakeruns-chaos RATE, and the failing report."""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["pytester"]

CALLS = """
import requests

URL = "https://app.coalescesoftware.io/api/v1/runs"
AUTH = {"Authorization": "Bearer t0k3n"}


def statuses(n=30):
    seen = []
    for _ in range(n):
        try:
            seen.append(requests.get(URL, headers=AUTH, timeout=5).status_code)
        except (requests.ConnectionError, requests.Timeout) as exc:
            seen.append(type(exc).__name__)
    return seen
"""


def test_the_flag_puts_every_test_under_chaos_unless_it_opts_out(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CALLS
        + """
import pytest


def test_under_chaos(fake_runs):
    seen = statuses()
    assert [f for f in fake_runs.faults if f.chaos][0].rate == 0.5
    assert set(seen) - {200}


@pytest.mark.fake_runs(chaos=False)
def test_opted_out(fake_runs):
    assert set(statuses()) == {200}
    assert fake_runs.faults == []


def test_without_the_fixture():
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakeruns-chaos", "0.5")
    result.assert_outcomes(passed=3)
    result = pytester.runpytest("-p", "no:cacheprovider")  # no flag: no chaos
    result.assert_outcomes(passed=2, failed=1)


def test_the_marker_takes_chaos_keywords_and_the_flag_rate_fills_in(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CALLS
        + """
import pytest


@pytest.mark.fake_runs(chaos={"rate": 1.0, "statuses": [503], "errors": []})
def test_marker_alone(fake_runs):
    assert set(statuses(5)) == {503}


@pytest.mark.fake_runs(chaos={"statuses": [429], "errors": []})
def test_marker_without_rate(fake_runs):
    chaos = [f for f in fake_runs.faults if f.chaos][0]
    assert chaos.rate == 0.25 and chaos.statuses == (429,)


@pytest.mark.fake_runs(chaos=True)
def test_defaults(fake_runs):
    chaos = [f for f in fake_runs.faults if f.chaos][0]
    assert chaos.rate == 0.25
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "--fakeruns-chaos", "0.25").assert_outcomes(
        passed=3
    )


def test_a_failing_test_lists_the_calls_chaos_answered_next_to_the_seed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CALLS
        + """
def test_a_client_without_retries(fake_runs):
    assert all(s == 200 for s in statuses(20))
"""
    )
    first = pytester.runpytest("-p", "no:cacheprovider", "--fakeruns-chaos", "0.3")
    first.assert_outcomes(failed=1)
    text = first.stdout.str()
    seed = re.search(r"fake_runs seed: (\d+)", text)
    assert seed, text
    assert re.search(r"chaos answered \d+ of this test's 20 call\(s\):", text), text
    listed = re.findall(
        r"- call (\d+): GET https://app\.coalescesoftware\.io/api/v1/runs -> "
        r"(status \d+|error='\w+')",
        text,
    )
    assert listed, text
    # the same seed replays the same faults on the same calls
    again = pytester.runpytest(
        "-p", "no:cacheprovider", "--fakeruns-chaos", "0.3", "--fakeruns-seed", seed.group(1)
    )
    assert (
        re.findall(r"- call (\d+): GET \S+ -> (status \d+|error='\w+')", again.stdout.str())
        == listed
    )


def test_a_failing_test_without_chaos_has_the_seed_line_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_fails(fake_runs):
    assert False
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert "fake_runs seed:" in result.stdout.str()
    assert "chaos answered" not in result.stdout.str()


@pytest.mark.parametrize(
    ("args", "marker", "words"),
    [
        (["--fakeruns-chaos", "lots"], "", "--fakeruns-chaos 'lots': give a rate"),
        (["--fakeruns-chaos", "1.5"], "", "give a rate, a number in [0, 1]"),
        ([], "@pytest.mark.fake_runs(chaos=0.1)", "chaos is a dict of chaos() keywords"),
        (
            [],
            "@pytest.mark.fake_runs(chaos={'rate': 0.1, 'often': 1})",
            "chaos() takes rate, statuses, errors, vendor",
        ),
        ([], "@pytest.mark.fake_runs(chaos={'statuses': [418]})", "each is one of 400"),
    ],
)
def test_bad_chaos_settings_name_the_fix(
    pytester: pytest.Pytester, args: list[str], marker: str, words: str
) -> None:
    pytester.makepyfile(f"""
import pytest

{marker}
def test_it(fake_runs):
    pass
""")
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    result.assert_outcomes(errors=1)
    assert words in result.stdout.str(), result.stdout.str()
