"""Example vendor pack for pytest-fakeruns: the Acme pipelines runs API."""

from __future__ import annotations

from .vendor import Acme

__all__ = ["Acme"]
