"""The real ``openstack`` against the real Nova: one Nova per test run.

The first test class that needs Nova starts it (:class:`server.RealNova`);
it is stopped when the test process exits (atexit, and the launcher also
stops when its stdin closes, so a killed test run leaves nothing behind).
Each command is a subprocess with a clean environment: HOME is a temporary
directory, OS_CLIENT_CONFIG_FILE is /dev/null, no OS_* of the developer's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from typing import Any

from tests.common import CommandAssertions, CommandResult, clean_environ
from tests.realnova import seed, server, stubs

OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")
COMMAND_TIMEOUT = 180

_lock = threading.Lock()
_nova: server.RealNova | None = None


def real_nova() -> server.RealNova:
    """The one Nova of this test run, started on first use."""
    global _nova
    with _lock:
        if _nova is None:
            _nova = server.RealNova().start()
        return _nova


class RealNovaTestCase(CommandAssertions):
    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.nova = real_nova()
        cls.home = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.home.cleanup)

    def env(self, user: str = "demo") -> dict[str, str]:
        env = clean_environ()
        password, project, _roles = stubs.USERS[user]
        env.update({
            "HOME": self.home.name,
            # An empty token cache for each run (each starts cold, as before the cache).
            "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="xdg-cache-", dir=self.home.name),
            "OS_CLIENT_CONFIG_FILE": os.devnull,
            "OS_AUTH_URL": self.nova.url + "/identity/v3",
            "OS_USERNAME": user,
            "OS_PASSWORD": password,
            "OS_USER_DOMAIN_NAME": stubs.DOMAIN_NAME,
            "OS_PROJECT_NAME": stubs.PROJECTS[project],
            "OS_PROJECT_DOMAIN_NAME": stubs.DOMAIN_NAME,
            "OS_REGION_NAME": stubs.REGION,
            "OS_INTERFACE": "public",
            "OS_IDENTITY_API_VERSION": "3",
        })
        return env

    def openstack(self, *argv: str, user: str = "demo",
                  microversion: str | None = None) -> CommandResult:
        extra = ["--os-compute-api-version", microversion] if microversion else []
        completed = subprocess.run(
            [OPENSTACK, *argv, *extra], env=self.env(user), capture_output=True, text=True,
            timeout=COMMAND_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        return CommandResult(completed.returncode, completed.stdout, completed.stderr)

    def show(self, server_id: str, *argv: str, **kwargs: Any) -> CommandResult:
        return self.openstack("server", "action", "show", server_id, *argv, **kwargs)

    def list(self, *argv: str, **kwargs: Any) -> CommandResult:
        return self.openstack("server", "action", "list", *argv, **kwargs)


__all__ = ["RealNovaTestCase", "real_nova", "seed", "stubs"]
