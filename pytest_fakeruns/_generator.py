"""Seeded data generation: one random stream per vendor, one Faker per fake, both lazy."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from ._states import State

T = TypeVar("T")
# UUID4: version nibble 4, variant bits 10 (RFC 4122)
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


class FakerSource:
    """One Faker per fake, created on first use (Faker is slow to import) and seeded per use."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._faker: Any = None

    def seeded(self, salt: str) -> Any:
        """The fake's Faker re-seeded by ``seed_instance`` for ``salt`` (never ``Faker.seed``)."""
        if self._faker is None:
            from faker import Faker

            self._faker = Faker("en_US")
        self._faker.seed_instance(f"{self._seed}:{salt}")
        return self._faker


class Gen:
    """A vendor's seeded generator: ``rng`` for cheap draws, pools of Faker-made values.

    ``rng`` is seeded on first use (seeding from a string costs as much as a small request),
    so a test that generates nothing for a vendor never pays for it.
    """

    def __init__(self, seed: int, vendor: str, faker: FakerSource) -> None:
        self.seed = seed
        self.vendor = vendor
        self._faker = faker
        self._pools: dict[str, list[Any]] = {}

    @cached_property
    def rng(self) -> random.Random:
        return random.Random(f"{self.seed}:{self.vendor}")

    def pool(self, name: str, size: int, make: Callable[[Any], T]) -> list[T]:
        """``size`` values made by ``make(faker)``, made once and the same for a given seed."""
        found = self._pools.get(name)
        if found is None:
            faker = self._faker.seeded(f"{self.vendor}:{name}")
            found = [make(faker) for _ in range(size)]
            self._pools[name] = found
        return found

    def pick(self, name: str, size: int, make: Callable[[Any], T]) -> T:
        return self.rng.choice(self.pool(name, size, make))

    def derived(self, salt: str) -> random.Random:
        """A random stream that depends only on the seed and ``salt`` (stable default parents)."""
        return random.Random(f"{self.seed}:{self.vendor}:{salt}")

    def hex(self, n: int, rng: random.Random | None = None) -> str:
        return f"{(rng or self.rng).getrandbits(4 * n):0{n}x}"

    def uuid4(self, rng: random.Random | None = None) -> str:
        """A lowercase UUID4: the text of ``uuid.UUID(int=bits, version=4)``, 4x faster."""
        n = (rng or self.rng).getrandbits(128)
        n = (n & _UUID_CLEAR) | _UUID_SET
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def durations(self, defaults: Mapping[State, float]) -> dict[State, float]:
        """Per-run durations around the vendor's defaults (0.5x to 2.5x), to the millisecond."""
        rnd = self.rng.random
        out: dict[State, float] = {}
        for state, seconds in defaults.items():  # a loop, not a comprehension: one call less
            # round(x * 1000) / 1000, not round(x, 3): that formats through decimal digits,
            # 4x slower, and the two differ only within an ulp of a half millisecond
            out[state] = round(seconds * (0.5 + 2.0 * rnd()) * 1000) / 1000 if seconds else 0.0
        return out
