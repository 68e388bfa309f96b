"""Catch Software Enterprise Tester: script assignment runs
(docs/contracts/enterprise-tester.md)."""

from __future__ import annotations

from .definition import EnterpriseTester

__all__ = ["EnterpriseTester"]
