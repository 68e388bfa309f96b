"""Kinetic Task REST API v1: runs of a source, one run, run a tree (docs/contracts/kinetic.md)."""

from __future__ import annotations

from .definition import Kinetic

__all__ = ["Kinetic"]
