"""``openstack server action show`` and ``openstack server action list``.

Thin commands: parse, call the client, format. The client does the rest.

cliff imports every command module of every plugin on each ``openstack``
run, so this module imports only what OSC has loaded already; the client
and the formatting are imported when one of these commands runs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Tuple

from osc_lib.command import command
from osc_lib import exceptions

if TYPE_CHECKING:
    from fj_osc_actions import client as actions_client

LOG = logging.getLogger(__name__)


def _client(cmd: command.Command) -> "actions_client.ActionsClient":
    return cmd.app.client_manager.fj_server_actions


# keystoneauth warns when identity discovery fails, before the login fails
# with an error of its own: that would be a second line for one failure.
_DISCOVERY_LOG = logging.getLogger("keystoneauth.identity.generic.base")


@contextlib.contextmanager
def _reported_as_command_errors(debug: bool = True) -> Iterator[None]:
    """Turn the client's errors into OSC's one-line CommandError."""
    from fj_osc_actions import errors

    level = _DISCOVERY_LOG.level
    if not debug:
        _DISCOVERY_LOG.setLevel(logging.ERROR)
    try:
        yield
    except errors.ActionsError as error:
        raise exceptions.CommandError(str(error)) from error
    finally:
        _DISCOVERY_LOG.setLevel(level)


def _command_errors(iterable: Iterable[Any]) -> Iterator[Any]:
    """Report errors raised while rows are streamed like any other."""
    with _reported_as_command_errors():
        yield from iterable


class _ActionsCommand(command.Command):
    # OSC logs in before a command runs when auth_required is set; these
    # commands check their input first and log in through make_client.
    auth_required = False

    def _add_server_argument(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "server",
            metavar="<server>",
            help="Server (name or ID). A deleted server must be given by ID.",
        )


class ShowServerAction(_ActionsCommand, command.ShowOne):
    """Show a server action and its events.

    Events show when each step started and finished and whether it failed.
    Non-admin users see events from compute API microversion 2.51 (the
    default here is 2.58); tracebacks are for admins only.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        self._add_server_argument(parser)
        parser.add_argument(
            "request_id",
            metavar="<request-id>",
            help="Request ID of the action (see `openstack server action list`).",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Tuple[Any, Any]:
        from fj_osc_actions import formatting

        with _reported_as_command_errors(self.app.options.debug):
            client = _client(self)
            action = client.get_server_action(parsed_args.server, parsed_args.request_id)
        if action.events is None and parsed_args.formatter != "table":
            LOG.warning(formatting.events_not_returned(client.microversion))
        return formatting.action_rows(
            action, client.microversion, parsed_args.formatter
        )


class ListServerActions(_ActionsCommand, command.Lister):
    """List the actions of a server, newest first.

    Without --limit every page is fetched, so no action is left out.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        self._add_server_argument(parser)
        parser.add_argument(
            "--long",
            action="store_true",
            help="Also list the user and project that started each action.",
        )
        parser.add_argument(
            "--limit",
            metavar="<num-actions>",
            type=int,
            help="List at most this many actions: one page, no following "
            "(microversion 2.58 or later).",
        )
        parser.add_argument(
            "--marker",
            metavar="<request-id>",
            help="List the actions after this request ID (microversion 2.58 "
            "or later).",
        )
        parser.add_argument(
            "--changes-since",
            metavar="<changes-since>",
            help="Only actions updated at or after this ISO 8601 time, e.g. "
            "2026-11-27T09:00:00Z (microversion 2.58 or later).",
        )
        parser.add_argument(
            "--changes-before",
            metavar="<changes-before>",
            help="Only actions updated at or before this ISO 8601 time "
            "(microversion 2.66 or later).",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Tuple[Any, Any]:
        from fj_osc_actions import formatting

        with _reported_as_command_errors(self.app.options.debug):
            client = _client(self)
            actions = client.list_server_actions(
                parsed_args.server,
                limit=parsed_args.limit,
                marker=parsed_args.marker,
                changes_since=parsed_args.changes_since,
                changes_before=parsed_args.changes_before,
            )
        chosen = formatting.list_columns(client.microversion, parsed_args.long)
        keys = [key for key, _ in chosen]
        rows = (formatting.list_row(action, keys) for action in actions)
        return [title for _, title in chosen], _command_errors(rows)
