"""``pytest_fakeruns.strategies``: fault plans that inject() accepts, optional Hypothesis."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns.strategies import fault_plans


@settings(max_examples=200, derandomize=True, database=None)
@given(plan=fault_plans())
def test_every_plan_is_accepted_by_inject(plan: list[dict[str, Any]]) -> None:
    fake = FakeRuns(seed=1)
    assert 1 <= len(plan) <= 3
    for kwargs in plan:
        fault = fake.inject(**kwargs)
        assert (fault.status is None) != (fault.error is None)
        assert 1 <= kwargs["times"] <= 3


@settings(max_examples=100, derandomize=True, database=None)
@given(plan=fault_plans(vendor="arcgis", max_faults=5, statuses=(503,), errors=()))
def test_plans_keep_to_the_vendor_and_the_statuses_asked_for(plan: list[dict[str, Any]]) -> None:
    assert len(plan) <= 5
    for kwargs in plan:
        assert kwargs["vendor"] == "arcgis"
        assert kwargs["status"] == 503
        assert 0 <= kwargs["retry_after"] <= 5


def test_plans_cover_statuses_and_transport_errors() -> None:
    seen: set[object] = set()

    @settings(max_examples=300, derandomize=True, database=None)
    @given(plan=fault_plans())
    def collect(plan: list[dict[str, Any]]) -> None:
        for kwargs in plan:
            seen.add(kwargs.get("status", kwargs.get("error")))

    collect()
    assert {429, 503, 500, 502, 504, "connection", "timeout"} <= seen


def test_max_faults_zero_gives_empty_plans() -> None:
    @settings(max_examples=10, database=None)
    @given(plan=fault_plans(max_faults=0))
    def check(plan: list[dict[str, Any]]) -> None:
        assert plan == []

    check()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"max_faults": -1}, "max_faults"),
        ({"max_times": 0}, "max_times"),
        ({"max_after": True}, "max_after"),
        ({"statuses": (), "errors": ()}, "statuses= or errors="),
        ({"max_delay": -1}, "max_delay"),
        ({"max_delay": float("inf")}, "max_delay"),
    ],
)
def test_misuse_names_the_argument(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(FakeRunsError, match=words):
        fault_plans(**kwargs)


def test_importing_without_hypothesis_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import pytest_fakeruns.strategies\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pytest-fakeruns[hypothesis]" in out


def test_delays_and_sequences_are_drawn_when_asked_and_inject_accepts_them() -> None:
    seen = {"delay": False, "slow_alone": False, "sequence": False, "none_item": False}

    @settings(max_examples=200, derandomize=True, database=None)
    @given(plan=fault_plans(vendor="coalesce", max_delay=2.5, sequences=True))
    def check(plan: list[dict[str, Any]]) -> None:
        fake = FakeRuns(seed=1)
        for kwargs in plan:
            fake.inject(**kwargs)
            answers = kwargs.get("sequence", [kwargs])
            for answer in answers:
                if answer is None:
                    seen["none_item"] = True
                    continue
                if "delay" in answer:
                    assert 0 < answer["delay"] <= 2.5
                    assert answer.get("error") != "timeout"
                    seen["delay"] = True
                    if "status" not in answer and "error" not in answer:
                        seen["slow_alone"] = True
            seen["sequence"] |= "sequence" in kwargs

    check()
    assert all(seen.values()), seen


@settings(max_examples=50, derandomize=True, database=None)
@given(plan=fault_plans(vendor="coalesce"))
def test_without_max_delay_no_plan_is_slow(plan: list[dict[str, Any]]) -> None:
    assert all("delay" not in kwargs and "sequence" not in kwargs for kwargs in plan)
