"""Exceptions and warnings the test author sees."""

from __future__ import annotations


class FakeRunsError(Exception):
    """Misuse of the pytest-fakeruns Python API; the message names the fix."""


class InvalidTransition(FakeRunsError):
    """A run was asked to make a move its lifecycle does not allow."""


class DeprecatedEndpointWarning(UserWarning):
    """The code under test called an endpoint marked deprecated."""
