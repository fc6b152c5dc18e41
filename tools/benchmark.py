"""Benchmark fj-osc-actions against the upstream command and OSC's own floor.

Starts the bundled simulator (password login, like a real cloud), then runs
the real ``openstack`` of this Python environment, alternating the commands
within each round so that machine noise hits them all alike, and prints
medians, ratios and whether each target holds. Timing never fails a test:
this is a report (exit status 0 unless a command itself fails).

    python tools/benchmark.py [--rounds 7] [--profile]
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
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from fj_osc_actions.simulator import Simulator

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, "openstack")
WEB_01 = "c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11"
FAILED_REQ = "req-00000004-0000-4000-8000-000000000004"
BULK_SERVER = "b0000000-0000-4000-8000-00000000b001"

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


class Run:
    def __init__(self, seconds: float, cpu: float, peak_kib: int, compute: int,
                 discovery: int) -> None:
        self.seconds = seconds
        self.cpu = cpu
        self.peak_kib = peak_kib
        self.compute = compute
        self.discovery = discovery


def environment(sim: Simulator, home: str, override: bool) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({
        "HOME": home,
        "OS_CLIENT_CONFIG_FILE": os.devnull,
        "OS_AUTH_URL": sim.identity_url,
        "OS_USERNAME": "admin",
        "OS_PASSWORD": "admin-secret",
        "OS_USER_DOMAIN_NAME": "C0000000001",
        "OS_PROJECT_NAME": "demo-project",
        "OS_PROJECT_DOMAIN_NAME": "C0000000001",
        "OS_REGION_NAME": "jp-east-3",
        "OS_IDENTITY_API_VERSION": "3",
    })
    if override:
        # The plugin would otherwise use the real jp-east-3 host; upstream
        # commands use the catalog, which points at the simulator.
        env["OS_COMPUTE_ENDPOINT_OVERRIDE"] = sim.compute_endpoint_template
    return env


def run(sim: Simulator, argv: Sequence[str], env: Dict[str, str], hide_plugin: bool = False) -> Run:
    sim.clear_log()
    env = dict(env, BENCH_HIDE_PLUGIN="1" if hide_plugin else "0")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if completed.returncode != 0:
        raise SystemExit(f"command failed: openstack {' '.join(argv)}\n{completed.stderr}")
    match = re.search(r"BENCH_PEAK_KIB (\d+)", completed.stderr)
    compute = sim.compute_requests()
    discovery = [e for e in compute if re.fullmatch(r"/v2\.1/?(\w+)?/?", e.path)]
    peak = int(match.group(1)) if match else 0
    return Run(seconds, cpu, peak, len(compute), len(discovery))


def median(runs: List[Run], key: Callable[[Run], float] = lambda r: r.seconds) -> float:
    return statistics.median(key(r) for r in runs)


def import_cost_ms() -> Tuple[float, List[str]]:
    """Self time of this plugin's own modules, from python -X importtime.

    What every ``openstack`` run pays: the plugin module, and the commands
    module (cliff imports every command module on each run). The finder of
    an editable install (pip install -e) is listed but not counted: a normal
    installation has none.
    """
    completed = subprocess.run([sys.executable, "-X", "importtime", "-c",
                                "import fj_osc_actions.plugin, fj_osc_actions.commands"],
                               capture_output=True, text=True, check=True)
    ours = [line for line in completed.stderr.splitlines() if "fj_osc_actions" in line]
    total_us = sum(int(line.split("|")[0].split(":")[1]) for line in ours
                   if "__editable__" not in line)
    return total_us / 1000.0, ours


def check(label: str, ok: bool, detail: str) -> bool:
    print(f"  [{'PASS' if ok else 'MISS'}] {label}: {detail}")
    return ok


def profile(sim: Simulator, env: Dict[str, str]) -> None:
    print("\n== cProfile of `openstack server action show <uuid> <req>` (top 20 by cumulative time)")
    with tempfile.NamedTemporaryFile(suffix=".prof") as stats_file:
        subprocess.run([sys.executable, "-m", "cProfile", "-o", stats_file.name, OPENSTACK,
                        "server", "action", "show", WEB_01, FAILED_REQ], env=env,
                       stdout=subprocess.DEVNULL, check=True)
        import pstats

        pstats.Stats(stats_file.name).sort_stats("cumulative").print_stats(20)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--list-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of show")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as home, \
            Simulator(bulk_actions=10000) as sim, Simulator(bulk_actions=100) as small:
        ours = environment(sim, home, override=True)
        upstream = environment(sim, home, override=False)
        commands = {
            "server action show (plugin)": (["server", "action", "show", WEB_01, FAILED_REQ],
                                            ours, False),
            "server event show (upstream)": (["server", "event", "show", WEB_01, FAILED_REQ],
                                             upstream, False),
            "token issue (floor)": (["token", "issue"], upstream, False),
            "token issue, plugin hidden": (["token", "issue"], upstream, True),
            "--version": (["--version"], upstream, False),
            "--version, plugin hidden": (["--version"], upstream, True),
        }
        print(f"Simulator at {sim.url}; {args.rounds} rounds, commands alternated in each round")
        run(sim, ["token", "issue"], upstream)  # warm the disk cache and stevedore's cache
        results: Dict[str, List[Run]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (command, env, hide) in commands.items():
                results[name].append(run(sim, command, env, hide))

        list_big: List[Run] = []
        list_small: List[Run] = []
        small_env = environment(small, home, override=True)
        for _ in range(args.list_rounds):
            list_big.append(run(sim, ["server", "action", "list", BULK_SERVER], ours))
            list_small.append(run(small, ["server", "action", "list", BULK_SERVER], small_env))
        import_ms, import_lines = import_cost_ms()

        print("\n== Wall time (median) and requests per command")
        print(f"  {'command':32} {'median s':>9} {'min s':>7} {'cpu s':>7} {'compute req':>12}"
              f" {'discovery':>10}")
        for name, runs in results.items():
            print(f"  {name:32} {median(runs):9.3f} {min(r.seconds for r in runs):7.3f} "
                  f"{median(runs, key=lambda r: r.cpu):7.3f} {runs[0].compute:12d} "
                  f"{runs[0].discovery:10d}")
        show = median(results["server action show (plugin)"])
        event = median(results["server event show (upstream)"])
        floor = median(results["token issue (floor)"])
        version = median(results["--version"])
        hidden = median(results["--version, plugin hidden"])
        floor_hidden = median(results["token issue, plugin hidden"])
        print(f"\n  show / token issue = {show / floor:.3f}   show / event show = {show / event:.3f}"
              f"   show / --version = {show / version:.3f}")

        print("\n== Start-up cost of the plugin")
        print(f"  openstack --version: {version * 1000:.0f} ms with the plugin, "
              f"{hidden * 1000:.0f} ms with it hidden: {1000 * (version - hidden):+.1f} ms")
        print(f"  openstack token issue (cliff imports every command module): "
              f"{floor * 1000:.0f} ms with the plugin, {floor_hidden * 1000:.0f} ms with it hidden: "
              f"{1000 * (floor - floor_hidden):+.1f} ms")
        print(f"  python -X importtime, self time of fj_osc_actions modules: {import_ms:.2f} ms")
        for line in import_lines:
            print("    " + line.strip())

        print("\n== server action list (table output), 1,000 actions per page")
        big, small_s = median(list_big), median(list_small)
        big_kib = median(list_big, key=lambda r: r.peak_kib)
        small_kib = median(list_small, key=lambda r: r.peak_kib)
        print(f"  10,000 actions: {big:.3f} s, peak RSS {big_kib / 1024:.1f} MiB, "
              f"{list_big[0].compute} compute requests")
        print(f"     100 actions: {small_s:.3f} s, peak RSS {small_kib / 1024:.1f} MiB, "
              f"{list_small[0].compute} compute request")
        print(f"  after login (minus token issue): {big - floor:.3f} s for 10,000 actions")

        print("\n== Targets")
        show_runs = results["server action show (plugin)"]
        check("show by UUID: 1 compute request, no discovery",
              all(r.compute == 1 and r.discovery == 0 for r in show_runs),
              f"{show_runs[0].compute} compute, {show_runs[0].discovery} discovery")
        check("show <= 1.05 x token issue", show <= 1.05 * floor, f"{show / floor:.3f}")
        check("show <= 0.95 x server event show", show <= 0.95 * event, f"{show / event:.3f}")
        check("plugin adds <= 15 ms to --version", version - hidden <= 0.015,
              f"{1000 * (version - hidden):+.1f} ms (import {import_ms:.2f} ms)")
        check("10,000 actions in <= 2 s after login", big - floor <= 2.0, f"{big - floor:.3f} s")
        check("peak memory within 20 MiB of the 100-action run",
              big_kib - small_kib <= 20 * 1024, f"{(big_kib - small_kib) / 1024:+.1f} MiB")
        if args.profile:
            profile(sim, ours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
