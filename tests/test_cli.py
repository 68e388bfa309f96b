"""``fakeruns serve`` / ``python -m pytest_fakeruns serve`` as a subprocess a parent drives."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from pytest_fakeruns._cli import main
from pytest_fakeruns._control import is_loopback
from pytest_fakeruns._registry import BUILTIN

from ._cli_process import BOUND, Serve, serve

__all__ = ["serve"]  # the fixture, imported for this module's tests

VENDORS = list(BUILTIN)  # the built-in vendors, in registry order
OPTIONS = [
    "--host",
    "--port",
    "--seed",
    "--runs",
    "--progression",
    "--scenario",
    "--admin-token",
    "--no-auth",
    "--no-packs",
    "--max-body",
    "--idle-timeout",
    "--quiet",
]


def test_serve_prints_every_vendor_answers_and_stops_on_sigint(serve: Serve) -> None:
    served = serve(["--port", "0", "--runs", "3", "--seed", "5", "--no-packs"])
    urls = served.urls(len(VENDORS))
    assert list(urls) == VENDORS
    ports = {urlsplit(url).port for url in urls.values()}
    assert len(ports) == 1 and 0 not in ports and None not in ports
    for name, url in urls.items():
        assert urlsplit(url).hostname == "127.0.0.1"
        assert urlsplit(url).path == f"/{name}"

    with requests.Session() as session:  # keeps a connection open across the stop
        r = session.get(
            urls["coalesce"] + "/api/v1/runs", headers={"Authorization": "Bearer t"}, timeout=BOUND
        )
        assert r.status_code == 200
        assert len(r.json()["data"]) == 3
        assert session.get(urls["coalesce"] + "/api/v1/runs", timeout=BOUND).status_code == 401
        root = urls["coalesce"].rsplit("/", 1)[0]
        assert session.get(root + "/", timeout=BOUND).json()["vendors"] == urls

        assert served.signal(signal.SIGINT) == 0
    stderr = served.stderr()
    assert "GET /coalesce/api/v1/runs -> 200" in stderr  # the request log
    assert "stopped" in stderr
    assert "Traceback" not in stderr


def test_sigterm_stops_it_cleanly_too(serve: Serve) -> None:
    served = serve(["--port", "0", "--runs", "0", "--no-packs", "--quiet"])
    served.urls(len(VENDORS))
    assert served.signal(signal.SIGTERM) == 0
    assert "Traceback" not in served.stderr()


def test_same_seed_same_data_and_no_auth(serve: Serve) -> None:
    bodies = []
    for _ in range(2):
        served = serve(
            [
                "--port",
                "0",
                "--runs",
                "4",
                "--seed",
                "11",
                "--no-auth",
                "--progression",
                "manual",
                "--no-packs",
                "--quiet",
            ]
        )
        url = served.urls(len(VENDORS))["coalesce"] + "/api/v1/runs"
        r = requests.get(url, timeout=BOUND)  # no credentials: --no-auth
        assert r.status_code == 200
        bodies.append(
            [(run["id"], run["runType"], run["environmentID"]) for run in r.json()["data"]]
        )
        assert served.signal(signal.SIGINT) == 0
    assert len(bodies[0]) == 4
    assert bodies[0] == bodies[1]


def test_a_port_in_use_fails_fast_with_a_clear_message(serve: Serve) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = serve(["--port", str(port), "--no-packs"])
        code = served.wait()
    assert code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in served.stderr()


def _help(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=BOUND, check=True)
    return done.stdout


@pytest.mark.parametrize("how", ["console-script", "module"])
def test_help_documents_every_option(how: str) -> None:
    if how == "module":
        command = [sys.executable, "-m", "pytest_fakeruns", "--help"]
    else:
        script = shutil.which("fakeruns", path=str(Path(sys.executable).parent))
        assert script is not None, "the fakeruns console script is not installed"
        command = [script, "--help"]
    text = _help(command)
    assert "serve" in text
    for option in OPTIONS:
        assert option in text
    serve_help = _help([*command[:-1], "serve", "--help"])
    for option in OPTIONS:
        assert option in serve_help


def test_main_without_a_command_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_main_rejects_bad_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--runs", "-1"]) == 1
    assert "--runs -1" in capsys.readouterr().err
    assert main(["serve", "--max-body", "-1", "--port", "0"]) == 1
    assert "--max-body -1: give a number of bytes >= 0" in capsys.readouterr().err
    assert main(["serve", "--idle-timeout", "0", "--port", "0"]) == 1
    assert "--idle-timeout 0: give seconds > 0" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "eighty"])
    assert exited.value.code == 2


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl, a non-Python client")
def test_curl_runs_start_poll_and_page_against_serve(serve: Serve) -> None:
    """The whole flow from a client that is not Python: curl against ``fakeruns serve``."""
    import json

    served = serve(
        ["--port", "0", "--runs", "30", "--progression", "poll", "--no-packs", "--quiet"]
    )
    root = served.urls(len(VENDORS))["coalesce"]

    def curl(*args: str) -> dict[str, object]:
        out = subprocess.run(
            ["curl", "-sS", "--fail-with-body", "-H", "Authorization: Bearer t0k3n", *args],
            capture_output=True,
            text=True,
            timeout=BOUND,
            check=True,
        )
        return json.loads(out.stdout) if out.stdout else {}

    first = curl(f"{root}/api/v1/runs?limit=1")
    env = first["data"][0]["environmentID"]  # type: ignore[index]
    started = curl(
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps(
            {
                "runDetails": {"environmentID": env},
                "userCredentials": {"snowflakeUsername": "LOADER", "snowflakePassword": "s3cret"},
            }
        ),
        f"{root}/scheduler/startRun",
    )
    counter = started["runCounter"]
    seen = []
    for _ in range(10):
        status = curl(f"{root}/scheduler/runStatus?runCounter={counter}")["runStatus"]
        seen.append(status)
        if status == "completed":
            break
    assert seen == ["waitingToRun", "initializing", "rendering", "running", "completed"]

    ids: list[int] = []
    url = f"{root}/api/v1/runs?limit=7"
    while True:
        page = curl(url)
        ids += [run["id"] for run in page["data"]]  # type: ignore[attr-defined]
        if "next" not in page:
            break
        url = f"{root}/api/v1/runs?limit=7&startingFrom={page['next']}"
    assert len(ids) == len(set(ids)) == 31 and counter in ids
    assert served.signal(signal.SIGINT) == 0


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::ffff:127.0.0.9", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.1", False),
        ("192.168.1.7", False),
        ("fakeruns.example", False),
        ("128.0.0.1", False),
    ],
)
def test_loopback_is_any_127_address_or_ipv6_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_on_another_loopback_address_with_limits(serve: Serve) -> None:
    served = serve(
        [
            "--host",
            "127.0.0.2",
            "--port",
            "0",
            "--runs",
            "0",
            "--no-packs",
            "--max-body",
            "10",
            "--idle-timeout",
            "0.3",
        ]
    )
    urls = served.urls(len(VENDORS))
    assert urlsplit(urls["coalesce"]).hostname == "127.0.0.2"
    url = urls["coalesce"] + "/scheduler/startRun"
    refused = requests.post(
        url, data=b"x" * 11, headers={"Authorization": "Bearer t"}, timeout=BOUND
    )
    assert refused.status_code == 413
    assert "exceeds the limit of 10" in refused.json()["message"]
    parts = urlsplit(urls["coalesce"])
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as idle:
        assert idle.recv(1) == b""  # closed after the idle timeout, well within the bound
    assert served.signal(signal.SIGINT) == 0
    stderr = served.stderr()
    assert "serving 5 vendors on http://127.0.0.2:" in stderr
    assert "reachable from the network" not in stderr
