"""The token cache (issue 20): the key, the expiry margin, the files, the switches,
and in-process ``openstack`` runs that count the logins (requests-mock)."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import unittest
from typing import Any
from unittest import mock

import yaml

from fj_osc_actions import tokencache
from tests.unit import fakes

SHOW = ["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST]
SHOW_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions/{fakes.FAILED_REQUEST}"
NEW_TOKEN = "gAAAAAB-the-second-login-token-9876543210"
LOGIN = {"auth_url": fakes.AUTH_URL, "username": "demo", "password": fakes.PASSWORD,
         "user_domain_name": "C1", "project_name": "demo-project", "project_domain_name": "C1"}
#: 2026-03-02T00:00:00Z
NOW = 1772409600.0


def auth_state(token: str = fakes.TOKEN, expires_at: str = "2099-01-01T00:00:00.000000Z") -> str:
    """keystoneauth's auth state (get_auth_state) of a login to the fake cloud."""
    body = fakes.token_body()
    body["token"]["expires_at"] = expires_at
    return json.dumps({"auth_token": token, "body": body})


def identity(**changes: Any) -> dict[str, str] | None:
    auth_type = changes.pop("auth_type", "password")
    region = changes.pop("region", "jp-east-3")
    fields = {**LOGIN, **changes}
    return tokencache.identity_fields(auth_type, {k: v for k, v in fields.items() if v is not None},
                                      region)


class KeyTest(unittest.TestCase):

    def key(self, **changes: Any) -> str:
        fields = identity(**changes)
        assert fields is not None
        return tokencache.cache_key(fields)

    def test_no_secret_in_the_identity_or_the_key(self):
        fields = identity(application_credential_secret="app-secret", passcode="123456")
        self.assertNotIn(fakes.PASSWORD, json.dumps(fields))
        self.assertNotIn("app-secret", json.dumps(fields))
        self.assertNotIn("123456", json.dumps(fields))
        self.assertRegex(self.key(), r"^[0-9a-f]{64}$")
        # The password is not part of the key: another password is the same identity.
        self.assertEqual(self.key(), self.key(password="another-password"))

    def test_same_identity_same_key(self):
        self.assertEqual(self.key(), self.key())
        for url in (fakes.AUTH_URL + "/", fakes.AUTH_URL.upper().replace("/V3", "/v3"),
                    fakes.AUTH_URL.replace(".com/", ".com:443/")):
            with self.subTest(url=url):
                self.assertEqual(self.key(), self.key(auth_url=url))

    def test_each_part_of_the_identity_changes_the_key(self):
        changes = [{"username": "other"}, {"username": None, "user_id": "u1"},
                   {"user_domain_name": "C2"}, {"project_name": "other-project"},
                   {"project_name": None, "project_id": fakes.PROJECT_ID},
                   {"project_domain_name": "C2"}, {"region": "jp-west-3"},
                   {"auth_url": fakes.OTHER_AUTH_URL}, {"auth_url": fakes.AUTH_URL + "/x"},
                   {"auth_type": "v3password"}]
        keys = {self.key()} | {self.key(**change) for change in changes}
        self.assertEqual(len(changes) + 1, len(keys))

    def test_token_logins_and_unknown_types_are_not_cached(self):
        for auth_type in ("token", "v3token", "admin_token", "none", "noauth", "v3oidcpassword"):
            with self.subTest(auth_type=auth_type):
                self.assertIsNone(identity(auth_type=auth_type))
        self.assertIsNone(identity(token=fakes.TOKEN))
        self.assertIsNone(identity(auth_url=None))

    def test_a_key_per_project_for_rescoped_tokens(self):
        fields = identity()
        assert fields is not None
        first, second = (tokencache.cache_key(fields, project_id=p) for p in ("p1", "p2"))
        self.assertNotEqual(first, second)
        self.assertNotIn(tokencache.cache_key(fields), (first, second))
        # The login's own scope does not matter: the project ID names the token.
        by_id = identity(project_name=None, project_domain_name=None, project_id="p9")
        assert by_id is not None
        self.assertEqual(tokencache.cache_key(by_id, project_id="p1"), first)
        self.assertNotEqual(tokencache.cache_key(identity(username="other") or {},
                                                 project_id="p1"), first)


