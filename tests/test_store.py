"""The store as the test author drives it: add_run placement, seeded add_runs, runs(), get(),
vendor(), reset(); and the sorted index under it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Iterator

import freezegun
import pytest

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns._http import Request
from pytest_fakeruns._registry import BUILTIN
from pytest_fakeruns._store import SortedIndex

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
W, R = 4.0, 20.0
DURATIONS = {"waitingToRun": W, "running": R}
VENDORS = list(BUILTIN)


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


@pytest.fixture
def fake() -> Iterator[FakeRuns]:
    """A manual-progression fake whose clock stands at NOW."""
    with freezegun.freeze_time(NOW):
        yield FakeRuns(seed=3, progression="manual")


# -- add_run: placement ---------------------------------------------------------------------


def test_a_new_run_waits_from_now_with_per_run_durations(fake: FakeRuns) -> None:
    runs = [fake.coalesce.add_run() for _ in range(20)]

    assert all(r.state == "waitingToRun" and r.created_at == NOW for r in runs)
    assert all(r.outcome == "completed" for r in runs)
    assert all(r.started_at is None and r.ended_at is None for r in runs)
    assert all(1.5 <= r.durations["waitingToRun"] <= 7.5 for r in runs)
    assert all(15 <= r.durations["running"] <= 75 for r in runs)
    assert len({r.durations["running"] for r in runs}) > 1
    assert [r.id for r in runs] == list(range(1, 21))


@pytest.mark.parametrize(
    ("state", "started", "created"),
    [
        ("initializing", 0, W),
        ("rendering", 3, W + 3),
        ("running", 6, W + 6),
    ],
)
def test_a_state_places_the_run_on_that_step_now(
    fake: FakeRuns, state: str, started: float, created: float
) -> None:
    run = fake.coalesce.add_run(state=state, durations=DURATIONS)

    assert run.status == state and run.state == "running"
    assert run.started_at == NOW - seconds(started)
    assert run.created_at == NOW - seconds(created)
    assert run.ended_at is None


@pytest.mark.parametrize("end", ["completed", "failed", "canceled"])
def test_an_ended_state_places_the_end_now(fake: FakeRuns, end: str) -> None:
    run = fake.coalesce.add_run(state=end, durations=DURATIONS)

    assert run.status == end
    assert run.ended_at == NOW
    assert run.started_at == NOW - seconds(R)
    assert run.created_at == NOW - seconds(R + W)


def test_the_step_reached_now_lasts_its_whole_share() -> None:
    fake = FakeRuns(seed=3, progression="time")
    with fake.clock.freeze():
        run = fake.coalesce.add_run(state="rendering", durations=DURATIONS)
        reached = fake.clock.now()
        fake.clock.set(reached + seconds(3) - dt.timedelta(microseconds=1))
        before = run.status
        fake.clock.set(reached + seconds(3))

        assert (before, run.status) == ("rendering", "running")


def test_the_vendor_status_field_is_a_synonym_of_state(fake: FakeRuns) -> None:
    assert fake.coalesce.add_run(runStatus="initializing").status == "initializing"
    assert fake.coalesce.add_run(state="rendering", runStatus="rendering").status == "rendering"
    with pytest.raises(FakeRunsError, match="state='running' and runStatus='failed'"):
        fake.coalesce.add_run(state="running", runStatus="failed")


def test_an_unknown_state_names_the_words(fake: FakeRuns) -> None:
    with pytest.raises(FakeRunsError, match=r"unknown state 'done'; use one of: .*rendering"):
        fake.coalesce.add_run(state="done")


def test_created_at_walks_the_run_from_then(fake: FakeRuns) -> None:
    then = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    as_text = fake.coalesce.add_run(
        created_at="2026-03-01T08:00:00Z", state="running", durations=DURATIONS
    )
    naive = fake.coalesce.add_run(
        created_at=then.replace(tzinfo=None), state="completed", durations=DURATIONS
    )

    assert as_text.created_at == then and as_text.started_at == then + seconds(W)
    assert as_text.status == "running"  # manual: nothing moves it
    assert naive.created_at == then and naive.ended_at == then + seconds(W + R)


def test_created_at_in_time_mode_catches_up_with_the_clock() -> None:
    fake = FakeRuns(seed=3)
    run = fake.coalesce.add_run(created_at="2026-01-01T00:00:00Z", durations=DURATIONS)

    assert run.state == "completed"
    assert run.ended_at == dt.datetime(2026, 1, 1, 0, 0, 24, tzinfo=dt.timezone.utc)


def test_outcome_is_where_time_takes_the_run() -> None:
    fake = FakeRuns(seed=3)
    failed = fake.coalesce.add_run(outcome="failed", created_at="2026-01-01T00:00:00Z")
    canceled = fake.coalesce.add_run(outcome="canceled", created_at="2026-01-01T00:00:00Z")

    assert (failed.state, canceled.state) == ("failed", "canceled")
    assert failed.to_json()["runFailureReason"]
    with pytest.raises(FakeRunsError, match="not a terminal state"):
        fake.coalesce.add_run(outcome="running")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"colour": "red"}, "unknown field.*colour.*allowed.*runType"),
        ({"runType": "build"}, "runType='build'; use one of deploy, refresh"),
        ({"userCredentials": "LOADER"}, "userCredentials is a dict"),
        ({"durations": {"queued": 1}}, "durations key 'queued'"),
        ({"durations": {"running": -1}}, r"durations\['running'\] must be seconds >= 0"),
        ({"durations": 5}, "durations is a dict"),
        ({"environment_id": ""}, "environment_id must be a non-empty string"),
        ({"environment_id": "2", "environmentID": "3"}, "give one of them"),
    ],
)
def test_add_run_misuse_says_what_is_allowed(
    fake: FakeRuns, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(FakeRunsError, match=message):
        fake.coalesce.add_run(**fields)


def test_a_parent_is_created_on_first_use(fake: FakeRuns) -> None:
    run = fake.coalesce.add_run(environment_id=8)
    same = fake.coalesce.add_run(environmentID="8")

    assert run.parent == same.parent == "8"
    assert fake.coalesce.parent("8") is not None
    assert run.to_json()["environmentID"] == "8"


def test_the_default_parent_comes_from_the_seed() -> None:
    one, two = FakeRuns(seed=3), FakeRuns(seed=3)

    keys = {
        one.coalesce.add_run().parent,
        two.coalesce.add_run().parent,
        one.coalesce.add_runs(2)[0].parent,
        two.coalesce.add_parent().key,
    }

    assert len(keys) == 1


# -- add_runs -------------------------------------------------------------------------------


def history(seed: int, count: int = 60) -> str:
    with freezegun.freeze_time(NOW):
        fake = FakeRuns(seed=seed, progression="manual")
        runs = fake.coalesce.add_runs(count)
        return json.dumps([[r.to_json(), r.durations, r.fields] for r in runs])


def test_add_runs_is_the_same_for_the_same_seed_and_differs_with_another() -> None:
    assert history(7) == history(7)
    assert history(7) != history(8)


def test_add_runs_never_draws_from_the_global_random() -> None:
    random.seed(1)
    first = history(7)
    random.seed(2)

    assert history(7) == first


# sha256 of ``pinned_history()``, as before the add_runs speed-ups of issue 14, which must
# keep every generated id, field, duration and microsecond; a change here changes every
# seeded suite's data, so it is a release note, not a test update.
PINNED_HISTORY = "8ac32067f7ba8700bf882abfe9046b58018c8da3572eeac45196606283518c08"


def pinned_history() -> str:
    with freezegun.freeze_time(NOW):
        fake = FakeRuns(seed=7, progression="manual")
        lines = []
        for name in VENDORS:
            vendor = fake.vendor(name)
            runs = [*vendor.add_runs(1500), vendor.add_run(state="running"), vendor.add_run()]
            for r in runs:
                times = [t and t.isoformat() for t in (r.created_at, r.started_at, r.ended_at)]
                lines.append(json.dumps([r.id, r.status, times, r.durations, r.to_json()]))
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_a_seed_gives_the_history_it_always_gave() -> None:
    assert pinned_history() == PINNED_HISTORY


def test_add_runs_is_a_realistic_history(fake: FakeRuns) -> None:
    runs = fake.coalesce.add_runs(500)

    words = Counter(r.status for r in runs)
    ended = words["completed"] + words["failed"] + words["canceled"]
    assert ended >= 450 and words["completed"] > words["failed"] > 0 and words["canceled"] > 0
    assert 0 < 500 - ended <= 25  # a few still active
    created = [r.created_at for r in runs]
    assert all(NOW - dt.timedelta(days=15) < c <= NOW for c in created)
    assert max(created) - min(created) > dt.timedelta(days=7)  # spread over the past days
    assert [r.id for r in sorted(runs, key=lambda r: r.created_at)] == [r.id for r in runs]


def test_add_runs_applies_the_given_fields_to_every_run(fake: FakeRuns) -> None:
    runs = fake.coalesce.add_runs(30, environment_id="4", runType="deploy", state="failed")

    assert {(r.parent, r.fields["runType"], r.status) for r in runs} == {("4", "deploy", "failed")}


def test_generated_runs_never_share_a_shown_instant() -> None:
    """Keyset paging by a time skips runs sharing the cursor's second: history never does."""
    with freezegun.freeze_time(NOW):
        fake = FakeRuns(seed=3)
        fake.coalesce.add_run(state="running")
        fake.coalesce.add_runs(1500)
        fake.coalesce.add_runs(1500)
        crowd = fake.coalesce.add_runs(40, state="initializing")  # all reached it just now

        for stamp in ("created_at", "started_at", "ended_at"):
            shown = [
                math.floor(t.timestamp())
                for r in fake.coalesce.runs()
                if (t := getattr(r, stamp)) is not None
            ]
            assert len(shown) == len(set(shown)), stamp
        # moved back in history, yet each is still on its step, with its whole share ahead
        assert all(r.status == "initializing" for r in crowd)


