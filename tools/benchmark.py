"""Benchmark fj-osc-actions against the upstream command and OSC's own floor.

Starts the bundled simulator (password login, like a real cloud), then runs
the real ``openstack`` of this Python environment. Every phase alternates its
commands within each round, so that machine noise hits them all alike, and
prints medians, ratios and whether each target holds. Timing never fails a
test: this is a report (exit status 0 unless a command itself fails).

The fleet phase (run by default after the others; ``--fleet`` runs it alone,
``--no-fleet`` skips it) times ``server action list --all-servers
--changes-since 1d --failed`` over 50 and 500 servers against simulators that
delay every answer by 50 ms, against ``token issue`` and against the shell
loop of upstream ``server event list`` (a few runs, extrapolated to 50).

    python tools/benchmark.py [--rounds 15] [--list-rounds 3] [--profile]
                              [--fleet | --no-fleet] [--fleet-rounds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, NamedTuple, Sequence

from fj_osc_actions_simulator import Simulator, seed

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, "openstack")
SHOW = ["server", "action", "show", seed.WEB_01, seed.FAILED_REBOOT_REQUEST]
TOKEN_ISSUE = ["token", "issue"]
FLEET = ["server", "action", "list", "--all-servers", "--changes-since", "1d", "--failed"]
FLEET_LATENCY_MS = 50
LOOP_SERVERS = 50

# Runs `openstack` with or without this plugin's entry points (same wrapper
# both ways, so the comparison is fair); prints the peak RSS of the run.
LAUNCHER = r"""
import os, resource, sys
if os.environ.get("BENCH_HIDE_PLUGIN") == "1":
    import stevedore.extension as ext
    original = ext.ExtensionManager.list_entry_points
    def without_plugin(self, *args, **kwargs):
        return [ep for ep in original(self, *args, **kwargs)
                if not ep.value.startswith("fj_osc_actions")]
    ext.ExtensionManager.list_entry_points = without_plugin
from openstackclient import shell
code = shell.main(sys.argv[1:])
sys.stdout.flush()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
os.write(2, ("BENCH_PEAK_KIB %d\n" % peak).encode())
sys.exit(code)
"""

# What each run of `openstack` pays for this plugin's modules: the plugin
# module (OpenStackClient imports it while it starts, after the standard
# modules below), then the commands module after OpenStackClient's own
# imports (cliff imports every command module on each run).
IMPORT_TIMER = r"""
import argparse, logging, os, re, time, typing
start = time.perf_counter()
import fj_osc_actions.plugin
plugin = time.perf_counter()
import openstackclient.shell
loaded = time.perf_counter()
import fj_osc_actions.commands
commands = time.perf_counter()
print(plugin - start, commands - loaded)
"""


class Run(NamedTuple):
    seconds: float
    cpu: float
    peak_kib: int
    compute: int
    discovery: int
    in_flight: int = 0


class Command(NamedTuple):
    sim: Simulator
    argv: list[str]
    env: dict[str, str]
    hide_plugin: bool = False


def environment(sim: Simulator, home: str, plugin: bool,
                token_cache: bool = False) -> dict[str, str]:
    """A login as admin; without the compute override for upstream commands,
    which use the catalog (it points at the simulator too). The plugin's
    token cache is off unless asked for: every run here logs in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(sim.os_env("admin"), HOME=home, OS_CLIENT_CONFIG_FILE=os.devnull)
    env["FJ_OSC_ACTIONS_TOKEN_CACHE"] = "1" if token_cache else "0"
    if not plugin:
        env.pop("OS_COMPUTE_ENDPOINT_OVERRIDE", None)
    return env


def run(command: Command) -> Run:
    sim = command.sim
    sim.clear_log()
    env = dict(command.env, BENCH_HIDE_PLUGIN="1" if command.hide_plugin else "0")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", LAUNCHER, *command.argv], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if completed.returncode != 0:
        raise SystemExit(f"command failed: openstack {' '.join(command.argv)}\n"
                         f"{completed.stderr}")
    match = re.search(r"BENCH_PEAK_KIB (\d+)", completed.stderr)
    compute = sim.compute_requests()
    discovery = [e for e in compute if re.fullmatch(r"/v2\.1/?(\w+)?/?", e.path)]
    return Run(seconds, cpu, int(match.group(1)) if match else 0, len(compute), len(discovery),
               sim.peak_in_flight)


