"""The run lifecycle of the core: time, poll and manual progression, the run's own moves,
hold/release, and the transition hook. Coalesce is the vendor used: it has sub-steps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_fakeruns import FakeRuns, FakeRunsError, InvalidTransition, Run
from pytest_fakeruns._http import Request

W, R = 4.0, 20.0  # waitingToRun 4 s; running 20 s: initializing 3, rendering 3, running 14
DURATIONS = {"waitingToRun": W, "running": R}


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


class Recorder:
    """Stands in for pytest's hook relay: records every transition."""

    def __init__(self) -> None:
        self.transitions: list[tuple[object, str, str]] = []

    def pytest_fakeruns_transition(self, run: Run, old: Any, new: Any) -> None:
        self.transitions.append((run.id, str(old), str(new)))

    def pytest_fakeruns_call(self, call: Any) -> None:
        pass


def make(progression: str) -> tuple[FakeRuns, Recorder]:
    recorder = Recorder()
    return FakeRuns(seed=5, progression=progression, hook=recorder), recorder


@pytest.fixture
def timed() -> Iterator[tuple[FakeRuns, Recorder]]:
    """A time-progression fake whose clock stands still unless the test moves it."""
    fake, recorder = make("time")
    with fake.clock.freeze():
        yield fake, recorder


def api_read(fake: FakeRuns, run: Run) -> str:
    """One read of the run through the vendor API (GET /api/v1/runs/{runID})."""
    url = f"{fake.coalesce.base_url}/api/v1/runs/{run.id}"
    answer = fake.handle(Request("GET", url, {"Authorization": "Bearer t"}))
    assert answer is not None and answer.status == 200
    return str(json.loads(answer.body)["runStatus"])


def list_read(fake: FakeRuns) -> list[str]:
    url = f"{fake.coalesce.base_url}/api/v1/runs"
    answer = fake.handle(Request("GET", url, {"Authorization": "Bearer t"}))
    assert answer is not None and answer.status == 200
    return [item["runStatus"] for item in json.loads(answer.body)["data"]]


# -- time progression -----------------------------------------------------------------------


