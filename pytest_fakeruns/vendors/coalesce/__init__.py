"""Coalesce: runs and the job scheduler (docs/contracts/coalesce.md)."""

from __future__ import annotations

from .definition import Coalesce

__all__ = ["Coalesce"]