class CacheDirectoryTest(unittest.TestCase):

    def test_xdg_cache_home_else_home(self):
        with tempfile.TemporaryDirectory() as home:
            with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": home + "/xdg", "HOME": home}):
                self.assertEqual(home + "/xdg/fj-osc-actions", tokencache.cache_directory())
            for relative_or_unset in ({"XDG_CACHE_HOME": "relative/dir"}, {}):
                env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
                with mock.patch.dict(os.environ, {**env, **relative_or_unset, "HOME": home},
                                     clear=True):
                    self.assertEqual(home + "/.cache/fj-osc-actions",
                                     tokencache.cache_directory())


class TokenCacheTest(unittest.TestCase):
    """load/store/discard: the API the per-project tokens use too."""

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.directory = os.path.join(folder.name, "fj-osc-actions")
        self.now = NOW
        self.cache = tokencache.TokenCache(self.directory, clock=lambda: self.now)

    def test_round_trip_and_modes(self):
        self.assertIsNone(self.cache.load("k"))
        self.assertTrue(self.cache.store("k", auth_state()))
        self.assertEqual(auth_state(), self.cache.load("k"))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.directory).st_mode))
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.cache.path("k")).st_mode))
        self.assertEqual(["k"], os.listdir(self.directory))  # no temporary file left
        self.cache.discard("k")
        self.assertIsNone(self.cache.load("k"))

    def test_margin_is_keystoneauths(self):
        self.assertEqual(120, tokencache.MARGIN_SECONDS)
        # Expires at NOW + 120 s (2026-03-02T00:02:00Z).
        state = auth_state(expires_at="2026-03-02T00:02:00.000000Z")
        self.assertIsNone(self.cache.usable(state))
        self.now = NOW + 0.5
        self.assertEqual("expires within 120 s", self.cache.usable(state))
        self.assertFalse(self.cache.store("k", state))  # never written: it would not be used
        self.now = NOW
        self.assertTrue(self.cache.store("k", state))
        self.now = NOW + 1
        self.assertIsNone(self.cache.load("k"))

    def test_malformed_states_are_not_used(self):
        for state in ("", "{", "null", "[]", '{"auth_token": "t"}', '{"auth_token": 5, "body": {}}',
                      json.dumps({"auth_token": "t", "body": {"token": 5}}),
                      json.dumps({"auth_token": "t", "body": {"token": {}}}),
                      auth_state()[:200]):
            with self.subTest(state=state[:40]):
                self.assertIsNotNone(self.cache.usable(state))
                self.assertFalse(self.cache.store("k", state))

    def test_a_full_disk_leaves_nothing_behind(self):
        self.assertTrue(self.cache.store("k", auth_state()))
        full = OSError(errno.ENOSPC, "No space left on device")
        with mock.patch.object(tokencache.os, "replace", side_effect=full):
            self.assertFalse(self.cache.store("k", auth_state(token=NEW_TOKEN)))
        self.assertEqual(["k"], os.listdir(self.directory))
        self.assertEqual(auth_state(), self.cache.load("k"))

    def test_a_directory_that_is_a_symlink_is_not_used(self):
        elsewhere = tempfile.TemporaryDirectory()
        self.addCleanup(elsewhere.cleanup)
        os.chmod(elsewhere.name, 0o700)
        tokencache.TokenCache(elsewhere.name).store("k", auth_state())
        os.symlink(elsewhere.name, self.directory)
        self.assertIsNone(self.cache.load("k"))
        self.assertFalse(self.cache.store("k", auth_state(token=NEW_TOKEN)))


