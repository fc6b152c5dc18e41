"""Run ``openstack`` commands in forked children of one warmed-up process.

The ``openstack`` executable spends about two seconds importing
OpenStackClient and its plugins before it does anything. This process does
that once, then, for each request read from stdin (one JSON object a line:
``{"argv": [...], "env": {...}}``), forks a child that runs
``openstackclient.shell.main(argv)`` -- the function the executable runs --
with that environment, stdin from /dev/null and stdout/stderr in files, and
writes one JSON line back: ``{"code": ..., "stdout": ..., "stderr": ...}``.
Arguments travel as JSON, so even a NUL byte (which no executable can
receive in its argv) reaches the command line parser.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from typing import Any

from openstackclient import shell


def _warm_up() -> None:
    """Import the plugins' commands and cliff's machinery before forking."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            shell.main(["server", "action", "show", "--help"])
        except SystemExit:
            pass


def _child(argv: list[str], env: dict[str, str], out_fd: int, err_fd: int) -> None:
    os.environ.clear()
    os.environ.update(env)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.argv = ["openstack", *argv]
    code: Any = 1
    try:
        code = shell.main(argv)
    except SystemExit as error:
        code = error.code
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)


def _read(handle: Any) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")


def run(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child exits in _child
            _child(argv, env, out.fileno(), err.fileno())
        _, status = os.waitpid(pid, 0)
        return {"code": os.waitstatus_to_exitcode(status), "stdout": _read(out),
                "stderr": _read(err)}


def main() -> int:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # only replies go to the caller
    _warm_up()
    for line in sys.stdin:
        request = json.loads(line)
        replies.write(json.dumps(run(request["argv"], request["env"])) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
