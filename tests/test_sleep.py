"""``instant_sleep`` also covers clients that did ``from time import sleep`` / ``from asyncio import
sleep``, and puts every reference back at the end of the test."""

from __future__ import annotations

import pytest

CLIENT = """
from asyncio import sleep as async_nap
from time import sleep


def wait(seconds):
    sleep(seconds)


async def wait_async(seconds):
    await async_nap(seconds)
"""

# A real sleep would block for an hour: each wait runs with a 10 s limit, so a regression fails
# fast instead of hanging.
TESTS = """
import asyncio, importlib, threading, time, types

import pytest

import client

REAL = (types.BuiltinFunctionType, types.BuiltinMethodType)
HOUR = 3600


def returns_at_once(wait, seconds):
    waiter = threading.Thread(target=wait, args=(seconds,), daemon=True)
    waiter.start()
    waiter.join(timeout=10)
    return not waiter.is_alive()


@pytest.mark.fake_runs(instant_sleep=True)
def test_from_time_import_sleep(fake_runs):
    start = fake_runs.clock.now()
    assert returns_at_once(client.wait, HOUR)
    assert (fake_runs.clock.now() - start).total_seconds() >= HOUR


@pytest.mark.fake_runs(instant_sleep=True)
def test_from_asyncio_import_sleep(fake_runs):
    start = fake_runs.clock.now()
    asyncio.run(asyncio.wait_for(client.wait_async(HOUR), timeout=10))
    assert (fake_runs.clock.now() - start).total_seconds() >= HOUR


@pytest.mark.fake_runs(instant_sleep=True)
def test_a_polling_loop_in_the_client(fake_runs):
    run = fake_runs.coalesce.add_run(durations={"waitingToRun": 60, "running": HOUR})

    def poll(_):
        while run.status not in ("completed", "failed", "canceled"):
            client.wait(5)

    assert returns_at_once(poll, None)
    assert run.status == "completed"


@pytest.mark.fake_runs(instant_sleep=True)
def test_a_module_imported_during_the_test(fake_runs):
    late = importlib.import_module("late_client")
    start = fake_runs.clock.now()
    assert returns_at_once(late.sleep, HOUR)
    assert (fake_runs.clock.now() - start).total_seconds() >= HOUR


def test_everything_is_real_again_afterwards():
    import late_client

    assert isinstance(time.sleep, REAL)
    assert isinstance(client.sleep, REAL) and client.sleep is time.sleep
    assert isinstance(late_client.sleep, REAL)
    assert client.async_nap is asyncio.sleep
    assert asyncio.sleep.__module__ == "asyncio.tasks"
"""


def test_instant_sleep_covers_names_imported_from_time_and_asyncio(
    pytester: pytest.Pytester,
) -> None:
    pytester.syspathinsert()
    pytester.makepyfile(client=CLIENT, late_client="from time import sleep\n", test_it=TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "test_it.py")
    result.assert_outcomes(passed=5)
