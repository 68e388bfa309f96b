"""pytest's own timing stays real while the fake runs, whoever freezes the clock.

freezegun rewrites every already-imported module's reference to ``time.time`` and
``time.perf_counter``, ``_pytest.timing`` included, so ``--durations`` and the report's
timings would show frozen (often decades-long) spans. ``_pytest.timing`` is therefore on
freezegun's ignore list for ``clock.freeze()`` always, and for the test's own ``freeze_time``
while ``fake_runs`` is active (when freezegun is imported by the time the fixture starts).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

PYTEST_TIMING = "_pytest.timing"


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