def test_time_moves_each_step_at_its_due_instant(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, recorder = timed
    run = fake.coalesce.add_run(durations=DURATIONS)
    t0 = run.created_at
    assert t0 == fake.clock.now()
    steps = [(W, "initializing"), (W + 3, "rendering"), (W + 6, "running"), (W + R, "completed")]

    seen = []
    for offset, word in steps:
        fake.clock.set(t0 + seconds(offset) - dt.timedelta(microseconds=1))
        before = run.status
        fake.clock.set(t0 + seconds(offset))
        seen.append((before, run.status))
        assert run.status == word

    assert [after for _, after in seen] == [w for _, w in steps]
    assert [before for before, _ in seen] == [
        "waitingToRun",
        "initializing",
        "rendering",
        "running",
    ]
    assert run.started_at == t0 + seconds(W)
    assert run.ended_at == t0 + seconds(W + R)
    assert recorder.transitions == [
        (run.id, "waitingToRun", "running"),
        (run.id, "running", "completed"),
    ]


def test_one_clock_jump_across_every_step_keeps_the_due_instants(
    timed: tuple[FakeRuns, Recorder],
) -> None:
    fake, recorder = timed
    run = fake.coalesce.add_run(durations=DURATIONS, outcome="failed")
    t0 = run.created_at

    fake.clock.advance(3600)

    assert run.state == "failed"
    assert run.started_at == t0 + seconds(W)  # the due instants, not the moment of the read
    assert run.ended_at == t0 + seconds(W + R)
    assert recorder.transitions == [
        (run.id, "waitingToRun", "running"),
        (run.id, "running", "failed"),
    ]


def test_time_catches_up_before_a_list_and_the_hook_sees_every_change_in_order(
    timed: tuple[FakeRuns, Recorder],
) -> None:
    fake, recorder = timed
    first = fake.coalesce.add_run(durations={"waitingToRun": 1, "running": 10})
    second = fake.coalesce.add_run(durations={"waitingToRun": 2, "running": 100})

    fake.clock.advance(50)
    words = list_read(fake)

    assert words == ["running", "completed"]  # newest first
    assert [t for t in recorder.transitions if t[0] == first.id] == [
        (first.id, "waitingToRun", "running"),
        (first.id, "running", "completed"),
    ]
    assert [t for t in recorder.transitions if t[0] == second.id] == [
        (second.id, "waitingToRun", "running")
    ]


def test_creating_a_run_is_not_a_transition(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, recorder = timed
    for word in ("waitingToRun", "rendering", "completed", "failed", "canceled"):
        fake.coalesce.add_run(state=word)
    fake.coalesce.add_runs(20)

    assert recorder.transitions == []


def test_time_mode_ignores_reads(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, _ = timed
    run = fake.coalesce.add_run(durations=DURATIONS)

    reads = [api_read(fake, run) for _ in range(3)]

    assert reads == ["waitingToRun"] * 3


# -- poll progression -----------------------------------------------------------------------


def test_poll_moves_one_vendor_step_per_api_read() -> None:
    fake, recorder = make("poll")
    run = fake.coalesce.add_run()

    reads = [api_read(fake, run) for _ in range(6)]

    assert reads == [
        "waitingToRun",
        "initializing",
        "rendering",
        "running",
        "completed",
        "completed",
    ]
    assert recorder.transitions == [
        (run.id, "waitingToRun", "running"),
        (run.id, "running", "completed"),
    ]


def test_poll_ignores_python_reads_and_the_clock() -> None:
    fake, _ = make("poll")
    run = fake.coalesce.add_run()

    fake.clock.advance(3600)
    for _ in range(3):
        _ = (run.state, run.status, run.to_json(), fake.coalesce.runs(), fake.coalesce.get(run.id))

    assert run.status == "waitingToRun"
    assert api_read(fake, run) == "waitingToRun"
    assert run.status == "initializing"


def test_poll_moves_every_run_shown_on_a_list_page() -> None:
    fake, _ = make("poll")
    first = fake.coalesce.add_run()
    second = fake.coalesce.add_run(state="rendering")

    assert list_read(fake) == ["rendering", "waitingToRun"]
    assert list_read(fake) == ["running", "initializing"]
    assert (first.status, second.status) == ("rendering", "completed")


# -- manual progression and the run's own moves -----------------------------------------------


def test_manual_moves_only_with_the_run_methods() -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run()

    fake.clock.advance(3600)
    idle = [api_read(fake, run), run.status, api_read(fake, run)]
    steps = [run.advance().status for _ in range(4)]

    assert idle == ["waitingToRun"] * 3
    assert steps == ["initializing", "rendering", "running", "completed"]
    assert len(recorder.transitions) == 2


def test_advance_stamps_the_current_instant() -> None:
    fake, _ = make("manual")
    with fake.clock.freeze():
        run = fake.coalesce.add_run()
        fake.clock.advance(7)
        run.advance()
        fake.clock.advance(5)
        run.advance_to("completed")

        assert run.started_at == run.created_at + seconds(7)
        assert run.ended_at == run.created_at + seconds(12)


def test_advance_to_a_word_stops_there_and_every_transition_is_observed() -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run()

    run.advance_to("running")
    at_running = (run.status, list(recorder.transitions))
    run.advance_to("completed")

    assert at_running == ("running", [(run.id, "waitingToRun", "running")])
    assert run.status == "completed"
    assert recorder.transitions == [
        (run.id, "waitingToRun", "running"),
        (run.id, "running", "completed"),
    ]


def test_advance_to_the_state_it_ended_in_is_a_no_op() -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run(state="completed")

    assert run.advance_to("completed") is run
    assert recorder.transitions == []


def test_fail_walks_through_running_and_keeps_the_reason() -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run()

    run.fail(reason="Warehouse suspended")

    assert run.state == "failed" and run.status == "failed"
    assert run.started_at is not None and run.ended_at is not None
    assert run.to_json()["runFailureReason"] == "Warehouse suspended"
    assert recorder.transitions == [
        (run.id, "waitingToRun", "running"),
        (run.id, "running", "failed"),
    ]


def test_cancel_from_waiting_never_starts() -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run()

    run.cancel()

    assert run.state == "canceled" and run.started_at is None and run.ended_at is not None
    assert recorder.transitions == [(run.id, "waitingToRun", "canceled")]


@pytest.mark.parametrize("step", ["initializing", "rendering", "running"])
def test_cancel_from_any_running_step(step: str) -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run(state=step)

    run.cancel()

    assert run.status == "canceled"
    assert recorder.transitions == [(run.id, "running", "canceled")]


# -- illegal moves ------------------------------------------------------------------------------

ILLEGAL = [
    ("completed", lambda r: r.advance(), "advance"),
    ("completed", lambda r: r.cancel(), "cancel"),
    ("failed", lambda r: r.cancel(), "cancel"),
    ("failed", lambda r: r.fail(), "fail"),
    ("canceled", lambda r: r.advance_to("running"), "advance to 'running'"),
    ("canceled", lambda r: r.advance_to("completed"), "advance to 'completed'"),
    ("rendering", lambda r: r.advance_to("initializing"), "advance back to 'initializing'"),
    ("running", lambda r: r.advance_to("waitingToRun"), "advance back to 'waitingToRun'"),
]


@pytest.mark.parametrize(("state", "move", "named"), ILLEGAL)
def test_an_illegal_move_names_the_run_its_state_and_the_allowed_moves(
    state: str, move: Any, named: str
) -> None:
    fake, recorder = make("manual")
    run = fake.coalesce.add_run(state=state)

    with pytest.raises(InvalidTransition) as raised:
        move(run)

    message = str(raised.value)
    assert f"cannot {named} coalesce run {run.id!r}" in message
    assert f"it is {run.state.value} ({state!r})" in message
    if run.state.terminal:
        assert "allowed moves: none: the run has ended" in message
    else:
        assert "allowed moves: advance(), advance_to(<later state>), fail(), cancel()" in message
    assert isinstance(raised.value, FakeRunsError)
    assert run.status == state and recorder.transitions == []


@pytest.mark.parametrize(
    ("vendor", "state", "target", "states", "words"),
    [
        (
            "coalesce",
            "running",
            "waitingToRun",
            "completed, failed, canceled",
            "'completed', 'failed', 'canceled'",
        ),
        (
            "coalesce",
            "initializing",
            "waitingToRun",
            "completed, failed, canceled",
            "'rendering', 'running', 'completed', 'failed', 'canceled'",
        ),
        (
            "workiva",
            "started",
            "queued",
            "completed, failed, canceled",
            "'completed', 'failed', 'cancelled'",
        ),
        (
            "arcgis",
            "executing",
            "scheduled",
            "completed, failed, canceled",
            "'succeeded', 'failed', 'skipped', 'submitfailed'",
        ),
    ],
)
def test_an_illegal_advance_to_names_the_states_the_run_can_still_reach(
    vendor: str, state: str, target: str, states: str, words: str
) -> None:
    fake, _ = make("manual")
    run = fake.vendor(vendor).add_run(state=state)

    with pytest.raises(InvalidTransition) as raised:
        run.advance_to(target)

    assert f"it can still reach {states} (vendor words: {words})" in str(raised.value)
    run.advance_to(states.split(", ")[0])  # what it names is reachable
    assert run.state.value == states.split(", ")[0]


def test_an_ended_run_can_reach_no_other_state() -> None:
    fake, _ = make("manual")
    run = fake.kinetic.add_run(state="Complete")

    with pytest.raises(
        InvalidTransition,
        match="it can reach no other state; allowed moves: none: the run has ended",
    ):
        run.advance_to("Staged")


def test_advance_to_an_unknown_word_names_the_words() -> None:
    fake, _ = make("manual")
    run = fake.coalesce.add_run()

    with pytest.raises(FakeRunsError, match=r"unknown state 'done'; use one of: .*initializing"):
        run.advance_to("done")


# -- hold and release ---------------------------------------------------------------------------


def test_a_held_run_ignores_time_until_released(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, recorder = timed
    run = fake.coalesce.add_run(durations=DURATIONS).hold()

    fake.clock.advance(3600)
    held = (run.status, api_read(fake, run), run.held)
    released_at = fake.clock.now()
    run.release()
    fake.clock.advance(W - 0.001)
    before = run.status
    fake.clock.set(released_at + seconds(W))

    assert held == ("waitingToRun", "waitingToRun", True)
    assert before == "waitingToRun"  # the state's duration counts from the release
    assert run.status == "initializing" and not run.held
    assert run.started_at == released_at + seconds(W)
    assert len(recorder.transitions) == 1


def test_a_held_run_still_moves_with_its_methods(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, _ = timed
    run = fake.coalesce.add_run(durations=DURATIONS).hold()

    run.advance()
    fake.clock.advance(3600)
    after_advance = (run.status, run.held)
    run.advance_to("running")
    run.fail(reason="stop")

    assert after_advance == ("initializing", True)
    assert run.state == "failed"


def test_hold_first_makes_the_moves_already_due(timed: tuple[FakeRuns, Recorder]) -> None:
    fake, _ = timed
    run = fake.coalesce.add_run(durations=DURATIONS)
    fake.clock.advance(W + 4)  # past initializing, in rendering

    run.hold()
    fake.clock.advance(3600)

    assert run.status == "rendering"


def test_a_held_run_ignores_poll_reads() -> None:
    fake, _ = make("poll")
    run = fake.coalesce.add_run().hold()

    reads = [api_read(fake, run) for _ in range(3)]
    run.release()
    after = [api_read(fake, run) for _ in range(2)]

    assert reads == ["waitingToRun"] * 3
    assert after == ["waitingToRun", "initializing"]


def test_a_held_run_can_be_canceled() -> None:
    fake, _ = make("poll")
    run = fake.coalesce.add_run(state="running").hold()

    run.cancel()

    assert run.state == "canceled"
