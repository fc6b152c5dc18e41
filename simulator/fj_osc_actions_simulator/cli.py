"""``fj-osc-actions-simulator``: run a local FJcloud-O region until stopped.

Options::

    --port N              TCP port on 127.0.0.1 (default 0 = a free port)
    --data FILE           JSON/YAML data file instead of the seeded demo data
    --token-ttl SECONDS   token lifetime (default 10800 = 3 hours)
    --page-size N         max actions per list page (Nova [api]max_limit, 1000)
    --bulk-actions N      add server bulk-01 with N actions
    --servers N           add a fleet of N servers fleet-001, ...
    --projects N          add a contract of N projects (users ops, ops-admin)
    --project-servers M   servers in each of those projects (6)
    --running-seconds S   how long the reboots running at start last (3)
    --max-microversion X.Y  highest compute microversion (default 2.104)
    --latency MS          delay every answer by MS milliseconds (default 0)
    --password-delay S    each password login takes S seconds more (default 0)
    --fault NAME[:TIMES]  queue a fault for compute requests; repeatable.
                          TIMES = how many requests it hits, in order;
                          omitted or 0 = every compute request (always).
                          e.g. --fault 503:1 (one 503, then success),
                          --fault slow:2 (every request 2 s late),
                          --fault slow:2:3 (the next 3 requests),
                          --fault 429:5:1 (one 429 with Retry-After: 5).
    --dump-data           print the data as YAML (a data-file template), exit

It prints the URL, ``export OS_*=...`` lines, a clouds.yaml snippet, then a
line ``READY <url>`` and serves until SIGINT/SIGTERM (exit status 0).
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time
from typing import Any, Sequence

from fj_osc_actions_simulator import contract, seed
from fj_osc_actions_simulator.faults import FAULT_NAMES, TIMED_FAULTS, parse_fault_option
from fj_osc_actions_simulator.server import MAX_PORT, Simulator

PROG = "fj-osc-actions-simulator"
CLOUD_NAME = "fjcloud-sim"


def _port_option(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 0 to {MAX_PORT} "
                                         f"(0: a free port)")
    return port


def _not_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number >= 0")
        return value
    return parse


def _fault_option(text: str) -> tuple[str, int]:
    try:
        return parse_fault_option(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Offline simulator of a Fujitsu FJcloud-O region "
                    "(Keystone v3 + Nova server actions), on 127.0.0.1 only.")
    parser.add_argument("--port", type=_port_option, default=0, metavar="N",
                        help=f"TCP port, 0 to {MAX_PORT} (default 0 = a free port)")
    parser.add_argument("--data", metavar="FILE",
                        help="JSON or YAML data file (default: seeded demo data)")
    parser.add_argument("--token-ttl", type=float, default=10800, metavar="SECONDS",
                        help="token lifetime in seconds (default 10800)")
    parser.add_argument("--page-size", type=int, default=1000, metavar="N",
                        help="max actions per list page (default 1000)")
    parser.add_argument("--bulk-actions", type=int, default=0, metavar="N",
                        help="add server bulk-01 with N actions")
    parser.add_argument("--servers", type=_not_negative(int), default=0, metavar="N",
                        help="add a fleet of N servers fleet-001... (every 7th with a "
                             "failed action in the last day)")
    parser.add_argument("--projects", type=_not_negative(int), default=0, metavar="N",
                        help="add a contract of N projects project-01... (user ops/ops-secret "
                             "is a member of each; see the simulator docs)")
    parser.add_argument("--project-servers", type=_not_negative(int),
                        default=contract.DEFAULT_SERVERS, metavar="M",
                        help=f"servers in each project of --projects (default "
                             f"{contract.DEFAULT_SERVERS})")
    parser.add_argument("--running-seconds", type=_not_negative(float),
                        default=seed.RUNNING_SECONDS, metavar="SECONDS",
                        help="how long the reboots running at start on web-02 and web-03 "
                             f"last (default {seed.RUNNING_SECONDS:g})")
    parser.add_argument("--max-microversion", default="2.104", metavar="X.Y",
                        help="highest compute microversion (default 2.104)")
    parser.add_argument("--latency", type=_not_negative(float), default=0, metavar="MS",
                        help="delay every answer by MS milliseconds, like the round trip "
                             "to a real region (default 0)")
    parser.add_argument("--password-delay", type=_not_negative(float), default=0,
                        metavar="SECONDS",
                        help="each password login takes SECONDS more, like Keystone hashing "
                             "the password; token logins do not (default 0)")
    faults = ", ".join([*FAULT_NAMES, *(timed.syntax() for timed in TIMED_FAULTS.values())])
    parser.add_argument("--fault", action="append", default=[], type=_fault_option,
                        metavar="NAME[:TIMES]",
                        help=f"queue a fault for compute requests ({faults}); TIMES omitted "
                             f"or 0 = always")
    parser.add_argument("--dump-data", action="store_true",
                        help="print the data (seed, or --data, plus --bulk-actions and "
                             "--servers) as YAML, a starting point for a data file, and exit")
    return parser


def dump_data(args: argparse.Namespace) -> int:
    import yaml

    from fj_osc_actions_simulator.store import read_data
    data = read_data(args.data, args.running_seconds, args.servers, time.time(), args.projects,
                     args.project_servers)
    if args.bulk_actions > 0:
        data.setdefault("servers", []).append(seed.bulk_server(args.bulk_actions))
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return 0


def _yaml_lines(mapping: dict[str, Any], indent: int) -> list[str]:
    lines = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(f"{' ' * indent}{key}:")
            lines += _yaml_lines(value, indent + 2)
        else:
            text = f"'{value}'" if "%" in str(value) else str(value)
            lines.append(f"{' ' * indent}{key}: {text}")
    return lines


def banner(sim: Any) -> str:
    """What the simulator prints when it is ready: how to log in, then READY."""
    url = sim.url
    env = sim.os_env("demo")
    users = ", ".join(f"{user}/{seed.PASSWORDS[user]} ({what})" for user, what in
                      (("demo", "member"), ("admin", "admin"), ("other", "other-project")))
    lines = [f"FJcloud-O simulator listening on {url}", "",
             f"# Users (domain = contract number {seed.DOMAIN_NAME}): {users}"]
    if any(user["name"] == contract.USER for user in sim.store.users.values()):
        lines.append(f"# Contract (--projects): {contract.USER}/{contract.PASSWORD} (member), "
                     f"{contract.ADMIN}/{contract.ADMIN_PASSWORD} (admin)")
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    lines += ["", "# clouds.yaml", "clouds:", f"  {CLOUD_NAME}:"]
    lines += _yaml_lines(sim.clouds_yaml_cloud("demo"), 4)
    lines += ["", f"READY {url}"]
    return "\n".join(lines) + "\n"


def _error(message: Any) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.dump_data:
        try:
            return dump_data(args)
        except (OSError, ValueError) as error:
            return _error(error)
    try:
        sim = Simulator(data=args.data, token_ttl=args.token_ttl, page_size=args.page_size,
                        max_microversion=args.max_microversion,
                        bulk_actions=args.bulk_actions, servers=args.servers,
                        running_seconds=args.running_seconds, port=args.port,
                        latency_ms=args.latency, password_delay=args.password_delay,
                        projects=args.projects, project_servers=args.project_servers)
    except (OSError, ValueError) as error:
        return _error(error)
    for fault, times in args.fault:
        sim.inject(fault, times=times)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {number: signal.signal(number, on_signal)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sim.start()
        except OSError as error:
            return _error(error)
        sys.stdout.write(banner(sim))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
