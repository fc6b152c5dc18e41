"""``openstack server action list``: one server, several, all of them, or
every project of the login (the contract view).

Thin: parse, call the client (or the contract reader), format. Like
``commands``, it imports only what OSC has loaded already; the client and
the formatting are imported when the command runs.
"""

from __future__ import annotations

import argparse
from typing import Any, Iterator

from osc_lib.command import command

from fj_osc_actions.commands import (_ActionsCommand, _as_command_errors,
                                     _discovery_warnings_silenced, _streamed, _usage_error)
from fj_osc_actions.i18n import N_, _


class ListServerActions(_ActionsCommand, command.Lister):
    server_nargs = "?"
    description = N_(
        "List the actions of one server, several, or all of them, newest first.\n\n"
        "Without --limit every page is fetched, so no action is left out. With "
        "several servers (or --all-servers) they are read concurrently and the "
        "rows are merged newest first; a server that cannot be read gets one "
        "line on stderr and the exit status is 1, the other rows are kept.\n\n"
        "With --my-projects or --project, every server of each project is read "
        "with one login (the other projects' tokens are rescoped from it); with "
        "--failed, each row also names the failed event and, where the API "
        "returns them (admins), the reason."
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "more_servers",
            metavar="<server>",
            nargs="*",
            help=_("More servers (names or IDs)."),
        )
        parser.add_argument(
            "--all-servers",
            action="store_true",
            help=_("Every server of the project (give no <server>)."),
        )
        parser.add_argument(
            "--my-projects",
            action="store_true",
            help=_(
                "Every server of every project you can use (as `openstack project "
                "list --my-projects` lists them), with one login (give no <server>)."
            ),
        )
        parser.add_argument(
            "--project",
            metavar="<project>",
            action="append",
            dest="projects",
            help=_(
                "Every server of this project (name or ID; repeat for several), "
                "with one login (give no <server>)."
            ),
        )
        parser.add_argument(
            "--failed",
            action="store_true",
            help=_(
                "Only actions that failed (message Error). With --my-projects or "
                "--project, also the failed event and its reason (one more read "
                "per failed action)."
            ),
        )
        parser.add_argument(
            "--action",
            metavar="<action>",
            action="append",
            dest="action_names",
            help=_(
                "Only actions of this API name, e.g. reboot, createImage, "
                "live-migration (repeat for several)."
            ),
        )
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
                "List at most this many actions (per server): one page, no "
                "following (microversion 2.58 or later)."
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
                "2026-11-27T09:00:00Z, or this long ago: 30m, 6h, 2d, 1w "
                "(microversion 2.58 or later)."
            ),
        )
        parser.add_argument(
            "--changes-before",
            metavar="<changes-before>",
            help=_(
                "Only actions updated at or before this ISO 8601 time or age "
                "(microversion 2.66 or later)."
            ),
        )
        parser.add_argument(
            "--concurrency",
            metavar="<workers>",
            type=int,
            help=_("With several servers: read this many at a time (default 8, at most 64)."),
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        from fj_osc_actions import fleet, formatting

        servers = [parsed_args.server] + parsed_args.more_servers
        action_filter = fleet.ActionFilter(
            failed_only=parsed_args.failed,
            action_names=frozenset(parsed_args.action_names or ()),
        )
        if parsed_args.my_projects or parsed_args.projects:
            return self._contract_view(parsed_args, action_filter)
        if parsed_args.all_servers and parsed_args.server is not None:
            raise _usage_error(_("Give servers or --all-servers, not both."))
        if not parsed_args.all_servers and parsed_args.server is None:
            raise _usage_error(_("Give a server (name or ID), several, or --all-servers."))
        several = parsed_args.all_servers or len(servers) > 1
        if several and parsed_args.marker is not None:
            raise _usage_error(_("--marker goes with one server only."))
        with self._client() as client:
            if several:
                # The login and the server listing happen here, the reading
                # of the actions as the rows are consumed.
                run = self._fleet_run(client, parsed_args, servers, action_filter)
                rows = self._fleet_rows(run)
            else:
                actions = client.list_actions(
                    parsed_args.server,
                    limit=parsed_args.limit,
                    marker=parsed_args.marker,
                    changes_since=parsed_args.changes_since,
                    changes_before=parsed_args.changes_before,
                )
                rows = ((None, action) for action in actions if action_filter.matches(action))
        chosen = formatting.list_columns(client.microversion, parsed_args.long, several)
        keys = [key for key, _title in chosen]
        # The titles stay English in every format and locale: -c and
        # --sort-column take them as the names of the columns.
        titles = [title for _key, title in chosen]
        lines = (
            formatting.list_row(action, keys, parsed_args.formatter, server)
            for server, action in rows
        )
        return titles, _streamed(lines)

    def _fleet_run(
        self, client: Any, parsed_args: argparse.Namespace, servers: list[str], action_filter: Any
    ) -> Any:
        from fj_osc_actions import progress

        progress_line = progress.ProgressLine(self.app.stderr) if self.app.stderr.isatty() else None
        return client.fleet_actions(
            None if parsed_args.all_servers else servers,
            limit=parsed_args.limit,
            changes_since=parsed_args.changes_since,
            changes_before=parsed_args.changes_before,
            action_filter=action_filter,
            concurrency=parsed_args.concurrency,
            on_progress=progress_line,
        )

    def _fleet_rows(self, run: Any) -> Iterator[Any]:
        """The rows of every server; then a line for each that failed."""
        yield from run
        self._report_problems(run)

    def _report_problems(self, run: Any) -> None:
        from fj_osc_actions import formatting

        for problem in run.problems:
            server = problem.server
            name = formatting.escape_controls(server.name or "-")
            if problem.vanished:
                line = _("Notice: server {name} ({id}) was deleted while it was read: {error}")
            else:
                line = _("Could not read the actions of server {name} ({id}): {error}")
                self.exit_status = 1
            self.closing_lines.append(line.format(name=name, id=server.id, error=problem.error))

    # -- the contract view (--my-projects, --project) ----------------------

    def _contract_view(self, parsed_args: argparse.Namespace, action_filter: Any) -> tuple[Any, Any]:
        """Every server of several projects, one login; rows carry their project."""
        from fj_osc_actions import formatting, plugin, progress

        if parsed_args.my_projects and parsed_args.projects:
            raise _usage_error(_("Give --my-projects or --project, not both."))
        if parsed_args.server is not None or parsed_args.all_servers:
            raise _usage_error(_(
                "--my-projects and --project read every server of each project: give no "
                "<server> and no --all-servers."))
        if parsed_args.marker is not None:
            raise _usage_error(_("--marker goes with one server only."))
        progress_line = (progress.ContractProgressLine(self.app.stderr)
                         if self.app.stderr.isatty() else None)
        with _discovery_warnings_silenced(self.app.options.debug), _as_command_errors():
            reader = plugin.make_contract(self.app.client_manager)
            run = reader.read(
                None if parsed_args.my_projects else parsed_args.projects,
                limit=parsed_args.limit,
                changes_since=parsed_args.changes_since,
                changes_before=parsed_args.changes_before,
                action_filter=action_filter,
                reasons=parsed_args.failed,
                concurrency=parsed_args.concurrency,
                on_progress=progress_line,
            )
        chosen = formatting.contract_columns(
            reader.microversion, parsed_args.long, len(run.projects) > 1, parsed_args.failed)
        keys = [key for key, _title in chosen]
        lines = (formatting.contract_row(row, keys, parsed_args.formatter)
                 for row in self._contract_rows(run))
        return [title for _key, title in chosen], _streamed(lines)

    def _contract_rows(self, run: Any) -> Iterator[Any]:
        """The rows of every project; then a line for each problem."""
        from fj_osc_actions import formatting

        yield from run
        for problem in run.problems:
            values = {
                "project": "{name} ({id})".format(
                    name=formatting.escape_controls(problem.project.name), id=problem.project.id),
                "error": problem.error,
                "request_id": problem.request_id,
            }
            if problem.server is None:
                line = _("Could not read project {project}: {error}")
            else:
                values.update(name=formatting.escape_controls(problem.server.name or "-"),
                              id=problem.server.id)
                if problem.request_id is not None:
                    line = _("Could not read why action {request_id} of server {name} ({id}) "
                             "in project {project} failed: {error}")
                elif problem.vanished:
                    line = _("Notice: server {name} ({id}) in project {project} was deleted "
                             "while it was read: {error}")
                else:
                    line = _("Could not read the actions of server {name} ({id}) in project "
                             "{project}: {error}")
            if not problem.vanished:
                self.exit_status = 1
            self.closing_lines.append(line.format(**values))
