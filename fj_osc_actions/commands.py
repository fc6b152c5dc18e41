"""``openstack server action show``, and what both commands share
(``openstack server action list`` is in ``list_command``).

Thin commands: parse, call the client, format. The client does the rest.

cliff imports every command module of every plugin on each ``openstack``
run, so this module imports only what OSC has loaded already (and the
standard library's gettext); the client and the formatting are imported
when one of these commands runs.

Touches, while one of these commands runs: OSC's stdout (unencodable text
becomes backslash escapes instead of a crash), and the level of
keystoneauth's discovery logger (its warnings silenced without ``--debug``,
restored when the command ends).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from osc_lib import exceptions
from osc_lib.command import command

from fj_osc_actions.i18n import N_, _

if TYPE_CHECKING:
    from fj_osc_actions import client as actions_client

LOG = logging.getLogger(__name__)

# keystoneauth warns when identity discovery fails, before the login fails
# with an error of its own: that would be a second line for one failure.
_DISCOVERY_LOG = logging.getLogger("keystoneauth.identity.generic.base")


@contextlib.contextmanager
def _discovery_warnings_silenced(debug: bool) -> Iterator[None]:
    """Without --debug, keep keystoneauth's discovery warnings out of stderr."""
    level = _DISCOVERY_LOG.level
    if not debug:
        _DISCOVERY_LOG.setLevel(logging.ERROR)
    try:
        yield
    finally:
        _DISCOVERY_LOG.setLevel(level)


@contextlib.contextmanager
def _as_command_errors() -> Iterator[None]:
    """Turn the client's errors into OSC's one-line CommandError."""
    from fj_osc_actions import errors

    try:
        yield
    except errors.ActionsError as error:
        raise exceptions.CommandError(str(error)) from error


def _streamed(rows: Iterable[Any]) -> Iterator[Any]:
    """Report errors raised while rows are streamed like any other."""
    with _as_command_errors():
        yield from rows


class _ActionsCommand(command.Command):
    # OSC logs in before a command runs when auth_required is set; these
    # commands check their input first and log in through make_client.
    auth_required = False
    #: argparse's nargs of <server>: one, or "?" where --all-servers can replace it.
    server_nargs: str | None = None

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        from fj_osc_actions import help_format  # Japanese help fits the terminal

        help_format.fit_to_terminal(parser)
        parser.add_argument(
            "server",
            metavar="<server>",
            nargs=self.server_nargs,
            help=_("Server (name or ID). A deleted server must be given by ID."),
        )
        return parser

    #: Set by take_action when the outcome is a failure after the output.
    exit_status = 0
    #: Lines for stderr after the output (failed servers, a failed action).
    closing_lines: list[str]

    #: The help text, translated when asked for (not on every openstack run).
    description = ""

    def get_description(self) -> str:
        return _(self.description)

    @contextlib.contextmanager
    def _client(self) -> Iterator[actions_client.ActionsClient]:
        """The plugin's client, with its errors reported as one line each."""
        with _discovery_warnings_silenced(self.app.options.debug), _as_command_errors():
            yield self.app.client_manager.fj_server_actions

    def run(self, parsed_args: argparse.Namespace) -> int:
        self.closing_lines = []
        _tolerate_unencodable_output(self.app.stdout)
        try:
            status = super().run(parsed_args)
        finally:
            # Token cache hook (issue 20): loaded by make_client only if it ran.
            tokencache = sys.modules.get("fj_osc_actions.tokencache")
            if tokencache is not None:
                tokencache.write_back(self.app.client_manager)
        for line in self.closing_lines:
            self.app.stderr.write(line + "\n")
        return self.exit_status or status


