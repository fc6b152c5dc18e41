"""``openstack server action show`` and ``openstack server action list``.

Thin commands: parse, call the client, format. The client does the rest.

cliff imports every command module of every plugin on each ``openstack``
run, so this module imports only what OSC has loaded already (and the
standard library's gettext); the client and the formatting are imported
when one of these commands runs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from osc_lib import exceptions
from osc_lib.command import command

from fj_osc_actions.i18n import _

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

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "server",
            metavar="<server>",
            help=_("Server (name or ID). A deleted server must be given by ID."),
        )
        return parser

    @contextlib.contextmanager
    def _client(self) -> Iterator[actions_client.ActionsClient]:
        """The plugin's client, with its errors reported as one line each."""
        with _discovery_warnings_silenced(self.app.options.debug), _as_command_errors():
            yield self.app.client_manager.fj_server_actions


class ShowServerAction(_ActionsCommand, command.ShowOne):
    _description = _(
        "Show a server action and its events.\n\n"
        "Events show when each step started and finished and whether it "
        "failed. Non-admin users see events from compute API microversion "
        "2.51 (the default here is 2.58); tracebacks are for admins only."
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "request_id",
            metavar="<request-id>",
            help=_("Request ID of the action (see `openstack server action list`)."),
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        from fj_osc_actions import formatting

        with self._client() as client:
            action = client.get_action(parsed_args.server, parsed_args.request_id)
        if action.events is None and parsed_args.formatter != "table":
            LOG.warning(formatting.events_not_returned(client.microversion))
        return formatting.action_rows(action, client.microversion, parsed_args.formatter)


class ListServerActions(_ActionsCommand, command.Lister):
    _description = _(
        "List the actions of a server, newest first.\n\n"
        "Without --limit every page is fetched, so no action is left out."
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--long",
            action="store_true",
            help=_("Also list the user and project that started each action."),
        )
        parser.add_argument(
            "--limit",
            metavar="<num-actions>",
            type=int,
            help=_(
                "List at most this many actions: one page, no following "
                "(microversion 2.58 or later)."
            ),
        )
        parser.add_argument(
            "--marker",
            metavar="<request-id>",
            help=_("List the actions after this request ID (microversion 2.58 or later)."),
        )
        parser.add_argument(
            "--changes-since",
            metavar="<changes-since>",
            help=_(
                "Only actions updated at or after this ISO 8601 time, e.g. "
                "2026-11-27T09:00:00Z (microversion 2.58 or later)."
            ),
        )
        parser.add_argument(
            "--changes-before",
            metavar="<changes-before>",
            help=_(
                "Only actions updated at or before this ISO 8601 time "
                "(microversion 2.66 or later)."
            ),
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        from fj_osc_actions import formatting

        with self._client() as client:
            actions = client.list_actions(
                parsed_args.server,
                limit=parsed_args.limit,
                marker=parsed_args.marker,
                changes_since=parsed_args.changes_since,
                changes_before=parsed_args.changes_before,
            )
        chosen = formatting.list_columns(client.microversion, parsed_args.long)
        keys = [key for key, _title in chosen]
        rows = (formatting.list_row(action, keys) for action in actions)
        return [title for _key, title in chosen], _streamed(rows)
