"""The :class:`Simulator`: the WSGI app served from a background thread."""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fj_osc_actions_simulator import contract, seed
from fj_osc_actions_simulator.app import LoggedRequest, SimulatorApp
from fj_osc_actions_simulator.clock import Clock, SystemClock
from fj_osc_actions_simulator.store import DataSource, build_store

HOST = "127.0.0.1"
MAX_PORT = 65535

#: clouds.yaml's place for each OS_* variable of :meth:`Simulator.os_env`.
_CLOUDS_YAML_KEYS = {
    "OS_AUTH_URL": ("auth", "auth_url"),
    "OS_USERNAME": ("auth", "username"),
    "OS_PASSWORD": ("auth", "password"),
    "OS_USER_DOMAIN_NAME": ("auth", "user_domain_name"),
    "OS_PROJECT_NAME": ("auth", "project_name"),
    "OS_PROJECT_DOMAIN_NAME": ("auth", "project_domain_name"),
    "OS_REGION_NAME": ("region_name",),
    "OS_INTERFACE": ("interface",),
    "OS_IDENTITY_API_VERSION": ("identity_api_version",),
}


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log lines on stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            logging.getLogger("fj_osc_actions_simulator").error(message.rstrip(), *args)


class Simulator:
    """A local FJcloud-O region.  Binds 127.0.0.1 only.

    :param data: None (seeded demo data), a dict, or a path to a .json/.yaml
        file (format: :mod:`fj_osc_actions_simulator.store`).
    :param token_ttl: token lifetime in seconds (FJcloud-O: 3 hours).
    :param page_size: Nova's ``[api]max_limit`` for the actions list.
    :param max_microversion: highest compute microversion served.
    :param bulk_actions: >0 adds server ``bulk-01`` with that many actions.
    :param servers: >0 adds a fleet of that many servers ``fleet-001``...
        (:func:`~fj_osc_actions_simulator.seed.fleet_servers`).
    :param running_seconds: how long the seeded running reboots last.
    :param port: TCP port, 0 = a free one.
    :param latency_ms: a delay before every answer (identity and compute),
        like the round trip to a real region.
    :param password_delay: seconds each password login takes on top (real
        Keystone hashes the password); token logins do not wait.
    :param projects: >0 adds a contract of that many projects, users ``ops``
        and ``ops-admin`` (:mod:`~fj_osc_actions_simulator.contract`).
    :param project_servers: servers in each of those projects.
    :param clock: where time comes from (default the system clock); a
        :class:`~fj_osc_actions_simulator.clock.ManualClock` moves only when told.
    """

    def __init__(self, data: DataSource = None, *, token_ttl: float = 10800,
                 page_size: int = 1000, max_microversion: str = "2.104",
                 bulk_actions: int = 0, servers: int = 0,
                 running_seconds: float = seed.RUNNING_SECONDS, port: int = 0,
                 latency_ms: float = 0, password_delay: float = 0,
                 projects: int = 0, project_servers: int = contract.DEFAULT_SERVERS,
                 clock: Clock | None = None) -> None:
        if not 0 <= int(port) <= MAX_PORT:
            raise ValueError(f"port must be 0 to {MAX_PORT} (0: a free port)")
        if password_delay < 0:
            raise ValueError("password_delay must be >= 0")
        self.clock = clock if clock is not None else SystemClock()
        if servers < 0 or running_seconds < 0 or projects < 0 or project_servers < 0:
            raise ValueError("servers, running_seconds, projects and project_servers must be >= 0")
        self.store = build_store(data, bulk_actions=bulk_actions, servers=servers,
                                 running_seconds=running_seconds, now=self.clock.now(),
                                 projects=projects, project_servers=project_servers)
        self.app = SimulatorApp(self.store, self.clock, token_ttl=token_ttl,
                                page_size=page_size, max_microversion=max_microversion,
                                latency_ms=latency_ms)
        self.app.identity.password_delay = float(password_delay)
        self._port = int(port)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------
    def start(self) -> Simulator:
        if self._server is not None:
            return self
        self._server = make_server(HOST, self._port, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        self._server.daemon_threads = True
        self.app.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fj-osc-actions-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: Any) -> bool:
        self.stop()
        return False

    # -- addresses ----------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def identity_url(self) -> str:
        return self.url + "/v3"

    @property
    def compute_endpoint_template(self) -> str:
        return self.url + "/v2.1/%(project_id)s"

    def os_env(self, user: str = "demo", password: str | None = None) -> dict[str, str]:
        """The OS_* variables of a password login as ``user`` (a seeded user name).

        ``password`` defaults to the user's own; the project is the user's
        (``other-project`` for ``other``, else ``demo-project``).
        """
        account = next((entry for entry in self.store.users.values() if entry["name"] == user),
                       None)
        if account is None:
            raise ValueError(f"no user {user!r} in the simulator's data")
        project = self.store.projects[next(iter(account.get("roles") or {}))]
        return {
            "OS_AUTH_URL": self.identity_url,
            "OS_USERNAME": account["name"],
            "OS_PASSWORD": str(account["password"]) if password is None else password,
            "OS_USER_DOMAIN_NAME": self.store.domain_name(account["domain_id"]),
            "OS_PROJECT_NAME": project["name"],
            "OS_PROJECT_DOMAIN_NAME": self.store.domain_name(project["domain_id"]),
            "OS_REGION_NAME": seed.REGION,
            "OS_INTERFACE": "public",
            "OS_IDENTITY_API_VERSION": "3",
        }

    def clouds_yaml_cloud(self, user: str = "demo",
                          password: str | None = None) -> dict[str, Any]:
        """The same login as one cloud of a clouds.yaml (``clouds: {name: this}``)."""
        cloud: dict[str, Any] = {}
        for variable, value in self.os_env(user, password).items():
            *parents, key = _CLOUDS_YAML_KEYS[variable]
            section = cloud
            for parent in parents:
                section = section.setdefault(parent, {})
            section[key] = int(value) if key == "identity_api_version" else value
        return cloud

    # -- control ------------------------------------------------------------
    def inject(self, fault: str, path_contains: str | None = None, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` matching compute requests
        (``times=0``: every matching request until :meth:`clear_faults`)."""
        self.app.faults.inject(fault, path_contains, times)

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def expire_tokens(self) -> int:
        """Make every token issued so far expired (401 on use)."""
        return self.app.tokens.expire_all()

    def restart_running_actions(self) -> int:
        """Start the running actions again now (they start with the simulator)."""
        return self.app.restart_running_actions()

    def issued_token_ids(self) -> list[str]:
        """Token ids issued so far (to prove they never leak into output)."""
        return self.app.tokens.issued_ids()

    # -- request log --------------------------------------------------------
    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every request so far, in arrival order (status None: still in flight)."""
        return self.app.log.entries()

    def compute_requests(self) -> list[LoggedRequest]:
        return [entry for entry in self.app.log.entries()
                if entry.path == "/v2.1" or entry.path.startswith("/v2.1/")]

    def clear_log(self) -> None:
        self.app.log.clear()

    @property
    def in_flight(self) -> int:
        """Requests being answered now."""
        return self.app.log.in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most requests in flight at once since the log was last cleared."""
        return self.app.log.peak_in_flight

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is in flight (True), or ``timeout`` real seconds (False)."""
        return self.app.log.wait_idle(timeout)
