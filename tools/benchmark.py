"""Benchmark fj-osc-actions against the upstream command and OSC's own floor.

Starts the bundled simulator (password login, like a real cloud), then runs
the real ``openstack`` of this Python environment. Every phase alternates its
commands within each round, so that machine noise hits them all alike, and
prints medians, ratios and whether each target holds. Timing never fails a
test: this is a report (exit status 0 unless a command itself fails).

    python tools/benchmark.py [--rounds 15] [--list-rounds 3] [--profile]
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

from fj_osc_actions.simulator import Simulator, seed

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, "openstack")
SHOW = ["server", "action", "show", seed.WEB_01, seed.FAILED_REBOOT_REQUEST]
TOKEN_ISSUE = ["token", "issue"]

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


class Command(NamedTuple):
    sim: Simulator
    argv: list[str]
    env: dict[str, str]
    hide_plugin: bool = False


def environment(sim: Simulator, home: str, plugin: bool) -> dict[str, str]:
    """A login as admin; without the compute override for upstream commands,
    which use the catalog (it points at the simulator too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(sim.os_env("admin"), HOME=home, OS_CLIENT_CONFIG_FILE=os.devnull)
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
    return Run(seconds, cpu, int(match.group(1)) if match else 0, len(compute), len(discovery))


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--list-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of show")
    args = parser.parse_args(argv)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
