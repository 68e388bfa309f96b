"""``fakeruns serve``: every vendor over HTTP, pre-seeded, until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from types import FrameType
from typing import Any

from ._control import is_loopback
from ._errors import DeprecatedEndpointWarning, FakeRunsError
from ._server import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BODY


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="pytest-fakeruns outside pytest: the faked vendors' runs APIs over HTTP.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve every vendor over HTTP until interrupted (Ctrl-C)",
        description=(
            "Serve every vendor over HTTP, pre-seeded with --runs runs each, until SIGINT "
            "(Ctrl-C) or SIGTERM. Prints one line per vendor on stdout, `<vendor> <root URL>`; "
            "each vendor is served below <server URL>/<vendor>. Vendor packs installed in the "
            "`pytest_fakeruns.vendors` entry-point group are served too."
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, loopback only; 0.0.0.0 exposes the fake "
        "to the network)",
    )
    serve.add_argument(
        "--port", type=int, default=8080, help="port to bind (default: 8080; 0 picks a free one)"
    )
    serve.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for the generated data (default: the scenario's, else 0)",
    )
    serve.add_argument(
        "--runs",
        type=int,
        default=None,
        help="runs to pre-seed per vendor (default: 10; 0 with --scenario)",
    )
    serve.add_argument(
        "--progression",
        choices=("time", "poll", "manual"),
        default=None,
        help="how runs advance: with real time, one step per API read, or never "
        "(default: the scenario's, else time)",
    )
    serve.add_argument(
        "--scenario",
        metavar="FILE",
        default=None,
        help="preload a scenario file (JSON: seed, progression, clock, runs, faults, "
        "deprecations); a bad file exits 2 naming the key",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=None,
        help="require Authorization: Bearer TOKEN on the control plane (/__fakeruns); "
        "without it the control plane is open on loopback and off elsewhere",
    )
    serve.add_argument(
        "--no-auth",
        action="store_true",
        help="accept requests without credentials (require_auth = False for every vendor)",
    )
    serve.add_argument(
        "--no-packs",
        action="store_true",
        help="serve only the built-in vendors, not the installed vendor packs",
    )
    serve.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"largest request body accepted, larger ones get 413 unread "
        f"(default: {DEFAULT_MAX_BODY}, 16 MiB)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help=f"close a connection that sends nothing for this long "
        f"(default: {DEFAULT_IDLE_TIMEOUT:g})",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    openapi = commands.add_parser(
        "openapi",
        help="print the OpenAPI 3.1 document (JSON) of one vendor's faked routes",
        description="Print the OpenAPI 3.1 document of VENDOR's faked routes as JSON on stdout "
        "(the same document a served fake answers at /__fakeruns/openapi/VENDOR.json).",
    )
    openapi.add_argument("vendor", metavar="VENDOR", help="vendor key, e.g. coalesce")
    openapi.add_argument(
        "--base-url", help="the root written in `servers` (default: the vendor's default root)"
    )
    openapi.add_argument("--no-packs", action="store_true", help="know only the built-in vendors")
    parser.epilog = "options of `serve`:\n" + "\n".join(
        "  " + line for line in _options_help(serve).splitlines()
    )
    return parser


def _options_help(parser: argparse.ArgumentParser) -> str:
    text = parser.format_help()
    marker = "options:\n"
    text = text[text.index(marker) + len(marker) :] if marker in text else text
    return "\n".join(line for line in text.splitlines() if "--help" not in line)


def _serve(args: argparse.Namespace) -> int:
    from ._fake import FakeRuns
    from ._packs import entry_point_packs
    from ._server import serving

    if args.runs is not None and args.runs < 0:
        raise FakeRunsError(f"--runs {args.runs}: give a number of runs >= 0")
    if args.max_body < 0:
        raise FakeRunsError(f"--max-body {args.max_body}: give a number of bytes >= 0")
    if not args.idle_timeout > 0:
        raise FakeRunsError(f"--idle-timeout {args.idle_timeout:g}: give seconds > 0")
    warnings.simplefilter("ignore", DeprecatedEndpointWarning)  # the headers say it already
    packs = [] if args.no_packs else entry_point_packs()
    scenario, scenario_name = _scenario(args)
    seed = args.seed if args.seed is not None else scenario.get("seed", 0)
    progression = args.progression or scenario.get("progression", "time")
    args.seed = seed
    runs = args.runs if args.runs is not None else (0 if args.scenario else 10)
    args.runs = runs
    fake = FakeRuns(seed=seed, progression=progression, vendors=packs)
    for vendor in fake.vendors.values():
        vendor.add_runs(runs)
        vendor.require_auth = not args.no_auth
    if args.scenario:
        # the flags win over the file's seed and progression; the rest is checked in full
        # against this fake before serving (a bad file exits 2 here)
        scenario = {k: v for k, v in scenario.items() if k not in ("seed", "progression")}
        from ._scenario import check_scenario

        try:
            check_scenario(fake, scenario, scenario_name)
        except FakeRunsError as exc:
            raise _BadScenario(str(exc)) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    log = None if args.quiet else sys.stderr
    with serving(
        fake,
        args.host,
        args.port,
        log=log,
        max_body=args.max_body,
        idle_timeout=args.idle_timeout,
        admin_token=args.admin_token,
    ) as server:
        if args.scenario:
            from ._scenario import load_scenario

            load_scenario(fake, scenario, name=scenario_name, plane=server.control)
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, vendor in fake.vendors.items():
                print(f"{name} {vendor.base_url}", flush=True)
            where = "" if is_loopback(args.host) else " (reachable from the network)"
            if not server.control.enabled and args.admin_token is None:
                where += "; control plane off (--admin-token turns it on)"
            print(
                f"fakeruns: serving {len(fake.vendors)} vendors on {server.url}{where}, "
                f"seed {args.seed}, {args.runs} runs each; Ctrl-C stops",
                file=sys.stderr,
                flush=True,
            )
            while not stop.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    print("fakeruns: stopped", file=sys.stderr, flush=True)
    return 0


class _BadScenario(FakeRunsError):
    """A scenario file refused at start: exit 2."""


def _scenario(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    if not args.scenario:
        return {}, ""
    from ._scenario import check_shape, read_scenario

    try:
        document, name = read_scenario(args.scenario)
        check_shape(document, name, None)  # vendor names are checked once the fake is built
    except FakeRunsError as exc:
        raise _BadScenario(str(exc)) from None
    return document, name


def _openapi(args: argparse.Namespace, prog: str) -> int:
    import json

    from ._fake import FakeRuns
    from ._openapi import document
    from ._packs import entry_point_packs

    packs = [] if args.no_packs else entry_point_packs()
    fake = FakeRuns(vendors=packs)
    if args.vendor not in fake.vendors:
        known = ", ".join(fake.vendors)
        print(
            f"{prog}: error: unknown vendor {args.vendor!r}; known vendors: {known}",
            file=sys.stderr,
            flush=True,
        )
        return 2
    if args.base_url is not None:
        fake = FakeRuns(vendors=packs, base_urls={args.vendor: args.base_url})
    print(json.dumps(document(fake, args.vendor), indent=2, ensure_ascii=False), flush=True)
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "fakeruns") -> int:
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if args.command == "openapi":
        try:
            return _openapi(args, prog)
        except FakeRunsError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr, flush=True)
            return 1
    if args.command != "serve":
        parser.print_help()
        return 2
    try:
        return _serve(args)
    except _BadScenario as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr, flush=True)
        return 2
    except FakeRunsError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:  # Ctrl-C before the server was up
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
