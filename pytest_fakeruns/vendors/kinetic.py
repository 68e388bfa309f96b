"""STUB: replaced by the vendor's full module (see contracts/kinetic.md)."""

from __future__ import annotations

from typing import Any

from .._definition import Context, VendorDefinition
from .._generator import Gen
from .._http import Response, json_response
from .._router import Route
from .._run import Run
from .._states import State
from .._vocabulary import Step, Vocabulary


class Kinetic(VendorDefinition):
    name = "kinetic"
    default_base_url = "http://foo.kineticdata.com:8080/kinetic-task"
    parent_keyword = "source"
    vocabulary = Vocabulary(
        steps=(
            Step("Staged", State.WAITING),
            Step("Started", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "Complete",
            State.FAILED: "Started",
            State.CANCELED: "Complete",
        },
        durations={State.WAITING: 1.0, State.RUNNING: 10.0},
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