def measure(commands: dict[str, Command], rounds: int) -> dict[str, list[Run]]:
    """Each round runs every command once, in turn."""
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            results[name].append(run(command))
    return results


def median(runs: list[Run], key: Callable[[Run], float] = lambda r: r.seconds) -> float:
    return statistics.median(key(r) for r in runs)


def import_cost_ms(rounds: int = 9) -> tuple[float, float]:
    """Median import time (ms) of fj_osc_actions.plugin and of .commands,
    in fresh interpreters (see IMPORT_TIMER)."""
    plugin, commands = [], []
    for _ in range(rounds):
        completed = subprocess.run([sys.executable, "-c", IMPORT_TIMER], capture_output=True,
                                   text=True, check=True)
        plugin_s, commands_s = (float(x) for x in completed.stdout.split())
        plugin.append(plugin_s * 1000)
        commands.append(commands_s * 1000)
    return statistics.median(plugin), statistics.median(commands)


def check(label: str, ok: bool, detail: str) -> bool:
    print(f"  [{'PASS' if ok else 'MISS'}] {label}: {detail}")
    return ok


def print_table(results: dict[str, list[Run]]) -> None:
    print(f"  {'command':36} {'median s':>9} {'min s':>7} {'cpu s':>7} {'compute req':>12}"
          f" {'discovery':>10} {'peak MiB':>9}")
    for name, runs in results.items():
        print(f"  {name:36} {median(runs):9.3f} {min(r.seconds for r in runs):7.3f} "
              f"{median(runs, key=lambda r: r.cpu):7.3f} {runs[0].compute:12d} "
              f"{runs[0].discovery:10d} {median(runs, key=lambda r: r.peak_kib) / 1024:9.1f}")


def profile(env: dict[str, str]) -> None:
    print("\n== cProfile of `openstack server action show <uuid> <req>` (top 20 by cumulative time)")
    with tempfile.NamedTemporaryFile(suffix=".prof") as stats_file:
        subprocess.run([sys.executable, "-m", "cProfile", "-o", stats_file.name, OPENSTACK,
                        *SHOW], env=env, stdout=subprocess.DEVNULL, check=True)
        import pstats

        pstats.Stats(stats_file.name).sort_stats("cumulative").print_stats(20)


def fleet_simulator(servers: int) -> Simulator:
    """Exactly ``servers`` servers (the fleet, no seeded ones), every answer
    FLEET_LATENCY_MS late, like a real region."""
    return Simulator(data={"servers": []}, servers=servers, latency_ms=FLEET_LATENCY_MS)


