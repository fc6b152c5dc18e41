"""The try-it demo: the real ``openstack`` against the bundled simulator.

Starts the simulator on a free 127.0.0.1 port (in this process), runs a few
commands through the ``openstack`` of this Python environment, prints them
with their output, and stops the simulator.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile

from fj_osc_actions_simulator import Simulator, seed

BIN = os.path.dirname(sys.executable)


def run(argv: list[str], env: dict[str, str]) -> int:
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    return subprocess.run([os.path.join(BIN, argv[0])] + argv[1:], env=env).returncode


def main() -> int:
    with Simulator() as sim, tempfile.TemporaryDirectory() as home:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        clean.update(HOME=home, OS_CLIENT_CONFIG_FILE=os.devnull)
        env = {**clean, **sim.os_env("demo")}
        admin = {**clean, **sim.os_env("admin")}
        print(f"Simulated FJcloud-O region {env['OS_REGION_NAME']} at {env['OS_AUTH_URL']}"
              f" (user {env['OS_USERNAME']}, contract {env['OS_USER_DOMAIN_NAME']})\n")
        failed = seed.FAILED_REBOOT_REQUEST
        failures = run(["openstack", "server", "action", "list", "web-01"], env)
        print()
        failures += run(["openstack", "server", "action", "show", "web-01", failed], env)
        print("\nThe same failed reboot as an admin at microversion 2.84 (tracebacks and details):")
        failures += run(["openstack", "server", "action", "show", "web-01", failed,
                         "--os-compute-api-version", "2.84"], admin)
        print()
        failures += run(["openstack", "server", "action", "show", "web-01", failed,
                         "-f", "json", "-c", "message", "-c", "events"], admin)
    print("\nSimulator stopped." if not failures else "\nA command failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
