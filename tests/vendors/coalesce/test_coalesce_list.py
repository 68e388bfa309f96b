"""Coalesce ``GET /api/v1/runs``: the contract's example, parameters, shapes and keyset paging."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_fakeruns import Run
from tests._clients import Api

# runs move only when a test moves them, so two reads always agree
pytestmark = pytest.mark.fake_runs(progression="manual")

AUTH = {"Authorization": "Bearer t0k3n"}
JSON = "application/json; charset=utf-8"
SUMMARY_KEYS = [
    "id",
    "reRunID",
    "runStartTime",
    "runEndTime",
    "runType",
    "runStatus",
    "environmentID",
    "runFailureReason",
]
REASON = "SQL compilation error: Object 'ANALYTICS.STG_ORDERS' does not exist or not authorized."


def runs_page(api: Api, **params: Any) -> Any:
    answer = api.get("coalesce", "/api/v1/runs", params=params, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == JSON
    return answer.json()


def in_order(keys: list[str], order: list[str]) -> bool:
    """``keys`` appear in the relative order ``order`` gives them."""
    return keys == [k for k in order if k in keys]


# -- the example of contract section 4 -------------------------------------------------------

EXAMPLE = {
    "limit": 2,
    "orderByDirection": "desc",
    "orderBy": "id",
    "data": [
        {
            "id": 4812,
            "runStartTime": "2026-03-02T10:00:03Z",
            "runType": "refresh",
            "runStatus": "running",
            "environmentID": "2",
        },
        {
            "id": 4811,
            "runStartTime": "2026-03-02T09:00:02Z",
            "runEndTime": "2026-03-02T09:03:45Z",
            "runType": "refresh",
            "runStatus": "failed",
            "environmentID": "2",
            "runFailureReason": REASON,
        },
    ],
    "next": "4811",
}


def test_the_contract_example_is_reproduced_exactly(api: Api) -> None:
    coalesce = api.fake.coalesce
    coalesce.add_runs(4809, environment_id="9", state="completed")  # ids 1..4809
    coalesce.add_run(
        environment_id="2", runType="refresh", state="completed", created_at="2026-03-02T08:00:00Z"
    )
    coalesce.add_run(
        environment_id="2",
        runType="refresh",
        state="failed",
        reason=REASON,
        created_at="2026-03-02T09:00:00Z",
        durations={"waitingToRun": 2, "running": 223},
    )
    running = coalesce.add_run(
        environment_id="2",
        runType="refresh",
        state="running",
        created_at="2026-03-02T10:00:00Z",
        durations={"waitingToRun": 3, "running": 30},
    )
    assert running.id == 4812

    answer = api.get("coalesce", "/api/v1/runs", params={"limit": 2}, headers=AUTH)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == JSON
    body = answer.json()
    assert body == EXAMPLE
    assert json.dumps(body) == json.dumps(EXAMPLE)  # key order too, at every level
    assert [coalesce.get(item["id"]).to_json() for item in body["data"]] == body["data"]


# -- defaults, filters, shapes ---------------------------------------------------------------


@pytest.mark.fake_runs(progression="time")
def test_a_status_filter_sees_the_runs_as_of_now(api: Api) -> None:
    run = api.fake.coalesce.add_run(durations={"waitingToRun": 1, "running": 100})
    api.fake.clock.advance(2)

    data = runs_page(api, runStatus="initializing")["data"]

    assert [r["id"] for r in data] == [run.id]


def test_defaults_are_25_newest_first_by_id(api: Api) -> None:
    api.fake.coalesce.add_runs(30)

    body = runs_page(api)

    assert list(body) == ["limit", "orderByDirection", "orderBy", "data", "next"]
    assert (body["limit"], body["orderByDirection"], body["orderBy"]) == (25, "desc", "id")
    assert [r["id"] for r in body["data"]] == list(range(30, 5, -1))
    assert body["next"] == "6"


def test_the_only_page_has_no_next(api: Api) -> None:
    api.fake.coalesce.add_runs(3)

    body = runs_page(api, limit=3)

    assert [r["id"] for r in body["data"]] == [3, 2, 1]
    assert "next" not in body


def test_an_empty_store_answers_an_empty_page(api: Api) -> None:
    assert runs_page(api) == {"limit": 25, "orderByDirection": "desc", "orderBy": "id", "data": []}


@pytest.mark.parametrize("limit", [1, 1000])
def test_limit_bounds_are_accepted_and_echoed(api: Api, limit: int) -> None:
    api.fake.coalesce.add_runs(3)

    body = runs_page(api, limit=str(limit))

    assert body["limit"] == limit
    assert len(body["data"]) == min(limit, 3)


def test_summary_items_have_the_seed_key_order_and_omit_absent_keys(api: Api) -> None:
    api.fake.coalesce.add_runs(200)

    body = runs_page(api, limit=200)

    kinds = set()
    for item in body["data"]:
        keys = list(item)
        assert in_order(keys, SUMMARY_KEYS), keys
        assert None not in item.values()
        assert {"id", "runType", "runStatus", "environmentID"} <= set(keys)
        assert ("runFailureReason" in item) == (item["runStatus"] == "failed")
        assert ("runEndTime" in item) == (item["runStatus"] in ("completed", "failed", "canceled"))
        kinds.add(item["runStatus"])
    assert {"completed", "failed"} <= kinds


@pytest.mark.parametrize("run_type", ["deploy", "refresh"])
def test_run_type_filter(api: Api, run_type: str) -> None:
    api.fake.coalesce.add_runs(4, runType="deploy")
    api.fake.coalesce.add_runs(5, runType="refresh")

    assert len(runs_page(api)["data"]) == 9
    filtered = runs_page(api, runType=run_type)["data"]
    assert len(filtered) == (4 if run_type == "deploy" else 5)
    assert {r["runType"] for r in filtered} == {run_type}


WORDS = ["waitingToRun", "initializing", "rendering", "running", "completed", "failed", "canceled"]


@pytest.mark.parametrize("word", WORDS)
def test_run_status_filter_knows_all_seven_words(api: Api, word: str) -> None:
    made = {w: api.fake.coalesce.add_run(state=w) for w in WORDS}

    data = runs_page(api, runStatus=word)["data"]

    assert [r["id"] for r in data] == [made[word].id]
    assert data[0]["runStatus"] == word


def test_environment_filter_is_an_exact_match_and_unknown_is_empty(api: Api) -> None:
    api.fake.coalesce.add_runs(3, environment_id="2")
    api.fake.coalesce.add_runs(4, environment_id="22")

    assert {r["environmentID"] for r in runs_page(api, environmentID="2")["data"]} == {"2"}
    assert len(runs_page(api, environmentID="2")["data"]) == 3
    assert runs_page(api, environmentID="7")["data"] == []


@pytest.mark.parametrize("flag", ["true", "TRUE", "True"])
def test_detail_true_gives_the_full_objects(api: Api, flag: str) -> None:
    api.fake.coalesce.add_runs(5)

    items = runs_page(api, detail=flag)["data"]

    for item in items:
        one = api.get("coalesce", f"/api/v1/runs/{item['id']}", headers=AUTH).json()
        assert json.dumps(item) == json.dumps(one)
        assert "runDetails" in item


@pytest.mark.parametrize("flag", ["false", "FALSE"])
def test_detail_false_gives_the_summaries(api: Api, flag: str) -> None:
    api.fake.coalesce.add_runs(5)

    items = runs_page(api, detail=flag)["data"]

    assert items == [api.fake.coalesce.get(i["id"]).to_json() for i in items]


def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    api.fake.coalesce.add_runs(2)

    assert runs_page(api, color="blue")["data"] == runs_page(api)["data"]


def test_repeated_parameters_use_the_first(api: Api) -> None:
    api.fake.coalesce.add_runs(5)

    body = runs_page(api, limit=["2", "3"])

    assert body["limit"] == 2


def test_time_orders_leave_out_runs_without_that_time(api: Api) -> None:
    co = api.fake.coalesce
    waiting, running, done = (
        co.add_run(),
        co.add_run(state="running"),
        co.add_run(state="completed"),
    )

    starts = [r["id"] for r in runs_page(api, orderBy="runStartTime")["data"]]
    ends = [r["id"] for r in runs_page(api, orderBy="runEndTime")["data"]]

    assert sorted(starts) == sorted([running.id, done.id])
    assert waiting.id not in starts
    assert ends == [done.id]


# -- startingFrom ------------------------------------------------------------------------------


def test_starting_from_an_id_is_exclusive_both_ways(api: Api) -> None:
    api.fake.coalesce.add_runs(10)

    down = runs_page(api, startingFrom="5")
    up = runs_page(api, startingFrom="5", orderByDirection="asc")

    assert [r["id"] for r in down["data"]] == [4, 3, 2, 1]
    assert [r["id"] for r in up["data"]] == [6, 7, 8, 9, 10]
    assert "next" not in down and "next" not in up


def test_a_cursor_that_never_existed_is_just_a_bound(api: Api) -> None:
    api.fake.coalesce.add_runs(3)

    assert [r["id"] for r in runs_page(api, startingFrom="99999")["data"]] == [3, 2, 1]
    assert runs_page(api, startingFrom="0")["data"] == []


def _started_after(api: Api, *waits: float) -> list[Run]:
    """Completed runs created at 10:00:00 that started ``wait`` seconds later, ran 60 s."""
    return [
        api.fake.coalesce.add_run(
            state="completed",
            created_at="2026-03-02T10:00:00Z",
            durations={"waitingToRun": wait, "running": 60},
        )
        for wait in waits
    ]


def _same_second_runs(api: Api) -> list[Run]:
    """Two runs that start within one second (03.2 and 03.7), a third at 10:00:09."""
    return _started_after(api, 3.2, 3.7, 9.0)


def test_time_cursor_skips_runs_sharing_its_instant(api: Api) -> None:
    a, b, c = _same_second_runs(api)

    up = runs_page(
        api, orderBy="runStartTime", orderByDirection="asc", startingFrom="2026-03-02T10:00:03Z"
    )
    down = runs_page(api, orderBy="runStartTime", startingFrom="2026-03-02T10:00:09Z")
    fraction = runs_page(
        api, orderBy="runStartTime", orderByDirection="asc", startingFrom="2026-03-02T10:00:02.500Z"
    )

    assert [r["id"] for r in up["data"]] == [c.id]
    assert [r["id"] for r in down["data"]] == [b.id, a.id]  # ties on the instant: by id
    assert [r["id"] for r in fraction["data"]] == [a.id, b.id, c.id]


def test_time_next_is_the_shown_instant_and_ties_are_broken_by_id(api: Api) -> None:
    a, _, c = _same_second_runs(api)

    first = runs_page(api, orderBy="runStartTime", orderByDirection="asc", limit=1)
    second = runs_page(
        api, orderBy="runStartTime", orderByDirection="asc", limit=1, startingFrom=first["next"]
    )

    assert [r["id"] for r in first["data"]] == [a.id]
    assert first["next"] == first["data"][0]["runStartTime"] == "2026-03-02T10:00:03Z"
    assert [r["id"] for r in second["data"]] == [c.id]  # b shares the cursor's instant
    assert "next" not in second


def test_no_next_when_only_runs_on_the_boundary_instant_remain(api: Api) -> None:
    a, _ = _started_after(api, 3.2, 3.7)

    body = runs_page(api, orderBy="runStartTime", orderByDirection="asc", limit=1)

    assert [r["id"] for r in body["data"]] == [a.id]
    assert "next" not in body


def test_run_end_time_cursor_is_an_instant(api: Api) -> None:
    a, b, _ = _same_second_runs(api)  # ends 10:01:03.2, 10:01:03.7, 10:01:09

    body = runs_page(api, orderBy="runEndTime", startingFrom="2026-03-02T10:01:09+00:00")

    assert [r["id"] for r in body["data"]] == [b.id, a.id]
    assert body["data"][0]["runEndTime"] == "2026-03-02T10:01:03Z"


# -- paging through 500 runs -------------------------------------------------------------------

ORDERS = ["id", "runStartTime", "runEndTime"]


def walk(api: Api, between: Any = None, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of a traversal following ``next``; ``between()`` runs after each page."""
    items: list[dict[str, Any]] = []
    pages = 0
    params = dict(params)
    while True:
        body = runs_page(api, **params)
        pages += 1
        items.extend(body["data"])
        assert body["data"], "a page with a next must not be followed by an empty one"
        if "next" not in body:
            return items, pages
        order_by = params.get("orderBy", "id")
        assert body["next"] == str(body["data"][-1][order_by])
        params["startingFrom"] = body["next"]
        if between is not None:
            between()


