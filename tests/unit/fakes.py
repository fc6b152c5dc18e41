"""Test helpers: fixtures, a fake identity service and in-process OSC runs."""

from __future__ import annotations

import contextlib
import gettext
import io
import logging
import json
import os
import pathlib
import re
import tempfile
from typing import Any, Iterator, Mapping
from unittest import mock

import requests_mock

from tests import common

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"

# FJcloud-O's identity service (mocked): the built-in endpoints apply to its logins.
AUTH_URL = "https://identity.jp-east-3.cloud.global.fujitsu.com/v3"
OTHER_AUTH_URL = "http://identity.test:5000/v3"
COMPUTE_CATALOG_URL = "http://catalog-compute.test:8774/v2.1/{project}"
OVERRIDE_URL = "http://override.test:8774/v2.1/%(project_id)s"
PROJECT_ID = "6f70656e737461636b20342065766572"
TOKEN = "gAAAAAB-secret-token-value-0123456789"
PASSWORD = "s3cret-Passw0rd!"
SERVER_ID = "c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11"
FAILED_REQUEST = "req-00000004-0000-4000-8000-000000000004"
EAST = "https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/" + PROJECT_ID
WEST = "https://compute.jp-west-3.cloud.global.fujitsu.com/v2.1/" + PROJECT_ID


def load_fixture(relative: str) -> dict[str, Any]:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def observed(name: str) -> dict[str, Any]:
    """A nova-34-observed record: request, status and body."""
    return load_fixture(f"nova-34-observed/{name}.json")


def sample(version: str, name: str) -> dict[str, Any]:
    return load_fixture(f"nova-api-samples/os-instance-actions/v{version}/{name}.json")


def token_body(regions: tuple[str, ...] = ("RegionOne", "jp-east-3")) -> dict[str, Any]:
    compute_endpoints = [
        {
            "id": f"ep-{region}-{interface}",
            "interface": interface,
            "region": region,
            "region_id": region,
            "url": COMPUTE_CATALOG_URL.format(project=PROJECT_ID)
            + ("" if interface == "public" else "/" + interface),
        }
        for region in regions
        for interface in ("public", "internal")
    ]
    return {
        "token": {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00.000000Z",
            "issued_at": "2026-11-27T00:00:00.000000Z",
            "user": {"id": "u1", "name": "demo", "domain": {"id": "d1", "name": "C1"}},
            "project": {
                "id": PROJECT_ID,
                "name": "demo-project",
                "domain": {"id": "d1", "name": "C1"},
            },
            "roles": [{"id": "r1", "name": "member"}],
            "catalog": [
                {
                    "type": "compute",
                    "name": "nova",
                    "id": "svc-compute",
                    "endpoints": compute_endpoints,
                }
            ],
        }
    }


def register_identity(m: requests_mock.Mocker, auth_url: str = AUTH_URL, **kwargs: Any) -> None:
    m.get(
        auth_url,
        json={
            "version": {
                "id": "v3.14",
                "status": "stable",
                "links": [{"rel": "self", "href": auth_url + "/"}],
            }
        },
    )
    m.post(
        auth_url + "/auth/tokens",
        json=token_body(**kwargs),
        status_code=201,
        headers={"X-Subject-Token": TOKEN},
    )


def password_env(region: str | None = "jp-east-3", **extra: str) -> dict[str, str]:
    env = {
        "OS_AUTH_URL": AUTH_URL,
        "OS_USERNAME": "demo",
        "OS_PASSWORD": PASSWORD,
        "OS_USER_DOMAIN_NAME": "C1",
        "OS_PROJECT_NAME": "demo-project",
        "OS_PROJECT_DOMAIN_NAME": "C1",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_CLOUD": "",
        # An empty clouds.yaml search path: the developer's own does not leak in.
        "OS_CLIENT_CONFIG_FILE": os.devnull,
    }
    if region:
        env["OS_REGION_NAME"] = region
    env.update(extra)
    return env


