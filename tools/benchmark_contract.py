"""Benchmark the contract view: every project of one login in one run.

A simulator of 10 projects of 20 servers (the contract of user ops, without
its problem projects), every answer 50 ms late and every password check
0.3 s more (real Keystone hashes the password). Each round runs, in turn:

- ``server action list --my-projects --changes-since 1d --failed`` (rows
  with their project, the failed event and its reason: one more read per
  failed action);
- ``openstack token issue``, the floor of any run (a login);
- the loop a user writes today: ten runs of ``server action list
  --all-servers --changes-since 1d --failed``, one per project
  (``OS_PROJECT_NAME``), one after another (and still without the reasons).

It prints medians, the ratios against the targets (contract view <= 2.5 x
token issue; >= 5 x faster than the loop), peak memory, the most requests
in flight and the password logins per run (must be 1). The token cache is
off (``FJ_OSC_ACTIONS_TOKEN_CACHE=0``): every run logs in, as a first run
does. A report, not a test: exit status 0 unless a command fails.

    python tools/benchmark_contract.py [--rounds 5] [--projects 10] [--servers 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Sequence

from fj_osc_actions_simulator import Simulator, contract

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tools.benchmark import TOKEN_ISSUE, Command, Run, check, median, run  # noqa: E402

LATENCY_MS = 50
PASSWORD_DELAY = 0.3
CONTRACT = ["server", "action", "list", "--my-projects", "--changes-since", "1d", "--failed"]
LOOP_ONE = ["server", "action", "list", "--all-servers", "--changes-since", "1d", "--failed"]


def contract_simulator(projects: int, servers: int) -> Simulator:
    """Only the contract's projects and servers, no seeded ones."""
    data = contract.add_contract({"servers": []}, projects, servers, now=time.time(),
                                 problem_projects=False)
    return Simulator(data=data, latency_ms=LATENCY_MS, password_delay=PASSWORD_DELAY)


def environment(sim: Simulator, home: str, project: str | None = None) -> dict[str, str]:
    """A password login as ops (to ``project``, else its first), no token cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(sim.os_env(contract.USER), HOME=home, OS_CLIENT_CONFIG_FILE=os.devnull,
               FJ_OSC_ACTIONS_TOKEN_CACHE="0")
    if project is not None:
        env["OS_PROJECT_NAME"] = project
    return env


class Counted:
    """The identity requests of the last run, by kind."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.password_tokens = self._password_tokens()

    def _password_tokens(self) -> int:
        tokens = [self.sim.app.tokens.valid(token_id) for token_id in self.sim.issued_token_ids()]
        return sum(1 for token in tokens if token is not None and token.methods == ["password"])

    def since(self) -> tuple[int, int, int]:
        """(password logins, other token requests, identity requests) since made."""
        logins = self._password_tokens() - self.password_tokens
        identity = [e for e in self.sim.request_log if e.path.startswith("/v3")]
        posts = sum(1 for e in identity if e.method == "POST")
        return logins, posts - logins, len(identity)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--servers", type=int, default=20, help="servers per project")
    args = parser.parse_args(argv)
    names = [contract.project_name(number) for number in range(1, args.projects + 1)]

    with tempfile.TemporaryDirectory() as home, \
            contract_simulator(args.projects, args.servers) as sim:
        ours = Command(sim, CONTRACT, environment(sim, home))
        floor = Command(sim, TOKEN_ISSUE, environment(sim, home))
        loop = [Command(sim, LOOP_ONE, environment(sim, home, name)) for name in names]
        print(f"Simulator at {sim.url}: {args.projects} projects x {args.servers} servers, "
              f"{LATENCY_MS} ms on every answer, {PASSWORD_DELAY} s per password check; "
              f"{args.rounds} rounds, the commands alternate in each round")
        run(floor)  # warm the caches
        results: dict[str, list[Run]] = {"contract view": [], "token issue": [],
                                         "loop (sum of its runs)": []}
        logins: dict[str, list[tuple[int, int, int]]] = {name: [] for name in results}
        for _ in range(args.rounds):
            for name, command in (("contract view", ours), ("token issue", floor)):
                counted = Counted(sim)
                results[name].append(run(command))
                logins[name].append(counted.since())
            counted = Counted(sim)
            runs = []
            totals = [0, 0, 0]
            for command in loop:
                one = Counted(sim)
                runs.append(run(command))
                totals = [a + b for a, b in zip(totals, one.since())]
            results["loop (sum of its runs)"].append(Run(
                sum(r.seconds for r in runs), sum(r.cpu for r in runs),
                max(r.peak_kib for r in runs), sum(r.compute for r in runs), 0,
                max(r.in_flight for r in runs)))
            logins["loop (sum of its runs)"].append(tuple(totals))

        print(f"\n  {'command':24} {'median s':>9} {'min s':>7} {'cpu s':>7} {'compute req':>12}"
              f" {'identity req':>13} {'password logins':>16} {'rescopes':>9}"
              f" {'peak in flight':>15} {'peak MiB':>9}")
        for name, runs in results.items():
            password, rescopes, identity = logins[name][0]
            print(f"  {name:24} {median(runs):9.3f} {min(r.seconds for r in runs):7.3f} "
                  f"{median(runs, key=lambda r: r.cpu):7.3f} {runs[0].compute:12d} "
                  f"{identity:13d} {password:16d} {rescopes:9d} "
                  f"{max(r.in_flight for r in runs):15d} "
                  f"{median(runs, key=lambda r: r.peak_kib) / 1024:9.1f}")

        view = median(results["contract view"])
        token = median(results["token issue"])
        user_loop = median(results["loop (sum of its runs)"])
        view_logins = {entry[0] for entry in logins["contract view"]}
        requests = results["contract view"][0].compute + logins["contract view"][0][2]
        print(f"\n  the contract view: {requests} requests in all; at 8 in flight and "
              f"{LATENCY_MS} ms each, about {requests / 8 * LATENCY_MS / 1000:.2f} s of latency "
              f"after the login's {PASSWORD_DELAY} s")
        print("\n== Targets (ratios of medians)")
        check("contract view <= 2.5 x token issue", view <= 2.5 * token,
              f"{view:.3f} s / {token:.3f} s = {view / token:.2f} x")
        check(f">= 5 x faster than the loop of {args.projects} --all-servers runs",
              user_loop >= 5 * view, f"{user_loop:.3f} s / {view:.3f} s = {user_loop / view:.1f} x")
        check("one password login per contract-view run", view_logins == {1},
              f"password logins per run: {sorted(view_logins)}")
        check("requests in flight <= --concurrency (8)",
              max(r.in_flight for r in results["contract view"]) <= 8,
              f"peak {max(r.in_flight for r in results['contract view'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
