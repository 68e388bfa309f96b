"""Workiva: the deprecated prototype script-runs list and the token endpoint
(docs/contracts/workiva.md)."""

from __future__ import annotations

from .definition import Workiva

__all__ = ["Workiva"]
