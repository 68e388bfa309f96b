"""Workiva ``GET /prototype/platform/scripts/{scriptId}/runs``: X-Version, ``$maxpagesize`` and
the opaque ``$next`` cursor (docs/contracts/workiva.md §3.1, §6)."""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from pytest_fakeruns.vendor_kit import Context, Parent, Response, Run, parse_int

LIST_PATH = "/prototype/platform/scripts/{scriptId}/runs"
X_VERSION = "2022-01-01"
MAX_PAGE = 1000

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_B64URL = re.compile(r"[A-Za-z0-9_-]+\Z")
_NUM = r"(0|[1-9][0-9]*)"
_CURSOR = re.compile(rf"%24limit={_NUM}&%24offset={_NUM}&%24asof={_NUM}&%24script=([^&=]+)\Z")


def created_key(run: Run) -> tuple[_dt.datetime, Any]:
    """Workiva's order: created ascending, ties by id."""
    return (run.created_at_, run.id)


@dataclass(frozen=True)
class Cursor:
    """Where a traversal stands: page size, offset among visible runs, insertion bound, script."""

    limit: int
    offset: int
    asof: int
    script: str

    def encode(self) -> str:
        text = (
            f"%24limit={self.limit}&%24offset={self.offset}&%24asof={self.asof}"
            f"&%24script={quote(self.script, safe='')}"
        )
        return base64.urlsafe_b64encode(text.encode("ascii")).rstrip(b"=").decode("ascii")


def decode_cursor(token: str) -> Cursor | None:
    """The cursor ``token`` stands for, or None when it is not one this fake could have issued.

    Besides the format, a cursor the fake issued always has ``limit`` in 1..1000, an offset that
    is a positive multiple of the limit, and an insertion bound above the offset (at least
    offset + 1 runs existed when it was issued); anything else was tampered with.
    """
    if not _B64URL.match(token) or len(token) % 4 == 1:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    m = _CURSOR.match(text)
    if m is None:
        return None
    limit, offset, asof = parse_int(m[1]), parse_int(m[2]), parse_int(m[3])
    if limit is None or offset is None or asof is None:  # more digits than int() takes
        return None
    cursor = Cursor(limit, offset, asof, unquote(m[4]))
    if cursor.encode() != token:  # non-canonical spelling: padding bits, quoting
        return None
    if not 1 <= cursor.limit <= MAX_PAGE or cursor.offset < cursor.limit:
        return None
    if cursor.offset % cursor.limit or cursor.asof <= cursor.offset:
        return None
    return cursor


def next_link(root: str, cursor: Cursor) -> str:
    return (
        f"{root}/prototype/platform/scripts/{quote(cursor.script, safe='')}/runs"
        f"?$next={cursor.encode()}"
    )


def _is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_version(ctx: Context) -> None:
    version = ctx.request.headers.get("X-Version")
    if version is None or version == X_VERSION:
        return
    if not _is_date(version):
        raise ctx.fail(
            400,
            f"X-Version must be an API version date (YYYY-MM-DD); this endpoint exists "
            f"in {X_VERSION}",
            target="X-Version",
        )
    raise ctx.fail(404)  # the prototype route does not exist in other versions


def list_runs(ctx: Context) -> Response:
    _check_version(ctx)
    q = ctx.query
    limit = MAX_PAGE
    if "$maxpagesize" in q:
        parsed = parse_int(q["$maxpagesize"])
        if parsed is None or not 1 <= parsed <= MAX_PAGE:
            raise ctx.fail(
                400,
                f"$maxpagesize must be an integer from 1 to {MAX_PAGE}",
                target="$maxpagesize",
            )
        limit = parsed
    script = ctx.params["scriptId"]
    cursor: Cursor | None = None
    if "$next" in q:
        cursor = decode_cursor(q["$next"])
        if cursor is None:
            raise ctx.fail(
                400,
                "$next is not a valid cursor; copy it unchanged from @nextLink",
                target="$next",
            )
        if cursor.script != script:
            raise ctx.fail(400, "$next was issued for another script", target="$next")
    store = ctx.vendor.store
    parent = store.parent(script)
    if parent is None:
        raise ctx.fail(404)
    if cursor is None:
        cursor = Cursor(limit, 0, store.seq, script)
    page, more = _page(parent, cursor)
    body: dict[str, Any] = {}
    if more:
        following = Cursor(cursor.limit, cursor.offset + len(page), cursor.asof, script)
        body["@nextLink"] = next_link(ctx.root, following)
    return ctx.json_with_runs(body, "data", page, headers={"X-Version": X_VERSION})


def _seq(run: Run) -> int:
    return run.seq


def _page(parent: Parent, cursor: Cursor) -> tuple[list[Run], bool]:
    """Runs ``offset .. offset + limit - 1`` among the script's runs inserted up to ``asof``.

    The script's runs in insertion order have ascending ``seq``, so the runs added after
    ``asof`` are a suffix of them (usually empty or short). Each of those is located in the
    created index by bisection, and the offset is shifted past the ones before it: a page
    costs O(page + added * log n), never a scan of the script's runs.
    """
    index = parent.indexes["created"]
    ordered = index.runs
    visible = bisect.bisect_right(parent.runs, cursor.asof, key=_seq)
    start, limit = cursor.offset, cursor.limit
    if start >= visible:
        return [], False
    added = parent.runs[visible:]
    if not added:
        page = ordered[start : start + limit]
    else:
        keys = index.keys
        skipped = sorted(bisect.bisect_left(keys, created_key(run)) for run in added)
        pos = start
        for where in skipped:
            if where > pos:
                break
            pos += 1
        page = []
        while pos < len(ordered) and len(page) < limit:
            run = ordered[pos]
            if run.seq <= cursor.asof:
                page.append(run)
            pos += 1
    return page, start + len(page) < visible
