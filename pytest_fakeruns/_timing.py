"""pytest's own timing stays real while the fake runs, whoever freezes the clock.

freezegun rewrites every already-imported module's reference to ``time.time`` and
``time.perf_counter``, ``_pytest.timing`` included, so ``--durations`` and the report's
timings would show frozen (often decades-long) spans. ``_pytest.timing`` is therefore on
freezegun's ignore list for ``clock.freeze()`` always, for the test's own ``freeze_time``
while ``fake_runs`` is active, and, from the first test set up after freezegun is imported
(a test module or conftest that imports it at the top: before any test), for every fixture's
``freeze_time`` in the session, ``fake_runs`` or not.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

PYTEST_TIMING = "_pytest.timing"


def keep_pytest_timing_real() -> Callable[[], None]:
    """``_pytest.timing`` on freezegun's default ignore list for the rest of the session, so a
    fixture's own ``freeze_time`` (with or without ``fake_runs``) leaves pytest's timings
    real; returns what puts the list back. Only once freezegun is imported."""
    from freezegun import config

    settings = config.settings
    saved = settings.default_ignore_list
    if PYTEST_TIMING not in saved:
        settings.default_ignore_list = [*saved, PYTEST_TIMING]

    def restore() -> None:
        settings.default_ignore_list = saved

    return restore


@contextlib.contextmanager
def unfrozen_pytest_timing() -> Iterator[None]:
    """``_pytest.timing`` on freezegun's default ignore list inside the block, then as before."""
    if "freezegun" not in sys.modules:  # never imported: nothing to configure, nothing loaded
        yield
        return
    from freezegun import config

    settings = config.settings
    saved = settings.default_ignore_list
    if PYTEST_TIMING not in saved:
        settings.default_ignore_list = [*saved, PYTEST_TIMING]
    try:
        yield
    finally:
        settings.default_ignore_list = saved
