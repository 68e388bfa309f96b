"""The fake's clock: real time plus an offset; freezegun and time-machine move it too."""

from __future__ import annotations

import datetime as dt

import freezegun
import pytest
import time_machine

from pytest_fakeruns import Clock, FakeRuns, FakeRunsError

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc)


def test_now_is_an_aware_utc_datetime() -> None:
    now = Clock().now()

    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)


def test_the_clock_reads_datetime_now_so_freezegun_moves_it() -> None:
    clock = Clock()
    with freezegun.freeze_time(T0) as frozen:
        assert clock.now() == T0
        frozen.tick(dt.timedelta(seconds=90))
        assert clock.now() == T0 + dt.timedelta(seconds=90)


def test_time_machine_moves_it_too() -> None:
    clock = Clock()
    with time_machine.travel(T0, tick=False):
        assert clock.now() == T0


def test_advance_moves_the_offset_by_seconds_or_a_timedelta() -> None:
    clock = Clock()
    with freezegun.freeze_time(T0):
        assert clock.advance(30) == T0 + dt.timedelta(seconds=30)
        assert clock.advance(0.5) == T0 + dt.timedelta(seconds=30.5)
        assert clock.advance(dt.timedelta(minutes=1)) == T0 + dt.timedelta(seconds=90.5)
        assert clock.now() == T0 + dt.timedelta(seconds=90.5)


@pytest.mark.parametrize("amount", [-1, dt.timedelta(seconds=-1)])
def test_advance_goes_forward_only(amount: object) -> None:
    with pytest.raises(FakeRunsError, match=r"forward only; use clock.set\(\)"):
        Clock().advance(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["30", None, True])
def test_advance_wants_seconds(amount: object) -> None:
    with pytest.raises(FakeRunsError, match=r"takes seconds \(int or float\) or a timedelta"):
        Clock().advance(amount)  # type: ignore[arg-type]


def test_set_jumps_to_an_instant_in_either_direction() -> None:
    clock = Clock()
    with freezegun.freeze_time(T0):
        assert clock.set(T0 + dt.timedelta(days=1)) == T0 + dt.timedelta(days=1)
        assert clock.set(T0 - dt.timedelta(days=1)) == T0 - dt.timedelta(days=1)
        naive = dt.datetime(2026, 1, 1, 0, 0)
        assert clock.set(naive) == naive.replace(tzinfo=dt.timezone.utc)  # naive means UTC
        paris = dt.timezone(dt.timedelta(hours=1))
        assert clock.set(dt.datetime(2026, 1, 1, 1, 0, tzinfo=paris)) == naive.replace(
            tzinfo=dt.timezone.utc)


def test_set_wants_a_datetime() -> None:
    with pytest.raises(FakeRunsError, match=r"clock\.set\(\) takes a datetime"):
        Clock().set("2026-01-01")  # type: ignore[arg-type]


def test_set_keeps_running_with_real_time() -> None:
    clock = Clock()
    with freezegun.freeze_time(T0) as frozen:
        clock.set(T0 + dt.timedelta(hours=2))
        frozen.tick(dt.timedelta(seconds=5))

        assert clock.now() == T0 + dt.timedelta(hours=2, seconds=5)


def test_freeze_stops_the_whole_process_at_now_and_advance_moves_it() -> None:
    clock = Clock()
    clock.set(T0)
    with clock.freeze():
        start = clock.now()
        assert dt.datetime.now(dt.timezone.utc) == start
        clock.advance(60)
        assert dt.datetime.now(dt.timezone.utc) == start + dt.timedelta(seconds=60)
        assert clock.now() == start + dt.timedelta(seconds=60)
        clock.set(T0 + dt.timedelta(days=2))
        assert dt.datetime.now(dt.timezone.utc) == T0 + dt.timedelta(days=2)
    after = clock.now()

    assert after >= T0 + dt.timedelta(days=2)  # carries on from where the freeze left it
    assert after - (T0 + dt.timedelta(days=2)) < dt.timedelta(days=1)


def test_freeze_does_not_nest() -> None:
    clock = Clock()
    with clock.freeze(), pytest.raises(FakeRunsError, match="already active"), clock.freeze():
        pass


def test_reset_puts_the_offset_back_to_zero() -> None:
    fake = FakeRuns(seed=1)
    with freezegun.freeze_time(T0):
        fake.clock.advance(3600)
        fake.reset()

        assert fake.clock.now() == T0


def test_every_vendor_reads_the_one_clock() -> None:
    fake = FakeRuns(seed=1)

    assert {id(fake.vendor(name).clock) for name in fake.vendors} == {id(fake.clock)}
