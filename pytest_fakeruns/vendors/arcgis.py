"""STUB: replaced by the vendor's full module (see contracts/arcgis.md)."""

from __future__ import annotations

from typing import Any

from .._definition import Context, VendorDefinition
from .._generator import Gen
from .._http import Response, json_response
from .._router import Route
from .._run import Run
from .._states import State
from .._vocabulary import Step, Vocabulary


class ArcGIS(VendorDefinition):
    name = "arcgis"
    default_base_url = "https://organization.domain.com/context/admin"
    parent_keyword = "task_id"
    vocabulary = Vocabulary(
        steps=(
            Step("scheduled", State.WAITING),
            Step("executing", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "succeeded",
            State.FAILED: "failed",
            State.CANCELED: "skipped",
        },
        durations={State.WAITING: 30.0, State.RUNNING: 20.0},
        status_field="status",
    )

    def routes(self) -> list[Route]:
        return []

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        return json_response({"message": message or "error"}, status)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        return key or gen.hex(32, gen.derived("parent")), {}

    def serialize(self, run: Run, **options: Any) -> Any:
        return {"id": run.id, "status": run.status}
