"""Functional tests: the real ``openstack`` executable against the simulator.

Each test class starts a simulator on a free 127.0.0.1 port and stops it at
the end; each command is a subprocess with a clean environment (no OS_*
variables or clouds.yaml of the developer's leak in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Optional

import yaml

from fj_osc_actions.simulator import Simulator

OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")
DOMAIN = "C0000000001"
PROJECT = "demo-project"
PROJECT_ID = "6f70656e737461636b20342065766572"
PASSWORDS = {"demo": "demo-secret", "admin": "admin-secret", "other": "other-secret"}
WEB_01 = "c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11"
DELETED = "d9a6f5c3-4b2e-4a7f-8c8b-3e5d7f9a1b22"
FAILED_REQ = "req-00000004-0000-4000-8000-000000000004"
RUNNING_REQ = "req-00000006-0000-4000-8000-000000000006"
DELETE_REQ = "req-00000012-0000-4000-8000-000000000012"
WEB_01_REQUESTS = [f"req-0000000{i}-0000-4000-8000-00000000000{i}" for i in range(6, 0, -1)]
COMMAND_TIMEOUT = 120


class Result:
    def __init__(self, completed: subprocess.CompletedProcess) -> None:
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"Result({self.code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


class FunctionalTestCase(unittest.TestCase):
    simulator_options: Dict[str, Any] = {}

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = Simulator(**cls.simulator_options).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.home = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.home.cleanup)

    def setUp(self) -> None:
        self.sim.clear_faults()
        self.sim.clear_log()

    # -- environments ------------------------------------------------------

    def base_env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env["HOME"] = self.home.name
        env["OS_CLIENT_CONFIG_FILE"] = os.devnull
        env.pop("CLIFF_MAX_TERM_WIDTH", None)
        return env

    def password_env(self, user: str = "demo", password: Optional[str] = None) -> Dict[str, str]:
        env = self.base_env()
        env.update({
            "OS_AUTH_URL": self.sim.identity_url,
            "OS_USERNAME": user,
            "OS_PASSWORD": password if password is not None else PASSWORDS[user],
            "OS_USER_DOMAIN_NAME": DOMAIN,
            "OS_PROJECT_NAME": PROJECT if user != "other" else "other-project",
            "OS_PROJECT_DOMAIN_NAME": DOMAIN,
            "OS_REGION_NAME": "jp-east-3",
            "OS_INTERFACE": "public",
            "OS_IDENTITY_API_VERSION": "3",
            # Without it jp-east-3 would mean the real FJcloud-O host.
            "OS_COMPUTE_ENDPOINT_OVERRIDE": self.sim.compute_endpoint_template,
        })
        return env

    def clouds_yaml_env(self, user: str = "demo", **cloud_extra: Any) -> Dict[str, str]:
        cloud = {
            "auth": {
                "auth_url": self.sim.identity_url,
                "username": user,
                "password": PASSWORDS[user],
                "user_domain_name": DOMAIN,
                "project_name": PROJECT,
                "project_domain_name": DOMAIN,
            },
            "region_name": "jp-east-3",
            "identity_api_version": 3,
            "compute_endpoint_override": self.sim.compute_endpoint_template,
        }
        cloud.update(cloud_extra)
        path = os.path.join(self.home.name, f"clouds-{self.id()}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"clouds": {"fjcloud-sim": cloud}}, handle)
        env = self.base_env()
        env["OS_CLIENT_CONFIG_FILE"] = path
        env["OS_CLOUD"] = "fjcloud-sim"
        return env

    # -- running -----------------------------------------------------------

    def openstack(self, *argv: str, env: Optional[Dict[str, str]] = None,
                  user: str = "demo") -> Result:
        completed = subprocess.run(
            [OPENSTACK, *argv],
            env=env if env is not None else self.password_env(user),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return Result(completed)

    def compute_paths(self) -> List[str]:
        return [entry.path for entry in self.sim.compute_requests()]

    def assert_success(self, result: Result) -> None:
        self.assertEqual(0, result.code, result)

    def assert_one_line_failure(self, result: Result, *fragments: str) -> str:
        self.assertEqual(1, result.code, result)
        self.assertNotIn("Traceback", result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        return lines[0]
