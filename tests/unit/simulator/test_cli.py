"""The fj-osc-actions-simulator console script, run as a subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

import requests
import yaml

from fj_osc_actions_simulator import Simulator, cli, seed
from fj_osc_actions_simulator.seed import PROJECT_ID as PROJECT, WEB_01
from fj_osc_actions_simulator.store import build_store

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir,
                                    os.pardir, os.pardir))


class CliProcessTest(unittest.TestCase):

    def start(self, *args):
        proc = subprocess.Popen(
            [sys.executable, "-m", "fj_osc_actions_simulator.cli", "--port", "0"]
            + list(args),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def cleanup():
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            proc.stdout.close()
            proc.stderr.close()

        self.addCleanup(cleanup)
        lines = queue.Queue()

        def reader():
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        out = []
        while True:
            try:
                line = lines.get(timeout=30)
            except queue.Empty:
                self.fail(f"no READY line: {out!r}")
            if line is None:
                self.fail(f"exited before READY: {out!r} {proc.stderr.read()!r}")
            out.append(line)
            if line.startswith("READY "):
                return proc, out

    def test_ready_exports_and_sigterm(self):
        proc, out = self.start("--fault", "503:1", "--page-size", "2")
        url = out[-1].split()[1]
        self.assertTrue(url.startswith("http://127.0.0.1:"))
        text = "".join(out)
        env = {}
        for line in out:
            if line.startswith("export "):
                k, v = line[len("export "):].strip().split("=", 1)
                env[k] = v.strip("'")
        self.assertEqual({
            "OS_AUTH_URL": url + "/v3", "OS_USERNAME": "demo",
            "OS_PASSWORD": "demo-secret", "OS_USER_DOMAIN_NAME": "C0000000001",
            "OS_PROJECT_NAME": "demo-project",
            "OS_PROJECT_DOMAIN_NAME": "C0000000001",
            "OS_REGION_NAME": "jp-east-3", "OS_INTERFACE": "public",
            "OS_IDENTITY_API_VERSION": "3"}, env)
        self.assertIn("fjcloud-sim:", text)
        self.assertNotIn("override", text)
        # the server works, with the CLI's fault and page size
        http = requests.Session()
        self.addCleanup(http.close)
        r = http.post(env["OS_AUTH_URL"] + "/auth/tokens", json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": env["OS_USERNAME"], "password": env["OS_PASSWORD"],
                "domain": {"name": env["OS_USER_DOMAIN_NAME"]}}}},
            "scope": {"project": {"name": env["OS_PROJECT_NAME"], "domain": {
                "name": env["OS_PROJECT_DOMAIN_NAME"]}}}}}, timeout=10)
        self.assertEqual(201, r.status_code)
        endpoint = f"{url}/v2.1/{PROJECT}"
        h = {"X-Auth-Token": r.headers["X-Subject-Token"],
             "OpenStack-API-Version": "compute 2.58"}
        u = f"{endpoint}/servers/{WEB_01}/os-instance-actions"
        self.assertEqual(503, http.get(u, headers=h, timeout=10).status_code)
        r = http.get(u, headers=h, timeout=10)
        self.assertEqual(2, len(r.json()["instanceActions"]))
        self.assertIn("links", r.json())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=15))
        with self.assertRaises(requests.ConnectionError):
            requests.get(url + "/v3", timeout=5)

    def test_sigint_exits_zero(self):
        proc, out = self.start("--bulk-actions", "10")
        proc.send_signal(signal.SIGINT)
        self.assertEqual(0, proc.wait(timeout=15))
        self.assertEqual("", proc.stderr.read())

    def test_bad_data_file_fails(self):
        r = subprocess.run([sys.executable, "-m", "fj_osc_actions_simulator.cli",
                            "--port", "0", "--data", "/nonexistent/x.yaml"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
        self.assertEqual(2, r.returncode)
        self.assertIn("error", r.stderr)
        self.assertNotIn("READY", r.stdout)


class CliParseTest(unittest.TestCase):

    def parse_quietly(self, *argv):
        with contextlib.redirect_stderr(io.StringIO()) as stderr:
            try:
                return cli.build_parser().parse_args(argv), ""
            except SystemExit:
                return None, stderr.getvalue()

    def test_fault_syntax(self):
        args, _ = self.parse_quietly("--fault", "503", "--fault", "500:2", "--fault", "slow:2:3",
                                     "--fault", "429:5:1", "--latency", "50")
        self.assertEqual([("503", 0), ("500", 2), ("slow:2", 3), ("429:5", 1)], args.fault)
        self.assertEqual(50.0, args.latency)

    def test_fleet_and_running_seconds(self):
        args, _ = self.parse_quietly("--servers", "500", "--running-seconds", "0.5")
        self.assertEqual((500, 0.5), (args.servers, args.running_seconds))
        args, _ = self.parse_quietly()
        self.assertEqual((0, 3.0, 0), (args.servers, args.running_seconds, args.latency))
        for bad in (("--servers", "-1"), ("--servers", "1.5"), ("--running-seconds", "x")):
            with self.subTest(argv=bad):
                args, stderr = self.parse_quietly(*bad)
                self.assertIsNone(args)
                self.assertIn(f"argument {bad[0]}: '{bad[1]}' is not a number >= 0", stderr)

    def test_bad_fault_is_one_usage_error(self):
        args, stderr = self.parse_quietly("--fault", "teapot")
        self.assertIsNone(args)
        self.assertIn("argument --fault: unknown fault 'teapot'", stderr.splitlines()[-1])
        self.assertNotIn("Traceback", stderr)


class CliRefusesTest(unittest.TestCase):

    def run_cli(self, *argv):
        return subprocess.run([sys.executable, "-m", "fj_osc_actions_simulator.cli", *argv],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    def test_ports_out_of_range(self):
        for port in ("-1", "80000", "65536", "http"):
            with self.subTest(port=port):
                result = self.run_cli("--port", port)
                self.assertEqual(2, result.returncode)
                self.assertEqual("", result.stdout)
                self.assertNotIn("Traceback", result.stderr)
                self.assertEqual(f"fj-osc-actions-simulator: error: argument --port: '{port}' "
                                 f"is not a port: give 0 to 65535 (0: a free port)",
                                 result.stderr.splitlines()[-1])
                self.assertEqual(1, sum("error" in line for line in result.stderr.splitlines()))

    def test_negative_latency(self):
        result = self.run_cli("--latency", "-5")
        self.assertEqual(2, result.returncode)
        self.assertEqual("fj-osc-actions-simulator: error: argument --latency: '-5' is not a "
                         "number >= 0", result.stderr.splitlines()[-1])

    def test_python_api_refuses_too(self):
        for port in (-1, 65536):
            with self.subTest(port=port), self.assertRaisesRegex(ValueError, "port must be"):
                Simulator(port=port)
        with self.assertRaisesRegex(ValueError, "latency_ms"):
            Simulator(latency_ms=-1)


class BannerTest(unittest.TestCase):

    def test_banner(self):
        with Simulator() as sim:
            text = cli.banner(sim).replace(sim.url, "http://127.0.0.1:18774")
        self.assertEqual(BANNER, text)


BANNER = """FJcloud-O simulator listening on http://127.0.0.1:18774

