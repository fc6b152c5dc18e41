"""Benchmark of the token cache: a warm ``show`` against ``token issue`` and a cold ``show``.

One simulator that delays every answer by 50 ms (a round trip to a real
region) and each password check by a further 0.3 s (Keystone hashes the
password). Each round runs, in turn:

* ``show``, warm: the token comes from the cache (filled before the rounds);
* ``show``, cold: an empty cache directory of its own (the first run of a
  user: a login, then the file written);
* ``show``, cache off (``FJ_OSC_ACTIONS_TOKEN_CACHE=0``: every run before the cache);
* ``openstack token issue`` (OSC's own floor: one login, no compute request).

It prints medians, the identity and compute requests of each run, and
whether the targets hold (warm <= 0.85 x token issue; warm runs send no
identity request). A report, not a test: exit status 0 unless a command
fails. Helpers come from ``tools/benchmark.py``.

    python tools/benchmark_token_cache.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from typing import Callable, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchmark  # noqa: E402  (tools/benchmark.py, next to this file)
from fj_osc_actions_simulator import Simulator  # noqa: E402

LATENCY_MS = 50
PASSWORD_DELAY = 0.3
WARM, COLD, OFF, TOKEN_ISSUE = ("show, warm (token from the cache)",
                                "show, cold (empty cache: login, file written)",
                                "show, cache off", "token issue (one login)")


def identity_requests(sim: Simulator) -> int:
    """Requests of the last run that were not to the compute API."""
    return len(sim.request_log) - len(sim.compute_requests())


def measure(sim: Simulator, commands: dict[str, Callable[[], benchmark.Command]],
            rounds: int) -> tuple[dict[str, list[benchmark.Run]], dict[str, list[int]]]:
    """Each round runs every command once, in turn; also its identity requests."""
    runs: dict[str, list[benchmark.Run]] = {name: [] for name in commands}
    identity: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(benchmark.run(command()))
            identity[name].append(identity_requests(sim))
    return runs, identity


def report(runs: dict[str, list[benchmark.Run]], identity: dict[str, list[int]]) -> None:
    print(f"  {'command':48} {'median s':>9} {'min s':>7} {'cpu s':>7} {'identity req':>13}"
          f" {'compute req':>12}")
    for name, timings in runs.items():
        counts = sorted(set(identity[name]))
        print(f"  {name:48} {benchmark.median(timings):9.3f} "
              f"{min(r.seconds for r in timings):7.3f} "
              f"{benchmark.median(timings, key=lambda r: r.cpu):7.3f} "
              f"{'/'.join(map(str, counts)):>13} {timings[0].compute:12d}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as home, \
            Simulator(latency_ms=LATENCY_MS, password_delay=PASSWORD_DELAY) as sim:
        ours = benchmark.environment(sim, home, plugin=True, token_cache=True)
        warm = {**ours, "XDG_CACHE_HOME": os.path.join(home, "warm")}
        off = benchmark.environment(sim, home, plugin=True)
        upstream = benchmark.environment(sim, home, plugin=False)

        def cold() -> benchmark.Command:
            return benchmark.Command(sim, benchmark.SHOW, {
                **ours, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="cold-", dir=home)})

        commands = {
            WARM: lambda: benchmark.Command(sim, benchmark.SHOW, warm),
            COLD: cold,
            OFF: lambda: benchmark.Command(sim, benchmark.SHOW, off),
            TOKEN_ISSUE: lambda: benchmark.Command(sim, benchmark.TOKEN_ISSUE, upstream),
        }
        print(f"Simulator at {sim.url}: {LATENCY_MS} ms on every answer, {PASSWORD_DELAY} s "
              f"more per password check; {args.rounds} rounds, the commands alternate")
        benchmark.run(commands[WARM]())  # fills the warm cache (and the disk caches)
        benchmark.run(commands[TOKEN_ISSUE]())
        runs, identity = measure(sim, commands, args.rounds)

    print("\n== Wall time (median) and requests per run")
    report(runs, identity)
    medians = {name: benchmark.median(timings) for name, timings in runs.items()}
    fastest = {name: min(r.seconds for r in timings) for name, timings in runs.items()}
    w, c, o, t = (medians[name] for name in (WARM, COLD, OFF, TOKEN_ISSUE))
    print(f"\n  warm / token issue = {w / t:.3f}   warm / cold = {w / c:.3f}   "
          f"cold / cache off = {c / o:.3f}   saved per warm run: {c - w:.3f} s (medians)")

    print("\n== Targets (ratios of medians; of the fastest runs in brackets)")
    benchmark.check("warm show <= 0.85 x token issue", w <= 0.85 * t,
                    f"{w:.3f} s / {t:.3f} s = {w / t:.2f} x "
                    f"({fastest[WARM] / fastest[TOKEN_ISSUE]:.2f} x)")
    benchmark.check("warm show: 0 identity requests, 1 compute request",
                    set(identity[WARM]) == {0} and all(r.compute == 1 for r in runs[WARM]),
                    f"identity {sorted(set(identity[WARM]))}, compute "
                    f"{sorted({r.compute for r in runs[WARM]})}")
    benchmark.check("warm show faster than a cold one", w < c,
                    f"{w:.3f} s / {c:.3f} s = {w / c:.2f} x")
    benchmark.check("a cold show (writing the file) within 5% of the cache off", c <= 1.05 * o,
                    f"{c:.3f} s / {o:.3f} s = {c / o:.3f} x "
                    f"(spread of the off runs: {statistics.pstdev(r.seconds for r in runs[OFF]):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