def _tolerate_unencodable_output(stream: Any) -> None:
    """A terminal that cannot encode some text gets backslash escapes for it."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def _usage_error(message: str) -> exceptions.CommandError:
    return exceptions.CommandError(message)


class ShowServerAction(_ActionsCommand, command.ShowOne):
    description = N_(
        "Show a server action and its events.\n\n"
        "Give the request ID, or --latest, or --last-failed. Events show when "
        "each step started and finished and whether it failed. Non-admin users "
        "see events from compute API microversion 2.51 (the default here is "
        "2.58); tracebacks are for admins only. With --wait, the exit status "
        "is the outcome: 0 succeeded, 1 failed or timed out."
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "request_id",
            metavar="<request-id>",
            nargs="?",
            help=_("Request ID of the action (see `openstack server action list`)."),
        )
        parser.add_argument(
            "--latest",
            action="store_true",
            help=_("Show the newest action of the server (no request ID)."),
        )
        parser.add_argument(
            "--last-failed",
            action="store_true",
            help=_("Show the newest action whose message is Error (no request ID)."),
        )
        parser.add_argument(
            "--changes-since",
            metavar="<time-or-age>",
            help=_(
                "With --last-failed: look only at actions updated since this "
                "ISO 8601 time or age (30m, 6h, 2d, 1w)."
            ),
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help=_(
                "Wait until the action has ended (every event finished, and the "
                "server has no task state or a newer action), then show it; exit "
                "status 1 if it failed."
            ),
        )
        parser.add_argument(
            "--wait-timeout",
            metavar="<seconds>",
            type=float,
            help=_("Give up waiting after this many seconds (default 600)."),
        )
        parser.add_argument(
            "--timeline",
            action="store_true",
            help=_("Table output: draw the events as bars on one time axis."),
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        from fj_osc_actions import formatting, progress, waiting

        self._check_arguments(parsed_args)
        with self._client() as client:
            action = self._chosen_action(client, parsed_args)
            if parsed_args.wait:
                reporter = progress.EventReporter(self.app.stderr) if self.app.stderr.isatty() else None
                action = client.wait_for_action(
                    action, timeout=parsed_args.wait_timeout, on_poll=reporter
                )
        if parsed_args.wait and waiting.action_failed(action):
            self.exit_status = 1
            self.closing_lines.append(
                formatting.escape_controls(waiting.failure_line(action, parsed_args.server))
            )
        shows_events = not parsed_args.columns or "events" in parsed_args.columns
        if action.events is None and parsed_args.formatter != "table" and shows_events:
            LOG.warning(formatting.events_not_returned(client.microversion, client.fell_back))
        timeline = self._timeline() if parsed_args.timeline else None
        return formatting.action_rows(
            action, client.microversion, parsed_args.formatter, timeline, client.fell_back
        )

    @staticmethod
    def _check_arguments(parsed_args: argparse.Namespace) -> None:
        """Usage errors, before any request."""
        chosen = [parsed_args.request_id is not None, parsed_args.latest, parsed_args.last_failed]
        if sum(chosen) != 1:
            raise _usage_error(
                _("Give exactly one of <request-id>, --latest and --last-failed.")
            )
        if parsed_args.changes_since is not None and not parsed_args.last_failed:
            raise _usage_error(_("--changes-since goes with --last-failed."))
        if parsed_args.wait_timeout is not None and parsed_args.wait_timeout <= 0:
            raise _usage_error(_("--wait-timeout must be a positive number of seconds."))

    @staticmethod
    def _chosen_action(client: Any, parsed_args: argparse.Namespace) -> Any:
        if parsed_args.latest:
            return client.latest_action(parsed_args.server)
        if parsed_args.last_failed:
            return client.last_failed_action(
                parsed_args.server, changes_since=parsed_args.changes_since
            )
        return client.get_action(parsed_args.server, parsed_args.request_id)

    def _timeline(self) -> Any:
        import datetime

        from fj_osc_actions import timeline

        now = datetime.datetime.now(datetime.timezone.utc)
        encoding = getattr(self.app.stdout, "encoding", None)
        return lambda events: timeline.format_timeline(events, now, encoding)