def sort_key(item: dict[str, Any], order_by: str) -> tuple[Any, int]:
    return (item[order_by], item["id"])


def has_key(run: Run, order_by: str) -> bool:
    return order_by == "id" or order_by in run.to_json()


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("order_by", ORDERS)
def test_paging_500_runs_sees_each_exactly_once(api: Api, order_by: str, direction: str) -> None:
    seeded = api.fake.coalesce.add_runs(500)
    expected = {r.id for r in seeded if has_key(r, order_by)}

    items, pages = walk(api, limit=37, orderBy=order_by, orderByDirection=direction)

    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    keys = [sort_key(i, order_by) for i in items]
    assert keys == sorted(keys, reverse=direction == "desc")
    assert pages == -(-len(expected) // 37)


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("order_by", ORDERS)
def test_paging_is_stable_while_runs_are_added(api: Api, order_by: str, direction: str) -> None:
    fake = api.fake
    seeded = fake.coalesce.add_runs(500, environment_id="3")
    expected = [r.id for r in seeded if has_key(r, order_by)]
    added: list[Run] = []

    def add_two() -> None:
        fake.clock.advance(5)  # new runs are later than every run before them
        answer = api.post(
            "coalesce",
            "/scheduler/startRun",
            headers=AUTH,
            json={
                "runDetails": {"environmentID": "3"},
                "userCredentials": {"snowflakeUsername": "U", "snowflakePassword": "p"},
            },
        )
        added.append(fake.coalesce.get(answer.json()["runCounter"]))  # waitingToRun
        added.append(fake.coalesce.add_run(environment_id="3").advance_to("completed"))

    items, _ = walk(api, add_two, limit=37, orderBy=order_by, orderByDirection=direction)

    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    if direction == "desc":  # new runs sort before every cursor issued: never seen
        assert sorted(ids) == sorted(expected)
    else:  # new runs come after the cursor: seen at the end, in order
        tail = [r.id for r in added if has_key(r, order_by)]
        assert (
            ids
            == sorted(expected, key=lambda i: sort_key(fake.coalesce.get(i).to_json(), order_by))
            + tail
        )
        assert tail
    keys = [sort_key(i, order_by) for i in items]
    assert keys == sorted(keys, reverse=direction == "desc")
