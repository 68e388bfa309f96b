"""Vendor packs: the hook, the ``pytest_fakeruns.vendors`` entry points, the CLI, the guide."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
import requests

from pytest_fakeruns import FakeRunsError
from pytest_fakeruns._packs import ENTRY_POINT_GROUP, entry_point_packs, merge
from pytest_fakeruns._registry import BUILTIN
from pytest_fakeruns.vendors.coalesce import Coalesce

from ._cli_process import Serve, serve

__all__ = ["serve"]  # the fixture, imported for this module's tests

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "examples" / "vendor_pack"
PACK_SRC = PACK / "src"
GUIDE = ROOT / "docs" / "vendor-packs.md"
BLOCK = re.compile(r"```(python|toml)\n(.*?)```", re.DOTALL)

TINY = '''
from fakeruns_acme import Acme


class Tiny(Acme):
    """A second pack built on the example's definition, under its own name and root."""

    name = "tiny"
    default_base_url = "https://tiny.example/api"
'''


def make_dist(where: Path, name: str, entry_points: str) -> None:
    """An installed-looking distribution (a ``.dist-info``) that declares ``entry_points``."""
    info = where / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


def pack_entry_points() -> str:
    """The example pack's entry points, as its pyproject.toml declares them."""
    text = (PACK / "pyproject.toml").read_text()
    section = re.search(
        r'^\[project\.entry-points\."pytest_fakeruns\.vendors"\]\n((?:.+\n)+)', text, re.MULTILINE
    )
    assert section is not None, "the pack declares no pytest_fakeruns.vendors entry point"
    lines = [line.replace('"', "") for line in section.group(1).splitlines()]
    return f"[{ENTRY_POINT_GROUP}]\n" + "\n".join(lines) + "\n"


@pytest.fixture
def tiny_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``fakeruns_tiny`` importable and declared as an entry point, through PYTHONPATH only."""
    site = tmp_path / "site"
    (site / "fakeruns_tiny").mkdir(parents=True)
    (site / "fakeruns_tiny" / "__init__.py").write_text(TINY)
    make_dist(site, "fakeruns-tiny", f"[{ENTRY_POINT_GROUP}]\ntiny = fakeruns_tiny:Tiny\n")
    paths = [str(site), str(PACK_SRC), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    return site


# -- the hook --------------------------------------------------------------------------------

HOOK_CONFTEST = """
from fakeruns_acme import Acme

TRANSITIONS = []
CALLS = []


class Beta(Acme):
    name = "beta"
    default_base_url = "https://beta.example/v2"


def pytest_fakeruns_vendors():
    return [Beta]


def pytest_fakeruns_transition(run, old, new):
    TRANSITIONS.append((run.vendor, str(old), str(new)))


def pytest_fakeruns_call(call):
    CALLS.append((call.vendor, call.status))
"""

HOOK_TESTS = """
import httpx
import pytest
import requests

from pytest_fakeruns import FakeRunsError, VendorFake
from pytest_fakeruns._registry import BUILTIN

from conftest import CALLS, TRANSITIONS

KEY = {"X-Acme-Key": "k"}


def test_a_vendor_like_the_others(fake_runs):
    beta = fake_runs.beta
    assert isinstance(beta, VendorFake)
    assert fake_runs.vendor("beta") is beta
    assert list(fake_runs.vendors)[:len(BUILTIN)] == list(BUILTIN)
    assert beta.base_url == "https://beta.example/v2"
    with pytest.raises(FakeRunsError, match="beta"):
        fake_runs.inject(status=500, vendor="nope")


def test_store_and_both_transports(fake_runs):
    runs = fake_runs.beta.add_runs(4, pipeline_id="p")
    url = fake_runs.beta.base_url + "/v1/pipelines/p/runs"
    by_requests = requests.get(url, headers=KEY, timeout=10).json()
    by_httpx = httpx.get(url, headers=KEY, timeout=10).json()
    assert by_requests == by_httpx
    assert sorted(r["id"] for r in by_requests["runs"]) == sorted(r.id for r in runs)
    assert by_requests["runs"][0] == fake_runs.beta.runs()[0].to_json()


def test_clock_lifecycle_and_transition_hook(fake_runs):
    run = fake_runs.beta.add_run(pipeline_id="p", durations={"waitingToRun": 1, "running": 2})
    fake_runs.clock.advance(10)
    assert run.status == "succeeded"
    assert TRANSITIONS[-2:] == [("beta", "waitingToRun", "running"),
                                ("beta", "running", "completed")]
    with pytest.raises(FakeRunsError):
        run.cancel()


def test_faults_and_journal(fake_runs):
    fake_runs.beta.add_run(pipeline_id="p")
    url = fake_runs.beta.base_url + "/v1/pipelines/p/runs"
    fault = fake_runs.inject(status=429, vendor="beta", times=1, retry_after=2)
    r = requests.get(url, headers=KEY, timeout=10)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "2")
    assert r.json()["error"]["code"] == 429
    assert fault.hits == 1
    assert requests.get(url, timeout=10).status_code == 401
    fake_runs.assert_called(vendor="beta", path="/v1/pipelines/{pipelineId}/runs", times=2)
    assert CALLS[-2:] == [("beta", 429), ("beta", 401)]
    fake_runs.reset()
    assert fake_runs.beta.runs() == [] and fake_runs.calls == []


def test_served_over_http(fake_runs_server):
    fake_runs_server.beta.add_runs(3, pipeline_id="p")
    assert fake_runs_server.beta.base_url == fake_runs_server.url + "/beta"
    url = fake_runs_server.beta.base_url + "/v1/pipelines/p/runs?limit=2"
    page = requests.get(url, headers=KEY, timeout=10).json()
    assert page["next"].startswith(fake_runs_server.url + "/beta/v1/pipelines/p/runs?")
    assert fake_runs_server.calls[-1].headers["Host"]  # it came over the socket


def test_strict_mode_covers_it(fake_runs):
    requests.get(fake_runs.beta.base_url + "/v1/nothing", headers=KEY, timeout=10)
"""


def test_a_pack_added_through_the_hook(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(PACK_SRC)
    pytester.makeconftest(HOOK_CONFTEST)
    pytester.makepyfile(test_beta=HOOK_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_strict_mode_covers_it*",
            "*GET https://beta.example/v2/v1/nothing*",
        ]
    )


def test_the_hook_must_return_definitions(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("def pytest_fakeruns_vendors():\n    return ['acme']\n")
    pytester.makepyfile("def test_it(fake_runs):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*pytest_fakeruns_vendors() implementation gave 'acme'*"])


def test_two_definitions_with_one_name_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        from pytest_fakeruns.vendors.coalesce import Coalesce

        class Again(Coalesce):
            pass

        def pytest_fakeruns_vendors():
            return [Again]
        """
    )
    pytester.makepyfile("def test_it(fake_runs):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*two vendor definitions are named 'coalesce'*"])


def test_the_guides_conftest_block_works(pytester: pytest.Pytester) -> None:
    """The guide's hook example, verbatim, as a conftest; once even if also installed."""
    blocks = [code for kind, code in BLOCK.findall(GUIDE.read_text()) if kind == "python"]
    (hook_block,) = [b for b in blocks if "def pytest_fakeruns_vendors" in b]
    pytester.syspathinsert(PACK_SRC)
    pytester.makeconftest(hook_block)
    pytester.makepyfile(
        """
        import requests

        def test_acme(fake_runs):
            assert list(fake_runs.vendors).count("acme") == 1
            fake_runs.acme.add_runs(2, pipeline_id="p")
            url = fake_runs.acme.base_url + "/v1/pipelines/p/runs"
            runs = requests.get(url, headers={"X-Acme-Key": "k"}, timeout=10).json()["runs"]
            assert len(runs) == 2
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# -- entry points ----------------------------------------------------------------------------


def test_the_example_packs_own_suite_passes_through_its_entry_point(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack's real tests, the pack found only through its declared entry point."""
    site = tmp_path / "site"
    make_dist(site, "fakeruns-acme", pack_entry_points())
    paths = [str(site), str(PACK_SRC), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    tests = (PACK / "tests" / "test_acme.py").read_text()
    pytester.makepyfile(test_acme=tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=tests.count("\ndef test_"))


def test_a_pack_found_only_through_its_entry_point(
    pytester: pytest.Pytester, tiny_on_path: Path
) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_tiny(fake_runs):
            fake_runs.tiny.add_runs(3, pipeline_id="p")
            url = "https://tiny.example/api/v1/pipelines/p/runs"
            r = requests.get(url, headers={"X-Acme-Key": "k"}, timeout=10)
            assert len(r.json()["runs"]) == 3
            fake_runs.assert_called(vendor="tiny", times=1)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)


def test_the_cli_serves_installed_packs(serve: Serve, tiny_on_path: Path) -> None:
    served = serve(["--port", "0", "--runs", "2", "--quiet"])
    # the built-in five, the environment's own packs (the example, if pip-installed), tiny
    urls = served.urls(len(BUILTIN) + len(entry_point_packs()) + 1)
    assert list(urls)[: len(BUILTIN)] == list(BUILTIN)
    root = urls["coalesce"].rsplit("/", 1)[0]
    assert urls["tiny"] == root + "/tiny"
    assert requests.get(root + "/", timeout=10).json()["vendors"]["tiny"] == urls["tiny"]
    missing = requests.get(
        urls["tiny"] + "/v1/pipelines/nope/runs", headers={"X-Acme-Key": "k"}, timeout=10
    )
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": 404, "message": "Pipeline nope was not found."}}
    assert served.signal(signal.SIGINT) == 0

    plain = serve(["--port", "0", "--runs", "0", "--quiet", "--no-packs"])
    assert list(plain.urls(len(BUILTIN))) == list(BUILTIN)
    assert plain.signal(signal.SIGINT) == 0
    assert plain.lines.get(timeout=10) is None, "--no-packs printed more vendors"


def test_a_broken_entry_point_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dist(tmp_path, "not-a-pack", f"[{ENTRY_POINT_GROUP}]\nwrong = json:dumps\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FakeRunsError, match=r"wrong = json:dumps .* VendorDefinition"):
        entry_point_packs()


def test_an_entry_point_that_does_not_import_names_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_dist(tmp_path, "gone", f"[{ENTRY_POINT_GROUP}]\ngone = no_such_module_xyz:Pack\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FakeRunsError, match=r"gone = no_such_module_xyz:Pack .* failed to load"):
        entry_point_packs()


def test_merge_keeps_order_and_each_definition_once() -> None:
    class Other(Coalesce):
        name = "other"

    assert merge([Coalesce, Other], [Other], [Coalesce]) == [Coalesce, Other]


# -- the guide -------------------------------------------------------------------------------


def test_every_block_of_the_guide_is_the_examples_code_or_runs() -> None:
    """Source blocks are verbatim in examples/vendor_pack; test blocks are the pack's tests
    (and tests/test_docs.py runs them); the hook block runs above."""
    files = {p: p.read_text() for p in PACK.rglob("*") if p.suffix in (".py", ".toml")}
    pack_tests = (PACK / "tests" / "test_acme.py").read_text()
    blocks = BLOCK.findall(GUIDE.read_text())
    assert len(blocks) >= 5
    for _, code in blocks:
        if "def pytest_fakeruns_vendors" in code:
            continue
        if "\ndef test_" in code:
            for chunk in code.strip("\n").split("\n\n\n"):
                assert chunk in pack_tests, f"not in the pack's tests:\n{chunk}"
            continue
        assert any(code.rstrip("\n") in text for text in files.values()), (
            f"this block of {GUIDE.name} is not verbatim in examples/vendor_pack:\n{code}"
        )
