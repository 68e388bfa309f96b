"""A fake's own bug surfaces as a FakeRunsError in the test, never as an uninjected 5xx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import FakeRunsError

if TYPE_CHECKING:
    from ._router import Route


def unexpected(vendor: str, route: Route, exc: Exception) -> FakeRunsError:
    return FakeRunsError(
        f"pytest-fakeruns failed while answering {vendor} {route}: "
        f"{type(exc).__name__}: {exc} (this is a bug in the fake; please report it)"
    )
