"""pytest's own timings stay real while the fake clock is frozen (``--durations`` stays sane)."""

from __future__ import annotations

import re

import freezegun
import pytest

DURATION = re.compile(r"^(-?[\d.]+)s (setup|call|teardown) ", re.MULTILINE)


def durations(result: pytest.RunResult) -> list[float]:
    found = [float(seconds) for seconds, _ in DURATION.findall(result.stdout.str())]
    assert found, result.stdout.str()
    return found


def test_durations_stay_sane_under_a_fixture_that_freezes_the_fake_clock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def frozen(fake_runs):
            with fake_runs.clock.freeze():
                fake_runs.clock.advance(3600)
                yield fake_runs

        def test_it(frozen):
            frozen.clock.advance(3600)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--durations=5", "--durations-min=0")
    result.assert_outcomes(passed=1)

    assert all(0 <= seconds < 60 for seconds in durations(result)), result.stdout.str()


def test_durations_stay_sane_under_a_fixture_that_uses_freezegun_itself(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import freezegun, pytest

        @pytest.fixture
        def frozen(fake_runs):
            with freezegun.freeze_time("2020-01-01") as frozen:
                yield frozen

        def test_it(frozen):
            frozen.tick(3600)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--durations=5", "--durations-min=0")
    result.assert_outcomes(passed=1)

    assert all(0 <= seconds < 60 for seconds in durations(result)), result.stdout.str()


def test_freezegun_configuration_is_back_as_it_was_after_the_test(
    pytester: pytest.Pytester,
) -> None:
    before = list(freezegun.config.settings.default_ignore_list)
    pytester.makepyfile(
        """
        import freezegun

        def test_it(fake_runs):
            assert "_pytest.timing" in freezegun.config.settings.default_ignore_list
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)

    assert freezegun.config.settings.default_ignore_list == before


def test_durations_stay_sane_under_freezegun_in_a_fixture_without_the_fake(
    pytester: pytest.Pytester,
) -> None:
    """A suite that freezes the clock in its own fixtures, fake_runs in none of them."""
    pytester.makepyfile(
        """
        import datetime, freezegun, pytest

        @pytest.fixture
        def frozen():
            with freezegun.freeze_time("2031-01-01") as frozen:
                yield frozen

        def test_it(frozen):
            frozen.tick(3600)
            assert datetime.datetime.now().year == 2031

        def test_after(frozen):
            frozen.tick(7200)
        """
    )
    before = list(freezegun.config.settings.default_ignore_list)
    result = pytester.runpytest("-p", "no:cacheprovider", "--durations=5", "--durations-min=0")
    result.assert_outcomes(passed=2)

    assert all(0 <= seconds < 60 for seconds in durations(result)), result.stdout.str()
    assert freezegun.config.settings.default_ignore_list == before  # put back at session end
