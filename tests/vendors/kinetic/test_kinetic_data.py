"""Kinetic from Python: add_run fields, trees per source, seeded history, the vocabulary."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from freezegun import freeze_time

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns.vendors.kinetic.data import FAILURE_REASONS, task_list


def test_vocabulary_both_ways() -> None:
    k = FakeRuns(seed=1, progression="manual").kinetic
    for word, state in [
        ("Staged", "waitingToRun"),
        ("Started", "running"),
        ("Complete", "completed"),
    ]:
        run = k.add_run(state=word)
        assert (run.state, run.status) == (state, word)
        assert k.add_run(status=word).state == state  # the vendor's field name for state
    shown = {
        state: k.add_run(state=state).status
        for state in ("waitingToRun", "running", "completed", "failed", "canceled")
    }
    assert shown == {
        "waitingToRun": "Staged",
        "running": "Started",
        "completed": "Complete",
        "failed": "Started",
        "canceled": "Complete",
    }


def test_fields_given_are_shown() -> None:
    k = FakeRuns(seed=1, progression="manual").kinetic
    run = k.add_run(
        source="Playground",
        tree="Procurement",
        sourceGroup="ACME3 > iPad Request",
        sourceId="KS0000000000555",
        sourceData={"a": 1},
        createdBy="jdoe",
    )
    shown = run.to_json()
    assert shown["tree"] == {
        "name": "Procurement",
        "sourceGroup": "ACME3 > iPad Request",
        "source": {"name": "Playground"},
    }
    assert (shown["sourceId"], shown["sourceData"], shown["createdBy"]) == (
        "KS0000000000555",
        '{"a":1}',
        "jdoe",
    )
    assert k.runs(source_group="ACME3 > iPad Request") == [run]
    assert k.runs(tree="Procurement", source="Playground") == [run]
    assert k.add_run(source="Playground", sourceData="raw").to_json()["sourceData"] == "raw"


def test_trees_of_a_source() -> None:
    k = FakeRuns(seed=1).kinetic
    run = k.add_run(source="S", source_group="G", tree="T")
    source = k.parent("S")
    assert source is not None
    assert ("G", "T") in source.data["trees"]
    # a tree alone takes its known group; a group alone one of its trees
    assert k.add_run(source="S", tree="T").fields["sourceGroup"] == "G"
    assert k.add_run(source="S", source_group="G").fields["tree"] in {
        t for g, t in source.data["trees"] if g == "G"
    }
    generated = k.add_runs(30, source="S")
    known = set(source.data["trees"])
    assert all((r.fields["sourceGroup"], r.fields["tree"]) in known for r in generated)
    assert run.parent == "S"


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"trees": "x"}, r"unknown field\(s\) trees; allowed: .*source_group"),
        ({"tree": ""}, "tree must be a non-empty string"),
        ({"source_group": "A", "sourceGroup": "B"}, "got source_group='A' and sourceGroup='B'"),
        ({"sourceId": 5}, "sourceId must be a string or None"),
        ({"sourceData": 5}, "sourceData must be a string, a dict or None"),
        ({"createdBy": ""}, "createdBy must be a non-empty string"),
        ({"tasks": "x"}, "takes a list of task dicts"),
        ({"tasks": [{"colour": "red"}]}, r"unknown task key\(s\) colour"),
        ({"state": "Deferred"}, "unknown state 'Deferred'"),
        ({"id": "7"}, "id= takes a positive int"),
    ],
)
def test_add_run_misuse_names_what_is_allowed(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(FakeRunsError, match=match):
        FakeRuns(seed=1).kinetic.add_run(source="S", **fields)


def test_add_run_chooses_ids_and_new_ones_follow() -> None:
    k = FakeRuns(seed=1).kinetic
    assert k.add_run(id=1043).id == 1043
    assert k.add_run().id == 1044
    with pytest.raises(FakeRunsError, match="already has a run with id 1043"):
        k.add_run(id=1043)


def test_default_source_is_seeded() -> None:
    def source(seed: int) -> str:
        return FakeRuns(seed=seed).kinetic.add_run().parent

    assert source(3) == source(3)
    assert {source(s) for s in range(12)} > {source(3)}


def _everything(seed: int) -> list[Any]:
    fake = FakeRuns(seed=seed, progression="manual")
    runs = fake.kinetic.add_runs(60)
    return [fake.kinetic.definition.serialize(r, tasks=True, messages=True) for r in runs]


@freeze_time("2026-03-02T14:00:00Z")
def test_add_runs_is_deterministic_per_seed() -> None:
    assert _everything(4) == _everything(4)
    assert _everything(4) != _everything(5)


def test_add_runs_stores_no_tasks_and_mixes_outcomes() -> None:
    fake = FakeRuns(seed=2, progression="manual")
    runs = fake.kinetic.add_runs(400, source="Playground")
    assert all("tasks" not in r.fields for r in runs)
    states = {r.state for r in runs}
    assert {"completed", "failed", "canceled"} <= states
    assert [r.id for r in runs] == list(range(1, 401))
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(runs))
    failed = [r for r in runs if r.state == "failed"]
    reasons = {task_list(r)[-1]["messages"][0]["text"] for r in failed}
    assert reasons <= set(FAILURE_REASONS) and len(reasons) > 1