class CachedRunTestCase(fakes.MockedCloudTestCase):
    """In-process runs sharing one XDG_CACHE_HOME, as the runs of one user do."""

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.cache_home = os.path.join(folder.name, "cache")
        self.directory = os.path.join(self.cache_home, "fj-osc-actions")
        self.reply("show_failed_admin_2.84", SHOW_PATH)

    def show(self, *extra: str, **env: Any) -> Any:
        env.setdefault("XDG_CACHE_HOME", self.cache_home)
        self.m.reset_mock()
        return self.run_osc(SHOW + ["-f", "value", "-c", "action", *extra], **env)

    def logins(self) -> int:
        return sum(1 for r in self.m.request_history
                   if r.method == "POST" and r.path == "/v3/auth/tokens")

    def identity_requests(self) -> int:
        return sum(1 for r in self.m.request_history if r.path.startswith("/v3"))

    def assert_quiet_success(self, result: Any) -> None:
        self.assertEqual((0, "reboot\n", ""), (result.code, result.stdout, result.stderr))

    def cached_files(self) -> list[str]:
        try:
            return sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []

    def cached_file(self) -> str:
        files = self.cached_files()
        self.assertEqual(1, len(files), files)
        return os.path.join(self.directory, files[0])

    def cached_token(self) -> str:
        with open(self.cached_file(), encoding="utf-8") as handle:
            return json.load(handle)["auth_token"]

    def sent_tokens(self) -> list[str]:
        return [call.headers["X-Auth-Token"] for call in self.compute_calls()]