@pytest.mark.parametrize("count", [-1, "3", 2.0, True])
def test_add_runs_wants_a_count(fake: FakeRuns, count: object) -> None:
    with pytest.raises(FakeRunsError, match=r"add_runs\(count\) takes an int >= 0"):
        fake.coalesce.add_runs(count)  # type: ignore[arg-type]


# -- runs() and get() -------------------------------------------------------------------------


def test_runs_are_newest_first_by_creation_then_id(fake: FakeRuns) -> None:
    co = fake.coalesce
    old = co.add_run(created_at="2026-01-01T00:00:00Z")
    tie_a = co.add_run(created_at="2026-02-01T00:00:00Z")
    new = co.add_run()
    tie_b = co.add_run(created_at="2026-02-01T00:00:00Z")

    assert co.runs() == [new, tie_b, tie_a, old]


def test_runs_filters(fake: FakeRuns) -> None:
    co = fake.coalesce
    made = {
        w: co.add_run(state=w, environment_id="1", runType="refresh")
        for w in ("waitingToRun", "initializing", "rendering", "running", "completed")
    }
    deploy = co.add_run(environment_id="2", runType="deploy", outcome="failed")

    assert set(co.runs(state="running")) == {
        made[w] for w in ("initializing", "rendering", "running")
    }
    assert co.runs(runStatus="rendering") == [made["rendering"]]
    assert co.runs(state="completed") == [made["completed"]]
    assert co.runs(environment_id="2") == co.runs(environmentID=2) == [deploy]
    assert co.runs(runType="deploy") == [deploy]
    assert co.runs(outcome="failed") == [deploy]
    assert len(co.runs(environment_id="1", runType="refresh")) == 5
    assert co.runs(runType="nothing") == []


