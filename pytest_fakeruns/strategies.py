"""Hypothesis strategies for fault plans: check a client's retry loop against every plan.

``fault_plans()`` draws lists of ``inject()`` keyword dicts. Apply one per example::

    @given(plan=fault_plans(vendor="coalesce"))
    def test_client_survives(fake_runs, plan):
        fake_runs.reset()
        for kwargs in plan:
            fake_runs.inject(**kwargs)
        ...

Hypothesis is optional: install the ``hypothesis`` extra (``pip install
"pytest-fakeruns[hypothesis]"``) to use this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without hypothesis
    raise ImportError(
        'pytest_fakeruns.strategies needs Hypothesis: pip install "pytest-fakeruns[hypothesis]" '
        "(or pip install hypothesis)"
    ) from exc

from ._errors import FakeRunsError

__all__ = ["fault_plans"]

# the failures a retry loop meets in the wild, most common first (Hypothesis shrinks towards
# the first entries, so a minimal failing plan names the most ordinary fault that breaks it)
RETRYABLE_STATUSES = (429, 503, 500, 502, 504)
TRANSPORT_ERRORS = ("connection", "timeout")


def fault_plans(
    vendor: str | None = None,
    max_faults: int = 3,
    *,
    statuses: Sequence[int] = RETRYABLE_STATUSES,
    errors: Sequence[str] = TRANSPORT_ERRORS,
    max_times: int = 3,
    max_after: int = 2,
    max_retry_after: int = 5,
    max_delay: float = 0.0,
    sequences: bool = False,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of up to ``max_faults`` ``inject()`` keyword dicts (``vendor`` scopes each).

    Each fault is a ``status`` (with ``retry_after`` for 429/503) or a transport ``error``,
    answering ``times`` calls (1..``max_times``) after letting ``after`` calls through
    (0..``max_after``). With ``max_delay`` > 0 a fault may also carry a ``delay`` (seconds, up
    to ``max_delay``; ``timeout`` faults never do), and a plan may hold slow usual answers.
    With ``sequences`` a fault may be a ``sequence`` of up to ``max_times`` answers (None
    among them: the usual answer). Plans shrink towards one fault, once, of the first status.
    """
    if isinstance(max_faults, bool) or not isinstance(max_faults, int) or max_faults < 0:
        raise FakeRunsError(f"fault_plans(max_faults={max_faults!r}): give an int >= 0")
    if not statuses and not errors:
        raise FakeRunsError("fault_plans(): give at least one of statuses= or errors=")
    for name, value in (
        ("max_times", max_times),
        ("max_after", max_after),
        ("max_retry_after", max_retry_after),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FakeRunsError(f"fault_plans({name}={value!r}): give an int >= 0")
    if max_times < 1:
        raise FakeRunsError(f"fault_plans(max_times={max_times!r}): give an int >= 1")
    if (
        isinstance(max_delay, bool)
        or not isinstance(max_delay, (int, float))
        or not 0.0 <= max_delay < float("inf")
    ):
        raise FakeRunsError(f"fault_plans(max_delay={max_delay!r}): give seconds >= 0")

    scope: dict[str, Any] = {} if vendor is None else {"vendor": vendor}
    kinds: list[st.SearchStrategy[dict[str, Any]]] = []
    if statuses:
        kinds.append(
            st.builds(
                _status_fault,
                st.sampled_from(tuple(statuses)),
                st.integers(0, max_retry_after),
            )
        )
    if errors:
        kinds.append(st.sampled_from(tuple(errors)).map(lambda e: {"error": e}))
    answer = st.one_of(*kinds)
    if max_delay > 0:
        delays = st.one_of(st.none(), st.floats(0.0, float(max_delay)).map(lambda d: round(d, 3)))
        answer = st.builds(_with_delay, answer, delays) | st.builds(
            lambda d: {"delay": d}, st.floats(0.001, float(max_delay)).map(lambda d: round(d, 3))
        )
    one = st.builds(
        lambda what, times, after: {
            **what,
            **scope,
            "times": times,
            **({"after": after} if after else {}),
        },
        answer,
        st.integers(1, max_times),
        st.integers(0, max_after),
    )
    if sequences:
        item = st.one_of(answer, st.none())
        one = one | st.builds(
            lambda items, after: {
                "sequence": items,
                **scope,
                **({"after": after} if after else {}),
            },
            st.lists(item, min_size=1, max_size=max_times),
            st.integers(0, max_after),
        )
    return st.lists(one, min_size=min(1, max_faults), max_size=max_faults)


def _with_delay(what: dict[str, Any], delay: float | None) -> dict[str, Any]:
    if not delay or what.get("error") == "timeout":  # a timeout never answers: no delay
        return what
    return {**what, "delay": delay}


def _status_fault(status: int, retry_after: int) -> dict[str, Any]:
    fault: dict[str, Any] = {"status": status}
    if status in (429, 503):
        fault["retry_after"] = retry_after
    return fault
