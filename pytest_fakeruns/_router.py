"""Dispatch by (method, path template) in time that grows with the path, not the routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._paths import path_matches, split_path

if TYPE_CHECKING:
    from ._definition import Context
    from ._http import Response

Handler = Callable[["Context"], "Response"]


@dataclass(frozen=True)
class Route:
    """One vendor endpoint. ``auth=False`` skips the vendor's auth check (token endpoints)."""

    method: str
    template: str
    handler: Handler
    auth: bool = True
    list_route: bool = False  # the vendor's seed list endpoint (default target of deprecate())
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(split_path(self.template)))

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


class _Node:
    __slots__ = ("literal", "param", "param_name", "routes")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.param_name = ""
        self.routes: dict[str, Route] = {}


@dataclass(frozen=True)
class NearMiss:
    route: Route
    reason: str
    score: int


_UNKNOWN: Any = object()
_MATCHED_MAX = 2048


class Router:
    """A segment trie: literal segments win over placeholders, with backtracking."""

    def __init__(self) -> None:
        self._root = _Node()
        self.routes: list[Route] = []
        # (method, path) -> what match() found: a client asks for the same paths again and
        # again; bounded, emptied by add(). The params are copied out (callers own them).
        self._matched: dict[tuple[str, str], tuple[Route, dict[str, str]] | None] = {}

    def add(self, route: Route) -> None:
        node = self._root
        for seg in route.segments:
            if seg.startswith("{") and seg.endswith("}"):
                if node.param is None:
                    node.param = _Node()
                    node.param_name = seg[1:-1]
                node = node.param
            else:
                node = node.literal.setdefault(seg, _Node())
        node.routes[route.method] = route
        self.routes.append(route)
        self._matched = {}

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        known = self._matched.get((method, path), _UNKNOWN)
        if known is not _UNKNOWN:
            return None if known is None else (known[0], dict(known[1]))
        found = self._match(method, path)
        matched = self._matched
        if len(matched) >= _MATCHED_MAX:
            matched = self._matched = {}  # a bound, refilled by the paths in use
        matched[(method, path)] = None if found is None else (found[0], dict(found[1]))
        return found

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = split_path(path)
        params: dict[str, str] = {}
        node = self._find(self._root, segments, 0, params, method)
        if node is None:
            return None
        return node.routes[method], params

    def _find(
        self, node: _Node, segs: list[str], i: int, params: dict[str, str], method: str
    ) -> _Node | None:
        if i == len(segs):
            return node if method in node.routes else None
        child = node.literal.get(segs[i])
        if child is not None:
            found = self._find(child, segs, i + 1, params, method)
            if found is not None:
                return found
        if node.param is not None and segs[i]:
            params[node.param_name] = unquote(segs[i])
            found = self._find(node.param, segs, i + 1, params, method)
            if found is not None:
                return found
            del params[node.param_name]
        return None

    def near_misses(self, method: str, path: str, most: int = 3) -> list[NearMiss]:
        """The routes closest to an unmatched request, each with why it did not match."""
        segs = split_path(path)
        misses: list[NearMiss] = []
        for route in self.routes:
            reasons: list[str] = []
            score = 0
            if route.method == method:
                score += 2
            else:
                reasons.append(f"method {method} is not {route.method}")
            tpl = route.segments
            for pos, (want, got) in enumerate(zip(tpl, segs, strict=False)):
                if want.startswith("{") or want == got:
                    score += 1
                else:
                    reasons.append(f"segment {pos + 1} is {got!r}, expected {want!r}")
                    break
            if len(tpl) != len(segs):
                reasons.append(f"path has {len(segs)} segments, the route has {len(tpl)}")
            else:
                score += 1
            misses.append(NearMiss(route, "; ".join(reasons) or "matches", score))
        misses.sort(key=lambda m: -m.score)
        return misses[:most]


def route_could_serve(route: Route, router: Router, pattern: str) -> bool:
    """True when a path pattern (concrete, or with ``{name}`` placeholders) can name ``route``."""
    sample = "/".join("x" if s.startswith("{") else s for s in route.segments)
    if path_matches(pattern, "/" + sample, route.template):
        return True
    found = router.match(route.method, pattern)
    return found is not None and found[0] is route


__all__ = ["Handler", "NearMiss", "Route", "Router", "route_could_serve"]
