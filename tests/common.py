"""What unit and functional tests share: the result of one ``openstack`` run.

Unit tests run OSC's shell in-process (requests-mock behind it); functional
tests run the real executable against the simulator. Both get a
:class:`CommandResult` and check failures with the same assertion.
"""

from __future__ import annotations

import dataclasses
import json
import os
import unittest
from typing import Any

from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3


@dataclasses.dataclass(frozen=True)
class CommandResult:
    """Exit status and the two output streams of one ``openstack`` run."""

    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


#: Variables that change what a command prints (its encoding, language,
#: width) or whom it logs in as: test processes never inherit them. tox sets
#: PYTHONIOENCODING, a developer's shell LANG, COLUMNS or OS_* variables.
_OUTPUT_VARIABLES = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONCOERCECLOCALE", "LANG",
                     "LANGUAGE", "COLUMNS", "LINES", "CLIFF_MAX_TERM_WIDTH")


def clean_environ() -> dict[str, str]:
    """This process's environment without the variables that change a
    command's output or login, and a UTF-8 locale in English."""
    env = {key: value for key, value in os.environ.items()
           if key not in _OUTPUT_VARIABLES and not key.startswith(("OS_", "LC_"))}
    env["LANG"] = "C.UTF-8"
    return env


def password_session(
    auth_url: str, username: str, password: str, domain: str, project: str
) -> ksa_session.Session:
    """A keystoneauth session that logs in with a password on first use."""
    auth = v3.Password(
        auth_url=auth_url,
        username=username,
        password=password,
        user_domain_name=domain,
        project_name=project,
        project_domain_name=domain,
    )
    return ksa_session.Session(auth=auth)


class CommandAssertions(unittest.TestCase):
    """Assertions about a :class:`CommandResult`."""

    def assert_success(self, result: CommandResult) -> None:
        self.assertEqual(0, result.code, result)

    def assert_one_line_failure(
        self, result: CommandResult, *fragments: str, code: int = 1
    ) -> str:
        """A failure is one stderr line, no traceback, nothing on stdout."""
        self.assertEqual(code, result.code, result)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual("", result.stdout, result)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        return lines[0]
