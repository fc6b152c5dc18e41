"""The try-it demo: the real ``openstack`` against the bundled simulator.

Starts ``fj-osc-actions-simulator`` on a free 127.0.0.1 port, runs a few
commands through the ``openstack`` of this Python environment, prints them
with their output, and stops the simulator.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from typing import Dict, List

BIN = os.path.dirname(sys.executable)
FAILED_REBOOT = "req-00000004-0000-4000-8000-000000000004"


def start_simulator() -> "tuple[subprocess.Popen, Dict[str, str]]":
    process = subprocess.Popen(
        [os.path.join(BIN, "fj-osc-actions-simulator"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    settings: Dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("export "):
            name, _, value = line[len("export "):].strip().partition("=")
            settings[name] = shlex.split(value)[0] if value else ""
        if line.startswith("READY "):
            return process, settings
    raise SystemExit("The simulator stopped before it was ready.")


def run(argv: List[str], env: Dict[str, str]) -> int:
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    return subprocess.run([os.path.join(BIN, argv[0])] + argv[1:], env=env).returncode


def main() -> int:
    process, settings = start_simulator()
    try:
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
            env.update(settings, HOME=home, OS_CLIENT_CONFIG_FILE=os.devnull)
            print(f"Simulated FJcloud-O region jp-east-3 at {settings['OS_AUTH_URL']}"
                  f" (user {settings['OS_USERNAME']}, contract {settings['OS_USER_DOMAIN_NAME']})\n")
            failures = run(["openstack", "server", "action", "list", "web-01"], env)
            print()
            failures += run(["openstack", "server", "action", "show", "web-01", FAILED_REBOOT], env)
            print("\nThe same failed reboot as an admin at microversion 2.84 (tracebacks and details):")
            admin = dict(env, OS_USERNAME="admin", OS_PASSWORD="admin-secret")
            failures += run(["openstack", "server", "action", "show", "web-01", FAILED_REBOOT,
                             "--os-compute-api-version", "2.84"], admin)
            print()
            failures += run(["openstack", "server", "action", "show", "web-01", FAILED_REBOOT,
                             "-f", "json", "-c", "message", "-c", "events"], admin)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print("\nSimulator stopped." if not failures else "\nA command failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
