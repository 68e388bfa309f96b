"""Path templates with ``{name}`` placeholders, each matching one segment."""

from __future__ import annotations

import re
from functools import lru_cache

_PLACEHOLDER = re.compile(r"\{[^/{}]+\}")


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(pattern)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


def path_matches(pattern: str, path: str, template: str | None = None) -> bool:
    """True when ``path`` (or the route template that served it) matches ``pattern``."""
    if pattern == path or (template is not None and pattern == template):
        return True
    return _compile(pattern).match(path) is not None


def split_path(path: str) -> list[str]:
    return path.strip("/").split("/") if path.strip("/") else []
