"""Clients that are not requests/httpx-in-process against fake_runs_server, and concurrency."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from typing import Any

import aiohttp
import httpx
import pytest
import requests

from pytest_fakeruns import FakeRuns

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 10.0
CLIENTS = 16
EACH = 8
START_RUN = {
    "runDetails": {"environmentID": "env-1", "jobID": "7"},
    "userCredentials": {"snowflakeAuthType": "OAuth"},
}


def runs_url(fake: FakeRuns) -> str:
    return f"{fake.coalesce.base_url}/api/v1/runs"


# -- urllib ----------------------------------------------------------------------------------


def test_urllib_lists_and_pages(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.coalesce.add_runs(12)
    request = urllib.request.Request(runs_url(fake_runs_server) + "?limit=5", headers=AUTH)
    with urllib.request.urlopen(request, timeout=BOUND) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        page = json.load(answer)
    assert [r["id"] for r in page["data"]] == [12, 11, 10, 9, 8]
    assert page["next"] == "8"
    assert fake_runs_server.calls[-1].query == {"limit": "5"}


def test_urllib_post_and_error_envelope(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.coalesce.add_run(environment_id="env-1")
    post = urllib.request.Request(
        f"{fake_runs_server.coalesce.base_url}/scheduler/startRun",
        data=json.dumps(START_RUN).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=BOUND) as answer:
        counter = json.load(answer)["runCounter"]
    assert fake_runs_server.coalesce.get(counter).fields["jobID"] == "7"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(runs_url(fake_runs_server), timeout=BOUND)
    with refused.value as error:
        assert error.code == 401
        assert json.load(error)["error"]["errorString"] == "Unauthorized"


def test_urllib_sees_a_connection_fault(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.inject(error="connection", times=1)
    request = urllib.request.Request(runs_url(fake_runs_server), headers=AUTH)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(request, timeout=BOUND)


# -- aiohttp ---------------------------------------------------------------------------------


def test_aiohttp_get_post_and_concurrent_reads(fake_runs_server: FakeRuns) -> None:
    fake = fake_runs_server
    fake.coalesce.add_runs(30, environment_id="env-1")

    async def go() -> tuple[Any, Any, list[int]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=BOUND)) as s:
            async with s.get(runs_url(fake), params={"limit": "3"}, headers=AUTH) as r:
                assert r.status == 200
                page = await r.json()
            url = f"{fake.coalesce.base_url}/scheduler/startRun"
            async with s.post(url, json=START_RUN, headers=AUTH) as r:
                started = await r.json()

            async def one(run_id: int) -> int:
                async with s.get(f"{runs_url(fake)}/{run_id}", headers=AUTH) as r:
                    return int((await r.json())["id"])

            ids = await asyncio.gather(*(one(i) for i in range(1, CLIENTS + 1)))
            return page, started, ids

    page, started, ids = asyncio.run(go())
    assert len(page["data"]) == 3
    assert fake.coalesce.get(started["runCounter"]).parent == "env-1"
    assert ids == list(range(1, CLIENTS + 1))
    assert len(fake.calls) == 2 + CLIENTS


def test_aiohttp_sees_connection_fault_and_timeout(fake_runs_server: FakeRuns) -> None:
    fake = fake_runs_server

    async def go() -> None:
        async with aiohttp.ClientSession() as s:
            # aiohttp retries an idempotent request once on a reset connection (RFC 9112)
            with (
                fake.inject(error="connection") as dropped,
                pytest.raises(aiohttp.ClientOSError),
            ):
                async with s.get(runs_url(fake), headers=AUTH) as r:
                    await r.read()
            assert dropped.hits == 2
            url = f"{fake.coalesce.base_url}/scheduler/startRun"
            with (
                fake.inject(error="connection", times=1) as dropped,
                pytest.raises(aiohttp.ClientOSError),
            ):
                async with s.post(url, json=START_RUN, headers=AUTH) as r:
                    await r.read()
            assert dropped.hits == 1
            timeout = aiohttp.ClientTimeout(total=0.3)
            with fake.inject(error="timeout", times=1), pytest.raises(asyncio.TimeoutError):
                async with s.get(runs_url(fake), headers=AUTH, timeout=timeout) as r:
                    await r.read()
            async with s.get(runs_url(fake), headers=AUTH) as r:
                assert r.status == 200

    asyncio.run(go())


# -- httpx, real transports (the fake does not intercept the server's URLs) -----------------


def test_httpx_sync_and_async_reach_the_socket(fake_runs_server: FakeRuns) -> None:
    fake = fake_runs_server
    fake.coalesce.add_runs(2)
    with httpx.Client(timeout=BOUND) as client:
        assert client.get(runs_url(fake), headers=AUTH).json()["data"][0]["id"] == 2

    async def go() -> int:
        async with httpx.AsyncClient(timeout=BOUND) as client:
            return (await client.get(runs_url(fake), headers=AUTH)).status_code

    assert asyncio.run(go()) == 200
    assert [c.headers.get("Host") for c in fake.calls] == [fake.url.split("//")[1]] * 2
    with fake.inject(error="connection", times=1), pytest.raises(httpx.TransportError):
        httpx.get(runs_url(fake), headers=AUTH, timeout=BOUND)
    with fake.inject(error="timeout", times=1), pytest.raises(httpx.ReadTimeout):
        httpx.get(runs_url(fake), headers=AUTH, timeout=0.3)


# -- concurrency ----------------------------------------------------------------------------


def test_sixteen_concurrent_clients_lose_nothing(fake_runs_server: FakeRuns) -> None:
    fake = fake_runs_server
    fake.coalesce.add_run(environment_id="env-1")
    start = threading.Barrier(CLIENTS)
    counters: list[list[int]] = [[] for _ in range(CLIENTS)]
    listed: list[int] = [0] * CLIENTS
    failures: list[BaseException] = []

    def client(index: int) -> None:
        try:
            with requests.Session() as session:
                start.wait(BOUND)
                for n in range(EACH):
                    body = {
                        **START_RUN,
                        "runDetails": {"environmentID": "env-1", "jobID": f"{index}-{n}"},
                    }
                    r = session.post(
                        f"{fake.coalesce.base_url}/scheduler/startRun",
                        json=body,
                        headers=AUTH,
                        timeout=BOUND,
                    )
                    r.raise_for_status()
                    counters[index].append(r.json()["runCounter"])
                r = session.get(runs_url(fake), params={"limit": 1000}, headers=AUTH, timeout=BOUND)
                listed[index] = len(r.json()["data"])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND * 3)
        assert not thread.is_alive(), "a client hung"
    assert failures == []

    made = [c for per_client in counters for c in per_client]
    assert len(made) == CLIENTS * EACH
    assert len(set(made)) == len(made), "two requests got the same run"
    stored = {run.id for run in fake.coalesce.runs()}
    assert set(made) <= stored
    assert len(stored) == 1 + CLIENTS * EACH
    for index, per_client in enumerate(counters):
        jobs = [fake.coalesce.get(c).fields["jobID"] for c in per_client]
        assert jobs == [f"{index}-{n}" for n in range(EACH)], "an answer went to the wrong client"
    assert all(n >= 1 + EACH for n in listed)
    assert len(fake.calls) == CLIENTS * (EACH + 1)
    assert {c.status for c in fake.calls} == {200}