# Users (domain = contract number C0000000001): demo/demo-secret (member), admin/admin-secret \
(admin), other/other-secret (other-project)
export OS_AUTH_URL=http://127.0.0.1:18774/v3
export OS_USERNAME=demo
export OS_PASSWORD=demo-secret
export OS_USER_DOMAIN_NAME=C0000000001
export OS_PROJECT_NAME=demo-project
export OS_PROJECT_DOMAIN_NAME=C0000000001
export OS_REGION_NAME=jp-east-3
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3

# clouds.yaml
clouds:
  fjcloud-sim:
    auth:
      auth_url: http://127.0.0.1:18774/v3
      username: demo
      password: demo-secret
      user_domain_name: C0000000001
      project_name: demo-project
      project_domain_name: C0000000001
    region_name: jp-east-3
    interface: public
    identity_api_version: 3

READY http://127.0.0.1:18774
"""


class DumpDataTest(unittest.TestCase):

    def test_dump_round_trips(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            self.assertEqual(0, cli.main(["--dump-data"]))
        self.assertEqual(seed.seed_data(), yaml.safe_load(buf.getvalue()))
        fd, path = tempfile.mkstemp(suffix=".yaml")
        self.addCleanup(os.remove, path)
        with os.fdopen(fd, "w") as f:
            f.write(buf.getvalue())
        sim = Simulator(data=path)
        self.assertEqual(set(build_store().servers), set(sim.store.servers))

    def test_dump_with_a_fleet(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            self.assertEqual(0, cli.main(["--dump-data", "--servers", "3"]))
        names = [server["name"] for server in yaml.safe_load(buf.getvalue())["servers"]]
        self.assertEqual(["fleet-001", "fleet-002", "fleet-003"], names[-3:])
