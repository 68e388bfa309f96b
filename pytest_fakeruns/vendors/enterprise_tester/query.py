"""Enterprise Tester list queries: ``$filter``/``$orderby`` over runs, then a page.

Times compare and sort as the API shows them, in whole seconds, so a client filtering on a
value it read gets that run back.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from pytest_fakeruns.vendor_kit import Parent, Run

from ..common.lazy_order import ordered
from ..common.odata import DATETIME, GUID, INT, STRING, Field, parse_filter, parse_orderby

ENTITY = "ScriptRun"
DEFAULT_ORDER = [("CreatedAt", True)]


def seconds(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(microsecond=0)


def created_key(run: Run) -> tuple[_dt.datetime, str]:
    """The default order's key: CreatedAt as shown (whole seconds), then Id."""
    return seconds(run.created_at_), str(run.id).lower()


def by_created(parent: Parent) -> list[Run]:
    """The assignment's runs, oldest first."""
    return ordered(parent, "_by_created", created_key)


FILTER_FIELDS: dict[str, Field] = {
    "Id": Field(GUID, lambda r: str(r.id).lower()),
    "Status": Field(STRING, lambda r: r.status),
    "CreatedAt": Field(DATETIME, lambda r: seconds(r.created_at_)),
    "LastUpdatedAt": Field(DATETIME, lambda r: seconds(r.updated_at)),
    "CreatedBy": Field(STRING, lambda r: r.fields["CreatedBy"]),
    "RunBy": Field(STRING, lambda r: r.fields["RunBy"]),
    "RunById": Field(GUID, lambda r: r.fields["RunById"]),
    "ScriptVersion": Field(INT, lambda r: r.fields["ScriptVersion"]),
}
SORTABLE = ("CreatedAt", "LastUpdatedAt", "Status", "RunBy", "ScriptVersion", "Id")


def compile_filter(text: str) -> Callable[[Any], bool]:
    return parse_filter(text, FILTER_FIELDS, ENTITY)


def compile_orderby(text: str) -> list[tuple[str, bool]]:
    return parse_orderby(text, SORTABLE, tuple(FILTER_FIELDS), ENTITY)


def select(
    parent: Parent,
    keep: Callable[[Any], bool] | None,
    order: list[tuple[str, bool]],
    skip: int,
    top: int,
) -> tuple[list[Run], int]:
    """(the page, the number of runs the filter kept). Ties are broken by Id, in the
    direction of the last sort key."""
    if order == DEFAULT_ORDER:
        ascending = by_created(parent)
        if keep is None:
            total = len(ascending)
            end = max(total - skip, 0)
            return ascending[max(end - top, 0) : end][::-1], total
        matched = [r for r in reversed(ascending) if keep(r)]
        return matched[skip : skip + top], len(matched)
    matched = [r for r in parent.runs if keep is None or keep(r)]
    keys = list(order)
    if all(name != "Id" for name, _ in keys):
        keys.append(("Id", keys[-1][1]))
    for name, descending in reversed(keys):
        matched.sort(key=FILTER_FIELDS[name].get, reverse=descending)
    return matched[skip : skip + top], len(matched)
