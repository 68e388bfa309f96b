"""Exceptions and warnings the test author sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._router import Route


class FakeRunsError(Exception):
    """Misuse of the pytest-fakeruns Python API; the message names the fix."""


class InvalidTransition(FakeRunsError):
    """A run was asked to make a move its lifecycle does not allow."""


class DeprecatedEndpointWarning(UserWarning):
    """The code under test called an endpoint marked deprecated."""


def unexpected(vendor: str, route: Route, exc: Exception) -> FakeRunsError:
    """A fake's own bug surfaces as a FakeRunsError in the test, never as an uninjected 5xx."""
    return FakeRunsError(
        f"pytest-fakeruns failed while answering {vendor} {route}: "
        f"{type(exc).__name__}: {exc} (this is a bug in the fake; please report it)"
    )