def test_get_takes_the_id_or_its_string(fake: FakeRuns) -> None:
    run = fake.coalesce.add_run()

    assert isinstance(run.id, int)
    assert fake.coalesce.get(run.id) is fake.coalesce.get(str(run.id)) is run


@pytest.mark.parametrize("missing", [99, "99", "abc"])
def test_get_an_unknown_id_names_the_vendor_and_the_id(fake: FakeRuns, missing: object) -> None:
    fake.coalesce.add_run()

    with pytest.raises(KeyError) as raised:
        fake.coalesce.get(missing)

    assert "coalesce" in str(raised.value) and repr(missing) in str(raised.value)


def test_vendor_by_name(fake: FakeRuns) -> None:
    for name in VENDORS:
        assert fake.vendor(name) is getattr(fake, name)
        assert fake.vendor(name).name == name

    with pytest.raises(KeyError) as raised:
        fake.vendor("jenkins")

    assert "'jenkins'" in str(raised.value)
    assert all(name in str(raised.value) for name in VENDORS)


# -- reset() ----------------------------------------------------------------------------------


def test_reset_empties_everything_but_keeps_the_settings() -> None:
    urls = {"coalesce": "https://app.eu.coalescesoftware.io"}
    with freezegun.freeze_time(NOW):
        fake = FakeRuns(seed=9, progression="poll", base_urls=urls)
        first = json.dumps([r.to_json() for r in fake.coalesce.add_runs(5, environment_id="2")])
        fake.inject(status=500)
        fake.coalesce.require_auth = False
        fake.coalesce.deprecate("2026-01-01")
        fake.handle(Request("GET", urls["coalesce"] + "/api/v1/runs"))
        fake.clock.advance(100)

        fake.reset()

        assert fake.coalesce.runs() == [] and fake.coalesce.parent("2") is None
        assert fake.calls == [] and fake.unmatched == []
        assert fake.clock.now() == NOW
        assert fake.coalesce.require_auth is True
        assert (fake.seed, fake.progression) == (9, "poll")
        assert fake.coalesce.base_url == urls["coalesce"]
        answer = fake.handle(
            Request("GET", urls["coalesce"] + "/api/v1/runs", {"Authorization": "Bearer t"})
        )
        assert answer is not None and answer.status == 200  # no fault, no deprecation
        assert "Deprecation" not in answer.headers
        again = json.dumps([r.to_json() for r in fake.coalesce.add_runs(5, environment_id="2")])
        assert again == first  # the same seed replays the same data


# -- the sorted index -------------------------------------------------------------------------


class Item:
    def __init__(self, key: int) -> None:
        self.key = key


def test_sorted_index_appends_and_resorts_after_a_back_dated_insert() -> None:
    index = SortedIndex(lambda r: r.key)  # type: ignore[attr-defined]
    for key in (1, 3, 5):
        index.add(Item(key))  # type: ignore[arg-type]
    index.add(Item(2))  # type: ignore[arg-type]

    assert index.keys == [1, 2, 3, 5]
    assert [r.key for r in index.runs] == [1, 2, 3, 5]  # type: ignore[attr-defined]
    assert (index.bisect_left(3), index.bisect_right(3), len(index)) == (2, 3, 4)


@pytest.mark.parametrize("enabled_before", [True, False])
def test_a_large_add_runs_leaves_the_garbage_collector_as_it_found_it(
    enabled_before: bool,
) -> None:
    import gc

    from pytest_fakeruns import FakeRuns

    fake = FakeRuns(seed=1)
    if not enabled_before:
        gc.disable()
    try:
        fake.kinetic.add_runs(1500)
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()
