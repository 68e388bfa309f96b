"""A small Workiva Platform client, as a downstream team would write it (no test code here).

It lists a script's runs through the prototype endpoint, which Workiva deprecated on
2026-02-12 with a sunset on 2027-01-31, and warns its own users when the server says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import requests

log = logging.getLogger(__name__)


class EndpointGone(Exception):
    """The server retired the endpoint (HTTP 410)."""


class WorkivaClient:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: str = "https://api.app.wdesk.com",
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.session = session or requests.Session()
        self.sunset: str | None = None  # the Sunset header last seen, if any

    def authenticate(self) -> None:
        answer = self.session.post(
            f"{self.base_url}/iam/v1/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            timeout=30,
        )
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def script_runs(self, script_id: str, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every run of the script, oldest first, following @nextLink as given."""
        url: str | None = f"{self.base_url}/prototype/platform/scripts/{script_id}/runs"
        params: dict[str, Any] | None = {"$maxpagesize": page_size}
        while url is not None:
            answer = self.session.get(url, params=params, timeout=30)
            if "Sunset" in answer.headers and answer.headers["Sunset"] != self.sunset:
                self.sunset = answer.headers["Sunset"]
                log.warning("Workiva will retire %s on %s", url, self.sunset)
            if answer.status_code == 410:
                raise EndpointGone(answer.json()["message"])
            answer.raise_for_status()
            page = answer.json()
            yield from page["data"]
            url, params = page.get("@nextLink"), None
