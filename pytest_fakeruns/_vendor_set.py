"""A fake's vendors by name, each made on first use: most tests touch one or two vendors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._definition import VendorDefinition
    from ._router import Router
    from ._vendor_fake import VendorFake


class VendorSet(Mapping[str, "VendorFake"]):
    """``name -> VendorFake`` in registry order. A vendor is made, pristine, the first time it
    is looked up (under ``lock``, so two threads never make two); iterating names makes none.
    """

    def __init__(
        self,
        compiled: Mapping[str, tuple[VendorDefinition, Router]],
        make: Callable[[VendorDefinition, Router], VendorFake],
        lock: threading.RLock,
    ) -> None:
        self._compiled = compiled
        self._make = make
        self._lock = lock
        self._made: dict[str, VendorFake] = {}

    def __getitem__(self, name: str) -> VendorFake:
        made = self._made.get(name)
        if made is not None:
            return made
        definition, router = self._compiled[name]  # KeyError: not a vendor of this fake
        with self._lock:
            made = self._made.get(name)
            if made is None:
                made = self._made[name] = self._make(definition, router)
            return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._compiled)

    def __len__(self) -> int:
        return len(self._compiled)

    def __contains__(self, name: object) -> bool:
        return name in self._compiled

    def made(self) -> list[VendorFake]:
        """The vendors made so far (the others are pristine by construction)."""
        return list(self._made.values())

    def routers(self) -> dict[str, Router]:
        return {name: router for name, (_, router) in self._compiled.items()}
