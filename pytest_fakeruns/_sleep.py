"""``instant_sleep``: time.sleep and asyncio.sleep advance the fake clock and return at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from ._clock import Clock


def patch_sleep(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    real_async_sleep = asyncio.sleep

    def sleep(seconds: float) -> None:
        clock.advance(max(0.0, float(seconds)))

    async def async_sleep(delay: float, result: Any = None) -> Any:
        clock.advance(max(0.0, float(delay)))
        return await real_async_sleep(0, result)

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(asyncio, "sleep", async_sleep)
