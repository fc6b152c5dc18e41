"""Start the real Nova compute API on 127.0.0.1, for the realnova tests.

Two halves:

- ``python -m tests.realnova.server`` (run with .venv-realnova's Python, the
  one with ``nova`` installed) binds 127.0.0.1 port 0, writes a nova.conf
  and an api-paste.ini into a temporary directory, prepares the SQLite
  databases with Nova's own ``nova-manage`` (``api_db sync``, ``cell_v2
  map_cell0``, ``cell_v2 create_cell``, ``db sync``), loads Nova's
  ``osapi_compute`` WSGI application (``nova.wsgi.osapi_compute``, native
  threads), writes the seed through Nova's objects, and serves Nova plus the
  loopback stubs of :mod:`tests.realnova.stubs` on that one port. When it
  is ready it prints one JSON line (the URL and the timings) on stdout. It
  stops when its stdin is closed (the test process ended, however it
  ended) or on SIGTERM/SIGINT, and removes its directory.
- :class:`RealNova` starts that process (in its own process group) from the
  tests and stops it: the whole group is killed on ``stop()`` and at exit.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any
from wsgiref import simple_server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: Nova's [api]max_limit: small, so that every listing has several pages.
MAX_LIMIT = 2
START_TIMEOUT = 300

NOVA_CONF = """\
[DEFAULT]
host = realnova
state_path = {work}
transport_url = fake:/
use_stderr = true
debug = false
log_file = {work}/nova.log

[api]
max_limit = {max_limit}

[api_database]
connection = sqlite:///{work}/nova_api.sqlite

[database]
connection = sqlite:///{work}/nova_cell1.sqlite

[neutron]
endpoint_override = {url}/network
auth_type = none

[oslo_concurrency]
lock_path = {work}/locks

[oslo_messaging_notifications]
driver = noop

[oslo_policy]
enforce_scope = true
enforce_new_defaults = true
"""


def _paste_ini(nova_paste: str) -> str:
    """Nova's own api-paste.ini, with the token stub where authtoken was."""
    with open(nova_paste, encoding="utf-8") as handle:
        text = handle.read()
    if " authtoken keystonecontext " not in text:
        raise RuntimeError(f"{nova_paste}: no 'authtoken keystonecontext' in the pipelines")
    text = text.replace(" authtoken keystonecontext ", " tokencontext keystonecontext ")
    return text + ("\n[filter:tokencontext]\n"
                   "paste.filter_factory = tests.realnova.stubs:token_context_filter\n")


def _find_paste_ini() -> str:
    for candidate in (os.path.join(sys.prefix, "etc", "nova", "api-paste.ini"),
                      "/etc/nova/api-paste.ini"):
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError("Nova's api-paste.ini was not found under " + sys.prefix)


def _nova_manage(work: str, *args: str) -> None:
    manage = os.path.join(os.path.dirname(sys.executable), "nova-manage")
    command = [manage, "--config-file", os.path.join(work, "nova.conf"), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def serve() -> None:
    started = time.monotonic()
    timings: dict[str, float] = {}
    work = tempfile.mkdtemp(prefix="realnova-")
    os.makedirs(os.path.join(work, "locks"))
    atexit.register(shutil.rmtree, work, True)
    httpd = _ThreadingWSGIServer(("127.0.0.1", 0), _QuietHandler)
    port = httpd.server_address[1]
    url = f"http://127.0.0.1:{port}"
    with open(os.path.join(work, "nova.conf"), "w", encoding="utf-8") as handle:
        handle.write(NOVA_CONF.format(work=work, url=url, max_limit=MAX_LIMIT))
    with open(os.path.join(work, "api-paste.ini"), "w", encoding="utf-8") as handle:
        handle.write(_paste_ini(_find_paste_ini()))

    # nova-manage: the API database, cell0, cell1, the cell databases.
    _nova_manage(work, "api_db", "sync")
    _nova_manage(work, "cell_v2", "map_cell0", "--database_connection",
                 f"sqlite:///{work}/nova_cell0.sqlite")
    _nova_manage(work, "cell_v2", "create_cell", "--name", "cell1", "--verbose")
    _nova_manage(work, "db", "sync")
    timings["nova_manage"] = round(time.monotonic() - started, 2)

    # Nova's WSGI entry point reads these and sys.argv.
    os.environ["OS_NOVA_CONFIG_DIR"] = work
    os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "true"
    sys.argv = ["nova-api-os-compute"]
    from nova.wsgi import osapi_compute

    from tests.realnova import seed, stubs
    timings["nova_app"] = round(time.monotonic() - started - timings["nova_manage"], 2)
    actions = seed.write_seed()
    httpd.set_app(stubs.Dispatcher(osapi_compute.application, stubs.IdentityStub(url),
                                   stubs.NetworkStub()))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    timings["total"] = round(time.monotonic() - started, 2)
    print(json.dumps({"url": url, "work": work, "actions": actions, "seconds": timings}),
          flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    httpd.shutdown()
    httpd.server_close()


class RealNova:
    """The launcher above as a child process of the tests."""

    def __init__(self, python: str | None = None) -> None:
        self.python = python or sys.executable
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.info: dict[str, Any] = {}
        self._log = tempfile.NamedTemporaryFile(prefix="realnova-launcher-", suffix=".log",
                                                delete=False)

    def start(self) -> "RealNova":
        env = {**os.environ, "PYTHONPATH": REPO}
        self.process = subprocess.Popen(
            [self.python, "-m", "tests.realnova.server"], cwd=REPO, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True,
            start_new_session=True)
        atexit.register(self.stop)
        assert self.process.stdout is not None
        ready = threading.Event()
        line: list[str] = []

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            line.append(self.process.stdout.readline())
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(START_TIMEOUT) or not line[0]:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError("real Nova did not start:\n" + tail)
        self.info = json.loads(line[0])
        self.url = self.info["url"]
        return self

    def log_tail(self, lines: int = 60) -> str:
        with open(self._log.name, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])

    @property
    def nova_log(self) -> str:
        return os.path.join(self.info.get("work", ""), "nova.log")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.close()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._log.close()
        try:
            os.unlink(self._log.name)
        except OSError:
            pass


if __name__ == "__main__":
    serve()
