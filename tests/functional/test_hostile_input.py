"""Hostile server names and request IDs, proven from the simulator's request log.

Every value goes through the real ``openstack`` as both the server name and
the request ID (``openstack server action show <value> <value>``). Each is
either refused before any request (the log stays empty: not even a login)
or sent as the exact-match name filter and then as exactly one
percent-encoded path segment; the simulator has a server of each such name.
The expected encodings are written out by hand below, not computed.

The 44 values run in a fork runner (see fork_runner.py: OpenStackClient's
``main`` in a forked child, about 0.3 s a command instead of 2.5 s); a few
also run through the executable itself, and must give the same result.
"""

from __future__ import annotations

import re

from fj_osc_actions_simulator import seed
from tests.functional import base

# (value, what the name filter's query string must be, what the request ID's path
# segment must be); None: refused before any request.
HOSTILE: list[tuple[str, str | None, str | None]] = [
    ("../x", "name=%5E%5C.%5C.%2Fx%24", "..%2Fx"),
    ("../../servers", "name=%5E%5C.%5C.%2F%5C.%5C.%2Fservers%24", "..%2F..%2Fservers"),
    ("..", None, None),
    (".", None, None),
    ("a/b", "name=%5Ea%2Fb%24", "a%2Fb"),
    ("/", "name=%5E%2F%24", "%2F"),
    ("//", "name=%5E%2F%2F%24", "%2F%2F"),
    ("a?b", "name=%5Ea%5C%3Fb%24", "a%3Fb"),
    ("a?b=c", "name=%5Ea%5C%3Fb%3Dc%24", "a%3Fb%3Dc"),
    ("?", "name=%5E%5C%3F%24", "%3F"),
    ("a#b", "name=%5Ea%5C%23b%24", "a%23b"),
    ("#", "name=%5E%5C%23%24", "%23"),
    ("%2F", "name=%5E%252F%24", "%252F"),
    ("%2e%2e", "name=%5E%252e%252e%24", "%252e%252e"),
    ("%00", "name=%5E%2500%24", "%2500"),
    ("a%20b", "name=%5Ea%2520b%24", "a%2520b"),
    ("a b", "name=%5Ea%5C+b%24", "a%20b"),
    # a request ID never has surrounding white space: it is stripped, a name is not
    (" leading", "name=%5E%5C+leading%24", "leading"),
    ("trailing ", "name=%5Etrailing%5C+%24", "trailing"),
    ("a;b", "name=%5Ea%3Bb%24", "a%3Bb"),
    ("a&b=c", "name=%5Ea%5C%26b%3Dc%24", "a%26b%3Dc"),
    ("a+b", "name=%5Ea%5C%2Bb%24", "a%2Bb"),
    ("a@b:c", "name=%5Ea%40b%3Ac%24", "a%40b%3Ac"),
    ("a\\b", "name=%5Ea%5C%5Cb%24", "a%5Cb"),
    ("'", "name=%5E%27%24", "%27"),
    ('"', "name=%5E%22%24", "%22"),
    ("<script>", "name=%5E%3Cscript%3E%24", "%3Cscript%3E"),
    ("サーバ", "name=%5E%E3%82%B5%E3%83%BC%E3%83%90%24", "%E3%82%B5%E3%83%BC%E3%83%90"),
    ("é", "name=%5E%C3%A9%24", "%C3%A9"),
    ("😀", "name=%5E%F0%9F%98%80%24", "%F0%9F%98%80"),
    ("req-\u202e", "name=%5Ereq%5C-%E2%80%AE%24", "req-%E2%80%AE"),
    ("x" * 255, "name=%5E" + "x" * 255 + "%24", "x" * 255),
    ("x" * 256, None, None),
    ("x" * 10000, None, None),
    ("", None, None),
    ("   ", None, None),
    ("\t", None, None),
    ("a\nb", None, None),
    ("a\rb", None, None),
    ("\x00", None, None),
    ("a\x00b", None, None),
    ("\x1b[31m", None, None),
    ("\x7f", None, None),
    ("a\u0085b", None, None),
]
#: The simulator's server of each name that is sent, with an ID of its own.
SERVER_IDS = {value: f"00000000-0000-4000-8000-{index:012d}"
              for index, (value, query, _) in enumerate(HOSTILE) if query is not None}
SERVERS_PATH = f"/v2.1/{seed.PROJECT_ID}/servers"
_REQUEST_ID = re.compile(r"req-[0-9a-f-]{36}")


def hostile_data() -> dict:
    data = seed.seed_data()
    data["servers"] += [{"id": server_id, "name": name, "project_id": seed.PROJECT_ID}
                        for name, server_id in SERVER_IDS.items()]
    return data


class HostileInputTest(base.FunctionalTestCase):
    simulator_options = {"data": hostile_data()}

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.runner = base.OpenstackForkRunner()
        cls.addClassCleanup(cls.runner.close)

    def show(self, value: str) -> base.CommandResult:
        return self.runner.run(["server", "action", "show", value, value], self.password_env())

    def test_every_value_as_name_and_request_id(self):
        for value, query, segment in HOSTILE:
            with self.subTest(value=value[:40]):
                self.sim.clear_log()
                result = self.show(value)
                if query is None:
                    self.assert_one_line_failure(result)
                    self.assertEqual([], self.sim.request_log)
                    continue
                self.assert_one_line_failure(result, "not found")
                self.assertIn("Action", result.stderr)
                entries = self.sim.compute_requests()
                self.assertEqual(
                    [(SERVERS_PATH, query),
                     (f"{SERVERS_PATH}/{SERVER_IDS[value]}/os-instance-actions/{segment}", "")],
                    [(entry.path, entry.query) for entry in entries])

    def test_the_executable_answers_as_the_fork_runner(self):
        for value in ("a?b=c", "\t"):
            with self.subTest(value=value[:40]):
                forked = self.show(value)
                executed = self.openstack("server", "action", "show", value, value)
                self.assertEqual((forked.code, forked.stdout, self.normal(forked.stderr)),
                                 (executed.code, executed.stdout, self.normal(executed.stderr)))

    @staticmethod
    def normal(text: str) -> str:
        """Without what differs between two runs: request IDs."""
        return _REQUEST_ID.sub("req-ID", text)