class WarmRunTest(CachedRunTestCase):

    def test_second_run_sends_no_identity_request(self):
        self.assert_quiet_success(self.show())
        self.assertEqual(1, self.logins())
        self.assertEqual(fakes.TOKEN, self.cached_token())
        self.assert_quiet_success(self.show())
        self.assertEqual(0, self.identity_requests())
        self.assertEqual([fakes.TOKEN], self.sent_tokens())

    def test_modes_whatever_the_umask(self):
        previous = os.umask(0)
        try:
            self.assert_quiet_success(self.show())
        finally:
            os.umask(previous)
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.directory).st_mode))
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.cached_file()).st_mode))

    def test_another_project_or_region_is_another_login(self):
        self.assert_quiet_success(self.show())
        self.assert_quiet_success(self.show(OS_PROJECT_NAME="other-project"))
        self.assertEqual(1, self.logins())
        self.assertEqual(2, len(self.cached_files()))
        self.reply("show_failed_admin_2.84", SHOW_PATH,
                   base=fakes.COMPUTE_CATALOG_URL.format(project=fakes.PROJECT_ID))
        self.assert_quiet_success(self.show(region="RegionOne"))
        self.assertEqual(1, self.logins())
        self.assertEqual(3, len(self.cached_files()))

    def test_a_token_about_to_expire_is_not_used(self):
        self.assert_quiet_success(self.show())
        soon = tokencache.TokenCache(self.directory).path(os.path.basename(self.cached_file()))
        # 60 s left, inside keystoneauth's 120 s margin: a login, no refused request first.
        import datetime
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
        self.replace_file(soon, auth_state(token="gAAAAAB-old", expires_at=expires.strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ")))
        self.assert_quiet_success(self.show())
        self.assertEqual(1, self.logins())
        self.assertEqual([fakes.TOKEN], self.sent_tokens())
        self.assertEqual(fakes.TOKEN, self.cached_token())

    def replace_file(self, path: str, text: str) -> None:
        os.unlink(path)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)


class RefusedTokenTest(CachedRunTestCase):
    """A 401 to a cached token: one login, the request again, the new token cached."""

    def login_twice(self) -> None:
        def reply(token: str) -> dict[str, Any]:
            return {"json": fakes.token_body(), "status_code": 201,
                    "headers": {"X-Subject-Token": token}}
        self.m.post(fakes.AUTH_URL + "/auth/tokens", [reply(fakes.TOKEN), reply(NEW_TOKEN)])

    def refuse(self, *tokens: str) -> None:
        record = fakes.observed("show_failed_admin_2.84")

        def answer(request: Any, context: Any) -> Any:
            if request.headers["X-Auth-Token"] in tokens:
                context.status_code = 401
                return {"error": {"code": 401, "title": "Unauthorized",
                                  "message": "The request you have made requires authentication."}}
            context.status_code = 200
            return record["body"]
        self.m.get(fakes.EAST + SHOW_PATH, json=answer)

    def test_refused_cached_token_one_login_request_repeated(self):
        self.login_twice()
        self.assert_quiet_success(self.show())
        self.refuse(fakes.TOKEN)
        self.assert_quiet_success(self.show())
        self.assertEqual(1, self.logins())
        self.assertEqual([fakes.TOKEN, NEW_TOKEN], self.sent_tokens())
        self.assertEqual(NEW_TOKEN, self.cached_token())
        self.assert_quiet_success(self.show())
        self.assertEqual(0, self.identity_requests())
        self.assertEqual([NEW_TOKEN], self.sent_tokens())

    def test_a_second_401_is_the_usual_error(self):
        self.login_twice()
        self.assert_quiet_success(self.show())
        self.refuse(fakes.TOKEN, NEW_TOKEN)
        result = self.show()
        self.assert_one_line_failure(result, "The compute API refused the token", "(HTTP 401)")
        self.assertEqual(1, self.logins())
        self.assertEqual([fakes.TOKEN, NEW_TOKEN], self.sent_tokens())
        self.assertNotIn(fakes.TOKEN, result.stderr)

    def test_a_refused_login_after_the_401_discards_the_entry(self):
        self.assert_quiet_success(self.show())
        self.refuse(fakes.TOKEN)
        self.m.post(fakes.AUTH_URL + "/auth/tokens", status_code=401, json={"error": {
            "code": 401, "title": "Unauthorized", "message": "The request you have made requires "
            "authentication."}})
        result = self.show()
        self.assertEqual(1, result.code)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual([], self.cached_files())


class UntrustedFileTest(CachedRunTestCase):
    """Bad files: a login as without the cache, no extra output, the file replaced."""

    def setUp(self):
        super().setUp()
        self.assert_quiet_success(self.show())
        self.path = self.cached_file()
        self.inode = os.stat(self.path).st_ino

    def assert_logged_in_and_replaced(self, result: Any) -> None:
        self.assert_quiet_success(result)
        self.assertEqual(1, self.logins())
        self.assertEqual(self.path, self.cached_file())
        info = os.lstat(self.path)
        self.assertTrue(stat.S_ISREG(info.st_mode))
        self.assertEqual(0o600, stat.S_IMODE(info.st_mode))
        self.assertNotEqual(self.inode, info.st_ino)
        self.assertEqual(fakes.TOKEN, self.cached_token())
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.directory).st_mode))

    def test_corrupt_truncated_or_empty(self):
        with open(self.path, encoding="utf-8") as handle:
            whole = handle.read()
        for content in ("garbage\x00\xff", whole[: len(whole) // 2], "", '{"auth_token": 1}'):
            with self.subTest(content=content[:20]):
                with open(self.path, "w", encoding="utf-8") as handle:
                    handle.write(content)
                self.inode = os.stat(self.path).st_ino
                self.assert_logged_in_and_replaced(self.show())

    def test_not_utf8(self):
        with open(self.path, "wb") as handle:
            handle.write(b"\xff\xfe\x00{")
        self.assert_logged_in_and_replaced(self.show())

    def test_loose_permissions(self):
        for mode in (0o644, 0o640, 0o604):
            with self.subTest(mode=oct(mode)):
                os.chmod(self.path, mode)
                self.inode = os.stat(self.path).st_ino
                self.assert_logged_in_and_replaced(self.show())

    def test_loose_directory(self):
        os.chmod(self.directory, 0o755)
        self.assert_logged_in_and_replaced(self.show())

    def test_a_symlink_is_not_followed(self):
        target = os.path.join(os.path.dirname(self.cache_home), "elsewhere")
        os.rename(self.path, target)
        os.symlink(target, self.path)
        self.inode = os.lstat(self.path).st_ino
        self.assert_logged_in_and_replaced(self.show())

    @unittest.skipUnless(os.geteuid() == 0, "only root can give a file to another user")
    def test_a_file_of_another_user(self):
        os.chown(self.path, 65534, -1)
        self.assert_logged_in_and_replaced(self.show())

    def test_a_directory_of_another_user(self):
        # Seen as another user's, the directory is neither read nor written.
        with mock.patch.object(tokencache.os, "geteuid", return_value=os.getuid() + 4242):
            self.assert_quiet_success(self.show())
        self.assertEqual(1, self.logins())
        self.assertEqual(self.inode, os.stat(self.path).st_ino)


class UnwritableCacheTest(CachedRunTestCase):

    def test_a_cache_home_that_cannot_be_created(self):
        not_a_directory = os.path.join(os.path.dirname(self.cache_home), "a-file")
        with open(not_a_directory, "w", encoding="utf-8"):
            pass
        for _ in range(2):
            self.assert_quiet_success(self.show(XDG_CACHE_HOME=not_a_directory + "/cache"))
            self.assertEqual(1, self.logins())
        result = self.show("--debug", XDG_CACHE_HOME=not_a_directory + "/cache")
        self.assertEqual(0, result.code)
        self.assertIn("Token cache: could not write", result.stderr)

    @unittest.skipIf(os.geteuid() == 0, "root writes into a read-only directory")
    def test_a_read_only_directory(self):
        self.assert_quiet_success(self.show())
        os.chmod(self.directory, 0o500)
        self.addCleanup(os.chmod, self.directory, 0o700)
        os.unlink(self.cached_file())
        self.assert_quiet_success(self.show())
        self.assertEqual(1, self.logins())
        self.assertEqual([], self.cached_files())


class SwitchTest(CachedRunTestCase):

    def write_clouds_yaml(self, top: dict[str, Any]) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(top, handle)
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def assert_not_cached(self, *runs: Any) -> None:
        for run in runs:
            self.assert_quiet_success(run())
            self.assertEqual(1, self.logins())
        self.assertEqual([], self.cached_files())

    def test_environment_variable(self):
        for value in ("0", "false", "OFF", "no"):
            with self.subTest(value=value):
                self.assert_not_cached(lambda: self.show(FJ_OSC_ACTIONS_TOKEN_CACHE=value),
                                       lambda: self.show(FJ_OSC_ACTIONS_TOKEN_CACHE=value))
        self.assert_quiet_success(self.show(FJ_OSC_ACTIONS_TOKEN_CACHE="1"))
        self.assertEqual(1, len(self.cached_files()))

    def test_clouds_yaml_with_os_cloud(self):
        cloud = {"auth": LOGIN, "region_name": "jp-east-3", "identity_api_version": 3}
        off = self.write_clouds_yaml({"cache": {"auth": False}, "clouds": {"fj": cloud}})

        def run(path: str) -> Any:
            self.m.reset_mock()
            return fakes.run_openstack(SHOW + ["--os-cloud", "fj", "-f", "value", "-c", "action"],
                                       {"OS_CLIENT_CONFIG_FILE": path,
                                        "XDG_CACHE_HOME": self.cache_home})
        self.assert_not_cached(lambda: run(off), lambda: run(off))
        on = self.write_clouds_yaml({"clouds": {"fj": cloud}})
        self.assert_quiet_success(run(on))
        self.assert_quiet_success(run(on))
        self.assertEqual(0, self.identity_requests())

    def test_clouds_yaml_with_only_os_variables(self):
        # (Without a clouds: key, openstacksdk warns of the file on stderr.)
        for top in ({"cache": {"auth": False}, "clouds": {}},
                    {"cache": {"auth": "false"}, "clouds": {"unused": {"auth": LOGIN}}}):
            with self.subTest(top=top):
                path = self.write_clouds_yaml(top)
                self.assert_not_cached(lambda: self.show(OS_CLIENT_CONFIG_FILE=path),
                                       lambda: self.show(OS_CLIENT_CONFIG_FILE=path))

    def test_token_logins_write_nothing(self):
        token_env = {"OS_USERNAME": "", "OS_PASSWORD": "", "OS_USER_DOMAIN_NAME": "",
                     "OS_TOKEN": fakes.TOKEN}
        for auth_type in ("token", "v3token"):
            with self.subTest(auth_type=auth_type):
                result = self.show(OS_AUTH_TYPE=auth_type, **token_env)
                self.assert_quiet_success(result)
                self.assertEqual([fakes.TOKEN], self.sent_tokens())
                self.assertFalse(os.path.exists(self.directory))


class DebugTest(CachedRunTestCase):

    def test_debug_says_login_or_cache_never_the_token(self):
        first = self.show("--debug")
        self.assertEqual(0, first.code)
        self.assertIn("Token cache: no usable token in ", first.stderr)
        self.assertIn("(none cached)", first.stderr)
        self.assertIn("Token cache: token from a login, stored in " + self.cached_file(),
                      first.stderr)
        second = self.show("--debug")
        self.assertEqual(0, second.code)
        self.assertIn("Token cache: token from the cache " + self.cached_file(), second.stderr)
        self.assertNotIn("token from a login", second.stderr)
        for result in (first, second):
            for secret in (fakes.TOKEN, fakes.PASSWORD):
                self.assertNotIn(secret, result.stdout + result.stderr)


class CloudsYamlReadTest(unittest.TestCase):
    """Where openstacksdk's loader kept no top level, the file itself is read."""

    def loader(self, top: Any, extra_config: Any = None) -> Any:
        import types

        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            handle.write(top if isinstance(top, str) else yaml.safe_dump(top))
        self.addCleanup(os.unlink, handle.name)
        return types.SimpleNamespace(_openstack_config=types.SimpleNamespace(
            extra_config=extra_config or {}, config_filename=handle.name))

    def test_the_file_when_the_loader_dropped_it(self):
        for top, off in (({"cache": {"auth": False}}, True), ({"cache": {"auth": "no"}}, True),
                         ({"cache": {"auth": True}}, False), ({"cache": {}}, False),
                         ({"clouds": {}}, False), ("[unclosed", False), ("- a list", False)):
            with self.subTest(top=top):
                self.assertEqual(off, tokencache._switched_off_in_clouds_yaml(self.loader(top)))

    def test_the_loader_first(self):
        options = self.loader({"cache": {"auth": True}}, extra_config={"cache": {"auth": False}})
        self.assertTrue(tokencache._switched_off_in_clouds_yaml(options))


class AttachTest(fakes.MockedCloudTestCase):
    """attach/write_back on one OSC ClientManager-like object."""

    def test_a_second_client_of_the_run_keeps_the_first_start(self):
        import types

        from keystoneauth1 import session as ksa_session
        from keystoneauth1.identity import generic

        class Instance:  # OSC's ClientManager: weakly referable, auth and options
            pass

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        instance = Instance()
        instance.auth = generic.Password(**LOGIN)
        instance.region_name = "jp-east-3"
        instance._cli_options = types.SimpleNamespace(
            config={"auth_type": "password"}, get_auth_args=lambda: dict(LOGIN),
            service_provider=None, _openstack_config=None)
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": folder.name}):
            tokencache.attach(instance)
            ksa_session.Session(auth=instance.auth).get_token()  # the login
            tokencache.attach(instance)  # e.g. the contract view's reader, after it
            tokencache.write_back(instance)
            key = tokencache.cache_key(identity() or {})
            state = tokencache.TokenCache().load(key)
        self.assertIsNotNone(state)
        self.assertEqual(fakes.TOKEN, json.loads(state or "{}")["auth_token"])
        tokencache.write_back(instance)  # once only: nothing attached any more