def session() -> Any:
    """A password session against the fake identity service."""
    return common.password_session(AUTH_URL, "demo", PASSWORD, "C1", "demo-project")


def reply(
    m: requests_mock.Mocker, record_name: str, url: str, request_id: str = "req-trace-1"
) -> dict[str, Any]:
    """Answer GET url with a nova-34-observed record (status and body)."""
    record = observed(record_name)
    m.get(url, json=record["body"], status_code=record["status"],
          headers={"x-openstack-request-id": request_id})
    return record


def compute_requests(m: requests_mock.Mocker) -> list[Any]:
    return [r for r in m.request_history if "/v2.1" in r.path or "compute" in r.netloc]


@contextlib.contextmanager
def clean_environment(env: Mapping[str, str]) -> Iterator[None]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    kept.update(env)
    with mock.patch.dict(os.environ, kept, clear=True):
        yield


def run_openstack(argv: list[str], env: Mapping[str, str]) -> common.CommandResult:
    """Run the real OSC shell in-process (requests are mocked by the caller).

    Each run starts with an empty token cache of its own (a temporary
    XDG_CACHE_HOME), as a run did before the cache, unless ``env`` gives one.
    """
    from openstackclient import shell

    forget_cached_clients()
    stdout, stderr = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory(prefix="xdg-cache-") as cache_home, clean_environment(
        {"XDG_CACHE_HOME": cache_home, **env}
    ), mock.patch("sys.stdout", stdout), mock.patch("sys.stderr", stderr):
        app = shell.OpenStackShell()
        app.stdout, app.stderr = stdout, stderr
        code = app.run(argv)
    return common.CommandResult(code, stdout.getvalue(), stderr.getvalue())


def forget_cached_clients() -> None:
    """OSC caches plugin clients on its ClientManager class, for the process.

    One ``openstack`` run is one process; in-process test runs must not share
    a client (and its login, endpoint and microversion) with an earlier run.
    """
    from osc_lib import clientmanager

    for attribute in vars(clientmanager.ClientManager).values():
        if isinstance(attribute, clientmanager.ClientCache):
            attribute._handle = None


_URL_PATH = re.compile(r"^https?://[^/]+")


def raw_path(request: Any) -> str:
    """The path as sent on the wire (still percent-encoded)."""
    return _URL_PATH.sub("", request.url).split("?")[0]


class MockedCloudTestCase(common.CommandAssertions):
    """A mocked FJcloud-O (identity and compute, requests-mock), in English.

    The catalog of translations is chosen once per process; tests here read
    English messages whatever the developer's locale.
    """

    #: The x-openstack-request-id of the replies of ``reply``.
    reply_request_id = "req-trace-1"

    def setUp(self) -> None:
        super().setUp()
        self.m = requests_mock.Mocker(case_sensitive=True)
        self.m.start()
        self.addCleanup(self.m.stop)
        register_identity(self.m)
        # requests-mock logs each mocked request with its URL as given: the
        # mock's own line, not the plugin's (credentials in URLs included).
        mock_log = logging.getLogger("requests_mock")
        self.addCleanup(mock_log.setLevel, mock_log.level)
        mock_log.setLevel(logging.INFO)
        english = mock.patch("fj_osc_actions.i18n.translations",
                             return_value=gettext.NullTranslations())
        english.start()
        self.addCleanup(english.stop)

    def client(self, **kwargs: Any) -> Any:
        from fj_osc_actions import client as actions_client

        kwargs.setdefault("region_name", "jp-east-3")
        kwargs.setdefault("retries", 0)
        return actions_client.ActionsClient(session(), **kwargs)

    def run_osc(self, argv: list[str], **env: Any) -> common.CommandResult:
        region = env.pop("region", "jp-east-3")
        return run_openstack(argv, password_env(region=region, **env))

    def reply(self, record_name: str, path: str, base: str = EAST) -> dict[str, Any]:
        return reply(self.m, record_name, base + path, request_id=self.reply_request_id)

    def compute_calls(self) -> list[Any]:
        return compute_requests(self.m)
