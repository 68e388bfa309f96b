"""Coalesce ``/api/v1/runs`` handlers: the keyset-paged list and one run
(docs/contracts/coalesce.md sections 3.1, 3.2).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from pytest_fakeruns.vendor_kit import (
    Context,
    Response,
    Run,
    iso_seconds,
    one_of,
    parse_bool,
    parse_instant,
    parse_int,
)

from .data import RUN_TYPES

ORDER_BY = ("id", "runStartTime", "runEndTime")
DIRECTIONS = ("asc", "desc")
STATUSES = (
    "canceled",
    "completed",
    "failed",
    "initializing",
    "rendering",
    "running",
    "waitingToRun",
)
MAX_LIMIT = 1000
DEFAULT_LIMIT = 25


# -- GET /api/v1/runs ------------------------------------------------------------------------


def _enum(ctx: Context, q: dict[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = q.get(name)
    if value is not None and value not in allowed:
        raise ctx.fail(400, f"{name} must be one of {one_of(allowed)}")
    return value


def list_runs(ctx: Context) -> Response:
    q = ctx.query
    limit = DEFAULT_LIMIT
    if "limit" in q:
        parsed = parse_int(q["limit"])
        if parsed is None or not 1 <= parsed <= MAX_LIMIT:
            raise ctx.fail(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
        limit = parsed
    order_by = _enum(ctx, q, "orderBy", ORDER_BY) or "id"
    desc = (_enum(ctx, q, "orderByDirection", DIRECTIONS) or "desc") == "desc"
    cursor: Any = None
    if "startingFrom" in q:
        raw = q["startingFrom"]
        cursor = parse_int(raw) if order_by == "id" else parse_instant(raw)
        if cursor is None:
            wanted = "a run ID (an integer)" if order_by == "id" else "an ISO 8601 date-time"
            raise ctx.fail(400, f"startingFrom must be {wanted} when orderBy={order_by}")
    run_type = _enum(ctx, q, "runType", RUN_TYPES)
    status = _enum(ctx, q, "runStatus", STATUSES)
    detail = False
    if "detail" in q:
        flag = parse_bool(q["detail"])
        if flag is None:
            raise ctx.fail(400, "detail must be true or false")
        detail = flag

    store = ctx.vendor.store
    store.catch_up()
    env = q.get("environmentID")
    pool = store.runs  # ascending by id, as every list of runs in the store
    if env is not None:
        parent = store.parent(env)
        pool = parent.runs if parent is not None else []  # unknown: an empty page, no 404

    def keep(run: Run) -> bool:
        return (run_type is None or run.fields["runType"] == run_type) and (
            status is None or run.status == status
        )

    if order_by == "id":
        unfiltered = run_type is None and status is None
        page, next_key = _page_by_id(pool, cursor, desc, limit, None if unfiltered else keep)
    else:
        page, next_key = _page_by_time(pool, _TIME_KEYS[order_by], cursor, desc, limit, keep)
    body: dict[str, Any] = {
        "limit": limit,
        "orderByDirection": "desc" if desc else "asc",
        "orderBy": order_by,
        "data": None,  # filled from the runs' cached fragments, here in key order
    }
    if next_key is not None:
        body["next"] = next_key
    return ctx.json_with_runs(body, "data", page, detail=detail)


def _id(run: Run) -> int:
    return int(run.id)


def _page_by_id(
    pool: list[Run],
    cursor: int | None,
    desc: bool,
    limit: int,
    keep: Callable[[Run], bool] | None,
) -> tuple[list[Run], str | None]:
    """A page past the exclusive cursor and its ``next``; ``pool`` is ascending by id.

    ``keep`` None: no filter, the page is a slice (the usual list call)."""
    if desc:
        end = len(pool) if cursor is None else bisect.bisect_left(pool, cursor, key=_id)
        if keep is None:
            start = max(0, end - limit)
            newest = pool[start:end][::-1]
            return newest, str(newest[-1].id) if start > 0 else None
        walk = (pool[i] for i in range(end - 1, -1, -1))
    else:
        start = 0 if cursor is None else bisect.bisect_right(pool, cursor, key=_id)
        if keep is None:
            oldest = pool[start : start + limit]
            return oldest, str(oldest[-1].id) if start + limit < len(pool) else None
        walk = (pool[i] for i in range(start, len(pool)))
    page: list[Run] = []
    for run in walk:
        if keep(run):
            if len(page) == limit:
                return page, str(page[-1].id)
            page.append(run)
    return page, None


_TIME_KEYS: dict[str, Callable[[Run], Any]] = {
    "runStartTime": attrgetter("started_at_"),
    "runEndTime": attrgetter("ended_at_"),
}


def _page_by_time(
    pool: list[Run],
    stamp: Callable[[Run], Any],
    cursor: Any,
    desc: bool,
    limit: int,
    keep: Callable[[Run], bool],
) -> tuple[list[Run], str | None]:
    """A page of the runs that have the timestamp, keyed on the instant as shown (whole
    seconds) then id; runs on the cursor's instant are past it, as with the real API."""
    bound = None if cursor is None else cursor.timestamp()
    keyed: list[tuple[int, int, Run]] = []
    for run in pool:
        moment = stamp(run)
        if moment is None or not keep(run):
            continue
        second = math.floor(moment.timestamp())
        if bound is None or (second < bound if desc else second > bound):
            keyed.append((second, _id(run), run))
    pick = heapq.nlargest if desc else heapq.nsmallest
    page = pick(limit, keyed)
    if not page:
        return [], None
    last = page[-1][0]
    follows = any(k[0] < last if desc else k[0] > last for k in keyed)
    return [k[2] for k in page], iso_seconds(stamp(page[-1][2])) if follows else None


# -- GET /api/v1/runs/{runID} ----------------------------------------------------------------


def get_run(ctx: Context) -> Response:
    run_id = parse_int(ctx.params["runID"])
    if run_id is None:
        raise ctx.fail(400, "runID must be an integer")
    run = ctx.run_or_fail(run_id, 404, f"Run {run_id} was not found.")
    return ctx.json(ctx.show(run, detail=True))
