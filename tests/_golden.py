"""Golden shapes: compare an answer with a documented example by structure, not values."""

from __future__ import annotations

from typing import Any


def shape(value: Any) -> Any:
    """Keys (in order), nesting and value types; lists by their first item."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return ["list", shape(value[0]) if value else None]
    return type(value).__name__