def latency_floor(servers: int, concurrency: int) -> float:
    """Seconds of latency a fleet run adds to a login: the server list, then
    the servers' action lists, `concurrency` at a time (one page each)."""
    return (1 + -(-servers // concurrency)) * FLEET_LATENCY_MS / 1000


def fleet_phase(rounds: int, home: str) -> None:
    """The fleet view against its floor (token issue), the shell loop of
    upstream `server event list` and a one-server list; see the module doc."""
    with fleet_simulator(50) as fifty, fleet_simulator(500) as five_hundred:
        env50 = environment(fifty, home, plugin=True)
        env500 = environment(five_hundred, home, plugin=True)
        upstream = environment(fifty, home, plugin=False)
        commands = {
            "fleet, 50 servers (default 8)": Command(fifty, FLEET, env50),
            "token issue (50-server sim)": Command(fifty, TOKEN_ISSUE, upstream),
            "fleet, 500 servers (--concurrency 32)":
                Command(five_hundred, [*FLEET, "--concurrency", "32"], env500),
            "token issue (500-server sim)": Command(five_hundred, TOKEN_ISSUE,
                                                    environment(five_hundred, home, False)),
            "list, one server": Command(fifty, ["server", "action", "list",
                                                seed.fleet_server_name(1)], env50),
        }
        loop_name = "server event list <id> (upstream, 1 of the loop)"
        print(f"\n== Fleet view: simulators of 50 and 500 servers, {FLEET_LATENCY_MS} ms on every "
              f"answer; {rounds} rounds, the commands alternate in each round")
        run(commands["token issue (50-server sim)"])  # warm the caches
        results: dict[str, list[Run]] = {name: [] for name in [*commands, loop_name]}
        for number in range(1, rounds + 1):
            for name, command in commands.items():
                results[name].append(run(command))
            # the loop a user writes: one upstream run per server, by ID
            event_list = ["server", "event", "list", seed.fleet_server_id(number % 50 or 50)]
            results[loop_name].append(run(Command(fifty, event_list, upstream)))

        print(f"  {'command':50} {'median s':>9} {'min s':>7} {'cpu s':>7} {'compute req':>12}"
              f" {'peak in flight':>15} {'peak MiB':>9}")
        for name, runs in results.items():
            print(f"  {name:50} {median(runs):9.3f} {min(r.seconds for r in runs):7.3f} "
                  f"{median(runs, key=lambda r: r.cpu):7.3f} {runs[0].compute:12d} "
                  f"{max(r.in_flight for r in runs):15d} "
                  f"{median(runs, key=lambda r: r.peak_kib) / 1024:9.1f}")

        f50 = median(results["fleet, 50 servers (default 8)"])
        f500 = median(results["fleet, 500 servers (--concurrency 32)"])
        t50 = median(results["token issue (50-server sim)"])
        t500 = median(results["token issue (500-server sim)"])
        loop_runs = results[loop_name]
        loop = LOOP_SERVERS * median(loop_runs)
        fleet_kib = median(results["fleet, 50 servers (default 8)"], key=lambda r: r.peak_kib)
        one_kib = median(results["list, one server"], key=lambda r: r.peak_kib)
        print(f"\n  shell loop over {LOOP_SERVERS} servers, EXTRAPOLATED from {len(loop_runs)} runs "
              f"of `openstack server event list <id>`: {LOOP_SERVERS} x {median(loop_runs):.3f} s "
              f"= {loop:.1f} s (the {len(loop_runs)} runs took "
              f"{sum(r.seconds for r in loop_runs):.1f} s in all)")
        print("  peak in flight: the most requests the simulator had in progress at once "
              "(the login's come before the workers start)")

        fastest = {name: min(r.seconds for r in runs) for name, runs in results.items()}
        m50 = fastest["fleet, 50 servers (default 8)"] / fastest["token issue (50-server sim)"]
        m500 = (fastest["fleet, 500 servers (--concurrency 32)"]
                / fastest["token issue (500-server sim)"])
        print(f"  fleet minus token issue: 50 servers {f50 - t50:+.3f} s (medians), "
              f"the latency alone needs {latency_floor(50, 8):.2f} s; 500 servers "
              f"{f500 - t500:+.3f} s, the latency alone {latency_floor(500, 32):.2f} s")

        print("\n== Fleet targets (ratios of medians; of the fastest runs in brackets)")
        check("50 servers <= 1.5 x token issue (default concurrency)", f50 <= 1.5 * t50,
              f"{f50:.3f} s / {t50:.3f} s = {f50 / t50:.2f} x ({m50:.2f} x)")
        check("500 servers <= 3 x token issue (--concurrency 32)", f500 <= 3 * t500,
              f"{f500:.3f} s / {t500:.3f} s = {f500 / t500:.2f} x ({m500:.2f} x)")
        check(f">= 20 x faster than the loop at {LOOP_SERVERS} servers (extrapolated)",
              loop >= 20 * f50, f"{loop:.1f} s / {f50:.3f} s = {loop / f50:.1f} x")
        check("peak memory <= 30 MiB above a one-server list",
              fleet_kib - one_kib <= 30 * 1024,
              f"{fleet_kib / 1024:.1f} - {one_kib / 1024:.1f} = "
              f"{(fleet_kib - one_kib) / 1024:+.1f} MiB")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--list-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of show")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--fleet", action="store_true", help="only the fleet phase")
    which.add_argument("--no-fleet", action="store_true", help="skip the fleet phase")
    parser.add_argument("--fleet-rounds", type=int, default=5,
                        help="rounds of the fleet phase (also the loop runs timed)")
    args = parser.parse_args(argv)

    if not args.fleet:
        single(args)
    if not args.no_fleet:
        with tempfile.TemporaryDirectory() as home:
            fleet_phase(args.fleet_rounds, home)
    return 0


def single(args: argparse.Namespace) -> None:
    """show, start-up and list of one server (no latency)."""

    with tempfile.TemporaryDirectory() as home, \
            Simulator(bulk_actions=10000) as sim, Simulator(bulk_actions=100) as small:
        ours = environment(sim, home, plugin=True)
        upstream = environment(sim, home, plugin=False)
        bulk_list = ["server", "action", "list", seed.BULK_01]
        start_up = {
            "server action show (plugin)": Command(sim, SHOW, ours),
            "server event show (upstream)": Command(sim, ["server", "event", *SHOW[2:]],
                                                    upstream),
            "token issue (floor)": Command(sim, TOKEN_ISSUE, upstream),
            "token issue, plugin hidden": Command(sim, TOKEN_ISSUE, upstream, True),
            "--version": Command(sim, ["--version"], upstream),
            "--version, plugin hidden": Command(sim, ["--version"], upstream, True),
        }
        listing = {
            "list, 10,000 actions": Command(sim, bulk_list, ours),
            "list, 100 actions": Command(small, bulk_list, environment(small, home, True)),
            "token issue (floor)": Command(sim, TOKEN_ISSUE, upstream),
        }
        print(f"Simulator at {sim.url}; {args.rounds} rounds of show and start-up, "
              f"{args.list_rounds} of list; the commands alternate in each round")
        run(start_up["token issue (floor)"])  # warm the disk cache and stevedore's cache
        results = measure(start_up, args.rounds)
        lists = measure(listing, args.list_rounds)
        plugin_ms, commands_ms = import_cost_ms()

        print("\n== Wall time (median) and requests per command")
        print_table(results)
        show = median(results["server action show (plugin)"])
        event = median(results["server event show (upstream)"])
        floor = median(results["token issue (floor)"])
        version = median(results["--version"])
        hidden = median(results["--version, plugin hidden"])
        floor_hidden = median(results["token issue, plugin hidden"])
        print(f"\n  show / token issue = {show / floor:.3f}   show / event show = {show / event:.3f}")

        print("\n== Start-up cost of the plugin")
        print(f"  openstack --version: {version * 1000:.0f} ms with the plugin, "
              f"{hidden * 1000:.0f} ms with it hidden: {1000 * (version - hidden):+.1f} ms")
        print(f"  openstack token issue (cliff imports every command module): "
              f"{floor * 1000:.0f} ms with the plugin, {floor_hidden * 1000:.0f} ms with it "
              f"hidden: {1000 * (floor - floor_hidden):+.1f} ms")
        print(f"  import time (median of 9 fresh interpreters): fj_osc_actions.plugin "
              f"{plugin_ms:.2f} ms, fj_osc_actions.commands {commands_ms:.2f} ms "
              f"(after OpenStackClient's own imports)")

        print("\n== server action list (table output), 1,000 actions per page")
        print_table(lists)
        big, list_floor = median(lists["list, 10,000 actions"]), median(lists["token issue (floor)"])
        big_kib = median(lists["list, 10,000 actions"], key=lambda r: r.peak_kib)
        small_kib = median(lists["list, 100 actions"], key=lambda r: r.peak_kib)
        print(f"  after login (minus token issue of the same rounds): {big - list_floor:.3f} s "
              f"for 10,000 actions")

        print("\n== Targets")
        show_runs = results["server action show (plugin)"]
        check("show by UUID: 1 compute request, no discovery",
              all(r.compute == 1 and r.discovery == 0 for r in show_runs),
              f"{show_runs[0].compute} compute, {show_runs[0].discovery} discovery")
        check("show <= 1.05 x token issue", show <= 1.05 * floor, f"{show / floor:.3f}")
        check("show <= 0.95 x server event show", show <= 0.95 * event, f"{show / event:.3f}")
        check("plugin adds <= 15 ms to --version", version - hidden <= 0.015,
              f"{1000 * (version - hidden):+.1f} ms (imports {plugin_ms + commands_ms:.2f} ms)")
        check("10,000 actions in <= 2 s after login", big - list_floor <= 2.0,
              f"{big - list_floor:.3f} s")
        check("peak memory within 20 MiB of the 100-action run",
              big_kib - small_kib <= 20 * 1024, f"{(big_kib - small_kib) / 1024:+.1f} MiB")
        if args.profile:
            profile(ours)


if __name__ == "__main__":
    sys.exit(main())
