"""A small Coalesce API client, as a downstream team would write it (no test code here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import requests

TERMINAL = {"completed", "failed", "canceled"}


class CoalesceError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        detail = body.get("error", {}).get("errorDetail") if isinstance(body, dict) else body
        super().__init__(f"{status}: {detail}")
        self.status = status


class CoalesceClient:
    def __init__(
        self,
        token: str,
        base_url: str = "https://app.coalescesoftware.io",
        max_attempts: int = 5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One API call; 429 and 503 are retried after the server's Retry-After."""
        for _ in range(self.max_attempts):
            response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
            if response.status_code not in (429, 503):
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        if response.status_code >= 400:
            raise CoalesceError(response.status_code, response.json())
        return response

    def start_run(self, environment_id: str, username: str, password: str) -> int:
        body = {
            "runDetails": {"environmentID": environment_id},
            "userCredentials": {
                "snowflakeAuthType": "Basic",
                "snowflakeUsername": username,
                "snowflakePassword": password,
            },
        }
        return int(self._call("POST", "/scheduler/startRun", json=body).json()["runCounter"])

    def status(self, run_id: int) -> str:
        answer = self._call("GET", "/scheduler/runStatus", params={"runCounter": run_id})
        return str(answer.json()["runStatus"])

    def wait_for_run(
        self, run_id: int, interval: float = 5.0, timeout: float = 3600.0
    ) -> list[str]:
        """Poll until the run ends; returns every status seen, in order, without repeats."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(run_id)
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in TERMINAL:
                return seen
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} still {status} after {timeout} s")
            time.sleep(interval)

    def iter_runs(
        self, environment_id: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every run, newest first, following `next` until the last page."""
        params: dict[str, Any] = {"limit": page_size}
        if environment_id is not None:
            params["environmentID"] = environment_id
        while True:
            page = self._call("GET", "/api/v1/runs", params=params).json()
            yield from page["data"]
            if "next" not in page:
                return
            params["startingFrom"] = page["next"]

    def cancel(self, run_id: int, org_id: str, environment_id: str) -> None:
        body = {"runID": run_id, "orgID": org_id, "environmentID": environment_id}
        self._call("POST", "/scheduler/cancelRun", json=body)
