"""Scenario files: one JSON format for load_scenario(), the admin API and fakeruns serve."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns.remote import connect

from ._cli_process import BOUND, Serve, serve

__all__ = ["serve"]  # the fixture, imported for this module's tests

AUTH = {"Authorization": "Bearer t0k3n"}

SCENARIO: dict[str, Any] = {
    "seed": 9,
    "progression": "manual",
    "clock": "2030-06-01T12:00:00Z",
    "vendors": {
        "coalesce": {
            "add_runs": 3,
            "runs": [
                {"state": "running", "environment_id": "7"},
                {"state": "failed", "reason": "boom"},
            ],
        },
        "kinetic": {"add_runs": 2},
    },
    "faults": [{"status": 429, "vendor": "arcgis", "times": 1}],
    "deprecations": {"coalesce": [{"deprecated_at": "2030-01-01", "sunset_at": "2031-01-01"}]},
}


def test_load_scenario_from_a_dict_and_a_file(tmp_path: Path) -> None:
    fake = FakeRuns(seed=9, progression="manual")
    fake.load_scenario(SCENARIO)
    assert fake.clock.now().year == 2030
    runs = fake.coalesce.runs()
    assert len(runs) == 5
    last_two = sorted(runs, key=lambda r: r.id)[-2:]  # the explicit runs come after the history
    assert [r.state for r in last_two] == ["running", "failed"]
    assert last_two[1].reason == "boom"
    assert fake.kinetic.runs() and len(fake.kinetic.runs()) == 2

    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(SCENARIO))
    again = FakeRuns(seed=9, progression="manual")
    again.load_scenario(path)
    assert [r.to_json() for r in again.coalesce.runs()] == [r.to_json() for r in runs]
    again.load_scenario(str(path))  # a str path too; loading adds to what is there
    assert len(again.coalesce.runs()) == 10


def test_every_key_is_optional() -> None:
    fake = FakeRuns(seed=1)
    fake.load_scenario({})
    fake.load_scenario({"vendors": {}})
    assert fake.coalesce.runs() == []


def test_faults_and_deprecations_apply(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.load_scenario(
        {k: v for k, v in SCENARIO.items() if k not in ("seed", "progression", "clock")}
    )
    task = fake_runs_server.arcgis.add_run().parent
    r = requests.get(
        f"{fake_runs_server.arcgis.base_url}/system/tasks/{task}/runs?f=json", timeout=BOUND
    )
    assert fake_runs_server.calls[-1].status == 429, r.text
    r = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND
    )
    assert "Sunset" in r.headers and "Deprecation" in r.headers


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"sede": 1}, "sede: unknown key"),
        ({"seed": "nine"}, "seed: an int"),
        ({"progression": "fast"}, "progression: 'fast'"),
        ({"clock": "noon"}, "clock: "),
        ({"vendors": []}, "vendors: an object"),
        ({"vendors": {"nope": {}}}, "vendors.nope: unknown vendor 'nope'"),
        ({"vendors": {"coalesce": {"runz": []}}}, "vendors.coalesce.runz: unknown key"),
        ({"vendors": {"coalesce": {"add_runs": -1}}}, "vendors.coalesce.add_runs: an int >= 0"),
        (
            {"vendors": {"coalesce": {"runs": [{}, {}, {"state": "exploded"}]}}},
            "vendors.coalesce.runs[2].state: unknown state 'exploded'",
        ),
        (
            {"vendors": {"coalesce": {"runs": [{"runStatus": "exploded"}]}}},
            "vendors.coalesce.runs[0].runStatus: unknown state",
        ),
        (
            {"vendors": {"coalesce": {"runs": [{"runType": "sideways"}]}}},
            "vendors.coalesce.runs[0].runType: runType='sideways'",
        ),
        (
            {"vendors": {"coalesce": {"runs": [{"bogus": 1}]}}},
            "vendors.coalesce.runs[0].bogus: coalesce add_run() got unknown field(s) bogus",
        ),
        ({"vendors": {"coalesce": {"runs": ["running"]}}}, "vendors.coalesce.runs[0]: an object"),
        ({"faults": [{"status": 429}, {"status": 418}]}, "faults[1]"),
        ({"faults": [{"status": 429, "vendr": "x"}]}, "faults[0].vendr: unknown key"),
        ({"deprecations": {"coalesce": [{"deprecated_at": "soon"}]}}, "deprecations.coalesce[0]"),
        (
            {"deprecations": {"coalesce": [{"deprecated_at": "2030-01-01", "when": 1}]}},
            "deprecations.coalesce[0].when: unknown key",
        ),
    ],
)
def test_a_bad_scenario_names_the_key_and_changes_nothing(
    tmp_path: Path, document: dict[str, Any], where: str
) -> None:
    # a good part first: none of it may be applied when a later part is bad
    full = {"vendors": {"kinetic": {"add_runs": 2}}, "faults": [{"status": 500}], **document}
    if "vendors" in document and isinstance(document["vendors"], dict):
        full["vendors"] = {"kinetic": {"add_runs": 2}, **document["vendors"]}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(full))
    fake = FakeRuns(seed=1)
    before = fake.clock.now()
    with pytest.raises(FakeRunsError) as caught:
        fake.load_scenario(path)
    assert str(caught.value).startswith(f"{path}: {where}"), str(caught.value)
    assert fake.kinetic.runs() == [] and fake.coalesce.runs() == []
    assert fake.calls == []
    assert abs((fake.clock.now() - before).total_seconds()) < 5
    with fake:  # no fault was injected
        r = requests.get(fake.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND)
        assert r.status_code == 200


def test_a_file_that_is_not_json_or_missing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(FakeRunsError, match=r"bad\.json: not JSON"):
        FakeRuns().load_scenario(bad)
    with pytest.raises(FakeRunsError, match=r"missing\.json: cannot read"):
        FakeRuns().load_scenario(tmp_path / "missing.json")
    bad.write_text("[1]")
    with pytest.raises(FakeRunsError, match="a scenario is a JSON object"):
        FakeRuns().load_scenario(bad)
    with pytest.raises(FakeRunsError, match="a path to a JSON file or a dict"):
        FakeRuns().load_scenario(42)


def test_seed_or_progression_that_differ_from_the_fake_are_refused() -> None:
    fake = FakeRuns(seed=3, progression="time")
    with pytest.raises(FakeRunsError, match="seed: the scenario wants seed 9, this fake has 3"):
        fake.load_scenario({"seed": 9})
    with pytest.raises(FakeRunsError, match="progression: the scenario wants progression"):
        fake.load_scenario({"progression": "manual"})
    fake.load_scenario({"seed": 3, "progression": "time"})  # the same: fine


# -- fakeruns serve --scenario -----------------------------------------------------------------


def test_serve_builds_the_fake_from_the_scenario(serve: Serve, tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(SCENARIO))
    served = serve(["--port", "0", "--no-packs", "--quiet", "--scenario", str(path)])
    urls = served.urls(5)
    root = urls["coalesce"].rsplit("/", 1)[0]
    remote = connect(root)
    assert remote.seed == 9 and remote.progression == "manual"
    assert remote.clock.now().year == 2030
    assert len(remote.coalesce.runs()) == 5  # --runs defaults to 0 with a scenario
    assert remote.workiva.runs() == []
    assert [(f.status, f.vendor) for f in remote.faults] == [(429, "arcgis")]
    in_process = FakeRuns(seed=9, progression="manual")
    in_process.load_scenario(path)
    assert [r.to_json() for r in remote.coalesce.runs()] == [
        r.to_json() for r in in_process.coalesce.runs()
    ]
    assert served.signal(signal.SIGINT) == 0


def test_serve_flags_win_over_the_file(serve: Serve, tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"seed": 9, "progression": "manual"}))
    served = serve(
        [
            "--port",
            "0",
            "--no-packs",
            "--quiet",
            "--scenario",
            str(path),
            "--seed",
            "4",
            "--progression",
            "poll",
            "--runs",
            "1",
        ]
    )
    root = served.urls(5)["coalesce"].rsplit("/", 1)[0]
    remote = connect(root)
    assert (remote.seed, remote.progression) == (4, "poll")
    assert len(remote.coalesce.runs()) == 1
    assert served.signal(signal.SIGINT) == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            '{"vendors": {"coalesce": {"runs": [{}, {}, {"state": "exploded"}]}}}',
            "vendors.coalesce.runs[2].state: unknown state 'exploded'",
        ),
        ('{"vendors": {"nope": {}}}', "vendors.nope: unknown vendor"),
        ('{"seed": "x"}', "seed: an int"),
        ("{nope", "not JSON"),
    ],
)
def test_serve_refuses_a_bad_scenario_with_exit_2(
    serve: Serve, tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(content)
    served = serve(["--port", "0", "--no-packs", "--scenario", str(path)])
    assert served.wait() == 2
    stderr = served.stderr()
    assert f"{path}: {words}" in stderr, stderr
    assert "Traceback" not in stderr
    assert BOUND > 0
