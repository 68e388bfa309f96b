"""Hook specifications of pytest-fakeruns, added through ``pytest_addhooks``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._fake import FakeRuns
    from ._journal import Call
    from ._run import Run
    from ._states import State


def pytest_fakeruns_setup(fake_runs: FakeRuns) -> None:
    """Seed shared scenarios; runs after the marker is applied, before the test body.

    :param fake_runs: the test's fake.
    """


def pytest_fakeruns_transition(run: Run, old: State, new: State) -> None:
    """Every canonical state change, in order, whatever caused it.

    :param run: the run that changed.
    :param old: the canonical state it left (a ``str`` enum).
    :param new: the canonical state it entered.
    """


def pytest_fakeruns_call(call: Call) -> None:
    """Every answered request, after its answer was built (faults and 4xx included).

    :param call: the journal entry of the request.
    """


def pytest_fakeruns_vendors() -> list[Any]:
    """Extra vendor definitions (``VendorDefinition`` subclasses) from a vendor pack.

    Return a list; the lists of every implementation are joined.
    """
    return []
